"""One stylize request end to end: load, segment and stylize concurrently, compose."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np
from PIL import Image

from . import compose
from .errors import StylecutError
from .filters import resize_max, smooth_fill
from .imageio import ImageLike, Photo, to_photo, to_pil
from .segmentation import Recipe, check_method, coarse, finish_alpha, first_look, has_person, load_mask, person_alpha, refine_alpha
from .style import StyleSpec, parse_style

DEFAULT_STYLE_SIZE = 768  # chosen by eye: brush strokes visible, no upscale blur
MIN_STYLE_SIZE, MAX_STYLE_SIZE = 64, 4096
NO_PERSON_CHOICES = ("error", "all")
ENGINES = ("fast", "gatys")
Progress = Callable[[str, float], None]

cv2.setNumThreads(1)  # the style network keeps both cores busy; OpenCV thread pools beside it only contend


class NoPersonError(StylecutError):
    """The photo has no person the model can find."""


def no_person_error(name: str | None) -> NoPersonError:
    return NoPersonError(f"no person found in {name or 'the image'}; use region 'all' to stylize the whole "
                         "image, or give your own mask")


@dataclass
class Options:
    """Everything that shapes a stylize request (validated on construction)."""

    style: object = None
    region: str = "background"
    fg_style: object = None
    strength: float = 1.0
    preserve_color: bool = False
    blur: float | None = None
    refine: str = "guided"
    style_size: int = DEFAULT_STYLE_SIZE
    on_no_person: str = "error"
    engine: str = "fast"
    gatys: object = None  # style.gatys.GatysParams when engine == "gatys" (defaults if None)
    _style: StyleSpec | None = field(default=None, init=False, repr=False)
    _fg_style: StyleSpec | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.region not in compose.REGIONS:
            raise StylecutError(f"unknown region {self.region!r}; use one of: {', '.join(compose.REGIONS)}")
        if not 0.0 <= float(self.strength) <= 1.0:
            raise StylecutError(f"strength must be between 0 and 1, got {self.strength}")
        if self.blur is not None and not 0.0 <= float(self.blur) <= 200.0:
            raise StylecutError(f"blur sigma must be between 0 and 200, got {self.blur}")
        check_method(self.refine)
        if not MIN_STYLE_SIZE <= int(self.style_size) <= MAX_STYLE_SIZE:
            raise StylecutError(f"style size must be between {MIN_STYLE_SIZE} and {MAX_STYLE_SIZE} px, got {self.style_size}")
        if self.on_no_person not in NO_PERSON_CHOICES:
            raise StylecutError(f"on_no_person must be one of: {', '.join(NO_PERSON_CHOICES)}")
        self._style = parse_style(self.style)
        self._fg_style = parse_style(self.fg_style)
        if self._style is None and self._fg_style is None and self.blur is None:
            raise StylecutError("nothing to do: give a style, a foreground style or a blur")
        if self.engine not in ENGINES:
            raise StylecutError(f"unknown engine {self.engine!r}; use one of: {', '.join(ENGINES)}")
        if self.engine == "gatys":
            from .style.gatys import GatysParams

            self.gatys = self.gatys or GatysParams()
            for spec in (self._style, self._fg_style):
                if spec is not None and spec.image is None:
                    raise StylecutError(f"the gatys engine needs a painting as the style, not {spec.label}")

    def layer_styles(self) -> tuple[StyleSpec | None, StyleSpec | None]:
        """(background style, person style); None keeps that part as in the photo."""
        bg = self._style if self.region in ("background", "all") else None
        fg = self._fg_style or (self._style if self.region in ("foreground", "all") else None)
        return bg, fg

    @property
    def needs_mask(self) -> bool:
        return self.region != "all" or self._fg_style is not None or self.blur is not None


@dataclass
class Result:
    """The composited image, the soft alpha used, and the loaded photo."""

    image: Image.Image
    alpha: np.ndarray | None
    photo: Photo

    def mask_image(self) -> Image.Image:
        """The alpha as an 8-bit greyscale image, the photo's size."""
        if self.alpha is None:
            raise StylecutError("no mask was computed for this request")
        return Image.fromarray(compose.to_uint8(self.alpha), "L")

    def cutout(self) -> Image.Image:
        """The photo's person as an RGBA image (transparent background)."""
        return cutout(self.photo, self.alpha)


def cutout(photo: Photo, alpha: np.ndarray) -> Image.Image:
    """RGBA image: the photo with the person alpha (times any alpha the photo had)."""
    a = compose.to_uint8(alpha)
    if photo.alpha is not None:
        a = ((a.astype(np.uint16) * photo.alpha) // 255).astype(np.uint8)
    return to_pil(photo.rgb, a)


def compute_alpha(photo: Photo, refine: str = "guided", mask: ImageLike | None = None,
                  recipe: Recipe = Recipe()) -> np.ndarray:
    """The user's mask if given (resized to the photo), else the refined model alpha; snapped."""
    alpha = load_mask(mask, photo.size) if mask is not None else person_alpha(photo.rgb, refine, recipe)
    return finish_alpha(alpha)


def _stylize_small(spec: StyleSpec, small: np.ndarray, strength: float) -> np.ndarray:
    return spec.stylizer().stylize(small, strength)


def _without(small: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The style network's input with `region` (soft, grown) filled from its surroundings.

    Stylizing the background with the person still in it makes the network draw the person's
    contour as a stroke, which shows as a ring around them after compositing.
    """
    h, w = small.shape[:2]
    if region.shape != (h, w):
        region = cv2.resize(region, (w, h), interpolation=cv2.INTER_LINEAR)
    grown = compose.grow(np.clip(region * 2.0, 0.0, 1.0), max(2, round(max(h, w) / 100)))
    filled = smooth_fill(small.astype(np.float32), 1.0 - grown)
    return np.clip(filled + 0.5, 0, 255).astype(np.uint8)


def run(image: ImageLike, options: Options, mask: ImageLike | None = None,
        progress: Progress | None = None, name: str | None = None,
        cancel: Callable[[], bool] | None = None) -> Result:
    """Run one request: photo in, composited Result out. Raises StylecutError on bad input.

    The coarse person probability (a few 256-px model runs) comes first and tells the style network
    what to leave out; edge refinement and the style network(s) then run concurrently.
    """
    report = progress or (lambda stage, frac: None)
    report("load", 0.0)
    photo = to_photo(image)
    if options.engine == "gatys":
        return _run_gatys(photo, options, mask, report, name, cancel)
    rgb = photo.rgb
    small = resize_max(rgb, int(options.style_size))
    bg_spec, fg_spec = options.layer_styles()
    with ThreadPoolExecutor(max_workers=3) as pool:
        # style sessions and vectors load while the coarse mask is computed
        for spec in {id(s): s for s in (bg_spec, fg_spec) if s is not None}.values():
            pool.submit(spec.prepare)
        guide = None  # where the person is, roughly, at style resolution
        if options.needs_mask:
            if mask is not None:
                user = load_mask(mask, photo.size)
                guide = user
            else:
                look = first_look(rgb)  # the selfie model alone; body crops run beside the style network
                guide = look[1]
        split = guide is not None and guide.max() > 0.5  # fill the other region out of each style's input
        bg_in = _without(small, guide) if split and bg_spec else small
        fg_in = _without(small, 1.0 - guide) if split and fg_spec else small
        report("segment+style", 0.1)
        if guide is None:
            alpha_f = None
        elif mask is not None:
            alpha_f = pool.submit(finish_alpha, user)
        else:
            alpha_f = pool.submit(lambda: finish_alpha(refine_alpha(rgb, *coarse(rgb, look=look), options.refine)))
        bg_f = pool.submit(_stylize_small, bg_spec, bg_in, options.strength) if bg_spec else None
        fg_f = pool.submit(_stylize_small, fg_spec, fg_in, options.strength) if fg_spec else None
        alpha = alpha_f.result() if alpha_f else None
        bg_small = bg_f.result() if bg_f else None
        fg_small = fg_f.result() if fg_f else None
    report("compose", 0.8)
    alpha = _check_person(alpha, options, mask is not None, name)
    out = _compose(rgb, small, alpha, bg_small, fg_small, options)
    report("done", 1.0)
    return Result(to_pil(out, photo.alpha), alpha, photo)


def _check_person(alpha: np.ndarray | None, options: Options, user_mask: bool, name: str | None) -> np.ndarray | None:
    if alpha is None or user_mask or has_person(alpha):
        return alpha
    if options.on_no_person == "error":
        raise no_person_error(name)
    return np.zeros(alpha.shape, np.float32)  # everything is background


def _run_gatys(photo: Photo, options: Options, mask: ImageLike | None, report: Progress,
               name: str | None, cancel: Callable[[], bool] | None) -> Result:
    """The optimisation engine: one image optimised with a guided style loss per region."""
    from .style.gatys import Region, optimise

    params = options.gatys
    rgb = photo.rgb
    alpha = _check_person(compute_alpha(photo, options.refine, mask) if options.needs_mask else None,
                          options, mask is not None, name)
    bg_spec, fg_spec = options.layer_styles()
    regions = []
    if alpha is None or (bg_spec is fg_spec):
        regions.append(Region((bg_spec or fg_spec).image, None))
    else:
        if bg_spec is not None:
            regions.append(Region(bg_spec.image, 1.0 - alpha))
        if fg_spec is not None:
            regions.append(Region(fg_spec.image, alpha))
    # warm start: the fast engine's result for the same request, at the optimised size
    small = resize_max(rgb, int(params.size))
    warm_opts = Options(style=options.style, region=options.region, fg_style=options.fg_style,
                        strength=1.0, refine=options.refine, style_size=max(MIN_STYLE_SIZE, int(params.size)),
                        on_no_person="all")
    warm = np.asarray(run(small, warm_opts, mask=None if alpha is None else cv2.resize(
        alpha, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)).image)
    report("optimise", 0.0)
    styled = optimise(small, regions, params, init_rgb=warm,
                      progress=lambda done, total: report("optimise", done / total), cancel=cancel)
    styled = cv2.resize(styled, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA) \
        if styled.shape[:2] != small.shape[:2] else styled
    if options.strength < 1.0:  # no style vector here: blend with the photo
        styled = options.strength * styled + (1.0 - options.strength) * small.astype(np.float32) / 255.0
    out = _compose(rgb, small, alpha, styled if bg_spec else None, styled if fg_spec else None, options)
    report("done", 1.0)
    return Result(to_pil(out, photo.alpha), alpha, photo)


def _compose(rgb: np.ndarray, small: np.ndarray, alpha: np.ndarray | None,
             bg_small: np.ndarray | None, fg_small: np.ndarray | None, options: Options) -> np.ndarray:
    photo_f = rgb.astype(np.float32) * np.float32(1.0 / 255.0)
    if alpha is None:  # region 'all', one style, no blur: the whole frame
        layer = compose.upsample_layer(small, fg_small, rgb)
        if options.preserve_color:
            layer = compose.preserve_color(layer, rgb)
        return compose.to_uint8(layer)
    h, w = small.shape[:2]
    alpha_small = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_AREA) if (h, w) != alpha.shape else alpha
    band = max(2, round(max(h, w) / 200))

    def layer_of(styled: np.ndarray | None, keep_outside: bool) -> np.ndarray:
        if styled is None:  # the photo itself, its edge colours freed of the other region's
            return compose.decontaminate(photo_f, 1.0 - alpha if keep_outside else alpha)
        styled = compose.clean_layer(styled, alpha_small, keep_outside, band)
        full = compose.upsample_layer(small, styled, rgb)
        return compose.preserve_color(full, rgb) if options.preserve_color else full

    bg = layer_of(bg_small, keep_outside=True)
    if options.blur is not None:
        bg = compose.blur_background(bg, alpha, float(options.blur))
    fg = layer_of(fg_small, keep_outside=False)
    return compose.to_uint8(compose.blend(fg, bg, alpha))

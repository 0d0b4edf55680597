"""stylecut: neural style transfer where you choose - background, person, or each its own style.

Public API::

    import stylecut
    out = stylecut.stylize("photo.jpg", style="preset:19")          # -> PIL.Image
    alpha = stylecut.segment("photo.jpg")                            # -> float32 (H, W) in [0, 1]
    with stylecut.Session(stylecut.Options(style="preset:7")) as s:  # prepare once, many photos
        images = [s.process(p).image for p in paths]
"""
from __future__ import annotations

from stylecut.core.config import configure
from stylecut.core.errors import StylecutError
from stylecut.core.imageio import load_image, save_image


def __getattr__(name: str):
    if name == "__version__":  # read lazily: importlib.metadata costs ~35 ms at start-up
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("stylecut")
        except PackageNotFoundError:  # running from a source tree
            return "0.0.0"
    if name in ("Session", "Result"):
        from stylecut.pipeline import session

        return getattr(session, name)
    if name in ("Options", "GatysParams", "PaintOptions"):
        from stylecut.core import options

        return getattr(options, name)
    if name == "Selection":  # any subject by pointing: Selection.of(box=(x0, y0, x1, y1), add=[(x, y)], remove=[])
        from stylecut.core.selection import Selection

        return Selection
    raise AttributeError(name)


def clear_caches() -> None:
    """Drop every process-wide cache (model sessions, interpreters, selectors, weights); they reload on use."""
    from stylecut.runtime.caches import clear_all

    clear_all()


__all__ = ["clear_caches", "stylize", "segment", "cutout", "paint", "load_image", "save_image", "configure", "Session",
           "Result",
           "Options", "GatysParams", "PaintOptions", "Selection", "StylecutError", "__version__"]


def stylize(image, style=None, *, mask=None, progress=None, options=None, **fields):
    """Stylize a photo where you choose; returns a PIL image the photo's size (RGBA if it had alpha).

    image: path, bytes, PIL image or numpy array. style: 'preset:N' (1..26), 'preset:3+preset:7',
    a path to any painting, an image, or None (then give blur or fg_style). fields: any Options
    field (region, fg_style, strength, preserve_color, blur, refine, style_size, on_no_person,
    engine, segmenter; gatys as GatysParams or a dict), or options: a whole Options. mask: your
    own mask (path or array) or a Selection. A one-shot Session.
    """
    from stylecut.core.options import GatysParams, Options
    from stylecut.pipeline.session import run

    if options is None:
        fields = {k: v for k, v in fields.items() if v is not None}  # None: that field's default
        if isinstance(fields.get("gatys"), dict):
            fields["gatys"] = GatysParams(**fields["gatys"])
        options = Options(style=style, **fields)
    return run(image, options, mask=mask, progress=progress).image


def segment(image, refine: str = "guided", mask=None):
    """Soft person alpha (H, W) float32 in [0, 1], the photo's (upright) size.

    mask: a Selection (box and/or clicks) to take any subject instead, or your own mask.
    """
    from stylecut.core.imageio import to_photo
    from stylecut.pipeline.session import compute_alpha

    return compute_alpha(to_photo(image), refine, mask)


def cutout(image, refine: str = "guided", mask=None):
    """The person as an RGBA PIL image with a soft alpha edge."""
    from stylecut.core.imageio import to_photo
    from stylecut.pipeline.session import compute_alpha
    from stylecut.pipeline.session import cutout as _cutout

    photo = to_photo(image)
    return _cutout(photo, compute_alpha(photo, refine, mask))


def paint(portrait, painting, **kwargs):
    """Place the portrait's person into the painting (see pipeline.into_painting.paint); returns a PIL image."""
    from stylecut.pipeline.into_painting import paint as _paint

    return _paint(portrait, painting, **kwargs).image

"""Golden cases: outputs of the public API that a refactor must not change (within 1 level).

Run as a script to (re)write the reference images from the code on PYTHONPATH:

    .venv/bin/python tests/integration/golden_cases.py tests/integration/golden  # the NASA portrait (public domain)
    .venv/bin/python tests/integration/golden_cases.py OUT --eval  # also every eval photo (never committed)

The committed references use only public-domain inputs: scikit-image's astronaut (NASA) and
The Starry Night from ../shared/eval/styles.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

if __package__ in (None, ""):  # run as a script: the repo root holds the tests package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.eval_data import EVAL  # noqa: E402

STARRY = EVAL / "styles" / "vangogh_starry_night.jpg"


def astronaut(side: int = 256) -> np.ndarray:
    from skimage import data

    return np.asarray(Image.fromarray(data.astronaut()).resize((side, side), Image.LANCZOS))


def cases(photo: np.ndarray) -> dict[str, Callable[[], Image.Image]]:
    """name -> a call of the public API that returns an image."""
    import stylecut

    starry = np.asarray(Image.open(STARRY).convert("RGB").resize((256, 203), Image.LANCZOS))

    def paint(*args, **kwargs) -> Image.Image:
        try:
            from stylecut.pipeline.into_painting import paint as paint_into
        except ImportError:  # before the redesign (there `stylecut.paint` was shadowed by its module once imported)
            from stylecut.paint import paint as paint_into
        return paint_into(*args, **kwargs).image

    def mask(refine: str) -> Image.Image:
        return Image.fromarray((stylecut.segment(photo, refine=refine) * 255 + 0.5).astype(np.uint8), "L")

    return {
        "bg_preset": lambda: stylecut.stylize(photo, style="preset:20"),
        "bg_preset_small_style": lambda: stylecut.stylize(photo, style="preset:7", style_size=128),
        "bg_painting": lambda: stylecut.stylize(photo, style=starry),
        "fg_preset": lambda: stylecut.stylize(photo, style="preset:4", region="foreground"),
        "two_styles": lambda: stylecut.stylize(photo, style=starry, fg_style="preset:19", strength=0.8),
        "all_blend": lambda: stylecut.stylize(photo, style="preset:3+preset:7", region="all"),
        "preserve_blur": lambda: stylecut.stylize(photo, style="preset:12", preserve_color=True, blur=6),
        "blur_only": lambda: stylecut.stylize(photo, blur=8),
        "strength_preset": lambda: stylecut.stylize(photo, style="preset:2", strength=0.5, refine="none"),
        "mask_guided": lambda: mask("guided"),
        "mask_matting": lambda: mask("matting"),
        "cutout": lambda: stylecut.cutout(photo),
        "paint": lambda: paint(photo, starry, height=0.7),
        "paint_poisson": lambda: paint(photo, starry, style="preset:5", harmonize="poisson", x=100),
    }


def gatys_case(photo: np.ndarray) -> Image.Image:
    """The optimisation engine at a tiny budget (deterministic: fixed seed, CPU)."""
    try:
        from stylecut.core.options import GatysParams, Options
        from stylecut.pipeline.session import run
    except ImportError:  # before the redesign
        from stylecut.pipeline import Options, run
        from stylecut.style.gatys import GatysParams

    starry = np.asarray(Image.open(STARRY).convert("RGB").resize((128, 101), Image.LANCZOS))
    opts = Options(style=starry, engine="gatys", gatys=GatysParams(iterations=6, size=128))
    return run(photo, opts).image


def write(out: Path, photo: np.ndarray, prefix: str = "", with_gatys: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    made = dict(cases(photo))
    if with_gatys:
        made["gatys"] = lambda: gatys_case(photo)
    for name, fn in made.items():
        fn().save(out / f"{prefix}{name}.png")
        print("wrote", out / f"{prefix}{name}.png")


if __name__ == "__main__":
    target = Path(sys.argv[1])
    write(target, astronaut())
    if "--eval" in sys.argv:
        for p in sorted((EVAL / "seg" / "images").glob("*.jpg")) + sorted((EVAL / "content").glob("*.jpg")):
            rgb = np.asarray(Image.open(p).convert("RGB"))
            write(target, rgb, prefix=p.stem + "__", with_gatys=False)

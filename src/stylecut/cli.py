"""The stylecut command line: a thin typer layer over the library."""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .errors import StylecutError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Neural style transfer where you choose: background, person, or each its own style.",
)


class Region(str, Enum):
    background = "background"
    foreground = "foreground"
    all = "all"


class Refine(str, Enum):
    none = "none"
    guided = "guided"
    matting = "matting"


class Engine(str, Enum):
    fast = "fast"
    gatys = "gatys"


class _progress_bar:
    """A tqdm bar with ETA for the long optimisation; nothing for the fast engine."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar = enabled, None

    def __enter__(self):
        if not self.enabled:
            return None
        from tqdm import tqdm

        self.bar = tqdm(total=100, unit="%", desc="optimising", bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]")

        def update(stage: str, frac: float) -> None:
            if stage in ("optimise", "done"):
                self.bar.n = round(100 * frac)
                self.bar.refresh()

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False


class NoPerson(str, Enum):
    error = "error"
    all = "all"


def fail(message: str, code: int = 2) -> None:
    """One clear line on stderr, then exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def guarded(fn):
    """Turn StylecutError (and any unexpected error) into one line on stderr, never a traceback."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except StylecutError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except MemoryError:
            fail("out of memory; try a smaller --style-size or a smaller image", 1)
        except Exception as exc:  # a bug: still one line, with a way to see the traceback
            if os.environ.get("STYLECUT_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set STYLECUT_DEBUG=1 for details)", 1)

    return wrapper


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"stylecut {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """stylecut: find the person, stylize where you choose, blend with clean edges."""


@app.command()
@guarded
def stylize(
    input: Path = typer.Argument(..., help="Photo to stylize (JPEG, PNG, WebP, TIFF, ...)."),
    output: Path = typer.Option(..., "-o", "--output", help="Result file (.png, .jpg, .webp)."),
    style: Optional[str] = typer.Option(None, "--style", "-s", help="A painting's path, preset:N (1-26), preset:3+preset:7, or none."),
    region: Region = typer.Option(Region.background, "--region", help="Where the style goes."),
    fg_style: Optional[str] = typer.Option(None, "--fg-style", help="A second style for the person."),
    strength: float = typer.Option(1.0, "--strength", help="0..1; for paintings it moves between the photo's own style and the painting's."),
    preserve_color: bool = typer.Option(False, "--preserve-color", help="Keep the photo's colours, take the style's texture."),
    blur: Optional[float] = typer.Option(None, "--blur", help="Portrait mode: blur the background (sigma in px at 1024 px)."),
    mask: Optional[Path] = typer.Option(None, "--mask", help="Your own mask (grey or alpha, any size, same aspect)."),
    save_mask: Optional[Path] = typer.Option(None, "--save-mask", help="Also write the soft mask used."),
    save_cutout: Optional[Path] = typer.Option(None, "--save-cutout", help="Also write the person as an RGBA cut-out."),
    style_size: int = typer.Option(768, "--style-size", help="Long side (px) the style network runs at."),
    refine: Refine = typer.Option(Refine.guided, "--refine", help="Mask edge refinement."),
    on_no_person: NoPerson = typer.Option(NoPerson.error, "--on-no-person", help="If no person is found: fail, or stylize everything."),
    engine: Engine = typer.Option(Engine.fast, "--engine", help="fast (feed-forward networks) or gatys (optimisation, slow, richest)."),
    iterations: int = typer.Option(50, "--iterations", help="gatys: objective evaluations at full size."),
    size: int = typer.Option(512, "--size", help="gatys: long side of the optimised image (px)."),
    style_weight: float = typer.Option(1.0, "--style-weight", help="gatys: style loss weight."),
    content_weight: float = typer.Option(1.0, "--content-weight", help="gatys: content loss weight."),
    tv_weight: float = typer.Option(0.0, "--tv-weight", help="gatys: total-variation weight."),
    seed: int = typer.Option(0, "--seed", help="gatys: random seed."),
) -> None:
    """Stylize a photo's background, person, or both."""
    from .imageio import check_cutout_path, check_output_path, save_image
    from .pipeline import Options, run

    for p in (output, save_mask):
        if p is not None:
            check_output_path(p)
    if save_cutout is not None:
        check_cutout_path(save_cutout)
    gatys = None
    if engine == Engine.gatys:
        from .style.gatys import GatysParams

        gatys = GatysParams(iterations=iterations, size=size, style_weight=style_weight,
                            content_weight=content_weight, tv_weight=tv_weight, seed=seed)
    opts = Options(style=style, region=region.value, fg_style=fg_style, strength=strength,
                   preserve_color=preserve_color, blur=blur, refine=refine.value, style_size=style_size,
                   on_no_person=on_no_person.value, engine=engine.value, gatys=gatys)
    with _progress_bar(engine == Engine.gatys) as progress:
        result = run(input, opts, mask=mask, name=str(input), progress=progress)
    if (save_mask or save_cutout) and result.alpha is None:
        from .pipeline import compute_alpha

        result.alpha = compute_alpha(result.photo, refine.value, mask)
    save_image(result.image, output)
    if save_mask:
        save_image(result.mask_image(), save_mask)
    if save_cutout:
        save_image(result.cutout(), save_cutout)
    typer.echo(f"{input} -> {output} ({result.image.width}x{result.image.height})")


@app.command()
@guarded
def mask(
    input: Path = typer.Argument(..., help="Photo with a person."),
    output: Path = typer.Option(..., "-o", "--output", help="Mask file (8-bit alpha, the photo's size)."),
    cutout: bool = typer.Option(False, "--cutout", help="Write an RGBA cut-out instead of the mask."),
    refine: Refine = typer.Option(Refine.guided, "--refine", help="Mask edge refinement."),
) -> None:
    """Write the soft person mask (or an RGBA cut-out) of a photo."""
    from .imageio import check_cutout_path, check_output_path, save_image, to_photo
    from .pipeline import Result, compute_alpha

    (check_cutout_path if cutout else check_output_path)(output)
    photo = to_photo(input)
    res = Result(None, compute_alpha(photo, refine.value), photo)
    save_image(res.cutout() if cutout else res.mask_image(), output)
    typer.echo(f"{input} -> {output}")


@app.command()
@guarded
def styles(
    sheet: Optional[Path] = typer.Option(None, "--sheet", help="Render every preset on a sample photo into FILE."),
    photo: Optional[Path] = typer.Option(None, "--photo", help="Photo for the sheet (default: the bundled sample)."),
) -> None:
    """List the built-in styles; --sheet renders them all."""
    from .registry import PRESETS

    if sheet is None:
        typer.echo("Built-in styles (use with --style):")
        for name in PRESETS:
            typer.echo(f"  {name}")
        typer.echo("Any image file also works as a style, e.g. --style starry_night.jpg")
        typer.echo("Blend presets with +, e.g. --style preset:3+preset:7")
        return
    from .imageio import check_output_path, save_image
    from .presets_sheet import presets_sheet

    check_output_path(sheet)
    save_image(presets_sheet(photo), sheet)
    typer.echo(f"wrote {sheet}")


@app.command()
@guarded
def demo(
    out_dir: Path = typer.Option(Path("."), "--out-dir", help="Where to write the demo images."),
) -> None:
    """Stylize the background of the bundled sample portrait; writes the result and a comparison sheet."""
    from .demo import run_demo

    result, sheet = run_demo(out_dir)
    typer.echo(f"wrote {result.resolve()}")
    typer.echo(f"wrote {sheet.resolve()}  (input | mask | style | result)")


@app.command()
@guarded
def batch(
    input_dir: str = typer.Argument(..., help="Folder of photos (searched recursively); with --backend ray also a URI."),
    output_dir: str = typer.Option(..., "-o", "--output", help="Folder for the results (sub-folders kept)."),
    style: Optional[str] = typer.Option(None, "--style", "-s", help="As for stylize."),
    region: Region = typer.Option(Region.background, "--region"),
    fg_style: Optional[str] = typer.Option(None, "--fg-style"),
    strength: float = typer.Option(1.0, "--strength"),
    preserve_color: bool = typer.Option(False, "--preserve-color"),
    blur: Optional[float] = typer.Option(None, "--blur"),
    style_size: int = typer.Option(768, "--style-size"),
    refine: Refine = typer.Option(Refine.guided, "--refine"),
    on_no_person: NoPerson = typer.Option(NoPerson.error, "--on-no-person"),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes (models load once per worker)."),
    skip_existing: bool = typer.Option(False, "--skip-existing", help="Resume: leave finished outputs alone."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write a JSON report of every file."),
    backend: str = typer.Option("local", "--backend", help="local (worker processes) or ray (Ray Data; needs stylecut[ray])."),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (default: start a local one)."),
) -> None:
    """Stylize every image in a folder tree; bad files are reported and skipped."""
    from .batch import batch as run_batch
    from .pipeline import Options

    opts = Options(style=style, region=region.value, fg_style=fg_style, strength=strength,
                   preserve_color=preserve_color, blur=blur, refine=refine.value, style_size=style_size,
                   on_no_person=on_no_person.value)
    s = run_batch(input_dir, output_dir, opts, jobs=jobs, skip_existing=skip_existing, report=report,
                  backend=backend, address=address)
    typer.echo(f"done {s.done}, skipped {s.skipped}, failed {s.failed} in {s.seconds:.1f}s")
    if s.failed:
        raise typer.Exit(1)


class Harmonize(str, Enum):
    none = "none"
    color = "color"
    poisson = "poisson"


@app.command()
@guarded
def paint(
    portrait: Path = typer.Argument(..., help="Photo of a person."),
    painting: Path = typer.Argument(..., help="The painting to place them in."),
    output: Path = typer.Option(..., "-o", "--output", help="Result file (.png, .jpg, .webp)."),
    x: Optional[int] = typer.Option(None, "--x", help="Bottom centre of the cut-out, px from the left (default: centre)."),
    y: Optional[int] = typer.Option(None, "--y", help="Bottom centre of the cut-out, px from the top (default: bottom edge)."),
    height: Optional[float] = typer.Option(None, "--height", help="Cut-out height as a fraction of the painting's (default 0.6)."),
    style: str = typer.Option("painting", "--style", help="'painting' (its own brush work), any style, or none."),
    harmonize: Harmonize = typer.Option(Harmonize.color, "--harmonize", help="Blend colours to the painting."),
    save_cutout: Optional[Path] = typer.Option(None, "--save-cutout", help="Also write the placed person as RGBA."),
    mask: Optional[Path] = typer.Option(None, "--mask", help="Your own mask for the portrait."),
    refine: Refine = typer.Option(Refine.guided, "--refine", help="Mask edge refinement."),
) -> None:
    """Cut the person out of a portrait, paint them in the painting's style, and place them in it."""
    from .imageio import check_cutout_path, check_output_path, save_image
    from .paint import paint as paint_into

    check_output_path(output)
    if save_cutout is not None:
        check_cutout_path(save_cutout)
    res = paint_into(portrait, painting, x=x, y=y, height=height, style=style, harmonize=harmonize.value,
                     refine=refine.value, mask=mask)
    save_image(res.image, output)
    if save_cutout:
        save_image(res.cutout, save_cutout)
    typer.echo(f"{portrait} into {painting} -> {output} (cut-out at {res.box})")


@app.command("evaluate-masks")
@guarded
def evaluate_masks(
    images_dir: Path = typer.Argument(..., help="Folder of photos."),
    masks_dir: Path = typer.Argument(..., help="Folder of ground-truth masks with the same file names."),
    report: Optional[Path] = typer.Option(None, "--report", help="Write per-image figures as CSV."),
    sheet: Optional[Path] = typer.Option(None, "--sheet", help="Write an overlay sheet of the worst cases."),
    refine: Refine = typer.Option(Refine.guided, "--refine", help="Mask edge refinement to evaluate."),
    recipe: str = typer.Option("default", "--recipe", help="Segmentation steps: naive, flip, tiles, pose or default (for ablations)."),
) -> None:
    """Score the segmenter against ground-truth masks: IoU, boundary F, alpha error, time."""
    import numpy as np

    from .evaluate import evaluate, worst_sheet, write_report
    from .imageio import check_output_folder, check_output_path, save_image
    from .pipeline import compute_alpha
    from .imageio import Photo

    from .segmentation import RECIPES, load_models

    if recipe not in RECIPES:
        raise StylecutError(f"unknown recipe {recipe!r}; use one of: {', '.join(RECIPES)}")
    steps = RECIPES[recipe]
    if report and report.suffix.lower() != ".csv":
        raise StylecutError(f"--report must be a .csv file, got {report}")
    if report:
        check_output_folder(report)
    if sheet:
        check_output_path(sheet)
    typer.echo(f"{'image':<28}{'IoU':>7}{'bound.F':>9}{'MAE':>8}{'ms':>8}")

    def show(s):
        typer.echo(f"{s.name:<28}{s.iou:>7.3f}{s.boundary_f:>9.3f}{s.mae:>8.4f}{s.seconds * 1000:>8.0f}")

    load_models(steps)  # so no image's time includes loading a model
    compute_alpha(Photo(np.zeros((64, 64, 3), np.uint8)), refine.value, recipe=steps)  # and warm the refinement
    scores, keep = evaluate(images_dir, masks_dir, lambda rgb: compute_alpha(Photo(rgb), refine.value, recipe=steps), show)
    iou = [s.iou for s in scores]
    typer.echo(f"{'mean':<28}{np.mean(iou):>7.3f}{np.mean([s.boundary_f for s in scores]):>9.3f}"
               f"{np.mean([s.mae for s in scores]):>8.4f}{np.median([s.seconds for s in scores]) * 1000:>8.0f}"
               f"   (min IoU {min(iou):.3f}; time is the median)")
    if report:
        write_report(scores, report)
        typer.echo(f"wrote {report}")
    if sheet:
        save_image(worst_sheet(scores, keep), sheet)
        typer.echo(f"wrote {sheet}")


@app.command()
@guarded
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (loopback unless told otherwise)."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(2, "--workers", help="Requests processed at once (more wait in a queue)."),
) -> None:
    """Serve the web page and the HTTP API (docs at /docs)."""
    try:
        from .server import serve as run_server
    except ImportError:
        raise StylecutError('the server needs its extra: pip install "stylecut[server]"') from None
    typer.echo(f"stylecut on http://{host}:{port}/  (API docs at /docs)")
    run_server(host, port, workers)


def main() -> None:
    """Console entry point.

    Every output is written atomically and closed before a command returns, so the process ends
    with os._exit: tearing down the model runtimes' thread pools and arenas adds ~40 ms per run.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    code = 0
    try:
        app(prog_name="stylecut")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()

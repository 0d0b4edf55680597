"""The stylecut command line: a thin typer layer over the library."""
from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path
from typing import Optional

import click

# typer formats help and errors with rich when rich happens to be importable (only a dev tool pulls it
# in here): the same plain output everywhere, and ~110 ms less of every start-up. Others may import
# rich afterwards as usual.
_rich_hidden = "rich" not in sys.modules
if _rich_hidden:
    sys.modules["rich"] = None  # type: ignore[assignment]
try:
    import typer
finally:
    if _rich_hidden:
        del sys.modules["rich"]

from stylecut.core.errors import StylecutError
from stylecut.core.options import GatysParams, Options, PaintOptions, choices_of, field_of, schema_fields, with_fields

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Neural style transfer where you choose: background, person, or each its own style.",
)


class LazyChoice(click.ParamType):
    """click.Choice whose choices are read when used (engines come from the registry, loaded lazily)."""

    name = "choice"

    def __init__(self, field):
        self.field = field

    def get_metavar(self, param, ctx=None) -> str:
        return "[" + "|".join(map(str, choices_of(self.field))) + "]"

    def convert(self, value, param, ctx):
        allowed = choices_of(self.field)
        if value in allowed:
            return value
        self.fail(f"{value!r} is not one of {', '.join(map(repr, allowed))}", param, ctx)


def _cli_param(f) -> inspect.Parameter:
    """A typer option for one schema field: --name (plus its extra flags), help, type, choices, default."""
    from stylecut.core.options import base_type

    meta = f.metadata
    kwargs = {"help": meta["help"]}
    if meta.get("choices") is not None:
        kwargs["click_type"] = LazyChoice(f)
    base = base_type(f)
    annotation = Optional[base] if f.default is None else base
    flags = ("--" + f.name.replace("_", "-"), *meta["flags"])
    return inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                             default=typer.Option(f.default, *flags, **kwargs))


def with_schema(*classes, make):
    """Add every CLI field of the schema classes as options; the command gets them as options=make(values)."""
    return with_fields([f for cls in classes for f in schema_fields(cls)], _cli_param, "options", make)


TIME_FLAGS = {"start": "--start", "end": "--end", "select_at": "--select-at", "on_no_person": "--on-no-person",
              "selection": "--box, --point, --add or --remove"}

POINTING = [
    inspect.Parameter("box", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[str], default=typer.Option(
        None, "--box", help="X0,Y0,X1,Y1: select the subject inside this box (pixels), any kind of subject.")),
    inspect.Parameter("add", inspect.Parameter.KEYWORD_ONLY, annotation=list[str], default=typer.Option(
        [], "--add", help="X,Y: a point on the subject (repeatable); on a person photo it corrects the person mask.")),
    inspect.Parameter("remove", inspect.Parameter.KEYWORD_ONLY, annotation=list[str], default=typer.Option(
        [], "--remove", help="X,Y: a point that is not the subject (repeatable).")),
    inspect.Parameter("point", inspect.Parameter.KEYWORD_ONLY, annotation=list[str], default=typer.Option(
        [], "--point", help="X,Y on the subject or -X,Y not on it: clicks applied in the order given "
                            "(repeatable; instead of --add/--remove, which apply all adds first).")),
]


def with_pointing(fn):
    """Add --box/--point/--add/--remove; the command gets selection=Selection (or None when none was given)."""
    import functools

    sig = inspect.signature(fn)
    own = [p for p in sig.parameters.values() if p.name != "selection"]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from stylecut.core.selection import Selection, parse_box, parse_click, parse_point

        box, add, remove, point = (kwargs.pop(k) for k in ("box", "add", "remove", "point"))
        if point and (add or remove):
            fail("give clicks with --point (in order) or with --add/--remove, not both")
        sel = Selection.of(parse_box(box, "--box") if box else None, [parse_point(a, "--add") for a in add],
                           [parse_point(r, "--remove") for r in remove])
        if point:
            sel = Selection(sel.box, tuple(parse_click(p) for p in point))
        if sel and kwargs.get("mask") is not None:
            fail("give your own --mask or point with --box/--point/--add/--remove, not both")
        return fn(*args, selection=sel or None, **kwargs)

    keyword = [p for p in own if p.kind == inspect.Parameter.KEYWORD_ONLY]
    wrapper.__signature__ = sig.replace(parameters=[p for p in own if p not in keyword] + POINTING + keyword)
    return wrapper


def stylize_options(values: dict) -> Options:
    """Options (+ GatysParams when the engine is gatys) from the CLI's values."""
    names = {f.name for f in schema_fields(GatysParams)}
    gatys = GatysParams(**{k: v for k, v in values.items() if k in names}) if values.get("engine") == "gatys" else None
    return Options(**{k: v for k, v in values.items() if k not in names}, gatys=gatys)








class _progress_bar:
    """A tqdm bar with ETA for the long optimisation; nothing for the fast engine."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar = enabled, None

    def __enter__(self):
        if not self.enabled:
            return None
        status("preparing: the mask and the fast engine's start, then the optimisation")
        from tqdm import tqdm

        self.bar = tqdm(
            total=100,
            unit="%",
            desc="optimising",
            bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]",
        )

        def update(stage: str, frac: float) -> None:
            if stage in ("optimise", "done"):
                self.bar.n = round(100 * frac)
                self.bar.refresh()

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False




def status(message: str) -> None:
    """A line at once on a terminal, before long silent work (model loading, set-up); nothing when piped,
    like the progress bars, so scripts still see only results and one error line."""
    if sys.stderr.isatty():
        typer.echo(message, err=True)


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
        except BrokenPipeError:  # e.g. `stylecut styles | head`: the reader left; nothing to say
            raise typer.Exit(0) from None
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
        from stylecut import __version__

        typer.echo(f"stylecut {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """stylecut: find the person, stylize where you choose, blend with clean edges."""


def _refine_option():
    field = field_of(Options, "refine")
    return typer.Option(field.default, "--refine", help=field.metadata["help"], click_type=LazyChoice(field))


@app.command()
@guarded
@with_pointing
@with_schema(Options, GatysParams, make=stylize_options)
def stylize(
    input: Path = typer.Argument(..., help="Photo to stylize (JPEG, PNG, WebP, TIFF, ...)."),
    output: Path = typer.Option(..., "-o", "--output", help="Result file (.png, .jpg, .webp)."),
    mask: Path | None = typer.Option(None, "--mask", help="Your own mask (grey or alpha, any size, same aspect)."),
    save_mask: Path | None = typer.Option(None, "--save-mask", help="Also write the soft mask used."),
    save_cutout: Path | None = typer.Option(None, "--save-cutout", help="Also write the person as an RGBA cut-out."),
    options: Options = None,
    selection=None,
) -> None:
    """Stylize a photo's background, person (or the subject you point at), or both."""
    from stylecut.core.imageio import check_cutout_path, check_not_input, check_output_path, save_image
    from stylecut.pipeline.session import compute_alpha, run

    for p in (output, save_mask):
        if p is not None:
            check_output_path(p)
    if save_cutout is not None:
        check_cutout_path(save_cutout)
    for p in (output, save_mask, save_cutout):
        if p is not None:
            check_not_input(p, input, mask, options.style, options.fg_style)
    mask = selection or mask
    with _progress_bar(options.engine == "gatys") as progress:
        result = run(input, options, mask=mask, name=str(input), progress=progress)
    if (save_mask or save_cutout) and result.alpha is None:
        result.alpha = compute_alpha(result.photo, options.refine, mask)
    save_image(result.image, output)
    if save_mask:
        save_image(result.mask_image(), save_mask)
    if save_cutout:
        save_image(result.cutout(), save_cutout)
    typer.echo(f"{input} -> {output} ({result.image.width}x{result.image.height})")


@app.command()
@guarded
@with_pointing
def mask(
    input: Path = typer.Argument(..., help="Photo with a person (or a subject you point at)."),
    output: Path = typer.Option(..., "-o", "--output", help="Mask file (8-bit alpha, the photo's size)."),
    cutout: bool = typer.Option(False, "--cutout", help="Write an RGBA cut-out instead of the mask."),
    refine: str = _refine_option(),
    selection=None,
) -> None:
    """Write the soft person mask (or an RGBA cut-out) of a photo; --box/--point/--add/--remove select any subject."""
    from stylecut.core.imageio import check_cutout_path, check_not_input, check_output_path, save_image, to_photo
    from stylecut.pipeline.session import Result, compute_alpha

    (check_cutout_path if cutout else check_output_path)(output)
    check_not_input(output, input)
    photo = to_photo(input)
    res = Result(None, compute_alpha(photo, refine, selection), photo)
    save_image(res.cutout() if cutout else res.mask_image(), output)
    typer.echo(f"{input} -> {output}")


@app.command()
@guarded
def styles(
    sheet: Path | None = typer.Option(None, "--sheet", help="Render every preset on a sample photo into FILE."),
    photo: Path | None = typer.Option(None, "--photo", help="Photo for the sheet (default: the bundled sample)."),
    remove: str | None = typer.Option(None, "--remove", help="Delete the learned style NAME."),
    preview: str | None = typer.Option(
        None, "--preview", help="Write the learned style NAME's preview to --sheet FILE."
    ),
) -> None:
    """List the styles (built-in from the engine registry, then learned ones); --sheet renders them all."""
    from stylecut.core.registry import listed_styles
    from stylecut.style import learned

    if remove is not None:
        typer.echo(f"removed {learned.remove(remove)}")
        return
    if preview is not None:
        if sheet is None:
            fail("--preview NAME needs --sheet FILE (where to write the preview)")
        data = learned.load(preview).preview_jpeg
        from stylecut.core.imageio import check_output_path, write_atomic

        if check_output_path(sheet) != "JPEG":
            fail("the preview is a JPEG; name the file .jpg")
        write_atomic(sheet, data)
        typer.echo(f"wrote {sheet}")
        return
    if sheet is None:
        typer.echo("Styles (use with --style):")
        for name, title in listed_styles().items():
            typer.echo(f"  {name:<16}{title}")
        typer.echo("Any image file also works as a style, e.g. --style starry_night.jpg")
        typer.echo("Blend presets with +, e.g. --style preset:3+preset:7; learn your own with `stylecut learn-style`")
        typer.echo(f"Learned styles live in {learned.styles_dir()}")
        return
    from stylecut.apps.presets_sheet import presets_sheet
    from stylecut.core.imageio import check_output_path, save_image

    check_output_path(sheet)
    save_image(presets_sheet(photo), sheet)
    typer.echo(f"wrote {sheet}")


@app.command("learn-style")
@guarded
def learn_style(
    painting: Path = typer.Argument(..., help="The painting to learn (any image)."),
    name: str = typer.Option(..., "--name", help="The new style's name: use it as --style preset:NAME."),
    photos: list[Path] = typer.Option([], "--photos", help="A folder of extra training photos (repeatable)."),
    steps: int = typer.Option(300, "--steps", min=1, max=100000, help="Training steps (~0.75 s each on 2 CPU cores)."),
    size: int = typer.Option(
        512, "--size", min=128, max=2048, help="Photo size (long side, px) the style is tuned for."
    ),
    device: str = typer.Option(
        "auto",
        "--device",
        click_type=click.Choice(["auto", "cpu", "cuda"]),
        help="Where torch trains: a CUDA GPU when there is one (auto), or cpu.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace a learned style of the same name."),
) -> None:
    """Learn a new fast style from a painting (the 26-style network's norms; minutes on a CPU).

    Ctrl-C keeps the best so far."""
    from tqdm import tqdm

    from stylecut.style import learned
    from stylecut.style.learn import LearnSettings, check_painting
    from stylecut.style.learn import learn_style as learn

    learned.check_name(name)
    if learned.exists(name) and not force:
        fail(f"a learned style {name!r} exists; pass --force to replace it, or pick another name")
    check_painting(painting)
    for folder in photos:
        if not folder.is_dir():
            fail(f"--photos {folder}: not a folder")
    from stylecut.core.config import torch_device

    status(f"learning {name!r}: loading VGG19, reading the painting and the photos (about a minute before the "
           "first step on a CPU)")
    device = torch_device(device)
    bars = []  # opened at the first step, after the set-up (~30 s: content features, closest preset)

    def progress(done: int, total: int, loss: float) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="step", desc=f"learning on {device}", dynamic_ncols=True))
        bars[0].set_postfix(loss=f"{loss:.4g}", refresh=False)
        bars[0].update(done - bars[0].n)

    try:
        result = learn(painting, name, LearnSettings(steps=steps, size=size, device=device, photos=list(photos)),
                       progress=progress)
    finally:
        for bar in bars:
            bar.close()
    stopped = " (stopped early: the best so far was kept)" if result.interrupted else ""
    typer.echo(f"learned preset:{result.style.name} from {painting} in {result.seconds:.0f} s{stopped}; "
               f"try: stylecut stylize photo.jpg -o out.png --style preset:{result.style.name}")


models_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, invoke_without_command=True,
                         help="Every model with its file, package, licence, size and native input; export a style.")
app.add_typer(models_app, name="models")


@models_app.callback()
@guarded
def models(
    ctx: typer.Context,
    bench: bool = typer.Option(False, "--bench", help="Also time each model on this machine (at 512 and 1024 px)."),
    runs: int = typer.Option(3, "--runs", help="--bench: median of this many runs."),
) -> None:
    """Every model with its file, package, licence, size and native input; segmenters and engines that use them."""
    if ctx.invoked_subcommand is not None:
        return
    from stylecut.apps.model_info import backend_row, bench_rows, model_rows, registry_rows

    for line in model_rows():
        typer.echo(line)
    typer.echo(backend_row())
    typer.echo("")
    for line in registry_rows():
        typer.echo(line)
    if bench:
        typer.echo("")
        for line in bench_rows(runs):
            typer.echo(line)


@models_app.command("export")
@guarded
def export(
    style: str = typer.Argument(..., help="A learned style's NAME, preset:N, or a blend (preset:3+preset:NAME)."),
    output: Path = typer.Option(..., "-o", "--output", help="The ONNX file to write."),
) -> None:
    """Write a standalone ONNX model of the network with this style baked in (checked in plain onnxruntime)."""
    from stylecut.style.export import INPUT_NOTE, export_onnx

    diff = export_onnx(style, output)
    typer.echo(f"wrote {output} ({INPUT_NOTE}); checked in onnxruntime: max difference {diff:.1g}")


@app.command()
@guarded
def demo(
    out_dir: Path = typer.Option(Path("."), "--out-dir", help="Where to write the demo images."),
) -> None:
    """Stylize the background of the bundled sample portrait; writes the result and a comparison sheet."""
    from stylecut.apps.demo import run_demo

    result, sheet = run_demo(out_dir)
    typer.echo(f"wrote {result.resolve()}")
    typer.echo(f"wrote {sheet.resolve()}  (input | mask | style | result)")


@app.command()
@guarded
@with_pointing
@with_schema(Options, make=lambda values: Options(**values))
def video(
    input: Path = typer.Argument(..., help="A clip: mp4, mov, mkv, webm, avi or animated GIF."),
    output: Path = typer.Option(..., "-o", "--output", help="Result: .mp4 (H.264), .webm (VP9) or .gif."),
    start: float = typer.Option(0.0, "--start", help="Seconds into the clip to begin."),
    end: float | None = typer.Option(None, "--end", help="Seconds into the clip to stop (default: its end)."),
    temporal: str = typer.Option(
        "on",
        "--temporal",
        click_type=click.Choice(["on", "off"]),
        help="Stabilise mask and style over time with optical flow (on), or each frame alone.",
    ),
    mask: Path | None = typer.Option(None, "--mask", help="Your own mask, used for every frame."),
    select_at: float | None = typer.Option(
        None,
        "--select-at",
        help="With --box/--point/--add/--remove: seconds into the clip of the frame they point at "
        "(default: the first frame); the selection is followed backwards and forwards from there.",
    ),
    options: Options = None,
    selection=None,
) -> None:
    """Stylize a clip's background, person, or both, without flicker; audio and timing kept."""
    from tqdm import tqdm

    from stylecut.pipeline.session import Session
    from stylecut.pipeline.video import check_times, stylize_video

    check_times(start, end, select_at, names=TIME_FLAGS)  # before any model loads
    status("preparing: loading the models and reading the clip")
    bars = []  # opened at the first frame: a clip refused up front prints only its error line

    def progress(done: int, total: int | None) -> None:
        if not bars:
            bars.append(tqdm(total=total, unit="frame", desc="frames", dynamic_ncols=True))
        bars[0].update(done - bars[0].n)

    try:
        with Session(options) as session:
            s = stylize_video(input, output, session, start=start, end=end, temporal=temporal == "on",
                              mask=selection or mask, select_at=select_at, progress=progress, time_names=TIME_FLAGS)
    finally:
        for bar in bars:
            bar.close()
    if s.warning:
        typer.echo(f"warning: {s.warning}", err=True)
    typer.echo(f"{input} -> {output} ({s.width}x{s.height}, {s.frames} frames at {s.fps:.3g} fps, "
               f"{s.frames / max(s.seconds, 1e-9):.1f} fps processed{', audio kept' if s.audio else ''})")


@app.command()
@guarded
@with_schema(Options, GatysParams, make=stylize_options)
def batch(
    input_dir: str = typer.Argument(
        ..., help="Folder of photos (searched recursively); with --backend ray also a URI."
    ),
    output_dir: str = typer.Option(..., "-o", "--output", help="Folder for the results (sub-folders kept)."),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes (models load once per worker)."),
    skip_existing: bool = typer.Option(False, "--skip-existing", help="Resume: leave finished outputs alone."),
    report: Path | None = typer.Option(None, "--report", help="Write a JSON report of every file."),
    backend: str = typer.Option(
        "local", "--backend", help="local (worker processes) or ray (Ray Data; needs stylecut[ray])."
    ),
    address: str | None = typer.Option(None, "--address", help="Ray cluster address (default: start a local one)."),
    options: Options = None,
) -> None:
    """Stylize every image in a folder tree; bad files are reported and skipped."""
    from stylecut.apps.batch.local import batch as run_batch

    s = run_batch(input_dir, output_dir, options, jobs=jobs, skip_existing=skip_existing, report=report,
                  backend=backend, address=address)
    typer.echo(f"done {s.done}, skipped {s.skipped}, failed {s.failed} in {s.seconds:.1f}s")
    if s.failed:
        raise typer.Exit(1)


@app.command()
@guarded
@with_pointing
@with_schema(PaintOptions, make=lambda values: PaintOptions(**values))
def paint(
    portrait: Path = typer.Argument(..., help="Photo of a person."),
    painting: Path = typer.Argument(..., help="The painting to place them in."),
    output: Path = typer.Option(..., "-o", "--output", help="Result file (.png, .jpg, .webp)."),
    save_cutout: Path | None = typer.Option(None, "--save-cutout", help="Also write the placed person as RGBA."),
    mask: Path | None = typer.Option(None, "--mask", help="Your own mask for the portrait."),
    options: PaintOptions = None,
    selection=None,
) -> None:
    """Cut the person out of a portrait, paint them in the painting's style, and place them in it."""

    from stylecut.core.imageio import check_cutout_path, check_not_input, check_output_path, save_image
    from stylecut.pipeline.into_painting import paint as paint_into

    check_output_path(output)
    if save_cutout is not None:
        check_cutout_path(save_cutout)
    for p in (output, save_cutout):
        if p is not None:
            check_not_input(p, portrait, painting, mask, options.style)
    res = paint_into(portrait, painting, options, mask=selection or mask)
    save_image(res.image, output)
    if save_cutout:
        save_image(res.cutout, save_cutout)
    typer.echo(f"{portrait} into {painting} -> {output} (cut-out at {res.box})")


@app.command("evaluate-masks")
@guarded
def evaluate_masks(
    images_dir: Path = typer.Argument(..., help="Folder of photos."),
    masks_dir: Path = typer.Argument(..., help="Folder of ground-truth masks with the same file names."),
    report: Path | None = typer.Option(None, "--report", help="Write per-image figures as CSV."),
    sheet: Path | None = typer.Option(None, "--sheet", help="Write an overlay sheet of the worst cases."),
    refine: str = _refine_option(),
    recipe: str = typer.Option(
        "default", "--recipe", help="Segmentation steps: naive, flip, tiles, pose, cleanup or default (for ablations)."
    ),
) -> None:
    """Score the segmenter against ground-truth masks: IoU, boundary F, alpha error, time."""
    import numpy as np

    from stylecut.core.imageio import Photo, check_output_folder, check_output_path, save_image
    from stylecut.pipeline.evaluate import evaluate, worst_sheet, write_report
    from stylecut.pipeline.session import compute_alpha
    from stylecut.segmentation import RECIPES, load_models

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
    compute_alpha(Photo(np.zeros((64, 64, 3), np.uint8)), refine, recipe=steps)  # and warm the refinement
    scores, keep = evaluate(images_dir, masks_dir, lambda rgb: compute_alpha(Photo(rgb), refine, recipe=steps), show)
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
        from stylecut.apps.server import serve as run_server
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
    from stylecut.core.config import configure

    code = 0
    try:
        configure()
        app(prog_name="stylecut")
    except StylecutError as exc:  # a setting from the environment that cannot be read
        typer.echo(f"error: {exc}", err=True)
        code = 2
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    main()

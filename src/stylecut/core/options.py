"""Every user-facing option, its default, its choices and its limits, declared once.

The dataclasses below are the schema: the CLI builds its options from them (`cli.py`), the
server builds its forms from them and serves them at `GET /api/options` (the web page renders
its controls from that), and the library validates with them. A field's metadata says:
help, choices (a tuple or a callable reading a registry), lo/hi (inclusive numeric range),
label (the name used in error messages), flags (extra CLI spellings), cli/form (exposed or not),
suggested (what the web page pre-selects where the library default is "nothing"), page_range (the
part of [lo, hi] a slider on the web page spans).
"""
from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, cast

from stylecut.core.errors import StylecutError

# choices owned by the schema (the registries own the engines and segmenters)
REGIONS = ("background", "foreground", "all")
REFINE_METHODS = ("guided", "matting", "none")
NO_PERSON = ("error", "all")
HARMONIZE = ("color", "poisson", "none")
OUTPUT_FORMATS = ("png", "jpeg", "webp")

DEFAULT_STYLE_SIZE = 768  # chosen by eye: brush strokes visible, no upscale blur
DEFAULT_PRESET = "preset:20"  # the demo's style and the web page's first choice
DEFAULT_FG_PRESET = "preset:19"  # the web page's first choice for the person


def option(default: Any, help: str, *, choices: tuple[Any, ...] | Callable[[], tuple[Any, ...]] | None = None,
           lo: float | None = None, hi: float | None = None, label: str | None = None,
           flags: tuple[str, ...] = (), cli: bool = True, form: bool = True, suggested: Any = None,
           page_range: tuple[float, float] | None = None) -> Any:
    """A dataclass field carrying its schema (see the module docstring)."""
    meta = dict(help=help, choices=choices, lo=lo, hi=hi, label=label, flags=flags, cli=cli, form=form,
                suggested=suggested, page_range=page_range)
    return field(default=default, metadata=meta)


def internal(default: Any = None) -> Any:
    """A field that is neither a CLI option nor a form field."""
    return field(default=default, metadata=dict(cli=False, form=False))


def choices_of(f: Field[Any]) -> tuple[Any, ...] | None:
    c = f.metadata.get("choices")
    return cast("tuple[Any, ...] | None", c() if callable(c) else c)


def label_of(f: Field[Any]) -> str:
    return str(f.metadata.get("label") or f.name.replace("_", "-"))


def schema_fields(cls: type, where: str = "cli") -> list[Field[Any]]:
    """The fields of a schema dataclass exposed on the CLI (where='cli') or in forms ('form')."""
    return [f for f in fields(cls) if f.metadata.get(where, False)]


def check_value(f: Field[Any], value: Any) -> Any:
    """One field's value against its choices and numeric range; one clear StylecutError if it is off."""
    if value is None or not f.metadata:
        return value
    allowed = choices_of(f)
    if allowed is not None and value not in allowed:
        raise StylecutError(f"unknown {label_of(f)} {value!r}; use one of: {', '.join(map(str, allowed))}")
    lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
    if lo is None and hi is None:
        return value
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise StylecutError(f"{label_of(f)} must be a number, got {value!r}") from None
    if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        span = f"between {lo:g} and {hi:g}" if hi is not None else f"a finite number >= {lo:g}"
        raise StylecutError(f"{label_of(f)} must be {span}, got {value}")
    return value


def field_of(cls: type, name: str) -> Field[Any]:
    """The schema field `name` of a schema class, e.g. field_of(Options, "refine")."""
    return next(f for f in fields(cls) if f.name == name)


def check_field(cls: type, name: str, value: Any) -> Any:
    """check_value for the field `name` of a schema class, e.g. check_field(Options, "refine", "guided")."""
    return check_value(field_of(cls, name), value)


def validate(obj: Any) -> None:
    """Check every field of a schema dataclass instance (see check_value)."""
    for f in fields(obj):
        check_value(f, getattr(obj, f.name))


def no_style(value: object) -> bool:
    """Whether a style value means no style: None or the text 'none' (any case)."""
    return value is None or (isinstance(value, str) and value.strip().lower() == "none")


def _segmenters() -> tuple[str, ...]:
    from stylecut.core.registry import list_segmenters

    return ("auto", *list_segmenters())


def _engines() -> tuple[str, ...]:
    from stylecut.core.registry import engine_families

    return engine_families()


@dataclass
class GatysParams:
    """The optimisation engine's settings (`--engine gatys`)."""

    iterations: int = option(50, "gatys: objective evaluations at full size (+2/3 as many at half size).",
                             lo=1, hi=10000, page_range=(10, 300))
    size: int = option(512, "gatys: long side of the optimised image (px).", lo=32, hi=2048, page_range=(128, 1024))
    style_weight: float = option(1.0, "gatys: style loss weight.", lo=0)
    # 64: from the fast engine's result, 30 evaluations at weight 1 went 1.3-1.5x further from the photo's
    # content than pastiche's 30 steps; the first power of 4 at or under 1.2x on both tried (docs/gatys.md)
    content_weight: float = option(64.0, "gatys: content loss weight.", lo=0)
    tv_weight: float = option(0.0, "gatys: total-variation weight.", lo=0)
    seed: int = option(0, "gatys: random seed.", lo=0, hi=2**31 - 1)
    device: str = option("auto", "gatys: where torch optimises: auto (a CUDA GPU when there is one), cpu or cuda.",
                         choices=("auto", "cpu", "cuda"), form=False)
    coarse_to_fine: bool = internal(True)
    content_layers: tuple[str, ...] = internal(("block4_relu2",))
    style_layers: tuple[str, ...] = internal(("block1_relu1", "block2_relu1", "block3_relu1", "block4_relu1",
                                              "block5_relu1"))

    def __post_init__(self) -> None:
        validate(self)


@dataclass
class Options:
    """Everything that shapes a stylize request (validated on construction)."""

    style: object = option(None, "A painting's path, preset:N (1-26), preset:3+preset:7, or none.",
                           flags=("-s",), suggested=DEFAULT_PRESET)
    region: str = option("background", "Where the style goes.", choices=REGIONS)
    fg_style: object = option(None, "A second style for the person.", suggested=DEFAULT_FG_PRESET)
    strength: float = option(1.0, "0..1; for paintings it moves between the photo's own style and the painting's.",
                             lo=0, hi=1)
    preserve_color: bool = option(False, "Keep the photo's colours, take the style's texture.")
    blur: float | None = option(None, "Portrait mode: blur the background (sigma in px at 1024 px).",
                                lo=0, hi=200, label="blur sigma", suggested=8.0, page_range=(1, 40))
    refine: str = option("guided", "Mask edge refinement.", choices=REFINE_METHODS, label="refine method")
    style_size: int = option(DEFAULT_STYLE_SIZE, "Long side (px) the style network runs at.", lo=64, hi=4096,
                             label="style size")
    on_no_person: str = option("error", "If no person is found: fail, or stylize everything.", choices=NO_PERSON,
                               label="on-no-person choice")
    engine: str = option("fast", "fast (feed-forward networks) or gatys (optimisation, slow, richest).",
                         choices=_engines)
    segmenter: str = option("auto", "What finds the subject: auto (the person model, or your mask or selection "
                            "when given) or a registered segmenter's name.", choices=_segmenters, form=False)
    gatys: GatysParams | None = internal()  # the engine's settings when engine == "gatys" (defaults if None)

    def __post_init__(self) -> None:
        """Checks values only: style specs are parsed (and files read) by the session (style.spec.layer_styles)."""
        validate(self)
        if no_style(self.style) and no_style(self.fg_style) and self.blur is None:
            raise StylecutError("nothing to do: give a style, a foreground style or a blur")
        if self.engine == "gatys" and self.gatys is None:
            self.gatys = GatysParams()

    @property
    def needs_mask(self) -> bool:
        return self.region != "all" or not no_style(self.fg_style) or self.blur is not None


@dataclass
class PaintOptions:
    """Portrait into painting: where, how big, in which style, blended how."""

    x: int | None = option(None, "Bottom centre of the cut-out, px from the left (default: centre).")
    y: int | None = option(None, "Bottom centre of the cut-out, px from the top (default: bottom edge).")
    height: float = option(0.6, "Cut-out height as a fraction of the painting's.", lo=0.02, hi=3.0,
                           page_range=(0.1, 1.0))
    style: object = option("painting", "'painting' (its own brush work), any style, or none.")
    harmonize: str = option("color", "Blend colours to the painting.", choices=HARMONIZE, label="harmonize mode")
    refine: str = option("guided", "Mask edge refinement.", choices=REFINE_METHODS, label="refine method")

    def __post_init__(self) -> None:
        validate(self)


def with_fields(flds: list[Field[Any]], parameter: Callable[[Field[Any]], inspect.Parameter], inject: str,
                build: Callable[[dict[str, Any]], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A decorator that adds a parameter per schema field to a function's signature (made by
    `parameter`: a CLI option, a form field) and calls it with inject=build({name: value}) instead.

    The CLI and the server build their commands and endpoints from the schema with it; the wrapped
    function may be sync or async."""
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(fn)
        own = [p for p in sig.parameters.values() if p.name != inject]

        def pop(kwargs: dict[str, Any]) -> dict[str, Any]:
            return {inject: build({f.name: kwargs.pop(f.name) for f in flds}), **kwargs}

        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                return await fn(*args, **pop(kwargs))
        else:
            @functools.wraps(fn)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return fn(*args, **pop(kwargs))

        wrapper.__signature__ = sig.replace(parameters=own + [parameter(f) for f in flds])  # type: ignore[attr-defined]
        return wrapper

    return decorate


def defaults_of(cls: type) -> dict[str, Any]:
    """{field: default} for a schema dataclass (form fields only)."""
    return {f.name: (None if f.default is MISSING else f.default) for f in schema_fields(cls, "form")}


def describe(cls: type) -> list[dict[str, Any]]:
    """The schema of one dataclass as JSON-ready dicts (served at GET /api/options)."""
    out = []
    for f in schema_fields(cls, "form"):
        m = f.metadata
        kind = {bool: "bool", int: "int", float: "float"}.get(base_type(f), "str")
        out.append({k: v for k, v in dict(
            name=f.name, type=kind, default=f.default, help=m["help"], choices=choices_of(f),
            min=m.get("lo"), max=m.get("hi"), suggested=m.get("suggested"),
            page_range=m.get("page_range")).items() if v is not None or k == "default"})
    return out


def base_type(f: Field[Any]) -> type:
    """int / float / bool / str for a field's annotation (string annotations included)."""
    t = str(f.type)
    for name, typ in (("bool", bool), ("int", int), ("float", float)):
        if t.startswith(name):
            return typ
    return str

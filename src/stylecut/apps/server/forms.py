"""Form fields and uploads into library values: the schema's fields as Form parameters, uploads read
within the limits (pixel count checked from the header), styles, selections and output formats."""
from __future__ import annotations

import inspect
import io
from collections.abc import Callable
from dataclasses import Field
from typing import Any, Optional

from fastapi import UploadFile
from PIL import Image

from stylecut.apps.server.errors import UploadTooLarge
from stylecut.apps.server.limits import Limits
from stylecut.core.errors import ImageTooLargeError, NotAnImageError, StylecutError
from stylecut.core.formats import MIME_TYPES, SAVE_FORMATS
from stylecut.core.options import GatysParams, Options, base_type, schema_fields, with_fields
from stylecut.core.selection import Selection
from stylecut.style.spec import parse_style

FORMATS = {ext[1:]: (fmt, MIME_TYPES[fmt]) for ext, fmt in SAVE_FORMATS.items()}  # 'jpg' -> ('JPEG', 'image/jpeg')
POINTING_HELP = ("Select the subject by pointing, in the photo's pixels: box x0,y0,x1,y1 and/or points "
                 "[[x, y, 1 (subject) or 0 (not)], ...] in click order; on a person photo, points correct its mask.")


def check_pixels(data: bytes, limits: Limits, what: str) -> None:
    """Reject oversized images from the header alone, before decoding a single pixel."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                w, h = im.size
    except Image.DecompressionBombError:  # Pillow's own header check, far above ours
        raise ImageTooLargeError(f"{what}: over the limit of {limits.max_pixels:,} pixels") from None
    except Exception:
        raise NotAnImageError(f"{what}: not an image (or an unsupported format)") from None
    if w * h > limits.max_pixels:
        raise ImageTooLargeError(f"{what}: {w}x{h} is over the limit of {limits.max_pixels:,} pixels")


async def read_upload(upload: UploadFile | None, limits: Limits, what: str, required: bool = False) -> bytes | None:
    """An uploaded image's bytes (None when absent and optional), within the byte and pixel limits."""
    if upload is None or (not upload.filename and not required):
        if required:
            raise StylecutError(f"{what} is required")
        return None
    data = await upload.read(limits.max_upload_bytes + 1)
    if len(data) > limits.max_upload_bytes:
        raise UploadTooLarge(f"{what} is larger than {limits.max_upload_bytes // (1024 * 1024)} MB")
    if not data:
        if required:
            raise StylecutError(f"{what} is empty")
        return None
    check_pixels(data, limits, what)
    return data


async def required_upload(upload: UploadFile | None, limits: Limits, what: str) -> bytes:
    """read_upload for a file the request cannot go without."""
    data = await read_upload(upload, limits, what, required=True)
    assert data is not None  # read_upload raised otherwise
    return data


def style_value(text: str | None, image: bytes | None, allow_painting: bool = False) -> object:
    """A style from a form: an uploaded image wins; text may only name presets (never a path)."""
    if image is not None:
        return image
    if text is None or text.strip() == "" or text.strip().lower() == "none":
        return None
    t = text.strip()
    if t.lower().startswith("preset:") or (allow_painting and t == "painting"):
        return t
    raise StylecutError("style must be preset:N (1-26), a learned preset:NAME, preset:A+preset:B, none, "
                        "or an uploaded image")


def selection(box: str, points: str) -> Selection | None:
    """A Selection from the form's `box` ("x0,y0,x1,y1") and `points` (JSON [[x, y, 1|0], ...]); None if neither."""
    from stylecut.core.selection import parse_box, parse_points

    sel = Selection(parse_box(box) if box.strip() else None, parse_points(points) if points.strip() else ())
    return sel or None


def _form_param(f: Field[Any]) -> inspect.Parameter:
    """A Form parameter for one schema field: its type, default and help."""
    from fastapi import Form

    return inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY,
                             annotation=Optional[base_type(f)] if f.default is None else base_type(f),
                             default=Form(f.default, description=f.metadata["help"]))


def with_form(*classes: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add every form field of the schema classes as Form parameters; the endpoint gets form={name: value}."""
    return with_fields([f for cls in classes for f in schema_fields(cls, "form")], _form_param, "form", dict)


def split(form: dict[str, Any], cls: type) -> dict[str, Any]:
    """The form's values that belong to one schema class."""
    names = {f.name for f in schema_fields(cls, "form")}
    return {k: v for k, v in form.items() if k in names}


def output_format(fmt: str) -> tuple[str, str]:
    """(PIL format, media type) for a requested output format; a clear error otherwise."""
    if fmt.lower() not in FORMATS:
        raise StylecutError(f"format must be one of: png, jpeg, webp (got {fmt!r})")
    return FORMATS[fmt.lower()]


def encode_as(img: Image.Image, fmt: str) -> tuple[bytes, str]:
    """The image encoded in the requested format, and its media type."""
    from stylecut.core.imageio import encode

    pil_fmt, media = output_format(fmt)
    return encode(img, pil_fmt, quality=92), media


async def stylize_options(form: dict[str, Any], style_image: UploadFile | None, fg_style_image: UploadFile | None,
                          limits: Limits, max_iterations: int, max_size: int, engine: str | None = None) -> Options:
    """Options from a form (uploaded paintings read, bounds of this server applied)."""
    values = split(form, Options)
    if engine is not None:
        values["engine"] = engine
    for name, upload in (("style", style_image), ("fg_style", fg_style_image)):
        value = style_value(values[name], await read_upload(upload, limits, f"{name}_image"))
        # an uploaded painting decoded once here: the job check, the Session and a Gatys warm start take the spec
        values[name] = parse_style(value) if isinstance(value, bytes) else value
    gatys = None
    if values["engine"] == "gatys":
        gatys = GatysParams(**split(form, GatysParams))
        if gatys.iterations > max_iterations or gatys.size > max_size:
            raise StylecutError(f"gatys here is limited to {max_iterations} iterations and {max_size} px")
    opts = Options(**values, gatys=gatys)
    if opts.style_size > limits.max_style_size:
        raise StylecutError(f"style_size here is limited to {limits.max_style_size} px")
    return opts

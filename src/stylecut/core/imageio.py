"""Load images of any common mode (EXIF orientation honoured) and save them atomically."""
from __future__ import annotations

import os
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from stylecut.core.config import settings
from stylecut.core.errors import ImageTooLargeError, NotAnImageError, StylecutError

ImageLike = Union[str, "os.PathLike[str]", Image.Image, np.ndarray, bytes]

from stylecut.core.formats import SAVE_FORMATS  # noqa: E402 (one table for every module)

MIN_SIDE = 16


@dataclass
class Photo:
    """An RGB uint8 image (H, W, 3) plus its alpha channel (H, W) if it had one."""

    rgb: np.ndarray
    alpha: np.ndarray | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), as PIL reports it."""
        return self.rgb.shape[1], self.rgb.shape[0]


def _name(image: object) -> str:
    """How an input is named in an error line: its path, quoted when it is empty or not printable."""
    if not isinstance(image, (str, os.PathLike)):
        return "image"
    text = os.fspath(image)
    return text if text and text.isprintable() else repr(text)


def open_image(image: ImageLike) -> Image.Image:
    """Open (and decode) an image; the pixel limit is checked from the header first."""
    import io

    if isinstance(image, Image.Image):
        return image
    src = io.BytesIO(image) if isinstance(image, bytes) else image
    name = _name(image)
    if isinstance(image, (str, os.PathLike)):
        p = Path(image)
        if not p.exists():
            raise StylecutError(f"file not found: {name}")
        if p.is_dir():
            raise StylecutError(f"expected an image file, got a folder: {name}")
    try:
        with warnings.catch_warnings():  # our own limit below, checked from the header; Pillow's globals untouched
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(src)  # type: ignore[arg-type]  # arrays were taken by to_photo before
        if img.width * img.height > settings.max_pixels:
            img.close()
            raise Image.DecompressionBombError(name)
        img.load()  # decode now, so truncated files fail here and not later
    except Image.DecompressionBombError:
        raise ImageTooLargeError(f"{name}: image too large (over {settings.max_pixels:,} pixels)") from None
    except UnidentifiedImageError:
        raise NotAnImageError(f"{name}: not an image (or an unsupported format)") from None
    except OSError as exc:
        raise NotAnImageError(f"{name}: cannot read image ({exc})") from None
    return img


def _to_uint8(img: Image.Image) -> Image.Image:
    """Bring 16-bit / 32-bit / float greyscale modes to 8-bit 'L'."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        a = np.asarray(img, dtype=np.float64)
        top = 65535.0 if (img.mode.startswith("I;16") or a.max() > 255) else 255.0
        if img.mode == "F" and a.max() <= 1.0:
            top = 1.0
        return Image.fromarray(np.clip(a / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    return img


def to_photo(image: ImageLike) -> Photo:
    """Load a path, bytes, PIL image or numpy array as an upright RGB photo (+ alpha)."""
    if isinstance(image, np.ndarray):
        arr = image
        if arr.dtype != np.uint8:
            if np.issubdtype(arr.dtype, np.floating):
                arr = np.clip(arr * (255.0 if arr.max() <= 1.0 else 1.0) + 0.5, 0, 255).astype(np.uint8)
            elif arr.dtype == np.uint16:
                arr = (arr >> 8).astype(np.uint8)
            else:
                arr = np.clip(arr, 0, 255).astype(np.uint8)
        if arr.ndim == 2:
            arr = np.repeat(arr[:, :, None], 3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (1, 3, 4):
            raise StylecutError(f"array image must be HxW, HxWx3 or HxWx4, got shape {image.shape}")
        if arr.shape[2] == 1:
            arr = np.repeat(arr, 3, axis=2)
        alpha = arr[:, :, 3].copy() if arr.shape[2] == 4 else None
        photo = Photo(np.ascontiguousarray(arr[:, :, :3]), alpha)
    else:
        img = open_image(image)
        try:
            img = ImageOps.exif_transpose(img)
        except Exception:  # broken EXIF blocks should not stop an edit
            pass
        img = _to_uint8(img)
        has_alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
            img.mode == "P" and "transparency" in img.info
        )
        if has_alpha:
            rgba = np.asarray(img.convert("RGBA"))
            photo = Photo(np.ascontiguousarray(rgba[:, :, :3]), rgba[:, :, 3].copy())
        else:
            photo = Photo(np.array(img if img.mode == "RGB" else img.convert("RGB")))  # one copy, writable
    h, w = photo.rgb.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise StylecutError(f"{_name(image)}: image is too small ({w}x{h}); each side needs {MIN_SIDE}px")
    if photo.alpha is not None and photo.alpha.min() == 255:
        photo.alpha = None
    if photo.alpha is not None:  # flatten transparent pixels onto white so networks see sane colours
        a = photo.alpha[:, :, None].astype(np.float32) / 255.0
        photo.rgb = (photo.rgb * a + 255.0 * (1.0 - a) + 0.5).astype(np.uint8)
    return photo


def load_image(image: ImageLike) -> Image.Image:
    """Load any supported input as an upright PIL image (RGB, or RGBA if it has alpha)."""
    photo = to_photo(image)
    return to_pil(photo.rgb, photo.alpha)


def to_pil(rgb: np.ndarray, alpha: np.ndarray | None = None) -> Image.Image:
    """numpy RGB (+ alpha) to a PIL image."""
    if alpha is None:
        return Image.fromarray(rgb, "RGB")
    return Image.fromarray(np.dstack([rgb, alpha]), "RGBA")


def check_output_path(path: str | os.PathLike[str]) -> str:
    """Validate an output path before doing any work; return the PIL format name."""
    p = Path(path)
    fmt = SAVE_FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise StylecutError(
            f"unsupported output extension {p.suffix or '(none)'!r} for {p}; use one of "
            + ", ".join(sorted(SAVE_FORMATS))
        )
    check_output_folder(p)
    return fmt


def check_output_folder(path: str | os.PathLike[str]) -> None:
    """The folder a file will be written to must exist (we never create it silently) and take a file."""
    parent = Path(path).parent
    if not parent.is_dir():
        raise StylecutError(f"output folder does not exist: {parent}")
    check_writable(parent)


def check_writable(folder: str | os.PathLike[str]) -> None:
    """A folder we can create files in, tried before any work (a read-only folder fails now, not at the end)."""
    try:
        with tempfile.TemporaryFile(dir=os.fspath(folder), prefix=".stylecut-probe-"):
            pass
    except OSError as exc:
        raise StylecutError(f"cannot write into {folder}: {exc.strerror or exc}") from None


def check_not_input(output: str | os.PathLike[str], *inputs: object) -> None:
    """Refuse an output that is one of the inputs (it would overwrite the photo)."""
    out = Path(output).resolve()
    for src in inputs:
        if isinstance(src, (str, os.PathLike)) and Path(src).exists() and Path(src).resolve() == out:
            raise StylecutError(f"{output} is also an input; choose another output file")


def check_cutout_path(path: str | os.PathLike[str]) -> str:
    """check_output_path for an RGBA cut-out: JPEG cannot carry its transparency."""
    fmt = check_output_path(path)
    if fmt == "JPEG":
        raise StylecutError(f"{path}: a cut-out needs transparency; use .png or .webp")
    return fmt


def encode(img: Image.Image, fmt: str, quality: int = 95) -> bytes:
    """Encode a PIL image to bytes in PNG, JPEG or WEBP (alpha dropped for JPEG)."""
    import io

    if fmt == "PNG":
        from stylecut.core.png import encode_png

        return encode_png(img)
    buf = io.BytesIO()
    if fmt == "JPEG":
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.save(buf, "JPEG", quality=quality, subsampling=0 if quality >= 90 else 2)
    else:
        img.save(buf, "WEBP", quality=quality)
    return buf.getvalue()


def save_image(img: Image.Image, path: str | os.PathLike[str], quality: int = 95) -> Path:
    """Save atomically: write a temporary file beside the target, then rename it into place."""
    fmt = check_output_path(path)
    data = encode(img, fmt, quality)
    write_atomic(Path(path), data)
    return Path(path)


_umask_lock = threading.Lock()


def normal_mode() -> int:
    """The permissions a plain open() gives a new file: 0666 less the umask (mkstemp's 0600 is not that)."""
    with _umask_lock:  # os.umask can only be read by setting it
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to path so that readers never see a partial file.

    The file gets the permissions a plain open() would give (0666 less the umask), not mkstemp's 0600.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    except OSError as exc:
        raise StylecutError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        os.fchmod(fd, normal_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):  # disk full, a folder where the file should go, ...
            raise StylecutError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise

"""What a batch job is made of, whatever runs it: one file's outcome, the run's summary, where outputs go."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from stylecut.core.errors import StylecutError
from stylecut.core.formats import IMAGE_EXTS, SAVE_FORMATS, VIDEO_EXTS, VIDEO_OUTPUTS
from stylecut.core.imageio import encode


@dataclass
class Item:
    source: str
    output: str
    status: str  # done | skipped | failed
    error: str = ""
    seconds: float = 0.0


def output_done(dst: Path) -> bool:
    """An output that is really there: not empty, and an image by its header (for --skip-existing)."""
    from PIL import Image, UnidentifiedImageError

    try:
        if dst.stat().st_size == 0:
            return False
        if dst.suffix.lower() in VIDEO_OUTPUTS:
            return True  # written atomically: a clip that is there is whole
        with Image.open(dst):
            return True
    except (OSError, UnidentifiedImageError):
        return False


@dataclass
class Summary:
    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    items: list[Item] = field(default_factory=list)

    def add(self, item: Item) -> None:
        self.items.append(item)
        setattr(self, item.status, getattr(self, item.status) + 1)


def output_for(src: PurePath, input_root: PurePath, output_root: PurePath) -> PurePath | None:
    """Where src's result goes, keeping sub-folders; None if src is not a batch input.

    Inputs are image and video files that are not hidden and not already inside the output folder.
    Outputs keep the source's extension when we can write it (.png, .jpg, .jpeg, .webp; .mp4, .webm,
    .gif), else .png for photos and .mp4 for clips.
    """
    suffix = src.suffix.lower()
    if suffix not in IMAGE_EXTS | VIDEO_EXTS or src.name.startswith(".") or output_root in src.parents:
        return None
    if suffix in VIDEO_EXTS:
        ext = src.suffix if suffix in VIDEO_OUTPUTS else ".mp4"
    else:
        ext = src.suffix if suffix in SAVE_FORMATS else ".png"
    return output_root / src.relative_to(input_root).with_suffix(ext)


def is_video(path: str | PurePath) -> bool:
    """A clip (GIFs included: a still GIF is a one-frame clip)."""
    return PurePath(path).suffix.lower() in VIDEO_EXTS


def process_file(src: str, dst: str, session, read: Callable[[str], bytes],
                 write: Callable[[str, bytes], None]) -> Item:
    """Stylize one photo with a Session through read(src) -> bytes and write(dst, bytes); errors: a failed Item."""
    return outcome(src, dst, lambda: write(dst, encode(session.process(read(src), name=src).image,
                                                        SAVE_FORMATS[Path(dst).suffix.lower()])))


def outcome(src: str, dst: str, work: Callable[[], object]) -> Item:
    """Run one file's work: done, or failed with the reason (one broken file must not stop the others)."""
    t = time.perf_counter()
    try:
        work()
        return Item(src, dst, "done", seconds=time.perf_counter() - t)
    except StylecutError as exc:
        return Item(src, dst, "failed", str(exc), time.perf_counter() - t)
    except Exception as exc:
        return Item(src, dst, "failed", f"{type(exc).__name__}: {exc}", time.perf_counter() - t)

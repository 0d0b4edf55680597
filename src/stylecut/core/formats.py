"""Every file format stylecut reads or writes, in one table each (CLI, server, batch and video read here)."""
from __future__ import annotations

IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"})  # photos read
SAVE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}  # photo suffix -> PIL format
MIME_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}  # PIL format -> response type
VIDEO_EXTS = frozenset({".mp4", ".mov", ".mkv", ".webm", ".avi", ".gif", ".m4v"})  # clips read
# clip suffix written -> (container, video codec, audio codec or None)
VIDEO_OUTPUTS = {".mp4": ("mp4", "libx264", "aac"), ".webm": ("webm", "libvpx-vp9", "libopus"),
                 ".gif": ("gif", "gif", None)}

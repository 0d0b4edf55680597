"""`stylecut demo`: the background of the bundled sample portrait, in a built-in style."""
from __future__ import annotations

from pathlib import Path

from stylecut.core.imageio import save_image
from stylecut.core.options import DEFAULT_PRESET, DEFAULT_STYLE_SIZE, Options
from stylecut.ops.filters import resize_max
from stylecut.ops.sheet import make_sheet
from stylecut.pipeline.session import run
from stylecut.runtime.assets import model_path
from stylecut.style import parse_style, stylize


def run_demo(out_dir: Path, style: str = DEFAULT_PRESET) -> tuple[Path, Path]:
    """Write stylecut_demo.png and stylecut_demo_sheet.png into out_dir; return both paths."""
    from stylecut.core.imageio import check_output_path

    result_path, sheet_path = out_dir / "stylecut_demo.png", out_dir / "stylecut_demo_sheet.png"
    check_output_path(result_path)
    result = run(model_path("sample_portrait"), Options(style=style))
    swatch = stylize(
        parse_style(style), resize_max(result.photo.rgb, DEFAULT_STYLE_SIZE)
    )  # the style on the whole frame
    sheet = make_sheet([("input", result.photo.rgb), ("mask", result.mask_image()),
                        (f"style {style}", swatch), ("result", result.image)], height=384)
    save_image(result.image, result_path)
    save_image(sheet, sheet_path)
    return result_path, sheet_path

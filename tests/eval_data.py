"""Where the evaluation set lies: ../shared/eval beside the checkout (tests, golden cases, benchmarks)."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
SEG_IMAGES = sorted((EVAL / "seg" / "images").glob("*.jpg"))
STYLES = EVAL / "styles"
CONTENT = EVAL / "content"

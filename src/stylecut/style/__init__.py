"""Style engines (presets, arbitrary, gatys; see stylecut.registry) and style specifications."""
from __future__ import annotations

from .base import JointEngine, StyleEngine
from .spec import StyleSpec, engine_for, parse_style, stylize

__all__ = ["StyleEngine", "JointEngine", "StyleSpec", "engine_for", "parse_style", "stylize"]

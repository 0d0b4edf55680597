"""Style engines (presets, arbitrary, gatys; see stylecut.core.registry) and style specifications."""
from __future__ import annotations

from stylecut.style.base import JointEngine, StyleEngine
from stylecut.style.spec import StyleSpec, engine_for, parse_style, stylize

__all__ = ["StyleEngine", "JointEngine", "StyleSpec", "engine_for", "parse_style", "stylize"]

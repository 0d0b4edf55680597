"""Style engines (presets, arbitrary, gatys; see stylecut.core.registry) and style specifications."""
from __future__ import annotations

from stylecut.style.base import JointEngine

from stylecut.style.base import StyleEngine
from stylecut.style.spec import StyleSpec
from stylecut.style.spec import engine_for
from stylecut.style.spec import parse_style
from stylecut.style.spec import stylize

__all__ = ["StyleEngine", "JointEngine", "StyleSpec", "engine_for", "parse_style", "stylize"]

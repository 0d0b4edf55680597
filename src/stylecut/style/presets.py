"""The 26 built-in styles (Dumoulin et al.'s conditional instance norm network), blendable."""
from __future__ import annotations

import re

import numpy as np

from ..errors import StylecutError
from ..registry import register_engine
from .onnx_session import session
from .spec import StyleSpec

NUM_PRESETS = 26
PRESETS: tuple[str, ...] = tuple(f"preset:{i}" for i in range(1, NUM_PRESETS + 1))
# names by look (the network's 26 paintings are not documented), chosen from `stylecut styles --sheet`
TITLES: dict[str, str] = dict(zip(PRESETS, (
    "Ice and amber", "Pop stripes", "Charcoal", "Fauve swirl", "Rose pastel", "Dusk", "Cobalt cells",
    "Primary blocks", "Pastel lines", "Teal mosaic", "Terracotta", "Gilded", "Lavender haze", "Absinthe",
    "Frost", "Stained glass", "Blue impasto", "Woven bricks", "Sepia", "Starry swirl", "Crimson", "Cut paper",
    "Slate", "Silver", "Blue engraving", "Byzantine",
)))
_PRESET = re.compile(r"^preset:(\d+)$")


def pad_to(x: np.ndarray, multiple: int) -> tuple[np.ndarray, int, int]:
    """Reflect-pad an (h, w, c) array so both sides are multiples of `multiple`."""
    h, w = x.shape[:2]
    ph, pw = (-h) % multiple, (-w) % multiple
    if ph or pw:
        x = np.pad(x, ((0, ph), (0, pw), (0, 0)), mode="reflect")
    return x, h, w


@register_engine("presets", family="fast", models=("multistyle26",), styles=PRESETS, titles=TITLES,
                 about="26 built-in styles, blendable (preset:3+preset:7)")
class PresetEngine:
    """Stylize with one preset or an equal blend of several (indices 1..26)."""

    joint = False

    @staticmethod
    def parse(text: str) -> StyleSpec | None:
        """'preset:N' or 'preset:A+preset:B' -> a spec; other texts are not ours (None)."""
        parts = [p.strip() for p in text.split("+")]
        if all(p.lower().startswith("preset:") for p in parts):
            idx = []
            for p in parts:
                m = _PRESET.match(p.lower())
                if not m or not 1 <= int(m.group(1)) <= NUM_PRESETS:
                    raise StylecutError(f"unknown preset {p!r}; use preset:1 to preset:{NUM_PRESETS}")
                idx.append(int(m.group(1)))
            return StyleSpec("+".join(f"preset:{i}" for i in idx), presets=tuple(idx))
        if text.lower().startswith("preset"):
            raise StylecutError(f"unknown preset {text!r}; use preset:1 to preset:{NUM_PRESETS}")
        return None

    @staticmethod
    def accepts(spec: StyleSpec) -> bool:
        return bool(spec.presets)

    def prepare(self, spec: StyleSpec, cache=None) -> None:
        session("multistyle26")

    @staticmethod
    def weights(indices: tuple[int, ...]) -> np.ndarray:
        w = np.zeros(NUM_PRESETS, np.float32)
        for i in indices:
            w[i - 1] += 1.0
        return w / w.sum()

    def stylize(self, rgb: np.ndarray, spec: StyleSpec, strength: float = 1.0, cache=None) -> np.ndarray:
        x, h, w = pad_to(rgb.astype(np.float32) * (1.0 / 255.0), 8)
        x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
        out = session("multistyle26").run(None, {"image": x, "style_weights": self.weights(spec.presets)})[0][0]
        out = np.clip(out.transpose(1, 2, 0)[:h, :w], 0.0, 1.0)
        if strength < 1.0:  # this network has no style vector to interpolate: blend pixels
            out = strength * out + (1.0 - strength) * (rgb.astype(np.float32) / 255.0)
        return np.ascontiguousarray(out, dtype=np.float32)

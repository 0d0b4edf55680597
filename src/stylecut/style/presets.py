"""The 26 built-in styles (Dumoulin et al.'s conditional instance norm network), blendable."""
from __future__ import annotations

import re

import numpy as np

from stylecut.core.errors import StylecutError
from stylecut.core.registry import register_engine
from stylecut.runtime.onnx_session import session
from stylecut.style import learned
from stylecut.style.cin_network import LAYERS, tables
from stylecut.style.spec import StyleSpec

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


def _unknown(text: str) -> StylecutError:
    return StylecutError(f"unknown preset {text!r}; use preset:1 to preset:{NUM_PRESETS} or a learned style "
                         "(see `stylecut styles`)")


def _part(text: str) -> int | str:
    """'preset:7' -> 7; 'preset:monet' -> 'monet' when that learned style exists."""
    m = _PRESET.match(text.lower())
    if m and 1 <= int(m.group(1)) <= NUM_PRESETS:
        return int(m.group(1))
    name = text[len("preset:"):].strip()
    if not m and learned.exists(name):
        return name
    raise _unknown(text)


@register_engine("presets", family="fast", models=("multistyle26",), styles=PRESETS, titles=TITLES,
                 about="26 built-in styles and your learned ones, blendable (preset:3+preset:7)")
class PresetEngine:
    """Stylize with one preset (built-in 1..26 or learned by name) or an equal blend of several."""

    joint = False

    @staticmethod
    def parse(text: str) -> StyleSpec | None:
        """'preset:N', 'preset:NAME' or 'preset:A+preset:B' -> a spec; other texts are not ours (None)."""
        parts = [p.strip() for p in text.split("+")]
        if all(p.lower().startswith("preset:") for p in parts):
            idx = tuple(_part(p) for p in parts)
            return StyleSpec("+".join(f"preset:{i}" for i in idx), presets=idx)
        if text.lower().startswith("preset"):
            raise _unknown(text)
        return None

    @staticmethod
    def accepts(spec: StyleSpec) -> bool:
        return bool(spec.presets)

    @staticmethod
    def extra_styles() -> dict[str, str]:
        """The learned styles, listed beside the built-in ones: name -> title."""
        return {f"preset:{n}": f"{n} (learned)" for n in learned.names()}

    def prepare(self, spec: StyleSpec, cache=None) -> None:
        if _builtin(spec.presets):
            session("multistyle26")
        else:
            session("multistyle26", "open_tables")
            style_params(spec.presets)

    def stylize(self, rgb: np.ndarray, spec: StyleSpec, strength: float = 1.0, cache=None) -> np.ndarray:
        if _builtin(spec.presets):  # the plain graph: weights for the 26 rows, no tables to feed
            out = _run(rgb, session("multistyle26"), {"style_weights": _weights(spec.presets)})
        else:
            out = run_network(rgb, *style_params(spec.presets))
        if strength < 1.0:  # this network has no style vector to interpolate: blend pixels
            out = strength * out + (1.0 - strength) * (rgb.astype(np.float32) / 255.0)
        return np.ascontiguousarray(out, dtype=np.float32)


def _builtin(parts: tuple[int | str, ...]) -> bool:
    return all(isinstance(p, int) for p in parts)


def _weights(indices: tuple[int, ...]) -> np.ndarray:
    """An equal blend of built-in presets as the graph's style_weights (26)."""
    w = np.zeros(NUM_PRESETS, np.float32)
    for i in indices:
        w[i - 1] += 1.0
    return w / w.sum()


def _run(rgb: np.ndarray, sess, feed: dict) -> np.ndarray:
    """One pass of the network on an (h, w, 3) uint8 image (padded to 8) -> float32 [0, 1].

    The graph takes the uint8 image and gives (1, h, w, 3) (onnx_session._uint8_hwc_io); its last op is
    a sigmoid, so the result is already in [0, 1]."""
    x, h, w = pad_to(np.asarray(rgb, np.uint8), 8)
    out = sess.run(None, {"image": np.ascontiguousarray(x[None]), **feed})[0][0]
    return np.ascontiguousarray(out[:h, :w], dtype=np.float32)


def run_network(rgb: np.ndarray, gammas: list[np.ndarray], betas: list[np.ndarray]) -> np.ndarray:
    """The network with one style's per-layer scale/shift on an (h, w, 3) uint8 image -> float32 [0, 1]."""
    feed = {"style_weights": np.ones(1, np.float32)}
    for layer, g, b in zip(LAYERS, gammas, betas):
        feed[f"{layer}.norm.gamma"] = np.asarray(g, np.float32)[None]
        feed[f"{layer}.norm.beta"] = np.asarray(b, np.float32)[None]
    return _run(rgb, session("multistyle26", "open_tables"), feed)


def style_params(parts: tuple[int | str, ...]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per-layer (gamma, beta) of an equal blend of built-in (int) and learned (name) styles."""
    t = tables()
    gammas = [np.zeros(t.gamma[layer].shape[1], np.float32) for layer in LAYERS]
    betas = [np.zeros_like(g) for g in gammas]
    for part in parts:
        if isinstance(part, int):
            g, b = [t.gamma[layer][part - 1] for layer in LAYERS], [t.beta[layer][part - 1] for layer in LAYERS]
        else:
            style = learned.load(part)
            g, b = style.gammas, style.betas
        for i in range(len(LAYERS)):
            gammas[i] += g[i] / len(parts)
            betas[i] += b[i] / len(parts)
    return gammas, betas

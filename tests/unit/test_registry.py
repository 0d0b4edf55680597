"""Registries of segmenters and style engines: listing, look-up, errors, and adding one."""
from __future__ import annotations

import numpy as np
import pytest

from stylecut import StylecutError
from stylecut.core.registry import (
    ENGINES,
    Registry,
    engine_families,
    get_engine,
    get_segmenter,
    list_engines,
    list_segmenters,
)
from stylecut.style import StyleSpec, engine_for, parse_style


def test_builtins_are_registered_with_their_models():
    assert list_segmenters() == ("person", "mask-file", "select")
    assert list_engines() == ("presets", "arbitrary", "gatys")
    assert engine_families() == ("fast", "gatys")
    assert ENGINES.entry("presets").models == ("multistyle26",)
    assert len(ENGINES.entry("presets").styles) == 26
    with pytest.raises(StylecutError, match="unknown segmenter 'dog'; use one of: person, mask-file, select"):
        get_segmenter("dog")


def test_styles_pick_their_engine():
    preset = parse_style("preset:3+preset:7")
    painting = parse_style(np.zeros((32, 32, 3), np.uint8))
    assert type(engine_for(preset)).__name__ == "PresetEngine"
    assert type(engine_for(painting)).__name__ == "ArbitraryEngine"
    assert type(engine_for(painting, "gatys")).__name__ == "GatysEngine"
    with pytest.raises(StylecutError, match="needs a painting"):
        engine_for(preset, "gatys")
    assert get_engine("presets").joint is False and get_engine("gatys").joint is True


def test_a_new_engine_is_one_registration():
    """A plug-in engine registered from outside is listed and chosen for the styles it accepts."""
    reg = Registry("style engine")

    @reg.register("flat", family="fast", about="grey")
    class Flat:
        joint = False

        @staticmethod
        def accepts(spec):
            return spec.label == "flat"

    assert reg.entry("flat").about == "grey" and reg.create("flat").joint is False
    with pytest.raises(ValueError, match="already registered"):
        reg.register("flat")(type("Other", (), {}))


def test_mask_file_segmenter_is_trusted_and_snapped():
    seg = get_segmenter("mask-file", np.full((10, 20), 0.99, np.float32))
    rgb = np.zeros((20, 40, 3), np.uint8)
    look = seg.look(rgb)
    alpha = seg.alpha(rgb, look)
    assert seg.found(alpha, look) and alpha.shape == (20, 40) and (alpha == 1.0).all()
    empty = get_segmenter("mask-file", np.zeros((10, 20), np.float32))
    assert empty.found(empty.alpha(rgb, empty.look(rgb)), empty.look(rgb))  # the user's mask: no person check
    assert StyleSpec("x").presets == ()

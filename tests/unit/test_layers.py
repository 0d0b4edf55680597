"""Masks as named soft layers that sum to 1, and composing K layers."""
from __future__ import annotations

import numpy as np

from stylecut.ops.compose import compose_layers
from stylecut.ops.layers import Layers, snap


def test_two_layers_are_one_array_and_its_complement():
    a = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    layers = Layers.of_person(a)
    assert layers.names == ("person", "background")
    assert layers.others("background") is a  # exactly the person, no 1 - (1 - a)
    assert np.array_equal(layers["background"], 1.0 - a) and layers.others("person") is layers["background"]
    small = layers.resized((2, 2))
    assert small.shape == (2, 2) and np.allclose(small["person"] + small["background"], 1.0)


def test_three_layers_sum_to_one_and_compose_by_weight():
    h, w = 8, 12
    person = np.zeros((h, w), np.float32)
    person[:, :4] = 1.0
    dog = np.zeros((h, w), np.float32)
    dog[:, 4:8] = 1.0
    layers = Layers({"person": person, "dog": dog})
    total = sum(layers[n] for n in layers.names)
    assert np.allclose(total, 1.0) and np.array_equal(layers.others("background"), person + dog)
    rgb = np.full((h, w, 3), 128, np.uint8)
    looks = {
        name: np.full((h, w, 3), v, np.float32) for name, v in (("person", 1.0), ("dog", 0.5), ("background", 0.0))
    }
    out = compose_layers(rgb, rgb, layers, looks)
    assert (out[:, :3] == 255).all() and (out[:, 5:7] == 128).all() and (out[:, 9:] == 0).all()


def test_snap():
    assert snap(np.array([0.01, 0.5, 0.99])).tolist() == [0.0, 0.5, 1.0]

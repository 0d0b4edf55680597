"""A binary graph cut on an image with any per-pixel evidence (scipy's max-flow; OpenCV's GrabCut
takes only its own colour models).

The energy is GrabCut's (Rother et al. 2004): a pixel pays its evidence against the side it is put
on, and each pair of 8-neighbours on different sides pays SMOOTHNESS * exp(-beta * colour step^2) /
distance, with beta from the image's mean step, so a cut follows colour edges.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

SMOOTHNESS = 5.0  # per unit of calibrated log-odds (GrabCut's 50 is for GMM log-likelihoods, ~10x larger)
SCALE = 100  # max-flow runs on integers: capacities in 1/SCALE units of log-odds
HARD = 1e4  # evidence of a seed: more than any cut around it could cost


class ImageGraph:
    """The neighbour edges of one image (made once per photo); cut() runs for any evidence."""

    def __init__(self, rgb: np.ndarray):
        h, w = rgb.shape[:2]
        self.shape = (h, w)
        n = h * w
        self.source, self.sink = n, n + 1
        idx = np.arange(n).reshape(h, w)
        lab = rgb.astype(np.float32)
        pairs, steps, lengths = [], [], []
        for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
            a = idx[: h - dy, max(0, -dx): w - max(0, dx)]
            b = idx[dy:, max(0, dx): w - max(0, -dx)]
            diff = lab.reshape(n, 3)[a.ravel()] - lab.reshape(n, 3)[b.ravel()]
            pairs.append((a.ravel(), b.ravel()))
            steps.append((diff ** 2).sum(1))
            lengths.append(np.full(a.size, np.hypot(dy, dx), np.float32))
        step = np.concatenate(steps)
        beta = 1.0 / (2 * step.mean() + 1e-6)
        weight = SMOOTHNESS * np.exp(-beta * step) / np.concatenate(lengths)
        a = np.concatenate([p[0] for p in pairs])
        b = np.concatenate([p[1] for p in pairs])
        cap = np.maximum(1, np.round(weight * SCALE)).astype(np.int32)
        everyone = np.arange(n)
        rows = np.concatenate([a, b, np.full(n, self.source), everyone])
        cols = np.concatenate([b, a, everyone, np.full(n, self.sink)])
        data = np.concatenate([cap, cap, np.zeros(2 * n, np.int32)])
        order = np.arange(len(rows), dtype=np.int64)
        # where each entry lands in the CSR arrays, so each cut only writes the terminal capacities
        where = sp.csr_matrix((order + 1, (rows, cols)), shape=(n + 2, n + 2))
        self.graph = sp.csr_matrix((data, (rows, cols)), shape=(n + 2, n + 2))
        place = np.empty(len(rows), np.int64)
        place[where.data - 1] = np.arange(len(rows))
        self.terminal = place[2 * len(a):]  # CSR positions of source->i (n) then i->sink (n)

    def cut(self, evidence: np.ndarray, fg: np.ndarray | None = None, bg: np.ndarray | None = None) -> np.ndarray:
        """Object pixels (bool): evidence is the log-odds of object per pixel; fg/bg are hard seeds."""
        e = evidence.astype(np.float32).copy()
        if fg is not None:
            e[fg] = HARD
        if bg is not None:
            e[bg] = -HARD
        units = np.round(np.clip(e, -HARD, HARD) * SCALE).astype(np.int32).ravel()
        graph = self.graph.copy()
        graph.data[self.terminal] = np.concatenate([np.maximum(units, 0), np.maximum(-units, 0)])
        flow = maximum_flow(graph, self.source, self.sink, method="dinic").flow
        residual = graph - flow
        residual.data = np.maximum(residual.data, 0)
        residual.eliminate_zeros()
        reached = breadth_first_order(residual, self.source, directed=True, return_predecessors=False)
        out = np.zeros(self.source + 2, bool)
        out[reached] = True
        return out[: self.source].reshape(self.shape)

"""Load test: N requests at 1024 px, C at a time, against one `stylecut serve` process on loopback.

    .venv/bin/python benchmarks/bench_server.py [--requests 200] [--concurrency 8]

Reports errors, p50/p95 latency and the server's resident memory after the first 20 requests
and after all of them (target: within 15 %).
"""
from __future__ import annotations

import argparse
import io
import socket
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import Image

from common import BIN, CONTENT, SEG_IMAGES


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--distinct", action="store_true",
                    help="every request a photo the server has not seen (no cache hits), then a burst of 30 at once")
    args = ap.parse_args()
    photos = []
    for p in CONTENT + SEG_IMAGES[:5]:
        im = Image.open(p).convert("RGB")
        s = 1024 / max(im.size)
        im = im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS)
        variants = range(args.requests // 8 + 1) if args.distinct else range(1)
        for k in variants:  # distinct content: a few rows cropped off per variant
            buf = io.BytesIO()
            im.crop((0, k, im.width, im.height)).save(buf, "JPEG", quality=92)
            photos.append(buf.getvalue())
    styles = [f"preset:{i}" for i in (3, 7, 12, 17, 20)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(BIN / "stylecut"), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = httpx.Client(base_url=base, timeout=300, limits=httpx.Limits(max_connections=args.concurrency))

        def one(i: int) -> tuple[int, float]:
            t = time.perf_counter()
            r = client.post("/api/stylize", data={"style": styles[i % len(styles)], "format": "jpeg"},
                            files={"image": ("p.jpg", photos[i % len(photos)])})
            return r.status_code, time.perf_counter() - t

        results = []
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results += list(pool.map(one, range(20)))
            after_20 = rss_mb(server.pid)
            results += list(pool.map(one, range(20, args.requests)))
        wall = time.perf_counter() - t0
        after_all = rss_mb(server.pid)
        if args.distinct:  # a burst: 30 at once against the server's 2 workers and queue of 32
            with ThreadPoolExecutor(30) as burst:
                codes = [c for c, _ in burst.map(one, range(args.requests, args.requests + 30))]
            time.sleep(2)
            print(
                f"burst of 30: {codes.count(200)} x 200, {codes.count(503)} x 503, "
                f"other {len(codes) - codes.count(200) - codes.count(503)}; "
                f"RSS {after_all:.0f} -> {rss_mb(server.pid):.0f} MB "
                f"({(rss_mb(server.pid) / after_all - 1) * 100:+.1f} %)"
            )
    finally:
        server.terminate()
        server.wait(10)
    lat = sorted(t for _, t in results)
    errors = sum(1 for code, _ in results if code != 200)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print(f"requests {len(results)}, concurrency {args.concurrency}, errors {errors}, wall {wall:.1f} s "
          f"({len(results) / wall:.2f} req/s)")
    print(f"latency p50 {p(0.50):.2f} s, p95 {p(0.95):.2f} s, median {statistics.median(lat):.2f} s")
    print(f"server RSS after 20: {after_20:.0f} MB, after {len(results)}: {after_all:.0f} MB "
          f"({(after_all / after_20 - 1) * 100:+.1f} %; target within 15 %)")


if __name__ == "__main__":
    main()

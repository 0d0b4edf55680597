"""The batch job on a Ray cluster: Ray Data map_batches, models loaded once per actor.

Optional: `pip install "stylecut[ray]"`. Folders may be local paths or any URI that pyarrow's
filesystems open (s3://, gs://, hdfs://, ...), as Ray Data itself reads them.
"""
from __future__ import annotations

import time
from pathlib import PurePosixPath

import numpy as np

from stylecut.apps.batch.plan import Item, Summary, is_video, output_for, process_file
from stylecut.core.errors import StylecutError
from stylecut.core.options import Options


def _fs(uri: str):
    import os

    import pyarrow.fs as pafs

    if "://" not in uri:
        uri = os.path.abspath(uri)
    try:
        return pafs.FileSystem.from_uri(uri)
    except Exception as exc:
        raise StylecutError(f"cannot open {uri}: {exc}") from None


def plan_uri(input_uri: str, output_uri: str, skip_existing: bool) -> tuple[list[dict], list[Item]]:
    """Rows to process ({src, dst}) and the outputs skipped because they exist."""
    import pyarrow.fs as pafs

    in_fs, in_root = _fs(input_uri)
    out_fs, out_root = _fs(output_uri)
    if in_fs.get_file_info(in_root).type != pafs.FileType.Directory:
        raise StylecutError(f"not a folder: {input_uri}")
    rows, skipped = [], []
    infos = in_fs.get_file_info(pafs.FileSelector(in_root, recursive=True))
    for info in sorted(infos, key=lambda i: i.path):
        out = output_for(PurePosixPath(info.path), PurePosixPath(in_root), PurePosixPath(out_root)) \
            if info.type == pafs.FileType.File else None
        if out is None:
            continue
        dst = str(out)
        if skip_existing and out_fs.get_file_info(dst).type == pafs.FileType.File:
            skipped.append(Item(info.path, dst, "skipped"))
        else:
            rows.append({"src": info.path, "dst": dst})
    return rows, skipped


class RayStylizer:
    """A Ray Data actor: loads the models once, then stylizes one batch of rows at a time."""

    def __init__(self, options: Options, input_uri: str, output_uri: str):
        from stylecut.core.config import configure
        from stylecut.pipeline.session import Session

        configure()
        self.session = Session(options).prepare()  # models and style vectors load once per actor
        self.in_fs, _ = _fs(input_uri)
        self.out_fs, _ = _fs(output_uri)

    def _read(self, path: str) -> bytes:
        with self.in_fs.open_input_stream(path) as fh:
            return fh.read()

    def _write(self, path: str, data: bytes) -> None:
        parent = str(PurePosixPath(path).parent)
        self.out_fs.create_dir(parent, recursive=True)
        tmp = f"{parent}/.{PurePosixPath(path).name}.part"
        with self.out_fs.open_output_stream(tmp) as fh:
            fh.write(data)
        self.out_fs.move(tmp, path)  # readers never see a half-written file

    def _segment(self, src: str, part: str, warm: int, start: int, end: int) -> Item:
        from stylecut.apps.batch.plan import outcome
        from stylecut.pipeline.video_segments import Segment, render

        return outcome(src, part, lambda: render(src, Segment(0, warm, start, end), self.session, part))

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        items = []
        for i, (s, d) in enumerate(zip(batch["src"], batch["dst"])):
            s, d = str(s), str(d)
            if str(batch["part"][i]):
                items.append(self._segment(s, str(batch["part"][i]), int(batch["warm"][i]), int(batch["start"][i]),
                                           int(batch["end"][i])))
            elif is_video(s):
                items.append(Item(s, d, "failed", "with --backend ray, clips must be in a local folder"))
            else:
                items.append(process_file(s, d, self.session, self._read, self._write))
        return {k: np.array([getattr(i, k) for i in items]) for k in ("source", "output", "status", "error", "seconds")}


def split_clips(
    rows: list[dict], input_uri: str, workers: int, min_segment: int | None = None
) -> tuple[list[dict], dict]:
    """Rows with every local clip replaced by its segments; clips: dst -> (src, parts folder, part paths)."""
    import tempfile

    from stylecut.pipeline.video_segments import MIN_SEGMENT, frame_count, plan

    out, clips = [], {}
    for row in rows:
        row = {**row, "part": "", "warm": -1, "start": -1, "end": -1}
        if not is_video(row["src"]) or "://" in input_uri:
            out.append(row)
            continue
        try:
            segments = plan(frame_count(row["src"]), workers, min_segment or MIN_SEGMENT)
        except StylecutError as exc:
            clips[row["dst"]] = (row["src"], None, [], str(exc))
            continue
        from pathlib import Path

        Path(row["dst"]).parent.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix=".stylecut-parts-", dir=str(Path(row["dst"]).parent))
        parts = [f"{folder}/{seg.index:04d}.mkv" for seg in segments]
        clips[row["dst"]] = (row["src"], folder, parts, "")
        out += [
            {**row, "part": p, "warm": seg.warm, "start": seg.start, "end": seg.end} for seg, p in zip(segments, parts)
        ]
    return out, clips


def join_clips(clips: dict, results: list[Item]) -> list[Item]:
    """One Item per clip: its segments joined (with audio) when all were rendered, else the first error."""
    import shutil
    from pathlib import Path

    from stylecut.apps.batch.plan import outcome
    from stylecut.pipeline.video_segments import join

    by_part = {r.output: r for r in results}
    items = []
    for dst, (src, folder, parts, error) in clips.items():
        bad = [by_part.get(p) for p in parts if p not in by_part or by_part[p].status != "done"]
        if error or bad:
            items.append(Item(src, dst, "failed", error or (bad[0] and bad[0].error) or "a segment did not finish"))
        else:
            items.append(
                outcome(src, dst, lambda src=src, dst=dst, parts=parts: join(src, [Path(p) for p in parts], Path(dst)))
            )
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return items


def ray_batch(input_uri: str, output_uri: str, options: Options, jobs: int, skip_existing: bool,
              address: str | None, min_segment: int | None = None) -> Summary:
    """Run the batch on Ray (a local instance unless address is given)."""
    try:
        import ray
    except ImportError:
        raise StylecutError('the ray backend needs Ray: pip install "stylecut[ray]"') from None
    start = time.perf_counter()
    rows, skipped = plan_uri(input_uri, output_uri, skip_existing)
    summary = Summary()
    for item in skipped:
        summary.add(item)
    rows, clips = split_clips(rows, input_uri, jobs, min_segment)
    results: list = []
    if rows:
        out_fs, out_root = _fs(output_uri)
        out_fs.create_dir(out_root, recursive=True)
        started_here = not ray.is_initialized()
        ray.init(address=address, ignore_reinit_error=True, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
        try:
            ds = ray.data.from_items(rows, override_num_blocks=min(len(rows), max(1, jobs) * 4))
            results = ds.map_batches(RayStylizer, fn_constructor_args=(options, input_uri, output_uri),
                                     batch_size=1, concurrency=jobs, num_cpus=1).take_all()
        finally:
            if started_here:
                ray.shutdown()  # a local instance we started must not outlive the command
    items = [Item(str(r["source"]), str(r["output"]), str(r["status"]), str(r["error"]), float(r["seconds"]))
             for r in results]
    parts = {p for _, _, ps, _ in clips.values() for p in ps}
    for item in [i for i in items if i.output not in parts] + join_clips(clips, items):
        summary.add(item)
    summary.seconds = time.perf_counter() - start
    return summary

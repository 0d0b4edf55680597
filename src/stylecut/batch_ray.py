"""The batch job on a Ray cluster: Ray Data map_batches, models loaded once per actor.

Optional: `pip install "stylecut[ray]"`. Folders may be local paths or any URI that pyarrow's
filesystems open (s3://, gs://, hdfs://, ...), as Ray Data itself reads them.
"""
from __future__ import annotations

import time
from pathlib import PurePosixPath

import numpy as np

from .errors import StylecutError
from .jobs import Item, Summary, is_video, output_for, process_file
from .options import Options


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
        from .config import configure
        from .session import Session

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

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        items = [Item(str(s), str(d), "failed", "clips run with the local backend (Ray segments are not built yet)")
                 if is_video(str(s)) else process_file(str(s), str(d), self.session, self._read, self._write)
                 for s, d in zip(batch["src"], batch["dst"])]
        return {k: np.array([getattr(i, k) for i in items]) for k in ("source", "output", "status", "error", "seconds")}


def ray_batch(input_uri: str, output_uri: str, options: Options, jobs: int, skip_existing: bool,
              address: str | None) -> Summary:
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
        for r in results:
            summary.add(Item(str(r["source"]), str(r["output"]), str(r["status"]), str(r["error"]), float(r["seconds"])))
    summary.seconds = time.perf_counter() - start
    return summary

"""Batch over a folder tree: nested folders, a corrupt file, resume, report, worker processes."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from ..conftest import CONTENT, assert_same_picture, run_cli


@pytest.fixture()
def tree(tmp_path, portrait_small):
    src = tmp_path / "in"
    (src / "a" / "b").mkdir(parents=True)
    shutil.copy(portrait_small, src / "one.jpg")
    Image.open(portrait_small).save(src / "a" / "two.png")
    Image.open(CONTENT / "astronaut_eileen_collins.png").resize((256, 256)).save(src / "a" / "b" / "three.webp")
    (src / "a" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (src / "notes.txt").write_text("ignored: not an image")
    return src


def test_batch_tree_failures_report_and_resume(tree, tmp_path):
    out, rep = tmp_path / "out", tmp_path / "report.json"
    p = run_cli("batch", tree, "-o", out, "--style", "preset:5", "--report", rep)
    assert p.returncode == 1  # one file failed
    assert "done 3, skipped 0, failed 1" in p.stdout
    assert "broken.jpg" in p.stderr and "Traceback" not in p.stderr
    for rel, size in [("one.jpg", (300, 400)), ("a/two.png", (300, 400)), ("a/b/three.webp", (256, 256))]:
        assert Image.open(out / rel).size == size
    assert not (out / "a" / "broken.jpg").exists()
    assert not list(out.rglob("*.part"))  # no temporary files left behind
    report = json.loads(rep.read_text())
    assert (report["done"], report["failed"]) == (3, 1)
    assert {i["status"] for i in report["items"]} == {"done", "failed"}
    # resume: finished files are skipped, the broken one is tried (and fails) again
    before = (out / "one.jpg").stat().st_mtime_ns
    p2 = run_cli("batch", tree, "-o", out, "--style", "preset:5", "--skip-existing")
    assert "done 0, skipped 3, failed 1" in p2.stdout
    assert (out / "one.jpg").stat().st_mtime_ns == before


def test_batch_two_workers_same_as_one(tree, tmp_path):
    (tree / "a" / "broken.jpg").unlink()
    one, two = tmp_path / "o1", tmp_path / "o2"
    assert run_cli("batch", tree, "-o", one, "--style", "preset:9").returncode == 0
    p = run_cli("batch", tree, "-o", two, "--style", "preset:9", "--jobs", "2")
    assert p.returncode == 0, p.stderr
    for f in one.rglob("*.*"):
        a = np.asarray(Image.open(f), np.int16)
        b = np.asarray(Image.open(two / f.relative_to(one)), np.int16)
        assert np.abs(a - b).max() <= 2  # same result (thread count may change float rounding)


def test_batch_bad_arguments(tmp_path):
    p = run_cli("batch", tmp_path / "missing", "-o", tmp_path / "out", "--style", "preset:5")
    assert p.returncode != 0 and "not a folder" in p.stderr
    p = run_cli("batch", tmp_path, "-o", tmp_path / "out", "--style", "preset:99")
    assert p.returncode != 0 and "unknown preset" in p.stderr


@pytest.mark.ray
@pytest.mark.slow
def test_ray_backend_matches_local(tree, tmp_path):
    """A local Ray instance (started by the command) gives the same files as the local backend."""
    import subprocess

    local, on_ray, rep = tmp_path / "local", tmp_path / "ray", tmp_path / "ray.json"
    assert run_cli("batch", tree, "-o", local, "--style", "preset:9").returncode == 1
    p = run_cli("batch", tree, "-o", on_ray, "--style", "preset:9", "--backend", "ray", "--jobs", "2",
                "--report", rep, timeout=600)
    assert p.returncode == 1, p.stderr  # the broken file fails there too
    assert "done 3, skipped 0, failed 1" in p.stdout
    report = json.loads(rep.read_text())
    assert [i["source"].endswith("broken.jpg") for i in report["items"] if i["status"] == "failed"] == [True]
    files = sorted(f.relative_to(local) for f in local.rglob("*.*"))
    assert files == sorted(f.relative_to(on_ray) for f in on_ray.rglob("*.*"))
    for rel in files:
        assert_same_picture(np.asarray(Image.open(local / rel)), np.asarray(Image.open(on_ray / rel)))
    # resume on Ray too
    p2 = run_cli("batch", tree, "-o", on_ray, "--style", "preset:9", "--backend", "ray", "--skip-existing", timeout=600)
    assert "skipped 3" in p2.stdout
    left = subprocess.run(["pgrep", "-f", "raylet"], capture_output=True, text=True).stdout.strip()
    assert left == "", "the local Ray instance outlived the command"



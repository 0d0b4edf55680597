"""Bad input and interruptions from the command line: one clear line, no half files, the rest goes on."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

from PIL import Image

from ..conftest import CONTENT, STYLECUT, assert_one_line_error, run_cli


def test_output_that_is_the_input_is_refused(portrait_small, tmp_path):
    photo = tmp_path / "p.jpg"
    shutil.copy(portrait_small, photo)
    before = photo.read_bytes()
    assert_one_line_error(run_cli("stylize", photo, "-o", photo, "--style", "preset:3"), "also an input")
    assert_one_line_error(run_cli("mask", photo, "-o", photo), "also an input")
    assert photo.read_bytes() == before


def test_batch_refuses_its_own_folder_and_an_unwritable_one(portrait_small, tmp_path):
    shutil.copy(portrait_small, tmp_path / "a.jpg")
    assert_one_line_error(
        run_cli("batch", tmp_path, "-o", tmp_path, "--style", "preset:3"), "output folder is the input"
    )
    t = time.perf_counter()
    assert_one_line_error(
        run_cli("batch", tmp_path, "-o", "/proc/stylecut-out", "--style", "preset:3"), "output folder"
    )
    assert_one_line_error(
        run_cli("stylize", portrait_small, "-o", "/proc/out.png", "--style", "preset:3"), "cannot write"
    )
    assert time.perf_counter() - t < 20  # refused up front, not after the work


def test_batch_reports_links_per_file_and_skips_only_real_outputs(portrait_small, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(portrait_small, src / "a.jpg")
    shutil.copy(portrait_small, src / "b.jpg")
    outside = tmp_path / "outside.jpg"
    shutil.copy(portrait_small, outside)
    (src / "link_out.jpg").symlink_to(outside)
    (src / "broken.jpg").symlink_to(tmp_path / "nowhere.jpg")
    (src / "link_in.jpg").symlink_to(src / "a.jpg")
    out.mkdir()
    (out / "b.jpg").write_bytes(b"")  # an empty output left by something else: not finished
    p = run_cli("batch", src, "-o", out, "--style", "preset:3", "--skip-existing", "--report", tmp_path / "r.json")
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    status = {os.path.basename(i["source"]): (i["status"], i["error"]) for i in report["items"]}
    assert status["link_out.jpg"] == ("failed", "a link to a file outside the input folder")
    assert status["broken.jpg"] == ("failed", "a link that leads nowhere")
    assert status["a.jpg"][0] == status["b.jpg"][0] == status["link_in.jpg"][0] == "done"
    assert Image.open(out / "b.jpg").size == (300, 400)


def test_ctrl_c_in_a_batch_leaves_no_part_files_and_resumes(portrait_small, tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for i in range(10):
        Image.open(CONTENT / "blonde_girl.jpg").convert("RGB").resize((480 + i, 640), Image.LANCZOS).save(
            src / f"{i}.jpg"
        )
    cmd = [
        str(STYLECUT),
        "batch",
        str(src),
        "-o",
        str(out),
        "--style",
        "preset:3",
        "--report",
        str(tmp_path / "r.json"),
    ]
    # Ctrl-C as in a terminal: the default disposition, even if this test process inherited SIGINT ignored
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("*.jpg"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    assert not [p for p in out.rglob("*") if p.name.endswith(".part") or p.name.startswith(".")]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["interrupted"] and report["done"] >= 2
    done_before = len(list(out.glob("*.jpg")))
    assert done_before < 10
    p = run_cli("batch", src, "-o", out, "--style", "preset:3", "--skip-existing")
    assert p.returncode == 0 and f"skipped {done_before}" in p.stdout, p.stdout
    assert len(list(out.glob("*.jpg"))) == 10


def test_degenerate_shapes_cost_what_their_pixels_cost():
    """A 20000x16 strip used to take ~25 s (800 square tiles); now it is bounded by its pixel count."""
    import numpy as np

    from stylecut.core.imageio import Photo
    from stylecut.pipeline.session import compute_alpha

    def seconds(h, w):
        rgb = np.full((h, w, 3), 90, np.uint8)
        compute_alpha(Photo(rgb))  # warm
        t = time.perf_counter()
        compute_alpha(Photo(rgb))
        return time.perf_counter() - t

    square = seconds(1000, 1000)
    for h, w in ((16, 20000), (50, 20000), (20000, 50)):
        assert seconds(h, w) < 3 * square + 0.1, (h, w)


def test_paintings_are_not_people_and_people_are():
    """The false-person check: people-free paintings (5 of 7 were 'people' before) against photos of people."""
    from stylecut.core.imageio import to_photo
    from stylecut.pipeline.session import segment_photo

    from ..conftest import SEG_IMAGES, STYLES

    free = [
        STYLES / f"{n}.jpg"
        for n in (
            "hokusai_great_wave",
            "kandinsky_composition_vii",
            "monet_charing_cross_bridge",
            "monet_san_giorgio_maggiore_at_dusk",
            "picabia_udnie",
            "vangogh_bedroom_in_arles",
            "vangogh_starry_night",
        )
    ]
    assert not [p.name for p in free if segment_photo(to_photo(p))[1]]
    assert not [p.name for p in SEG_IMAGES + sorted(CONTENT.glob("*")) if not segment_photo(to_photo(p))[1]]
    p = run_cli("stylize", STYLES / "vangogh_starry_night.jpg", "-o", "/tmp/stylecut-starry.png", "--style", "preset:3")
    assert_one_line_error(p, "no person found")

"""Which files a batch takes and where their results go (no model runs)."""
from __future__ import annotations


def test_which_files_are_inputs_and_where_they_go():
    from pathlib import PurePosixPath as P

    from stylecut.apps.batch.local import output_for

    assert output_for(P("/in/a/b.tif"), P("/in"), P("/out")) == P("/out/a/b.png")  # unwritable ext -> .png
    assert output_for(P("/in/a/b.JPG"), P("/in"), P("/out")) == P("/out/a/b.JPG")
    assert output_for(P("/in/.hidden.jpg"), P("/in"), P("/out")) is None
    assert output_for(P("/in/notes.txt"), P("/in"), P("/out")) is None
    assert output_for(P("/in/out/done.jpg"), P("/in"), P("/in/out")) is None  # output folder inside the input
    assert output_for(P("/in/outside/x.jpg"), P("/in"), P("/in/out")) == P(
        "/in/out/outside/x.jpg"
    )  # not a prefix match


def test_join_clips_reports_missing_or_failed_segments(tmp_path):
    """A clip whose segment failed, or never came back, is one failed item (and its parts folder goes)."""
    from stylecut.apps.batch.on_ray import join_clips
    from stylecut.apps.batch.plan import Item

    folder = tmp_path / "parts"
    folder.mkdir()
    clips = {"out/a.mp4": ("in/a.mp4", str(folder), ["p0", "p1"], ""),
             "out/b.mp4": ("in/b.mp4", None, ["q0"], "")}
    results = [Item("in/a.mp4", "p0", "done"), Item("in/a.mp4", "p1", "failed", "damaged frame")]
    items = {i.output: i for i in join_clips(clips, results)}
    assert items["out/a.mp4"].status == "failed" and items["out/a.mp4"].error == "damaged frame"
    assert items["out/b.mp4"].status == "failed" and items["out/b.mp4"].error == "a segment did not finish"
    assert not folder.exists()


def test_an_interrupted_batch_counts_what_it_wrote_but_had_not_recorded(tmp_path):
    """Ctrl-C between a file's write and its count: the report still says that file is done (CI race)."""
    import os
    import time

    from PIL import Image

    from stylecut.apps.batch.local import _count_written
    from stylecut.apps.batch.plan import Item, Summary

    since = time.time()
    pairs = [(tmp_path / f"{i}.jpg", tmp_path / "out" / f"{i}.png") for i in range(4)]
    (tmp_path / "out").mkdir()
    for _, dst in pairs[:3]:
        Image.new("RGB", (4, 4)).save(dst)
    os.utime(pairs[2][1], (since - 3600, since - 3600))  # an earlier run's output: not this run's work
    summary = Summary()
    summary.add(Item(str(pairs[0][0]), str(pairs[0][1]), "done"))  # already counted
    _count_written(pairs, summary, since)
    assert summary.done == 2 and [i.output for i in summary.items] == [str(pairs[0][1]), str(pairs[1][1])]

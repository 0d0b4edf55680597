"""Which files a batch takes and where their results go (no model runs)."""
from __future__ import annotations


def test_which_files_are_inputs_and_where_they_go():
    from pathlib import PurePosixPath as P

    from stylecut.batch import output_for

    assert output_for(P("/in/a/b.tif"), P("/in"), P("/out")) == P("/out/a/b.png")  # unwritable ext -> .png
    assert output_for(P("/in/a/b.JPG"), P("/in"), P("/out")) == P("/out/a/b.JPG")
    assert output_for(P("/in/.hidden.jpg"), P("/in"), P("/out")) is None
    assert output_for(P("/in/notes.txt"), P("/in"), P("/out")) is None
    assert output_for(P("/in/out/done.jpg"), P("/in"), P("/in/out")) is None  # output folder inside the input
    assert output_for(P("/in/outside/x.jpg"), P("/in"), P("/in/out")) == P("/in/out/outside/x.jpg")  # not a prefix match

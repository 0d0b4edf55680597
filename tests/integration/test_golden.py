"""Outputs of the public API equal the references recorded before the redesign (issue #11), within 1 level.

References: tests/integration/golden/*.png, written by `golden_cases.py` from the code as it was before the
options schema, the registries and the Session (public-domain inputs only). On the 13 eval photos the
same cases were compared once (not committed: third-party photos): all 183 outputs bit-identical.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .golden_cases import astronaut, cases, gatys_case

GOLDEN = Path(__file__).parent / "golden"
PHOTO = astronaut()
CASES = dict(cases(PHOTO))


def _assert_same(image: Image.Image, name: str) -> None:
    ref = np.asarray(Image.open(GOLDEN / f"{name}.png")).astype(np.int16)
    out = np.asarray(image).astype(np.int16)
    assert out.shape == ref.shape, name
    assert np.abs(out - ref).max() <= 1, f"{name}: differs from the reference by {np.abs(out - ref).max()} levels"


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_path_matches_reference(name):
    _assert_same(CASES[name](), name)


@pytest.mark.gatys
def test_gatys_matches_reference():
    pytest.importorskip("torch")
    _assert_same(gatys_case(PHOTO), "gatys")

"""Fuzzing: schemathesis against the running server's own OpenAPI schema, hypothesis for the parsers and the loader.

Invariants: no 5xx, every error body is {"error": ...}, no traceback, no half-written file, the server still
healthy. Bounded: a few dozen examples per operation, loopback only.
"""
from __future__ import annotations

import io
from collections import Counter

import httpx
import numpy as np
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from stylecut import StylecutError
from stylecut.core.imageio import to_photo
from stylecut.core.options import GatysParams, Options, PaintOptions
from stylecut.style import parse_style

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                derandomize=True)  # the same examples on every run: CI stays reproducible


def test_api_never_fails_inside(live_server):
    """Every operation of the server's own schema, with generated (valid and invalid) inputs."""
    schema = schemathesis.openapi.from_url(live_server + "/openapi.json")
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def one(case):
            response = case.call(base_url=live_server, timeout=120)
            seen.append((operation.label, response.status_code))
            assert response.status_code < 500 or response.status_code == 503, (operation.label, response.status_code,
                                                                                  response.text[:300])
            if response.status_code >= 400:
                body = response.json()
                assert list(body) == ["error"] and isinstance(body["error"], str), body
                assert "Traceback" not in body["error"]

        one()
    labels = {label for label, _ in seen}
    assert {"POST /api/stylize", "POST /api/mask", "POST /api/paint", "GET /api/options"} <= labels, labels
    assert len(seen) >= 50
    print("fuzzed", len(seen), "requests:", sorted(Counter(code for _, code in seen).items()))


def test_jobs_api_never_fails_inside(live_server):
    """Issue #28: POST /api/jobs with generated fields (NaN, negative or reversed times, odd points, wrong
    kinds and files): every answer a JSON 4xx or a 202, never a 5xx or a traceback."""
    schema = schemathesis.openapi.from_url(live_server + "/openapi.json")
    operation = schema["/api/jobs"]["POST"]
    codes: list[int] = []

    @settings(FUZZ, max_examples=60)
    @given(case=operation.as_strategy())
    def one(case):
        response = case.call(base_url=live_server, timeout=120)
        codes.append(response.status_code)
        assert response.status_code < 500 or response.status_code == 503, (response.status_code, response.text[:300])
        body = response.json()
        if response.status_code >= 400:
            assert list(body) == ["error"] and "Traceback" not in body["error"] and "/tmp" not in body["error"], body
        else:
            httpx.delete(f"{live_server}/api/jobs/{body['id']}")  # a job that got through: not left running

    one()
    assert len(codes) >= 30 and any(400 <= c < 500 for c in codes), Counter(codes)


def test_server_is_healthy_after_fuzzing(live_server):
    assert httpx.get(live_server + "/healthz").json()["status"] == "ok"


text = st.one_of(st.text(max_size=40), st.sampled_from(["preset:", "preset:0", "preset:1+", "preset:26+preset:1",
                                                        "PRESET:3", " preset:3 ", "none", "preset:1e3", "+", ""]))


@FUZZ
@given(text)
def test_style_parser_answers_or_explains(spec):
    try:
        parsed = parse_style(spec)
    except StylecutError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert parsed is None or parsed.presets or parsed.image is not None


number = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12), st.text(max_size=8))


@FUZZ
@given(strength=number, blur=st.one_of(st.none(), number), style_size=number, region=st.text(max_size=12))
def test_options_validate_everything(strength, blur, style_size, region):
    try:
        o = Options(style="preset:3", strength=strength, blur=blur, style_size=style_size, region=region)
    except StylecutError as exc:
        assert str(exc)
        return
    assert (
        0 <= float(o.strength) <= 1
        and 64 <= float(o.style_size) <= 4096
        and o.region in ("background", "foreground", "all")
    )
    assert o.blur is None or 0 <= float(o.blur) <= 200


@FUZZ
@given(iterations=number, size=number, tv=number, height=number)
def test_gatys_and_paint_options_validate(iterations, size, tv, height):
    for make in (
        lambda: GatysParams(iterations=iterations, size=size, tv_weight=tv),
        lambda: PaintOptions(height=height),
    ):
        try:
            make()
        except StylecutError as exc:
            assert str(exc)


def _png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(w * h).integers(0, 255, (h, w, 3), np.uint8)).save(buf, "PNG")
    return buf.getvalue()


GOOD = _png(40, 30)


@FUZZ
@given(st.one_of(st.binary(max_size=2000), st.integers(0, len(GOOD)).map(lambda n: GOOD[:n]),
                 st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)).map(
                     lambda t: GOOD[:t[0]] + bytes([t[1]]) + GOOD[t[0] + 1:])))
def test_loader_on_random_truncated_and_flipped_bytes(data):
    try:
        photo = to_photo(data)
    except StylecutError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert photo.rgb.dtype == np.uint8 and photo.rgb.ndim == 3 and photo.rgb.shape[2] == 3

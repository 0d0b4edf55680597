"""The HTTP API against a real server process on a free loopback port: endpoints, options, errors."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

httpx = pytest.importorskip("httpx")

from ..conftest import STARRY  # noqa: E402


@pytest.fixture(scope="module")
def server(live_server):
    with httpx.Client(base_url=live_server, timeout=120) as client:
        yield client


@pytest.fixture(scope="module")
def photo(portrait_small) -> bytes:
    return portrait_small.read_bytes()


def img(resp) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(resp.content)))


def test_healthz_and_page_and_docs(server):
    assert server.get("/healthz").json()["status"] == "ok"
    page = server.get("/")
    assert page.status_code == 200 and "stylecut" in page.text and "/static/app.js" in page.text
    assert "http://" not in page.text.replace("http://127", "") and "https://" not in page.text  # no CDN
    assert server.get("/static/app.js").status_code == 200
    assert server.get("/docs").status_code == 200
    assert "/api/stylize" in server.get("/openapi.json").json()["paths"]


def test_styles_with_previews(server):
    body = server.get("/api/styles").json()
    builtin = [s for s in body["presets"] if s["name"][len("preset:"):].isdigit()]  # learned ones may follow
    assert len(builtin) == 26 and body["presets"][0]["name"] == "preset:1"
    r = server.get(body["presets"][4]["preview"])
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg" and img(r).shape[2] == 3
    assert server.get("/api/styles/preset:99/preview.jpg").status_code == 404


@pytest.mark.parametrize(
    "data,files_extra,fmt",
    [
        ({"style": "preset:20"}, {}, "png"),
        ({"region": "foreground", "style": "preset:3", "format": "jpeg"}, {}, "jpeg"),
        (
            {
                "style": "preset:3",
                "fg_style": "preset:19",
                "strength": "0.6",
                "preserve_color": "true",
                "format": "webp",
            },
            {},
            "webp",
        ),
        ({"blur": "8"}, {}, "png"),
        ({"region": "all", "refine": "none", "style_size": "256"}, {"style_image": STARRY}, "png"),
        ({"engine": "gatys", "iterations": "5", "size": "96"}, {"style_image": STARRY}, "png"),
    ],
)
def test_stylize_options(server, photo, data, files_extra, fmt):
    files = {"image": ("p.jpg", photo, "application/octet-stream")}  # content type is not trusted anyway
    for k, path in files_extra.items():
        files[k] = (path.name, path.read_bytes())
    r = server.post("/api/stylize", data=data, files=files)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == f"image/{fmt}"
    out, src = img(r), np.asarray(Image.open(io.BytesIO(photo)))
    assert out.shape[:2] == src.shape[:2]
    assert np.abs(out[..., :3].astype(int) - src).mean() > 2  # blur on an already soft background changes least


def test_same_as_library(server, photo, portrait_small):
    import stylecut

    r = server.post("/api/stylize", data={"style": "preset:7"}, files={"image": ("p.jpg", photo)})
    assert np.abs(img(r).astype(int) - np.asarray(stylecut.stylize(portrait_small, style="preset:7"))).max() <= 1


def test_mask_and_cutout(server, photo):
    m = server.post("/api/mask", files={"image": ("p.jpg", photo)})
    c = server.post("/api/mask", data={"cutout": "true"}, files={"image": ("p.jpg", photo)})
    assert m.status_code == c.status_code == 200
    mask, cut = img(m), img(c)
    assert mask.shape == (400, 300) and cut.shape == (400, 300, 4)
    assert np.array_equal(cut[..., 3], mask) and mask.max() == 255 and mask.min() == 0


def test_paint(server, photo):
    r = server.post("/api/paint", data={"height": "0.5", "harmonize": "color"},
                    files={"portrait": ("p.jpg", photo), "painting": ("s.jpg", STARRY.read_bytes())})
    assert r.status_code == 200, r.text
    assert img(r).shape == (640, 1024, 3)


def _big_png(w, h) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (10, 20, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("case,status,needle", [
    ("not_image", 415, "not an image"),
    ("truncated", 415, "not an image"),
    ("too_many_pixels", 413, "over the limit"),
    ("too_many_bytes", 413, "larger than"),
    ("path_style", 400, "style must be"),
    ("bad_preset", 400, "unknown preset"),
    ("bad_strength", 400, "strength"),
    ("bad_region", 400, "region"),
    ("bad_format", 400, "format"),
    ("no_person", 422, "no person"),
    ("nothing", 400, "nothing to do"),
    ("gatys_too_big", 400, "limited"),
    ("missing_image", 422, ""),
])
def test_errors_are_json(server, photo, case, status, needle):
    data, files = {"style": "preset:5"}, {"image": ("p.jpg", photo)}
    if case == "not_image":
        files = {"image": ("p.jpg", b"GIF89a but not really", "image/jpeg")}
    elif case == "truncated":
        files = {"image": ("p.jpg", photo[:200], "image/jpeg")}
    elif case == "too_many_pixels":
        files = {"image": ("big.png", _big_png(2000, 2000))}
    elif case == "too_many_bytes":
        files = {"image": ("p.jpg", photo + b"\0" * 2_100_000)}
    elif case == "path_style":
        data = {"style": "/etc/passwd"}
    elif case == "bad_preset":
        data = {"style": "preset:99"}
    elif case == "bad_strength":
        data["strength"] = "3"
    elif case == "bad_region":
        data["region"] = "sky"
    elif case == "bad_format":
        data["format"] = "gif"
    elif case == "no_person":
        buf = io.BytesIO()
        Image.new("RGB", (300, 200), (120, 170, 230)).save(buf, "PNG")
        files = {"image": ("sky.png", buf.getvalue())}
    elif case == "nothing":
        data = {}
    elif case == "gatys_too_big":
        data.update(engine="gatys", iterations="5000")
    elif case == "missing_image":
        files = {}
    r = server.post("/api/stylize", data=data, files=files or None)
    assert r.status_code == status, r.text
    body = r.json()
    if needle:
        assert needle in body["error"].lower()


def test_concurrent_burst_is_queued_or_refused_not_crashed(server, photo):
    """12 requests at once against 2 workers + 4 queue slots: each one succeeds or gets a clear 503."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_):
        return server.post("/api/stylize", data={"style": "preset:5", "style_size": "256"},
                           files={"image": ("p.jpg", photo)}).status_code

    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(one, range(12)))
    assert set(codes) <= {200, 503} and codes.count(200) >= 6, codes
    assert server.get("/healthz").json()["waiting"] == 0

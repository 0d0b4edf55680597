"""Shared fixtures: the evaluation set beside the checkout, and a real CLI runner."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.eval_data import CONTENT, EVAL, ROOT, SEG_IMAGES, STYLES  # noqa: F401 (re-exported to the tests)

STARRY = STYLES / "vangogh_starry_night.jpg"
HOKUSAI = STYLES / "hokusai_great_wave.jpg"
PORTRAIT = CONTENT / "blonde_girl.jpg"  # 600x800, one person
WIDE = CONTENT / "avril.jpg"  # 1680x1050 close-up
STYLECUT = Path(sys.executable).parent / "stylecut"


# markers by file (Ray tests carry @pytest.mark.ray themselves), so a developer can run a subset
# (`pytest -m unit`, `-m "not browser"`); the default run takes all
FILE_MARKERS = {"test_browser.py": ("browser", "server"), "test_server.py": ("server",), "test_gatys.py": ("gatys",)}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        path = Path(str(item.fspath))
        item.add_marker("unit" if path.parent.name == "unit" else "integration")
        for name in FILE_MARKERS.get(path.name, ()):
            item.add_marker(name)


def assert_same_picture(a: np.ndarray, b: np.ndarray, mean: float = 1.5, p99: float = 8) -> None:
    """Two renders of one request agree: mean and 99th percentile of the difference in levels.

    Another thread count for a bfloat16 network sums in another order (measured: 2 % of pixels more
    than 1 level off, at most 8); through a JPEG that spreads to mean ~1, p99 6. Another style is ~30+.
    """
    assert a.shape == b.shape
    d = np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16))
    assert d.mean() <= mean and np.percentile(d, 99) <= p99, f"mean {d.mean():.2f}, p99 {np.percentile(d, 99)}"


def gt_mask(image: Path) -> np.ndarray:
    return np.asarray(Image.open(image.parent.parent / "masks" / (image.stem + ".png"))) > 127


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory) -> Path:
    """Learned styles (and rewritten model graphs) go to temporary folders, never the user's
    (subprocesses inherit them)."""
    import os

    folder = tmp_path_factory.mktemp("stylecut-data")
    os.environ["STYLECUT_DATA_DIR"] = str(folder)
    os.environ["STYLECUT_CACHE_DIR"] = str(tmp_path_factory.mktemp("stylecut-cache"))
    return folder


@pytest.fixture
def float32():
    """Networks in float32 on onnxruntime for this test (exact references), whatever the CPU offers."""
    from stylecut.core.config import settings

    before, settings.precision = settings.precision, "float32"
    yield
    settings.precision = before


def run_cli(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed `stylecut` command for real (env: variables added); returns the completed process."""
    import os

    return subprocess.run([str(STYLECUT), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def portrait_small(tmp_path_factory) -> Path:
    """The portrait at 300x400 to keep tests quick."""
    p = tmp_path_factory.mktemp("img") / "portrait.jpg"
    Image.open(PORTRAIT).convert("RGB").resize((300, 400), Image.LANCZOS).save(p, quality=95)
    return p


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    """A non-zero exit, one clear 'error:' line on stderr, no traceback."""
    assert proc.returncode != 0, proc.stdout
    err = proc.stderr.strip().splitlines()
    err = [l for l in err if not l.startswith("INFO:")]
    assert "Traceback" not in proc.stderr
    assert len(err) == 1 and err[0].startswith("error: "), proc.stderr
    for n in needles:
        assert n.lower() in err[0].lower(), err[0]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, seconds: float = 15) -> None:
    """Wait until the server at base answers /healthz; fail with its output if it never does."""
    import time

    import httpx

    for _ in range(int(seconds * 10)):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not start: " + (proc.stdout.read().decode() if proc.stdout else ""))


@pytest.fixture(scope="session")
def live_server():
    """A real stylecut server process on a free loopback port (small limits so they can be tested)."""
    port = free_port()
    code = (
        "import uvicorn; from stylecut.apps.server import create_app, Limits;"
        "uvicorn.run(create_app(Limits(max_upload_bytes=2_000_000, max_pixels=3_000_000, workers=2, queue=4,"
        " read_timeout=2)),"
        f"host='127.0.0.1', port={port}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    yield base
    proc.terminate()
    proc.wait(10)

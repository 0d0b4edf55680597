"""The web page in real headless Chromium (Debian's package, driven by Playwright)."""
from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image

from ..conftest import PORTRAIT

playwright = pytest.importorskip("playwright.sync_api")

DIFF_JS = """() => {
  const a = document.getElementById('before'), b = document.getElementById('after');
  const w = a.naturalWidth, h = a.naturalHeight;
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const x = c.getContext('2d');
  x.drawImage(a, 0, 0); const p = x.getImageData(0, 0, w, h).data;
  x.drawImage(b, 0, 0); const q = x.getImageData(0, 0, w, h).data;
  let s = 0; for (let i = 0; i < p.length; i += 4) s += Math.abs(p[i] - q[i]) + Math.abs(p[i+1] - q[i+1]) + Math.abs(p[i+2] - q[i+2]);
  return {w, h, bw: b.naturalWidth, bh: b.naturalHeight, diff: s / (w * h * 3)};
}"""


@pytest.fixture(scope="module")
def browser():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("Debian chromium is not installed (scripts/test.sh installs it)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


def test_stylize_in_the_browser(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(live_server + "/")
    page.set_input_files("#photo", str(PORTRAIT))
    page.wait_for_function("document.getElementById('status').textContent.includes('Person found')", timeout=60000)
    page.click("#styles button[data-style='preset:17']")
    page.click("#go")
    page.wait_for_selector("#download:not(.hidden)", timeout=120000)
    info = page.evaluate(DIFF_JS)
    assert (info["bw"], info["bh"]) == (info["w"], info["h"]) == (600, 800)
    assert info["diff"] > 10  # the result is really stylized
    assert page.is_visible("#compare")
    page.screenshot(path=str(tmp_path / "page_with_result.png"))
    with page.expect_download() as dl:
        page.click("#download")
    saved = tmp_path / "download.png"
    dl.value.save_as(saved)
    assert Image.open(saved).size == (600, 800)
    page.close()


def test_bad_file_shows_an_error(browser, live_server, tmp_path):
    bad = tmp_path / "holiday.jpg"
    bad.write_text("this is not a photo")
    page = browser.new_page()
    page.goto(live_server + "/")
    page.set_input_files("#photo", str(bad))
    page.wait_for_selector("#error:not([hidden])", timeout=30000)
    page.wait_for_function("document.getElementById('error').textContent.includes('not an image')", timeout=30000)
    page.close()


def test_phone_layout_and_paint_mode(browser, live_server, tmp_path):
    from ..conftest import STARRY

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.set_input_files("#photo", str(PORTRAIT))
    page.click("#tab-paint")
    page.set_input_files("#paint-target", str(STARRY))
    page.click("#go")
    page.wait_for_selector("#download:not(.hidden)", timeout=120000)
    src = page.get_attribute("#download", "href")
    data = page.evaluate("async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer()))", src)
    assert Image.open(io.BytesIO(bytes(data))).size == Image.open(STARRY).size
    page.close()


def test_controls_render_from_the_options_schema(browser, live_server, tmp_path):
    """Choices, defaults and ranges come from GET /api/options, not from the page (issue #11)."""
    import httpx

    opts = httpx.get(live_server + "/api/options").json()
    field = lambda group, name: next(f for f in opts[group] if f["name"] == name)  # noqa: E731
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.wait_for_selector("#styles button.selected")
    regions = page.eval_on_selector_all("input[name=region]", "els => els.map(e => [e.value, e.checked])")
    assert [v for v, _ in regions] == field("stylize", "region")["choices"]
    assert [v for v, on in regions if on] == [field("stylize", "region")["default"]]
    assert page.get_attribute("#styles button.selected", "data-style") == field("stylize", "style")["suggested"]
    assert float(page.input_value("#strength")) == 100 * field("stylize", "strength")["default"]
    assert page.eval_on_selector_all("#harmonize option", "els => els.map(e => e.value)") == \
        field("paint", "harmonize")["choices"]
    assert float(page.input_value("#height")) == 100 * field("paint", "height")["default"]
    page.screenshot(path=str(tmp_path / "options.png"), full_page=True)
    page.close()

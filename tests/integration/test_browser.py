"""The web page in real headless Chromium (Debian's package, driven by Playwright)."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ..conftest import EVAL, PORTRAIT, STARRY

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
    assert page.is_visible("#divider")
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
    page.wait_for_selector("#styles [aria-checked=true]")
    regions = page.eval_on_selector_all("input[name=region]", "els => els.map(e => [e.value, e.checked])")
    assert [v for v, _ in regions] == field("stylize", "region")["choices"]
    assert [v for v, on in regions if on] == [field("stylize", "region")["default"]]
    assert page.get_attribute("#styles [aria-checked=true]", "data-style") == field("stylize", "style")["suggested"]
    assert float(page.input_value("#strength")) == 100 * field("stylize", "strength")["default"]
    assert page.eval_on_selector_all("#harmonize option", "els => els.map(e => e.value)") == \
        field("paint", "harmonize")["choices"]
    assert float(page.input_value("#height")) == 100 * field("paint", "height")["default"]
    page.screenshot(path=str(tmp_path / "options.png"), full_page=True)
    page.close()


# ---- issue #16: the page as a designer would ship it ----
AXE = Path(__file__).resolve().parents[2] / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


def _stylized(browser, live_server, viewport=(1280, 900), photo=PORTRAIT):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(live_server + "/")
    page.wait_for_selector("#styles [aria-checked=true]")
    page.set_input_files("#photo", str(photo))
    page.wait_for_function("document.getElementById('status').textContent.includes('Person found')", timeout=60000)
    page.click("#go")
    page.wait_for_selector("#download:not(.hidden)", timeout=120000)
    page.wait_for_selector("#veil.hidden", state="attached")
    return page


def _axe(page) -> list:
    """Serious and critical accessibility violations (axe-core, served from the local npm install)."""
    assert AXE.is_file(), "axe-core missing: scripts/browser.sh installs it"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [(v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_compare_divider_follows_pointer_and_keys(browser, live_server, tmp_path):
    page = _stylized(browser, live_server)
    box = page.locator("#stage").bounding_box()
    page.mouse.move(box["x"] + 0.86 * box["width"], box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.up()
    assert abs(int(page.get_attribute("#divider", "aria-valuenow")) - 86) <= 1  # the split is where the hand is
    assert "inset(0px 0px 0px 86%)" in page.eval_on_selector("#after", "e => getComputedStyle(e).clipPath")
    page.mouse.move(box["x"] + 0.30 * box["width"], box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 0.20 * box["width"], box["y"] + 60, steps=4)  # a drag
    page.mouse.up()
    assert abs(int(page.get_attribute("#divider", "aria-valuenow")) - 20) <= 1
    divider = page.locator("#divider").bounding_box()
    assert abs(divider["x"] - (box["x"] + 0.2 * box["width"])) < 4  # the line is drawn at the split
    page.focus("#divider")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.get_attribute("#divider", "aria-valuenow") == "26"
    page.keyboard.press("End")
    assert page.get_attribute("#divider", "aria-valuenow") == "100"
    page.keyboard.press("Home")
    assert page.get_attribute("#divider", "aria-valuenow") == "0"
    page.keyboard.press("PageUp")
    assert page.get_attribute("#divider", "aria-valuenow") == "10"
    assert page.is_visible("#tag-before") and page.is_visible("#tag-after")
    assert page.locator("#stage input").count() == 0  # nothing covers the picture's bottom strip
    dl = page.locator("#download").bounding_box()
    assert 0 <= dl["y"] - (box["y"] + box["height"]) < 80  # the download button is right under the result
    page.screenshot(path=str(tmp_path / "compare.png"))
    page.close()


def test_phone_result_is_in_view_after_stylize(browser, live_server, tmp_path):
    page = _stylized(browser, live_server, viewport=(390, 844))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    after = page.locator("#after").bounding_box()
    dl = page.locator("#download").bounding_box()
    assert after["y"] >= -1 and after["y"] + 0.5 * after["height"] <= 844  # the result is on screen
    assert dl["y"] + dl["height"] <= 844  # and so is Download
    page.screenshot(path=str(tmp_path / "phone.png"))
    page.close()


def test_error_shows_in_the_picture_and_clears_stale_state(browser, live_server, tmp_path):
    page = _stylized(browser, live_server)
    bad = tmp_path / "holiday.jpg"
    bad.write_text("this is not a photo")
    page.set_input_files("#photo", str(bad))
    page.wait_for_selector("#error:not([hidden])", timeout=30000)
    err = page.locator("#error").bounding_box()
    view = page.locator("#view").bounding_box()
    assert view["y"] <= err["y"] < 900 and err["y"] < view["y"] + view["height"]  # in the picture area, in view
    assert page.is_hidden("#stage") and page.is_hidden("#veil") and page.is_hidden("#download")
    assert page.is_disabled("#go")
    assert "Done" not in page.text_content("#status")
    assert page.text_content("#photo-name") == "holiday.jpg"
    page.screenshot(path=str(tmp_path / "error.png"))
    page.close()


def test_named_styles_one_tab_stop_and_arrow_keys(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.wait_for_selector("#styles [aria-checked=true]")
    names = page.eval_on_selector_all("#styles .tile span", "els => els.map(e => e.textContent)")
    assert len(names) == 26 and len(set(names)) == 26 and "Starry swirl" in names
    assert page.eval_on_selector_all("#styles [tabindex='0']", "els => els.length") == 1
    tiles = page.locator("#styles .tile")
    assert tiles.first.bounding_box()["width"] >= 70  # larger previews
    page.focus("#styles [aria-checked=true]")
    start = page.get_attribute("#styles [aria-checked=true]", "data-style")
    page.keyboard.press("ArrowRight")
    moved = page.get_attribute("#styles [aria-checked=true]", "data-style")
    assert moved == f"preset:{int(start.split(':')[1]) + 1}"
    assert page.evaluate("document.activeElement.dataset.style") == moved
    page.keyboard.press("ArrowDown")
    cols = page.evaluate("(() => { const t = [...document.querySelectorAll('#styles .tile')];"
                         " return t.filter(x => x.offsetTop === t[0].offsetTop).length; })()")
    assert (
        page.get_attribute("#styles [aria-checked=true]", "data-style") == f"preset:{int(moved.split(':')[1]) + cols}"
    )
    page.set_input_files("#painting", str(STARRY))  # the user's painting joins the grid, selected
    assert page.get_attribute("#styles .tile >> nth=0", "data-style") == "painting"
    assert page.get_attribute("#styles [aria-checked=true]", "data-style") == "painting"
    page.close()


def test_person_outline_and_cutout_are_visible(browser, live_server, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.set_input_files("#photo", str(PORTRAIT))
    page.wait_for_function("document.getElementById('status').textContent.includes('Person found')", timeout=60000)
    stats = """() => { const c = document.getElementById('overlay'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let white = 0, dark = 0, opaque = 0;
      for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 200) { opaque++; if (d[i] > 240 && d[i + 1] > 240) white++; if (d[i] < 40) dark++; } }
      return {white, dark, opaque, total: d.length / 4}; }"""
    line = page.evaluate(stats)
    assert line["white"] > 500 and line["dark"] > 500  # a white line with a dark rim
    assert line["opaque"] < 0.1 * line["total"]  # only a line: the photo shows through
    page.screenshot(path=str(tmp_path / "outline.png"))
    page.check("input[name=show][value=cutout]")
    cut = page.evaluate(stats)
    assert cut["opaque"] > 0.9 * cut["total"]  # the cut-out view covers the frame: person on a checkerboard
    corner = page.evaluate(
        "() => Array.from(document.getElementById('overlay').getContext('2d').getImageData(4, 4, 1, 1).data)"
    )
    assert corner[:3] in ([0xd9, 0xd9, 0xe0], [0xf4, 0xf4, 0xf8])  # the background is gone: checkerboard there
    page.screenshot(path=str(tmp_path / "cutout.png"))
    page.close()


def test_tabs_keep_results_errors_stay_in_their_tab(browser, live_server, tmp_path):
    page = _stylized(browser, live_server)
    stylized = page.get_attribute("#download", "href")
    page.click("#tab-paint")
    assert page.is_visible("#panel-paint") and page.is_hidden("#panel-stylize")
    page.click("#go")  # no painting chosen: an error in this tab
    page.wait_for_selector("#error:not([hidden])")
    page.set_input_files("#paint-target", str(STARRY))
    page.click("#go")
    page.wait_for_function("document.getElementById('status').textContent.includes('Done')", timeout=120000)
    assert "compare" not in page.text_content("#status")  # no slider talk where there is none
    painted = page.get_attribute("#download", "href")
    page.click("#tab-stylize")
    assert page.is_hidden("#error") and page.get_attribute("#download", "href") == stylized
    page.click("#tab-paint")
    assert page.get_attribute("#download", "href") == painted  # switching tabs keeps each result
    page.close()


def test_accessibility_axe_and_keyboard(browser, live_server, tmp_path):
    import httpx

    assert httpx.get(live_server + "/favicon.ico").status_code == 200
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.wait_for_selector("#styles [aria-checked=true]")
    assert _axe(page) == []
    page.evaluate("""() => { window.pickerOpened = 0;
        document.getElementById('photo').addEventListener('click', (e) => { window.pickerOpened++; e.preventDefault(); }); }""")
    page.focus("#drop")
    page.keyboard.press("Enter")  # the drop zone works from the keyboard: it opens the file picker
    page.keyboard.press(" ")
    assert page.evaluate("window.pickerOpened") == 2
    page.set_input_files("#photo", str(PORTRAIT))
    page.wait_for_function("document.getElementById('status').textContent.includes('Person found')", timeout=60000)
    for sel in ("#strength", "#blur", "#height", "#harmonize", "#painting", "#paint-target", "#divider"):
        assert page.evaluate("(s) => { const e = document.querySelector(s);"
                             " return !!(e.labels && e.labels.length || e.getAttribute('aria-label')); }", sel), sel
    for tab, panel in (("tab-stylize", "panel-stylize"), ("tab-paint", "panel-paint")):
        assert page.get_attribute(f"#{tab}", "aria-controls") == panel
        assert page.get_attribute(f"#{panel}", "role") == "tabpanel"
    page.click("#go")
    page.wait_for_selector("#download:not(.hidden)", timeout=120000)
    page.wait_for_selector("#veil.hidden", state="attached")
    assert _axe(page) == []
    page.click("#tab-paint")
    assert _axe(page) == []
    page.close()


def test_video_tab_runs_a_job_with_progress_and_plays_it(browser, live_server, tmp_path):
    from .test_video import make_clip

    clip = make_clip(tmp_path / "dance.mp4", n=24, size=(320, 180))
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(live_server + "/")
    page.wait_for_selector("#styles [aria-checked=true]")
    page.click("#tab-video")
    assert page.is_visible("#panel-video") and page.is_visible("#panel-stylize") and page.is_hidden("#drop")
    assert page.is_hidden("#engine-row") and page.is_disabled("#go")
    page.set_input_files("#clip", str(clip))
    page.click("#styles button[data-style='preset:5']")
    page.click("#go")
    page.wait_for_selector("#job:not(.hidden)", timeout=10000)
    page.wait_for_function("document.getElementById('job-progress').value > 0", timeout=120000)
    assert _axe(page) == []
    page.wait_for_selector("#clip-out:not(.hidden)", timeout=180000)
    assert page.is_hidden("#job")
    page.wait_for_function("document.getElementById('clip-out').readyState >= 1", timeout=20000)
    assert abs(page.evaluate("document.getElementById('clip-out').duration") - 1.0) < 0.2  # 24 frames at 24 fps
    with page.expect_download() as dl:
        page.click("#download")
    saved = tmp_path / "out.mp4"
    dl.value.save_as(saved)
    assert saved.stat().st_size > 1000 and dl.value.suggested_filename.endswith(".mp4")
    page.click("#tab-stylize")
    assert page.is_hidden("#clip-out") and page.is_visible("#drop")
    page.close()


def _video_tab_with(browser, live_server, clip):
    """A page on the Video tab with `clip` chosen."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.wait_for_selector("#styles [aria-checked=true]")
    page.click("#tab-video")
    page.set_input_files("#clip", str(clip))
    return page


def test_video_job_can_be_cancelled_from_the_page(browser, live_server, tmp_path):
    from .test_video import make_clip

    page = _video_tab_with(browser, live_server, make_clip(tmp_path / "long.mp4", n=90, size=(640, 360), audio=False))
    page.click("#go")
    page.wait_for_function("document.getElementById('job-progress').value > 0", timeout=120000)
    page.click("#job-cancel")
    page.wait_for_selector("#error:not([hidden])", timeout=30000)
    assert "Cancelled" in page.text_content("#error")
    assert page.is_hidden("#job") and page.is_hidden("#clip-out") and page.is_enabled("#go")
    page.close()


def test_gatys_engine_in_the_page_through_a_job(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.set_input_files("#photo", str(PORTRAIT))
    page.wait_for_function("document.getElementById('status').textContent.includes('Person found')", timeout=60000)
    page.select_option("#engine", "gatys")
    assert page.is_visible("#iterations") and page.is_visible("#gatys-size")
    page.evaluate("""() => { for (const [id, v] of [['iterations', 10], ['gatys-size', 128]]) {
        const e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('input')); } }""")
    page.click("#go")  # a preset is selected: Gatys needs a painting
    page.wait_for_selector("#error:not([hidden])")
    assert "painting" in page.text_content("#error")
    page.set_input_files("#painting", str(STARRY))
    page.click("#go")
    page.wait_for_selector("#job:not(.hidden)", timeout=10000)
    page.wait_for_selector("#download:not(.hidden)", timeout=300000)
    info = page.evaluate(DIFF_JS)
    assert (info["bw"], info["bh"]) == (600, 800) and info["diff"] > 10
    page.close()


def test_point_to_select_any_subject(browser, live_server, tmp_path):
    """Drag a box around the cow, click to add and to remove, undo; the overlay follows; Stylize uses it."""
    cows = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "video" / "cows" / "frames" / "00000.jpg"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/")
    page.set_input_files("#photo", str(cows))
    page.wait_for_selector("#pointing:not(.hidden)", timeout=60000)
    page.wait_for_function("document.getElementById('status').textContent.length > 0", timeout=60000)
    box = page.locator("#before").bounding_box()
    sx, sy = box["width"] / 854, box["height"] / 480

    def at(x, y):
        return box["x"] + x * sx, box["y"] + y * sy

    page.mouse.move(*at(90, 60))
    page.mouse.down()
    page.mouse.move(*at(400, 300), steps=5)
    page.mouse.move(*at(760, 460), steps=5)
    page.mouse.up()
    page.wait_for_function("document.getElementById('status').textContent.includes('Selection updated')", timeout=30000)
    page.mouse.click(*at(430, 250))  # add: the cow's body
    page.wait_for_function("document.getElementById('status').textContent.includes('Selection updated')", timeout=30000)
    state = page.evaluate(
        "({points: state.points.length, box: state.box, undo: document.getElementById('undo').disabled})"
    )
    assert state["points"] == 1 and state["box"] is not None and not state["undo"]
    page.keyboard.down("Shift")
    page.mouse.click(*at(150, 420))  # remove: the mud
    page.keyboard.up("Shift")
    page.wait_for_function("state.points.length === 2 && state.points[1][2] === 0")
    page.click("#undo")
    page.wait_for_function("state.points.length === 1")
    assert _axe(page) == []
    page.click("#go")
    page.wait_for_selector("#download:not(.hidden)", timeout=120000)
    assert page.is_hidden("#pointing")
    info = page.evaluate(DIFF_JS)
    assert info["diff"] > 10
    page.close()


def test_video_tab_points_at_the_subject_on_a_frame(browser, live_server, tmp_path):
    """Point on a frame of the clip (the photo view's clicks), then the job gets the clicks and that frame's time."""
    from .test_video import make_clip

    page = _video_tab_with(browser, live_server, make_clip(tmp_path / "dog.mp4", seq="dog", n=20, audio=False))
    page.wait_for_selector("#clip-pointing:not(.hidden)")
    page.wait_for_function("document.getElementById('clip-pick').readyState >= 2", timeout=20000)
    page.evaluate("document.getElementById('clip-pick').currentTime = 0.5")
    page.wait_for_function("const v = document.getElementById('clip-pick'); !v.seeking && v.readyState >= 2 && "
                           "Math.abs(v.currentTime - 0.5) < 0.01", timeout=20000)
    page.click("#pick-frame")
    page.wait_for_selector("#tab-stylize.active")
    page.wait_for_selector("#use-for-clip:not(.hidden)")
    page.click("#use-for-clip")  # nothing pointed at yet: a clear message, still on the frame
    assert "Point at the subject first" in page.text_content("#error") and page.is_visible("#use-for-clip")
    page.wait_for_function("document.getElementById('before').naturalWidth === 854", timeout=20000)
    page.wait_for_function("document.getElementById('status').textContent.startsWith('Person') || "
                           "document.getElementById('status').textContent.startsWith('No person') || "
                           "!!document.getElementById('error').textContent", timeout=60000)
    truth = np.asarray(Image.open(EVAL / "video" / "dog" / "masks" / "00012.png").convert("L")) > 127
    ys, xs = np.nonzero(truth)
    box = page.locator("#before").bounding_box()
    page.mouse.click(box["x"] + xs.mean() * box["width"] / 854, box["y"] + ys.mean() * box["height"] / 480)
    page.wait_for_function(
        "document.getElementById('status').textContent.startsWith('Selection updated')", timeout=60000
    )
    page.click("#use-for-clip")
    page.wait_for_selector("#tab-video.active")
    assert "at 0.50 s (1 click)" in page.text_content("#pick-info") and page.is_enabled("#pick-clear")
    page.evaluate("""() => { const send = window.fetch; window.sent = null;  // the job's text fields, as sent
      window.fetch = (url, opts) => { if (String(url).endsWith('/api/jobs') && opts && opts.body instanceof FormData)
        window.sent = Object.fromEntries([...opts.body.entries()].filter(([k, v]) => typeof v === 'string'));
        return send(url, opts); }; }""")
    page.click("#go")
    page.wait_for_function("window.sent !== null", timeout=10000)
    sent = page.evaluate("window.sent")
    (x, y, positive), = json.loads(sent["points"])
    assert sent["select_at"] == "0.500" and positive == 1 and truth[round(y), round(x)], sent  # on the dog, in frame 12
    page.wait_for_selector("#clip-out:not(.hidden)", timeout=180000)
    assert not page.text_content("#error")
    page.click("#pick-clear")
    assert "found by themselves" in page.text_content("#pick-info")
    page.click("#pick-frame")  # pointing again, then another photo instead: that ends the pointing for the clip
    page.wait_for_selector("#use-for-clip:not(.hidden)")
    page.set_input_files("#photo", str(PORTRAIT))
    assert page.is_hidden("#use-for-clip")
    page.close()


def test_video_tab_previews_a_gif_trims_and_shows_a_gif_result(browser, live_server, tmp_path):
    """Issue #28: a GIF input had a blank preview, a GIF result went into a <video> that cannot play
    it (media error 4), and the page had no start/end for the 120 s limit."""
    import av

    from .test_video import make_clip

    mp4 = make_clip(tmp_path / "dance.mp4", n=24, size=(160, 90), audio=False)
    gif = tmp_path / "dance.gif"
    with av.open(str(mp4)) as src, av.open(str(gif), "w", format="gif") as out:
        s = out.add_stream("gif", rate=24)
        s.width, s.height, s.pix_fmt = 160, 90, "rgb8"
        for frame in src.decode(video=0):
            for p in s.encode(av.VideoFrame.from_ndarray(frame.to_ndarray(format="rgb24"), format="rgb24")):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(live_server + "/")
    page.wait_for_selector("#styles [aria-checked=true]")
    page.click("#tab-video")
    page.set_input_files("#clip", str(gif))
    page.wait_for_function("document.getElementById('clip-pick-gif').naturalWidth === 160", timeout=10000)
    assert page.is_visible("#clip-pick-gif") and page.is_hidden("#clip-pick")
    page.fill("#clip-end", "0.5")
    page.select_option("#clip-format", "gif")
    page.click("#styles button[data-style='preset:5']")
    page.click("#go")
    page.wait_for_selector("#clip-out-gif:not(.hidden)", timeout=180000)
    page.wait_for_function("document.getElementById('clip-out-gif').naturalWidth === 160", timeout=10000)
    assert page.is_hidden("#clip-out") and "plays below" in page.text_content("#status")
    with page.expect_download() as dl:
        page.click("#download")
    saved = tmp_path / "out.gif"
    dl.value.save_as(saved)
    with av.open(str(saved)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    assert 0 < frames <= 13, frames  # 0.5 s of a 24 fps clip: the trim went with the job
    page.close()

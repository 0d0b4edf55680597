"""The job API (POST /api/jobs): videos and Gatys photos with progress, result, cancel, bounds and expiry."""
from __future__ import annotations

import io
import time

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from ..conftest import EVAL, HOKUSAI
from .test_video import _assert_dog_kept, describe, make_clip


@pytest.fixture(scope="module")
def api(live_server):
    with httpx.Client(base_url=live_server, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("jobclip") / "dance.mp4", n=8, size=(320, 180))


def wait(api, job_id: str, seconds: float = 240) -> dict:
    seen = []
    for _ in range(int(seconds * 5)):
        body = api.get(f"/api/jobs/{job_id}").json()
        seen.append(body["progress"])
        if body["state"] not in ("queued", "running"):
            body["seen"] = seen
            return body
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not end: {body}")


def test_video_job_end_to_end(api, clip, tmp_path):
    r = api.post("/api/jobs", data={"kind": "video", "style": "preset:5", "format": "mp4"},
                 files={"file": ("dance.mp4", clip.read_bytes(), "video/mp4")})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["state"] in ("queued", "running") and job["result"] is None
    done = wait(api, job["id"])
    assert done["state"] == "done", done
    assert done["progress"] == 1.0 and done["seen"] == sorted(done["seen"])  # progress only goes up
    out = api.get(done["result"])
    assert out.status_code == 200 and out.headers["content-type"] == "video/mp4"
    (tmp_path / "out.mp4").write_bytes(out.content)
    got, src = describe(tmp_path / "out.mp4"), describe(clip)
    assert got["size"] == src["size"] and got["frames"] == src["frames"] and got["audio"] == ["aac"]
    with av.open(str(tmp_path / "out.mp4")) as c:  # stylized, not the clip passed through
        frame = next(c.decode(video=0)).to_ndarray(format="rgb24").astype(np.float32)
    with av.open(str(clip)) as c:
        first = next(c.decode(video=0)).to_ndarray(format="rgb24").astype(np.float32)
    assert np.abs(frame - first).mean() > 10
    assert api.delete(f"/api/jobs/{job['id']}").json()["state"] == "done"
    assert api.get(f"/api/jobs/{job['id']}").status_code == 404  # deleted with its result


def test_gatys_job_reports_progress(api, portrait_small):
    r = api.post("/api/jobs", data={"kind": "gatys", "region": "all", "iterations": "6", "size": "96"},
                 files={"file": ("p.jpg", portrait_small.read_bytes(), "image/jpeg"),
                        "style_image": ("wave.jpg", HOKUSAI.read_bytes(), "image/jpeg")})
    assert r.status_code == 202, r.text
    done = wait(api, r.json()["id"])
    assert done["state"] == "done", done
    assert any(0 < p < 1 for p in done["seen"]) or done["seen"][-1] == 1.0
    img = Image.open(io.BytesIO(api.get(done["result"]).content))
    assert img.size == Image.open(portrait_small).size


def test_cancel_a_running_job(api, tmp_path):
    long_clip = make_clip(tmp_path / "long.mp4", n=60, size=(640, 360), audio=False)
    job = api.post("/api/jobs", data={"kind": "video", "style": "preset:5"},
                   files={"file": ("long.mp4", long_clip.read_bytes(), "video/mp4")}).json()
    for _ in range(300):
        if api.get(f"/api/jobs/{job['id']}").json()["progress"] > 0:
            break
        time.sleep(0.1)
    assert api.delete(f"/api/jobs/{job['id']}").status_code == 200
    done = wait(api, job["id"], 30)
    assert done["state"] == "cancelled" and done["progress"] < 1
    r = api.get(f"/api/jobs/{job['id']}/result")
    assert r.status_code == 409 and "cancelled" in r.json()["error"]


@pytest.mark.parametrize("data, file, status, needle", [
    ({"kind": "sculpture"}, ("a.mp4", b"x"), 400, "kind"),
    ({"kind": "video", "style": "preset:3"}, ("notes.txt", b"hello"), 415, "not a video"),
    ({"kind": "video", "style": "preset:3"}, ("fake.mp4", b"\x00" * 2000), 415, "damaged"),
    ({"kind": "video", "style": "preset:3", "format": "png"}, ("a.mp4", b"x"), 400, "mp4, webm or gif"),
    ({"kind": "gatys", "style": "preset:3"}, None, 400, "needs a painting"),
    ({"kind": "gatys", "iterations": "5000"}, None, 400, "iterations"),
])
def test_bad_jobs_are_json_errors(api, portrait_small, data, file, status, needle):
    files = {"file": file or ("p.jpg", portrait_small.read_bytes(), "image/jpeg")}
    if data.get("kind") == "gatys" and "style" not in data:
        files["style_image"] = ("wave.jpg", HOKUSAI.read_bytes(), "image/jpeg")
    r = api.post("/api/jobs", data=data, files=files)
    assert r.status_code == status, r.text
    assert needle in r.json()["error"]
    assert api.get("/healthz").json()["jobs"]["queued"] == 0


def test_unknown_job_is_404(api):
    r = api.get("/api/jobs/nope")
    assert r.status_code == 404 and "no job" in r.json()["error"]


def test_queue_is_bounded_and_jobs_expire(tmp_path):
    from stylecut.apps.server.jobs import JobNotFound, JobQueue, JobsFull
    from stylecut.apps.server.limits import Limits
    from stylecut.core.errors import Cancelled

    q = JobQueue(Limits(max_jobs=2, job_workers=1, job_ttl=0.2))
    gate = __import__("threading").Event()

    def slow(job):
        while not gate.is_set():
            if job.cancel.is_set():
                raise Cancelled("cancelled")
            time.sleep(0.01)
        out = job.folder / "r.txt"
        out.write_text("ok")
        return out, "text/plain"

    a, b = q.new("video"), q.new("video")
    q.start(a, slow)
    q.start(b, slow)
    with pytest.raises(JobsFull):
        q.new("video")
    q.cancel(b.id)
    gate.set()
    for _ in range(100):
        if q.get(a.id).state == "done":
            break
        time.sleep(0.02)
    assert q.get(a.id).state == "done" and q.get(b.id).state == "cancelled"
    time.sleep(0.3)
    with pytest.raises(JobNotFound):
        q.get(a.id)
    assert not a.folder.exists() and not b.folder.exists()
    q.close()
    assert not q.root.exists()


def test_video_job_follows_a_selection_made_later_in_the_clip(api, tmp_path):
    """box + select_at: the dog pointed at in frame 12 is kept in every frame, the rest painted."""
    clip = make_clip(tmp_path / "dog.mp4", seq="dog", n=20, audio=False)
    truth = [np.asarray(Image.open(EVAL / "video" / "dog" / "masks" / f"{i:05d}.png").convert("L")) > 127
             for i in range(20)]
    ys, xs = np.nonzero(truth[12])
    box = f"{xs.min() - 15},{ys.min() - 15},{xs.max() + 15},{ys.max() + 15}"
    upload = {"file": ("dog.mp4", clip.read_bytes(), "video/mp4")}
    bad = api.post("/api/jobs", data={"kind": "video", "style": "preset:20", "select_at": "0.5"}, files=upload)
    assert bad.status_code == 400 and "select_at needs" in bad.json()["error"]
    outside = api.post(
        "/api/jobs", data={"kind": "video", "style": "preset:20", "points": "[[900, 10, 1]]"}, files=upload
    )
    assert outside.status_code == 400 and "outside the 854x480" in outside.json()["error"]
    r = api.post(
        "/api/jobs", data={"kind": "video", "style": "preset:20", "box": box, "select_at": "0.5"}, files=upload
    )
    assert r.status_code == 202, r.text
    done = wait(api, r.json()["id"])
    assert done["state"] == "done", done
    (tmp_path / "out.mp4").write_bytes(api.get(done["result"]).content)
    from stylecut.pipeline.video import frames

    _assert_dog_kept(clip, truth, [f for _, f in frames(tmp_path / "out.mp4")], (0, 6, 12, 19))


@pytest.mark.parametrize("data, needle", [
    ({"start": "-1"}, "start must be 0 or more"),
    ({"start": "nan"}, "start must be a number"),
    ({"start": "0.2", "end": "0.1"}, "end (0.1 s) must come after start"),
    ({"start": "30"}, "past the end of the clip"),
    ({"select_at": "30", "box": "10,10,100,100"}, "select_at (30 s) is past the clip's last frame"),
    ({"select_at": "0.3", "end": "0.2", "box": "10,10,100,100"}, "select_at (0.3 s) must lie between start and end"),
    ({"points": "[" * 50000}, "points"),
    ({"points": '[[10, 10, "0"]]'}, "points must be JSON"),
    ({"points": "[[10, 10, 5]]"}, "points must be JSON"),
])
def test_video_jobs_are_checked_before_they_queue(api, clip, data, needle):
    """Issue #28: every check the request allows is made before 202, in the API's terms, no server paths."""
    r = api.post("/api/jobs", data={"kind": "video", "style": "preset:3", **data},
                 files={"file": ("dance.mp4", clip.read_bytes(), "video/mp4")})
    assert r.status_code == 400, r.text
    message = r.json()["error"]
    assert needle in message and "--" not in message and "/tmp" not in message, message
    assert api.get("/healthz").json()["jobs"]["queued"] == 0


@pytest.mark.parametrize("endpoint", ["/api/mask", "/api/stylize"])
def test_deeply_nested_points_are_a_400_not_a_500(api, portrait_small, endpoint):
    r = api.post(endpoint, data={"style": "preset:3", "points": "[" * 50000},
                 files={"image": ("p.jpg", portrait_small.read_bytes(), "image/jpeg")})
    assert r.status_code == 400 and "points" in r.json()["error"]


def test_a_live_webm_without_duration_is_measured_before_it_queues(api, tmp_path):
    """Issue #28: a 130 s WebM as MediaRecorder writes it (no duration in its header) was accepted
    despite the 120 s limit; its length now comes from its packets, before 202."""
    path = tmp_path / "live.webm"
    with av.open(str(path), "w", format="webm", options={"live": "1"}) as c:
        v = c.add_stream("libvpx-vp9", rate=1)
        v.width, v.height, v.pix_fmt = 32, 32, "yuv420p"
        for i in range(130):
            for p in v.encode(av.VideoFrame.from_ndarray(np.full((32, 32, 3), i, np.uint8), format="rgb24")):
                c.mux(p)
        for p in v.encode(None):
            c.mux(p)
    with av.open(str(path)) as c:
        assert not c.streams.video[0].duration and not c.duration  # as the browser writes it
    r = api.post("/api/jobs", data={"kind": "video", "style": "preset:3"},
                 files={"file": ("live.webm", path.read_bytes(), "video/webm")})
    assert r.status_code == 400 and "limited to 120 s" in r.json()["error"], r.text
    assert api.get("/healthz").json()["jobs"]["queued"] == 0

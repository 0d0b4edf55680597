// stylecut web page: talks to the HTTP API of the same server; no external assets.
// Choices, defaults and ranges come from GET /api/options; style names from GET /api/styles.
"use strict";
const $ = (id) => document.getElementById(id);
const state = {
  photo: null, photoUrl: null, painting: null, paintingUrl: null, paintTarget: null,
  preset: null, fgPreset: null, mode: "stylize", mask: null, split: 50, busy: false,
  results: { stylize: null, paint: null, video: null },  // object URLs of each tab's last result
  clip: null, job: null,  // the chosen clip; the running job's id
  clipUrl: null, pickAt: null, clipSel: null, resultFormat: "mp4",  // the clip's preview; the frame being pointed on (s); the selection made there
  points: [], box: null, history: [], maskSeq: 0,  // pointing: clicks [x, y, 1|0] and a box, in photo pixels
};
// display names of choices only
const LABELS = { background: "Background", foreground: "Person", all: "Both", color: "Colour", poisson: "Poisson", none: "None",
  fast: "Fast", gatys: "Gatys (slow, richest; your painting)" };
const MODES = {  // tab -> the panels it shows
  stylize: ["panel-stylize"], video: ["panel-video", "panel-stylize"], paint: ["panel-paint"],
};
const narrow = () => window.matchMedia("(max-width: 760px)").matches;

// ---------- status and errors: errors show in the picture area, and clear stale state ----------
function setStatus(text) { $("status").textContent = text; }

function showError(message) {
  const el = $("error");
  el.textContent = message;
  el.hidden = !message;
  if (message && narrow()) $("view").scrollIntoView({ block: "start" });
}

async function apiError(res) {
  try { const body = await res.json(); return body.error || (body.detail && JSON.stringify(body.detail)) || res.statusText; }
  catch (e) { return `${res.status} ${res.statusText}`; }
}

function setBusy(busy) {
  state.busy = busy;
  $("veil").classList.toggle("hidden", !busy);
  $("go").disabled = busy || !(state.mode === "video" ? state.clip : state.photo);
}

// ---------- options from the server ----------
function field(list, name) { return list.find((f) => f.name === name); }

// a range input over a schema field: percent (0..100 of the value) or the value itself
function slider(input, out, f, percent) {
  const [lo, hi] = f.page_range || [f.min, f.max];
  const scale = percent ? 100 : 1;
  input.min = lo * scale; input.max = hi * scale;
  input.step = percent || hi - lo >= 10 ? 1 : 0.1;
  input.value = (f.default ?? f.suggested) * scale;
  input.dataset.scale = scale;
  const show = () => { out.textContent = percent ? `${input.value}%` : input.value; };
  input.addEventListener("input", show);
  show();
}

function value(input) { return String(input.value / Number(input.dataset.scale)); }

function choices(container, f, make) {
  container.innerHTML = "";
  for (const c of f.choices) container.appendChild(make(c, c === f.default));
}

async function loadOptions() {
  const opts = await (await fetch("/api/options")).json();
  const st = opts.stylize, pt = opts.paint;
  state.preset = field(st, "style").suggested;
  state.fgPreset = field(st, "fg_style").suggested;
  choices($("regions"), field(st, "region"), (c, on) => {
    const label = document.createElement("label");
    label.innerHTML = `<input type="radio" name="region" value="${c}"${on ? " checked" : ""}> ${LABELS[c] || c}`;
    return label;
  });
  slider($("strength"), $("strength-out"), field(st, "strength"), true);
  slider($("blur"), $("blur-out"), field(st, "blur"), false);
  slider($("height"), $("height-out"), field(pt, "height"), true);
  choices($("harmonize"), field(pt, "harmonize"), (c, on) => new Option(LABELS[c] || c, c, on, on));
  choices($("engine"), field(st, "engine"), (c, on) => new Option(LABELS[c] || c, c, on, on));
  slider($("iterations"), $("iterations-out"), field(opts.gatys, "iterations"), false);
  slider($("gatys-size"), $("gatys-size-out"), field(opts.gatys, "size"), false);
  $("gatys-size").step = 64;
}

// ---------- style grids: radiogroups with one tab stop and arrow keys ----------
function tile(style, key, container) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "tile";
  b.setAttribute("role", "radio");
  b.dataset.style = style.name;
  b.title = style.title ? `${style.title} (${style.name})` : style.name;
  b.innerHTML = `<img loading="lazy" alt="" src="${style.preview}"><span></span>`;
  b.querySelector("span").textContent = style.title || style.name;
  b.addEventListener("click", () => select(container, key, style.name));
  return b;
}

function select(container, key, name, focus) {
  state[key] = name;
  for (const t of container.children) {
    const on = t.dataset.style === name;
    t.setAttribute("aria-checked", on);
    t.tabIndex = on ? 0 : -1;
    if (on && focus) t.focus();
  }
}

function gridKeys(container, key) {
  container.addEventListener("keydown", (e) => {
    const tiles = [...container.children];
    const i = tiles.indexOf(document.activeElement);
    if (i < 0) return;
    const cols = Math.max(1, tiles.filter((t) => t.offsetTop === tiles[0].offsetTop).length);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols }[e.key];
    const to = e.key === "Home" ? 0 : e.key === "End" ? tiles.length - 1 : step === undefined ? -1 : i + step;
    if (to < 0 || to >= tiles.length) return;
    e.preventDefault();
    select(container, key, tiles[to].dataset.style, true);
  });
}

async function loadStyles() {
  const body = await (await fetch("/api/styles")).json();
  for (const [id, key] of [["styles", "preset"], ["fg-styles", "fgPreset"]]) {
    const container = $(id);
    container.innerHTML = "";
    for (const s of body.presets) container.appendChild(tile(s, key, container));
    select(container, key, state[key]);
    gridKeys(container, key);
  }
}

function setPainting(file) {  // the user's painting joins the grid as its first, selected tile
  const grid = $("styles");
  grid.querySelector("[data-style='painting']")?.remove();
  if (state.paintingUrl) URL.revokeObjectURL(state.paintingUrl);
  state.painting = file || null;
  state.paintingUrl = file ? URL.createObjectURL(file) : null;
  if (file) grid.prepend(tile({ name: "painting", title: "Your painting", preview: state.paintingUrl }, "preset", grid));
  select(grid, "preset", file ? "painting" : state.preset === "painting" ? grid.children[0].dataset.style : state.preset);
}

// ---------- the picture: photo with the person outlined (or cut out), result with a divider ----------
function showResult(url) {
  const video = state.mode === "video";
  $("clip-out").classList.toggle("hidden", !(video && url));
  $("clip-out-gif").classList.toggle("hidden", !(video && url && state.resultFormat === "gif"));
  $("stage").classList.toggle("hidden", video || !state.photo);
  $("empty").classList.toggle("hidden", video ? !!url : !!state.photo);
  $("empty").textContent = video ? "Your stylized clip plays here." : "Your photo appears here, with the person outlined.";
  if (video) {  // a GIF plays in an <img>: a <video> cannot show it
    const gif = !!url && state.resultFormat === "gif";
    $("clip-out").classList.toggle("hidden", !url || gif);
    $("clip-out-gif").classList.toggle("hidden", !gif);
    $("download").classList.toggle("hidden", !url);
    for (const id of ["show", "pointing", "divider", "tag-before", "tag-after"]) $(id).classList.add("hidden");
    if (url) {
      if (gif) { $("clip-out").removeAttribute("src"); $("clip-out-gif").src = url; } else $("clip-out").src = url;
      $("download").href = url; $("download").download = `stylecut.${state.resultFormat}`;
    }
    return;
  }
  const has = !!url;
  $("after").classList.toggle("hidden", !has);
  $("download").classList.toggle("hidden", !has);
  const compare = has && state.mode === "stylize";
  for (const id of ["divider", "tag-before", "tag-after"]) $(id).classList.toggle("hidden", !compare);
  $("stage").classList.toggle("comparing", compare);
  $("overlay").classList.toggle("hidden", has);
  $("show").classList.toggle("hidden", has || !state.mask || state.mode !== "stylize");
  $("pointing").classList.toggle("hidden", has || !state.photo || state.mode !== "stylize");
  $("stage").classList.toggle("pointable", !has && state.mode === "stylize");
  if (has) {
    $("after").src = url;
    $("download").href = url;
    $("download").download = state.mode === "paint" ? "stylecut-painting.png" : "stylecut.png";
    setSplit(state.mode === "paint" ? 0 : state.split);
  }
}

function setSplit(pct) {
  const p = Math.max(0, Math.min(100, Math.round(pct)));
  if (state.mode === "stylize") state.split = p;
  $("after").style.clipPath = `inset(0 0 0 ${p}%)`;  // before on the left of the divider, after on the right
  const d = $("divider");
  d.style.left = `${p}%`;
  d.setAttribute("aria-valuenow", p);
  d.setAttribute("aria-valuetext", `${p} % before, ${100 - p} % after`);
}

function wireCompare() {
  const stage = $("stage"), d = $("divider");
  const at = (e) => { const r = stage.getBoundingClientRect(); return 100 * (e.clientX - r.left) / r.width; };
  let dragging = false;
  stage.addEventListener("pointerdown", (e) => {
    if (!stage.classList.contains("comparing")) return;
    dragging = true;
    e.preventDefault();  // no native image drag, no text selection
    stage.setPointerCapture(e.pointerId);
    setSplit(at(e));
  });
  stage.addEventListener("pointermove", (e) => { if (dragging) setSplit(at(e)); });
  stage.addEventListener("dragstart", (e) => e.preventDefault());
  const stop = () => { dragging = false; };
  stage.addEventListener("pointerup", stop);
  stage.addEventListener("pointercancel", stop);
  d.addEventListener("keydown", (e) => {
    const delta = { ArrowLeft: -2, ArrowDown: -2, ArrowRight: 2, ArrowUp: 2, PageDown: -10, PageUp: 10 }[e.key];
    if (e.key === "Home") setSplit(0); else if (e.key === "End") setSplit(100);
    else if (delta !== undefined) setSplit(state.split + delta); else return;
    e.preventDefault();
  });
}

function alphaCanvas(w, h, soft) {  // the mask at display size as a white shape with the mask as its alpha
  const c = new OffscreenCanvas(w, h), x = c.getContext("2d");
  x.drawImage(state.mask, 0, 0, w, h);
  const img = x.getImageData(0, 0, w, h);
  for (let i = 0; i < img.data.length; i += 4) {
    img.data[i + 3] = soft ? img.data[i] : img.data[i] > 127 ? 255 : 0;
    img.data[i] = img.data[i + 1] = img.data[i + 2] = 255;
  }
  x.putImageData(img, 0, 0);
  return c;
}

function ring(shape, w, h, radius, color) {  // the band of width `radius` just outside the shape
  const c = new OffscreenCanvas(w, h), x = c.getContext("2d");
  for (let a = 0; a < 16; a++) {
    const t = (a / 16) * 2 * Math.PI;
    x.drawImage(shape, radius * Math.cos(t), radius * Math.sin(t));
  }
  x.globalCompositeOperation = "source-in";
  x.fillStyle = color; x.fillRect(0, 0, w, h);
  x.globalCompositeOperation = "destination-out";
  x.drawImage(shape, 0, 0);
  return c;
}

function drawOverlay() {
  const canvas = $("overlay"), img = $("before");
  const ctx = canvas.getContext("2d");
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(img.clientWidth * dpr)), h = Math.max(1, Math.round(img.clientHeight * dpr));
  canvas.width = w; canvas.height = h;
  ctx.clearRect(0, 0, w, h);
  if (!state.mask || state.mode !== "stylize") return;
  if (document.querySelector("input[name=show]:checked").value === "cutout") {  // the person on a checkerboard
    const s = Math.round(12 * dpr);
    for (let y = 0; y < h; y += s) for (let x = 0; x < w; x += s) { ctx.fillStyle = ((x + y) / s) % 2 ? "#d9d9e0" : "#f4f4f8"; ctx.fillRect(x, y, s, s); }
    const person = new OffscreenCanvas(w, h), px = person.getContext("2d");
    px.drawImage(img, 0, 0, w, h);
    px.globalCompositeOperation = "destination-in";
    px.drawImage(alphaCanvas(w, h, true), 0, 0);
    ctx.drawImage(person, 0, 0);
  } else {  // a white line with a dark rim: visible on any background
    const shape = alphaCanvas(w, h, false);
    ctx.drawImage(ring(shape, w, h, 3.5 * dpr, "#14141c"), 0, 0);
    ctx.drawImage(ring(shape, w, h, 1.8 * dpr, "#ffffff"), 0, 0);
  }
  drawMarks(ctx, w, h);
}

async function loadMask() {
  state.mask = null;
  drawOverlay();
  if (state.mode !== "stylize" || !state.photo) return;
  const photo = state.photo, seq = ++state.maskSeq;
  const pointed = state.points.length || state.box;
  setStatus(pointed ? "Updating the selection…" : "Finding the person…");
  const fd = pointingFields(new FormData());
  fd.append("image", photo);
  const res = await fetch("/api/mask", { method: "POST", body: fd });
  if (photo !== state.photo || seq !== state.maskSeq) return;  // another photo or click came meanwhile
  if (!res.ok) {
    if (pointed) { showError(await apiError(res)); undoPoint(false); return; }
    badPhoto(await apiError(res)); return;
  }
  state.mask = await createImageBitmap(await res.blob());
  showResult(state.results.stylize);
  drawOverlay();
  setStatus(pointed ? `Selection updated. Click to add, Shift+click to remove, drag a box; then ${state.pickAt !== null ? "Use this selection for the clip" : "Stylize"}.` :
    "Person found. Pick a style and press Stylize; click one person to keep only them, Shift+click to remove, or drag a box around another subject.");
}

// ---------- pointing: click to add, Shift+click (or Remove) to take away, drag a box ----------
function photoXY(e) {
  const img = $("before"), r = img.getBoundingClientRect();
  const x = (e.clientX - r.left) * img.naturalWidth / r.width, y = (e.clientY - r.top) * img.naturalHeight / r.height;
  return [Math.max(0, Math.min(img.naturalWidth - 1, x)), Math.max(0, Math.min(img.naturalHeight - 1, y))];
}

function pointable() { return state.mode === "stylize" && !!state.photo && !state.busy && !$("stage").classList.contains("comparing"); }

function setPointing(points, box) {
  state.history.push([state.points, state.box]);
  state.points = points; state.box = box;
  afterPointing();
}

function undoPoint(reload = true) {
  const last = state.history.pop();
  if (!last) return;
  [state.points, state.box] = last;
  afterPointing(reload);
}

function afterPointing(reload = true) {
  $("undo").disabled = !state.history.length;
  $("clear-points").disabled = !(state.points.length || state.box);
  if (state.results.stylize) URL.revokeObjectURL(state.results.stylize);
  state.results.stylize = null;  // a result made with another selection is stale
  if (state.mode === "stylize") showResult(null);
  if (reload) loadMask().catch((e) => showError(e.message));
}

function wirePointing() {
  const stage = $("stage");
  let start = null, drag = null;
  stage.addEventListener("pointerdown", (e) => {
    if (!pointable()) return;
    e.preventDefault();
    stage.setPointerCapture(e.pointerId);
    start = { xy: photoXY(e), cx: e.clientX, cy: e.clientY, remove: e.shiftKey || document.querySelector("input[name=point]:checked").value === "remove" };
    drag = null;
  });
  stage.addEventListener("pointermove", (e) => {
    if (!start) return;
    if (Math.hypot(e.clientX - start.cx, e.clientY - start.cy) > 8) { drag = photoXY(e); drawOverlay(); }
  });
  stage.addEventListener("pointerup", (e) => {
    if (!start) return;
    const s = start; start = null;
    if (drag) {
      const [x0, x1] = [s.xy[0], drag[0]].sort((a, b) => a - b), [y0, y1] = [s.xy[1], drag[1]].sort((a, b) => a - b);
      drag = null;
      if (x1 - x0 >= 4 && y1 - y0 >= 4) setPointing(state.points, [x0, y0, x1, y1]); else drawOverlay();
    } else setPointing([...state.points, [...s.xy, s.remove ? 0 : 1]], state.box);
  });
  stage.addEventListener("pointercancel", () => { start = null; drag = null; drawOverlay(); });
  state.dragBox = () => (start && drag ? [start.xy, drag] : null);
  $("undo").addEventListener("click", () => undoPoint());
  $("clear-points").addEventListener("click", () => setPointing([], null));
}

function drawMarks(ctx, w, h) {  // the clicks (green +, red -) and the box, over the outline
  const img = $("before"), sx = w / img.naturalWidth, sy = h / img.naturalHeight, dpr = window.devicePixelRatio || 1;
  const box = state.dragBox && state.dragBox();
  const rect = box ? [box[0][0], box[0][1], box[1][0], box[1][1]] : state.box;
  if (rect) {
    ctx.setLineDash([6 * dpr, 4 * dpr]); ctx.lineWidth = 2 * dpr; ctx.strokeStyle = "#ffffff";
    ctx.strokeRect(rect[0] * sx, rect[1] * sy, (rect[2] - rect[0]) * sx, (rect[3] - rect[1]) * sy);
    ctx.setLineDash([]);
  }
  for (const [x, y, p] of state.points) {
    ctx.beginPath(); ctx.arc(x * sx, y * sy, 6 * dpr, 0, 2 * Math.PI);
    ctx.fillStyle = p ? "#1f9d55" : "#d64545"; ctx.fill();
    ctx.lineWidth = 2 * dpr; ctx.strokeStyle = "#ffffff"; ctx.stroke();
  }
}

function badPhoto(message) {  // nothing stale stays: no photo, no veil, no result, Stylize off
  state.photo = null;
  state.mask = null;
  $("stage").classList.add("hidden");
  $("empty").classList.remove("hidden");
  clearResults();
  setBusy(false);
  setStatus("");
  showError(message);
}

function clearResults() {
  for (const k of Object.keys(state.results)) { if (state.results[k]) URL.revokeObjectURL(state.results[k]); state.results[k] = null; }
  showResult(null);
}

function setPhoto(file) {
  if (!file) return;
  state.pickAt = null;  // another photo: no longer pointing on a frame of the clip
  $("use-for-clip").classList.add("hidden");
  showError("");
  clearResults();
  state.photo = file;
  state.points = []; state.box = null; state.history = [];
  afterPointing(false);
  $("photo-name").textContent = file.name ? `${file.name}` : "Pasted image";
  $("photo").value = "";  // the same file can be chosen again; no stale name anywhere
  if (state.photoUrl) URL.revokeObjectURL(state.photoUrl);
  state.photoUrl = URL.createObjectURL(file);
  const img = $("before");
  img.onload = () => {
    $("empty").classList.add("hidden");
    $("stage").classList.remove("hidden");
    setBusy(false);
    loadMask().catch((e) => badPhoto(e.message));
  };
  img.onerror = () => badPhoto("That file is not an image this browser can show. Choose a JPEG, PNG or WebP photo.");
  img.src = state.photoUrl;
}

// ---------- requests ----------
function pointingFields(fd) {
  if (state.box) fd.append("box", state.box.map(Math.round).join(","));
  if (state.points.length) fd.append("points", JSON.stringify(state.points.map(([x, y, p]) => [Math.round(x), Math.round(y), p])));
  return fd;
}

function stylizeForm() {
  const fd = pointingFields(styleFields());
  fd.append("image", state.photo);
  fd.append("format", "png");
  return ["/api/stylize", fd];
}

function styleFields() {  // the style choices, shared by photos, Gatys jobs and videos
  const fd = new FormData();
  if (state.painting && state.preset === "painting") fd.append("style_image", state.painting); else fd.append("style", state.preset);
  fd.append("region", document.querySelector("input[name=region]:checked").value);
  if ($("two-styles").checked) fd.append("fg_style", state.fgPreset);
  fd.append("strength", value($("strength")));
  fd.append("preserve_color", $("preserve").checked ? "true" : "false");
  if ($("blur-on").checked) fd.append("blur", $("blur").value);
  return fd;
}

function gatysForm() {
  if (!(state.painting && state.preset === "painting")) throw new Error("The Gatys engine paints with your own painting: choose one under the styles.");
  const fd = styleFields();
  fd.append("kind", "gatys");
  fd.append("file", state.photo);
  fd.append("iterations", $("iterations").value);
  fd.append("size", $("gatys-size").value);
  return fd;
}

function videoForm() {
  if (!state.clip) throw new Error("Choose a clip.");
  const fd = styleFields();
  const sel = state.clipSel;
  if (sel) {  // the subject pointed at on one frame, followed through the clip both ways
    if (sel.box) fd.append("box", sel.box.map(Math.round).join(","));
    if (sel.points.length) fd.append("points", JSON.stringify(sel.points.map(([x, y, p]) => [Math.round(x), Math.round(y), p])));
    fd.append("select_at", sel.at.toFixed(3));
  }
  fd.append("kind", "video");
  fd.append("file", state.clip);
  fd.append("temporal", $("temporal").checked ? "true" : "false");
  if ($("clip-start").value) fd.append("start", $("clip-start").value);
  if ($("clip-end").value) fd.append("end", $("clip-end").value);
  fd.append("format", $("clip-format").value);
  return fd;
}

// ---------- jobs: long work (videos, Gatys) with progress, ETA and cancel ----------
function showJob(on) {
  $("job").classList.toggle("hidden", !on);
  $("job-progress").value = 0;
  $("job-eta").textContent = "";
}

async function runJob(fd) {
  const res = await fetch("/api/jobs", { method: "POST", body: fd });
  if (!res.ok) throw new Error(await apiError(res));
  let job = await res.json();
  state.job = job.id;
  showJob(true);
  try {
    while (job.state === "queued" || job.state === "running") {
      await new Promise((r) => setTimeout(r, 500));
      const r = await fetch(`/api/jobs/${job.id}`);
      if (!r.ok) throw new Error(await apiError(r));
      job = await r.json();
      $("job-progress").value = job.progress;
      const pct = Math.round(100 * job.progress);
      $("job-eta").textContent = job.state === "queued" ? "Waiting for a free worker…" :
        `${pct}%` + (job.eta_seconds != null ? ` · about ${Math.ceil(job.eta_seconds)} s left` : "");
    }
    if (job.state === "cancelled") throw new Error("Cancelled.");
    if (job.state !== "done") throw new Error(job.error || `The job ${job.state}.`);
    const out = await fetch(job.result);
    if (!out.ok) throw new Error(await apiError(out));
    return await out.blob();
  } finally {
    state.job = null;
    showJob(false);
  }
}

async function cancelJob() {
  if (state.job) await fetch(`/api/jobs/${state.job}`, { method: "DELETE" });
}

function paintForm() {
  if (!state.paintTarget) throw new Error("Choose the painting to paint into.");
  const fd = pointingFields(new FormData());
  fd.append("portrait", state.photo);
  fd.append("painting", state.paintTarget);
  fd.append("height", value($("height")));
  fd.append("harmonize", $("harmonize").value);
  return ["/api/paint", fd];
}

async function request() {  // the current tab's work -> the result as a blob
  const mode = state.mode;
  if (mode === "video") { const fd = videoForm(); state.resultFormat = $("clip-format").value; return runJob(fd); }
  if (mode === "stylize" && $("engine").value === "gatys") return runJob(gatysForm());
  const [url, fd] = mode === "stylize" ? stylizeForm() : paintForm();
  const res = await fetch(url, { method: "POST", body: fd });
  if (!res.ok) throw new Error(await apiError(res));
  return res.blob();
}

async function go() {
  showError("");
  const mode = state.mode;
  setBusy(true);
  const t0 = performance.now();
  const tick = setInterval(() => setStatus(`Working… ${((performance.now() - t0) / 1000).toFixed(1)} s`), 100);
  try {
    const blob = await request();
    if (state.results[mode]) URL.revokeObjectURL(state.results[mode]);
    state.results[mode] = URL.createObjectURL(blob);
    if (state.mode === mode && mode === "video") showResult(state.results[mode]);
    else if (state.mode === mode) {
      await new Promise((resolve) => { $("after").onload = resolve; showResult(state.results[mode]); });
      if (narrow()) $("view").scrollIntoView({ block: "start" });
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    setStatus(mode === "stylize" ? `Done in ${secs} s. Drag across the picture to compare.` :
      mode === "video" ? `Done in ${secs} s. It plays below; Download keeps it.` : `Done in ${secs} s.`);
  } catch (e) {
    showResult(state.results[state.mode] = null);
    setStatus("");
    showError(e.message);
  } finally {
    clearInterval(tick);
    setBusy(false);
  }
}

// ---------- pointing at the subject of a clip: on one of its frames, in the photo view ----------
async function pickFrame() {
  const v = $("clip-pick"), gif = isGif(state.clip);
  if (!gif && (v.readyState < 2 || !v.videoWidth)) { showError("The clip is still loading (or this browser cannot show it); try again in a moment."); return; }
  const frame = gif ? await createImageBitmap(state.clip) : v;  // a GIF: its first frame
  if (!gif) v.pause();
  const c = document.createElement("canvas");
  c.width = gif ? frame.width : v.videoWidth; c.height = gif ? frame.height : v.videoHeight;
  c.getContext("2d").drawImage(frame, 0, 0);
  const blob = await new Promise((resolve) => c.toBlob(resolve, "image/png"));
  const at = gif ? 0 : v.currentTime;
  setMode("stylize");
  setPhoto(new File([blob], `frame at ${at.toFixed(2)} s.png`, { type: "image/png" }));
  state.pickAt = at;  // after setPhoto, which ends any earlier pointing for a clip
  $("use-for-clip").classList.remove("hidden");
  setStatus("Click the subject (Shift+click or Remove takes away, drag a box), then Use this selection for the clip.");
}

function isGif(file) {
  return !!file && (file.type === "image/gif" || /\.gif$/i.test(file.name));
}

function useForClip() {
  if (!(state.points.length || state.box)) { showError("Point at the subject first: click it, or drag a box around it."); return; }
  state.clipSel = { at: state.pickAt, points: state.points, box: state.box };
  setMode("video");
  pickInfo();
}

function pickInfo() {
  const sel = state.clipSel;
  $("pick-clear").disabled = !sel;
  $("pick-info").textContent = !sel ? "Without pointing, the people in the clip are found by themselves." :
    `Subject chosen on the frame at ${sel.at.toFixed(2)} s (${sel.points.length} click${sel.points.length === 1 ? "" : "s"}` +
    `${sel.box ? ", a box" : ""}); it is followed through the whole clip.`;
}

// ---------- tabs ----------
function setMode(mode, focus) {
  if (mode !== "stylize") { state.pickAt = null; $("use-for-clip").classList.add("hidden"); }
  state.mode = mode;
  for (const m of Object.keys(MODES)) {
    const tab = $(`tab-${m}`), on = m === mode;
    tab.classList.toggle("active", on);
    tab.setAttribute("aria-selected", on);
    tab.tabIndex = on ? 0 : -1;
    if (on && focus) tab.focus();
  }
  for (const panel of ["panel-stylize", "panel-video", "panel-paint"]) $(panel).hidden = !MODES[mode].includes(panel);
  $("panel-stylize").setAttribute("aria-labelledby", `tab-${mode === "video" ? "video" : "stylize"}`);
  $("drop").classList.toggle("hidden", mode === "video");
  $("engine-row").classList.toggle("hidden", mode === "video");
  $("gatys-box").classList.toggle("hidden", mode === "video" || $("engine").value !== "gatys");
  $("go").textContent = { stylize: "Stylize", video: "Stylize the clip", paint: "Paint into it" }[mode];
  setBusy(state.busy);
  showError("");
  setStatus("");
  showResult(state.results[mode]);  // each tab keeps its own last result
  drawOverlay();
}

function wire() {
  $("photo").addEventListener("change", (e) => setPhoto(e.target.files[0]));
  $("painting").addEventListener("change", (e) => setPainting(e.target.files[0]));
  $("paint-target").addEventListener("change", (e) => { state.paintTarget = e.target.files[0] || null; });
  const drop = $("drop");
  drop.addEventListener("click", () => $("photo").click());
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("photo").click(); } });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); setPhoto(e.dataTransfer.files[0]); });
  document.addEventListener("paste", (e) => {
    const item = [...(e.clipboardData || {}).items || []].find((i) => i.type.startsWith("image/"));
    if (item) setPhoto(item.getAsFile());
  });
  $("blur-on").addEventListener("change", () => $("blur-box").classList.toggle("hidden", !$("blur-on").checked));
  $("two-styles").addEventListener("change", () => $("fg-styles").classList.toggle("hidden", !$("two-styles").checked));
  for (const r of document.querySelectorAll("input[name=show]")) r.addEventListener("change", drawOverlay);
  $("go").addEventListener("click", go);
  for (const m of Object.keys(MODES)) $(`tab-${m}`).addEventListener("click", () => { if (!state.busy) setMode(m); });
  document.querySelector("[role=tablist]").addEventListener("keydown", (e) => {
    const order = Object.keys(MODES), step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (step === undefined || state.busy) return;
    e.preventDefault();
    setMode(order[(order.indexOf(state.mode) + step + order.length) % order.length], true);
  });
  $("clip").addEventListener("change", (e) => {
    state.clip = e.target.files[0] || null;
    state.clipSel = null;
    pickInfo();
    if (state.clipUrl) URL.revokeObjectURL(state.clipUrl);
    state.clipUrl = state.clip ? URL.createObjectURL(state.clip) : null;
    $("clip-pointing").classList.toggle("hidden", !state.clip);
    const gif = isGif(state.clip);  // a <video> cannot show a GIF: an <img> previews it
    $("clip-pick").classList.toggle("hidden", gif);
    $("clip-pick-gif").classList.toggle("hidden", !gif);
    $("pick-frame").textContent = gif ? "Point at the subject on the first frame" : "Point at the subject on this frame";
    if (state.clipUrl && gif) { $("clip-pick").removeAttribute("src"); $("clip-pick-gif").src = state.clipUrl; }
    else if (state.clipUrl) $("clip-pick").src = state.clipUrl; else $("clip-pick").removeAttribute("src");
    if (state.results.video) URL.revokeObjectURL(state.results.video);
    state.results.video = null;
    showError("");
    showResult(null);
    setBusy(state.busy);
    setStatus(state.clip ? "Press Stylize the clip (or choose another style first)." : "");
  });
  $("job-cancel").addEventListener("click", cancelJob);
  $("pick-frame").addEventListener("click", () => pickFrame().catch((e) => showError(e.message)));
  $("use-for-clip").addEventListener("click", useForClip);
  $("pick-clear").addEventListener("click", () => { state.clipSel = null; pickInfo(); });
  $("engine").addEventListener("change", () => $("gatys-box").classList.toggle("hidden", $("engine").value !== "gatys"));
  window.addEventListener("resize", drawOverlay);
  wireCompare();
  wirePointing();
}

wire();
loadOptions().then(loadStyles).catch((e) => showError(`Could not load the options: ${e.message}`));

// stylecut web page: talks to the HTTP API of the same server; no external assets.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { photo: null, painting: null, paintTarget: null, preset: null, fgPreset: null, mode: "stylize", resultUrl: null };
// display names only; the choices, defaults and ranges come from GET /api/options
const LABELS = { background: "Background", foreground: "Person", all: "Both", color: "colour", poisson: "Poisson" };

function showError(message) {
  const el = $("error");
  el.textContent = message;
  el.hidden = !message;
}

function setStatus(text, busy) {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("busy", !!busy);
}

async function apiError(res) {
  try { const body = await res.json(); return body.error || (body.detail && JSON.stringify(body.detail)) || res.statusText; }
  catch (e) { return `${res.status} ${res.statusText}`; }
}

function grid(container, presets, key) {
  container.innerHTML = "";
  for (const p of presets) {
    const b = document.createElement("button");
    b.type = "button";
    b.title = p.name;
    b.dataset.style = p.name;
    b.innerHTML = `<img loading="lazy" alt="${p.name}" src="${p.preview}">`;
    if (p.name === state[key]) b.classList.add("selected");
    b.addEventListener("click", () => {
      state[key] = p.name;
      if (key === "preset") { state.painting = null; $("painting").value = ""; }
      for (const o of container.children) o.classList.toggle("selected", o === b);
    });
    container.appendChild(b);
  }
}

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
}

function value(input) { return String(input.value / Number(input.dataset.scale)); }

async function loadStyles() {
  const res = await fetch("/api/styles");
  const body = await res.json();
  grid($("styles"), body.presets, "preset");
  grid($("fg-styles"), body.presets, "fgPreset");
}

function clearResult() {
  $("after-clip").classList.add("hidden");
  $("compare").classList.add("hidden");
  $("download").classList.add("hidden");
  if (state.resultUrl) URL.revokeObjectURL(state.resultUrl);
  state.resultUrl = null;
}

async function setPhoto(file) {
  if (!file) return;
  showError("");
  clearResult();
  state.photo = file;
  const url = URL.createObjectURL(file);
  const img = $("before");
  img.onload = () => { $("empty").classList.add("hidden"); $("stage").classList.remove("hidden"); drawMask(); };
  img.onerror = () => showError("That file is not an image this browser can show; the server will check it too.");
  img.src = url;
  $("go").disabled = false;
}

async function drawMask() {
  const canvas = $("overlay");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (state.mode !== "stylize" || !state.photo) return;
  setStatus("Finding the person…", true);
  const fd = new FormData();
  fd.append("image", state.photo);
  const res = await fetch("/api/mask", { method: "POST", body: fd });
  if (!res.ok) { setStatus(""); showError(await apiError(res)); return; }
  const mask = await createImageBitmap(await res.blob());
  canvas.width = mask.width; canvas.height = mask.height;
  // tint the background: draw the mask, invert it into a blue veil outside the person
  ctx.drawImage(mask, 0, 0);
  const data = ctx.getImageData(0, 0, mask.width, mask.height);
  for (let i = 0; i < data.data.length; i += 4) {
    const a = data.data[i];
    data.data[i] = 40; data.data[i + 1] = 70; data.data[i + 2] = 200;
    data.data[i + 3] = Math.round((255 - a) * 0.45);
  }
  ctx.putImageData(data, 0, 0);
  setStatus("Person found. Pick a style and press Stylize.");
}

function stylizeForm() {
  const fd = new FormData();
  fd.append("image", state.photo);
  if (state.painting) fd.append("style_image", state.painting); else fd.append("style", state.preset);
  fd.append("region", document.querySelector("input[name=region]:checked").value);
  if ($("two-styles").checked) fd.append("fg_style", state.fgPreset);
  fd.append("strength", value($("strength")));
  fd.append("preserve_color", $("preserve").checked ? "true" : "false");
  if ($("blur-on").checked) fd.append("blur", $("blur").value);
  fd.append("format", "png");
  return ["/api/stylize", fd];
}

function paintForm() {
  if (!state.paintTarget) throw new Error("Choose the painting to paint into.");
  const fd = new FormData();
  fd.append("portrait", state.photo);
  fd.append("painting", state.paintTarget);
  fd.append("height", value($("height")));
  fd.append("harmonize", $("harmonize").value);
  return ["/api/paint", fd];
}

async function go() {
  showError("");
  let url, fd;
  try { [url, fd] = state.mode === "stylize" ? stylizeForm() : paintForm(); }
  catch (e) { showError(e.message); return; }
  $("go").disabled = true;
  const t0 = performance.now();
  const tick = setInterval(() => setStatus(`Working… ${((performance.now() - t0) / 1000).toFixed(1)} s`, true), 100);
  try {
    const res = await fetch(url, { method: "POST", body: fd });
    if (!res.ok) throw new Error(await apiError(res));
    const blob = await res.blob();
    clearResult();
    state.resultUrl = URL.createObjectURL(blob);
    const after = $("after");
    await new Promise((resolve) => { after.onload = resolve; after.src = state.resultUrl; });
    if (state.mode === "paint") {  // a new picture: show it on its own
      $("before").src = state.resultUrl;
      $("overlay").getContext("2d").clearRect(0, 0, 1e5, 1e5);
    } else {
      $("after-clip").classList.remove("hidden");
      $("compare").classList.remove("hidden");
      setCompare();
    }
    const dl = $("download");
    dl.href = state.resultUrl;
    dl.classList.remove("hidden");
    setStatus(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s. Drag the slider to compare.`);
  } catch (e) {
    setStatus("");
    showError(e.message);
  } finally {
    clearInterval(tick);
    $("go").disabled = !state.photo;
  }
}

function setCompare() {
  $("after-clip").style.clipPath = `inset(0 0 0 ${100 - $("compare").value}%)`;
}

function setMode(mode) {
  state.mode = mode;
  $("tab-stylize").classList.toggle("active", mode === "stylize");
  $("tab-paint").classList.toggle("active", mode === "paint");
  $("tab-stylize").setAttribute("aria-selected", mode === "stylize");
  $("tab-paint").setAttribute("aria-selected", mode === "paint");
  $("stylize-controls").classList.toggle("hidden", mode !== "stylize");
  $("paint-controls").classList.toggle("hidden", mode !== "paint");
  $("go").textContent = mode === "stylize" ? "Stylize" : "Paint into it";
  clearResult();
  if (state.photo) { $("before").src = URL.createObjectURL(state.photo); }
}

function wire() {
  $("photo").addEventListener("change", (e) => setPhoto(e.target.files[0]));
  $("painting").addEventListener("change", (e) => {
    state.painting = e.target.files[0] || null;
    for (const o of $("styles").children) o.classList.toggle("selected", !state.painting && o.dataset.style === state.preset);
  });
  $("paint-target").addEventListener("change", (e) => { state.paintTarget = e.target.files[0] || null; });
  const drop = $("drop");
  drop.addEventListener("click", (e) => { if (e.target !== $("photo")) $("photo").click(); });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); setPhoto(e.dataTransfer.files[0]); });
  document.addEventListener("paste", (e) => {
    const item = [...(e.clipboardData || {}).items || []].find((i) => i.type.startsWith("image/"));
    if (item) setPhoto(item.getAsFile());
  });
  $("blur-on").addEventListener("change", () => $("blur-box").classList.toggle("hidden", !$("blur-on").checked));
  $("two-styles").addEventListener("change", () => $("fg-styles").classList.toggle("hidden", !$("two-styles").checked));
  $("compare").addEventListener("input", setCompare);
  $("go").addEventListener("click", go);
  $("tab-stylize").addEventListener("click", () => setMode("stylize"));
  $("tab-paint").addEventListener("click", () => setMode("paint"));
}

wire();
loadOptions().then(loadStyles).catch((e) => showError(`Could not load the options: ${e.message}`));

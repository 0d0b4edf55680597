#!/usr/bin/env bash
# Set up stylecut in ./.venv (fresh machine or existing), then run the demo.
#   bash scripts/setup.sh            # install everything, then `stylecut demo`
#   bash scripts/setup.sh --no-demo  # install only (used by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $($PY --version)"
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${PIP[@]}" install --upgrade pip
# CPU torch for the Gatys engine: this exact spec takes the local CPU wheel (any other pulls GBs of CUDA).
"${PIP[@]}" install "torch==2.13.0"
"${PIP[@]}" install -e ".[gatys,server,ray,dev]"
# The segmentation models are files inside the mediapipe==0.10.21 wheel (Apache-2.0). Take only those files:
# an installed mediapipe would declare requirements it does not get (pip prints ERROR lines, pip check fails).
if .venv/bin/python -m pip show mediapipe >/dev/null 2>&1; then "${PIP[@]}" uninstall -y mediapipe; fi
.venv/bin/python scripts/mediapipe_files.py
# Byte-compile once: editable sources are never compiled by pip, and with PYTHONDONTWRITEBYTECODE set
# (as on this machine) pip skips the packages too, so every start recompiled numpy, PIL, cv2... (~0.35 s
# a command). Quick when done already; a few of the packages' own test files do not compile: ignored.
.venv/bin/python -m compileall -q src
.venv/bin/python -m compileall -q -j 0 "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
  >/dev/null 2>&1 || true
# A second OpenCV distribution would overwrite cv2 without ximgproc: fail loudly if that happened.
.venv/bin/python -c "import cv2; cv2.ximgproc.guidedFilter" \
  || { echo "error: cv2.ximgproc missing; uninstall other opencv-python packages" >&2; exit 1; }
echo "stylecut installed in .venv ($(.venv/bin/stylecut --version))"
if [ "${1:-}" != "--no-demo" ]; then
  .venv/bin/stylecut demo
fi

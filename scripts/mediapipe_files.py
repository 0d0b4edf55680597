"""Take stylecut's model files out of the mediapipe==0.10.21 wheel, without installing mediapipe.

    python scripts/mediapipe_files.py        # run by scripts/setup.sh, after stylecut is installed

The wheel is fetched from the package index (pip download, no dependencies) and only the files that
stylecut.runtime.model_files lists for the package "mediapipe" (and its licence) are written to
site-packages/mediapipe/ - a folder of data with no package metadata, so `pip check` stays clean and
nothing claims mediapipe's unmet requirements. stylecut finds them with importlib.util.find_spec.
"""
from __future__ import annotations

import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

from stylecut.runtime.model_files import MODELS

WHEEL = "mediapipe==0.10.21"


def main() -> int:
    site = Path(sysconfig.get_paths()["purelib"])
    wanted = [m.relpath for m in MODELS.values() if m.package == "mediapipe"]
    if all((site / "mediapipe" / rel).is_file() for rel in wanted):
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "--disable-pip-version-check", "-d", tmp, WHEEL], check=True)
        wheel = next(Path(tmp).glob("mediapipe-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            names = set(z.namelist())
            licence = [n for n in names if n.endswith(".dist-info/LICENSE")]
            for rel in wanted + licence:
                member = rel if rel in names else f"mediapipe/{rel}"
                target = site / "mediapipe" / (Path(rel).name if rel in licence else rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(member))
    print(f"model files of {WHEEL} (Apache-2.0) in {site / 'mediapipe'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

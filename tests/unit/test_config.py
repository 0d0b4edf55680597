"""Process-wide settings: the allocator tuning applies on glibc and yields to the user's own."""
from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = "from stylecut.core.config import keep_freed_images; print(keep_freed_images())"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
@pytest.mark.parametrize(("env", "applied"), [({}, "True"), ({"MALLOC_MMAP_THRESHOLD_": "65536"}, "False")])
def test_keep_freed_images_respects_the_users_malloc_settings(env, applied):
    out = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env={**_base_env(), **env})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == applied


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}

"""Find model files inside installed packages without importing those packages."""
from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from stylecut.core.errors import StylecutError
from stylecut.runtime.caches import process_cache
from stylecut.runtime.model_files import MODELS


@cache
def model_path(key: str) -> Path:
    """Absolute path of a registered model file; a clear error says what to install if it is missing."""
    try:
        m = MODELS[key]
    except KeyError:
        raise StylecutError(f"unknown model {key!r}; known: {', '.join(MODELS)}") from None
    spec = importlib.util.find_spec(m.package)  # locates the package, does not import it
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        p = Path(root) / m.relpath
        if p.is_file():
            return p
    raise StylecutError(f"model file {m.relpath} not found; install it with: pip install {m.pip_name}")


process_cache('model paths', model_path.cache_clear)

"""Registries of segmenters and style engines, in the manner of timm's register_model.

A new segmenter or style engine is one module that defines it and registers it::

    from stylecut.core.registry import register_engine

    @register_engine("my_net", family="fast")
    class MyNet: ...

and one line in BUILTIN_MODULES (or an import by the user's code for a plug-in). The CLI's
choices, the server's validation, `stylecut styles` and `stylecut models` read from here.
"""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from stylecut.core.errors import StylecutError

T = TypeVar("T")

# imported on the first look-up, so that registering is an import side effect of these modules only
BUILTIN_MODULES = (
    "stylecut.segmentation.person",
    "stylecut.segmentation.maskfile",
    "stylecut.segmentation.select_segmenter",
    "stylecut.style.presets",
    "stylecut.style.arbitrary",
    "stylecut.style.gatys",
)


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One registered thing: its name, the factory (a class or a function), and free-form facts."""

    name: str
    factory: Callable[..., T]
    info: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, key: str) -> Any:  # entry.family, entry.models, ...
        try:
            return self.info[key]
        except KeyError:
            raise AttributeError(key) from None


class Registry(Generic[T]):
    """Name -> Entry, in registration order; unknown names get one clear StylecutError."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def register(self, name: str, **info: Any) -> Callable[[Callable[..., T]], Callable[..., T]]:
        def add(factory: Callable[..., T]) -> Callable[..., T]:
            if name in self._entries and self._entries[name].factory is not factory:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._entries[name] = Entry(name, factory, dict(info))
            return factory

        return add

    def entries(self) -> list[Entry[T]]:
        """Built-ins in BUILTIN_MODULES order (whatever imported them first), then plug-ins as registered."""
        load_builtins()
        rank = {m: i for i, m in enumerate(BUILTIN_MODULES)}
        return sorted(self._entries.values(), key=lambda e: rank.get(e.factory.__module__, len(rank)))

    def names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.entries())

    def entry(self, name: str) -> Entry[T]:
        load_builtins()
        try:
            return self._entries[name]
        except KeyError:
            raise StylecutError(f"unknown {self.kind} {name!r}; use one of: {', '.join(self.names())}") from None

    def resolve(self, request: Any, name: str = "auto") -> Entry[T]:
        """The entry named `name`, or with 'auto' the first whose factory.accepts(request) is true."""
        if name != "auto":
            return self.entry(name)
        for e in self.entries():
            accepts = getattr(e.factory, "accepts", None)
            if accepts is not None and accepts(request):
                return e
        raise StylecutError(f"no {self.kind} takes this request; name one of: {', '.join(self.names())}")

    def create(self, name: str, *args: Any, **kwargs: Any) -> T:
        return self.entry(name).factory(*args, **kwargs)

    def __iter__(self) -> Iterator[Entry[T]]:
        return iter(self.entries())


SEGMENTERS: Registry[Any] = Registry("segmenter")
ENGINES: Registry[Any] = Registry("style engine")

register_segmenter = SEGMENTERS.register
register_engine = ENGINES.register
list_segmenters = SEGMENTERS.names
list_engines = ENGINES.names
get_segmenter = SEGMENTERS.create
get_engine = ENGINES.create

_loaded = False
_lock = threading.Lock()


def load_builtins() -> None:
    """Import the built-in segmenters and engines (once); each registers itself."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if not _loaded:
            for module in BUILTIN_MODULES:
                importlib.import_module(module)
            _loaded = True


def engine_families() -> tuple[str, ...]:
    """The engine choices users see: 'fast' (feed-forward networks) and the optimisers, in order."""
    out: list[str] = []
    for e in ENGINES:
        if e.family not in out:
            out.append(e.family)
    return tuple(out)


def listed_styles() -> dict[str, str]:
    """Every named style the engines offer, built-in then learned ('preset:7' -> its title)."""
    out: dict[str, str] = {}
    for e in ENGINES:
        titles = e.info.get("titles", {})
        out.update({name: titles.get(name, name) for name in e.info.get("styles", ())})
        extra = getattr(e.factory, "extra_styles", None)
        if extra is not None:
            out.update(extra())
    return out

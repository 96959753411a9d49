"""A module imported on first use, for the heavy libraries a module needs only in some functions.

``pd = lazy_module("pandas")`` at the top of a module keeps the code written as ``pd.DataFrame(...)``
while ``import simteam`` and configuration checks do not pay for pandas (0.4-0.7 s), networkx or
scipy (see the start-up section of docs/performance.md and tests/test_startup.py).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["lazy_module"]


class _LazyModule:
    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"


def lazy_module(name: str) -> ModuleType:
    """A stand-in for ``import name`` whose attributes import the module when first looked up.

    Example:
        >>> import sys
        >>> m = lazy_module("colorsys")
        >>> m.rgb_to_hsv(1.0, 0.0, 0.0)
        (0.0, 1.0, 1.0)
        >>> "colorsys" in sys.modules
        True
    """
    return _LazyModule(name)  # type: ignore[return-value]

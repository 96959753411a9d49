"""The parameter machinery: :func:`param` fields with a documented default, range and meaning.

Every mechanism declares its own parameter dataclass with :func:`param` fields in its own module
(``simteam.people.PeopleConfig``, ``simteam.selling.SellingConfig``, ...); :mod:`simteam.config`
assembles them into :class:`simteam.config.SimConfig` and validates them from the metadata recorded
here. This module imports nothing from simteam.
"""

from __future__ import annotations

import copy
from dataclasses import field
from typing import Any

__all__ = ["ConfigError", "param", "sub"]


class ConfigError(ValueError):
    """A configuration value is invalid. The message names the field and what is allowed."""


def param(default: Any, lo: float | None = None, hi: float | None = None, doc: str = "",
          unit: str = "", choices: tuple[str, ...] | None = None, source: str = ""):
    """A dataclass field with a documented default, range and meaning.

    Args:
        default: Default value.
        lo: Smallest allowed value (inclusive), or None.
        hi: Largest allowed value (inclusive), or None.
        doc: One-line meaning, shown in the docs and in error messages.
        unit: Unit of the value.
        choices: For strings, the allowed values.
        source: Where the default comes from (literature or calibration).
    """
    md = {"lo": lo, "hi": hi, "doc": doc, "unit": unit, "choices": choices, "source": source}
    if isinstance(default, list):
        return field(default_factory=lambda d=default: copy.deepcopy(d), metadata=md)
    return field(default=default, metadata=md)


def sub(cls):
    """A nested dataclass field."""
    return field(default_factory=cls)

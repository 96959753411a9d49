"""Answer a bad value on the ``simteam`` command line before Hydra is imported (start-up, issue 19).

Importing Hydra and composing the configuration takes about a second before the validation of
:func:`simteam.config.from_dict` can run. For the common mistake, a plain ``section.field=value``
with a value out of range (``simteam team.team_size=-3``), :func:`precheck` gives the same one-line
answer in a fraction of that, from :mod:`simteam.config` alone.

It answers only when that is exactly the answer the full path gives, and otherwise returns None
(the command then goes through Hydra as always):

* every argument is ``path=value`` with ``path`` a single-valued field of
  :class:`simteam.config.SimConfig` (``weeks``, ``team.team_size``, ``selling.win_base`` ...), each
  path once, and nothing else: no flags (``-m``, ``--cfg``, ``--help`` ...), no config groups
  (``market=...``), no ``+``/``~`` prefixes, no app or ``hydra.`` keys;
* each value is a literal Hydra reads one way only: a whole number (for a whole-number or decimal
  field), a decimal number (for a decimal field) or a plain word (for a text field); anything
  else (quotes, ``${...}``, lists, sweeps ``a,b``, ``true``/``null``/``inf``) is left to Hydra;
* Hydra would hand the value to :func:`simteam.config.from_dict` unchanged (a whole number in a
  decimal field as a float, as OmegaConf does), and the composed default configuration is valid,
  so the first error of the full validation is the first per-field error among these values, in
  the order :func:`simteam.config.validate` checks the fields: the one returned here, made by the
  same check (``simteam.config._check_value``).

Values that pass here still go through Hydra and the whole validation (cross-field rules, files).
Not used when ``SIMTEAM_CONF_DIR`` points at other configs or ``HYDRA_FULL_ERROR``/``SIMTEAM_DEBUG``
asks for tracebacks. ``tests/test_startup.py`` checks the answers equal the full path's.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path

__all__ = ["precheck"]

_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)=(.*)$")
_INT = re.compile(r"^[+-]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+(?=[eE]))(?:[eE][+-]?[0-9]+)?$")
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: words Hydra's override grammar reads as something other than text
_NOT_TEXT = {"true", "false", "null", "inf", "nan"}
_SKIP = object()


def _scalar_fields() -> dict[str, tuple[int, dataclasses.Field]]:
    """Dotted path -> (position in validation order, field) for every single-valued SimConfig field."""
    from ..config import SimConfig

    out: dict[str, tuple[int, dataclasses.Field]] = {}

    def walk(obj, prefix: str) -> None:
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            path = f"{prefix}.{f.name}" if prefix else f.name
            if dataclasses.is_dataclass(value):
                walk(value, path)
            elif not isinstance(value, (list, tuple, dict)):
                out[path] = (len(out), f)

    walk(SimConfig(), "")
    return out


def _value(text: str, typ: str):
    """The value Hydra and OmegaConf hand to from_dict for ``text`` in a field of type ``typ``, or _SKIP."""
    if typ == "int":
        return int(text) if _INT.match(text) else _SKIP
    if typ == "float":
        if _INT.match(text):
            return float(int(text))
        return float(text) if _FLOAT.match(text) else _SKIP
    if typ == "str":
        return text if _WORD.match(text) and text.lower() not in _NOT_TEXT else _SKIP
    return _SKIP


def precheck(args: Sequence[str], conf_dir: Path | None = None) -> str | None:
    """The error message the ``simteam`` command would print for ``args``, when it can be told exactly
    without Hydra (see the module docstring); None when the arguments pass or need the full path.

    Example:
        >>> precheck(["team.team_size=-3"])
        'team.team_size: -3 is out of range; allowed: a number in [1, 10000] (reps per team (seats))'
        >>> precheck(["team.team_size=5"]) is None, precheck(["-m", "team.team_size=-3"]) is None
        (True, True)
    """
    if not args or os.environ.get("SIMTEAM_CONF_DIR") or "1" in (os.environ.get("HYDRA_FULL_ERROR"),
                                                                   os.environ.get("SIMTEAM_DEBUG")):
        return None
    from ..config import _check_value
    from ..params import ConfigError

    conf = conf_dir or Path(__file__).resolve().parent.parent / "conf"
    fields = _scalar_fields()
    seen: set[str] = set()
    errors: list[tuple[int, str]] = []
    for arg in args:
        m = _ASSIGN.match(arg)
        if not m:
            return None
        path, text = m.groups()
        if path in seen or path not in fields or ("." not in path and (conf / path).is_dir()):
            return None
        seen.add(path)
        order, f = fields[path]
        typ = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
        value = _value(text, typ)
        if value is _SKIP:
            return None
        try:
            _check_value(path, f, value)
        except ConfigError as ex:
            errors.append((order, str(ex)))
    return min(errors)[1] if errors else None

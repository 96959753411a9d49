"""Small helpers for experiments and tests: switch mechanisms on selectively, build configs."""

from __future__ import annotations

import dataclasses

from .config import SimConfig, Switches, from_dict, to_dict

__all__ = ["only", "make"]


def only(*names: str) -> dict:
    """Mechanism switches with only ``names`` on (e.g. ``only("contagion")`` for the DeGroot check)."""
    known = {f.name for f in dataclasses.fields(Switches)}
    unknown = set(names) - known
    if unknown:
        raise ValueError(f"unknown mechanism(s) {sorted(unknown)}; choose from {sorted(known)}")
    return {f: (f in names) for f in sorted(known)}


def make(**sections) -> SimConfig:
    """A validated config from the defaults, with whole sections updated (``make(team={"team_size": 8})``)."""
    d = to_dict(SimConfig())
    for k, v in sections.items():
        if isinstance(v, dict) and isinstance(d.get(k), dict):
            d[k].update(v)
        else:
            d[k] = v
    return from_dict(d)

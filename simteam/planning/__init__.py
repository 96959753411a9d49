"""Scenario planning for sales leaders: a roster and a scenario file in, a decision report out.

* :mod:`.scenario` — the scenario YAML schema, its validation and compilation to simulation configs;
* :mod:`.checks` — the checks of a scenario and its inputs without simulating (``--check``);
* :mod:`.planner` — run every alternative on the same futures and analyse the paired differences;
* :mod:`.report` — figures and the self-contained HTML report;
* :mod:`.cli` — ``python -m simteam.planning``.

The roster reader lives in the core (:mod:`simteam.roster`), since a roster is also a model input.
The names below are imported on first use (``--check`` never loads the engine or the report).
"""

from __future__ import annotations

import importlib

__all__ = ["RESULT_COLUMNS", "AltRun", "PlanResult", "SeatTracker", "analyse", "check", "main", "plan",
           "run_alternatives", "run_task"]

_HOME = {"main": ".cli", "check": ".checks"}


def __getattr__(name: str):
    if name in __all__:
        value = getattr(importlib.import_module(_HOME.get(name, ".planner"), __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)

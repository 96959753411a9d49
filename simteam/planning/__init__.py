"""Scenario planning for sales leaders: a roster and a scenario file in, a decision report out.

* :mod:`.scenario` — the scenario YAML schema, its validation and compilation to simulation configs;
* :mod:`.plan` — run every alternative on the same futures and analyse the paired differences;
* :mod:`.report` — figures and the self-contained HTML report.

The roster reader lives in the core (:mod:`simteam.roster`), since a roster is also a model input.
"""

from .plan import (RESULT_COLUMNS, AltRun, PlanResult, SeatTracker, analyse, main, plan,
                   run_alternatives, run_task)

__all__ = ["RESULT_COLUMNS", "AltRun", "PlanResult", "SeatTracker", "analyse", "main", "plan",
           "run_alternatives", "run_task"]

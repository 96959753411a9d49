"""Checking a scenario without simulating: the roster, the team history, every alternative's config and policies.

This is all ``python -m simteam.planning SCENARIO --check`` runs, so it imports only what validation needs
(no engine, no pandas unless the scenario has a team history to read): the check answers in about a second.
A full run (:func:`simteam.planning.plan`) runs the same checks first.
"""

from __future__ import annotations

from ..config import ConfigError, SimConfig
from ..roster import Roster, load_roster
from .scenario import Scenario, alternative_policies, compile_alternative, resolve_path

__all__ = ["check", "scenario_history", "scenario_roster"]


def scenario_roster(sc: Scenario, base: SimConfig | None = None) -> Roster | None:
    """Load the scenario's roster (with its team list and scales), or the base config's, or None."""
    path = sc.team.get("roster") or (base.team.roster if base is not None else "")
    if not path:
        return None
    t = sc.team
    return load_roster(resolve_path(path, sc), teams=t.get("teams"), survey_scale=t.get("survey_scale", (1, 5)),
                       skill_scale=t.get("skill_scale", (1, 5)), columns=t.get("columns"), as_of=t.get("as_of"))


def scenario_history(sc: Scenario, roster: Roster | None = None, validate_only: bool = False):
    """The scenario's team history (``history:``), validated against the roster; None when there is none
    (or with ``validate_only``: check the file, build nothing)."""
    if not sc.history:
        return None
    from .history import load_history
    return load_history(resolve_path(sc.history, sc), roster=roster, validate_only=validate_only)


def check(sc: Scenario, base: SimConfig | None = None) -> Roster | None:
    """Validate what a run needs without simulating: the roster, the named reps and teams, each alternative's
    config and policies. Returns the roster. Raises ConfigError listing the problems."""
    roster = scenario_roster(sc, base)
    problems = []
    for n in sc.names:
        try:
            compile_alternative(sc, n, base)
            alternative_policies(sc, n, roster)
        except ConfigError as e:
            problems += str(e).split("\n")  # alternative_policies lists every action's problem, one a line
    if sc.history:
        try:
            scenario_history(sc, roster, validate_only=True)
        except ConfigError as e:
            problems.append(str(e).replace("\n", "\n    "))
    if problems:
        raise ConfigError(f"scenario {sc.source}: {len(problems)} problem{'s' if len(problems) > 1 else ''}:\n"
                          + "\n".join("  - " + p for p in dict.fromkeys(problems)))
    return roster

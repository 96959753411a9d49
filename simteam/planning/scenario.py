"""Scenario files for sales leaders: my team, my market, my plan, and the alternatives to compare.

A scenario is a YAML mapping (``simteam/conf/scenario/*.yaml``; ``simteam/conf/scenario/example_rollout.yaml``
documents every field). :func:`load_scenario` validates it and reports every problem with
the field's path (``scenario.timeline[1].week: ...``). :func:`compile_alternative` turns
one alternative into a plain, validated :class:`simteam.config.SimConfig`; it is a pure
function (no files are read except to check that the roster exists). Uncertain events
with a time window become policy objects (:func:`event_policies`), identical for every
alternative, so that all alternatives face the same possible futures.

How the parts map onto the engine:

=========================== ===================================================================
scenario                    simteam
=========================== ===================================================================
team.roster / team.edges    ``team.roster`` / ``team.graph = edgelist``, ``team.edgelist``
team.size, team.teams_count ``team.team_size``, ``team.n_teams`` (ignored with a roster)
leadership.style + values   ``leadership.*`` (a preset of :data:`simteam.leadership.STYLES`)
crisis_response             ``crisis.strategy``
market.outlook              ``market.shocks`` (stable, or a preset of :data:`simteam.market.PRESETS`)
timeline: rollout           a :class:`simteam.config.Initiative` (``kind = tool``) starting that week
timeline: new_approach      a :class:`simteam.config.Initiative` with ``kind = approach``
timeline: regroup           ``change.regroup_weeks``
timeline: hire              an :class:`simteam.config.Event` ``hire`` (fills open seats at once)
timeline: quota_change      an :class:`simteam.config.Event` ``quota_change`` (quota x factor)
timeline: recognition_event an :class:`simteam.config.Event` ``recognition_event``
timeline: dismiss/replace/  a :class:`RepAction` policy on the named rep's seat
move
timeline: rollout teams     a :class:`TeamPilot` policy (the initiative exposed in those teams)
leaders.teams, leaders.*    ``mechanisms.leaders = true`` in every alternative, ``leaders.*`` settings, and a
                            :class:`LeaderProfiles` policy (each named team's profile at week 0)
timeline: promote,          a :class:`LeaderAction` policy (:mod:`simteam.leaders` ``promote``,
leader_leaves, hire_leader  ``leader_leaves``, ``hire_leader``); any of them turns leaders on everywhere
events (certain market)     a shock in ``market.shocks`` (probability 1 and a fixed week)
events (fixed week)         an :class:`simteam.config.Event` with its ``probability``
events (time window)        a :class:`WindowEvent` policy: per replication, whether it happens
                            (``probability``) and its week (uniform over the window) are drawn
                            from the stream ``scenario_event:<id>``
=========================== ===================================================================

Scenario events come first in ``SimConfig.events`` (in file order), planned actions after
them, so each event keeps its own random stream whatever the plan: common random numbers.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..config import ConfigError, Initiative, Shock, SimConfig, did_you_mean, from_dict, to_dict
from ..leadership import STRATEGIES, STYLES
from ..market import PRESETS, shock_path
from ..network import rowsum

__all__ = [
    "ACTIONS",
    "EVENT_KINDS",
    "Scenario",
    "WindowEvent",
    "alternative_actions",
    "alternative_policies",
    "removed_reps",
    "promoted_reps",
    "uses_leaders",
    "LeaderAction",
    "LeaderProfiles",
    "compile_all",
    "compile_alternative",
    "describe_alternative",
    "dump_resolved",
    "event_policies",
    "load_scenario",
    "resolve_path",
]

#: Planned action kinds -> allowed fields (besides id, action, week).
ROLLOUT_FIELDS = {"training": (0.0, 1.0), "pilot_share": (0.0, 1.0), "pilot_weeks": (0, 520),
                  "mandate_week": (-1, 100_000), "support": (0.0, 1.0), "p": (0.0, 10.0), "q": (0.0, 10.0),
                  "dip": (0.0, 0.95), "dip_weeks": (0.1, 104.0), "gain": (0.0, 2.0), "gain_weeks": (0.1, 520.0),
                  "adoption_speed": (0.05, 20.0), "gain_sd": (0.0, 2.0)}
ACTIONS: dict[str, dict[str, tuple]] = {
    "rollout": ROLLOUT_FIELDS,
    "new_approach": ROLLOUT_FIELDS,
    "regroup": {},
    "hire": {"count": (1, 100_000)},
    "quota_change": {"factor": (0.1, 10.0)},
    "recognition_event": {},
    "dismiss": {},
    "replace": {"skill": (-1e9, 1e9)},
    "move": {},
    "promote": {},
    "leader_leaves": {},
    "hire_leader": {"weeks_to_hire": (0, 104)},
}
#: Actions on the teams' leaders (they need leaders as agents: the scenario turns them on).
LEADER_ACTIONS = ("promote", "leader_leaves", "hire_leader")
#: Non-numeric fields of actions: kind -> {field: what is expected}.
TEXT_FIELDS: dict[str, dict[str, str]] = {
    "rollout": {"teams": "a list of team names (the pilot teams)"},
    "new_approach": {"teams": "a list of team names (the pilot teams)"},
    "dismiss": {"rep": "a rep_id of the roster"},
    "replace": {"rep": "a rep_id of the roster", "toxic": "true or false (the new hire's behaviour)"},
    "move": {"rep": "a rep_id of the roster", "to_team": "a team name of the roster"},
    "promote": {"rep": "a rep_id of the roster",
                "team": "a team name of the roster (the team the rep will lead; default: the rep's own team)",
                "style": "a leadership style the new manager leads with (default: the team's)"},
    "leader_leaves": {"team": "a team name of the roster"},
    "hire_leader": {"team": "a team name of the roster", "style": "a leadership style (default: the team's)"},
}
#: Text fields that must be given, per action kind.
REQUIRED_TEXT = {"dismiss": ("rep",), "replace": ("rep",), "move": ("rep", "to_team"), "promote": ("rep",),
                 "leader_leaves": ("team",), "hire_leader": ("team",)}
#: Cost fields of an action or an alternative (money in thousands of the scenario's currency).
COST_FIELDS = {"one_off": (0.0, 1e12), "monthly": (0.0, 1e12), "training_hours": (0.0, 10_000.0),
               "per_rep_monthly": (0.0, 1e9)}
#: The money section: field -> (lo, hi).
MONEY_FIELDS = {"quota": (0.0, 1e12), "deal_size": (0.0, 1e12), "cycle_weeks": (1.0, 104.0),
                "margin": (0.0, 1.0), "hourly_cost": (0.0, 1e6), "recruiting_cost": (0.0, 1e12),
                "severance": (0.0, 1e12)}
#: What ``money.deal_size`` is: the average won deal (default; the planner calibrates the segments' opportunity
#: values to it, :mod:`simteam.planning.deals`) or the average opportunity (used as it is).
DEAL_SIZE_IS = ("won", "opportunity")
#: Uncertain event kinds.
EVENT_KINDS = ("recession", "sudden_stop", "competitor_entry", "lead_loss", "crisis", "lose_top_performer",
               "toxic_hire")
_MARKET_KINDS = ("recession", "sudden_stop", "competitor_entry", "lead_loss")
_INT_FIELDS = {"pilot_weeks", "mandate_week", "count", "week", "weeks_to_hire"}

_TOP_KEYS = ("name", "description", "weeks", "replications", "seed", "team", "leadership", "crisis_response",
             "market", "timeline", "events", "status_quo", "alternatives", "baseline", "rank_by", "sensitivity",
             "assumptions", "money", "paper", "history", "model_uncertainty", "leaders")
_TEAM_KEYS = ("roster", "teams", "survey_scale", "skill_scale", "size", "teams_count", "graph", "edges",
              "columns", "as_of")
_ASSUMPTION_KEYS = ("param", "value", "low", "high", "mode", "label", "source")
_MARKET_KEYS = ("outlook", "start_week", "depth", "growth", "competitor_pressure")
_ALT_KEYS = ("description", "label", "actions", "add", "remove", "leadership", "crisis_response", "set", "events",
             "costs")
RANK_BY = {"revenue": True, "morale_final": True, "trust_final": True, "quits": False}


@dataclass
class Scenario:
    """A validated scenario (plain data; see ``simteam/conf/scenario/example_rollout.yaml``)."""

    name: str
    description: str
    weeks: int | None
    replications: int | None
    seed: int | None
    team: dict
    leadership: dict
    crisis_response: str | None
    market: dict
    timeline: list[dict]
    events: list[dict]
    status_quo: dict
    alternatives: dict[str, dict]
    baseline: str = "status_quo"
    rank_by: str = "revenue"
    sensitivity: bool = True
    assumptions: dict[str, dict] = field(default_factory=dict)
    money: dict = field(default_factory=dict)
    paper: str = "A4"
    history: str = ""
    model_uncertainty: str = ""  #: a range table (simteam/conf/uncertainty/): model effect sizes drawn per future
    leaders: dict = field(default_factory=dict)
    source: str = ""
    base_dir: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        """All alternatives to run: ``status_quo`` first, then the scenario's in file order."""
        return ["status_quo"] + list(self.alternatives)

    def label(self, name: str) -> str:
        """The plain label of an alternative (``label:``), else its name with spaces."""
        d = self.status_quo if name == "status_quo" else self.alternatives.get(name, {})
        return str(d.get("label") or ("Carry on as today" if name == "status_quo" else name.replace("_", " ")))

    @property
    def currency(self) -> str:
        """Unit of money amounts: thousands of the scenario's currency (``k$`` by default)."""
        cur = self.money.get("currency") or "$"
        return f"k{cur}" if len(cur) == 1 else f"k {cur}"


class _Problems:
    def __init__(self):
        self.items: list[str] = []

    def add(self, path: str, msg: str) -> None:
        self.items.append(f"{path}: {msg}")

    def raise_if_any(self, source: str) -> None:
        if self.items:
            n = len(self.items)
            raise ConfigError(f"scenario {source}: {n} problem{'s' if n > 1 else ''}:\n"
                              + "\n".join("  - " + p for p in self.items))


def _unknown_keys(pb: _Problems, path: str, d: dict, allowed) -> None:
    for k in d:
        if k not in allowed:
            pb.add(f"{path}.{k}", f"unknown field{did_you_mean(k, allowed) or '.'} Allowed: {', '.join(allowed)}")


def _num(pb: _Problems, path: str, v: Any, lo=None, hi=None, integer=False, what="") -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not float(v).is_integer()):
        kind = "a whole number" if integer else "a number"
        pb.add(path, f"expected {kind}{' ' + what if what else ''}"
               f"{f' in [{lo}, {hi}]' if lo is not None and hi is not None else ''}, got {v!r}")
        return None
    if not np.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        pb.add(path, f"{v!r} is out of range; allowed: {lo} to {hi}{' (' + what + ')' if what else ''}")
        return None
    return int(v) if integer else float(v)


def _to_plain(obj: Any) -> Any:
    """OmegaConf containers (from Hydra) to plain dicts and lists."""
    if hasattr(obj, "_metadata") and hasattr(obj, "_get_node"):
        from omegaconf import OmegaConf
        return OmegaConf.to_container(obj, resolve=True)
    return obj


def load_scenario(src: str | os.PathLike | dict, base_dir: str | None = None, source: str | None = None) -> Scenario:
    """Read and validate a scenario from a YAML path or a mapping.

    Args:
        src: Path to a YAML file, or the parsed mapping (a dict or an OmegaConf node).
        base_dir: Directory against which relative file paths (roster, edges) are resolved
            first; defaults to the YAML file's directory.
        source: Name of the scenario in messages (default: the file path, or ``mapping``).

    Raises:
        ConfigError: Listing every problem with its field path.
    """
    if isinstance(src, (str, os.PathLike)):
        import yaml
        p = Path(src)
        source = source or str(p)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"scenario: cannot read {str(p)!r}: {e.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"scenario: {p} is not UTF-8 text; a scenario is a YAML file") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"scenario {p}:{where}: not valid YAML ({getattr(e, 'problem', e)})") from None
        base_dir = base_dir or str(p.resolve().parent)
    else:
        data = copy.deepcopy(_to_plain(src))
        source = source or "mapping"
    if not isinstance(data, dict):
        raise ConfigError(f"scenario {source}: expected a mapping of fields, got {type(data).__name__}")
    pb = _Problems()
    _unknown_keys(pb, "scenario", data, _TOP_KEYS)
    sc_weeks = data.get("weeks")
    weeks = None
    if sc_weeks is not None:
        weeks = _num(pb, "scenario.weeks", sc_weeks, 1, 100_000, integer=True)
    reps = data.get("replications")
    if reps is not None:
        reps = _num(pb, "scenario.replications", reps, 2, 1_000_000, integer=True)
    seed = data.get("seed")
    if seed is not None:
        seed = _num(pb, "scenario.seed", seed, 0, 2**62, integer=True)
    horizon = weeks
    # team
    team = data.get("team") or {}
    if not isinstance(team, dict):
        pb.add("scenario.team", f"expected a mapping, got {team!r}")
        team = {}
    _unknown_keys(pb, "scenario.team", team, _TEAM_KEYS)
    for k in ("roster", "edges"):
        if k in team and team[k] is not None and not isinstance(team[k], str):
            pb.add(f"scenario.team.{k}", f"expected a file path, got {team[k]!r}")
    if team.get("size") is not None:
        _num(pb, "scenario.team.size", team["size"], 1, 10_000, integer=True, what="reps per team")
    if team.get("teams_count") is not None:
        _num(pb, "scenario.team.teams_count", team["teams_count"], 1, 100_000, integer=True)
    if team.get("teams") is not None and not (isinstance(team["teams"], list)
                                              and all(isinstance(t, str) for t in team["teams"])):
        pb.add("scenario.team.teams", f"expected a list of team names, got {team['teams']!r}")
    for k in ("survey_scale", "skill_scale"):
        v = team.get(k)
        if v is not None and not (isinstance(v, list) and len(v) == 2
                                  and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
                                  and v[1] > v[0]):
            pb.add(f"scenario.team.{k}", f"expected [low, high] with high > low, e.g. [1, 5]; got {v!r}")
    graphs = ("small_world", "sbm", "complete", "edgelist")
    if team.get("graph") is not None and team["graph"] not in graphs:
        pb.add("scenario.team.graph", f"{team['graph']!r} is not allowed; choose one of {', '.join(graphs)}")
    # leadership
    lead = data.get("leadership") or {}
    if not isinstance(lead, dict):
        pb.add("scenario.leadership", f"expected a mapping, got {lead!r}")
        lead = {}
    _check_leadership(pb, "scenario.leadership", lead)
    crisis = data.get("crisis_response")
    if crisis is not None and crisis not in _strategies():
        pb.add("scenario.crisis_response", f"{crisis!r} is unknown; choose one of {', '.join(_strategies())}")
    # market
    market = data.get("market") or {}
    if not isinstance(market, dict):
        pb.add("scenario.market", f"expected a mapping, got {market!r}")
        market = {}
    _unknown_keys(pb, "scenario.market", market, _MARKET_KEYS)
    outlooks = ("stable",) + tuple(PRESETS)
    if market.get("outlook") is not None and market["outlook"] not in outlooks:
        pb.add("scenario.market.outlook", f"{market['outlook']!r} is unknown; choose one of {', '.join(outlooks)}")
    if market.get("start_week") is not None:
        w = _num(pb, "scenario.market.start_week", market["start_week"], 0, 100_000, integer=True)
        if w is not None and horizon is not None and w >= horizon:
            pb.add("scenario.market.start_week", f"{w} is past the horizon; allowed: 0 to {horizon - 1}")
    if market.get("depth") is not None:
        _num(pb, "scenario.market.depth", market["depth"], 0.0, 1.0)
    if market.get("growth") is not None:
        _num(pb, "scenario.market.growth", market["growth"], -0.5, 1.0, what="annual demand growth")
    if market.get("competitor_pressure") is not None:
        _num(pb, "scenario.market.competitor_pressure", market["competitor_pressure"], 0.0, 5.0)
    # timeline
    timeline = data.get("timeline") or []
    ids: dict[str, str] = {}
    if not isinstance(timeline, list):
        pb.add("scenario.timeline", f"expected a list of actions, got {timeline!r}")
        timeline = []
    timeline = [_check_action(pb, f"scenario.timeline[{i}]", a, horizon, ids) for i, a in enumerate(timeline)]
    # events
    events = data.get("events") or []
    if not isinstance(events, list):
        pb.add("scenario.events", f"expected a list of events, got {events!r}")
        events = []
    events = [_check_event(pb, f"scenario.events[{i}]", ev, horizon, ids) for i, ev in enumerate(events)]
    # status quo
    sq = data.get("status_quo") or {}
    if not isinstance(sq, dict):
        pb.add("scenario.status_quo", f"expected a mapping, got {sq!r}")
        sq = {}
    _unknown_keys(pb, "scenario.status_quo", sq, ("description", "keep", "label"))
    keep = sq.get("keep") or []
    action_ids = list(dict.fromkeys(a.get("id") for a in timeline if a and a.get("id")))
    if not isinstance(keep, list):
        pb.add("scenario.status_quo.keep", f"expected a list of timeline ids, got {keep!r}")
        keep = []
    for j, k in enumerate(keep):
        if k not in action_ids:
            pb.add(f"scenario.status_quo.keep[{j}]", f"{k!r} names no timeline action; allowed: {action_ids}")
    sq = {"description": str(sq.get("description") or "Carry on as today: none of the planned actions."),
          "keep": list(keep), "label": str(sq.get("label") or "")}
    # alternatives
    alts = data.get("alternatives")
    if not isinstance(alts, dict) or not alts:
        pb.add("scenario.alternatives", "expected at least one named alternative (a mapping name -> changes)")
        alts = {}
    norm_alts: dict[str, dict] = {}
    for name, alt in alts.items():
        p = f"scenario.alternatives.{name}"
        if name == "status_quo":
            pb.add(p, "status_quo is the built-in baseline; describe it under scenario.status_quo")
            continue
        if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
            pb.add(p, "alternative names use letters, digits, _ and - only")
            continue
        norm_alts[name] = _check_alternative(pb, p, alt or {}, horizon, timeline, ids)
    # assumptions, money, paper, roster import settings
    assumptions = _check_assumptions(pb, data.get("assumptions"))
    money = data.get("money") or {}
    if not isinstance(money, dict):
        pb.add("scenario.money", f"expected a mapping, got {money!r}")
        money = {}
    _unknown_keys(pb, "scenario.money", money, ("currency", "deal_size_is") + tuple(MONEY_FIELDS))
    money = dict(money)
    if money.get("deal_size_is") is not None and money["deal_size_is"] not in DEAL_SIZE_IS:
        pb.add("scenario.money.deal_size_is", f"{money['deal_size_is']!r} is not allowed; allowed: "
               f"{', '.join(DEAL_SIZE_IS)} (won: money.deal_size is the average won deal, as a CRM reports it; "
               f"opportunity: the average opportunity)")
    for k, (lo, hi) in MONEY_FIELDS.items():
        if money.get(k) is not None:
            money[k] = _num(pb, f"scenario.money.{k}", _percent(money[k]), lo, hi)
    if money.get("currency") is not None and not (isinstance(money["currency"], str) and 0 < len(money["currency"]) <= 5):
        pb.add("scenario.money.currency", f"expected a currency sign or code (EUR, $, GBP), got {money['currency']!r}")
    paper = data.get("paper", "A4")
    if paper not in ("A4", "Letter"):
        pb.add("scenario.paper", f"{paper!r} is not allowed; choose A4 or Letter")
    cols = team.get("columns")
    if cols is not None:
        from ..roster import COLUMNS as RCOLS
        if not isinstance(cols, dict):
            pb.add("scenario.team.columns", f"expected a mapping 'header in your file': column, got {cols!r}")
        else:
            allowed = tuple(RCOLS) + ("ignore",)
            for h, c in cols.items():
                if c not in allowed:
                    pb.add(f"scenario.team.columns.{h}", f"{c!r} is not a roster column"
                           f"{did_you_mean(str(c), allowed) or '.'} Allowed: {', '.join(allowed)}")
    if team.get("as_of") is not None:
        import datetime as _dt
        v = team["as_of"]
        if not isinstance(v, _dt.date):
            try:
                _dt.date.fromisoformat(str(v))
            except ValueError:
                pb.add("scenario.team.as_of", f"expected a date like 2026-11-30 (year-month-day), got {v!r}")
    baseline = data.get("baseline", "status_quo")
    if baseline != "status_quo" and baseline not in norm_alts:
        pb.add("scenario.baseline", f"{baseline!r} is not an alternative; allowed: status_quo, {', '.join(norm_alts)}")
    rank_by = data.get("rank_by", "revenue")
    if rank_by not in RANK_BY:
        pb.add("scenario.rank_by", f"{rank_by!r} is not allowed; choose one of {', '.join(RANK_BY)}")
    sens = data.get("sensitivity", True)
    if not isinstance(sens, bool):
        pb.add("scenario.sensitivity", f"expected true or false, got {sens!r}")
    hist = data.get("history")
    if hist is not None and not (isinstance(hist, str) and hist.strip()):
        pb.add("scenario.history", f"expected the path of a history CSV (e.g. examples/region_history.csv), got {hist!r}")
        hist = None
    if data.get("name") is not None and not isinstance(data["name"], str):
        pb.add("scenario.name", f"expected text, got {data['name']!r}")
    mu = data.get("model_uncertainty")
    if mu not in (None, False, "none"):
        from ..uncertainty import available
        if mu not in available():
            pb.add("scenario.model_uncertainty", f"{mu!r} is not a range table; choose none or one of "
                                                 f"{', '.join(available())}")
            mu = None
    leaders = _check_leaders(pb, data.get("leaders"))
    pb.raise_if_any(source)
    return Scenario(name=str(data.get("name") or "scenario"), description=str(data.get("description") or ""),
                    weeks=weeks, replications=reps, seed=seed, team=dict(team), leadership=dict(lead),
                    crisis_response=crisis, market=dict(market), timeline=timeline, events=events, status_quo=sq,
                    alternatives=norm_alts, baseline=baseline, rank_by=rank_by, sensitivity=bool(sens),
                    assumptions=assumptions, money=money, paper=paper, history=str(hist or ""), leaders=leaders,
                    source=source, model_uncertainty="" if mu in (None, False, "none") else str(mu),
                    base_dir=base_dir or "",
                    raw=data)


def _strategies() -> list[str]:
    return list(STRATEGIES)


def _check_leadership(pb: _Problems, path: str, lead: dict) -> None:
    import dataclasses

    from ..config import LeadershipConfig
    fields = {f.name: f for f in dataclasses.fields(LeadershipConfig)}
    for k, v in lead.items():
        if k == "style":
            if v not in STYLES:
                pb.add(f"{path}.style", f"{v!r} is unknown; choose one of {', '.join(STYLES)}")
        elif k not in fields:
            pb.add(f"{path}.{k}", f"unknown leadership field{did_you_mean(k, fields)}")
        else:
            md = fields[k].metadata
            _num(pb, f"{path}.{k}", v, md.get("lo"), md.get("hi"), integer=fields[k].type in ("int", int))


def _check_leaders(pb: _Problems, v: Any) -> dict:
    """The ``leaders:`` section: who leads each team (``teams:``), and settings of :class:`LeadersConfig`.

    Returns ``{"teams": {team: {"style": name or None, behaviour: value, ...}}, "params": {field: value}}``.
    Team names are checked against the roster later (:func:`check_leaders_teams`).
    """
    if v is None:
        return {}
    if not isinstance(v, dict):
        pb.add("scenario.leaders", f"expected a mapping with teams (team -> style or behaviours) and settings, got {v!r}")
        return {}
    import dataclasses

    from ..leaders import BEHAVIOURS, LeadersConfig
    fields = {f.name: f for f in dataclasses.fields(LeadersConfig) if f.name != "styles"}
    _unknown_keys(pb, "scenario.leaders", v, ("teams",) + tuple(fields))
    out: dict = {"teams": {}, "params": {}}
    for k, x in v.items():
        if k in fields:
            md = fields[k].metadata
            integer = fields[k].type in ("int", int)
            y = _num(pb, f"scenario.leaders.{k}", _percent(x), md.get("lo"), md.get("hi"), integer=integer)
            if y is not None:
                out["params"][k] = y
    teams = v.get("teams") or {}
    if not isinstance(teams, dict):
        pb.add("scenario.leaders.teams", f"expected a mapping team -> style (e.g. north: coaching) or behaviours, "
               f"got {teams!r}")
        teams = {}
    for t, spec in teams.items():
        path = f"scenario.leaders.teams.{t}"
        if isinstance(spec, str):
            spec = {"style": spec}
        if not isinstance(spec, dict):
            pb.add(path, f"expected a style name (e.g. coaching) or a mapping of behaviours, got {spec!r}")
            continue
        _unknown_keys(pb, path, spec, ("style",) + BEHAVIOURS)
        one: dict = {"style": None}
        if spec.get("style") is not None:
            if spec["style"] not in STYLES:
                pb.add(f"{path}.style", f"{spec['style']!r} is not a leadership style"
                       f"{did_you_mean(str(spec['style']), STYLES) or '.'} Allowed: {', '.join(STYLES)}")
            else:
                one["style"] = spec["style"]
        for b in BEHAVIOURS:
            if spec.get(b) is not None:
                y = _num(pb, f"{path}.{b}", _percent(spec[b]), 0.0, 1.0, what="behaviour level")
                if y is not None:
                    one[b] = y
        out["teams"][str(t)] = one
    return out


def _check_week(pb: _Problems, path: str, v: Any, horizon: int | None) -> int | None:
    w = _num(pb, path, v, 0, 100_000, integer=True, what="week number")
    if w is not None and horizon is not None and w >= horizon:
        pb.add(path, f"{w} is past the horizon; allowed: 0 to {horizon - 1} (weeks = {horizon})")
        return None
    return w


def _check_action(pb: _Problems, path: str, a: Any, horizon: int | None, ids: dict, partial: bool = False) -> dict:
    if not isinstance(a, dict):
        pb.add(path, f"expected a mapping with id, week and action, got {a!r}")
        return {}
    out = dict(a)
    kind = a.get("action")
    if not partial:
        for req in ("id", "week", "action"):
            if req not in a:
                pb.add(f"{path}.{req}", "required field is missing")
        if kind is not None and kind not in ACTIONS:
            pb.add(f"{path}.action", f"{kind!r} is unknown; choose one of {', '.join(ACTIONS)}")
            return out
        aid = a.get("id")
        if aid is not None:
            if not isinstance(aid, str) or not aid:
                pb.add(f"{path}.id", f"expected a short name, got {aid!r}")
            elif aid in ids:
                pb.add(f"{path}.id", f"{aid!r} is used twice (also {ids[aid]})")
            else:
                ids[aid] = path
    allowed = ("id", "week", "action", "description", "cost") + tuple(ACTIONS.get(kind, {})) + tuple(
        TEXT_FIELDS.get(kind, {}))
    _unknown_keys(pb, path, a, allowed)
    if "week" in a:
        out["week"] = _check_week(pb, f"{path}.week", a["week"], horizon)
    ranges = {}
    for k, (lo, hi) in ACTIONS.get(kind, {}).items():
        if k in a and a[k] is not None:
            if isinstance(a[k], dict) and k in ROLLOUT_FIELDS and k != "gain_sd" and kind in ("rollout", "new_approach"):
                spec = _check_range(pb, f"{path}.{k}", a[k], lo, hi)
                out[k] = spec["value"] if spec else None
                if spec:
                    ranges[k] = spec
            else:
                out[k] = _num(pb, f"{path}.{k}", a[k], lo, hi, integer=k in _INT_FIELDS)
    out["_ranges"] = ranges
    for k, what in TEXT_FIELDS.get(kind, {}).items():
        v = a.get(k)
        if v is None:
            if k in REQUIRED_TEXT.get(kind, ()) and not partial:
                pb.add(f"{path}.{k}", f"required field is missing ({what})")
            continue
        ok = (isinstance(v, list) and v and all(isinstance(x, str) for x in v)) if k == "teams" else \
            isinstance(v, bool) if k == "toxic" else isinstance(v, (str, int)) and not isinstance(v, bool)
        if not ok:
            pb.add(f"{path}.{k}", f"expected {what}, got {v!r}")
        elif k == "style" and v not in STYLES:
            pb.add(f"{path}.style", f"{v!r} is not a leadership style{did_you_mean(str(v), STYLES) or '.'} "
                   f"Allowed: {', '.join(STYLES)}")
        elif k in ("rep", "to_team", "team", "style"):
            out[k] = str(v)
    if a.get("cost") is not None:
        out["cost"] = _check_costs(pb, f"{path}.cost", a["cost"])
    if kind in ("rollout", "new_approach") and out.get("mandate_week") not in (None, -1) and out.get("week") is not None:
        mw = out["mandate_week"]
        if mw < out["week"]:
            pb.add(f"{path}.mandate_week", f"{mw} is before the rollout week {out['week']}; "
                   f"allowed: -1 (no mandate) or {out['week']} to {horizon - 1 if horizon else 'the horizon'}")
        elif horizon is not None and mw >= horizon:
            pb.add(f"{path}.mandate_week", f"{mw} is past the horizon; allowed: -1 or up to {horizon - 1}")
    if kind in ("rollout", "new_approach") and "gain_sd" in a and isinstance(a.get("gain"), dict):
        pb.add(f"{path}.gain_sd", "give a range for gain or gain_sd (the model's per-future noise on a single "
               "gain), not both: a stated range is the only uncertainty on the gain")
    if kind == "hire_leader" and out.get("weeks_to_hire") is not None and out.get("week") is not None \
            and horizon is not None and out["week"] + out["weeks_to_hire"] >= horizon:
        pb.add(f"{path}.weeks_to_hire", f"the new leader would arrive in week {out['week'] + out['weeks_to_hire']}, "
               f"past the horizon; allowed: 0 to {horizon - 1 - out['week']} (weeks = {horizon})")
    if kind == "hire" and not partial and "count" not in a:
        out["count"] = 1
    if kind == "quota_change" and not partial and "factor" not in a:
        pb.add(f"{path}.factor", "required field is missing (e.g. 1.1 for a 10% higher quota)")
    return out


def _check_range(pb: _Problems, path: str, v: dict, lo, hi) -> dict | None:
    """An uncertain value: ``{low, high}`` (uniform), ``{low, mode, high}`` (triangular) or ``{value}``.

    Each may carry ``source`` (where the number comes from) and ``label`` (plain words). Returns
    ``{value, low, high, mode, dist, source, label}`` with ``value`` the central value (the mode, else
    the midpoint), or None after adding a problem.
    """
    _unknown_keys(pb, path, v, ("value", "low", "high", "mode", "source", "label"))
    spec: dict = {"source": str(v.get("source") or "your scenario"), "label": str(v.get("label") or "")}
    has = [k for k in ("low", "high") if k in v]
    if len(has) == 1:
        pb.add(path, f"give both low and high (a range), or value alone; got only {has[0]}")
        return None
    if not has:
        if "value" not in v:
            pb.add(path, "expected a number, {low: .., high: ..}, {low: .., mode: .., high: ..} or {value: .., "
                         "source: ..}")
            return None
        x = _num(pb, f"{path}.value", v["value"], lo, hi)
        if x is None:
            return None
        return dict(spec, value=x, low=None, high=None, mode=None, dist="fixed")
    a = _num(pb, f"{path}.low", v["low"], lo, hi)
    b = _num(pb, f"{path}.high", v["high"], lo, hi)
    m = _num(pb, f"{path}.mode", v["mode"], lo, hi) if "mode" in v else None
    if a is None or b is None or ("mode" in v and m is None):
        return None
    if not b > a:
        pb.add(path, f"high ({b:g}) must be above low ({a:g})")
        return None
    if m is not None and not a <= m <= b:
        pb.add(f"{path}.mode", f"{m:g} is outside [low, high] = [{a:g}, {b:g}]")
        return None
    if "value" in v:
        pb.add(f"{path}.value", "give value or a range (low, high), not both")
        return None
    return dict(spec, value=m if m is not None else (a + b) / 2, low=a, high=b, mode=m,
                dist="triangular" if m is not None else "uniform")


def _check_costs(pb: _Problems, path: str, c: Any) -> dict:
    if not isinstance(c, dict):
        pb.add(path, f"expected a mapping of costs ({', '.join(COST_FIELDS)}), got {c!r}")
        return {}
    _unknown_keys(pb, path, c, tuple(COST_FIELDS))
    out = {}
    for k, (lo, hi) in COST_FIELDS.items():
        if c.get(k) is not None:
            out[k] = _num(pb, f"{path}.{k}", _percent(c[k]), lo, hi)
    return out


def _percent(v: Any) -> Any:
    """``"40%"`` -> 0.4 (other values unchanged)."""
    if isinstance(v, str) and v.strip().endswith("%"):
        try:
            return float(v.strip()[:-1].replace(",", ".")) / 100.0
        except ValueError:
            return v
    return v


def _check_assumptions(pb: _Problems, a: Any) -> dict[str, dict]:
    """The ``assumptions:`` section: name -> {param: dotted.path, value | low/high(/mode), label, source}."""
    if not a:
        return {}
    if not isinstance(a, dict):
        pb.add("scenario.assumptions", f"expected a mapping name -> {{param, low, high, ...}}, got {a!r}")
        return {}
    from ..config import SimConfig, get_path
    out = {}
    for name, v in a.items():
        path = f"scenario.assumptions.{name}"
        if not isinstance(v, dict) or not isinstance(v.get("param"), str):
            pb.add(path, "expected a mapping with param (a model parameter, e.g. culture.toxic_morale) and "
                         "value or low/high")
            continue
        try:
            cur = get_path(SimConfig(), v["param"])
        except ConfigError as e:
            pb.add(f"{path}.param", str(e))
            continue
        if isinstance(cur, bool) or not isinstance(cur, (int, float)) or v["param"].startswith("team."):
            pb.add(f"{path}.param", f"{v['param']} is not a numeric model parameter that can vary")
            continue
        spec = _check_range(pb, path, {k: _percent(x) for k, x in v.items() if k != "param"}, -1e12, 1e12)
        if spec:
            spec["param"] = v["param"]
            spec["integer"] = isinstance(cur, int)
            if spec["integer"] and spec["dist"] != "fixed":
                pb.add(path, f"{v['param']} is a whole number; it cannot be drawn from a range per future. "
                             "Give value, and test other values in the sensitivity")
                continue
            out[str(name)] = spec
    return out


def _check_event(pb: _Problems, path: str, ev: Any, horizon: int | None, ids: dict) -> dict:
    if not isinstance(ev, dict):
        pb.add(path, f"expected a mapping with id, kind and week or window, got {ev!r}")
        return {}
    _unknown_keys(pb, path, ev, ("id", "kind", "probability", "week", "window", "depth", "description"))
    out = dict(ev)
    for req in ("id", "kind"):
        if req not in ev:
            pb.add(f"{path}.{req}", "required field is missing")
    eid = ev.get("id")
    if isinstance(eid, str) and eid:
        if eid in ids:
            pb.add(f"{path}.id", f"{eid!r} is used twice (also {ids[eid]})")
        ids[eid] = path
    elif "id" in ev:
        pb.add(f"{path}.id", f"expected a short name, got {eid!r}")
    if ev.get("kind") is not None and ev["kind"] not in EVENT_KINDS:
        pb.add(f"{path}.kind", f"{ev['kind']!r} is unknown; choose one of {', '.join(EVENT_KINDS)}")
    out["probability"] = _num(pb, f"{path}.probability", _percent(ev.get("probability", 1.0)), 0.0, 1.0,
                              what="a share: 0.4 or 40%")
    if ("week" in ev) == ("window" in ev):
        pb.add(path, "give either week (a fixed week) or window ([first, last] week), not both or neither")
    elif "week" in ev:
        out["week"] = _check_week(pb, f"{path}.week", ev["week"], horizon)
    else:
        win = ev["window"]
        if not (isinstance(win, list) and len(win) == 2):
            pb.add(f"{path}.window", f"expected [first, last] week, got {win!r}")
        else:
            a = _check_week(pb, f"{path}.window[0]", win[0], horizon)
            b = _check_week(pb, f"{path}.window[1]", win[1], horizon)
            if a is not None and b is not None and b < a:
                pb.add(f"{path}.window", f"last week {b} is before first week {a}")
            out["window"] = [a, b]
    out["_ranges"] = {}
    if isinstance(ev.get("depth"), dict):
        spec = _check_range(pb, f"{path}.depth", {k: _percent(x) for k, x in ev["depth"].items()}, 0.0, 1.0)
        out["depth"] = spec["value"] if spec else None
        if spec:
            out["_ranges"]["depth"] = spec
    elif ev.get("depth") is not None:
        out["depth"] = _num(pb, f"{path}.depth", _percent(ev["depth"]), 0.0, 1.0, what="fractional drop")
    return out


def _check_alternative(pb: _Problems, path: str, alt: Any, horizon, timeline: list[dict], ids: dict) -> dict:
    if not isinstance(alt, dict):
        pb.add(path, f"expected a mapping of changes, got {alt!r}")
        return {}
    _unknown_keys(pb, path, alt, _ALT_KEYS)
    by_id: dict = {}
    for a in timeline:
        if a:
            by_id.setdefault(a.get("id"), a)
    changes = alt.get("actions") or {}
    out_changes = {}
    if not isinstance(changes, dict):
        pb.add(f"{path}.actions", f"expected a mapping timeline id -> changed fields, got {changes!r}")
        changes = {}
    for aid, ch in changes.items():
        if aid not in by_id:
            pb.add(f"{path}.actions.{aid}", f"names no timeline action; allowed: {list(by_id)}")
            continue
        if not isinstance(ch, dict):
            pb.add(f"{path}.actions.{aid}", f"expected a mapping of changed fields, got {ch!r}")
            continue
        if "id" in ch or "action" in ch:
            pb.add(f"{path}.actions.{aid}", "id and action cannot be changed; remove it and add a new one")
            continue
        orig = by_id[aid]
        partial = dict(ch, action=orig.get("action"))
        if "week" not in ch and "mandate_week" in ch and orig.get("week") is not None:
            partial["week"] = orig["week"]
        chk = _check_action(pb, f"{path}.actions.{aid}", partial, horizon, {}, partial=True)
        out_changes[aid] = {k: chk.get(k) for k in ch}
        if chk.get("_ranges"):
            out_changes[aid]["_ranges"] = chk["_ranges"]
    local_ids = dict(ids)
    add = alt.get("add") or []
    if not isinstance(add, list):
        pb.add(f"{path}.add", f"expected a list of actions, got {add!r}")
        add = []
    add = [_check_action(pb, f"{path}.add[{i}]", a, horizon, local_ids) for i, a in enumerate(add)]
    remove = alt.get("remove") or []
    if not isinstance(remove, list):
        pb.add(f"{path}.remove", f"expected a list of timeline ids, got {remove!r}")
        remove = []
    for j, r in enumerate(remove):
        if r not in by_id:
            pb.add(f"{path}.remove[{j}]", f"{r!r} names no timeline action; allowed: {list(by_id)}")
    lead = alt.get("leadership") or {}
    if not isinstance(lead, dict):
        pb.add(f"{path}.leadership", f"expected a mapping, got {lead!r}")
        lead = {}
    _check_leadership(pb, f"{path}.leadership", lead)
    crisis = alt.get("crisis_response")
    if crisis is not None and crisis not in _strategies():
        pb.add(f"{path}.crisis_response", f"{crisis!r} is unknown; choose one of {', '.join(_strategies())}")
    st = alt.get("set") or {}
    if not isinstance(st, dict):
        pb.add(f"{path}.set", f"expected a mapping dotted.parameter -> value, got {st!r}")
        st = {}
    evs = alt.get("events") or []
    if not isinstance(evs, list):
        pb.add(f"{path}.events", f"expected a list of events (only in this alternative), got {evs!r}")
        evs = []
    evs = [_check_event(pb, f"{path}.events[{i}]", ev, horizon, local_ids) for i, ev in enumerate(evs)]
    costs = _check_costs(pb, f"{path}.costs", alt["costs"]) if alt.get("costs") is not None else {}
    return {"description": str(alt.get("description") or ""), "label": str(alt.get("label") or ""),
            "actions": out_changes, "add": add, "remove": list(remove), "leadership": dict(lead),
            "crisis_response": crisis, "set": dict(st), "events": evs, "costs": costs}


# ----------------------------------------------------------------------------------------------
# Compilation
# ----------------------------------------------------------------------------------------------
def resolve_path(path: str, sc: Scenario) -> str:
    """Resolve a relative file path of a scenario.

    Tried in order: the scenario file's directory (or ``base_dir``), the current directory,
    the directory the command was started from (``$PWD``, in case the working directory was
    changed), and the project root (the folder holding ``simteam/``, where ``examples/`` lives in a
    source checkout). The first existing
    file wins; if none exists the path is returned as given (the engine then reports it).
    """
    if not path or os.path.isabs(path):
        return path
    roots = [sc.base_dir, os.getcwd(), os.environ.get("PWD", "")]
    if sc.base_dir and Path(sc.base_dir).name == "scenario" and Path(sc.base_dir).parent.name == "conf":
        roots += [str(Path(sc.base_dir).parents[1]), str(Path(sc.base_dir).parents[2])]
    here = Path(__file__).resolve()
    roots += [str(here.parents[1]), str(here.parents[2])]  # the package, and the checkout holding it
    for r in roots:
        if r and os.path.exists(os.path.join(r, path)):
            return os.path.abspath(os.path.join(r, path))
    return path


def alternative_actions(sc: Scenario, name: str) -> list[dict]:
    """The planned actions of one alternative (``status_quo``: only the ``keep`` ones), by week."""
    if name == "status_quo":
        acts = [dict(a) for a in sc.timeline if a.get("id") in sc.status_quo["keep"]]
    else:
        if name not in sc.alternatives:
            raise ConfigError(f"alternative: {name!r} is unknown; choose one of {', '.join(sc.names)}")
        alt = sc.alternatives[name]
        acts = []
        for a in sc.timeline:
            if a.get("id") in alt["remove"]:
                continue
            a = dict(a)
            ch = alt["actions"].get(a["id"], {})
            ranges = {k: v for k, v in a.get("_ranges", {}).items() if k not in ch}
            ranges.update(ch.get("_ranges", {}))
            a.update({k: v for k, v in ch.items() if k != "_ranges"})
            a["_ranges"] = ranges
            acts.append(a)
        acts += [dict(a) for a in alt["add"]]
    return sorted(acts, key=lambda a: a["week"])


def _market_shock(kind: str, week: int, depth: float | None) -> dict:
    sh = dict(to_dict(Shock()), **PRESETS[kind])
    sh["start_week"] = int(week)
    if depth is not None:
        sh["depth"] = float(depth)
    return sh


def compile_alternative(sc: Scenario, name: str, base: SimConfig | None = None) -> SimConfig:
    """The :class:`SimConfig` of one alternative (pure: same inputs, same config).

    Args:
        sc: A validated scenario.
        name: ``status_quo`` or one of ``sc.alternatives``.
        base: Defaults for everything the scenario does not set (e.g. the Hydra app's config).

    Raises:
        ConfigError: Naming the alternative and the field when the combination is invalid.
    """
    d = to_dict(base if base is not None else SimConfig())
    if sc.weeks is not None:
        d["weeks"] = sc.weeks
    if sc.replications is not None:
        d["replications"] = sc.replications
    if sc.seed is not None:
        d["seed"] = sc.seed
    t = sc.team
    if t.get("roster"):
        d["team"]["roster"] = resolve_path(t["roster"], sc)
        d["team"]["initial_toxic"] = 0
    if t.get("size") is not None:
        d["team"]["team_size"] = int(t["size"])
    if t.get("teams_count") is not None:
        d["team"]["n_teams"] = int(t["teams_count"])
    if t.get("graph"):
        d["team"]["graph"] = t["graph"]
    if t.get("edges"):
        d["team"]["graph"] = "edgelist"
        d["team"]["edgelist"] = resolve_path(t["edges"], sc)
    _apply_leadership(d, sc.leadership)
    if sc.crisis_response:
        d["crisis"]["strategy"] = sc.crisis_response
    m = sc.market
    if m.get("outlook") is not None:
        if m["outlook"] == "stable":
            d["market"]["shocks"] = []
        else:
            week = m.get("start_week", PRESETS[m["outlook"]]["start_week"])
            d["market"]["shocks"] = [_market_shock(m["outlook"], week, m.get("depth"))]
    if m.get("growth") is not None:
        d["market"]["trend_annual"] = float(m["growth"])
    if m.get("competitor_pressure") is not None:
        d["market"]["competitor_pressure"] = float(m["competitor_pressure"])
    _apply_money(d, sc.money)
    if uses_leaders(sc):
        d["mechanisms"]["leaders"] = True
        d["leaders"].update(sc.leaders.get("params", {}))
    for a in sc.assumptions.values():
        if a["dist"] == "fixed" or a.get("integer"):
            _set_dotted(d, a["param"], int(round(a["value"])) if a.get("integer") else float(a["value"]))
    # scenario events first (fixed indices in cfg.events -> fixed random streams)
    events: list[dict] = []
    for ev in sc.events:
        if "window" in ev or ev.get("_ranges"):
            continue
        if ev["kind"] in _MARKET_KINDS:
            if ev["probability"] >= 1.0:
                d["market"]["shocks"].append(_market_shock(ev["kind"], ev["week"], ev.get("depth")))
            continue
        events.append({"kind": ev["kind"], "week": int(ev["week"]), "value": float(ev.get("depth") or 0.0),
                       "name": ev["id"], "probability": float(ev["probability"])})
    # leadership / crisis changes of the alternative
    alt = sc.alternatives.get(name) if name != "status_quo" else None
    if alt is not None:
        _apply_leadership(d, alt["leadership"])
        if alt["crisis_response"]:
            d["crisis"]["strategy"] = alt["crisis_response"]
    # planned actions
    inits = []
    regroups: list[int] = []
    for a in alternative_actions(sc, name):
        kind, wk = a["action"], int(a["week"])
        if kind in ("rollout", "new_approach"):
            ini = to_dict(Initiative())
            ini.update(name=a["id"], kind="tool" if kind == "rollout" else "approach", start_week=wk)
            for k in ROLLOUT_FIELDS:
                if a.get(k) is not None and k != "adoption_speed":
                    ini[k] = a[k]
            speed = a.get("adoption_speed")
            if speed is not None:
                ini["p"] = float(min(ini["p"] * speed, 10.0))
                ini["q"] = float(min(ini["q"] * speed, 10.0))
            if "gain" in a.get("_ranges", {}):
                # the stated range is the only uncertainty on the gain: no extra per-future noise on top
                # (change.gain_sd would count the same uncertainty a second time, as luck)
                ini["gain_sd"] = 0.0
            if a.get("teams"):
                ini["start_week"] = -1  # started by the TeamPilot policy, exposed in the chosen teams only
            inits.append(ini)
        elif kind == "regroup":
            regroups.append(wk)
        elif kind == "hire":
            events.append({"kind": "hire", "week": wk, "value": float(a.get("count", 1)), "name": a["id"]})
        elif kind == "quota_change":
            events.append({"kind": "quota_change", "week": wk, "value": float(a["factor"]), "name": a["id"]})
        elif kind == "recognition_event":
            events.append({"kind": "recognition_event", "week": wk, "name": a["id"]})
    d["change"]["initiatives"] = inits
    d["change"]["regroup_weeks"] = sorted(set(regroups))
    d["events"] = events
    where = f"scenario.alternatives.{name}" if name != "status_quo" else "scenario (status_quo)"
    try:
        cfg = from_dict(d)
        if alt is not None:
            from ..config import replace_path
            for k, v in alt["set"].items():
                cfg = replace_path(cfg, str(k), v)
    except ConfigError as e:
        raise ConfigError(f"{where}: {e}") from None
    return cfg


def _set_dotted(d: dict, path: str, value) -> None:
    node = d
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def lead_weighted_mean(segments, key: str) -> float:
    """The market segments' average of ``key`` (``deal_size``, ``cycle_weeks``) weighted by their lead flow;
    ``segments`` are config objects or their dicts; NaN without segments or leads.

    >>> lead_weighted_mean([{"lead_rate": 3, "deal_size": 10}, {"lead_rate": 1, "deal_size": 50}], "deal_size")
    20.0
    """
    get = (lambda sg, k: sg[k]) if segments and isinstance(segments[0], dict) else getattr
    w = np.array([get(sg, "lead_rate") for sg in segments], dtype=float)
    if not w.size or w.sum() <= 0:
        return float("nan")
    return float(np.dot(w, [get(sg, key) for sg in segments]) / w.sum())


def _apply_money(d: dict, money: dict) -> None:
    """Quota per rep, average deal size and sales cycle of the scenario onto the config.

    Deal sizes and cycles of the market segments are scaled by one factor each, so that their
    average weighted by lead flow equals the scenario's value (the segments keep their proportions).
    The deal sizes' average is the average *opportunity*: ``money.opportunity_size`` once the planner has
    calibrated it so that the baseline's won deals average ``money.deal_size``
    (:func:`simteam.planning.deals.calibrate_scenario`; ``deal_size_is: won``, the default), else
    ``money.deal_size`` itself (``deal_size_is: opportunity``, or the first guess before the calibration).
    """
    if money.get("quota") is not None:
        d["selling"]["quota"] = float(money["quota"])
    segs = d["market"]["segments"]
    target = {"deal_size": money.get("opportunity_size") if money.get("opportunity_size") is not None
              else money.get("deal_size"), "cycle_weeks": money.get("cycle_weeks")}
    for key in ("deal_size", "cycle_weeks"):
        cur = lead_weighted_mean(segs, key)
        if target[key] is not None and np.isfinite(cur):
            f = float(target[key]) / cur
            for sg in segs:
                sg[key] = float(min(max(sg[key] * f, 1.0), 104.0)) if key == "cycle_weeks" else float(sg[key] * f)


def _apply_leadership(d: dict, lead: dict) -> None:
    if lead.get("style"):
        d["leadership"].update(STYLES[lead["style"]])
        d["leadership"]["style"] = lead["style"]
    for k, v in lead.items():
        if k != "style":
            d["leadership"][k] = v


def compile_all(sc: Scenario, base: SimConfig | None = None) -> dict[str, SimConfig]:
    """Every alternative's config, ``status_quo`` first."""
    return {n: compile_alternative(sc, n, base) for n in sc.names}


# ----------------------------------------------------------------------------------------------
# Uncertain events with a time window (or market events with a probability)
# ----------------------------------------------------------------------------------------------
class WindowEvent:
    """An uncertain event: per replication, whether it happens and in which week.

    Drawn once per batch row from the stream ``scenario_event:<id>`` (two uniforms: one
    decides whether it happens with ``probability``, one picks the week uniformly in
    ``[first, last]``), so every alternative run on the same seed sees the same draw.

    Market kinds add a shock of their preset shape (:data:`simteam.market.PRESETS`) to the
    rows where they happen; ``competitor_entry`` lowers those rows' win rates from the
    ``leadership`` phase on (it is not a demand crisis, as with the preset in the config).
    """

    def __init__(self, ev: dict):
        self.ev = ev
        self.name = f"scenario_event:{ev['id']}"
        self.phase = "leadership" if ev["kind"] in ("competitor_entry", "lead_loss") else "start"
        self.happens: np.ndarray | None = None
        self.week: np.ndarray | None = None
        self.path: np.ndarray | None = None

    depth_rows: np.ndarray | None = None  #: (B,) depth per replication when the depth is an uncertain assumption

    def draw(self, e) -> None:
        ev = self.ev
        u = e.rng.uniform(self.name, 0, (2,))
        a, b = ev["window"] if "window" in ev else (ev["week"], ev["week"])
        self.happens = u[:, 0] < ev["probability"]
        self.week = a + np.minimum(np.floor(u[:, 1] * (b - a + 1)), b - a).astype(int)

    def apply(self, e, week: int) -> None:
        from ..events import fire
        if self.happens is None:
            self.draw(e)
        ev = self.ev
        kind = ev["kind"]
        if kind in ("competitor_entry", "lead_loss"):
            if self.path is None:
                sh = Shock(**dict(PRESETS[kind], start_week=0))
                depth = ev.get("depth") if ev.get("depth") is not None else sh.depth
                self.path = shock_path(sh, e.weeks) * (depth if self.depth_rows is None else 1.0)
            age = week - self.week
            h = np.where(self.happens & (age >= 0), self.path[np.clip(age, 0, e.weeks - 1)], 0.0)
            if self.depth_rows is not None:
                h = h * self.depth_rows
            if kind == "competitor_entry":
                e.market.win_shift = e.market.win_shift - 4.0 * h[:, None]
            else:
                e.market.D = e.market.D * (1.0 - h[:, None])
                # elementwise sums in a fixed order, not BLAS (market.py): a row must not depend on the batch size
                e.market.demand_index = rowsum(e.market.D * e.market.value_weight)
            return
        rows = self.happens & (self.week == week)
        if not rows.any():
            return
        if kind in ("recession", "sudden_stop"):
            p = dict(PRESETS[kind])
            depth = ev.get("depth") if ev.get("depth") is not None else p["depth"]
            groups = [(rows, depth)] if self.depth_rows is None else \
                [(rows & (self.depth_rows == v), float(v)) for v in np.unique(self.depth_rows[rows])]
            for mask, dep in groups:  # one shock per distinct depth (once per event, not per week)
                e.market.add_shock(week, dep, mask=mask, decline_weeks=p["decline_weeks"],
                                   trough_weeks=p["trough_weeks"], recovery_weeks=p["recovery_weeks"],
                                   shape=p["shape"])
        elif self.depth_rows is not None:
            for v in np.unique(self.depth_rows[rows]):
                fire(e, kind, float(v), ev["id"], rows & (self.depth_rows == v))
        else:
            fire(e, kind, float(ev.get("depth") or 0.0), ev["id"], rows)


def event_policies(sc: Scenario, name: str | None = None) -> list[WindowEvent]:
    """Fresh policy objects for the scenario events not expressed in the config (one set per engine).

    With ``name``, the events only that alternative has (``alternatives.<name>.events``) follow;
    each keeps its own stream ``scenario_event:<id>``, so the other draws are unchanged.
    """
    out = [WindowEvent(ev) for ev in sc.events
           if "window" in ev or ev.get("_ranges") or (ev["kind"] in _MARKET_KINDS and ev["probability"] < 1.0)]
    if name and name != "status_quo":
        out += [WindowEvent(ev) for ev in sc.alternatives[name].get("events", [])]
    return out


class RepAction:
    """A planned action on one named rep at a week: ``dismiss``, ``replace`` or ``move`` (all rows alike).

    * dismiss: the seat is left (:func:`simteam.events.fire` ``dismiss``, counted as another exit); the
      model's hiring refills it after the usual vacancy;
    * replace: the seat is left and filled at once by a new hire with the given skill (on the roster's
      skill scale; default: the model's hire distribution) and toxic behaviour (default no);
    * move: the rep joins another team; the peer ties are rebuilt (same graph method and seed).
    """

    phase = "start"

    def __init__(self, action: dict, seat: int, to_team: int | None = None, potential: float | None = None):
        self.a, self.seat, self.to_team, self.potential = action, int(seat), to_team, potential
        self.name = f"{action['action']}:{action['id']}"

    def apply(self, e, week: int) -> None:
        if week != self.a["week"]:
            return
        from ..events import fire
        kind = self.a["action"]
        if kind in ("dismiss", "replace"):
            fire(e, "dismiss", float(self.seat), self.a["id"])
            if kind == "replace":
                mask = np.zeros((e.B, e.N), dtype=bool)
                mask[:, self.seat] = True
                e.hire(mask, potential=self.potential, toxic=bool(self.a.get("toxic", False)))
        elif kind == "move":
            from ..network import build_structure
            t = e.cfg.team
            team_of = e.structure.team_of.copy()
            team_of[self.seat] = self.to_team
            edges = None
            graph = t.graph if t.graph != "edgelist" else "small_world"
            e.structure = build_structure(team_of, graph, k_neighbors=t.k_neighbors, rewire_p=t.rewire_p,
                                          p_within=t.p_within, cross_ties=t.cross_ties, seed=t.graph_seed,
                                          edgelist=edges, head_of_sales=t.head_of_sales)
            if e.B == 1:
                e.log("move", self.a["id"])


class TeamPilot:
    """A rollout exposed only to the reps of the chosen teams, from its week (``teams:`` of a rollout).

    The initiative is started at phase ``start`` of its week (before adoption that week) and its
    exposure narrowed to the seats of those teams; after ``pilot_weeks`` (when > 0) everyone is
    exposed, as in a pilot; with ``pilot_weeks: 0`` it stays in those teams (a mandate still reaches all).
    """

    phase = "start"

    def __init__(self, action: dict, seats: np.ndarray):
        self.a, self.seats = action, np.asarray(seats, dtype=bool)
        self.name = f"team_pilot:{action['id']}"

    def apply(self, e, week: int) -> None:
        if week != self.a["week"]:
            return
        from .. import change
        names = [i.name for i in e.cfg.change.initiatives]
        k = names.index(self.a["id"])
        change.start(e, k, week)
        e.s.exposed[:, :, k] = e.s.active & self.seats[None, :]
        e.initiative_open[k] = False  # the change mechanism opens it to all after pilot_weeks (when > 0)


def uses_leaders(sc: Scenario) -> bool:
    """Leaders are agents in every alternative when the scenario has ``leaders:`` or any leader action.

    All alternatives then run the same model (a fair, paired comparison), not only the ones that act on leaders.
    """
    if sc.leaders:
        return True
    acts = list(sc.timeline) + [a for alt in sc.alternatives.values() for a in alt.get("add", [])]
    return any(a.get("action") in LEADER_ACTIONS for a in acts)


def team_index(roster, name: str, where: str, n_teams: int | None = None) -> int:
    """The index of a named team (roster team names; without a roster, 0 .. n_teams - 1)."""
    if roster is not None:
        if name not in roster.team_names:
            raise ConfigError(f"{where}: {name!r} is not a team of the roster{did_you_mean(name, roster.team_names) or '.'}"
                              f" Allowed: {', '.join(roster.team_names)}")
        return roster.team_names.index(name)
    n = n_teams or 1
    if not (str(name).isdigit() and int(name) < n):
        raise ConfigError(f"{where}: {name!r} is not a team; without a roster teams are numbered 0 to {n - 1}")
    return int(name)


class LeaderProfiles:
    """Who leads each team (``leaders.teams``): a named style and/or explicit behaviours per team.

    Applied at the start of week 0, before the leaders' first weekly step: the team's configured profile
    (``Leaders.base``, what a successor brings too) and current profile are set; teams not named keep the
    ``leadership:`` values.
    """

    phase = "start"
    name = "leader_profiles"

    def __init__(self, profiles: dict[int, dict[str, float]]):
        self.profiles = profiles

    def apply(self, e, week: int) -> None:
        if week != 0:
            return
        from ..leaders import BEHAVIOURS
        lead = e.leaders
        for t, vals in self.profiles.items():
            for k, b in enumerate(BEHAVIOURS):
                if b in vals:
                    lead.base[:, t, k] = vals[b]
                    lead.profile[:, t, k] = vals[b]


def leader_profiles(sc: Scenario, roster, n_teams: int) -> dict[int, dict[str, float]]:
    """Team index -> behaviour values of ``leaders.teams`` (a style's values, then explicit ones on top)."""
    from ..leaders import BEHAVIOURS
    out = {}
    for name, spec in (sc.leaders.get("teams") or {}).items():
        t = team_index(roster, name, f"scenario.leaders.teams.{name}", n_teams)
        vals = {b: float(STYLES[spec["style"]][b]) for b in BEHAVIOURS} if spec.get("style") else {}
        vals.update({b: float(v) for b, v in spec.items() if b in BEHAVIOURS})
        out[t] = vals
    return out


class LeaderAction:
    """A planned action on a team's leader (leaders as agents, :mod:`simteam.leaders`), the same in every row.

    * ``leader_leaves``: the team's manager leaves at the start of the week; an interim covers and the
      post is filled by the model's succession (a promotion from the team after ``leaders.promote_weeks``
      with chance ``leaders.promote_share``, else an outside hire after ``leaders.hire_weeks``) unless the
      alternative promotes or hires itself.
    * ``promote``: the named rep becomes the team's manager (the sitting manager, if any, steps down), leading
      in ``style`` (default: the team's profile). The rep leaves the sales seat (the team loses the rep's sales until the seat is refilled); the new
      manager's coaching skill follows the engine's Peter-principle rule. A rep of another team is promoted
      across (the rep's own team gets the open seat). In futures where the named rep has already left,
      the team's top rep is promoted instead.
    * ``hire_leader``: a search for an outside manager (of ``style``; default the team's profile) starts at
      the week; the manager arrives ``weeks_to_hire`` later (default ``leaders.hire_weeks``). A vacant post
      waits for this hire (the interim covers; no automatic succession meanwhile); a sitting manager is
      replaced on arrival.

    ``promote`` and ``hire_leader`` act at phase ``leadership`` (after every ``start`` action of the week,
    so "the manager leaves and we promote Ana" in one week works whatever the file order).
    """

    def __init__(self, action: dict, team: int, seat: int | None = None):
        self.a, self.team, self.seat = action, int(team), seat
        self.kind = action["action"]
        self.phase = "start" if self.kind == "leader_leaves" else "leadership"
        self.name = f"{self.kind}:{action['id']}"
        self.tenure0: np.ndarray | None = None

    def apply(self, e, week: int) -> None:
        from ..events import fire
        if self.seat is not None and self.tenure0 is None:
            self.tenure0 = e.s.tenure[:, self.seat] - week  # the named rep's tenure at week 0
        w = self.a["week"]
        if self.kind == "leader_leaves":
            if week == w:
                fire(e, "leader_leaves", float(self.team), self.a["id"])
        elif self.kind == "promote":
            if week == w:
                self._promote(e)
        elif self.kind == "hire_leader":
            h = self.a.get("weeks_to_hire")
            h = int(e.cfg.leaders.hire_weeks if h is None else h)
            lead = e.leaders
            if week == w and h > 0:  # a vacant post waits for this hire: no automatic succession meanwhile
                vac = lead.vacant[:, self.team]
                lead.countdown[:, self.team] = np.where(vac, h + 1, lead.countdown[:, self.team])
                lead.promote_next[:, self.team] = np.where(vac, False, lead.promote_next[:, self.team])
            if week == w + h:
                fire(e, "hire_leader", float(self.team), self.a.get("style") or "")

    def _promote(self, e) -> None:
        from ..network import TeamStructure
        lead, s = e.leaders, e.s
        mask = np.zeros((e.B, lead.T), dtype=bool)
        mask[:, self.team] = True
        there = s.active[:, self.seat] & (np.abs(s.tenure[:, self.seat] - (self.tenure0 + e.week)) < 0.5)
        # the team aggregates (pace, trust, head count) the promotion reads, from this week's state in every row
        # (before and after the promotion across teams), so that a row's result never depends on the others
        lead._team_state(e)
        if self.a.get("style"):  # the new manager's style (what a successor brings: Leaders.base)
            from ..leaders import BEHAVIOURS
            for k, b in enumerate(BEHAVIOURS):
                lead.base[:, self.team, k] = STYLES[self.a["style"]][b]
        st0 = e.structure
        if st0.team_of[self.seat] != self.team:
            # promoted across teams: seen as a member of the team it will lead while the engine promotes it
            team_of = st0.team_of.copy()
            team_of[self.seat] = self.team
            e.structure = TeamStructure(team_of, st0.n_teams, st0.adjacency, complete=st0.complete,
                                        head_of_sales=st0.head_of_sales)
        try:
            pos = int(np.sum(e.structure.team_of[:self.seat] == self.team))  # its place among the team's seats
            lead.promote(e, mask & there[:, None], seat=pos)
        finally:
            e.structure = st0
        lead._team_state(e)
        lead.promote(e, mask & ~there[:, None])  # the named rep has left: the team's top rep instead


def rep_seat(roster, rep: str, where: str) -> int:
    """The seat of a named rep (ConfigError naming the field when the roster has no such rep)."""
    if roster is None:
        raise ConfigError(f"{where}: naming a rep ({rep!r}) needs a roster (team.roster)")
    if rep not in roster.ids:
        raise ConfigError(f"{where}: {rep!r} is not in the roster{did_you_mean(rep, roster.ids) or '.'}")
    return roster.ids.index(rep)


def alternative_policies(sc: Scenario, name: str, roster=None) -> list:
    """The policy objects of one alternative: scenario and own events, actions on named reps, team pilots."""
    pols: list = event_policies(sc, name)
    n_teams = None
    errors: list[str] = []
    if uses_leaders(sc):
        if roster is None:
            n_teams = compile_alternative(sc, "status_quo").team.n_teams
        if sc.leaders.get("teams"):
            try:
                pols.append(LeaderProfiles(leader_profiles(sc, roster, n_teams)))
            except ConfigError as e:
                errors.append(str(e))
    for a in alternative_actions(sc, name):
        try:
            _action_policy(a, roster, n_teams, pols)
        except ConfigError as e:
            errors.append(str(e))
    if errors:
        raise ConfigError("\n".join(errors))
    return pols


def _action_policy(a: dict, roster, n_teams: int | None, pols: list) -> None:
    """Append the policy of one planned action (if it needs one); ConfigError naming the field when it is invalid."""
    where = f"scenario action {a['id']!r}"
    if a["action"] in ("dismiss", "replace", "move"):
        seat = rep_seat(roster, a["rep"], f"{where}.rep")
        to_team = pot = None
        if a["action"] == "move":
            if a["to_team"] not in roster.team_names:
                raise ConfigError(f"{where}.to_team: {a['to_team']!r} is not a team of the roster; "
                                  f"allowed: {', '.join(roster.team_names)}")
            to_team = roster.team_names.index(a["to_team"])
        if a["action"] == "replace" and a.get("skill") is not None:
            lo, hi = roster.skill_scale
            pot = float(np.clip((a["skill"] - lo) / (hi - lo), 0.02, 1.0))
        pols.append(RepAction(a, seat, to_team, pot))
    elif a["action"] in ("rollout", "new_approach") and a.get("teams"):
        if roster is None:
            raise ConfigError(f"{where}.teams: a pilot in named teams needs a roster (team.roster)")
        bad = [t for t in a["teams"] if t not in roster.team_names]
        if bad:
            raise ConfigError(f"{where}.teams: {', '.join(map(repr, bad))} not in the roster; "
                              f"allowed: {', '.join(roster.team_names)}")
        seats = np.isin(roster.team_index, [roster.team_names.index(t) for t in a["teams"]])
        pols.append(TeamPilot(a, seats))
    elif a["action"] in LEADER_ACTIONS:
        errs, seat, t = [], None, None
        try:
            if a["action"] == "promote":
                seat = rep_seat(roster, a["rep"], f"{where}.rep")
        except ConfigError as e:
            errs.append(str(e))
        try:
            if a.get("team") is not None:
                t = team_index(roster, a["team"], f"{where}.team", n_teams)
        except ConfigError as e:
            errs.append(str(e))
        if errs:
            raise ConfigError("\n".join(errs))
        if t is None:  # promote: the rep's own team
            t = int(roster.team_index[seat])
        pols.append(LeaderAction(a, t, seat))


def removed_reps(sc: Scenario, name: str) -> list[str]:
    """Rep ids the alternative takes out of their sales seat on purpose (dismiss, replace, promote)."""
    return [a["rep"] for a in alternative_actions(sc, name) if a["action"] in ("dismiss", "replace", "promote")]


def promoted_reps(sc: Scenario, name: str) -> list[str]:
    """Rep ids the alternative promotes to manager."""
    return [a["rep"] for a in alternative_actions(sc, name) if a["action"] == "promote"]


def leader_action_text(a: dict) -> str:
    """Plain words for a leader action (``promote``, ``leader_leaves``, ``hire_leader``)."""
    kind = a["action"]
    if kind == "promote":
        where = f"the {a['team']} team" if a.get("team") else "their own team"
        style = f", leading in a {a['style'].replace('_', ' ')} style" if a.get("style") else ""
        return (f"promote {a['rep']} to manager of {where}{style} (a sitting manager steps down; {a['rep']}'s sales "
                "seat is refilled by a new hire)")
    if kind == "leader_leaves":
        return (f"the manager of the {a['team']} team leaves; an interim covers until a successor is promoted or "
                "hired")
    if kind == "hire_leader":
        style = f"a {a['style'].replace('_', ' ')}-style" if a.get("style") else "an"
        h = a.get("weeks_to_hire")
        when = f"arrives {h} weeks later" if h is not None else "arrives after the time to hire a manager"
        return f"hire {style} outside manager for the {a['team']} team (the search starts now; {when})"
    return kind.replace("_", " ")


def describe_alternative(sc: Scenario, name: str) -> str:
    """The scenario's description of alternative ``name`` (``status_quo`` included), plus its leader changes
    in plain words (who is promoted, which manager leaves, who is hired)."""
    text = sc.status_quo["description"] if name == "status_quo" else sc.alternatives[name]["description"]
    leads = [f"week {a['week']}: {leader_action_text(a)}" for a in alternative_actions(sc, name)
             if a["action"] in LEADER_ACTIONS]
    if leads:
        text = text.rstrip() + (" " if text.strip() else "") + "Leader changes: " + "; ".join(leads) + "."
    return text or name


def dump_resolved(sc: Scenario, configs: dict[str, SimConfig]) -> str:
    """YAML of the scenario as written plus the resolved configuration of each alternative."""
    import yaml

    doc = {"scenario": copy.deepcopy(sc.raw), "resolved_configs": {n: to_dict(c) for n, c in configs.items()}}
    return yaml.safe_dump(doc, sort_keys=False)

"""Typed, validated parameters for every mechanism of simteam: :class:`SimConfig` and its checks.

Each mechanism declares its own parameter dataclass in its own module (``MarketConfig`` in
:mod:`simteam.market`, ``SellingConfig`` in :mod:`simteam.selling`, ``PeopleConfig`` in
:mod:`simteam.people`, ``LeadershipConfig`` and ``CrisisConfig`` in :mod:`simteam.leadership`,
``ChangeConfig`` in :mod:`simteam.change`, ``CultureConfig`` in :mod:`simteam.culture`); this module
holds the structural ones (team, switches, events), assembles :class:`SimConfig` and re-exports
every name (``from simteam.config import PeopleConfig`` works).

Every parameter is a dataclass field built with :func:`param` (:mod:`simteam.params`), which records its
default, allowed range, unit and meaning. The same metadata drives validation
(:func:`validate`), the parameter tables in ``docs/model.md`` and the Hydra
structured configs (``simteam.cli``), so the three can never disagree.

The dataclasses only use types OmegaConf understands (``int``, ``float``,
``bool``, ``str``, ``list`` of those or of dataclasses, nested dataclasses), so
they double as Hydra structured configs. The core never imports Hydra.

Example:
    >>> from simteam.config import SimConfig, from_dict
    >>> cfg = from_dict({"team": {"team_size": 8}, "weeks": 52})
    >>> cfg.team.team_size
    8
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

# each mechanism declares its own parameters in its module; SimConfig assembles them here
from .allocation import AllocationConfig
from .change import ChangeConfig, Initiative
from .culture import CultureConfig
from .leadership import CrisisConfig, LeadershipConfig
from .leaders import LeadersConfig, validate_section as _validate_leaders
from .headofsales import HeadOfSalesConfig, validate_section as _validate_head_of_sales
from .market import MarketConfig, Segment, Shock, default_segments  # noqa: F401  (re-exported)
from .params import ConfigError, param, sub
from .people import PeopleConfig
from .selling import SellingConfig

__all__ = [
    "ConfigError",
    "param",
    "Switches",
    "TeamConfig",
    "Segment",
    "Shock",
    "MarketConfig",
    "SellingConfig",
    "AllocationConfig",
    "PeopleConfig",
    "LeadershipConfig",
    "CrisisConfig",
    "LeadersConfig",
    "HeadOfSalesConfig",
    "Initiative",
    "ChangeConfig",
    "CultureConfig",
    "Event",
    "SimConfig",
    "validate",
    "from_dict",
    "to_dict",
    "replace_path",
    "get_path",
    "iter_params",
    "did_you_mean",
    "load_section",
    "check_event",
    "VALUE_RANGE",
]


# ----------------------------------------------------------------------------------------------
# Mechanism switches
# ----------------------------------------------------------------------------------------------
@dataclass
class Switches:
    """One switch per mechanism: set any to ``false`` to remove that mechanism from the step."""

    market_noise: bool = param(True, doc="AR(1) log-normal noise on segment demand")
    seasonality: bool = param(True, doc="annual cosine seasonality of demand")
    trend: bool = param(True, doc="compound annual growth of demand")
    shocks: bool = param(True, doc="scheduled and random market shocks")
    selling: bool = param(True, doc="opportunity flow, pipeline, wins and revenue")
    allocation_noise: bool = param(True, doc="noise in the leader's estimates (data orientation)")
    contagion: bool = param(True, doc="DeGroot morale contagion over peer ties")
    morale_drivers: bool = param(True, doc="morale relaxation to its driver-based target")
    mood_noise: bool = param(True, doc="idiosyncratic weekly morale noise")
    trust_dynamics: bool = param(True, doc="trust relaxation to its leadership-based target")
    stress: bool = param(True, doc="stress relaxation to its pressure-based target")
    effort: bool = param(True, doc="effort from morale, trust, goals and accountability")
    skill_growth: bool = param(True, doc="skill growth from practice, coaching and feedback")
    peer_learning: bool = param(True, doc="skill diffusion from more skilled peers")
    potential_growth: bool = param(True, doc="skill potential grows with learning support, feedback and coaching; "
                                   "decays without practice")
    recognition: bool = param(True, doc="recognition of wins and top performers")
    attrition: bool = param(True, doc="voluntary quits from the weekly hazard")
    outside_option: bool = param(True, doc="quits follow the outside job market (fewer when demand is down)")
    hiring: bool = param(True, doc="refilling vacancies after a hiring lag")
    ramp: bool = param(True, doc="new-hire ramp-up of productivity")
    toxicity: bool = param(True, doc="harm from toxic neighbours to morale and trust")
    toxic_spread: bool = param(True, doc="SIS spread of toxic behaviour over peer ties")
    toxic_action: bool = param(True, doc="the leader acting on toxic behaviour (reform or removal)")
    toxic_climate: bool = param(True, doc="team toxic climate: a toxic member harms the whole team's morale, "
                                "stress and cohesion, and peers turn toxic, with harm that fades slowly")
    adoption: bool = param(True, doc="Bass adoption of change initiatives over the graph")
    jcurve: bool = param(True, doc="productivity dip then lasting gain after adoption")
    stickiness: bool = param(True, doc="tools can fail to stick: partial use, abandonment, uncertain benefit")
    resistance: bool = param(True, doc="resistance to forced change")
    role_ambiguity: bool = param(True, doc="passive leadership leaves roles unclear: stress rises where communication "
                                 "plus accountability is below 1, their medians' sum (docs/model.md 7.4)")
    crisis_response: bool = param(True, doc="the leader's crisis-response strategy")
    crisis_signal: bool = param(True, doc="the leader assesses the crisis from a lagged, noisy signal "
                                "(quality rises with data orientation); off: the true level at once")
    cohesion: bool = param(True, doc="tie strength from celebrations; reset by regrouping")
    leaders: bool = param(False, doc="leaders as agents: per-team styles, time budget, stress, succession (leaders:)")
    head_of_sales: bool = param(False, doc="a head of sales as an agent: pressure, hiring freeze, quota push, relayed "
                                "to the teams by their leaders (head_of_sales:; needs leaders)")
    segment_allocation: bool = param(False, doc="the leader forecasts segments each review and moves the team's "
                                     "selling hours toward the best (allocation:); off: fixed default mix")
    regroup_pairing: bool = param(True, doc="a regroup pairs each junior with the team's most skilled senior "
                                  "(mentoring lifts the junior's skill)")


# ----------------------------------------------------------------------------------------------
# Team and graph
# ----------------------------------------------------------------------------------------------
@dataclass
class TeamConfig:
    """Organisation shape, team graph and initial rep state."""

    n_teams: int = param(1, 1, 100_000, doc="number of teams, each with a front-line leader")
    team_size: int = param(12, 1, 10_000, doc="reps per team (seats)")
    graph: str = param("small_world", doc="peer-graph generator",
                       choices=("small_world", "sbm", "complete", "edgelist"))
    k_neighbors: int = param(4, 0, 1000, doc="small-world: ties per rep inside a team (even)")
    rewire_p: float = param(0.1, 0.0, 1.0, doc="small-world: rewiring probability")
    p_within: float = param(0.4, 0.0, 1.0, doc="sbm: tie probability inside a team")
    cross_ties: float = param(0.5, 0.0, 100.0, doc="mean peer ties per rep to other teams (n_teams > 1)")
    edgelist: str = param("", doc="edgelist: CSV with columns source,target (rep ids or rows)")
    roster: str = param("", doc="roster CSV: one row per rep (see docs/scenarios.md)")
    head_of_sales: bool = param(True, doc="add a head of sales above the team leaders (n_teams > 1)")
    graph_seed: int = param(7, 0, 2**31 - 1, doc="seed of the graph structure (shared by all replications)")
    skill_mean: float = param(0.5, 0.0, 1.0, doc="mean skill potential of reps")
    skill_sd: float = param(0.2, 0.0, 1.0, doc="spread of skill potential", source="calibrated: top-20% share")
    strength_sd: float = param(0.3, 0.0, 2.0, doc="log-sd of per-segment strengths")
    initial_state: str = param("equilibrium", doc="initial mean morale, trust and stress: the targets of their "
                               "equations at the start (equilibrium) or morale_mean / trust_mean and the base "
                               "stress (given)", choices=("equilibrium", "given"))
    morale_mean: float = param(0.6, 0.0, 1.0, doc="initial mean morale (initial_state = given)")
    morale_sd: float = param(0.1, 0.0, 0.5, doc="initial morale spread")
    trust_mean: float = param(0.5, 0.0, 1.0, doc="initial mean trust in the leader (initial_state = given)")
    trust_sd: float = param(0.1, 0.0, 0.5, doc="initial trust spread")
    tenure_mean_weeks: float = param(100.0, 0.0, 2000.0, unit="weeks",
                                     doc="mean initial tenure (exponential)", source="Xactly: 1.5-3 years")
    initial_toxic: int = param(0, 0, 10_000, doc="toxic reps at the start (seat 0 of the first teams)")


# ----------------------------------------------------------------------------------------------
# Timed events (interventions)
# ----------------------------------------------------------------------------------------------
@dataclass
class Event:
    """A timed intervention (see simteam.events for the kinds)."""

    kind: str = param("recognition_event", doc="what happens",
                      choices=("crisis", "toxic_hire", "recognition_event", "rollout", "regroup",
                               "quota_change", "hire", "lose_top_performer", "dismiss", "leader_leaves",
                               "promote", "hire_leader"))
    week: int = param(0, 0, 100_000, unit="week", doc="week the event fires")
    value: float = param(0.0, -1e9, 1e9, doc="kind-specific size (crisis depth, quota factor, hires; the team of "
                         "a leader event, -1 for all)")
    name: str = param("", doc="kind-specific name (initiative to start; style of hire_leader; seat in the team of "
                      "promote)")
    probability: float = param(1.0, 0.0, 1.0, doc="probability the event happens (drawn per replication)")


# ----------------------------------------------------------------------------------------------
# Whole simulation
# ----------------------------------------------------------------------------------------------
@dataclass
class SimConfig:
    """Everything one simulation needs. Build with :func:`from_dict` or directly."""

    seed: int = param(0, 0, 2**62, doc="base seed: replication r uses seed + r")
    replications: int = param(50, 1, 10_000_000, doc="replications (one batch dimension)")
    weeks: int = param(104, 1, 100_000, unit="weeks", doc="horizon")
    team: TeamConfig = sub(TeamConfig)
    market: MarketConfig = sub(MarketConfig)
    selling: SellingConfig = sub(SellingConfig)
    allocation: AllocationConfig = sub(AllocationConfig)
    people: PeopleConfig = sub(PeopleConfig)
    leadership: LeadershipConfig = sub(LeadershipConfig)
    crisis: CrisisConfig = sub(CrisisConfig)
    leaders: LeadersConfig = sub(LeadersConfig)
    head_of_sales: HeadOfSalesConfig = sub(HeadOfSalesConfig)
    change: ChangeConfig = sub(ChangeConfig)
    culture: CultureConfig = sub(CultureConfig)
    mechanisms: Switches = sub(Switches)
    events: list[Event] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# Validation and conversion
# ----------------------------------------------------------------------------------------------
_LIST_ITEM = {("market", "segments"): Segment, ("market", "shocks"): Shock,
              ("change", "initiatives"): Initiative, ("events",): Event}


def _describe(md: dict) -> str:
    if md.get("choices"):
        return "one of " + ", ".join(md["choices"])
    lo, hi = md.get("lo"), md.get("hi")
    if lo is not None and hi is not None:
        return f"a number in [{lo}, {hi}]"
    if lo is not None:
        return f"a number >= {lo}"
    if hi is not None:
        return f"a number <= {hi}"
    return "any value"


def _check_value(path: str, f: dataclasses.Field, value: Any) -> None:
    md = f.metadata
    typ = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if typ == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected true or false, got {value!r}")
        return
    if typ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: expected a whole number ({_describe(md)}), got {value!r}")
    elif typ == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path}: expected a number ({_describe(md)}), got {value!r}")
        if not math.isfinite(float(value)):
            raise ConfigError(f"{path}: expected a finite number ({_describe(md)}), got {value!r}")
    elif typ == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected text, got {value!r}")
        if md.get("choices") and value not in md["choices"]:
            raise ConfigError(f"{path}: {value!r} is not allowed; choose {_describe(md)}")
        return
    else:
        return
    lo, hi = md.get("lo"), md.get("hi")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ConfigError(f"{path}: {value!r} is out of range; allowed: {_describe(md)} ({md.get('doc', '')})")


def _field(cls, name: str) -> dataclasses.Field:
    return next(f for f in dataclasses.fields(cls) if f.name == name)


def _validate_dc(obj: Any, path: str) -> None:
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        p = f"{path}.{f.name}" if path else f.name
        typ = f.type if isinstance(f.type, str) else str(f.type)
        if isinstance(value, (list, tuple, dict)) and typ in ("int", "float", "bool", "str"):
            raise ConfigError(f"{p}: expected a single value ({_describe(f.metadata)}), got {value!r}"[:300])
        if dataclasses.is_dataclass(value):
            _validate_dc(value, p)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    _validate_dc(item, f"{p}[{i}]")
                elif f.name == "regroup_weeks":
                    if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                        raise ConfigError(f"{p}[{i}]: expected a week number >= 0, got {item!r}")
        else:
            _check_value(p, f, value)


def validate(cfg: SimConfig) -> SimConfig:
    """Check every field's type and range and the cross-field rules.

    Raises:
        ConfigError: naming the first offending field and what is allowed.
    """
    _validate_dc(cfg, "")
    w = cfg.weeks
    top = _field(SimConfig, "seed").metadata["hi"]
    if cfg.seed + cfg.replications - 1 > top:
        raise ConfigError(f"seed: replication r uses seed + r, so seed {cfg.seed} with {cfg.replications} "
                          f"replications reaches {cfg.seed + cfg.replications - 1}; allowed: seed <= "
                          f"{top - cfg.replications + 1} (the last seed must stay <= {top})")
    if not cfg.market.segments:
        raise ConfigError("market.segments: at least one segment is needed")
    names = [s.name for s in cfg.market.segments]
    if len(set(names)) != len(names):
        raise ConfigError(f"market.segments: segment names must be unique, got {names}")
    for i, s in enumerate(cfg.market.shocks):
        if s.start_week >= w:
            raise ConfigError(f"market.shocks[{i}].start_week: {s.start_week} is past the horizon; "
                              f"allowed: 0 to weeks-1 = {w - 1}")
    for i, ini in enumerate(cfg.change.initiatives):
        if ini.start_week >= w:
            raise ConfigError(f"change.initiatives[{i}].start_week: {ini.start_week} is past the horizon; "
                              f"allowed: 0 to {w - 1}")
        if ini.start_week < 0 and ini.mandate_week >= 0:
            raise ConfigError(f"change.initiatives[{i}].mandate_week: an initiative started only by an event "
                              f"(start_week -1) cannot have a fixed mandate week; allowed: -1")
        if 0 <= ini.mandate_week < ini.start_week:
            raise ConfigError(f"change.initiatives[{i}].mandate_week: {ini.mandate_week} is before the rollout starts "
                              f"(start_week {ini.start_week}); allowed: -1 (never) or {ini.start_week} to {w - 1}")
        if ini.mandate_week >= w:
            raise ConfigError(f"change.initiatives[{i}].mandate_week: {ini.mandate_week} is past the horizon; "
                              f"allowed: -1 (never) or 0 to {w - 1}")
    inames = [ini.name for ini in cfg.change.initiatives]
    if len(set(inames)) != len(inames):
        raise ConfigError(f"change.initiatives: names must be unique, got {inames}")
    for i, wk in enumerate(cfg.change.regroup_weeks):
        if wk >= w:
            raise ConfigError(f"change.regroup_weeks[{i}]: {wk} is past the horizon; allowed: 0 to {w - 1}")
    for i, ev in enumerate(cfg.events):
        if ev.week >= w:
            raise ConfigError(f"events[{i}].week: {ev.week} is past the horizon; allowed: 0 to {w - 1}")
        check_event(ev.kind, ev.value, where=f"events[{i}]")
        if ev.kind in ("rollout", "regroup") and ev.probability < 1.0:
            raise ConfigError(f"events[{i}].probability: a {ev.kind} is a planned action on the whole organisation; "
                              f"allowed: 1.0 (use alternatives to compare doing it or not)")
        if ev.kind == "rollout" and ev.name not in inames:
            raise ConfigError(f"events[{i}].name: {ev.name!r} names no initiative; allowed: {inames}")
    _validate_leaders(cfg)
    _validate_head_of_sales(cfg)
    t = cfg.team
    if t.graph == "small_world" and t.k_neighbors % 2:
        raise ConfigError(f"team.k_neighbors: {t.k_neighbors} must be even for the small_world graph")
    if t.edgelist and t.graph != "edgelist":
        raise ConfigError(f"team.edgelist: is only read by the edgelist graph, and team.graph is {t.graph!r}; "
                          f"set team.graph=edgelist to use the file, or leave team.edgelist empty")
    if t.graph == "edgelist" and not t.edgelist and not t.roster:
        raise ConfigError("team.edgelist: the edgelist graph needs a CSV path in team.edgelist")
    if t.initial_toxic > t.n_teams * t.team_size:
        raise ConfigError(f"team.initial_toxic: {t.initial_toxic} exceeds the {t.n_teams * t.team_size} seats")
    return cfg


def _build(cls, data: Any, path: str):
    if dataclasses.is_dataclass(data):
        data = to_dict(data)
    if not isinstance(data, dict):
        raise ConfigError(f"{path or 'config'}: expected a mapping of fields, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        p = f"{path}.{key}" if path else str(key)
        if key not in fields:
            hint = did_you_mean(str(key), list(fields), prefix=path) or "."
            raise ConfigError(f"{p}: unknown key{hint} Allowed keys: {', '.join(fields)}")
        f = fields[key]
        sub_cls = None
        if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            proto = f.default_factory()  # type: ignore[misc]
            if dataclasses.is_dataclass(proto):
                sub_cls = type(proto)
        item_cls = _LIST_ITEM.get(tuple(p.split(".")[-2:])) or _LIST_ITEM.get((key,))
        if sub_cls is not None:
            kwargs[key] = _build(sub_cls, value, p)
        elif item_cls is not None:
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"{p}: expected a list, got {value!r}")
            kwargs[key] = [_build(item_cls, v, f"{p}[{i}]") for i, v in enumerate(value)]
        else:
            if isinstance(value, (list, tuple)):
                value = list(value)
            # accept ints where floats are expected
            if f.type in ("float", float) and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            kwargs[key] = value
    return cls(**kwargs)


def closest(key: str, names) -> str | None:
    """The allowed name closest to a misspelt key (whole names, or their last ``_`` part), or None."""
    names = [str(n) for n in names]
    close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
    if close:
        return close[0]
    tails = {n.rsplit("_", 1)[-1]: n for n in names if "_" in n}
    close = difflib.get_close_matches(str(key), list(tails), n=1, cutoff=0.7)
    return tails[close[0]] if close else None


def field_at(cfg, path: str, where: str, end: str = "") -> dataclasses.Field:
    """The dataclass field at the dotted ``path`` of a configuration; otherwise ConfigError
    ``"<where>: unknown parameter<; did you mean ...?>"`` (``end`` when nothing is close).

    The one resolver of a parameter path; callers apply their own rules to the field it returns
    (a sweep takes whole and decimal numbers, an uncertainty table decimal ones only).
    """
    parts = path.split(".")
    obj = cfg
    for i, part in enumerate(parts):
        if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
            raise ConfigError(f"{where}: unknown parameter")
        fields = {f.name: f for f in dataclasses.fields(obj)}
        if part not in fields:
            raise ConfigError(f"{where}: unknown parameter{did_you_mean(part, list(fields), '.'.join(parts[:i])) or end}")
        if i == len(parts) - 1:
            return fields[part]
        obj = getattr(obj, part)
    raise ConfigError(f"{where}: unknown parameter")  # pragma: no cover - a split path has at least one part


def did_you_mean(key: str, names, prefix: str = "") -> str:
    """The hint for a misspelt key: ``"; did you mean <prefix.>name?"``, or ``""`` when nothing is close.

    The one "did you mean" of simteam: every message about an unknown key, column, field or
    setting appends it after naming the offending key.

    Example:
        >>> did_you_mean("sise", ["team_size", "n_teams"], prefix="team")
        '; did you mean team.team_size?'
        >>> did_you_mean("zzz", ["team_size"])
        ''
    """
    best = closest(key, names)
    if best is None:
        return ""
    return f"; did you mean {prefix + '.' if prefix else ''}{best}?"


#: Kinds whose ``value`` means something: kind -> (lowest, highest, meaning). One check for configured
#: events (:func:`simteam.config.validate`) and for events applied now (``SalesTeamModel.intervene``).
VALUE_RANGE = {
    "crisis": (0.0, 1.0, "crisis depth, the share of demand lost at the trough; 0 means the default 0.25"),
    "quota_change": (0.0, 10.0, "factor the quota is multiplied by; 0 means unchanged"),
    "hire": (0.0, 1e9, "open seats to fill, a whole number; 0 means all"),
}


def check_event(kind, value=0.0, where: str = "event") -> None:
    """Check an event's kind and value; raise :class:`simteam.params.ConfigError` naming ``where.kind``/``where.value``."""
    kinds = _field(Event, "kind").metadata["choices"]
    if kind not in kinds:
        raise ConfigError(f"{where}.kind: {kind!r} is unknown{did_you_mean(str(kind), kinds) or ';'} "
                          f"choose one of {', '.join(kinds)}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{where}.value: expected a number, got {value!r}")
    if not math.isfinite(float(value)):
        raise ConfigError(f"{where}.value: expected a finite number, got {value!r}")
    if kind in VALUE_RANGE:
        lo, hi, meaning = VALUE_RANGE[kind]
        if not lo <= float(value) <= hi or (kind == "hire" and float(value) != int(value)):
            raise ConfigError(f"{where}.value: {value!r} is out of range for a {kind}; allowed: "
                              f"{lo:g} to {hi:g} ({meaning})")


def load_section(cls, data: Any, path: str):
    """Build and check one settings section of the applications (``sensitivity:``, ``output:`` ...).

    ``cls`` is a dataclass of :func:`param` fields (nested dataclasses for sub-sections), the same
    machinery as :class:`SimConfig`: unknown keys are rejected with a "did you mean", and every
    value is checked against its field's type, range and choices. Keys set to ``None`` (YAML
    ``null``) take the default.

    Raises:
        ConfigError: One line naming the offending key (``path.key``) and what is allowed.
    """
    if data is None:
        data = {}
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if v is not None}
    obj = _build(cls, data, path)
    _validate_dc(obj, path)
    return obj


def from_dict(data: dict | None = None, base: SimConfig | None = None) -> SimConfig:
    """Build and validate a :class:`SimConfig` from nested dicts, rejecting unknown keys.

    Args:
        data: Nested mapping (e.g. parsed YAML or an OmegaConf container).
        base: Optional config whose values are the defaults for missing keys.

    Raises:
        ConfigError: For an unknown key (with a close-match hint), a wrong type or
            a value out of range.
    """
    merged = to_dict(base) if base is not None else {}
    _deep_update(merged, data or {})
    return validate(_build(SimConfig, merged, ""))


def _deep_update(dst: dict, src: dict) -> None:
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _deep_update(dst[k], v)
        else:
            dst[k] = copy.deepcopy(v)


def to_dict(cfg: Any) -> dict:
    """The config as plain nested dicts and lists (YAML/JSON ready)."""
    return dataclasses.asdict(cfg)


def get_path(cfg: Any, path: str) -> Any:
    """Value at a dotted path, e.g. ``leadership.coaching``."""
    obj = cfg
    for part in path.split("."):
        if not hasattr(obj, part):
            raise ConfigError(f"{path}: unknown parameter (no field {part!r})")
        obj = getattr(obj, part)
    return obj


def replace_path(cfg: SimConfig, path: str, value: Any) -> SimConfig:
    """A validated copy of ``cfg`` with the dotted ``path`` set to ``value``."""
    d = to_dict(cfg)
    node = d
    parts = path.split(".")
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{path}: unknown parameter")
        node = node[part]
    if not isinstance(node, dict) or parts[-1] not in node:
        raise ConfigError(f"{path}: unknown parameter")
    node[parts[-1]] = value
    return from_dict(d)


def iter_params(cls=SimConfig, prefix: str = ""):
    """Yield ``(path, field)`` for every scalar parameter (for docs and sweeps)."""
    for f in dataclasses.fields(cls):
        p = f"{prefix}.{f.name}" if prefix else f.name
        if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            proto = f.default_factory()  # type: ignore[misc]
            if dataclasses.is_dataclass(proto):
                yield from iter_params(type(proto), p)
                continue
            if isinstance(proto, list) and (p.split(".")[-1] in ("segments", "shocks", "initiatives", "events")):
                continue
        yield p, f

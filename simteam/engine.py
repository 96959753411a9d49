"""The batched weekly engine: the mechanism list, the one step order, seats vacated and filled, recording.

:class:`Engine` runs ``B`` batch rows at once (replications, or parameter points x
replications for sweeps) on one shared team structure. It holds an ordered list of
mechanisms (:class:`simteam.mechanism.Mechanism`: ``init``, ``start``, ``step``, ``on_vacate``,
``on_hire``, ``finalize``), the organisation-level state :class:`~simteam.mechanism.OrgState`
(``e.org``), the one seat-vacating path :meth:`Engine.vacate` and the one hiring path
:meth:`Engine.hire`. The weekly step is :meth:`Engine.step`; its phases are listed there,
in order, and nowhere else. The same engine, with ``B = 1``, sits under the Mesa face
(:mod:`simteam.model`).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from . import allocation, change, culture, leadership, market, people, selling, turnover
from .config import ConfigError, SimConfig, get_path, validate
from .effort import Effort
from .errors import raise_if_interrupted
from .events import build_policies
from .headofsales import HeadOfSales
from .leaders import Leaders
from .mechanism import HireSpec, Mechanism, OrgState
from .numerics import jit
from .network import TeamStructure, build_structure, read_edgelist, regroup
from .state import RepState
from .streams import Streams

__all__ = ["Engine", "Mechanism", "OrgState", "SERIES", "BUILTIN", "default_mechanisms", "optional_mechanisms",
           "batch_params", "record_week", "RECORD_SERIES", "series_names"]

#: Weekly team series recorded per batch row (name -> meaning).
SERIES = {
    "revenue": "revenue won in the week (k$)",
    "deals": "deals won in the week",
    "pipeline": "open opportunities at the end of the week",
    "headcount": "filled seats",
    "hires": "reps hired in the week",
    "quits": "voluntary quits in the week",
    "exits_other": "layoffs and dismissals in the week",
    "morale": "mean morale of the reps",
    "morale_sd": "spread of morale",
    "trust": "mean trust in the leader",
    "trust_sd": "spread of trust",
    "skill": "mean skill",
    "skill_sd": "spread of skill",
    "stress": "mean stress",
    "effort": "mean effort",
    "attainment": "mean attainment pace",
    "productivity": "mean productivity factor (ramp x J-curve)",
    "adoption": "share of reps who adopted the change initiatives (mean over initiatives)",
    "toxic_share": "share of reps showing toxic behaviour",
    "demand": "demand index (1 = normal market)",
    "crisis": "share of demand value lost to shocks",
    "quota_factor": "quota multiplier in force",
}


#: Series filled by record_week, in the order of the rows of its ``out`` argument.
RECORD_SERIES = ("revenue", "deals", "pipeline", "headcount", "morale", "morale_sd", "trust", "trust_sd",
                 "skill", "skill_sd", "stress", "effort", "productivity", "attainment", "toxic_share", "adoption")


@jit
def record_week(active, revenue_week, wins_week, pipeline, morale, trust, skill, stress, effort, productivity,
                pace, toxic, adopted, out):
    """Row sums and means of the weekly series, each summed over seats in seat order."""
    B, N = active.shape
    S = pipeline.shape[2]
    K = adopted.shape[2]
    for b in range(B):
        n = 0
        n_tox = 0
        n_adopt = 0
        rev = 0.0
        deals = 0.0
        pipe = 0.0
        sm = 0.0
        sm2 = 0.0
        st = 0.0
        st2 = 0.0
        ss = 0.0
        ss2 = 0.0
        sst = 0.0
        sef = 0.0
        spr = 0.0
        spa = 0.0
        for i in range(N):
            a = active[b, i]
            af = 1.0 if a else 0.0
            if a:
                n += 1
                if toxic[b, i]:
                    n_tox += 1
                for k in range(K):
                    if adopted[b, i, k]:
                        n_adopt += 1
            m = morale[b, i] * af
            tr = trust[b, i] * af
            sk = skill[b, i] * af
            pa = pace[b, i] if a else 0.0
            for s in range(S):  # the pipeline is summed over (seat, segment) pairs in order
                pipe = pipeline[b, i, s] if (i == 0 and s == 0) else pipe + pipeline[b, i, s]
            if i == 0:
                rev, deals = revenue_week[b, i], wins_week[b, i]
                sm, sm2, st, st2, ss, ss2 = m, m * m, tr, tr * tr, sk, sk * sk
                sst, sef, spr, spa = stress[b, i] * af, effort[b, i] * af, productivity[b, i] * af, pa
            else:
                rev += revenue_week[b, i]
                deals += wins_week[b, i]
                sm += m
                sm2 += m * m
                st += tr
                st2 += tr * tr
                ss += sk
                ss2 += sk * sk
                sst += stress[b, i] * af
                sef += effort[b, i] * af
                spr += productivity[b, i] * af
                spa += pa
        nf = float(n)
        nn = max(nf, 1.0)
        out[0, b] = rev
        out[1, b] = deals
        out[2, b] = pipe
        out[3, b] = nf
        mean = sm / nn
        out[4, b] = mean
        out[5, b] = np.sqrt(max(sm2 / nn - mean * mean, 0.0))
        mean = st / nn
        out[6, b] = mean
        out[7, b] = np.sqrt(max(st2 / nn - mean * mean, 0.0))
        mean = ss / nn
        out[8, b] = mean
        out[9, b] = np.sqrt(max(ss2 / nn - mean * mean, 0.0))
        out[10, b] = sst / nn
        out[11, b] = sef / nn
        out[12, b] = spr / nn
        out[13, b] = spa / nn
        out[14, b] = n_tox / nn
        out[15, b] = n_adopt / (nn * K) if K else np.nan


#: The built-in mechanisms in step order (names; :func:`default_mechanisms` builds them).
BUILTIN = ("market", "leadership", "allocation", "effort", "selling", "people", "culture", "change", "turnover")


def optional_mechanisms(cfg: SimConfig, n_teams: int) -> list[Mechanism]:
    """The built-in mechanisms behind a switch that is off by default (leaders as agents, head of sales)."""
    out: list[Mechanism] = []
    if cfg.mechanisms.leaders:
        out.append(Leaders(n_teams))
    if cfg.mechanisms.head_of_sales:
        out.append(HeadOfSales())
    return out


def _n_teams(cfg: SimConfig, roster) -> int:
    if roster is None and cfg.team.roster:
        from .roster import load_roster
        roster = load_roster(cfg.team.roster)
    if roster is not None:
        ti = np.asarray(roster.team_index)
        return int(ti.max()) + 1 if ti.size else 1
    return cfg.team.n_teams


def series_names(mechanisms, cfg: SimConfig | None = None, roster: Any = None) -> dict[str, str]:
    """The weekly series of a run: :data:`SERIES`, those of the switched-on optional built-in mechanisms
    (when ``cfg`` is given) and those the (extra) mechanisms declare."""
    out = dict(SERIES)
    if cfg is not None and (cfg.mechanisms.leaders or cfg.mechanisms.head_of_sales):
        mechanisms = optional_mechanisms(cfg, _n_teams(cfg, roster)) + list(mechanisms or ())
    for m in mechanisms or ():
        for k, doc in getattr(m, "series", {}).items():
            if k in out:
                raise ConfigError(f"mechanisms: {m.name!r} declares the series {k!r}, which is taken; "
                                  "choose another name")
            out[k] = doc
    return out


def default_mechanisms() -> list[Mechanism]:
    """Fresh built-in mechanism objects, in the step order of :meth:`Engine.step`."""
    return [market.MarketMechanism(), leadership.Leadership(), allocation.Allocation(), Effort(), selling.Selling(), people.People(),
            culture.Culture(), change.Change(), turnover.Turnover()]


def _place(mechs: list[Mechanism], extra: list) -> list[Mechanism]:
    """Insert each extra mechanism after (``after``) or before (``before``) the one it names; else at the end."""
    out = list(mechs)
    for m in extra:
        name = getattr(m, "name", None)
        if not isinstance(name, str) or not callable(getattr(m, "step", None)):
            raise ConfigError(f"mechanisms: {m!r} needs a name and a step(e, t) method (see simteam.mechanism)")
        after, before = getattr(m, "after", None), getattr(m, "before", None)
        names = [x.name for x in out]
        if name in names:
            raise ConfigError(f"mechanisms: the name {name!r} is taken; names in use: {', '.join(names)}")
        if after is not None and before is not None:
            raise ConfigError(f"mechanisms: {name!r} sets both after={after!r} and before={before!r}; give one")
        anchor = after if after is not None else before
        if anchor is None:
            out.append(m)
            continue
        if anchor not in names:
            raise ConfigError(f"mechanisms: {name!r} is placed at {anchor!r}; allowed: {', '.join(names)}")
        i = names.index(anchor)
        out.insert(i + 1 if after is not None else i, m)
    return out


def batch_params(cfg: SimConfig, overrides: dict[str, np.ndarray] | None, B: int) -> SimConfig:
    """A copy of ``cfg`` whose overridden scalar leaves are (B, 1) arrays (one value per row)."""
    p = copy.deepcopy(cfg)
    for path, values in (overrides or {}).items():
        values = np.asarray(values, dtype=float).reshape(-1)
        if values.size != B:
            raise ConfigError(f"{path}: got {values.size} values for {B} batch rows")
        parts = path.split(".")
        obj = p
        for part in parts[:-1]:
            obj = getattr(obj, part)
        current = getattr(obj, parts[-1])
        if isinstance(current, (bool, str, list)) or not isinstance(current, (int, float)):
            raise ConfigError(f"{path}: only numeric parameters can vary across a batch")
        if path.startswith("team.") or path in ("weeks", "seed", "replications"):
            raise ConfigError(f"{path}: structural parameters cannot vary inside one batch; run one batch per value")
        setattr(obj, parts[-1], values[:, None])
    return p


def _check_seeds(seeds) -> np.ndarray:
    """``seeds`` as a flat int64 array, or a one-line ConfigError naming what is allowed."""
    top = SimConfig.__dataclass_fields__["seed"].metadata["hi"]  # the last seed a replication may use
    allowed = f"allowed: one or more whole numbers from 0 to {top}"
    try:
        arr = np.asarray(seeds)
        ok = arr.size > 0 and (arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and np.all(np.mod(arr, 1) == 0)))
        out = arr.astype(np.int64).reshape(-1) if ok else None
    except (TypeError, ValueError, OverflowError):
        out = None
    if out is None or np.any(out < 0) or np.any(out > top):
        raise ConfigError(f"seeds: {str(seeds)[:80]} is not allowed; {allowed}")
    return out


class Engine:
    """Runs a batch of replications of one organisation, week by week.

    Args:
        cfg: A validated :class:`SimConfig`.
        seeds: One seed per batch row; defaults to ``cfg.seed + arange(cfg.replications)``.
        overrides: Per-row values of numeric parameters (``{"leadership.coaching": array(B)}``).
        roster: Optional roster (see :mod:`simteam.roster`) giving seats and initial state.
        record_panel: Also record per-seat morale, trust, skill, revenue and activity each week.
        policies: Extra policy objects (see :mod:`simteam.events`) applied at fixed phases.
        mechanisms: Extra mechanisms (:class:`simteam.mechanism.Mechanism`), each placed in the step
            order by its ``after`` / ``before`` attribute (the name of a built-in mechanism, see
            :data:`BUILTIN`; neither: after the last one). They are called like the built-in ones:
            ``init`` and ``start`` while the engine is built, ``step`` every week, ``on_vacate`` /
            ``on_hire`` when seats change hands, ``finalize`` at the end. The engine works on a copy
            (``copy.deepcopy``) of each, so a mechanism may keep per-run state on itself; reach the
            engine's copy with :meth:`mechanism`.

    Attributes:
        mechanisms: The ordered list of mechanism objects (built-in and extra).
        org: The organisation-level state (:class:`simteam.mechanism.OrgState`).
        s: The per-seat state (:class:`simteam.state.RepState`).
        market, selling: The built-in market and selling objects (set by their mechanisms' ``init``).
        quota_factor, hiring_frozen, crisis_state: Old names of ``org.quota_factor``,
            ``org.hiring_frozen`` and ``org.crisis`` (kept for compatibility).
    """

    def __init__(self, cfg: SimConfig, seeds: np.ndarray | None = None,
                 overrides: dict[str, np.ndarray] | None = None, roster: Any = None,
                 record_panel: bool = False, policies: list | None = None, mechanisms: list | None = None,
                 series_out: dict[str, np.ndarray] | None = None):
        validate(cfg)
        if seeds is None:
            seeds = cfg.seed + np.arange(cfg.replications)
        self.seeds = _check_seeds(seeds)
        self.B = B = self.seeds.size
        self.cfg = cfg
        self.p = batch_params(cfg, overrides, B)
        self.sw = cfg.mechanisms
        self.rng = Streams(self.seeds)
        self.weeks = cfg.weeks
        self.week = 0
        if roster is None and cfg.team.roster:
            from .roster import load_roster
            roster = load_roster(cfg.team.roster)
        if roster is not None and hasattr(roster, "open_seats") and len(roster.team_index) \
                and bool(np.all(roster.open_seats)):
            raise ConfigError(f"roster: every seat of {getattr(roster, 'path', '') or 'the roster'} is open "
                              f"(status open); at least one rep must be active")
        self.roster = roster
        self.structure = self._build_structure(cfg, roster)
        self.N = N = self.structure.n
        self.S = len(cfg.market.segments)
        self.K = len(cfg.change.initiatives)
        self.s = RepState(B, N, self.S, self.K)
        self._scratch: dict[str, np.ndarray] = {}
        self.org = OrgState(B)
        self.hire_spec: HireSpec | None = None
        self.regroups = 0
        self.event_log: list[tuple[int, str, str]] = []
        self.counters = {k: np.zeros(B) for k in ("rep_years", "at_quota", "top20_sum", "top20_n",
                                                  "quits", "exits_other", "hires", "wins")}
        # extra mechanisms: a copy per engine, so per-run state never leaks between engines
        base = default_mechanisms()
        # leaders as agents (submodel LA) and the head of sales (HS), right after the leadership phase
        base[2:2] = optional_mechanisms(cfg, self.structure.n_teams)
        self.mechanisms = _place(base, [copy.deepcopy(m) for m in (mechanisms or [])])
        # the weekly series, NaN until recorded; ``series_out`` gives the (weeks, B) arrays to record into
        # (a worker process writes straight into its columns of the parent's shared array, no copy)
        names = series_names(self.mechanisms)
        if series_out is None:
            self.series = {k: np.full((self.weeks, B), np.nan) for k in names}
        else:
            wrong = [k for k in names if k not in series_out or series_out[k].shape != (self.weeks, B)]
            if wrong:
                raise ValueError(f"series_out: needs a ({self.weeks}, {B}) array for each series; "
                                 f"missing or misshapen: {wrong}")
            self.series = {k: series_out[k] for k in names}
            for a in self.series.values():
                a.fill(np.nan)
        # the init phase: each mechanism sets up its own state, then what depends on the others'
        for m in self.mechanisms:
            m.init(self)
        for m in self.mechanisms:
            getattr(m, "start", _noop)(self)
        self.policies = build_policies(self) + list(policies or [])
        self._policy_phases = {pol.phase for pol in self.policies}
        self.record_panel = record_panel
        if record_panel:
            self.panel = {k: np.zeros((self.weeks, B, N), dtype=np.float32)
                          for k in ("active", "morale", "trust", "skill", "stress", "revenue", "toxic")}

    # ------------------------------------------------------------------------------------------
    def _build_structure(self, cfg: SimConfig, roster) -> TeamStructure:
        t = cfg.team
        if roster is not None:
            team_of = roster.team_index
        else:
            team_of = np.repeat(np.arange(t.n_teams), t.team_size)
        edges = None
        graph = t.graph
        if graph == "edgelist":
            try:
                edges = read_edgelist(t.edgelist, team_of.size, roster.ids if roster is not None else None)
            except ValueError as e:
                raise ConfigError(str(e)) from None
        return build_structure(team_of, graph, k_neighbors=t.k_neighbors, rewire_p=t.rewire_p,
                               p_within=t.p_within, cross_ties=t.cross_ties, seed=t.graph_seed,
                               edgelist=edges, head_of_sales=t.head_of_sales)

    def mechanism(self, name: str) -> Mechanism:
        """The mechanism object called ``name``."""
        for m in self.mechanisms:
            if m.name == name:
                return m
        raise KeyError(f"no mechanism named {name!r}; have {', '.join(m.name for m in self.mechanisms)}")

    # org-level state under its old names (read and written through ``org``)
    quota_factor = property(lambda self: self.org.quota_factor,
                            lambda self, v: setattr(self.org, "quota_factor", v))
    hiring_frozen = property(lambda self: self.org.hiring_frozen,
                             lambda self, v: setattr(self.org, "hiring_frozen", v))
    crisis_state = property(lambda self: self.org.crisis)

    def regroup(self) -> None:
        """Rewire the organisation (same for every row: structure is shared)."""
        t = self.cfg.team
        self.regroups += 1
        self.structure = regroup(self.structure, t.graph, seed=t.graph_seed + 1000 * self.regroups,
                                 k_neighbors=t.k_neighbors, rewire_p=t.rewire_p, p_within=t.p_within,
                                 cross_ties=t.cross_ties)
        change.after_regroup(self)

    def scratch(self, name: str, shape: tuple, dtype=np.float64) -> np.ndarray:
        """A work array kept between weeks (float64 unless ``dtype``; contents undefined; reallocated if the
        shape changes)."""
        buf = self._scratch.get(name)
        if buf is None or buf.shape != tuple(shape) or buf.dtype != dtype:
            buf = self._scratch[name] = np.empty(shape, dtype=dtype)
        return buf

    def param(self, path: str):
        """The value of a (possibly per-row) parameter."""
        return get_path(self.p, path)

    def log(self, kind: str, detail: str = "") -> None:
        self.event_log.append((self.week, kind, detail))

    def policies_at(self, phase: str) -> None:
        for pol in self.policies:
            if pol.phase == phase:
                pol.apply(self, self.week)

    # ------------------------------------------------------------------------------------------
    def vacate(self, mask: np.ndarray, kind: str = "exit") -> None:
        """THE seat-vacating path: the filled seats in ``mask`` (B, N) are left now.

        ``kind`` is ``"quit"`` (counted in ``quits``) or ``"exit"`` (layoffs, dismissals, events:
        counted in ``exits_other``). Each mechanism's ``on_vacate`` resets its per-seat state
        (turnover: the rep-year is closed and a vacancy opens; selling: the pipeline handover;
        culture: toxicity; change: resistance and adoption), then the seats are marked empty.
        """
        if kind not in ("quit", "exit"):
            raise ValueError(f"vacate: kind must be 'quit' or 'exit', got {kind!r}")
        s = self.s
        leave = np.broadcast_to(np.asarray(mask, dtype=bool), s.active.shape) & s.active
        n = leave.sum(axis=1)
        key = "quits" if kind == "quit" else "exits_other"
        self.series[key][self.week] += n
        self.counters[key] += n
        if not leave.any():
            return
        rows, cols = np.nonzero(leave)
        for m in self.mechanisms:
            m.on_vacate(self, rows, cols)
        s.active[rows, cols] = False
        if self.B == 1:
            self.log(kind, ",".join(str(i) for i in cols))

    def hire(self, mask: np.ndarray, potential: float | None = None, toxic: bool | None = None,
             count: bool = True) -> None:
        """THE hiring path: new reps fill the seats in ``mask`` (B, N) now.

        Each mechanism's ``on_hire`` sets its per-seat state for the new reps (drawn from its
        ``hire_*`` streams, only at the filled seats); ``potential`` / ``toxic`` override the draws
        (available to ``on_hire`` as ``e.hire_spec``). ``count`` adds them to the week's hires.
        """
        mask = np.broadcast_to(np.asarray(mask, dtype=bool), (self.B, self.N))
        rows, cols = np.nonzero(mask)
        if rows.size:
            self.hire_spec = HireSpec(potential, toxic) if (potential is not None or toxic is not None) else None
            try:
                for m in self.mechanisms:
                    m.on_hire(self, rows, cols)
            finally:
                self.hire_spec = None
            self.s.active[rows, cols] = True
        if count:
            n = mask.sum(axis=1)
            self.series["hires"][self.week] += n
            self.counters["hires"] += n
        if self.B == 1 and rows.size:
            self.log("hire", ",".join(str(i) for i in cols))

    # ------------------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one week. THE step order (docs/model.md, 'Process overview'):

        1. events      timed interventions and policies at phase ``start``
        2. market      demand per segment: trend, season, noise, shocks, competitor
        3. leadership  crisis detection, the response after the decision lag; phase ``leadership``; LA, HS, A (if on)
        4. effort      engagement from morale, trust, stress, goals and accountability
        5. selling     allocation of opportunities, pipeline, wins and revenue
        6. people      recognition, stress, morale (drivers then contagion), trust, skill
        7. culture     toxic spread (SIS), the leader acting on it, cohesion
        8. change      Bass adoption, mandates, resistance, J-curve productivity
        9. turnover    quits, layoffs, dismissals, hiring, tenure and ramp; phase ``end``
        10. record     weekly series, year-end accounting

        Phase 1 first resets the week's counts, the ``leaving`` marks and the org-level weekly
        modifiers (:meth:`simteam.mechanism.OrgState.reset_week`, the only weekly reset). Phases 2-9
        are ``self.mechanisms`` in order (extra mechanisms sit where their ``after`` / ``before``
        places them); policies whose ``phase`` is a mechanism's name apply right after it.
        """
        if self.week >= self.weeks:
            raise RuntimeError(f"the run is over: all {self.weeks} weeks are done")
        t = self.week
        self.s.leaving[:] = False
        for k in ("quits", "exits_other", "hires"):
            self.series[k][t] = 0.0
        self.org.reset_week()
        self.policies_at("start")
        phases = self._policy_phases
        for m in self.mechanisms:
            m.step(self, t)
            if m.name in phases:
                self.policies_at(m.name)
        self.policies_at("end")
        self._record(t)
        self.week += 1

    def run(self, progress=None) -> "Engine":
        """Run to the horizon, then each mechanism's ``finalize``. ``progress`` is an optional callable
        ``progress(weeks_done)``."""
        while self.week < self.weeks:
            raise_if_interrupted()  # a signal whose KeyboardInterrupt was swallowed (simteam.errors.INTERRUPTED)
            self.step()
            if progress is not None:
                progress(1)
        for m in self.mechanisms:
            getattr(m, "finalize", _noop)(self)
        return self

    # ------------------------------------------------------------------------------------------
    def _record(self, t: int) -> None:
        s, ser = self.s, self.series
        act = s.active
        out = self.scratch("record", (len(RECORD_SERIES), self.B))
        record_week(act, s.revenue_week, s.wins_week, s.pipeline, s.morale, s.trust, s.skill, s.stress,
                    s.effort, s.productivity, s.pace, s.toxic, s.adopted, out)
        for j, name in enumerate(RECORD_SERIES):
            if name != "adoption" or self.K:
                ser[name][t] = out[j]
        ser["demand"][t] = self.market.demand_index
        ser["crisis"][t] = self.market.crisis
        ser["quota_factor"][t] = self.org.quota_factor[:, 0]
        if (t + 1) % 52 == 0:
            turnover.close_year(self)
        if self.record_panel:
            pn = self.panel
            pn["active"][t] = act
            pn["morale"][t] = s.morale
            pn["trust"][t] = s.trust
            pn["skill"][t] = s.skill
            pn["stress"][t] = s.stress
            pn["revenue"][t] = s.revenue_week
            pn["toxic"][t] = s.toxic


def _noop(e) -> None:
    pass

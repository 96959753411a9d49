"""The batched weekly engine: initial state, the one step order, and recording.

:class:`Engine` runs ``B`` batch rows at once (replications, or parameter points x
replications for sweeps) on one shared team structure. The weekly step is
:meth:`Engine.step`; its phases are listed there, in order, and nowhere else.
The same engine, with ``B = 1``, sits under the Mesa face (:mod:`simteam.model`).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from . import change, culture, kernels, leadership, market, people, selling
from .config import ConfigError, SimConfig, get_path, validate
from .events import build_policies
from .network import TeamStructure, build_structure, read_edgelist, regroup
from .state import RepState
from .streams import Streams

__all__ = ["Engine", "SERIES", "batch_params"]

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


class Engine:
    """Runs a batch of replications of one organisation, week by week.

    Args:
        cfg: A validated :class:`SimConfig`.
        seeds: One seed per batch row; defaults to ``cfg.seed + arange(cfg.replications)``.
        overrides: Per-row values of numeric parameters (``{"leadership.coaching": array(B)}``).
        roster: Optional roster (see :mod:`simteam.roster`) giving seats and initial state.
        record_panel: Also record per-seat morale, trust, skill, revenue and activity each week.
        policies: Extra policy objects (see :mod:`simteam.events`) applied at fixed phases.
    """

    def __init__(self, cfg: SimConfig, seeds: np.ndarray | None = None,
                 overrides: dict[str, np.ndarray] | None = None, roster: Any = None,
                 record_panel: bool = False, policies: list | None = None):
        validate(cfg)
        if seeds is None:
            seeds = cfg.seed + np.arange(cfg.replications)
        self.seeds = np.asarray(seeds, dtype=np.int64).reshape(-1)
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
        self.roster = roster
        self.structure = self._build_structure(cfg, roster)
        self.N = N = self.structure.n
        self.S = S = len(cfg.market.segments)
        self.K = K = len(cfg.change.initiatives)
        self.s = RepState(B, N, S, K)
        self._scratch: dict[str, np.ndarray] = {}
        self.market = market.Market(self)
        self.selling = selling.Selling(self)
        # org-level state and modifiers (reset each week by leadership.reset_modifiers)
        self.quota_factor = np.ones((B, 1))
        self.hiring_frozen = np.zeros((B, 1), dtype=bool)
        self.mods: dict[str, np.ndarray] = {}
        self.crisis_state = leadership.CrisisState(B)
        self.regroups = 0
        self.event_log: list[tuple[int, str, str]] = []
        self.counters = {k: np.zeros(B) for k in ("rep_years", "at_quota", "top20_sum", "top20_n",
                                                  "quits", "exits_other", "hires", "wins")}
        self.policies = build_policies(self) + list(policies or [])
        people.initialise(self)
        self.series = {k: np.full((self.weeks, B), np.nan) for k in SERIES}
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

    def regroup(self) -> None:
        """Rewire the organisation (same for every row: structure is shared)."""
        t = self.cfg.team
        self.regroups += 1
        self.structure = regroup(self.structure, t.graph, seed=t.graph_seed + 1000 * self.regroups,
                                 k_neighbors=t.k_neighbors, rewire_p=t.rewire_p, p_within=t.p_within,
                                 cross_ties=t.cross_ties)
        change.after_regroup(self)

    def scratch(self, name: str, shape: tuple) -> np.ndarray:
        """A float64 work array kept between weeks (contents undefined; reallocated if the shape changes)."""
        buf = self._scratch.get(name)
        if buf is None or buf.shape != tuple(shape):
            buf = self._scratch[name] = np.empty(shape)
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
    def step(self) -> None:
        """Advance one week. THE step order (docs/model.md, 'Process overview'):

        1. events      timed interventions and policies at phase ``start``
        2. market      demand per segment: trend, season, noise, shocks, competitor
        3. leadership  crisis detection, the response after the decision lag; phase ``leadership``
        4. effort      engagement from morale, trust, stress, goals and accountability
        5. selling     allocation of opportunities, pipeline, wins and revenue
        6. people      recognition, stress, morale (drivers then contagion), trust, skill
        7. culture     toxic spread (SIS), the leader acting on it, cohesion
        8. change      Bass adoption, mandates, resistance, J-curve productivity
        9. turnover    quits, layoffs, dismissals, hiring, tenure and ramp; phase ``end``
        10. record     weekly series, year-end accounting
        """
        if self.week >= self.weeks:
            raise RuntimeError(f"the run is over: all {self.weeks} weeks are done")
        t = self.week
        self.s.leaving[:] = False
        for k in ("quits", "exits_other", "hires"):
            self.series[k][t] = 0.0
        self.policies_at("start")
        self.market.step(t)
        leadership.step(self, t)
        self.policies_at("leadership")
        people.effort(self, t)
        self.selling.step(t)
        people.step(self, t)
        culture.step(self, t)
        change.step(self, t)
        people.turnover(self, t)
        self.policies_at("end")
        self._record(t)
        self.week += 1

    def run(self, progress=None) -> "Engine":
        """Run to the horizon. ``progress`` is an optional callable ``progress(weeks_done)``."""
        while self.week < self.weeks:
            self.step()
            if progress is not None:
                progress(1)
        people.close_year(self, final=True)
        return self

    # ------------------------------------------------------------------------------------------
    def _record(self, t: int) -> None:
        s, ser = self.s, self.series
        act = s.active
        out = self.scratch("record", (len(kernels.RECORD_SERIES), self.B))
        kernels.record_week(act, s.revenue_week, s.wins_week, s.pipeline, s.morale, s.trust, s.skill, s.stress,
                            s.effort, s.productivity, s.pace, s.toxic, s.adopted, out)
        for j, name in enumerate(kernels.RECORD_SERIES):
            if name != "adoption" or self.K:
                ser[name][t] = out[j]
        ser["demand"][t] = self.market.demand_index
        ser["crisis"][t] = self.market.crisis
        ser["quota_factor"][t] = self.quota_factor[:, 0]
        if (t + 1) % 52 == 0:
            people.close_year(self)
        if self.record_panel:
            pn = self.panel
            pn["active"][t] = act
            pn["morale"][t] = s.morale
            pn["trust"][t] = s.trust
            pn["skill"][t] = s.skill
            pn["stress"][t] = s.stress
            pn["revenue"][t] = s.revenue_week
            pn["toxic"][t] = s.toxic

"""SalesTeamModel: one replication as a Mesa model, over the same batched engine.

The model owns an :class:`simteam.engine.Engine` with one batch row; reps and leaders
are Mesa agents placed on a :class:`mesa.discrete_space.Network` built from the team
graph with a fixed, seeded layout. ``step()`` advances the engine one week, keeps the
agents in line with hires and exits, and collects a ``DataCollector`` record whose
model variables are the engine's weekly series.

Example:
    >>> from simteam.model import SalesTeamModel
    >>> m = SalesTeamModel(seed=1, weeks=10)
    >>> for _ in range(10):
    ...     m.step()
    >>> m.datacollector.get_model_vars_dataframe().shape[0]
    10
"""

from __future__ import annotations

import math

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import Network

from .agents import HeadOfSales, Leader, Rep
from .config import ConfigError, SimConfig
from .engine import Engine
from .events import check_event, fire
from .sim import configure

__all__ = ["SalesTeamModel", "team_layout", "coerce_seed"]


def coerce_seed(seed) -> int:
    """Accept the seed as int, float or text (Mesa's seed box sends text); blank means 0."""
    if seed is None:
        return 0
    if isinstance(seed, str):
        seed = seed.strip()
        if not seed:
            return 0
        try:
            seed = float(seed)
        except ValueError:
            raise ValueError(f"seed: expected a whole number, got {seed!r}") from None
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed}")
    return seed


def team_layout(g: nx.Graph, seed: int = 0) -> dict:
    """Fixed, seeded layout: teams on a circle, each team's reps on a ring around its leader.

    O(N) and deterministic, unlike a spring layout (seconds at 1,000 nodes).
    """
    rng = np.random.default_rng(seed)
    teams: dict[int, list] = {}
    leaders = {}
    for node, d in g.nodes(data=True):
        if d.get("kind") == "rep":
            teams.setdefault(d["team"], []).append(node)
        elif d.get("kind") == "leader":
            leaders[d["team"]] = node
    T = max(len(teams), 1)
    R = 0.0 if T == 1 else 1.0
    pos = {}
    for t, members in sorted(teams.items()):
        angle = 2 * math.pi * t / T
        cx, cy = R * math.cos(angle), R * math.sin(angle)
        r = 0.45 if T == 1 else min(0.9 * math.sin(math.pi / T) if T > 1 else 0.45, 0.45)
        n = len(members)
        for i, node in enumerate(sorted(members, key=str)):
            a = 2 * math.pi * i / max(n, 1) + rng.uniform(-0.05, 0.05)
            pos[node] = (cx + r * math.cos(a), cy + r * math.sin(a))
        if t in leaders:
            pos[leaders[t]] = (cx, cy)
    for node, d in g.nodes(data=True):
        if node not in pos:
            pos[node] = (0.0, 0.0 if T == 1 else 0.0)
    return pos


class SalesTeamModel(mesa.Model):
    """One replication of a sales organisation as a Mesa model.

    Args:
        config: A :class:`SimConfig`, a nested dict, or None for the defaults.
        seed: Replication seed (int or text); the same seed as replication ``r`` of a
            batch run with base seed ``seed - r`` gives identical numbers.
        style, market, crisis: Presets passed to :func:`simteam.configure`.
        policies: Extra policy objects applied by the engine.
        **dotted: Dotted overrides, e.g. ``leadership__recognition=0.9``.
    """

    def __init__(self, config: SimConfig | dict | None = None, seed=0, *, style: str | None = None,
                 market: str | None = None, crisis: str | None = None, policies=None, **dotted):
        seed = coerce_seed(seed)
        super().__init__(rng=seed)
        self.config = configure(config, style=style, market=market, crisis=crisis, **dotted)
        self.seed_value = seed
        self.engine = Engine(self.config, seeds=np.array([seed]), policies=policies)
        self.reps: dict[int, Rep] = {}
        self.leaders: dict[int, Leader] = {}
        self.marks: list[tuple[int, str]] = []
        self._build_space()
        self.datacollector = mesa.DataCollector(
            model_reporters={k: _series_reporter(k) for k in self.engine.series},
            agenttype_reporters={Rep: {"seat": "seat", "morale": "morale", "trust": "trust", "skill": "skill",
                                       "toxic": "toxic", "revenue": "revenue_week"}},
        )
        self.running = True

    # -- space and agents ----------------------------------------------------------------------
    def _build_space(self) -> None:
        e = self.engine
        self.graph = e.structure.to_networkx()
        self.layout = team_layout(self.graph, seed=self.config.team.graph_seed)
        self.network = Network(self.graph, capacity=1, random=self.random, layout=self.layout)
        for agent in list(self.agents):
            agent.cell = None
        for seat in np.flatnonzero(e.s.active[0]):
            rep = self.reps.get(int(seat)) or Rep(self, int(seat))
            self.reps[int(seat)] = rep
            rep.cell = self.network[int(seat)]
        for t in range(e.structure.n_teams):
            ld = self.leaders.get(t) or Leader(self, t)
            self.leaders[t] = ld
            ld.cell = self.network[f"L{t}"]
        if "HoS" in self.graph:
            hos = self.leaders.get(-1) or HeadOfSales(self)
            self.leaders[-1] = hos
            hos.cell = self.network["HoS"]
        elif getattr(e, "head_of_sales", None) is not None:  # one team: the head of sales is off the graph
            self.leaders[-1] = self.leaders.get(-1) or HeadOfSales(self)

    def _sync_agents(self) -> None:
        e = self.engine
        active = e.s.active[0]
        hired_seats = set()
        for kind in ("hire",):
            for wk, k, detail in e.event_log:
                if wk == e.week - 1 and k == kind and detail:
                    hired_seats.update(int(x) for x in detail.split(","))
        for seat, rep in list(self.reps.items()):
            if not active[seat] or seat in hired_seats:
                rep.cell = None
                rep.remove()
                del self.reps[seat]
        for seat in np.flatnonzero(active):
            if int(seat) not in self.reps:
                rep = Rep(self, int(seat))
                self.reps[int(seat)] = rep
                rep.cell = self.network[int(seat)]

    # -- stepping ------------------------------------------------------------------------------
    @property
    def week(self) -> int:
        return self.engine.week

    def step(self) -> None:
        """Advance one week (stops at the horizon)."""
        if self.engine.week >= self.engine.weeks:
            self.running = False
            return
        regroups = self.engine.regroups
        self.engine.step()
        if self.engine.regroups != regroups:
            self._build_space()
        self._sync_agents()
        self.datacollector.collect(self)
        if self.engine.week >= self.engine.weeks:
            self.running = False

    def intervene(self, kind: str, value: float = 0.0, name: str = "") -> None:
        """Apply an event now (crisis, toxic_hire, recognition_event, rollout, regroup, quota_change ...).

        It takes effect in the next step and is marked on the charts at the current week.
        """
        check_event(kind, value, where="intervene")
        if kind == "rollout":
            names = [i.name for i in self.engine.cfg.change.initiatives]
            if name and name not in names:
                raise ConfigError(f"intervene.name: {name!r} names no initiative; allowed: {names}")
        regroups = self.engine.regroups
        fire(self.engine, kind, value, name)
        self.marks.append((self.engine.week, kind))
        if self.engine.regroups != regroups:
            self._build_space()
        self._sync_agents()

    # -- convenience -----------------------------------------------------------------------------
    def series(self, name: str) -> np.ndarray:
        """Weekly series recorded so far (length = weeks done)."""
        return self.engine.series[name][: self.engine.week, 0]

    def kpis(self) -> dict[str, float]:
        """Headline numbers for a KPI strip."""
        e = self.engine
        w = e.week
        if w == 0:
            return {"week": 0}
        ser = e.series
        return {
            "week": w,
            "revenue_13w": float(np.nansum(ser["revenue"][max(0, w - 13):w, 0])),
            "revenue_total": float(np.nansum(ser["revenue"][:w, 0])),
            "morale": float(ser["morale"][w - 1, 0]),
            "trust": float(ser["trust"][w - 1, 0]),
            "headcount": float(ser["headcount"][w - 1, 0]),
            "quits": float(np.nansum(ser["quits"][:w, 0])),
            "adoption": float(ser["adoption"][w - 1, 0]) if e.K else float("nan"),
            "toxic": float(ser["toxic_share"][w - 1, 0]),
        }


def _series_reporter(name: str):
    def report(model: SalesTeamModel):
        return float(model.engine.series[name][model.engine.week - 1, 0])
    report.__name__ = f"series_{name}"
    return report

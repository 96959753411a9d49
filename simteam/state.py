"""The column store: one numpy array per state variable, rows = batch, columns = seats.

A *seat* is a position in a team; the rep sitting in it changes when someone quits
and is replaced. Seat ``i`` of batch row ``b`` always draws its own random numbers,
so a replacement does not shift anyone else's luck.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["RepState", "REP_FIELDS"]

#: Per-seat state variables exposed on :class:`simteam.agents.Rep` (name -> meaning).
REP_FIELDS = {
    "active": "seat is filled",
    "skill": "selling skill in [0, 1]",
    "potential": "skill the rep can grow to",
    "morale": "morale in [0, 1]",
    "trust": "trust in the leader in [0, 1]",
    "stress": "stress in [0, 1]",
    "effort": "engagement (effort) in [0, 1]",
    "cohesion": "strength of the rep's peer ties in [0, 1]",
    "toxic": "shows toxic behaviour",
    "resistance": "resistance to forced change (>= 0)",
    "tenure": "weeks in the seat",
    "ramp": "ramp-up productivity factor in [0, 1]",
    "productivity": "ramp x J-curve x re-skilling factor",
    "pace": "attainment pace (EMA of annualised revenue / ramped quota)",
    "revenue_week": "revenue won this week (k$)",
    "revenue_year": "revenue won this year by the current rep (k$)",
    "revenue_total": "revenue won in this seat since the start (k$)",
    "wins_week": "deals won this week",
    "vacancy": "weeks until the open seat is filled (-1: none pending)",
}


@dataclass
class RepState:
    """All per-seat arrays of a batch. Shapes: (B, N) unless noted."""

    B: int
    N: int
    S: int
    K: int
    active: np.ndarray = field(init=False)
    skill: np.ndarray = field(init=False)
    potential: np.ndarray = field(init=False)
    potential0: np.ndarray = field(init=False)  # innate potential (drawn at hire): what it decays back to
    log_strength: np.ndarray = field(init=False)  # (B, N, S)
    strength0: np.ndarray = field(init=False)  # (B, N, S) uncoached (innate) log strengths
    morale: np.ndarray = field(init=False)
    trust: np.ndarray = field(init=False)
    stress: np.ndarray = field(init=False)
    effort: np.ndarray = field(init=False)
    cohesion: np.ndarray = field(init=False)
    toxic: np.ndarray = field(init=False)
    resistance: np.ndarray = field(init=False)
    tenure: np.ndarray = field(init=False)
    ramp: np.ndarray = field(init=False)
    productivity: np.ndarray = field(init=False)
    pace: np.ndarray = field(init=False)
    pipeline: np.ndarray = field(init=False)  # (B, N, S) open opportunities
    pipeline_value: np.ndarray = field(init=False)  # (B, N, S) sum of their values
    revenue_week: np.ndarray = field(init=False)
    wins_week: np.ndarray = field(init=False)
    revenue_year: np.ndarray = field(init=False)
    quota_year: np.ndarray = field(init=False)
    weeks_year: np.ndarray = field(init=False)
    seat_revenue_year: np.ndarray = field(init=False)
    revenue_total: np.ndarray = field(init=False)
    vacancy: np.ndarray = field(init=False)
    leaving: np.ndarray = field(init=False)  # set by policies (layoffs, removals) for this week
    adopted: np.ndarray = field(init=False)  # (B, N, K)
    adopt_age: np.ndarray = field(init=False)  # (B, N, K) weeks since adoption
    exposed: np.ndarray = field(init=False)  # (B, N, K)
    use: np.ndarray = field(init=False)  # (B, N, K) an adopter's use intensity (share of the tool's gain)

    def __post_init__(self):
        B, N, S, K = self.B, self.N, self.S, self.K
        f = lambda: np.zeros((B, N))  # noqa: E731
        for name in ("skill", "potential", "potential0", "morale", "trust", "stress", "effort", "cohesion", "resistance",
                     "tenure", "ramp", "pace", "revenue_week", "wins_week", "revenue_year", "quota_year",
                     "weeks_year", "seat_revenue_year", "revenue_total"):
            setattr(self, name, f())
        self.productivity = np.ones((B, N))
        self.active = np.ones((B, N), dtype=bool)
        self.toxic = np.zeros((B, N), dtype=bool)
        self.leaving = np.zeros((B, N), dtype=bool)
        self.vacancy = np.full((B, N), -1, dtype=np.int32)
        self.log_strength = np.zeros((B, N, S))
        self.strength0 = np.zeros((B, N, S))
        self.pipeline = np.zeros((B, N, S))
        self.pipeline_value = np.zeros((B, N, S))
        self.adopted = np.zeros((B, N, K), dtype=bool)
        self.adopt_age = np.zeros((B, N, K))
        self.exposed = np.zeros((B, N, K), dtype=bool)
        self.use = np.ones((B, N, K))

    def nbytes(self) -> int:
        """Bytes held by the state arrays."""
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))

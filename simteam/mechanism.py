"""The mechanism protocol and the organisation-level state every mechanism may read.

A *mechanism* is one submodel of docs/model.md with its own parameters, state and equations.
The engine (:class:`simteam.engine.Engine`) holds an ordered list of them and calls, for each:

* ``init(e)``      once, in list order, while the engine is built: allocate and set this
                   mechanism's own initial state (nothing else's);
* ``start(e)``     once, in list order, after every ``init``: initial state that depends on other
                   mechanisms' initial state (selling: the pipeline at its steady state for the
                   initial reps' ramp);
* ``step(e, t)``   every week, in list order (the order is written once, in
                   :meth:`simteam.engine.Engine.step`);
* ``on_vacate(e, rows, cols)``  when seats ``(rows[q], cols[q])`` are vacated (quits, layoffs,
                   dismissals, events), before the seat is marked empty: reset this mechanism's
                   per-seat state (all go through :meth:`simteam.engine.Engine.vacate`);
* ``on_hire(e, rows, cols)``    when new reps fill those seats (:meth:`simteam.engine.Engine.hire`);
                   ``e.hire_spec`` holds the hire's overrides (``potential``, ``toxic``) or None;
* ``finalize(e)``  once, after the last week;
* ``summary(e)``   after ``finalize``: extra columns of the summary table, ``{name: (B,) array}``.

A mechanism may also declare ``series = {name: meaning}``: the engine then keeps a ``(weeks, B)``
array ``e.series[name]`` (NaN until written) that the mechanism fills each week (``e.series[name][t] = ...``)
and that :class:`simteam.results.Results` returns with the built-in series (``timeseries``, ``reduce``,
``paired``), in any batch size, chunk or process.

Every method is a no-op by default; subclass :class:`Mechanism` and override what you need.
A mechanism draws random numbers only from its own named streams (``e.rng.key(<its name>)``,
``e.rng.at(<its name>, t, rows, cols)``), so adding one leaves every other draw unchanged (common
random numbers), and reads per-row parameters as ``(B, 1)`` arrays or scalars (a batch row never
reads another row). To add a mechanism from outside simteam, give it ``after = "<name>"`` (or
``before = "<name>"``) naming a built-in mechanism (``market``, ``leadership``, ``effort``,
``selling``, ``people``, ``culture``, ``change``, ``turnover``) and pass it to
``simteam.run(..., mechanisms=[obj])`` (or ``run_points``, or ``Engine(..., mechanisms=[obj])``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Mechanism", "OrgState", "CrisisState", "HireSpec"]


class Mechanism:
    """Base class of a mechanism: a ``name`` and the lifecycle methods (no-ops by default).

    ``after`` / ``before``: for a mechanism added from outside, the built-in mechanism it runs
    after (or before) each week; its ``init``, ``start`` and ``finalize`` run at the same place
    in the list.
    """

    name = "mechanism"
    after: str | None = None
    before: str | None = None
    #: Weekly series this mechanism records (name -> meaning); the engine allocates them.
    series: dict[str, str] = {}

    def init(self, e) -> None:
        """Allocate and set this mechanism's own initial state."""

    def start(self, e) -> None:
        """Initial state that depends on other mechanisms' initial state (after every ``init``)."""

    def step(self, e, t: int) -> None:
        """One week (``t`` = week index from 0)."""

    def on_vacate(self, e, rows: np.ndarray, cols: np.ndarray) -> None:
        """Seats ``(rows, cols)`` are being vacated (the reps there are still active)."""

    def on_hire(self, e, rows: np.ndarray, cols: np.ndarray) -> None:
        """New reps fill seats ``(rows, cols)``."""

    def finalize(self, e) -> None:
        """After the last week."""

    def summary(self, e) -> dict[str, np.ndarray]:
        """Extra summary columns, one ``(B,)`` array each (after :meth:`finalize`)."""
        return {}


class CrisisState:
    """Per-row crisis bookkeeping (leadership, submodel L)."""

    def __init__(self, B: int):
        self.active = np.zeros(B, dtype=bool)
        self.onset = np.full(B, -1, dtype=np.int64)
        self.responding = np.zeros(B, dtype=bool)
        self.response_start = np.full(B, -1, dtype=np.int64)
        self.count = np.zeros(B, dtype=np.int64)
        self.peak = np.zeros(B)  # the deepest crisis level since the onset (reassurance fades with the crisis)
        self.level = np.zeros(B)  # the crisis level the leader believes this week


@dataclass
class HireSpec:
    """Overrides for the reps hired by one :meth:`simteam.engine.Engine.hire` call (None: drawn as usual)."""

    potential: float | None = None
    toxic: bool | None = None


@dataclass
class OrgState:
    """Organisation-level state, one value per batch row (``(B, 1)`` arrays, crisis state ``(B,)``).

    Persistent: ``quota_factor`` (the quota multiplier in force) and ``crisis``. Weekly modifiers,
    reset to neutral at the start of every week by :meth:`reset_week` (and set by the crisis
    response or any mechanism or policy during the week):

    * ``hiring_frozen``  no vacancy counts down this week;
    * ``accountability`` added to the leader's accountability (effort, stress);
    * ``stress_relief``  subtracted from the stress target;
    * ``morale``         added to the morale target;
    * ``trust``          added to the trust target;
    * ``pivot``          share of spare capacity spent prospecting resilient segments;
    * ``pivot_dip``      productivity lost while re-skilling for the pivot.
    """

    B: int
    quota_factor: np.ndarray = field(default=None)
    crisis: CrisisState = field(default=None)
    hiring_frozen: np.ndarray = field(default=None)
    accountability: np.ndarray = field(default=None)
    stress_relief: np.ndarray = field(default=None)
    morale: np.ndarray = field(default=None)
    trust: np.ndarray = field(default=None)
    pivot: np.ndarray = field(default=None)
    pivot_dip: np.ndarray = field(default=None)

    WEEKLY = ("accountability", "stress_relief", "morale", "trust", "pivot", "pivot_dip")

    def __post_init__(self):
        B = self.B
        if self.quota_factor is None:
            self.quota_factor = np.ones((B, 1))
        if self.crisis is None:
            self.crisis = CrisisState(B)
        self.reset_week()

    def reset_week(self) -> None:
        """The weekly modifiers back to neutral (called once, at the start of :meth:`Engine.step`)."""
        B = self.B
        self.hiring_frozen = np.zeros((B, 1), dtype=bool)
        for name in self.WEEKLY:
            setattr(self, name, np.zeros((B, 1)))

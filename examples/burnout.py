"""A mechanism written outside simteam: burnout (emotional exhaustion), in one file.

This is the worked example of simteam's extension point (docs/architecture.md, "Adding your own
mechanism"). Nothing in the ``simteam`` package is edited: the mechanism is a
:class:`simteam.Mechanism` with the same lifecycle as the built-in ones, placed in the weekly step
after the built-in ``effort`` phase, and it runs batched (one pass over all replications at once)
with its own named random stream, so common random numbers hold: a run with burnout shares every
other random number with the same run without it.

Equations (seat ``i`` of batch row ``b``, week ``t``; ``sigma`` is the rep's stress from simteam's
people phase, ``e`` the effort the effort phase just computed)::

    X_i  <- clip(X_i + a * max(sigma_i - theta, 0) - r * X_i, 0, 1)   exhaustion builds under stress above theta
    e_i  <- e_i * (1 - l * X_i)                                        exhausted reps work less this week
    exit_i ~ Bernoulli(h * X_i)      (stream ``burnout_exit``)         exhaustion-driven quits

An exit leaves through simteam's one seat-vacating path (``Engine.vacate(mask, "quit")``), so it
is counted as a quit, the pipeline handover and vacancy rules apply, and the seat is refilled
like any other; a new hire starts with no exhaustion (``on_hire``). The magnitudes below are
assumptions for the example (the direction follows the job-demands/resources literature on
burnout: sustained strain depletes, recovery restores; exhaustion predicts lower performance and
turnover), not calibrated figures.

Use::

    >>> import simteam
    >>> from examples.burnout import Burnout
    >>> res = simteam.run(simteam.configure(market="recession", weeks=52), replications=8, seed=1,
    ...                   mechanisms=[Burnout(build_rate=0.2)])
    >>> sorted(c for c in res.summary.columns if c.startswith("burnout"))
    ['burnout_exits', 'burnout_mean_final']
    >>> res.series["burnout_mean"].shape
    (52, 8)

Run ``python examples/burnout.py`` for a paired comparison with and without burnout.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numba
import numpy as np

import simteam
from simteam.config import load_section
from simteam.params import param

__all__ = ["Burnout", "BurnoutParams"]


@dataclass
class BurnoutParams:
    """Parameters of the burnout mechanism (ranges are checked when the mechanism is built)."""

    threshold: float = param(0.3, 0.0, 1.0, doc="stress above which exhaustion builds (theta; a typical rep's stress is 0.27-0.36)",
                             source="assumption")
    build_rate: float = param(0.1, 0.0, 1.0, unit="1/week", doc="exhaustion gained per unit stress above theta (a)",
                              source="assumption")
    recovery_rate: float = param(0.05, 0.0, 1.0, unit="1/week", doc="share of exhaustion recovered per week (r)",
                                 source="assumption")
    effort_loss: float = param(0.5, 0.0, 1.0, doc="share of effort lost at full exhaustion (l)",
                               source="assumption")
    exit_hazard: float = param(0.02, 0.0, 1.0, unit="1/week", doc="weekly quit probability at full exhaustion (h)",
                               source="assumption")


@numba.njit  # (not cached: this file runs both as a script and as examples.burnout)
def burnout_step(active, stress, effort, exhaustion, threshold, build, recover, loss):
    """The exhaustion update and its effect on this week's effort, one compiled pass over (B, N).

    Reads only each seat's own values, so a batch row never depends on another (batch invariance).
    """
    B, N = active.shape
    for b in range(B):
        for i in range(N):
            if not active[b, i]:
                exhaustion[b, i] = 0.0
                continue
            x = exhaustion[b, i] + build * max(stress[b, i] - threshold, 0.0) - recover * exhaustion[b, i]
            x = min(max(x, 0.0), 1.0)
            exhaustion[b, i] = x
            effort[b, i] = effort[b, i] * (1.0 - loss * x)


class Burnout(simteam.Mechanism):
    """Emotional exhaustion that builds under sustained stress, costs effort and drives quits.

    Keyword arguments are :class:`BurnoutParams` fields; a value outside its range raises
    :class:`simteam.ConfigError` naming the field (``burnout.build_rate: ...``).
    """

    name = "burnout"
    after = "effort"  # effort is set for the week; selling has not used it yet
    series = {"burnout_mean": "mean exhaustion of the filled seats", "burnout_exits": "burnout quits in the week"}

    def __init__(self, **params):
        self.p = load_section(BurnoutParams, params, "burnout")

    # -- lifecycle ------------------------------------------------------------------------------
    def init(self, e) -> None:
        self.exhaustion = np.zeros((e.B, e.N))
        self.exits = np.zeros(e.B)

    def step(self, e, t: int) -> None:
        s, p = e.s, self.p
        burnout_step(s.active, s.stress, s.effort, self.exhaustion, p.threshold, p.build_rate, p.recovery_rate,
                     p.effort_loss)
        # exits: one number per seat from this mechanism's own stream (common random numbers)
        u = e.rng.uniform("burnout_exit", t, (e.N,))
        leave = s.active & (u < p.exit_hazard * self.exhaustion)
        n = leave.sum(axis=1)
        self.exits += n
        e.vacate(leave, "quit")
        act = s.active
        filled = np.maximum(act.sum(axis=1), 1)
        e.series["burnout_mean"][t] = np.where(act, self.exhaustion, 0.0).sum(axis=1) / filled
        e.series["burnout_exits"][t] = n

    def on_vacate(self, e, rows, cols) -> None:
        self.exhaustion[rows, cols] = 0.0

    def on_hire(self, e, rows, cols) -> None:
        self.exhaustion[rows, cols] = 0.0

    def summary(self, e) -> dict[str, np.ndarray]:
        return {"burnout_exits": self.exits, "burnout_mean_final": e.series["burnout_mean"][-1]}

    def __repr__(self) -> str:
        return f"Burnout({', '.join(f'{k}={v}' for k, v in asdict(self.p).items())})"


def main() -> None:
    """A paired comparison: the default team in a recession, with and without burnout (200 worlds)."""
    cfg = simteam.configure(market="recession")
    plain = simteam.run(cfg, replications=200, seed=1)
    burn = simteam.run(cfg, replications=200, seed=1, mechanisms=[Burnout()])
    diff = plain.paired(burn)  # burnout minus no burnout, seed by seed
    cols = ["metric", "mean", "lo", "hi"]
    print(f"{Burnout()} vs no burnout, 200 paired replications of a 2-year recession:")
    table = diff[diff.metric.isin(["revenue", "turnover_annual", "morale_final"])][cols].set_index("metric")
    print((table.round(3) + 0.0).to_string())  # + 0.0: no "-0.000"
    print(f"burnout quits per run: {burn.summary.burnout_exits.mean():.2f}")


if __name__ == "__main__":
    main()

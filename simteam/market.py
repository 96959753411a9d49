"""The market: segments, the demand path and shocks.

Demand multiplier of segment s in week t (docs/model.md, submodel M1):

    D_s(t) = (1+g)^(t/52) * (1 + A cos(2 pi (t - t_peak)/52)) * exp(z_s(t) - sigma^2/2)
             * (1 - (1 - r_s) d(t)) * (1 - l(t))

with AR(1) log-noise z_s(t) = phi z_s(t-1) + sigma sqrt(1-phi^2) eps, shock depth
paths d(t) (demand) and l(t) (lead flow), segment resilience r_s, and a win-rate
logit drop c + 4 w(t) from competitors and win-rate shocks.

This module declares the parameters (:class:`MarketConfig`, :class:`Segment`, :class:`Shock`);
:class:`MarketMechanism` builds the engine's :class:`Market` in its ``init`` and steps it weekly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .mechanism import Mechanism
from .network import rowsum
from .params import param

__all__ = ["MarketConfig", "Segment", "Shock", "default_segments", "Market", "MarketMechanism", "shock_path", "PRESETS"]


# ------------------------------------------------------------------------------------------------
# parameters (declared here, assembled by simteam.config.SimConfig)
# ------------------------------------------------------------------------------------------------
@dataclass
class Segment:
    """A market segment."""

    name: str = param("mid_market", doc="segment name")
    lead_rate: float = param(1.0, 0.0, 1000.0, unit="opps/rep/week", doc="opportunity arrivals per seat")
    deal_size: float = param(25.0, 0.0, 1e9, unit="k$", doc="mean deal value")
    deal_cv: float = param(0.8, 0.0, 10.0, doc="coefficient of variation of deal values")
    win_rate: float = param(0.25, 0.001, 0.999, doc="base win probability of a worked opportunity")
    cycle_weeks: float = param(8.0, 1.0, 104.0, unit="weeks", doc="mean sales cycle")
    resilience: float = param(0.5, 0.0, 1.0, doc="share of a demand shock this segment escapes")


def default_segments() -> list[Segment]:
    return [
        Segment("enterprise", lead_rate=0.35, deal_size=60.0, deal_cv=1.0, win_rate=0.22,
                cycle_weeks=14.0, resilience=0.6),
        Segment("mid_market", lead_rate=0.8, deal_size=22.0, deal_cv=0.8, win_rate=0.25,
                cycle_weeks=8.0, resilience=0.4),
        Segment("smb", lead_rate=1.4, deal_size=7.0, deal_cv=0.6, win_rate=0.3,
                cycle_weeks=4.0, resilience=0.1),
    ]


@dataclass
class Shock:
    """A market shock: a dip of given depth, shape and timing."""

    kind: str = param("demand", doc="what the shock hits", choices=("demand", "win_rate", "lead_flow"))
    start_week: int = param(26, 0, 100_000, unit="week", doc="onset week")
    depth: float = param(0.25, 0.0, 1.0, doc="fractional drop at the trough (win_rate: logit drop / 4)")
    decline_weeks: int = param(13, 0, 10_000, unit="weeks", doc="weeks from onset to trough")
    trough_weeks: int = param(13, 0, 10_000, unit="weeks", doc="weeks at the trough")
    recovery_weeks: int = param(52, 0, 100_000, unit="weeks", doc="weeks from trough back to normal")
    shape: str = param("linear", doc="decline and recovery curve", choices=("linear", "exponential"))
    permanent: bool = param(False, doc="never recover (e.g. a competitor that stays)")


@dataclass
class MarketConfig:
    """Segments, demand path and shocks."""

    segments: list[Segment] = field(default_factory=default_segments)
    trend_annual: float = param(0.03, -0.5, 1.0, doc="compound annual demand growth")
    season_amplitude: float = param(0.05, 0.0, 0.9, doc="seasonal demand amplitude")
    season_peak_week: int = param(48, 0, 51, unit="week of year", doc="peak of the seasonal cycle")
    noise_sd: float = param(0.1, 0.0, 2.0, doc="stationary sd of log-demand noise")
    noise_ar: float = param(0.8, 0.0, 0.999, doc="weekly AR(1) coefficient of log-demand noise")
    competitor_pressure: float = param(0.0, 0.0, 5.0, doc="constant logit drop of win rates")
    shocks: list[Shock] = field(default_factory=list)
    random_shock_rate: float = param(0.0, 0.0, 10.0, unit="per year", doc="rate of random demand shocks")
    random_shock_depth: float = param(0.2, 0.0, 1.0, doc="mean depth of random shocks")


def shock_path(sh: Shock, weeks: int) -> np.ndarray:
    """Intensity h(t) in [0, 1] of one shock for t = 0..weeks-1 (depth applied by the caller)."""
    t = np.arange(weeks, dtype=float)
    a = t - sh.start_week
    h = np.zeros(weeks)
    dec = max(sh.decline_weeks, 0)
    if sh.shape == "linear":
        rise = np.clip((a + 1) / dec, 0, 1) if dec > 0 else np.ones(weeks)
    else:
        rise = (1 - np.exp(-3 * (a + 1) / dec)) / (1 - np.exp(-3)) if dec > 0 else np.ones(weeks)
        rise = np.clip(rise, 0, 1)
    h = np.where(a >= 0, rise, 0.0)
    if not sh.permanent:
        r = a - dec - sh.trough_weeks
        if sh.recovery_weeks > 0:
            fall = np.clip(1 - r / sh.recovery_weeks, 0, 1) if sh.shape == "linear" else \
                np.where(r > 0, np.exp(-3 * r / sh.recovery_weeks) * (r < 3 * sh.recovery_weeks), 1.0)
        else:
            fall = (r <= 0).astype(float)
        h = np.where(r > 0, h * fall, h)
    return h


# Shock presets shaped after the macro references in docs/model.md. Depth is the fall in
# new-business demand of a segment with no resilience; with the default segments'
# resilience the value-weighted fall is about 60% of it. Timing follows the GDP paths:
# 2008-09 regained its peak ~14 quarters after onset (preset: 4 quarters of decline, 1 at
# the trough, 9 of recovery); 2020 fell within one quarter and was back ~4 quarters after
# onset (preset: 3 weeks down, 10 at the trough, exponential recovery over 39 weeks).
PRESETS = {
    "recession": dict(kind="demand", start_week=13, depth=0.35, decline_weeks=52, trough_weeks=13,
                      recovery_weeks=117, shape="linear"),
    "sudden_stop": dict(kind="demand", start_week=13, depth=0.5, decline_weeks=3, trough_weeks=10,
                        recovery_weeks=39, shape="exponential"),
    "competitor_entry": dict(kind="win_rate", start_week=13, depth=0.1, decline_weeks=13, trough_weeks=0,
                             recovery_weeks=0, shape="linear", permanent=True),
    "lead_loss": dict(kind="lead_flow", start_week=13, depth=0.3, decline_weeks=0, trough_weeks=8,
                      recovery_weeks=13, shape="linear"),
}


class Market:
    """Demand, win-rate shifts and crisis intensity for a batch."""

    def __init__(self, engine):
        e = engine
        self.e = e
        cfg = e.cfg
        m = cfg.market
        segs = m.segments
        self.lead = np.array([s.lead_rate for s in segs])
        self.size = np.array([s.deal_size for s in segs])
        self.cv = np.array([s.deal_cv for s in segs])
        self.win_logit = np.log(np.array([s.win_rate for s in segs]) / (1 - np.array([s.win_rate for s in segs])))
        self.hazard = 1.0 / np.array([s.cycle_weeks for s in segs])
        self.resilience = np.array([s.resilience for s in segs])
        self.value_weight = self.lead * self.size / np.sum(self.lead * self.size)
        W = cfg.weeks
        demand_drop = np.zeros(W)
        lead_drop = np.zeros(W)
        win_drop = np.zeros(W)
        self.onsets = []
        if e.sw.shocks:
            for sh in m.shocks:
                h = shock_path(sh, W) * sh.depth
                {"demand": demand_drop, "lead_flow": lead_drop, "win_rate": win_drop}[sh.kind][:] += h
                self.onsets.append(sh.start_week)
        self.demand_drop = np.clip(demand_drop, 0, 1)
        self.lead_drop = np.clip(lead_drop, 0, 1)
        self.win_drop = win_drop
        B, S = e.B, len(segs)
        self.z = np.zeros((B, S))
        self.extra_drop = np.zeros((B, 1))  # random shocks and mid-run crisis events
        self.extra_shocks: list[tuple[np.ndarray, np.ndarray]] = []  # (mask (B,), path (W,))
        self.random_age = np.full(B, -1)
        self.random_depth = np.zeros(B)
        self.first_onset = np.full(B, -1, dtype=np.int64)
        if self.onsets:
            self.first_onset[:] = min(self.onsets)
        self.D = np.ones((B, S))
        self.displaced = np.zeros((B, S))
        self.win_shift = np.zeros((B, 1))
        self.demand_index = np.ones(B)
        self.labour = np.ones(B)
        self.crisis = np.zeros(B)
        self._drop_s = np.zeros((B, S))
        self.drop = np.zeros((B, 1))
        self._random_template = shock_path(Shock(start_week=0), 520 * 4)

    def add_shock(self, week: int, depth: float, mask: np.ndarray | None = None, **shape) -> None:
        """Add a demand shock starting at ``week`` (mid-run crisis events)."""
        W = self.e.weeks
        sh = Shock(start_week=week, depth=depth, **shape)
        path = shock_path(sh, W) * depth
        mask = np.ones(self.e.B, dtype=bool) if mask is None else mask
        self.extra_shocks.append((mask, path))
        self.first_onset = np.where((self.first_onset < 0) & mask, week, self.first_onset)

    def step(self, t: int) -> None:
        e, mc, sw = self.e, self.e.p.market, self.e.sw
        B = e.B
        mult = np.ones((1, self.lead.size))
        if sw.trend:
            mult = mult * (1.0 + mc.trend_annual) ** (t / 52.0)
        if sw.seasonality:
            mult = mult * (1.0 + mc.season_amplitude * np.cos(2 * np.pi * (t - mc.season_peak_week) / 52.0))
        if sw.market_noise:
            sd, ar = mc.noise_sd, mc.noise_ar
            if t == 0:
                self.z = sd * e.rng.normal("market_init", 0, (self.lead.size,))
            else:
                self.z = ar * self.z + sd * np.sqrt(1 - ar * ar) * e.rng.normal("market", t, (self.lead.size,))
            mult = mult * np.exp(self.z - 0.5 * sd * sd)
        drop = np.full((B, 1), self.demand_drop[t])
        for mask, path in self.extra_shocks:
            drop = drop + np.where(mask, path[t], 0.0)[:, None]
        if sw.shocks and np.any(mc.random_shock_rate):
            drop = drop + self._random(t, mc)
        drop = np.clip(drop, 0.0, 1.0)
        drop_s = drop * (1.0 - self.resilience)
        self._drop_s = drop_s
        self.drop = drop  # (B, 1) this week's demand-shock depth (allocation: the forecast starts here)
        D = mult * (1.0 - drop_s) * (1.0 - self.lead_drop[t])
        self.D = np.broadcast_to(D, (B, self.lead.size))
        # demand the shocks displaced (postponed buyers): the only pool pivot prospecting can draw on
        self.displaced = np.broadcast_to(mult - D, (B, self.lead.size))
        self.win_shift = -4.0 * self.win_drop[t] - np.broadcast_to(mc.competitor_pressure, (B, 1))
        # elementwise sums, not BLAS: a row's result must not depend on the batch size
        self.demand_index = rowsum(self.D * self.value_weight)
        lost = rowsum(drop_s * self.value_weight)
        self.labour = 1.0 - lost  # the economy-wide demand shocks only: the outside labour market (P6)
        lost = lost + self.lead_drop[t] * (1 - lost)
        if self.win_drop[t] > 0:  # a win-rate shock (competitor) loses the value of deals no longer won
            w = 1.0 / (1.0 + np.exp(-self.win_logit))
            w_shocked = 1.0 / (1.0 + np.exp(-(self.win_logit - 4.0 * self.win_drop[t])))
            lost = lost + (1 - lost) * float(np.sum(self.value_weight * (1 - w_shocked / w)))
        self.crisis = lost

    def _random(self, t: int, mc) -> np.ndarray:
        """Random demand shocks: Poisson arrivals; one at a time per row; standard shape."""
        e = self.e
        u = e.rng.uniform("shock_arrival", t, (1,))[:, 0]
        rate = np.broadcast_to(np.asarray(mc.random_shock_rate, dtype=float).reshape(-1), (e.B,))
        start = (self.random_age < 0) & (u < 1 - np.exp(-rate / 52.0))
        if start.any():
            d = e.rng.uniform("shock_depth", t, (1,))[:, 0]
            depth = np.broadcast_to(np.asarray(mc.random_shock_depth, dtype=float).reshape(-1), (e.B,))
            self.random_depth = np.where(start, np.clip(depth * (0.5 + d), 0, 1), self.random_depth)
            self.random_age = np.where(start, 0, self.random_age)
            self.first_onset = np.where((self.first_onset < 0) & start, t, self.first_onset)
        tmpl = self._random_template
        age = self.random_age
        h = np.where(age >= 0, tmpl[np.clip(age, 0, tmpl.size - 1)], 0.0)
        out = (h * self.random_depth)[:, None]
        self.random_age = np.where(age >= 0, age + 1, age)
        done = (self.random_age >= 0) & (self.random_age >= 13 + 13 + 52)
        self.random_age = np.where(done, -1, self.random_age)
        return out


class MarketMechanism(Mechanism):
    """Submodel M: builds the engine's :class:`Market` (``e.market``) and steps it each week."""

    name = "market"

    def init(self, e) -> None:
        e.market = Market(e)

    def step(self, e, t: int) -> None:
        e.market.step(t)

"""Change initiatives: Bass adoption over the graph, pilots, mandates, resistance, J-curve (submodel X).

Adoption hazard of an exposed, not-yet-adopted rep i: p_i + q_i f_i(t), with f_i the
share of adopters among its active peers and

    p_i = p mu_i,  q_i = q mu_i,  mu_i = (1 + k_T T) exp(b_tau (tau_i - .5) + b_m (m_i - .5)).

The week's adoption probability integrates that hazard exactly along the Bass path
started from the rep's current neighbourhood share f:

    P_i = 1 - a / ((p_i + q_i f) e^a + q_i (1 - f)),  a = p_i + q_i,

so on a complete graph the expected adopted share follows Bass's closed form
F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}) at every whole week.

p and q are weekly rates: Sultan et al.'s per-period values (0.03, 0.38) on a one-month clock
(divided by 4.33 weeks); a hazard rate converts between time units by dividing by the period length,
F(t; p, q) with t in months = F(t_w; p/4.33, q/4.33) with t_w in weeks.

J-curve productivity of an adopter t_a weeks after adoption:
    J = 1 - D (1 - k_D T) e^{-t_a / T_d} + u_i G_b (1 - e^{-t_a / T_g}),
with (switch ``stickiness``) the use intensity u_i = 1 - use_spread U [``use:<name>``], the gain
G_b = gain + gain_sd z_b drawn once per replication [``benefit:<name>``], and adopters abandoning
[``abandon:<name>``] at rate abandon_rate while J < 1, abandon_rate (1 - u_i) afterwards, until a mandate.
A regroup multiplies trust by (1 - r_T) and caps cohesion; with switch ``regroup_pairing`` it pairs each
junior with the most skilled senior of her new team, who lifts her skill for ``pairing_weeks``. A mandate forces the remaining reps to adopt and adds resistance
rho_i += g_r (1 - support)(1 - T)(1 - tau_i), which lowers morale and trust and raises
the quit hazard, and decays at a weekly rate.

This module declares the parameters (:class:`ChangeConfig`, :class:`Initiative`) and the mechanism
object :class:`Change` (``init``: initiative state and the J-curve factor; ``on_vacate`` /
``on_hire``: resistance, adoption and exposure of the seat).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .mechanism import Mechanism
from .params import param

__all__ = ["ChangeConfig", "Initiative", "Change", "bass_step_probability", "bass_F", "init", "step", "start", "after_regroup"]


# ------------------------------------------------------------------------------------------------
# parameters (declared here, assembled by simteam.config.SimConfig)
# ------------------------------------------------------------------------------------------------
@dataclass
class Initiative:
    """A change initiative (a new tool or selling approach) adopted over the graph (Bass)."""

    name: str = param("crm", doc="initiative name")
    kind: str = param("tool", doc="kind of change", choices=("tool", "approach"))
    start_week: int = param(13, -1, 100_000, unit="week", doc="week the rollout starts (-1: only when a rollout event starts it)")
    p: float = param(0.0069, 0.0, 10.0, unit="1/week", doc="Bass innovation coefficient per week",
                     source="Sultan et al. 1990 (0.03 per period) on a one-month clock: 0.03/4.33")
    q: float = param(0.0877, 0.0, 10.0, unit="1/week", doc="Bass imitation coefficient per week",
                     source="Sultan et al. 1990 (0.38 per period) on a one-month clock: 0.38/4.33")
    training: float = param(0.0, 0.0, 1.0, doc="training before rollout: raises p, q; shrinks the dip")
    pilot_share: float = param(0.0, 0.0, 1.0, doc="share of reps in a pilot (highest trust first)")
    pilot_weeks: int = param(0, 0, 520, unit="weeks", doc="pilot length before the rest are exposed")
    mandate_week: int = param(-1, -1, 100_000, unit="week", doc="week all remaining reps are forced to adopt (-1: never)")
    support: float = param(0.5, 0.0, 1.0, doc="leader support during the change: dampens resistance")
    dip: float = param(0.25, 0.0, 0.95, doc="productivity dip at adoption (J-curve depth)")
    dip_weeks: float = param(6.0, 0.1, 104.0, unit="weeks", doc="time constant of the dip")
    gain: float = param(0.12, 0.0, 2.0, doc="lasting productivity gain after adoption")
    gain_weeks: float = param(16.0, 0.1, 520.0, unit="weeks", doc="time constant of the gain")
    gain_sd: float = param(0.1, 0.0, 2.0, doc="sd of the tool's lasting gain, drawn once per replication "
                           "(the benefit is uncertain; it can be negative)",
                           source="assumption: trade surveys put CRM projects missing their goals at 20-70%")
    use_spread: float = param(0.5, 0.0, 1.0, doc="adopters use the tool at intensity 1 - use_spread x U(0,1) "
                              "(share of the gain they get)", source="assumption")
    abandon_rate: float = param(0.02, 0.0, 1.0, unit="1/week", doc="weekly hazard of abandoning the tool "
                                "while it still costs the adopter (J < 1); x (1 - use) afterwards",
                                source="assumption (user adoption is the most cited cause of CRM failure)")
    trust_effect: float = param(2.0, 0.0, 10.0, doc="log-hazard of adoption per unit trust above 0.5")
    morale_effect: float = param(1.0, 0.0, 10.0, doc="log-hazard of adoption per unit morale above 0.5")
    training_effect: float = param(1.0, 0.0, 10.0, doc="p and q multiplier gain per unit training")
    training_dip: float = param(0.6, 0.0, 1.0, doc="share of the dip removed by full training")
    resistance_gain: float = param(0.6, 0.0, 5.0, doc="resistance of a forced adopter (x (1-support)(1-training)(1-trust))")


@dataclass
class ChangeConfig:
    """Change initiatives and regroupings."""

    initiatives: list[Initiative] = field(default_factory=list)
    regroup_weeks: list[int] = param([], doc="weeks at which the team is regrouped (graph rewired)")
    regroup_trust_reset: float = param(0.15, 0.0, 1.0, doc="share of trust lost at a regroup (new reporting lines)")
    regroup_cohesion: float = param(0.2, 0.0, 1.0, doc="cohesion right after a regroup")
    pairing_rate: float = param(0.1, 0.0, 1.0, unit="1/week", doc="regroup pairing: a junior's weekly skill lift "
                                "per unit gap to her senior mentor (bounded by her potential)",
                                source="assumption (mentoring: Allen et al. 2004 meta-analysis, direction only)")
    pairing_weeks: int = param(26, 0, 520, unit="weeks", doc="regroup pairing: how long the mentoring lasts")
    junior_weeks: int = param(26, 0, 520, unit="weeks", doc="regroup pairing: reps with less tenure are juniors")
    resistance_decay: float = param(0.05, 0.0, 1.0, unit="1/week", doc="decay rate of resistance")
    resistance_morale: float = param(0.2, 0.0, 2.0, doc="morale target lost per unit resistance")
    resistance_quit: float = param(1.5, 0.0, 10.0, doc="log-hazard of quitting per unit resistance")


def bass_F(t, p: float, q: float):
    """Bass (1969) adopted fraction at time t from F(0) = 0."""
    t = np.asarray(t, dtype=float)
    ex = np.exp(-(p + q) * t)
    return (1 - ex) / (1 + (q / p) * ex)


def bass_step_probability(f, p, q):
    """Probability of adopting within one unit of time on the Bass path from share ``f``."""
    a = p + q
    small = a < 1e-12
    safe_a = np.where(small, 1.0, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = safe_a / ((p + q * f) * np.exp(safe_a) + q * (1.0 - f))
    surv = np.where(small, np.exp(-(p + q * f)), surv)
    return 1.0 - surv


def init(e) -> None:
    """Set up initiative state on the engine (:meth:`Change.init`)."""
    # the J-curve factor of each seat (1 without initiatives: then a (1, 1) placeholder the kernels do not read,
    # 8 bytes per rep less at a million reps)
    e.change_factor = np.ones((e.B, e.N)) if e.K else np.ones((1, 1))
    e.mentor = np.full((e.B, e.N), -1, dtype=np.int32)  # regroup pairing: each junior's mentor seat (-1: none)
    e.pairing_until = np.zeros(e.B)
    e.initiative_open = np.zeros(e.K, dtype=bool)  # exposure open to everyone (new hires included)
    e.initiative_started = np.zeros(e.K, dtype=bool)
    e.initiative_start_week = np.full(e.K, -1)


def start(e, k: int, t: int) -> None:
    """Start rollout ``k`` now: a pilot group first (highest trust) or everyone."""
    ini = e.cfg.change.initiatives[k]
    s = e.s
    e.initiative_started[k] = True
    e.initiative_start_week[k] = t
    if ini.pilot_share > 0 and ini.pilot_weeks > 0:
        n_pilot = np.maximum(np.ceil(ini.pilot_share * s.active.sum(axis=1)), 1).astype(int)
        order = np.argsort(np.where(s.active, -s.trust, np.inf), axis=1, kind="stable")
        ranks = np.argsort(order, axis=1, kind="stable")
        s.exposed[:, :, k] = s.active & (ranks < n_pilot[:, None])
    else:
        s.exposed[:, :, k] = True
        e.initiative_open[k] = True
    e.log("rollout", ini.name)


def step(e, t: int) -> None:
    """Adoption, mandates, resistance decay, the J-curve factor and regroup mentoring."""
    s, sw = e.s, e.sw
    if sw.regroup_pairing and e.regroups:
        mentoring(e)
    if not e.K:
        if sw.resistance:
            s.resistance *= 1.0 - e.p.change.resistance_decay
        return
    inis = e.p.change.initiatives
    act = s.active
    actf = act.astype(float)
    st = e.structure
    nbr_act = None
    factor = np.ones((e.B, e.N))
    for k, ini in enumerate(inis):
        cfg_ini = e.cfg.change.initiatives[k]
        if not e.initiative_started[k] and 0 <= cfg_ini.start_week <= t:
            start(e, k, t)
        if not e.initiative_started[k]:
            continue
        if (not e.initiative_open[k] and cfg_ini.pilot_weeks > 0
                and t >= e.initiative_start_week[k] + cfg_ini.pilot_weeks):
            s.exposed[:, :, k] = True
            e.initiative_open[k] = True
            e.log("rollout_open", cfg_ini.name)
        adopted = s.adopted[:, :, k]
        if sw.adoption:
            if nbr_act is None:
                nbr_act = st.neighbor_sum(actf)
            f = st.neighbor_sum((adopted & act).astype(float)) / np.maximum(nbr_act, 1.0)
            mu = (1.0 + ini.training_effect * ini.training) * np.exp(
                ini.trust_effect * (s.trust - 0.5) + ini.morale_effect * (s.morale - 0.5))
            prob = bass_step_probability(f, ini.p * mu, ini.q * mu)
            # an abandoner (adoption age -1) does not come back unless mandated
            new = (act & s.exposed[:, :, k] & ~adopted & (s.adopt_age[:, :, k] >= 0)
                   & (e.rng.uniform("adopt:" + cfg_ini.name, t, (e.N,)) < prob))
        else:
            new = np.zeros_like(adopted)
        mandated = cfg_ini.mandate_week >= 0 and t >= cfg_ini.mandate_week
        if sw.stickiness and not mandated and adopted.any():
            # abandonment: at rate r while the tool still costs the adopter (J < 1), r (1 - use) afterwards;
            # an abandoner's adoption age is set to -1: she does not come back unless mandated
            j_prev = self_j(e, ini, k)
            rate = np.broadcast_to(ini.abandon_rate, adopted.shape) * np.where(j_prev < 1.0, 1.0,
                                                                              1.0 - s.use[:, :, k])
            quit_tool = adopted & act & (e.rng.uniform("abandon:" + cfg_ini.name, t, (e.N,)) < rate)
            if quit_tool.any():
                adopted = adopted & ~quit_tool
                s.adopt_age[:, :, k] = np.where(quit_tool, -1.0, s.adopt_age[:, :, k])
        if cfg_ini.mandate_week >= 0 and t == cfg_ini.mandate_week:
            forced = act & ~adopted & ~new
            s.exposed[:, :, k] |= act
            e.initiative_open[k] = True
            if sw.resistance:
                s.resistance += forced * ini.resistance_gain * (1.0 - ini.support) * (1.0 - ini.training) * (
                    1.0 - s.trust)
            new = new | forced
            e.log("mandate", cfg_ini.name)
        if sw.stickiness and new.any():
            # partial use: an adopter gets the share u = 1 - use_spread U of the tool's gain
            u = 1.0 - ini.use_spread * e.rng.uniform("use:" + cfg_ini.name, t, (e.N,))
            s.use[:, :, k] = np.where(new, u, s.use[:, :, k])
        s.adopted[:, :, k] = adopted | new
        s.adopt_age[:, :, k] = np.where(new, 0.0, s.adopt_age[:, :, k] + s.adopted[:, :, k])
        if sw.jcurve:
            j = self_j(e, ini, k)
            factor = factor * np.where(s.adopted[:, :, k], j, 1.0)
    if sw.resistance:
        s.resistance *= 1.0 - e.p.change.resistance_decay
    e.change_factor = factor


def tool_gain(e, ini, k: int) -> np.ndarray:
    """The lasting gain G_b of initiative ``k`` in each row, (B, 1): ``gain`` plus, with switch
    ``stickiness``, ``gain_sd`` x a normal draw per replication [stream ``benefit:<name>``]."""
    if not e.sw.stickiness:
        return np.broadcast_to(np.asarray(ini.gain, dtype=float), (e.B, 1))
    name = e.cfg.change.initiatives[k].name
    z = e.rng.normal("benefit:" + name, 0, (1,))
    return ini.gain + ini.gain_sd * z


def self_j(e, ini, k: int) -> np.ndarray:
    """The J-curve factor of every seat for initiative ``k`` at its current adoption age (B, N)."""
    s = e.s
    age = s.adopt_age[:, :, k]
    dip = ini.dip * (1.0 - ini.training_dip * ini.training)
    use = s.use[:, :, k] if e.sw.stickiness else 1.0
    return 1.0 - dip * np.exp(-age / ini.dip_weeks) + use * tool_gain(e, ini, k) * (1.0 - np.exp(-age / ini.gain_weeks))


def after_regroup(e) -> None:
    """A regroup costs a share of trust (new reporting lines) and drops cohesion (new peers); with switch
    ``regroup_pairing`` it also pairs each junior with the most skilled senior of her new team."""
    s, X = e.s, e.p.change
    s.trust = np.where(s.active, s.trust * (1.0 - X.regroup_trust_reset), s.trust)
    if e.sw.cohesion:
        s.cohesion = np.where(s.active, np.minimum(s.cohesion, X.regroup_cohesion), s.cohesion)
    if e.sw.regroup_pairing:
        pair_juniors(e)
    e.log("regroup", str(e.regroups))


def pair_juniors(e) -> None:
    """Each filled junior seat (tenure < ``junior_weeks``) gets as mentor the most skilled filled senior seat of
    its team (lowest seat on ties), for ``pairing_weeks`` weeks (a loop over teams, vectorised over rows)."""
    s, X = e.s, e.p.change
    junior_w = np.broadcast_to(np.asarray(X.junior_weeks, dtype=float).reshape(-1, 1), (e.B, 1))
    junior = s.active & (s.tenure < junior_w)
    senior = s.active & ~junior
    mentor = np.full((e.B, e.N), -1, dtype=np.int32)
    team_of = e.structure.team_of
    for t in range(int(team_of.max()) + 1):
        seats = np.flatnonzero(team_of == t)
        sk = np.where(senior[:, seats], s.skill[:, seats], -np.inf)
        best = seats[np.argmax(sk, axis=1)]
        has = np.isfinite(sk.max(axis=1))
        mentor[:, seats] = np.where(junior[:, seats] & has[:, None], best[:, None], -1)
    e.mentor = mentor
    weeks = np.broadcast_to(np.asarray(X.pairing_weeks, dtype=float).reshape(-1), (e.B,))
    e.pairing_until = e.week + weeks


def mentoring(e) -> None:
    """Weekly: a paired junior's skill rises by pairing_rate x min((mentor skill - skill)_+, (potential - skill)_+)
    while the pairing lasts and both seats are filled."""
    m = e.mentor
    live = (m >= 0) & (e.week < e.pairing_until)[:, None]
    if not live.any():
        return
    s, X = e.s, e.p.change
    idx = np.maximum(m, 0)
    m_skill = np.take_along_axis(s.skill, idx, axis=1)
    m_active = np.take_along_axis(s.active, idx, axis=1)
    live &= s.active & m_active
    lift = np.minimum(np.maximum(m_skill - s.skill, 0.0), np.maximum(s.potential - s.skill, 0.0))
    s.skill = np.where(live, np.clip(s.skill + X.pairing_rate * lift, 0.0, 1.0), s.skill)


class Change(Mechanism):
    """Submodel X (the mechanism object the engine calls)."""

    name = "change"

    def init(self, e) -> None:
        init(e)

    def step(self, e, t: int) -> None:
        step(e, t)

    def on_vacate(self, e, rows, cols) -> None:
        s = e.s
        s.resistance[rows, cols] = 0.0
        s.adopted[rows, cols] = False
        s.use[rows, cols] = 1.0
        e.mentor[rows, cols] = -1  # a leaving junior's pairing ends (a leaving mentor's juniors stop at use)
        s.adopt_age[rows, cols] = 0.0

    def on_hire(self, e, rows, cols) -> None:
        s = e.s
        s.resistance[rows, cols] = 0.0
        s.exposed[rows, cols] = e.initiative_open[None, :] if e.K else False

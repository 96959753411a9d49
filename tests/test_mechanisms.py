"""One directional test per mechanism of the brief, the exact limits (Bass, SIS), CRN for strategies."""

import dataclasses

import numpy as np
import pytest

import simteam
from simteam.change import bass_F
from simteam.config import Switches
from simteam.engine import Engine
from simteam.testing import make, only

R = 80


def paired(col, a_kw, b_kw, base=None, reps=R, seed=7, **common):
    """Mean paired difference b - a of a summary column, with its 95% interval."""
    base = base or {}
    a = simteam.run(simteam.configure(**{**base, **common, **a_kw}), replications=reps, seed=seed)
    b = simteam.run(simteam.configure(**{**base, **common, **b_kw}), replications=reps, seed=seed)
    return simteam.paired_difference(a.summary[col], b.summary[col])


def assert_up(d):
    assert d["lo"] > 0, d


def assert_down(d):
    assert d["hi"] < 0, d


# ---------------------------------------------------------------------------------------------- leadership
def test_recognition_means_fewer_quits():
    assert_down(paired("quits", {"leadership__recognition": 0.1}, {"leadership__recognition": 0.9}))


def test_celebrating_wins_strengthens_ties():
    lo = Engine(simteam.configure(leadership__recognition=0.0, weeks=52), seeds=np.arange(20)).run()
    hi = Engine(simteam.configure(leadership__recognition=1.0, weeks=52), seeds=np.arange(20)).run()
    assert hi.s.cohesion[hi.s.active].mean() > lo.s.cohesion[lo.s.active].mean() + 0.02


def test_inspiration_builds_trust_and_morale():
    assert_up(paired("trust_final", {"leadership__inspiration": 0.2}, {"leadership__inspiration": 0.8}))
    assert_up(paired("morale_final", {"leadership__inspiration": 0.2}, {"leadership__inspiration": 0.8}))


def test_feedback_grows_skill():
    # feedback speeds growth toward each rep's potential: visible while there is room to grow. Without quits:
    # the two arms start at their own morale equilibria, so who quits (and the new hires' lower skill) differs
    assert_up(paired("skill_final", {"leadership__feedback": 0.0}, {"leadership__feedback": 1.0}, weeks=26,
                     mechanisms__attrition=False))


def test_learning_support_grows_skill():
    assert_up(paired("skill_final", {"leadership__learning_support": 0.1}, {"leadership__learning_support": 0.9}))


def test_coaching_focus_strengths_vs_weaknesses():
    kw = dict(weeks=52, leadership__coaching=1.0)
    strengths = Engine(simteam.configure(leadership__coaching_focus=1.0, **kw), seeds=np.arange(30)).run()
    weakness = Engine(simteam.configure(leadership__coaching_focus=0.0, **kw), seeds=np.arange(30)).run()
    best = lambda e: e.s.log_strength.max(axis=2)[e.s.active].mean()  # noqa: E731
    assert best(strengths) > best(weakness) + 0.05
    # fixing weaknesses lifts the weakest reps' skill more
    low = lambda e: np.quantile(e.s.skill[e.s.active], 0.25)  # noqa: E731
    assert low(weakness) > low(strengths)
    # and strengths-based coaching raises morale (engagement)
    assert np.nanmean(strengths.series["morale"][-13:]) > np.nanmean(weakness.series["morale"][-13:])


def test_communication_raises_effort_and_damps_toxic_harm():
    assert_up(paired("revenue", {"leadership__communication": 0.1}, {"leadership__communication": 0.9}))
    base = {"team__initial_toxic": 1, "leadership__toxic_tolerance": 1.0, "mechanisms": {"toxic_spread": False}}
    d_low = paired("morale_final", {"team__initial_toxic": 0}, {}, base=dict(base, leadership__communication=0.0))
    d_high = paired("morale_final", {"team__initial_toxic": 0}, {}, base=dict(base, leadership__communication=1.0))
    assert d_low["mean"] < d_high["mean"] < 0


def test_accountability_raises_effort_and_stress():
    e_lo = Engine(simteam.configure(leadership__accountability=0.0, weeks=26), seeds=np.arange(20)).run()
    e_hi = Engine(simteam.configure(leadership__accountability=1.0, weeks=26), seeds=np.arange(20)).run()
    assert np.nanmean(e_hi.series["effort"]) > np.nanmean(e_lo.series["effort"])
    assert np.nanmean(e_hi.series["stress"]) > np.nanmean(e_lo.series["stress"])


def test_role_ambiguity_makes_passive_leadership_stressful_and_leaves_clear_roles_alone():
    # switch role_ambiguity: stress target + ambiguity_stress * max(0, 1 - communication - accountability)
    passive = {"style": "laissez_faire", "weeks": 52}  # communication 0.25 + accountability 0.25 = 0.5
    off, on = {"mechanisms__role_ambiguity": False}, {"mechanisms__role_ambiguity": True}
    assert_up(paired("stress_final", off, on, base=passive, reps=40))
    assert_up(paired("quits", off, on, base=passive, reps=40))
    # exact limit: where communication + accountability >= 1 (every other named style) nothing changes
    clear = simteam.configure(weeks=26, leadership__communication=0.6, leadership__accountability=0.4)
    a = simteam.run(simteam.configure(clear, mechanisms__role_ambiguity=False), replications=8).summary
    b = simteam.run(simteam.configure(clear, mechanisms__role_ambiguity=True), replications=8).summary
    assert a.equals(b)
    # and the start: the equilibrium stress of a passive team includes the term
    from simteam.people import initial_targets
    cfg = simteam.configure(style="laissez_faire")
    L = cfg.leadership
    st_off = initial_targets(cfg.people, L, cfg.market.segments, cfg.selling.capacity)[2]
    st_on = initial_targets(cfg.people, L, cfg.market.segments, cfg.selling.capacity, ambiguity=True)[2]
    assert st_on - st_off == pytest.approx(L.ambiguity_stress * (1 - L.communication - L.accountability))


def test_fairness_raises_trust_and_cuts_quits():
    assert_up(paired("trust_final", {"leadership__fairness": 0.1}, {"leadership__fairness": 0.9}))
    assert_down(paired("quits", {"leadership__fairness": 0.1}, {"leadership__fairness": 0.9}))


def test_noisier_forecasts_mean_less_revenue():
    # data orientation sets the noise in the leader's estimates of opportunity value
    assert_down(paired("revenue", {"leadership__data_orientation": 1.0}, {"leadership__data_orientation": 0.0}))


def test_selection_gain_exact_limits():
    from simteam.selling import selection_gain
    f = np.array([[1.0, 0.5, 0.1]])
    np.testing.assert_allclose(selection_gain(f, np.zeros((1, 1)), 0.6), 1.0)  # pure guessing: no gain
    g1 = selection_gain(f, np.ones((1, 1)), 0.6)
    # perfect ranking of log-normal values: E[V | top f] / E[V] = Phi(sigma - z_{1-f}) / f
    from scipy.stats import norm
    np.testing.assert_allclose(g1[0, 1:], norm.cdf(0.6 - norm.ppf(1 - f[0, 1:])) / f[0, 1:])
    assert g1[0, 0] == 1.0 and g1[0, 2] > g1[0, 1] > 1.0


def test_slower_decisions_mean_a_deeper_crisis_drawdown():
    base = dict(market="recession", crisis="pivot", weeks=104)
    assert_up(paired("drawdown", {"leadership__decision_speed": 1.0}, {"leadership__decision_speed": 0.0},
                     base=base))


# ---------------------------------------------------------------------------------------------- culture
def test_toxic_rep_hurts_neighbours_and_acting_limits_the_harm():
    base = dict(weeks=52, mechanisms={"toxic_spread": False})
    cfg_none = simteam.configure(**base)
    cfg_tol = simteam.configure(team__initial_toxic=1, leadership__toxic_tolerance=1.0, **base)
    cfg_act = simteam.configure(team__initial_toxic=1, leadership__toxic_tolerance=0.0, **base)
    runs = {k: Engine(c, seeds=np.arange(40), record_panel=True).run() for k, c in
            (("none", cfg_none), ("tolerated", cfg_tol), ("acted", cfg_act))}
    e = runs["none"]
    nbrs = np.flatnonzero(e.structure.adjacency[0].toarray().ravel())  # neighbours of the toxic seat 0
    m = {k: r.panel["morale"][26:, :, nbrs].mean() for k, r in runs.items()}
    assert m["tolerated"] < m["none"] - 0.02
    assert m["tolerated"] < m["acted"]


def test_toxic_behaviour_spreads_when_tolerated():
    base = dict(team__initial_toxic=2, culture__spread_rate=0.1, weeks=52)
    d = paired("toxic_final", {"leadership__toxic_tolerance": 0.0}, {"leadership__toxic_tolerance": 1.0}, base=base)
    assert_up(d)


def _sis(beta, delta, weeks=300, reps=40):
    cfg = make(mechanisms=only("toxic_spread"), weeks=weeks, replications=reps,
               team={"team_size": 200, "k_neighbors": 6, "rewire_p": 0.3, "initial_toxic": 1},
               culture={"spread_rate": beta, "recovery_rate": delta},
               leadership={"communication": 0.0, "toxic_tolerance": 0.5})
    e = Engine(cfg)
    e.s.toxic[:, :20] = True  # a seeded toxic minority (10%)
    e.run()
    return e, e.series["toxic_share"]


def test_sis_threshold_on_the_network():
    e, _ = _sis(0.0, 0.1, weeks=1)
    lam = e.structure.spectral_radius()
    delta = 0.1
    # hazards: the per-week probabilities 1-exp(-beta k) approximate the continuous SIS rates
    _, below = _sis(0.3 * delta / lam, delta)
    _, above = _sis(3.0 * delta / lam, delta)
    assert below[-1].mean() < 0.005
    assert above[-1].mean() > 0.2


# ---------------------------------------------------------------------------------------------- change
def test_bass_closed_form_on_a_complete_graph():
    p, q = 0.03, 0.38
    cfg = make(mechanisms=only("adoption"), weeks=25, replications=6,
               team={"team_size": 2000, "graph": "complete"},
               change={"initiatives": [{"name": "crm", "start_week": 0, "p": p, "q": q,
                                        "trust_effect": 0.0, "morale_effect": 0.0}]})
    e = Engine(cfg).run()
    F = e.series["adoption"].mean(axis=1)  # after week t's step: F(t + 1)
    t = np.arange(1, 26)
    assert np.abs(F - bass_F(t, p, q)).max() < 0.02
    rate = np.diff(np.r_[0.0, F])
    t_star = np.log(q / p) / (p + q)
    assert abs((np.argmax(rate) + 0.5) - t_star) <= 1.0


def test_bass_step_probability_limits():
    from simteam.change import bass_step_probability
    # f = 0 and f = 1 match the closed forms; p = q = 0 means nobody adopts
    assert np.isclose(bass_step_probability(0.0, 0.03, 0.38), bass_F(1.0, 0.03, 0.38))
    assert np.isclose(bass_step_probability(1.0, 0.03, 0.38), 1 - np.exp(-0.41))
    assert bass_step_probability(0.5, 0.0, 0.0) == 0.0


def _rollout(**ini):
    spec = {"name": "crm", "start_week": 10, "mandate_week": 10, "dip": 0.3, "gain": 0.1}
    spec.update(ini)
    return simteam.configure(weeks=60, change={"initiatives": [spec]})


def test_training_before_mandate_means_a_smaller_jcurve_dip():
    untrained = Engine(_rollout(training=0.0), seeds=np.arange(30)).run()
    trained = Engine(_rollout(training=1.0), seeds=np.arange(30)).run()
    dip = lambda e: 1 - np.nanmean(e.series["productivity"][11:20], axis=1).min()  # noqa: E731
    assert dip(trained) < dip(untrained)
    # and the lasting gain arrives: late productivity above the pre-rollout level
    pre = np.nanmean(untrained.series["productivity"][:10])
    assert np.nanmean(untrained.series["productivity"][-5:]) > pre


def test_forced_change_without_support_breeds_resistance_and_quits():
    a = simteam.run(_rollout(support=1.0), replications=R, seed=3)
    b = simteam.run(_rollout(support=0.0), replications=R, seed=3)
    assert_up(simteam.paired_difference(a.summary["quits"], b.summary["quits"]))
    assert_down(simteam.paired_difference(a.series["morale"][15], b.series["morale"][15]))


def test_pilot_with_early_adopters_starts_with_the_most_trusting():
    cfg = _rollout(mandate_week=-1, pilot_share=0.25, pilot_weeks=8)
    e = Engine(cfg, seeds=np.arange(5))
    for _ in range(11):
        e.step()
    exposed = e.s.exposed[:, :, 0]
    assert (exposed.sum(axis=1) == 3).all()
    for b in range(5):
        assert e.s.trust[b, exposed[b]].min() >= e.s.trust[b, ~exposed[b] & e.s.active[b]].max()


def test_regroup_resets_trust_and_ties():
    e = Engine(simteam.configure(weeks=30, change={"regroup_weeks": [20]}), seeds=np.arange(10))
    for _ in range(20):
        e.step()
    adj_before = e.structure.adjacency.copy()
    trust_before = e.series["trust"][19].copy()
    e.step()
    assert (e.structure.adjacency != adj_before).nnz > 0
    assert (e.series["trust"][20] < trust_before).all()


# ---------------------------------------------------------------------------------------------- crises
def test_crisis_responses_share_the_market_path_and_the_draws_they_do_not_change():
    runs = {s: Engine(simteam.configure(market="recession", crisis=s, leadership__decision_speed=0.5),
                      seeds=np.arange(10)).run() for s in ("hold_steady", "cut_and_push", "pivot", "wait_and_see")}
    ref = runs["hold_steady"]
    lag = 13  # decision_speed 0.5 x max lag 26: the response starts 13 weeks after detection
    first = int(np.argmax(np.nanmean(ref.series["crisis"], axis=1) > 0.03))
    for s, e in runs.items():
        np.testing.assert_array_equal(e.series["demand"], ref.series["demand"], err_msg=s)
        # before the response starts, everything is identical, bit for bit
        for k in ("revenue", "morale", "trust", "headcount"):
            np.testing.assert_array_equal(e.series[k][: first + lag], ref.series[k][: first + lag], err_msg=s)


def test_crisis_response_effects():
    base = dict(market="recession", leadership__decision_speed=1.0)
    d = paired("trust_final", {"crisis": "none"}, {"crisis": "hold_steady"}, base=base)
    assert_up(d)
    d = paired("trust_final", {"crisis": "hold_steady"}, {"crisis": "cut_and_push"}, base=base)
    assert_down(d)
    d = paired("exits_other", {"crisis": "hold_steady"}, {"crisis": "cut_and_push"}, base=base)
    assert_up(d)
    d = paired("drawdown", {"crisis": "none"}, {"crisis": "pivot"}, base=base)
    assert_down(d)


# ---------------------------------------------------------------------------------------------- events
def test_timed_events_take_effect_in_their_week():
    cfg = simteam.configure(weeks=30, events=[{"kind": "quota_change", "week": 10, "value": 1.2},
                                              {"kind": "recognition_event", "week": 15},
                                              {"kind": "crisis", "week": 20, "value": 0.4}])
    e = Engine(cfg, seeds=np.arange(4)).run()
    qf = e.series["quota_factor"]
    assert (qf[:10] == 1.0).all() and np.allclose(qf[10:], 1.2)
    assert (e.series["crisis"][:20] == 0).all() and (e.series["crisis"][20] > 0).all()
    ref = Engine(simteam.configure(weeks=30, events=[{"kind": "quota_change", "week": 10, "value": 1.2}]),
                 seeds=np.arange(4)).run()
    assert (e.series["morale"][15] > ref.series["morale"][15]).all()
    np.testing.assert_array_equal(e.series["morale"][:15], ref.series["morale"][:15])


def test_toxic_star_hire_and_losing_a_top_performer():
    cfg = simteam.configure(weeks=20, events=[{"kind": "toxic_hire", "week": 5},
                                              {"kind": "lose_top_performer", "week": 8}])
    e = Engine(cfg, seeds=np.arange(6)).run()
    assert (e.series["toxic_share"][5] > 0).all()
    assert (e.series["exits_other"][8] >= 1).all()


def test_event_probability_is_drawn_per_replication():
    cfg = simteam.configure(weeks=10, events=[{"kind": "crisis", "week": 2, "probability": 0.5}])
    e = Engine(cfg, seeds=np.arange(200)).run()
    hit = (e.series["crisis"][3] > 0).mean()
    assert 0.35 < hit < 0.65


def test_styles_compare_on_the_same_seeds():
    d = paired("revenue", {"style": "command_and_control"}, {"style": "coaching"}, base={"market": "recession"})
    assert_up(d)
    d = paired("turnover_annual", {"style": "command_and_control"}, {"style": "coaching"}, base={"market": "recession"})
    assert_down(d)


@pytest.mark.parametrize("switch", [f.name for f in dataclasses.fields(Switches)])
def test_every_mechanism_can_be_switched_off(switch):
    needs = {"head_of_sales": {"leaders": True}}.get(switch, {})  # the head of sales acts through the leaders
    # the outside option acts through a slow average of the job market: a sharp shock shows it in 40 weeks
    market = "sudden_stop" if switch == "outside_option" else "recession"
    # unclear roles only under a passive leader (communication + accountability < 1)
    style = "laissez_faire" if switch == "role_ambiguity" else None
    cfg = simteam.configure(market=market, style=style, team__initial_toxic=1, weeks=40,
                            mechanisms={switch: False, **needs},
                            change={"initiatives": [{"name": "crm", "start_week": 5, "mandate_week": 15}],
                                    "regroup_weeks": [20]})
    on = Engine(simteam.configure(cfg, mechanisms={switch: True, **needs}), seeds=np.arange(4)).run()
    off = Engine(cfg, seeds=np.arange(4)).run()
    for k, v in off.series.items():
        assert np.isfinite(v).all(), k
    changed = any(not np.array_equal(on.series[k], off.series[k], equal_nan=True) for k in on.series)
    assert changed, f"switching {switch} off changed nothing"


def test_initiative_waiting_for_a_rollout_event():
    cfg = simteam.configure(weeks=30, change={"initiatives": [{"name": "crm", "start_week": -1, "p": 0.03}]},
                            events=[{"kind": "rollout", "week": 12, "name": "crm"}])
    e = Engine(cfg, seeds=np.arange(4)).run()
    assert (e.series["adoption"][:12] == 0).all() and (e.series["adoption"][-1] > 0).all()
    idle = Engine(simteam.configure(cfg, events=[]), seeds=np.arange(4)).run()
    assert (idle.series["adoption"] == 0).all()


def test_an_event_leaver_follows_the_quit_rules():
    """One seat-vacating path (Engine.vacate): the seat keeps the pipeline handover share and its
    vacancy starts counting down the week after it was left (docs/model.md, 7.6)."""
    cfg = simteam.configure(weeks=12, people__hire_lag_weeks=3, people__pipeline_handover=0.5,
                            events=[{"kind": "lose_top_performer", "week": 4}], mechanisms={"attrition": False})
    e = Engine(cfg, seeds=np.arange(3))
    for _ in range(4):
        e.step()
    seat = np.argmax(np.where(e.s.active, e.s.pace, -np.inf), axis=1)
    rows = np.arange(3)
    before = e.s.pipeline[rows, seat].copy()
    e.policies_at("start")  # the event, alone (as at the start of week 4)
    assert not e.s.active[rows, seat].any()
    np.testing.assert_array_equal(e.s.pipeline[rows, seat], 0.5 * before)
    np.testing.assert_array_equal(e.s.vacancy[rows, seat], 3)
    np.testing.assert_array_equal(e.counters["exits_other"], 1)


class _Burnout(simteam.Mechanism):
    """An outside mechanism: a seat's weekly extra stress, drawn from its own stream, after people."""

    name = "burnout"
    after = "people"

    def init(self, e):
        self.hits = np.zeros(e.B)
        self.hired = 0
        self.vacated = 0

    def step(self, e, t):
        u = e.rng.uniform("burnout", t, (e.N,))
        hit = e.s.active & (u < 0.05)
        e.s.stress = np.where(hit, np.minimum(e.s.stress + 0.2, 1.0), e.s.stress)
        self.hits += hit.sum(axis=1)

    def on_hire(self, e, rows, cols):
        self.hired += rows.size

    def on_vacate(self, e, rows, cols):
        self.vacated += rows.size


def test_an_outside_mechanism_runs_at_its_phase_in_a_batch():
    cfg = simteam.configure(weeks=40, market="recession")
    e = Engine(cfg, seeds=np.arange(4), mechanisms=[_Burnout()]).run()
    names = [m.name for m in e.mechanisms]
    assert names.index("burnout") == names.index("people") + 1
    b = e.mechanism("burnout")
    assert (b.hits > 0).all() and b.vacated > 0 and b.hired > 0
    plain = Engine(cfg, seeds=np.arange(4)).run()
    assert (e.series["stress"] > plain.series["stress"]).mean() > 0.9
    np.testing.assert_array_equal(e.series["demand"], plain.series["demand"])  # CRN: its own stream
    batch = simteam.run(cfg, replications=3, seed=7, mechanisms=[_Burnout()])
    for r in range(3):
        single = simteam.run(cfg, replications=1, seed=7 + r, mechanisms=[_Burnout()])
        np.testing.assert_array_equal(batch.series["revenue"][:, r], single.series["revenue"][:, 0])
    with pytest.raises(simteam.ConfigError, match="placed at 'nowhere'"):
        Engine(cfg, mechanisms=[type("X", (simteam.Mechanism,), {"name": "x", "after": "nowhere"})()])

"""Leaders as agents (submodel LA, simteam/leaders.py): time budget, span of control, styles by team,
succession, promotion, batch invariance, sweeps, the switch and bad input."""

import numpy as np
import pytest

import simteam
from simteam.config import ConfigError
from simteam.engine import Engine
from simteam.leaders import BEHAVIOURS, TIME_ACTIVITIES

MIXED = {"styles": ["coaching", "command_and_control", "command_and_control"]}
ALL_MAX = {b: 1.0 for b in ("inspiration", "recognition", "feedback", "coaching", "communication", "accountability",
                            "fairness", "data_orientation", "decision_speed", "learning_support")}


def _cfg(events=(), **kw):
    kw.setdefault("mechanisms", {})["leaders"] = True
    cfg = simteam.configure(**kw)
    return simteam.config.from_dict({"events": list(events)}, base=cfg) if events else cfg


def test_time_budget_is_conserved():
    cfg = _cfg(weeks=30, market="recession", team={"n_teams": 3, "team_size": 10},
               leaders={"styles": ["coaching", "balanced", "laissez_faire"], "behaviour_sd": 0.1})
    e = Engine(cfg, seeds=np.arange(6))
    lead = e.leaders
    P = cfg.leaders
    saw_short = saw_slack = False
    for _ in range(cfg.weeks):
        e.step()
        h = lead.hours
        total = sum(h.values())
        np.testing.assert_allclose(total, P.hours_week, rtol=0, atol=1e-9)
        assert all(np.all(v >= -1e-9) for v in h.values())
        given = sum(h[b] for b, _ in TIME_ACTIVITIES)
        flexible = P.hours_week * (1 - P.admin_share - P.selling_share) - h["crisis"] - h["rollout"]
        avail = np.where(lead.vacant, flexible * P.interim_hours, flexible)
        assert np.all(given <= avail + 1e-9)
        short = lead.demand > avail + 1e-9
        np.testing.assert_allclose(given[short], avail[short], rtol=1e-12)  # all the time goes when it is short
        saw_short |= bool(short.any())
        saw_slack |= bool((~short & ~lead.vacant).any())
        assert np.all((lead.eff >= 0) & (lead.eff <= 1))
    assert saw_short and saw_slack
    assert np.any(h["crisis"] > 0) or e.org.crisis.count.sum() == 0


def test_balanced_leader_spends_rapp_share_of_the_week_on_data_work():
    """leaders.data_hours is derived from Rapp et al. (2020): the balanced (median) leader of the default 12-rep
    team, not overloaded, gives its data work ~26% of the 50-hour week (13 h), and its admin, own selling and
    people hours are the other shares of the week (15%, 23%, ~32%)."""
    e = Engine(_cfg(weeks=1, market="stable"), seeds=np.arange(3))
    e.step()
    lead, P = e.leaders, e.cfg.leaders
    assert np.all(lead.overload < 1.0)  # nothing is squeezed: the hours are the intended ones
    share = {k: lead.hours[k] / P.hours_week for k in ("data_orientation", "admin", "selling")}
    np.testing.assert_allclose(share["data_orientation"], 0.26, atol=0.001)
    np.testing.assert_allclose(share["admin"], 0.15, atol=1e-12)
    np.testing.assert_allclose(share["selling"], 0.23, atol=1e-12)
    people = sum(lead.hours[b] for b in ("coaching", "feedback", "recognition", "communication")) / P.hours_week
    assert np.all(np.abs(people - 0.32) < 0.05), people


def test_larger_team_gets_fewer_coaching_hours_per_rep():
    per_rep, coach, stress = [], [], []
    for size in (6, 12, 24):
        e = Engine(_cfg(weeks=26, market="stable", team={"team_size": size}, leaders={"styles": ["coaching"]}),
                   seeds=np.arange(8))
        e.run()
        per_rep.append(e.leaders.coaching_per_rep.mean())
        coach.append(e.leaders.eff[:, :, BEHAVIOURS.index("coaching")].mean())
        stress.append(e.leaders.stress.mean())
    assert per_rep[0] > per_rep[1] > per_rep[2], per_rep
    assert coach[0] > coach[1] > coach[2], coach
    assert stress[0] < stress[2], stress


def test_mixed_organisation_teams_differ_in_the_direction_of_their_styles():
    cfg = _cfg(weeks=52, market="stable", team={"n_teams": 3, "team_size": 12, "graph": "sbm"}, leaders=MIXED)
    # 200 replications: the coaching team's revenue lead (~2-3% since the data hours are Rapp et al.'s share: the
    # overloaded coaching leader also cuts its data work) is smaller than the 95% noise of 60 (~4%)
    e = Engine(cfg, seeds=np.arange(200))
    e.run()
    team = e.structure.team_of
    act = e.s.active

    def mean(x, t):
        m = act & (team == t)[None, :]
        return float(x[m].mean())

    # the coaching leader's team: more trust, less stress, more revenue; its leader coaches more per rep
    for t in (1, 2):
        assert mean(e.s.trust, 0) > mean(e.s.trust, t) + 0.03
        assert mean(e.s.stress, 0) < mean(e.s.stress, t) - 0.02
        rev = [e.s.revenue_total[:, team == u].sum(axis=1).mean() for u in (0, t)]
        assert rev[0] > rev[1], rev  # by 2-3% (issue 15's fitted effect sizes, Rapp et al.'s data hours)
        assert e.leaders.coaching_per_rep[:, 0].mean() > 2 * e.leaders.coaching_per_rep[:, t].mean()
    # effective behaviours follow the styles (accountability: command and control is higher)
    k = BEHAVIOURS.index("accountability")
    assert e.leaders.eff[:, 1:, k].mean() > e.leaders.eff[:, 0, k].mean()
    # the two command-and-control teams are alike, and the run is paired with the uniform organisation
    assert abs(mean(e.s.trust, 1) - mean(e.s.trust, 2)) < 0.03
    plain = Engine(simteam.configure(weeks=52, market="stable", team={"n_teams": 3, "team_size": 12,
                                                                        "graph": "sbm"}), seeds=np.arange(200))
    plain.run()
    np.testing.assert_array_equal(plain.series["demand"], e.series["demand"])  # common random numbers


def _paired(cfg_a, cfg_b, seeds):
    a = Engine(cfg_a, seeds=seeds)
    b = Engine(cfg_b, seeds=seeds)
    a.run()
    b.run()
    return a, b


def test_leader_exit_lowers_trust_and_raises_quits():
    base = dict(weeks=60, market="stable", leaders={"exit_base": 0.0, "promote_share": 0.0})
    seeds = np.arange(400)
    a, b = _paired(_cfg(**base), _cfg(**base, events=[{"kind": "leader_leaves", "week": 20, "value": 0}]), seeds)
    assert np.all(b.leaders.counts["leader_exits"] == 1) and np.all(a.leaders.counts["leader_exits"] == 0)
    np.testing.assert_array_equal(a.series["trust"][:20], b.series["trust"][:20])  # nothing before the exit
    after = slice(20, 50)
    d_trust = (b.series["trust"][after] - a.series["trust"][after]).mean()
    d_quits = (b.series["quits"][after] - a.series["quits"][after]).sum(axis=0).mean()
    d_now = (b.series["trust"][20] - a.series["trust"][20]).mean()
    assert d_now < -0.015, d_now  # organisation mean: one team of three loses its leader
    assert d_trust < -0.01, d_trust
    assert d_quits > 0.05, d_quits
    # the effect fades: trust is earned back
    gap_late = (b.series["trust"][55:] - a.series["trust"][55:]).mean()
    assert d_now < d_trust < gap_late < 0
    # an outside hire arrives after hire_weeks: 13 weeks of interim
    assert b.leaders.counts["leader_hires"].min() == 1


def test_promoting_the_top_rep_costs_that_reps_revenue():
    base = dict(weeks=16, market="stable", leaders={"exit_base": 0.0})
    seeds = np.arange(300)
    a = Engine(_cfg(**base), seeds=seeds)
    for _ in range(10):
        a.step()
    top = np.argmax(np.where(a.s.active, a.s.pace, -np.inf), axis=1)
    rows = np.arange(seeds.size)
    rev_before = a.s.revenue_total[rows, top].copy()
    a.run()
    lost = a.s.revenue_total[rows, top] - rev_before  # what the top rep sold in weeks 10-15 without promotion
    b = Engine(_cfg(**base, events=[{"kind": "promote", "week": 10, "value": 0}]), seeds=seeds)
    b.run()
    assert np.all(b.leaders.counts["leader_promotions"] == 1)
    # the promoted rep is the top rep, and the seat sold nothing until it is refilled (hire lag 6 weeks)
    np.testing.assert_array_equal(b.s.revenue_total[rows, top], rev_before)
    assert np.all(~b.s.active[rows, top] | (b.s.tenure[rows, top] <= 1))
    d_team = b.series["revenue"][10:].sum(axis=0) - a.series["revenue"][10:].sum(axis=0)
    assert d_team.mean() < -0.5 * lost.mean()
    assert lost.mean() > 0


def test_promoted_top_seller_coaches_worse_than_a_median_promotion():
    """Benson, Li & Shue (2019): the relation of the new manager's skill to the rep's relative sales is negative."""
    cfg = _cfg(weeks=12, market="stable", leaders={"exit_base": 0.0, "skill_sd": 0.0, "peter_slope": 0.2})
    e = Engine(cfg, seeds=np.arange(50))
    for _ in range(10):
        e.step()
    e.leaders.promote(e, np.ones((50, 1), dtype=bool))  # the top rep by pace
    top_skill = e.leaders.coaching_skill[:, 0].copy()
    f = Engine(cfg, seeds=np.arange(50))
    for _ in range(10):
        f.step()
    # the rep closest to the team's mean pace
    team_pace = f.leaders.pace[:, 0]
    seat = np.argmin(np.where(f.s.active, np.abs(f.s.pace - team_pace[:, None]), np.inf), axis=1)
    pos = int(np.bincount(seat).argmax())
    f.leaders.promote(f, np.ones((50, 1), dtype=bool), seat=pos)
    assert top_skill.mean() < f.leaders.coaching_skill[:, 0].mean() - 0.05
    assert top_skill.mean() < cfg.leaders.skill_mean


def test_batch_equals_single_runs_with_heterogeneous_leaders():
    cfg = _cfg(weeks=40, market="recession", team={"n_teams": 3, "team_size": 6, "graph": "sbm"},
               leaders=dict(MIXED, behaviour_sd=0.15, exit_base=0.02),
               events=[{"kind": "leader_leaves", "week": 5, "value": 1}, {"kind": "hire_leader", "week": 9, "value": 2,
                                                                          "name": "servant"}])
    batch = simteam.run(cfg, replications=5, seed=11)
    assert batch.summary.leader_exits.sum() > 5  # succession happened in this test
    for r in range(5):
        one = simteam.run(cfg, replications=1, seed=11 + r)
        for col in batch.summary.columns:
            if col in ("replication",):
                continue
            np.testing.assert_array_equal(batch.summary[col].to_numpy()[r:r + 1], one.summary[col].to_numpy(), col)
        for k in ("revenue", "trust", "quits"):
            np.testing.assert_array_equal(batch.series[k][:, r], one.series[k][:, 0])


def test_sweep_points_equal_their_single_configurations():
    cfg = _cfg(weeks=30, market="stable", team={"n_teams": 3, "team_size": 6}, leaders=dict(MIXED, behaviour_sd=0.1))
    points = {"leaders.hours_week": [35.0, 60.0], "leadership.inspiration": [0.3, 0.8],
              "leaders.exit_base": [0.01, 0.03]}
    sweep = simteam.run_points(cfg, points, replications=3, seed=4)
    for p in range(2):
        single = simteam.configure(cfg, **{"leaders__hours_week": points["leaders.hours_week"][p],
                                           "leadership__inspiration": points["leadership.inspiration"][p],
                                           "leaders__exit_base": points["leaders.exit_base"][p]})
        one = simteam.run(single, replications=3, seed=4)
        rows = sweep.summary[sweep.summary.point == p]
        for col in ("revenue", "turnover_annual", "leader_exits", "leader_stress", "coaching_hours_per_rep"):
            np.testing.assert_array_equal(rows[col].to_numpy(), one.summary[col].to_numpy(), col)
    # the points differ (the swept parameters matter)
    s0 = sweep.summary[sweep.summary.point == 0]
    s1 = sweep.summary[sweep.summary.point == 1]
    assert s0.coaching_hours_per_rep.mean() < s1.coaching_hours_per_rep.mean()


def test_every_behaviour_at_max_is_no_longer_a_free_lunch():
    """docs/model.md §7.14 (measured with 200 paired replications): with leaders as agents every behaviour at
    its maximum earns less than the coaching style (-2.4% revenue), not +8% more as without a time budget."""
    def run(lead, on):
        cfg = simteam.configure(weeks=104, market="stable", leadership=lead, mechanisms={"leaders": on})
        return simteam.run(cfg, replications=60, seed=1).summary

    coach_style = dict(simteam.leadership.STYLES["coaching"])
    off_bal, off_mx, off_coach = run({}, False), run(ALL_MAX, False), run(coach_style, False)
    off_gain = off_mx.revenue.mean() / off_bal.revenue.mean() - 1
    bal_s, mx_s, coach_s = run({}, True), run(ALL_MAX, True), run(coach_style, True)
    bal, mx, coaching = (x.mean(numeric_only=True) for x in (bal_s, mx_s, coach_s))
    on_gain = mx.revenue / bal.revenue - 1
    assert off_gain > 0.1  # without a time budget: +18% revenue for nothing (+51% before issue 15's fit)
    assert on_gain < off_gain / 2
    assert mx.leader_stress > bal.leader_stress + 0.3 and mx.leader_overload > 3
    assert mx.leader_exits > 3 * bal.leader_exits
    # paired on common random numbers: all-max beats coaching without a time budget, loses to it with one
    d_off = off_mx.revenue.to_numpy() / off_coach.revenue.to_numpy() - 1
    d_on = mx_s.revenue.to_numpy() / coach_s.revenue.to_numpy() - 1
    half = 1.96 * d_on.std(ddof=1) / np.sqrt(d_on.size)
    assert d_off.mean() > 0.05, d_off.mean()
    assert d_on.mean() + half < 0, (d_on.mean(), half)  # turning everything up is worse than a coaching style
    assert mx.turnover_annual > coaching.turnover_annual + 0.03  # overloaded leaders leave: vacancies, interims
    assert mx.leader_vacant_share > 2 * coaching.leader_vacant_share


def test_switch_off_ignores_the_leaders_section():
    plain = simteam.run(simteam.configure(weeks=30), replications=3, seed=2)
    other = simteam.run(simteam.configure(weeks=30, leaders={"styles": ["laissez_faire"], "hours_week": 20.0}),
                        replications=3, seed=2)
    cols = [c for c in plain.summary.columns]
    np.testing.assert_array_equal(plain.summary[cols].to_numpy(), other.summary[cols].to_numpy())
    assert "leader_exits" not in plain.summary.columns


def test_leaders_on_with_unconstrained_time_keeps_the_organisation_wide_behaviours():
    """With hours to spare, every team's effective behaviour is its profile (up to b_max)."""
    cfg = _cfg(weeks=5, market="stable", team={"team_size": 4}, leaders={"hours_week": 100.0, "skill_sd": 0.0,
                                                                          "exit_base": 0.0})
    e = Engine(cfg, seeds=np.arange(3))
    e.step()
    L = cfg.leadership
    for k, b in enumerate(BEHAVIOURS):
        np.testing.assert_allclose(e.leaders.eff[:, :, k], min(getattr(L, b), cfg.leaders.max_intensity),
                                   rtol=1e-12, err_msg=b)


@pytest.mark.parametrize("bad, message", [
    ({"leaders": {"styles": ["coachin"]}}, "leaders.styles[0]: 'coachin' is not a leadership style"),
    ({"leaders": {"hours_week": 500}}, "leaders.hours_week: 500.0 is out of range"),
    ({"events": [{"kind": "leader_leaves", "week": 3}]}, "events[0].kind: leader_leaves needs leaders as agents"),
    ({"mechanisms": {"leaders": True}, "events": [{"kind": "promote", "week": 3, "value": 4}]},
     "events[0].value: the team of a promote event; allowed: 0 to 0"),
    ({"mechanisms": {"leaders": True}, "events": [{"kind": "hire_leader", "week": 3, "name": "boss"}]},
     "events[0].name: 'boss' is not a leadership style"),
    ({"mechanisms": {"leaders": True}, "events": [{"kind": "promote", "week": 3, "name": "top"}]},
     "events[0].name: the rep to promote as a seat number"),
])
def test_bad_input_names_the_field(bad, message):
    with pytest.raises(ConfigError) as err:
        simteam.config.from_dict(bad)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


def test_mesa_face_shows_the_leaders_state():
    from simteam.model import SalesTeamModel

    cfg = _cfg(weeks=20, team={"n_teams": 3, "team_size": 5}, leaders=MIXED)
    m = SalesTeamModel(cfg, seed=5)
    for _ in range(3):
        m.step()
    ld = m.leaders[0]
    assert ld.style == "coaching" and m.leaders[1].style == "command_and_control"
    e = m.engine
    assert ld.stress == e.leaders.stress[0, 0] and ld.coaching_skill == e.leaders.coaching_skill[0, 0]
    assert ld.tenure >= 3 and ld.vacant is False
    assert abs(ld.hours_used + ld.hours["slack"] - cfg.leaders.hours_week) < 1e-9
    assert ld.behaviours["coaching"] > m.leaders[1].behaviours["coaching"]
    m.intervene("leader_leaves", value=1)
    assert m.leaders[1].vacant is True and m.leaders[0].vacant is False
    m.intervene("hire_leader", value=1, name="servant")
    assert m.leaders[1].vacant is False and m.leaders[1].tenure == 0


@pytest.mark.slow
def test_every_leaders_parameter_sweeps_like_its_single_run():
    """Each numeric ``leaders.*`` parameter moved alone in one run_points batch equals its single run."""
    from simteam.config import get_path, iter_params

    base = _cfg(weeks=40, market="recession", team={"n_teams": 2, "team_size": 6},
                leaders={"styles": ["coaching", "command_and_control"], "behaviour_sd": 0.1, "exit_base": 0.02},
                change={"initiatives": [{"name": "crm", "start_week": 4}]},
                events=[{"kind": "leader_leaves", "week": 6, "value": 1}, {"kind": "promote", "week": 12, "value": 0}])
    params = []
    for path, f in iter_params():
        if not path.startswith("leaders."):
            continue
        d = get_path(base, path)
        if isinstance(d, bool) or not isinstance(d, (int, float)):
            continue
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        v = next(x for x in ((d // 2 if isinstance(d, int) else d * 1.5), d * 0.5, lo, hi)
                 if x != d and lo <= x <= hi)
        params.append((path, int(v) if isinstance(d, int) else float(v)))
    assert len(params) >= 30
    points = {p: [v if j == i else get_path(base, p) for j, (_, v) in enumerate(params)]
              for i, (p, _) in enumerate(params)}
    sweep = simteam.run_points(base, points, replications=2, seed=5)
    moved = 0
    ref = simteam.run(base, replications=2, seed=5).summary
    for i, (p, v) in enumerate(params):
        one = simteam.run(simteam.configure(base, **{p.replace(".", "__"): v}), replications=2, seed=5).summary
        rows = sweep.summary[sweep.summary.point == i]
        for col in ("revenue", "trust_final", "leader_exits", "leader_stress", "coaching_hours_per_rep",
                    "leader_vacant_share"):
            np.testing.assert_array_equal(rows[col].to_numpy(), one[col].to_numpy(), f"{p}={v}: {col}")
        moved += not np.array_equal(one.revenue.to_numpy(), ref.revenue.to_numpy())
    assert moved >= 0.7 * len(params)  # most parameters matter in this busy setting


def test_kernels_keep_one_compiled_version_with_leaders_as_agents():
    from simteam import kernels

    for on in (False, True):
        cfg = simteam.configure(weeks=20, market="recession", team={"n_teams": 3, "team_size": 5, "initial_toxic": 2},
                                mechanisms={"leaders": on}, leaders=MIXED)
        simteam.run(cfg, replications=2, seed=1)
        simteam.run(cfg, replications=1, seed=1)
    for name in ("selling_step", "people_step", "quit_draws", "effort_step", "cohesion_step"):
        kernel = getattr(kernels, name, None)
        if kernel is None:
            from simteam.effort import effort_step as kernel
        assert len(kernel.signatures) == 1, name


def test_worker_processes_and_chunks_give_the_same_numbers():
    cfg = _cfg(weeks=30, team={"n_teams": 3, "team_size": 6},
               leaders={"styles": ["coaching", "servant"], "behaviour_sd": 0.1, "exit_base": 0.02})
    one = simteam.run(cfg, replications=8, seed=3)
    split = simteam.run(cfg, replications=8, seed=3, processes=2, chunk_rows=4)
    assert one.summary.leader_exits.sum() > 0
    for col in one.summary.columns:
        np.testing.assert_array_equal(one.summary[col].to_numpy(), split.summary[col].to_numpy(), col)
    for k in one.series:
        np.testing.assert_array_equal(one.series[k], split.series[k], k)

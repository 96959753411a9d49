"""The head of sales as an agent (submodel HS, simteam/headofsales.py) and the leaders' weekly series:
policy reaches teams through their leaders, paired directional effects, batch invariance, sweeps,
the Mesa face and bad input."""

import numpy as np
import pytest

import simteam
from simteam.config import ConfigError
from simteam.engine import Engine
from simteam.leaders import SERIES_TEAMS

MIXED = {"styles": ["coaching", "laissez_faire", "command_and_control"]}


def _cfg(hos=True, **kw):
    kw.setdefault("mechanisms", {}).update(leaders=True, head_of_sales=hos)
    return simteam.configure(**kw)


def test_a_head_of_sales_who_freezes_hiring_in_a_downturn_cuts_headcount():
    """Paired seeds, a recession: the head orders a freeze (pressure from the crisis) vs a head who never does."""
    kw = dict(weeks=104, market="recession", team={"n_teams": 3, "team_size": 10}, leaders=MIXED,
              head_of_sales={"quota_push": 0.0, "push_accountability": 0.0})
    seeds = np.arange(40)
    a = Engine(_cfg(**kw), seeds=seeds).run()
    kw["head_of_sales"] = dict(kw["head_of_sales"], freeze_at=1.01)
    b = Engine(_cfg(**kw), seeds=seeds).run()
    assert a.head_of_sales.counts["freeze_weeks"].mean() > 20 and b.head_of_sales.counts["freeze_weeks"].sum() == 0
    # before the crisis nothing differs (the freeze is the only difference)
    onset = int(np.nanmin(np.where(a.series["hos_freeze"] > 0, np.arange(104)[:, None], np.nan)))
    np.testing.assert_array_equal(a.series["revenue"][:onset], b.series["revenue"][:onset])
    d_hires = a.counters["hires"] - b.counters["hires"]
    d_head = a.series["headcount"].mean(axis=0) - b.series["headcount"].mean(axis=0)
    assert d_hires.mean() < -5 and np.mean(d_hires < 0) > 0.9, d_hires
    assert d_head.mean() < -2, d_head.mean()  # a smaller (cheaper) organisation


def test_policy_reaches_a_low_trust_team_later_and_weaker():
    """The coaching leader (communication 0.8, high trust) implements the freeze and passes the pressure on
    sooner and more fully than the laissez-faire leader (communication 0.15, low trust)."""
    cfg = _cfg(weeks=80, market="recession", team={"n_teams": 3, "team_size": 10}, leaders=MIXED,
               head_of_sales={"stress_amplify": 0.0})
    e = Engine(cfg, seeds=np.arange(30))
    first = np.full((30, 3), np.inf)
    relay = []
    for t in range(cfg.weeks):
        e.step()
        h = e.head_of_sales
        first = np.where(h.frozen & np.isinf(first), t, first)
        relay.append(h.relay_pressure.copy())
    lead_trust = e.leaders.trust
    assert lead_trust[:, 0].mean() > lead_trust[:, 1].mean()
    ok = np.isfinite(first).all(axis=1)
    assert ok.mean() > 0.8
    assert np.all(first[ok, 0] <= first[ok, 1]) and (first[ok, 1] - first[ok, 0]).mean() >= 1.0, first[ok]
    relay = np.array(relay)  # (weeks, B, T)
    late = relay[50:].mean(axis=(0, 1))
    assert late[0] > 1.2 * late[1], late  # weaker: lower fidelity


def test_a_stressed_leader_passes_more_pressure_down():
    kw = dict(weeks=60, market="recession", team={"n_teams": 3, "team_size": 10}, leaders=MIXED)
    seeds = np.arange(10)
    a = Engine(_cfg(**kw, head_of_sales={"stress_amplify": 3.0}), seeds=seeds)
    b = Engine(_cfg(**kw, head_of_sales={"stress_amplify": 0.0}), seeds=seeds)
    for _ in range(60):  # up to the first week any pressure is passed down, both runs are the same
        a.step()
        b.step()
        if np.any(b.head_of_sales.passed > 0):
            break
    np.testing.assert_array_equal(a.leaders.stress, b.leaders.stress)
    np.testing.assert_array_equal(a.head_of_sales.relay_pressure, b.head_of_sales.relay_pressure)
    stressed = (a.leaders.stress > cfg_stress_base() + 0.01) & (a.head_of_sales.relay_pressure > 0)
    assert stressed.any()
    assert np.all(a.head_of_sales.passed[stressed] > b.head_of_sales.passed[stressed])
    k = simteam.leaders.BEHAVIOURS.index("accountability")
    assert np.all(a.leaders.eff[:, :, k][stressed] >= b.leaders.eff[:, :, k][stressed])


def cfg_stress_base():
    return simteam.configure().leaders.stress_base


def test_allocation_exempts_the_best_teams_from_the_freeze():
    kw = dict(weeks=70, market="recession", team={"n_teams": 3, "team_size": 10}, leaders=MIXED)
    e = Engine(_cfg(**kw, head_of_sales={"exempt_share": 0.34}), seeds=np.arange(10))
    saw = False
    for _ in range(kw["weeks"]):
        e.step()
        h = e.head_of_sales
        on = h.relay_freeze > 0.5
        if on.all(axis=1).any():
            rows = on.all(axis=1)
            best = np.argmax(e.leaders.pace[rows], axis=1)  # ties: the lower index, as the allocation
            assert np.all(~h.frozen[rows, best])
            assert np.all(h.frozen[rows].sum(axis=1) == 2)
            saw = True
    assert saw


def test_head_of_sales_off_changes_nothing_and_the_quota_push_moves_the_quota():
    kw = dict(weeks=60, market="recession", team={"n_teams": 2, "team_size": 6}, leaders=MIXED)
    off = simteam.run(_cfg(hos=False, **kw, head_of_sales={"freeze_at": 0.1}), replications=4, seed=3)
    plain = simteam.run(_cfg(hos=False, **kw), replications=4, seed=3)
    np.testing.assert_array_equal(off.summary.to_numpy(), plain.summary.to_numpy())
    assert "hos_pressure" not in off.summary.columns and "hos_pressure" not in off.series
    on = simteam.run(_cfg(**kw, head_of_sales={"push_at": 0.3, "quota_push": 0.1}), replications=4, seed=3)
    assert on.summary.hos_quota_pushes.min() >= 1
    assert np.nanmax(on.series["quota_factor"]) > np.nanmax(plain.series["quota_factor"]) * 1.05


def test_batch_and_sweep_equivalence_with_heterogeneous_leaders_and_a_head_of_sales():
    cfg = simteam.config.from_dict({"events": [{"kind": "leader_leaves", "week": 8, "value": 1}]},
                                   base=_cfg(weeks=50, market="recession", team={"n_teams": 3, "team_size": 6},
                                             leaders=dict(MIXED, behaviour_sd=0.15, exit_base=0.02),
                                             head_of_sales={"exempt_share": 0.34}))
    batch = simteam.run(cfg, replications=4, seed=21)
    assert batch.summary.hos_freeze_share.mean() > 0
    for r in range(4):
        one = simteam.run(cfg, replications=1, seed=21 + r)
        for col in batch.summary.columns:
            if col != "replication":
                np.testing.assert_array_equal(batch.summary[col].to_numpy()[r:r + 1], one.summary[col].to_numpy(),
                                              col)
        for k in batch.series:
            np.testing.assert_array_equal(batch.series[k][:, r], one.series[k][:, 0], k)
    split = simteam.run(cfg, replications=4, seed=21, processes=2, chunk_rows=2)
    for k in batch.series:
        np.testing.assert_array_equal(batch.series[k], split.series[k], k)
    points = {"head_of_sales.freeze_at": [0.3, 0.9], "head_of_sales.relay_rate": [0.1, 0.5],
              "head_of_sales.stress_amplify": [0.0, 2.0], "head_of_sales.exempt_share": [0.0, 0.5]}
    sweep = simteam.run_points(cfg, points, replications=2, seed=4)
    for p in range(2):
        single = simteam.configure(cfg, **{k.replace(".", "__"): v[p] for k, v in points.items()})
        one = simteam.run(single, replications=2, seed=4)
        rows = sweep.summary[sweep.summary.point == p]
        for col in ("revenue", "hires", "hos_pressure", "hos_frozen_team_share", "hos_passed_pressure"):
            np.testing.assert_array_equal(rows[col].to_numpy(), one.summary[col].to_numpy(), col)
    s0, s1 = (sweep.summary[sweep.summary.point == p] for p in (0, 1))
    assert s0.hos_freeze_share.mean() > s1.hos_freeze_share.mean()


def test_leader_series_per_team_and_organisation():
    cfg = _cfg(hos=False, weeks=30, team={"n_teams": 3, "team_size": 6}, leaders=dict(MIXED, exit_base=0.02),
               market="recession")
    e = Engine(cfg, seeds=np.arange(5))
    e.run()
    L = e.leaders
    for k, v in (("leader_stress", L.stress), ("leader_coaching_per_rep", L.coaching_per_rep),
                 ("leader_trust", L.trust), ("leader_tenure", L.tenure), ("leader_vacant", L.vacant)):
        for j in range(3):
            np.testing.assert_array_equal(e.series[f"{k}_t{j}"][-1], v[:, j].astype(float), k)
        np.testing.assert_allclose(e.series[k][-1], v.astype(float).mean(axis=1), rtol=1e-12, err_msg=k)
        assert not np.isnan(e.series[k]).any()
    # the coaching team's leader coaches more hours per rep every week both posts are filled (an interim has
    # leaders.interim_hours of the week, and may coach less); tenure grows by one a week in post
    filled = (e.series["leader_vacant_t0"] == 0) & (e.series["leader_vacant_t1"] == 0)
    assert filled.mean() > 0.5
    assert np.all(e.series["leader_coaching_per_rep_t0"][filled] > e.series["leader_coaching_per_rep_t1"][filled])
    ten = e.series["leader_tenure_t0"]
    still = e.series["leader_vacant_t0"] == 0
    steps = np.diff(ten, axis=0)[still[1:] & still[:-1]]
    assert np.all((steps == 1) | (steps <= 0))
    # the Results table holds them (researchers plot them)
    res = simteam.run(cfg, replications=2, seed=0)
    ts = res.timeseries
    assert {"leader_stress_t2", "leader_trust", "leader_vacant_t0"} <= set(ts.columns)
    # large organisations: organisation means only
    big = Engine(_cfg(hos=False, weeks=2, team={"n_teams": SERIES_TEAMS + 1, "team_size": 2}), seeds=np.arange(1))
    assert "leader_stress" in big.series and "leader_stress_t0" not in big.series
    one = Engine(_cfg(hos=False, weeks=2), seeds=np.arange(1))
    assert "leader_stress" in one.series and "leader_stress_t0" not in one.series


def test_mesa_face_has_a_head_of_sales_agent():
    from simteam.agents import HeadOfSales
    from simteam.model import SalesTeamModel

    cfg = _cfg(weeks=60, market="recession", team={"n_teams": 3, "team_size": 5}, leaders=MIXED)
    m = SalesTeamModel(cfg, seed=2)
    for _ in range(60):
        m.step()
    hos = m.leaders[-1]
    assert isinstance(hos, HeadOfSales) and hos.cell is not None
    h = m.engine.head_of_sales
    assert hos.pressure == h.pressure[0, 0] and hos.freeze == bool(h.freeze[0, 0])
    assert set(hos.relay) == {0, 1, 2} and set(hos.frozen) == {0, 1, 2}
    df = m.datacollector.get_model_vars_dataframe()
    assert {"hos_pressure", "leader_stress_t1"} <= set(df.columns)
    assert df["hos_pressure"].iloc[-1] == hos.pressure
    plain = SalesTeamModel(simteam.configure(weeks=5, team={"n_teams": 2, "team_size": 3}), seed=1)
    assert plain.leaders[-1].pressure is None


@pytest.mark.parametrize("bad, message", [
    ({"mechanisms": {"head_of_sales": True}}, "mechanisms.head_of_sales: the head of sales reaches the teams"),
    ({"head_of_sales": {"freeze_at": 2.0}}, "head_of_sales.freeze_at: 2.0 is out of range"),
    ({"head_of_sales": {"relay_rate": 0}}, "head_of_sales.relay_rate: 0.0 is out of range"),
    ({"head_of_sales": {"plan": 1.0}}, "head_of_sales.plan"),
])
def test_bad_input_names_the_field(bad, message):
    with pytest.raises(ConfigError) as err:
        simteam.config.from_dict(bad)
    assert str(err.value).startswith(message), str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.slow
def test_every_head_of_sales_parameter_sweeps_like_its_single_run():
    """Each numeric ``head_of_sales.*`` parameter moved alone in one run_points batch equals its single run,
    with heterogeneous leaders, a leader's exit and a promotion in the run."""
    from simteam.config import get_path, iter_params

    base = simteam.config.from_dict(
        {"events": [{"kind": "leader_leaves", "week": 6, "value": 1}, {"kind": "promote", "week": 30, "value": 0}]},
        base=_cfg(weeks=60, market="recession", team={"n_teams": 3, "team_size": 5},
                  leaders=dict(MIXED, behaviour_sd=0.1, exit_base=0.02)))
    params = []
    for path, f in iter_params():
        if not path.startswith("head_of_sales."):
            continue
        d = get_path(base, path)
        lo, hi = f.metadata["lo"], f.metadata["hi"]
        v = next(x for x in (d * 0.5, d * 1.5, (lo + hi) / 2, lo, hi) if x != d and lo <= x <= hi)
        params.append((path, float(v)))
    assert len(params) == 11
    points = {p: [v if j == i else get_path(base, p) for j, (_, v) in enumerate(params)]
              for i, (p, _) in enumerate(params)}
    sweep = simteam.run_points(base, points, replications=2, seed=5)
    ref = simteam.run(base, replications=2, seed=5).summary
    moved = 0
    for i, (p, v) in enumerate(params):
        one = simteam.run(simteam.configure(base, **{p.replace(".", "__"): v}), replications=2, seed=5)
        rows = sweep.summary[sweep.summary.point == i]
        for col in ("revenue", "hires", "trust_final", "leader_exits", "hos_pressure", "hos_freeze_share",
                    "hos_frozen_team_share", "hos_quota_pushes", "hos_passed_pressure"):
            np.testing.assert_array_equal(rows[col].to_numpy(), one.summary[col].to_numpy(), f"{p}={v}: {col}")
        for k in ("hos_pressure", "leader_stress_t1", "headcount"):
            np.testing.assert_array_equal(sweep.series[k][:, 2 * i:2 * i + 2], one.series[k], f"{p}={v}: {k}")
        moved += not np.array_equal(one.summary.revenue.to_numpy(), ref.revenue.to_numpy())
    assert moved >= 8, moved  # most parameters matter in a recession

"""The batched engine: determinism, batch = single runs, CRN, invariants, DeGroot, Mesa face, calibration."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simteam
from simteam.engine import Engine
from simteam.events import Policy
from simteam.model import SalesTeamModel, coerce_seed

from simteam.testing import make, only


def _everything_on(**kw):
    kw.setdefault("weeks", 60)
    return simteam.configure(market="recession", team__initial_toxic=1,
                             change={"initiatives": [{"name": "crm", "start_week": 5, "mandate_week": 20}],
                                     "regroup_weeks": [30]},
                             events=[{"kind": "toxic_hire", "week": 10}, {"kind": "recognition_event", "week": 12}],
                             **kw)


def test_same_seed_gives_bit_identical_results():
    cfg = _everything_on()
    a = simteam.run(cfg, replications=6, seed=4)
    b = simteam.run(cfg, replications=6, seed=4)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)
    for k in a.series:
        np.testing.assert_array_equal(a.series[k], b.series[k])
    c = simteam.run(cfg, replications=6, seed=5)
    assert not np.array_equal(a.series["revenue"], c.series["revenue"])


def test_batch_equals_single_runs_with_the_same_seeds():
    cfg = _everything_on()
    batch = simteam.run(cfg, replications=5, seed=10)
    for r in range(5):
        single = simteam.run(cfg, replications=1, seed=10 + r)
        for k in batch.series:
            np.testing.assert_array_equal(batch.series[k][:, r], single.series[k][:, 0], err_msg=k)
        cols = [c for c in batch.summary.columns if c != "replication"]
        pd.testing.assert_series_equal(batch.summary.loc[r, cols], single.summary.loc[0, cols], check_names=False)


def test_chunked_runs_equal_one_batch():
    cfg = simteam.configure(weeks=30)
    one = simteam.run(cfg, replications=8, seed=2)
    chunked = simteam.run(cfg, replications=8, seed=2, chunk_rows=3)
    pd.testing.assert_frame_equal(one.summary, chunked.summary, check_exact=True)
    assert one.series.keys() == chunked.series.keys()
    for k in one.series:  # the chunks record into column slices of one array: same series, bit for bit
        np.testing.assert_array_equal(one.series[k], chunked.series[k])


@pytest.mark.slow  # starts worker processes, each imports simteam and loads the compiled kernels
def test_chunked_and_multiprocess_runs_equal_one_batch():
    cfg = simteam.configure(weeks=30)
    one = simteam.run(cfg, replications=8, seed=2)
    chunked = simteam.run(cfg, replications=8, seed=2, chunk_rows=3)
    multi = simteam.run(cfg, replications=8, seed=2, processes=2)
    pd.testing.assert_frame_equal(one.summary, chunked.summary, check_exact=True)
    pd.testing.assert_frame_equal(one.summary, multi.summary, check_exact=True)
    # the workers record into one shared array that the results use without a copy: plain, writable
    # arrays that pickle, equal to one batch's
    import pickle
    for k in one.series:
        np.testing.assert_array_equal(one.series[k], multi.series[k])
        assert type(multi.series[k]) is np.ndarray and multi.series[k].flags.writeable
    again = pickle.loads(pickle.dumps(multi))
    np.testing.assert_array_equal(again.series["revenue"], one.series["revenue"])


def test_shared_series_outlive_their_file():
    """The arrays a multi-process run returns stay valid after the shared file is removed."""
    import os

    from simteam.sim import _SharedSeries

    with _SharedSeries(3, 4, ["a", "b"]) as shared:
        mm = np.memmap(shared.path, dtype=np.float64, mode="r+", shape=shared.shape)
        mm[1, 2, :] = [1.0, 2.0, 3.0, 4.0]
        mm.flush()
        del mm
        out = shared.read()
    assert not os.path.exists(shared.path)
    np.testing.assert_array_equal(out["b"][2], [1.0, 2.0, 3.0, 4.0])
    assert out["a"].shape == (3, 4) and not out["a"].any()
    out["a"][0, 0] = 7.0  # writable, still mapped
    assert out["a"][0, 0] == 7.0


class _SetSeat(Policy):
    """Give seat 3 a different skill potential at the start (one rep's parameter)."""

    phase = "start"

    def __init__(self, value):
        self.value = value

    def apply(self, e, week):
        if week == 0:
            e.s.potential[:, 3] = self.value
            e.s.skill[:, 3] = self.value


def test_crn_changing_one_rep_leaves_market_and_other_reps_draws_unchanged():
    # With the interaction channels closed (no contagion, peer learning, toxicity, vacancies shifting
    # leads; even allocation), every other rep's whole trajectory must be unchanged: proof that their
    # draws (wins, deal values, mood, estimates) are unchanged.
    sw = only("market_noise", "seasonality", "trend", "selling", "morale_drivers", "mood_noise", "trust_dynamics",
              "stress", "effort", "skill_growth", "recognition", "ramp", "allocation_noise")
    cfg = make(mechanisms=sw, weeks=52, selling={"strength_allocation": 0.0, "capacity": 50.0},
               leadership={"coaching": 0.0})  # coaching time is shared: another channel
    a = Engine(cfg, seeds=np.arange(4), record_panel=True, policies=[_SetSeat(0.1)]).run()
    b = Engine(cfg, seeds=np.arange(4), record_panel=True, policies=[_SetSeat(0.95)]).run()
    np.testing.assert_array_equal(a.series["demand"], b.series["demand"])
    others = np.arange(a.N) != 3
    for k in ("morale", "revenue", "active", "trust"):
        np.testing.assert_array_equal(a.panel[k][:, :, others], b.panel[k][:, :, others], err_msg=k)
    assert not np.array_equal(a.panel["revenue"][:, :, 3], b.panel["revenue"][:, :, 3])
    # with everything on, the market path is still shared exactly
    full = simteam.configure(weeks=52)
    a = Engine(full, seeds=np.arange(4), policies=[_SetSeat(0.1)]).run()
    b = Engine(full, seeds=np.arange(4), policies=[_SetSeat(0.95)]).run()
    np.testing.assert_array_equal(a.series["demand"], b.series["demand"])


def test_degroot_consensus_on_a_non_regular_graph():
    cfg = make(mechanisms=only("contagion"), weeks=600, replications=3,
               team={"team_size": 17, "rewire_p": 0.4, "graph_seed": 3})
    e = Engine(cfg)
    deg = e.structure.degree
    assert deg.min() > 0 and len(set(deg)) > 1, "graph must be connected and non-regular"
    m0 = e.s.morale.copy()
    e.run()
    target = (m0 * deg / deg.sum()).sum(axis=1)
    assert np.abs(e.s.morale - target[:, None]).max() < 1e-6
    # and it is not simply the plain average
    assert np.abs(target - m0.mean(axis=1)).max() > 1e-4


_extreme = st.sampled_from([0.0, 1.0])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(insp=_extreme, rec=_extreme, acc=_extreme, tol=_extreme, data=_extreme, speed=_extreme,
       strategy=st.sampled_from(["none", "hold_steady", "cut_and_push", "pivot", "wait_and_see"]),
       contagion=st.sampled_from([0.0, 1.0]), quit_base=st.sampled_from([0.0, 0.2, 1.0]),
       spread=st.sampled_from([0.0, 5.0]), noise=st.sampled_from([0.0, 2.0]), lag=st.sampled_from([0, 1, 40]),
       capacity=st.sampled_from([0.0, 0.5, 1000.0]))
def test_invariants_under_extreme_parameters(insp, rec, acc, tol, data, speed, strategy, contagion, quit_base,
                                             spread, noise, lag, capacity):
    cfg = _everything_on(
        leadership__inspiration=insp, leadership__recognition=rec, leadership__accountability=acc,
        leadership__toxic_tolerance=tol, leadership__data_orientation=data, leadership__decision_speed=speed,
        crisis__strategy=strategy, people__contagion=contagion, people__quit_base=quit_base,
        culture__spread_rate=spread, market__noise_sd=noise, people__hire_lag_weeks=lag,
        selling__capacity=capacity, weeks=40)
    e = Engine(cfg, seeds=np.arange(3)).run()
    s = e.s
    for name in ("morale", "trust", "stress", "effort", "skill", "cohesion", "ramp"):
        x = getattr(s, name)
        assert np.isfinite(x).all() and (x >= 0).all() and (x <= 1).all(), name
    assert (s.pipeline >= 0).all() and np.isfinite(s.pipeline).all()
    assert (s.resistance >= 0).all()
    for k, v in e.series.items():
        if k != "adoption":
            assert np.isfinite(v).all(), k
    assert (e.series["revenue"] >= 0).all() and (e.series["headcount"] <= e.N).all()
    assert (e.series["headcount"] >= 0).all()
    summary = simteam.results.summarise(e)
    assert ((summary["quota_share"].dropna() >= 0) & (summary["quota_share"].dropna() <= 1)).all()


def test_mesa_face_agrees_with_the_batched_engine():
    cfg = _everything_on(weeks=40)
    batch = simteam.run(cfg, replications=3, seed=20)
    m = SalesTeamModel(cfg, seed="22")  # the seed box sends text
    for _ in range(40):
        m.step()
    assert not m.running
    df = m.datacollector.get_model_vars_dataframe()
    np.testing.assert_array_equal(df["revenue"].to_numpy(), batch.series["revenue"][:, 2])
    np.testing.assert_array_equal(df["morale"].to_numpy(), batch.series["morale"][:, 2])
    # agents are views: their attributes are the engine's row, and setting one writes it
    active = np.flatnonzero(m.engine.s.active[0])
    assert sorted(m.reps) == active.tolist()
    rep = m.reps[int(active[0])]
    assert rep.morale == m.engine.s.morale[0, rep.seat]
    rep.morale = 0.123
    assert m.engine.s.morale[0, rep.seat] == 0.123
    assert {type(a).__name__ for a in m.agents} == {"Rep", "Leader"}


def test_seed_coercion():
    assert coerce_seed("42") == 42 and coerce_seed("") == 0 and coerce_seed(7.0) == 7 and coerce_seed(None) == 0
    with pytest.raises(ValueError, match="seed: expected a whole number"):
        coerce_seed("abc")


def test_calibration_bands_for_the_default_team():
    res = simteam.run(simteam.configure(market="stable"), replications=300, seed=1)
    s = res.summary
    assert 0.25 <= s["turnover_annual"].mean() <= 0.40
    assert 0.45 <= s["quota_share"].mean() <= 0.65
    assert 0.35 <= s["top20_revenue_share"].mean() <= 0.60
    # new hires reach 90% productivity (ramp) between 3 and 6 months
    ramp_weeks = simteam.SimConfig().people.ramp_weeks
    t90 = -ramp_weeks * np.log(0.1)
    assert 13 <= t90 <= 26


def test_results_tables_and_paired_comparison():
    a = simteam.run(simteam.configure(weeks=30), replications=10, seed=3, panel=True)
    b = simteam.run(simteam.configure(style="coaching", weeks=30), replications=10, seed=3)
    ts = a.timeseries
    assert len(ts) == 30 * 10 and {"replication", "seed", "week", "revenue", "morale"} <= set(ts.columns)
    assert len(a.panel) == 30 * 10 * 12  # weeks x replications x seats
    red = a.reduce()
    assert (red["revenue_q10"] <= red["revenue_q50"]).all() and (red["revenue_q50"] <= red["revenue_q90"]).all()
    p = a.paired(b)
    rev = p.set_index("metric").loc["revenue"]
    assert rev["lo"] <= rev["mean"] <= rev["hi"] and rev["n"] == 10
    with pytest.raises(ValueError, match="share no seeds"):
        a.paired(simteam.run(simteam.configure(weeks=30), replications=2, seed=100))


def test_rows_do_not_depend_on_other_rows_parameters():
    # a sweep row must equal the same point run alone, whatever else is in the batch
    cfg = simteam.configure(weeks=30)
    pts = {"selling.capacity": [2.4, 6.0], "selling.value_sd": [0.0, 0.6], "leadership.data_orientation": [1.0, 0.3]}
    both = simteam.run_points(cfg, pts, replications=2, seed=0)
    assert np.isfinite(both.summary["revenue"]).all()
    alone = simteam.run_points(cfg, {k: v[:1] for k, v in pts.items()}, replications=2, seed=0)
    np.testing.assert_array_equal(both.series["revenue"][:, :2], alone.series["revenue"])


@pytest.mark.parametrize("team_of", [np.repeat(np.arange(4), 5), np.array([2, 0, 1, 0, 2, 2, 1, 0, 3]),
                                     np.array([1, 1, 0, 0])])
def test_team_members_are_the_membership_matrix_in_seat_order(team_of):
    """The kernels' team lists (members_ptr, members) are the CSR of the team x seat membership matrix: each team's
    seats in seat order; the team sums use that matrix, made only when first needed."""
    import scipy.sparse as sp

    from simteam.network import TeamStructure

    n, T = team_of.size, int(team_of.max()) + 2  # one empty team at the end
    st = TeamStructure(team_of, T, sp.csr_matrix((n, n)), complete=True)
    ref = sp.csr_matrix((np.ones(n), (np.arange(n), team_of)), shape=(n, T)).T.tocsr()
    np.testing.assert_array_equal(st.members_ptr, ref.indptr)
    np.testing.assert_array_equal(st.members, ref.indices)
    assert st.members.dtype == ref.indices.dtype and st.members_ptr.dtype == ref.indptr.dtype
    assert "_mem_t" not in vars(st) and "degree" not in vars(st)
    x = np.arange(2 * n, dtype=float).reshape(2, n)
    np.testing.assert_array_equal(st.team_sum(x), np.asarray((ref @ x.T).T))
    np.testing.assert_array_equal(st.degree, st.team_sizes[team_of] - 1)

"""README's promise, tested: replication r on seed + r gives the same numbers, bit for bit, whatever the
batch size, the chunk size (``chunk_rows``) or the number of worker processes."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simteam

WEEKS = 40


def _cfg():
    # a shock (drawdown/recovery), random shocks, toxic reps and a probabilistic event: every summary column busy
    return simteam.configure(weeks=WEEKS, market="sudden_stop", team__team_size=5, team__n_teams=2,
                             team__initial_toxic=1, market__random_shock_rate=2.0,
                             events=[{"kind": "crisis", "week": 30, "value": 0.3, "probability": 0.5}])


_SINGLE: dict[int, pd.DataFrame] = {}


def _single(seed: int) -> pd.DataFrame:
    if seed not in _SINGLE:
        _SINGLE[seed] = simteam.run(_cfg(), replications=1, seed=seed).summary
    return _SINGLE[seed]


def _assert_rows_equal(res, seed0: int):
    for r in range(res.n):
        one = _single(seed0 + r)
        row = res.summary.iloc[[r]].reset_index(drop=True)
        row["replication"] = 0
        pd.testing.assert_frame_equal(row, one, check_exact=True, rtol=0, atol=0, obj=f"row {r}")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reps=st.integers(1, 7), chunk=st.one_of(st.none(), st.integers(1, 7)), seed=st.integers(0, 3))
def test_batch_equals_single_runs_any_chunk(reps, chunk, seed):
    res = simteam.run(_cfg(), replications=reps, seed=seed, chunk_rows=chunk)
    _assert_rows_equal(res, seed)


def test_summary_totals_do_not_depend_on_batch_shape():
    """The reductions over weeks of results.summarise give the same value for a column alone or in a batch."""
    from simteam.results import _total_over_weeks, _mean_over_weeks

    rng = np.random.default_rng(0)
    x = rng.normal(size=(517, 9)) * 1e3
    x[3, 2] = np.nan
    for f in (_total_over_weeks, _mean_over_weeks):
        both = f(x)
        for b in range(x.shape[1]):
            one = f(np.ascontiguousarray(x[:, [b]]))
            assert one[0] == both[b] or (np.isnan(one[0]) and np.isnan(both[b]))


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reps=st.integers(2, 6), processes=st.integers(2, 3), chunk=st.one_of(st.none(), st.integers(1, 3)))
def test_batch_equals_single_runs_any_processes(reps, processes, chunk):
    res = simteam.run(_cfg(), replications=reps, seed=1, processes=processes, chunk_rows=chunk)
    _assert_rows_equal(res, 1)
    ser = simteam.run(_cfg(), replications=reps, seed=1).series
    for k, v in ser.items():
        assert np.array_equal(v, res.series[k], equal_nan=True), k


def test_sobol_intervals_repeat_for_the_same_seed():
    """The bootstrap confidence intervals are seeded from the study seed: the same study gives the same table."""
    from simteam.research.sensitivity import Parameter, sobol_analysis

    ps = [Parameter("a", 0.0, 1.0), Parameter("b", 0.0, 1.0)]

    def f(X):
        return X[:, 0] + 0.3 * X[:, 1] ** 2 + 0.1 * X[:, 0] * X[:, 1]

    t1 = sobol_analysis(ps, f, n=64, seed=3, resamples=50)[0]
    t2 = sobol_analysis(ps, f, n=64, seed=3, resamples=50)[0]
    pd.testing.assert_frame_equal(t1, t2, check_exact=True)
    t3 = sobol_analysis(ps, f, n=64, seed=4, resamples=50)[0]
    assert not t1[["S1_conf", "ST_conf"]].equals(t3[["S1_conf", "ST_conf"]])


@pytest.mark.parametrize("kind", ["regroup", "rollout"])
def test_structural_events_with_probability_are_rejected(kind):
    """The team structure and the initiatives are shared by every batch row, so a regroup or rollout that happens
    in some rows only cannot be simulated per row: it is rejected with one line naming the field."""
    with pytest.raises(simteam.ConfigError, match=r"^events\[0\]\.probability: .*allowed: 1\.0"):
        simteam.configure(weeks=20, change={"initiatives": [{"name": "crm", "start_week": -1}]},
                          events=[{"kind": kind, "week": 5, "name": "crm", "probability": 0.5}])


def test_fire_refuses_a_structural_event_in_some_rows():
    from simteam.engine import Engine
    from simteam.events import fire

    e = Engine(simteam.configure(weeks=10, team__team_size=4), seeds=np.arange(3))
    with pytest.raises(simteam.ConfigError, match="regroup"):
        fire(e, "regroup", rows=np.array([True, False, True]))

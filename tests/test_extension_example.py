"""The extension point, through its worked example (examples/burnout.py): a mechanism written outside the
package runs batched, keeps common random numbers, reports its own series and summary columns, and acts
in the direction its equations say."""

from __future__ import annotations

import doctest
import sys
from pathlib import Path

import numpy as np
import pytest

import simteam

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import examples.burnout as burnout  # noqa: E402
from examples.burnout import Burnout  # noqa: E402

CFG = simteam.configure(market="recession", weeks=60)


def test_the_docstring_example_runs():
    assert doctest.testmod(burnout).failed == 0


def test_switched_off_it_changes_nothing_bit_for_bit():
    # no exhaustion can build and nobody leaves: effort * (1 - l * 0) is the same number, and the
    # mechanism's own stream shifts no other draw
    plain = simteam.run(CFG, replications=4, seed=3)
    off = simteam.run(CFG, replications=4, seed=3, mechanisms=[Burnout(build_rate=0.0, exit_hazard=0.0)])
    for k in plain.series:
        np.testing.assert_array_equal(plain.series[k], off.series[k], err_msg=k)
    assert (off.series["burnout_mean"] == 0).all()


def test_it_runs_batched_and_a_batch_equals_its_single_runs():
    mech = [Burnout(build_rate=0.3, exit_hazard=0.05)]
    batch = simteam.run(CFG, replications=3, seed=11, mechanisms=mech)
    for r in range(3):
        one = simteam.run(CFG, replications=1, seed=11 + r, mechanisms=mech)
        for k in ("revenue", "headcount", "burnout_mean", "burnout_exits"):
            np.testing.assert_array_equal(batch.series[k][:, r], one.series[k][:, 0], err_msg=k)
        for c in ("revenue", "burnout_exits", "burnout_mean_final", "turnover_annual"):
            assert batch.summary[c].iloc[r] == one.summary[c].iloc[0], c
    assert "burnout_mean" in set(batch.timeseries.columns)


def test_common_random_numbers_hold_the_market_is_shared():
    plain = simteam.run(CFG, replications=4, seed=5)
    burn = simteam.run(CFG, replications=4, seed=5, mechanisms=[Burnout(build_rate=0.5)])
    np.testing.assert_array_equal(plain.series["demand"], burn.series["demand"])


def test_more_exhaustion_means_less_revenue_and_more_quits_on_paired_seeds():
    plain = simteam.run(CFG, replications=40, seed=7)
    mild = simteam.run(CFG, replications=40, seed=7, mechanisms=[Burnout(build_rate=0.1)])
    harsh = simteam.run(CFG, replications=40, seed=7, mechanisms=[Burnout(build_rate=0.6, exit_hazard=0.1)])
    assert harsh.summary.burnout_mean_final.mean() > mild.summary.burnout_mean_final.mean()
    assert harsh.summary.revenue.mean() < mild.summary.revenue.mean() < plain.summary.revenue.mean()
    d = plain.paired(harsh).set_index("metric")  # harsh - plain, per seed
    assert d.loc["revenue", "hi"] < 0 and d.loc["turnover_annual", "lo"] > 0
    assert (harsh.summary.quits >= plain.summary.quits).mean() > 0.8


def test_bad_parameters_name_the_field():
    with pytest.raises(simteam.ConfigError, match=r"^burnout\.build_rate: .*out of range"):
        Burnout(build_rate=3.0)
    with pytest.raises(simteam.ConfigError, match=r"burnout\.treshold.*did you mean.*threshold"):
        Burnout(treshold=0.4)


def test_a_series_name_that_is_taken_is_refused():
    clash = type("Clash", (Burnout,), {"name": "clash", "series": {"revenue": "again"}})
    with pytest.raises(simteam.ConfigError, match="'revenue', which is taken"):
        simteam.run(CFG, replications=1, seed=0, mechanisms=[clash()])


@pytest.mark.slow
def test_worker_processes_give_the_same_numbers():
    mech = [Burnout(build_rate=0.3)]
    one = simteam.run(CFG, replications=4, seed=2, mechanisms=mech)
    two = simteam.run(CFG, replications=4, seed=2, mechanisms=mech, processes=2, chunk_rows=2)
    for k in ("revenue", "burnout_mean"):
        np.testing.assert_array_equal(one.series[k], two.series[k])
    assert one.summary.burnout_exits.tolist() == two.summary.burnout_exits.tolist()

"""Sensitivity analysis: SALib Morris and Sobol through the same code path as the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simteam
from simteam.config import ConfigError
from simteam.research.sensitivity import (
    ISHIGAMI_INDICES,
    Parameter,
    SimEvaluator,
    ishigami,
    morris_analysis,
    parse_outcomes,
    parse_parameters,
    replication_noise,
    run_study,
    run_task,
)

ISHI = {"x1": [-np.pi, np.pi], "x2": [-np.pi, np.pi], "x3": [-np.pi, np.pi]}


def test_ishigami_sobol_indices_through_run_study():
    tables = run_study(None, {"method": "sobol", "parameters": ISHI, "outcome": "y", "sobol": {"n": 1024},
                              "seed": 3, "resamples": 200}, evaluate=ishigami)
    t = tables["sobol"].set_index("parameter")
    assert list(t.index) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(t.S1, ISHIGAMI_INDICES["S1"], atol=0.05)
    np.testing.assert_allclose(t.ST, ISHIGAMI_INDICES["ST"], atol=0.05)
    # the confidence intervals are real, positive half-widths
    assert (t.S1_conf > 0).all() and (t.ST_conf < 0.2).all()
    assert len(tables["sobol_samples"]) == 1024 * 5


@pytest.mark.parametrize("seed", [0, 5])
def test_sobol_and_morris_intervals_are_reproducible_for_every_seed(seed):
    """The bootstrap intervals are the same on every run with the same seed, seed 0 (the default) included:
    SALib's Sobol analysis reads seed 0 as no seed."""
    spec = {"parameters": ISHI, "outcome": "y", "sobol": {"n": 64}, "morris": {"trajectories": 6}, "seed": seed,
            "resamples": 50}
    for method in ("sobol", "morris"):
        a = run_study(None, {**spec, "method": method}, evaluate=ishigami)[method]
        b = run_study(None, {**spec, "method": method}, evaluate=ishigami)[method]
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_morris_exact_on_a_linear_function():
    params = [Parameter("a", 0.0, 1.0), Parameter("b", 0.0, 2.0), Parameter("c", 0.0, 1.0)]
    table, X, Y = morris_analysis(params, lambda X: 3 * X[:, 0] + X[:, 1], trajectories=10, seed=1)
    t = table.set_index("parameter")
    # elementary effects are per unit of the normalised range: 3 * 1, 1 * 2, 0
    np.testing.assert_allclose(t.mu_star, [3.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(t.sigma, 0.0, atol=1e-9)
    assert X.shape == (40, 3) and Y.shape == (40, 1)


def test_model_study_points_share_seeds_and_show_directions():
    cfg = simteam.configure(weeks=52, market="stable")
    params = parse_parameters({"people.quit_base": [0.002, 0.012], "leadership.max_decision_lag": [0, 52]})
    assert params[1].integer and not params[0].integer
    ev = SimEvaluator(cfg, params, ["turnover_annual", "revenue"], replications=3, seed=5)
    table, _X, _Y = morris_analysis(params, ev, ["turnover_annual", "revenue"], trajectories=3, seed=2)
    runs = ev.runs[-1]
    # every point ran on the same seeds 5, 6, 7 (common random numbers)
    assert set(runs.groupby("point").seed.apply(tuple)) == {(5, 6, 7)}
    # integer parameter values were rounded before the run
    assert np.all(runs["leadership.max_decision_lag"] == np.rint(runs["leadership.max_decision_lag"]))
    t = table[table.outcome == "turnover_annual"].set_index("parameter")
    assert t.loc["people.quit_base", "mu"] > 0.05  # a higher quit hazard raises turnover
    noise = replication_noise(runs, ["turnover_annual"])
    assert noise.loc[0, "replications"] == 3 and noise.loc[0, "se_crn"] <= noise.loc[0, "se_unpaired"] + 1e-12


@pytest.mark.parametrize("spec, match", [
    ({"leadership.coachng": [0, 1]}, "leadership.coachng: unknown parameter.*did you mean leadership.coaching"),
    ({"leadership.coaching": [0, 2]}, r"leadership.coaching: bounds \[0, 2\] are outside the documented range"),
    ({"people.quit_base": [0.01, 0.005]}, "people.quit_base: lower bound 0.01 must be below upper bound 0.005"),
    ({"people.quit_base": [0.01]}, "people.quit_base: expected bounds"),
    ({"team.team_size": [5, 20]}, "team.team_size: structural parameters"),
    ({"mechanisms.selling": [0, 1]}, "mechanisms.selling: unknown parameter"),
])
def test_bad_parameters_name_the_field(spec, match):
    with pytest.raises(ConfigError, match=match):
        parse_parameters(spec)


def test_nested_parameter_spec_and_outcomes():
    ps = parse_parameters({"leadership": {"coaching": [0.1, 0.9]}, "selling.quota": {"lo": 400, "hi": 800}})
    assert [(p.path, p.lo, p.hi) for p in ps] == [("leadership.coaching", 0.1, 0.9), ("selling.quota", 400, 800)]
    assert parse_outcomes(["revenue", "quota_share"]) == ["revenue", "quota_share"]
    with pytest.raises(ConfigError, match="sensitivity.outcome: 'revenu' is not a summary column"):
        parse_outcomes("revenu")


def test_bad_settings():
    with pytest.raises(ConfigError, match=r"^sensitivity\.methd: unknown key; did you mean sensitivity\.method\?"):
        run_study(None, {"methd": "sobol"})
    with pytest.raises(ConfigError, match="sensitivity.sobol.n: 100 must be a power of 2"):
        run_study(None, {"sobol": {"n": 100}})
    with pytest.raises(ConfigError, match="sensitivity.method: 'fast' is not allowed"):
        run_study(None, {"method": "fast"})
    with pytest.raises(ConfigError, match=r"^sensitivity\.morris\.trajectores: unknown key; did you mean "
                                          r"sensitivity\.morris\.trajectories\?"):
        run_study(None, {"morris": {"trajectores": 10}})
    with pytest.raises(ConfigError, match=r"^sensitivity\.replications: 0 is out of range"):
        run_study(None, {"replications": 0})


def test_run_task_writes_tables_and_plots(tmp_path):
    cfg = simteam.configure(weeks=26, market="stable", replications=2)
    app = {"task": "sensitivity", "sensitivity": {
        "method": "both", "outcome": "morale_final", "replications": 2, "resamples": 50,
        "parameters": {"leadership": {"inspiration": [0.0, 1.0], "accountability": [0.0, 1.0]}},
        "morris": {"trajectories": 3}, "sobol": {"n": 8}}}
    run_task(cfg, app, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"morris.csv", "sobol.csv", "noise.csv", "morris_samples.csv", "sobol_samples.csv",
            "morris_morale_final.png", "sobol_morale_final.png"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    m = pd.read_csv(tmp_path / "morris.csv").set_index("parameter")
    assert m.loc["leadership.inspiration", "mu"] > 0  # inspiration raises morale
    s = pd.read_csv(tmp_path / "sobol_samples.csv")
    assert len(s) == 8 * 4 and list(s.columns[:2]) == ["leadership.inspiration", "leadership.accountability"]


def test_outcome_missing_at_some_points_is_a_clear_error():
    cfg = simteam.configure(weeks=26, market="stable")
    with pytest.raises(ConfigError, match="sensitivity.outcome: 'recovery_weeks' is missing at some design points"):
        run_study(cfg, {"method": "morris", "outcome": "recovery_weeks", "replications": 1,
                        "parameters": {"leadership.coaching": [0, 1]}, "morris": {"trajectories": 2}})

"""Calibration by the simulated method of moments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simteam
from simteam.research.calibration import BANDS, Target, calibrate, load_targets, run_task
from simteam.config import ConfigError, replace_path
from simteam.research.sensitivity import Parameter

MOMENTS = ("turnover_annual", "quota_share", "top20_revenue_share")


def test_default_targets_are_the_band_midpoints():
    t = {x.moment: x for x in load_targets("bands")}
    assert {m: round(x.value, 4) for m, x in t.items()} == {"turnover_annual": 0.325, "quota_share": 0.55,
                                                           "top20_revenue_share": 0.475}
    assert t["quota_share"].se == pytest.approx((0.65 - 0.45) / 4)
    assert t["turnover_annual"].band == BANDS["turnover_annual"]


def test_user_targets_from_mapping_yaml_and_csv(tmp_path):
    t = load_targets({"turnover_annual": 0.3, "quota_share": {"value": 0.6, "se": 0.02},
                      "top20_revenue_share": [0.4, 0.5]})
    assert [(x.moment, x.value, x.se) for x in t] == [("turnover_annual", 0.3, 0.0), ("quota_share", 0.6, 0.02),
                                                      ("top20_revenue_share", 0.45, pytest.approx(0.025))]
    y = tmp_path / "t.yaml"
    y.write_text("turnover_annual: 0.28\nquota_share: {value: 0.5, se: 0.01}\n")
    assert [(x.moment, x.value, x.se) for x in load_targets(str(y))] == [("turnover_annual", 0.28, 0.0),
                                                                       ("quota_share", 0.5, 0.01)]
    long = tmp_path / "long.csv"
    long.write_text("moment,value,se\nturnover_annual,0.31,0.02\n")
    assert [(x.moment, x.value, x.se) for x in load_targets(str(long))] == [("turnover_annual", 0.31, 0.02)]
    # a CRM export: one row per team-year, columns named after outcomes -> mean and its standard error
    wide = tmp_path / "crm.csv"
    pd.DataFrame({"team": ["a", "b", "c", "d"], "turnover_annual": [0.2, 0.3, 0.4, 0.3],
                  "quota_share": [0.5, 0.6, 0.55, 0.55]}).to_csv(wide, index=False)
    w = {x.moment: x for x in load_targets(str(wide))}
    assert w["turnover_annual"].value == pytest.approx(0.3)
    assert w["turnover_annual"].se == pytest.approx(np.std([0.2, 0.3, 0.4, 0.3], ddof=1) / 2)


@pytest.mark.parametrize("spec, match", [
    ({"turnover": 0.3}, "calibration.targets.turnover: 'turnover' is not a summary column"),
    ({"quota_share": [0.6, 0.5]}, "calibration.targets.quota_share: band low 0.6 must be below high 0.5"),
    ({"quota_share": "high"}, "calibration.targets.quota_share: expected a finite number"),
    ("no/such/file.yaml", "calibration.targets: file 'no/such/file.yaml' not found"),
])
def test_bad_targets(spec, match):
    with pytest.raises(ConfigError, match=match):
        load_targets(spec)


def test_bad_csv_cell_names_row_and_column(tmp_path):
    p = tmp_path / "crm.csv"
    p.write_text("turnover_annual,quota_share\n0.3,0.5\n0.2,lots\n")
    with pytest.raises(ConfigError, match="row 3 column quota_share: expected a number, got 'lots'"):
        load_targets(str(p))


def test_more_parameters_than_moments_is_refused():
    ps = [Parameter("people.quit_base", 0.001, 0.01), Parameter("selling.quota", 300, 900)]
    with pytest.raises(ConfigError, match="2 parameters cannot be identified from 1 target moments"):
        calibrate(simteam.SimConfig(), ps, [Target("turnover_annual", 0.3)])


def _data(cfg, truth, replications, seed, exact=False):
    c = cfg
    for k, v in truth.items():
        c = replace_path(c, k, v)
    data = simteam.run(c, replications=replications, seed=seed).summary
    return [Target(m, float(data[m].mean()), 0.0 if exact else float(data[m].std(ddof=1) / np.sqrt(len(data))))
            for m in MOMENTS]


TRUTH = {"people.quit_base": 0.0055, "selling.quota": 820.0}
BOX = [Parameter("people.quit_base", 0.001, 0.015), Parameter("selling.quota", 300.0, 1200.0)]


@pytest.mark.slow  # over 2 s: CI runs it; the fast suite stays under 2 minutes
def test_recovers_known_parameters_on_common_seeds():
    """Data simulated on the fit's own seeds: the objective is exactly 0 at the truth."""
    cfg = simteam.configure(weeks=52, market="stable")
    targets = _data(cfg, TRUTH, replications=16, seed=0, exact=True)
    r = calibrate(cfg, BOX, targets, replications=16, seed=0, maxiter=10, popsize=5, polish=False, profile_points=0)
    est = r.estimate
    assert est["people.quit_base"] == pytest.approx(TRUTH["people.quit_base"], rel=0.1)
    assert est["selling.quota"] == pytest.approx(TRUTH["selling.quota"], rel=0.05)
    assert r.moments.difference.abs().max() < 0.03
    # every evaluation is recorded; re-simulating the best point on the same seeds gives the same objective (CRN)
    assert list(r.history.columns[:3]) == ["evaluation", "people.quit_base", "selling.quota"]
    assert len(r.history) >= 40
    assert r.objective == pytest.approx(r.history.objective.min(), rel=1e-12)


@pytest.mark.slow
def test_recovers_known_parameters_from_independent_data():
    """Data from other seeds (300 team-years): the fit lands within its own interval and 20% / 10%."""
    cfg = simteam.configure(weeks=52, market="stable")
    targets = _data(cfg, TRUTH, replications=300, seed=50_000)
    r = calibrate(cfg, BOX, targets, replications=48, seed=0, maxiter=8, popsize=5, polish=False, profile_points=0)
    est = r.estimate
    assert est["people.quit_base"] == pytest.approx(TRUTH["people.quit_base"], rel=0.2)
    assert est["selling.quota"] == pytest.approx(TRUTH["selling.quota"], rel=0.1)
    p = r.params.set_index("parameter")
    assert (p.se > 0).all()
    assert np.all(np.abs(p.estimate - pd.Series(TRUTH)) <= 3 * p.se)
    assert r.j_df == 1 and 0 <= r.j_pvalue <= 1


def test_run_task_writes_report(tmp_path):
    cfg = simteam.configure(weeks=52, market="stable")
    app = {"calibration": {"parameters": {"people": {"quit_base": [0.002, 0.01]}},
                           "targets": {"turnover_annual": 0.3}, "replications": 8, "maxiter": 2, "popsize": 3,
                           "polish": False, "profile_points": 3, "weighting": "diagonal"}}
    run_task(cfg, app, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"calibration_params.csv", "calibration_moments.csv", "calibration_history.csv",
            "calibration_profile.csv", "fitted_overrides.yaml", "calibration.txt", "calibration_check.png"} <= names
    prm = pd.read_csv(tmp_path / "calibration_params.csv")
    assert prm.parameter.tolist() == ["people.quit_base"] and 0.002 <= prm.estimate[0] <= 0.01
    with pytest.raises(ConfigError, match="calibration.weighting: 'optimal' is not allowed; choose one of efficient, simulated, diagonal, identity"):
        run_task(cfg, {"calibration": {"parameters": {"people": {"quit_base": [0.002, 0.01]}},
                                       "targets": {"turnover_annual": 0.3}, "weighting": "optimal"}}, tmp_path)
    with pytest.raises(ConfigError, match="calibration.parameters.people.quit_base: bounds"):
        run_task(cfg, {"calibration": {"parameters": {"people": {"quit_base": [0.0, 2.0]}}}}, tmp_path)
    with pytest.raises(ConfigError, match=r"^calibration\.popsise: unknown key; did you mean calibration\.popsize\?"):
        run_task(cfg, {"calibration": {"popsise": 4}}, tmp_path)

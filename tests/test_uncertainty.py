"""Parameter uncertainty (simteam.uncertainty): reproducible draws, paired strategies, the zero-width limit,
the luck vs assumption decomposition, and one-line errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import simteam
from simteam.config import ConfigError
from simteam.uncertainty import compare, decompose, load_uncertainty

OUTCOMES = ["revenue", "turnover_annual", "quota_share", "morale_final", "trust_final", "quits", "hires"]


def small(style="balanced", **kw):
    return simteam.configure(style=style, market="stable", weeks=39, team__team_size=6, **kw)


TABLE = {"draws": 3, "ranges": {
    "people.quit_morale": {"dist": "uniform", "low": 0.5, "high": 1.5, "relative": True},
    "leadership.inspiration_morale": {"dist": "triangular", "low": 0.05, "mode": 0.1, "high": 0.2},
    "selling.morale_logit": {"dist": "normal", "mean": 0.8, "sd": 0.2, "low": 0.2, "high": 1.6},
    "people.ramp_weeks": {"dist": "loguniform", "low": 6.0, "high": 11.0, "source": "Bridge Group; Xactly"},
}}


def test_packaged_table_loads_and_names_sources():
    u = load_uncertainty("evidence")
    assert u.draws >= 2 and len(u.ranges) >= 10
    assert all(r.source for r in u.ranges)
    t = u.table()
    assert list(t.columns) == ["parameter", "dist", "range", "relative", "source"]


def test_same_seed_same_results_in_any_chunking():
    cfg = small()
    a = simteam.run(cfg, replications=4, seed=11, uncertainty=TABLE)
    b = simteam.run(cfg, replications=4, seed=11, uncertainty=TABLE, chunk_rows=5)
    c = simteam.run(cfg, replications=4, seed=11, uncertainty=TABLE, chunk_rows=1)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)
    pd.testing.assert_frame_equal(a.summary, c.summary, check_exact=True)
    assert list(a.summary["draw"]) == [k for k in range(3) for _ in range(4)]
    assert list(a.summary["seed"]) == [11, 12, 13, 14] * 3


@pytest.mark.slow  # worker processes start numba again (~15 s)
def test_same_results_over_two_processes():
    cfg = small()
    a = simteam.run(cfg, replications=4, seed=11, uncertainty="evidence", draws=3)
    b = simteam.run(cfg, replications=4, seed=11, uncertainty="evidence", draws=3, processes=2, chunk_rows=5)
    pd.testing.assert_frame_equal(a.summary, b.summary, check_exact=True)
    for k in a.series:
        np.testing.assert_array_equal(a.series[k], b.series[k])


def test_draw_k_depends_only_on_seed_k_and_name():
    cfg = small()
    u = load_uncertainty(TABLE)
    v3 = u.values(cfg, seed=5, draws=3)
    v7 = u.values(cfg, seed=5, draws=7)
    one = load_uncertainty({"people.quit_morale": TABLE["ranges"]["people.quit_morale"]}).values(cfg, 5, 7)
    shifted = u.values(cfg, seed=6, draws=2)
    for k in v3:
        np.testing.assert_array_equal(v3[k], v7[k][:3])
        np.testing.assert_array_equal(v7[k][1:3], shifted[k])  # draw k of seed s = draw k-1 of seed s+1
    np.testing.assert_array_equal(one["people.quit_morale"], v7["people.quit_morale"])
    assert len(set(v7["people.quit_morale"])) == 7
    # each draw inside its range
    assert np.all((v7["people.quit_morale"] >= 1.5) & (v7["people.quit_morale"] <= 4.5))
    assert np.all((v7["selling.morale_logit"] >= 0.2) & (v7["selling.morale_logit"] <= 1.6))
    # and the runs use them: draws 0-2 of a 5-draw run are the rows of the 3-draw run
    a = simteam.run(cfg, replications=2, seed=5, uncertainty=TABLE)
    b = simteam.run(cfg, replications=2, seed=5, uncertainty=TABLE, draws=5)
    pd.testing.assert_frame_equal(a.summary, b.summary.iloc[:6], check_exact=True)


def test_strategies_share_the_parameter_draws_and_the_futures():
    a = simteam.run(small("coaching"), replications=4, seed=3, uncertainty=TABLE)
    b = simteam.run(small("command_and_control"), replications=4, seed=3, uncertainty=TABLE)
    for k in TABLE["ranges"]:
        np.testing.assert_array_equal(a.summary[k], b.summary[k])
    np.testing.assert_array_equal(a.seeds, b.seeds)
    c = compare(a, b, columns=("turnover_annual", "morale_final"))
    assert set(c.attrs["shared_draws"]) == set(TABLE["ranges"])
    d = (b.summary.turnover_annual - a.summary.turnover_annual).to_numpy()
    assert c.loc[0, "mean"] == pytest.approx(d.mean())
    assert c.loc[0, "K"] == 3 and c.loc[0, "R"] == 4
    # Results.paired pairs on (seed, draw) too
    p = a.paired(b, columns=("turnover_annual",))
    assert p.loc[0, "n"] == 12 and p.loc[0, "mean"] == pytest.approx(d.mean())


def test_zero_width_ranges_give_the_plain_run_bit_for_bit():
    cfg = small("coaching")
    plain = simteam.run(cfg, replications=4, seed=2)
    # absolute ranges of zero width sit at the configuration's own values (read, so the test follows the defaults)
    insp, logit, ramp = (cfg.leadership.inspiration_morale, cfg.selling.morale_logit, cfg.people.ramp_weeks)
    zero = {"draws": 3, "ranges": {
        "people.quit_morale": {"low": 1.0, "high": 1.0, "relative": True},
        "leadership.inspiration_morale": {"dist": "triangular", "low": insp, "mode": insp, "high": insp},
        "selling.morale_logit": {"dist": "normal", "mean": logit, "sd": 0.0},
        "people.ramp_weeks": {"dist": "loguniform", "low": ramp, "high": ramp}}}
    res = simteam.run(cfg, replications=4, seed=2, uncertainty=zero)
    for k in range(3):
        got = res.summary[res.summary.draw == k][OUTCOMES].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, plain.summary[OUTCOMES], check_exact=True)
    split = res.uncertainty_summary(columns=("revenue", "turnover_annual"))
    # identical draws: the between-draw component is zero up to the rounding of the grand mean (~1e-33)
    assert (split["var_assumptions"] <= 1e-12 * split["var_luck"]).all()
    assert (split["share_assumptions"] <= 1e-12).all()


def test_between_draw_share_rises_with_the_width_of_the_range():
    cfg = simteam.configure(style="balanced", market="stable", weeks=52)

    def share(lo, hi):
        u = {"draws": 8, "ranges": {"people.quit_morale": {"low": lo, "high": hi, "relative": True},
                                    "people.quit_base": {"low": lo, "high": hi, "relative": True}}}
        r = simteam.run(cfg, replications=6, seed=1, uncertainty=u)
        return r.uncertainty_summary(columns=("turnover_annual",)).loc[0, "share_assumptions"]

    narrow, wide = share(0.95, 1.05), share(0.3, 2.5)
    assert wide > narrow + 0.2, (narrow, wide)


def test_decompose_recovers_known_components():
    rng = np.random.default_rng(0)
    K, R = 400, 50
    a = rng.normal(0, 2.0, K)[:, None]
    b = rng.normal(0, 1.0, R)[None, :]
    e = rng.normal(0, 1.0, (K, R))
    d = decompose(10 + a + b + e)
    assert d["var_assumptions"] == pytest.approx(4.0, rel=0.15)
    assert d["var_luck"] == pytest.approx(2.0, rel=0.1)
    assert d["share_assumptions"] == pytest.approx(4 / 6, abs=0.05)
    assert d["lo"] < 10 < d["hi"]
    # pure luck shared by every draw: no assumption variance at all; pure parameters: no luck
    assert decompose(np.tile(b, (5, 1)))["var_assumptions"] == 0.0
    only_a = decompose(np.tile(a[:5], (1, 4)))
    assert only_a["var_luck"] == 0.0 and only_a["share_assumptions"] == 1.0


@pytest.mark.parametrize("spec, msg", [
    ({"people.quit_moral": {"low": 1, "high": 2}}, "uncertainty.ranges.people.quit_moral: unknown parameter; did you mean"),
    ({"people.quit_morale": {"low": 3, "high": 2}}, "uncertainty.ranges.people.quit_morale.low: 3 is above high 2"),
    ({"people.quit_morale": {"dist": "gamma", "low": 1, "high": 2}}, "uncertainty.ranges.people.quit_morale.dist: 'gamma' is not a distribution"),
    ({"people.quit_morale": {"dist": "triangular", "low": 1, "high": 2}}, "uncertainty.ranges.people.quit_morale.mode: missing"),
    ({"people.quit_morale": {"dist": "triangular", "low": 1, "mode": 3, "high": 2}}, "mode: 3 is outside"),
    ({"people.quit_morale": {"dist": "normal", "mean": 1, "sd": -1}}, "sd: -1 is negative"),
    ({"people.quit_morale": {"dist": "loguniform", "low": 0, "high": 2}}, "low: 0 is not allowed for loguniform"),
    ({"people.quit_morale": {"low": 1, "hihg": 2}}, "uncertainty.ranges.people.quit_morale.hihg: unknown field; did you mean"),
    ({"people.quit_morale": {"low": "a", "high": 2}}, "people.quit_morale.low: expected a finite number"),
    ({"team.team_size": {"low": 1, "high": 2}}, "uncertainty.ranges.team.team_size: not an uncertain-able parameter"),
    ({"people.quit_morale": {"low": 1, "high": 30}}, "reaches 1-30, outside the parameter's allowed 0.0-20.0"),
    ({"people.quit_morale": [1, 2]}, "uncertainty.ranges.people.quit_morale: expected a mapping"),
    ({"ranges": {}}, "uncertainty.ranges: expected a mapping parameter -> range with at least one entry"),
    ({"ranges": {"people.quit_morale": {"low": 1, "high": 2}}, "draws": 0}, "uncertainty.draws: expected a whole number"),
    ("no_such_table", "uncertainty: 'no_such_table' is neither a packaged table"),
])
def test_bad_input_is_one_line_naming_the_field(spec, msg):
    with pytest.raises(ConfigError) as ex:
        simteam.run(small(), replications=2, seed=0, uncertainty=spec, draws=None)
    text = str(ex.value)
    assert msg in text and "\n" not in text


def test_nested_and_dotted_tables_are_the_same():
    nested = {"ranges": {"people": {"quit_morale": {"low": 0.5, "high": 1.5, "relative": True}},
                         "leadership": {"inspiration_morale": {"low": 0.05, "high": 0.2}}}}
    dotted = {"ranges": {"people.quit_morale": {"low": 0.5, "high": 1.5, "relative": True},
                         "leadership.inspiration_morale": {"low": 0.05, "high": 0.2}}}
    assert load_uncertainty(nested).ranges == load_uncertainty(dotted).ranges
    with pytest.raises(ConfigError, match="^uncertainty.ranges.people.quit_moral: unknown parameter; did you mean"):
        load_uncertainty({"ranges": {"people": {"quit_moral": {"low": 1, "high": 2}}}})


def test_draws_without_uncertainty_is_refused():
    with pytest.raises(ConfigError, match="^draws: the number of parameter draws needs uncertainty="):
        simteam.run(small(), replications=2, draws=4)


def test_cli_uncertainty_group(tmp_path, capsys):
    from simteam.cli.app import main

    out = tmp_path / "run"
    main(["uncertainty=evidence", "uncertainty.draws=2", "replications=3", "weeks=20", "team=small", "market=stable",
          "output.figures=false", "output.timeseries=none", f"hydra.run.dir={out}"])
    split = pd.read_csv(out / "uncertainty.csv")
    assert list(split.metric) == ["revenue", "turnover_annual", "quota_share", "morale_final"]
    assert (split.K == 2).all() and split.R[0] == 3  # (quota_share needs a rep-year of 13+ weeks)
    summ = pd.read_csv(out / "summary.csv")
    assert len(summ) == 6 and "people.quit_morale" in summ
    text = capsys.readouterr().out
    assert "how sure: 2 parameter draws" in text and "table evidence" in text
    # one number of the packaged table from the command line; a mistake names the field, exit 2
    with pytest.raises(SystemExit) as ex:
        main(["uncertainty=evidence", "uncertainty.ranges.people.quit_morale.low=9", "replications=2", "weeks=20",
              "market=stable", f"hydra.run.dir={tmp_path / 'bad'}"])
    assert ex.value.code == 2
    assert "uncertainty.ranges.people.quit_morale.low: 9 is above high 1.5" in capsys.readouterr().err


def test_planner_draws_the_model_effect_sizes_not_stated_by_the_leader():
    from simteam.planning.assumptions import draw_values, list_assumptions
    from simteam.planning.scenario import load_scenario

    d = {"name": "t", "weeks": 26, "replications": 4, "team": {"size": 6},
         "timeline": [{"id": "crm", "action": "rollout", "week": 2}],
         "alternatives": {"with_crm": {}},
         "assumptions": {"quits": {"param": "people.quit_morale", "low": 2.0, "high": 4.0}},
         "model_uncertainty": "evidence"}
    sc = load_scenario(d)
    A = list_assumptions(sc)
    model = [a for a in A if a.get("model")]
    assert {a["key"] for a in model} == set(load_uncertainty("evidence").params) - {"people.quit_morale"}
    assert not any(a["key"] == "people.quit_base" and not a.get("model") for a in A)  # the evidence range replaces the fixed default
    vals = draw_values(A, np.arange(50, dtype=np.int64))
    for a in model:
        assert np.all((vals[a["key"]] >= a["low"] - 1e-12) & (vals[a["key"]] <= a["high"] + 1e-12))
    with pytest.raises(ConfigError, match="scenario.model_uncertainty: 'evidnce' is not a range table"):
        load_scenario({**d, "model_uncertainty": "evidnce"})


def test_sweep_comparison_pairs_on_seed_and_draw():
    from simteam.cli.compare import compare as sweep_compare

    rows = []
    for job, style in enumerate(("coaching", "command_and_control")):
        for draw in range(2):
            for seed in range(3):
                rows.append({"job": job, "leadership": style, "seed": seed, "replication": seed, "draw": draw,
                             "revenue": 100.0 * draw + seed + (5.0 if job else 0.0)})
    res = pd.DataFrame(rows)
    res = pd.concat([res[res.job == 0], res[res.job == 1].iloc[::-1]], ignore_index=True)  # rows in another order
    out = sweep_compare(res, "leadership=coaching", metrics=("revenue",), params=["leadership"])
    assert out.loc[0, "n"] == 6
    assert out.loc[0, "diff"] == pytest.approx(5.0) and out.loc[0, "hi"] - out.loc[0, "lo"] == pytest.approx(0.0)


@pytest.mark.slow  # over 2 s: CI runs it; the fast suite stays under 2 minutes
def test_decision_report_names_the_model_effect_sizes(tmp_path):
    from simteam.planning import plan

    d = {"name": "t", "weeks": 26, "replications": 6, "seed": 3, "team": {"size": 6},
         "timeline": [{"id": "crm", "action": "rollout", "week": 2}],
         "alternatives": {"with_crm": {}}, "sensitivity": False, "model_uncertainty": "evidence"}
    res = plan(d, tmp_path / "r")
    text = " ".join(res.summary_text)
    assert "the model's effect sizes (evidence table) drawn anew in each future" in text
    assert res.luck  # the luck-only run at the central values separates luck from the ranges
    listed = {a["key"] for a in res.assumptions if a.get("model")}
    assert "people.quit_morale" in listed
    plain = plan({**d, "model_uncertainty": "none"}, tmp_path / "p")
    assert "effect sizes" not in " ".join(plain.summary_text) and not plain.luck

"""Decision report: a small plan run, its files, numbers that match results.csv, CRN, CLI, Hydra, browser."""

from __future__ import annotations

import html
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simteam.config import ConfigError, SimConfig, from_dict
from simteam.planning import main, plan, run_alternatives, run_task
from simteam.planning.report import TABLE_COLUMNS, fmt_value
from simteam.results import paired_difference
from simteam.planning.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "simteam" / "conf" / "scenario" / "example_rollout.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def small_example() -> dict:
    """The shipped example, shortened: 52 weeks, 12 replications, two alternatives."""
    import yaml

    d = yaml.safe_load(EXAMPLE.read_text())
    d["weeks"] = 52
    d["replications"] = 12
    d["team"]["roster"] = str(ROOT / "examples" / "roster.csv")
    d["timeline"] = [a for a in d["timeline"] if a["week"] < 52]
    d["status_quo"]["keep"] = ["backfill"]
    d["events"][0]["window"] = [20, 40]
    d["events"][1]["window"] = [13, 45]
    del d["alternatives"]["phased_no_pods"]
    return d


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    res = plan(small_example(), out, sensitivity_replications=4)
    return res, out


def test_report_files_exist(report):
    _, out = report
    for name in ("report.html", "results.csv", "weekly.csv", "at_risk.csv", "sensitivity.csv", "scenario.yaml",
                 "fig_revenue.png", "fig_revenue_weekly.png", "fig_productivity_adoption.png",
                 "fig_morale_trust.png", "fig_difference.png", "fig_at_risk.png", "fig_sensitivity.png"):
        p = out / name
        assert p.is_file() and p.stat().st_size > 0, name
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # no temp files left behind
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp") or p.suffix == ".tmp"]


def test_report_numbers_match_results_csv(report):
    _, out = report
    table = pd.read_csv(out / "results.csv")
    page = (out / "report.html").read_text(encoding="utf-8")
    cells = re.findall(r"<td data-alt='([^']+)' data-metric='([^']+)' data-value='([^']+)'>([^<]*)</td>", page)
    assert len(cells) == len(table) * (len(TABLE_COLUMNS) + 1)
    kinds = {c: k for c, _, k in TABLE_COLUMNS}
    by = table.set_index("alternative")
    for alt, metric, value, text in cells:
        alt = html.unescape(alt)
        csv_value = float(by.loc[alt, metric])
        if math.isnan(csv_value):
            assert value == "nan" and html.unescape(text) == "-"
            continue
        assert float(value) == pytest.approx(csv_value, rel=1e-12, abs=1e-12)
        if metric != "rank":
            assert html.unescape(text) == fmt_value(csv_value, kinds[metric])
    # the rows are in rank order, and the best is named in the summary
    order = re.findall(r"data-metric='rank' data-value='(\d+)'", page)
    assert order == [str(i) for i in range(1, len(table) + 1)]
    assert f"Best: {table.iloc[0]['label']}" in page


def test_results_are_paired_differences_on_the_same_seeds(report):
    res, _ = report
    base = res.runs["status_quo"].results
    t = res.table.set_index("alternative")
    for name, run in res.runs.items():
        r = run.results
        np.testing.assert_array_equal(r.seeds, base.seeds)
        # common random numbers: every alternative sees the same market path
        np.testing.assert_array_equal(r.series["demand"], base.series["demand"])
        d = paired_difference(base.summary["revenue"].to_numpy(), r.summary["revenue"].to_numpy())
        if name != "status_quo":
            assert t.loc[name, "diff_revenue_mean"] == pytest.approx(d["mean"])
            assert t.loc[name, "diff_revenue_lo"] == pytest.approx(d["lo"])
            assert t.loc[name, "diff_revenue_hi"] == pytest.approx(d["hi"])
        rev = r.summary["revenue"].to_numpy()
        assert t.loc[name, "revenue_mean"] == pytest.approx(rev.mean())
        assert t.loc[name, "revenue_p10"] == pytest.approx(np.quantile(rev, 0.1))
        assert t.loc[name, "revenue_p90"] == pytest.approx(np.quantile(rev, 0.9))
        assert t.loc[name, "quits_mean"] == pytest.approx(r.summary["quits"].mean())
    # ranks follow expected revenue
    assert list(res.table["revenue_mean"]) == sorted(res.table["revenue_mean"], reverse=True)


def test_dip_and_adoption_reflect_the_tactics(report):
    res, _ = report
    t = res.table.set_index("alternative")
    assert t.loc["status_quo", "dip_depth"] == 0 and math.isnan(t.loc["status_quo", "adoption_final"])
    # a mandate with little training dips deeper than a trained, phased rollout
    assert t.loc["big_bang_mandate", "dip_depth"] > t.loc["phased_with_training", "dip_depth"] + 0.05
    assert 13 <= t.loc["big_bang_mandate", "adoption_50pct_week"] <= 14   # rollout week 13, mandate week 14
    bb = res.weekly[res.weekly["alternative"] == "big_bang_mandate"].set_index("week")
    assert bb.loc[14, "adoption_mean"] > 0.9
    w = res.weekly[res.weekly["alternative"] == "phased_with_training"].set_index("week")
    assert (w.loc[:12, "adoption_mean"] == 0).all() and w.loc[13, "adoption_mean"] > 0


def test_at_risk_table(report):
    res, out = report
    risk = pd.read_csv(out / "at_risk.csv")
    assert "R08" not in set(risk["rep_id"])                  # the open seat has nobody to lose
    assert len(risk) == 15
    cols = [c for c in risk if c.startswith("leave_") and c != "leave_max"]
    assert cols == [f"leave_{n}" for n in res.runs]
    v = risk[cols].to_numpy()
    assert ((v >= 0) & (v <= 1)).all()
    assert list(risk["leave_max"]) == sorted(risk["leave_max"], reverse=True)
    # per-seat departures agree with the engine's counts: each departure is a quit or another exit
    run = res.runs["status_quo"]
    s = run.results.summary
    assert (run.left.sum(axis=1) <= s["quits"] + s["exits_other"]).all()


def test_leave_probability_follows_the_quit_hazard():
    d = small_example()
    d.update(events=[], sensitivity=False, replications=10)
    sc = load_scenario(d)
    low = run_alternatives(sc, from_dict({"mechanisms": {"attrition": False, "toxic_action": False}}),
                           names=["status_quo"])
    assert not low["status_quo"].left.any()
    high = run_alternatives(sc, from_dict({"people": {"quit_base": 0.2}}), names=["status_quo"])
    run = high["status_quo"]
    seats = run.original.any(axis=0)                      # the open seat has no starting rep
    assert seats.sum() == 15
    assert run.left[:, seats].mean() > 0.9


def test_same_seed_same_report(tmp_path):
    d = small_example()
    d.update(replications=4, sensitivity=False)
    a = plan(d, tmp_path / "a", figures=False)
    b = plan(d, tmp_path / "b", figures=False)
    assert (tmp_path / "a" / "results.csv").read_text() == (tmp_path / "b" / "results.csv").read_text()
    assert a.summary_text == b.summary_text


@pytest.mark.slow  # over 2 s: CI runs it; the fast suite stays under 2 minutes
def test_cli_fallback(tmp_path, capsys):
    import yaml

    d = small_example()
    d.update(replications=4, sensitivity=False)
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(d))
    assert main([str(p), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "report:" in out and "revenue_mean" in out
    assert (tmp_path / "out" / "report.html").is_file()
    bad = dict(d, timeline=[dict(d["timeline"][0], week=99)])
    p.write_text(yaml.safe_dump(bad))
    assert main([str(p), "--out", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: scenario ") and "scenario.timeline[0].week: 99 is past the horizon" in err
    assert "Traceback" not in err
    assert not (tmp_path / "bad").exists()


@pytest.mark.slow  # a new interpreter; test_cli_fallback checks bad input in-process
def test_cli_subprocess_bad_input_has_no_traceback(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("alternatives: {a: {}}\nweeks: -5\n")
    r = subprocess.run([sys.executable, "-m", "simteam.planning", str(p), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True, cwd=ROOT, check=False)
    assert r.returncode == 2
    assert "scenario.weeks: -5 is out of range" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow  # over 2 s: CI runs it; the fast suite stays under 2 minutes
def test_run_task_dispatch(tmp_path, capsys):
    from omegaconf import OmegaConf

    d = small_example()
    d.update(replications=3, sensitivity=False)
    d["team"]["roster"] = "examples/roster.csv"   # relative: found in the project folder
    res = run_task(SimConfig(), {"scenario": OmegaConf.create(d), "task": "plan"}, tmp_path)
    assert (tmp_path / "report.html").is_file() and len(res.table) == 3
    assert "Ranked by expected revenue" in capsys.readouterr().out
    with pytest.raises(ConfigError, match="task=plan needs a scenario"):
        run_task(SimConfig(), {"task": "plan"}, tmp_path)


def test_plan_overlay_composes_with_hydra():
    from hydra import compose, initialize_config_dir

    from simteam import cli

    cli.register_configs()
    with initialize_config_dir(config_dir=str(ROOT / "simteam" / "conf"), version_base="1.3"):
        cfg = compose(config_name="config", overrides=["experiment=plan", "scenario=example_rollout",
                                                       "scenario.replications=20"])
    assert cfg.task == "plan"
    assert cfg.scenario.name == "CRM rollout and summer pods" and cfg.scenario.replications == 20
    sc = load_scenario(cfg.scenario, base_dir=str(ROOT / "simteam" / "conf" / "scenario"))
    assert sc.names[0] == "status_quo" and len(sc.names) == 4


@pytest.mark.slow
@pytest.mark.browser
def test_report_renders_in_headless_chromium(report, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    pw = pytest.importorskip("playwright.sync_api")
    res, out = report
    page_path = out / "report.html"
    outside = []
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith(("file:", "data:")) else None)
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            assert page.title().startswith("CRM rollout and summer pods")
            rows = page.locator("table#ranked tbody tr")
            assert rows.count() == len(res.table)
            assert rows.first.locator("td").nth(1).inner_text() == res.table.iloc[0]["label"]
            # every figure is embedded and decoded by the browser
            imgs = page.locator("img")
            assert imgs.count() == 7
            sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            assert all(c and w > 100 for c, w in sizes)
            summary = page.locator("div.summary li")
            assert summary.count() >= 5 and "How sure" in page.locator("div.summary").inner_text()
            # the ranked table fits the page width (no horizontal scrolling needed to read it)
            assert page.evaluate("document.querySelector('#ranked').scrollWidth <= "
                                 "document.querySelector('main').clientWidth")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert outside == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
    shutil.rmtree(tmp_path, ignore_errors=True)

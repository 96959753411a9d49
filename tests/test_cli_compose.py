"""Every config group option composes through Hydra's compose API and converts with from_dict."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir

from simteam.cli import app as cli
from simteam.config import ConfigError, SimConfig
from simteam.leadership import STRATEGIES, STYLES
from simteam.market import PRESETS

CONF = cli.CONF_DIR
GROUPS = sorted(p.name for p in CONF.iterdir() if p.is_dir() and p.name != "hydra")
OPTIONS = [(g, f.stem) for g in GROUPS for f in sorted((CONF / g).glob("*.yaml"))]


@pytest.fixture(scope="module")
def hydra_ctx():
    with initialize_config_dir(str(CONF), version_base="1.3"):
        yield


def _compose(*overrides, hydra=False):
    return compose(config_name="config", overrides=list(overrides), return_hydra_config=hydra)


def test_groups_present():
    for g in ("team", "leadership", "crisis", "market", "change", "experiment"):
        assert g in GROUPS
    assert {f.stem for f in (CONF / "leadership").glob("*.yaml")} == set(STYLES)
    assert {f.stem for f in (CONF / "crisis").glob("*.yaml")} == set(STRATEGIES)
    assert {f.stem for f in (CONF / "market").glob("*.yaml")} == {"stable", *PRESETS}
    assert {"none", "tool_rollout", "new_selling_approach", "regroup"} <= {f.stem for f in (CONF / "change").glob("*.yaml")}
    assert {"leadership_recession", "crisis_responses", "rollout_bigbang_vs_pilot", "toxic_star"} <= \
        {f.stem for f in (CONF / "experiment").glob("*.yaml")}


@pytest.mark.parametrize(("group", "option"), OPTIONS, ids=[f"{g}={o}" for g, o in OPTIONS])
def test_every_option_composes_and_converts(hydra_ctx, group, option):
    cfg = _compose(f"{group}={option}")
    sim, app = cli.split_config(cfg)
    assert isinstance(sim, SimConfig)
    assert "task" in app and "hydra" not in app
    assert not set(app) & set(cli.SIM_KEYS)
    if group == "leadership":  # the file resolves to the style's values in simteam.leadership.STYLES
        assert sim.leadership.style == option
        for k, v in STYLES[option].items():
            assert getattr(sim.leadership, k) == pytest.approx(v), k
    elif group == "market" and option != "stable":  # ... and to the shock preset in simteam.market.PRESETS
        (shock,) = sim.market.shocks
        for k, v in PRESETS[option].items():
            assert getattr(shock, k) == v, k
    elif group == "crisis":
        assert sim.crisis.strategy == option


def test_default_study(hydra_ctx):
    sim, app = cli.split_config(_compose())
    assert (sim.replications, sim.weeks, sim.seed) == (200, 104, 0)
    assert sim.team.n_teams * sim.team.team_size == 12
    assert sim.leadership.style == "balanced"
    assert len(sim.market.shocks) == 1 and sim.market.shocks[0].start_week == PRESETS["recession"]["start_week"]
    assert app["task"] == "run" and app["baseline"] is None
    assert app["output"]["timeseries"] == "parquet"


def test_stable_market_and_crisis_and_change(hydra_ctx):
    sim, _ = cli.split_config(_compose("market=stable", "crisis=cut_and_push", "change=tool_rollout"))
    assert sim.market.shocks == []
    assert sim.crisis.strategy == "cut_and_push"
    assert [i.name for i in sim.change.initiatives] == ["crm"]
    sim, _ = cli.split_config(_compose("change=regroup"))
    assert sim.change.regroup_weeks == [26] and sim.change.initiatives == []


def test_command_line_values_override_groups(hydra_ctx):
    sim, _ = cli.split_config(_compose("leadership=coaching", "leadership.coaching=0.1", "team=region",
                                       "team.team_size=7", "events.0.probability=0.5", "experiment=toxic_star"))
    # the command line choice wins over the experiment's "override /leadership: balanced"
    assert sim.leadership.coaching == 0.1 and sim.leadership.style == "coaching"
    assert sim.team.team_size == 7 and sim.team.n_teams == 5
    assert sim.events[0].kind == "toxic_hire" and sim.events[0].probability == 0.5


def test_structured_schema_types_every_field(hydra_ctx):
    """Keys not written in any YAML file can be overridden without '+', with their types enforced by Hydra."""
    sim, _ = cli.split_config(_compose("people.quit_base=0.01", "culture.spread_rate=0.5",
                                       "mechanisms.contagion=false"))
    assert sim.people.quit_base == 0.01 and sim.culture.spread_rate == 0.5 and sim.mechanisms.contagion is False
    with pytest.raises(Exception, match="sise"):
        _compose("team.sise=3")


def test_plus_unknown_key_rejected_by_from_dict(hydra_ctx):
    with pytest.raises(ConfigError, match=r"team\.sise: unknown key"):
        cli.split_config(_compose("+team.sise=3"))


@pytest.mark.parametrize(("override", "field"), [
    ("team.team_size=-3", "team.team_size"), ("team.rewire_p=1.5", "team.rewire_p"),
    ("weeks=10", "market.shocks[0].start_week"), ("market.shocks.0.start_week=500", "market.shocks[0].start_week"),
    ("weeks=abc", "weeks"), ("leadership.coaching=2", "leadership.coaching"),
])
def test_bad_values_name_the_field(hydra_ctx, override, field):
    with pytest.raises(ConfigError) as ei:
        cli.split_config(_compose(override))
    assert str(ei.value).startswith(field + ":")
    assert "\n" not in str(ei.value)


def test_app_keys_pass_through(hydra_ctx):
    _, app = cli.split_config(_compose("+sensitivity.method=morris", "baseline='leadership=balanced'"))
    assert app["sensitivity"] == {"method": "morris"}
    assert app["baseline"] == "leadership=balanced"


def test_launcher_configs_compose(hydra_ctx):
    ray = _compose("hydra/launcher=ray_cluster", hydra=True).hydra.launcher
    assert ray._target_.endswith("RayLauncher") and ray.ray.init.object_store_memory is None
    loc = _compose("hydra/launcher=ray_local", hydra=True).hydra.launcher
    assert loc.ray.init.address is None and loc.ray.init.num_cpus == 2
    sl = _compose("hydra/launcher=slurm", hydra=True).hydra.launcher
    assert sl._target_.endswith("SlurmLauncher") and sl.array_parallelism == 64
    sub = _compose("hydra/launcher=local_bounded", hydra=True).hydra.launcher
    assert sub._target_.endswith("LocalLauncher")
    job = _compose("hydra/launcher=joblib", "hydra.launcher.n_jobs=2", hydra=True).hydra.launcher
    assert job.n_jobs == 2


def test_expand_sweep_from_experiment(hydra_ctx):
    cfg = _compose("experiment=leadership_recession", hydra=True)
    jobs = cli.expand_sweep(cfg)
    assert [j[0] for j in jobs] == [f"leadership={s}" for s in
                                    ("balanced", "coaching", "command_and_control", "laissez_faire", "servant",
                                     "data_driven")]
    cfg = _compose("experiment=toxic_star", hydra=True)
    assert len(cli.expand_sweep(cfg)) == 4


def test_validate_jobs(hydra_ctx):
    cli.validate_jobs("config", [["leadership=coaching", "weeks=52"], ["seed=3", "+output.extra=1"]])
    with pytest.raises(cli.SweepConfigError, match=r"market.shocks\[0\].start_week.*sweep job #1"):
        cli.validate_jobs("config", [["weeks=52"], ["weeks=10"]])
    with pytest.raises(cli.SweepConfigError, match=r"team.sise: unknown key.*job #0"):
        cli.validate_jobs("config", [["+team.sise=3"]])


def test_job_name():
    assert cli.job_name(3, "crisis=pivot,leadership=coaching") == "3_crisis=pivot,leadership=coaching"
    assert cli.job_name(0, "") == "0"
    assert "/" not in cli.job_name(1, "team.roster=data/my team.csv")
    assert len(cli.job_name(1, "x=" + "a" * 500)) == 120


def test_resolve_task(monkeypatch):
    assert cli.resolve_task("run") is cli.run_study
    with pytest.raises(ConfigError, match="task: 'dance' is unknown; choose one of run"):
        cli.resolve_task("dance")
    monkeypatch.setitem(cli.TASKS, "ghost", "simteam.no_such_module:run_task")
    with pytest.raises(ConfigError, match="needs the module simteam.no_such_module"):
        cli.resolve_task("ghost")
    monkeypatch.setitem(cli.TASKS, "nofunc", "simteam.config:no_such_function")
    with pytest.raises(ConfigError, match="has no function no_such_function"):
        cli.resolve_task("nofunc")


def test_experiment_files_are_global_packages():
    for f in (CONF / "experiment").glob("*.yaml"):
        assert f.read_text().startswith("# @package _global_"), f
    assert yaml.safe_load((CONF / "config.yaml").read_text())["task"] == "run"


def test_hydra_stays_at_the_edge():
    """Only simteam/cli/app.py imports Hydra: the core and the other applications run without it."""
    pkg = Path(cli.__file__).resolve().parents[1]
    importers = sorted(str(f.relative_to(pkg)) for f in pkg.rglob("*.py")
                       if "import hydra" in f.read_text() or "from hydra" in f.read_text())
    assert importers == ["cli/app.py"]

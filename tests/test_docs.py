"""docs/model.md stays in step with the code: generated tables, concept table, step order, stream names."""

import dataclasses
import pathlib
import re

import numpy as np
import pytest

from simteam import docgen
from simteam.config import Switches
from simteam.engine import Engine
from simteam.leadership import _B, STRATEGIES, STYLES
from simteam.market import PRESETS
from simteam.testing import make

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODEL = ROOT / "docs" / "model.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return MODEL.read_text(encoding="utf-8")


def _block(text: str, name: str) -> str:
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert m, f"docs/model.md has no {name} markers"
    return m.group(1)


@pytest.mark.parametrize("name", list(docgen.BLOCKS))
def test_generated_blocks_are_up_to_date(doc, name):
    assert _block(doc, name) == docgen.render(name), (
        f"the {name} block of docs/model.md is out of date: run python -m simteam.docgen --write docs/model.md")


def test_parameter_reference_lists_every_parameter_with_its_range(doc):
    from simteam.config import SimConfig, iter_params

    params = _block(doc, "params")
    for path, f in iter_params(SimConfig):
        row = next((ln for ln in params.splitlines() if ln.startswith(f"| `{path}` |")), None)
        assert row is not None, path
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        if lo is not None and hi is not None:
            assert f"[{docgen._fmt_number(lo)}, {docgen._fmt_number(hi)}]" in row, row
        if f.metadata.get("choices"):
            assert all(f"`{c}`" in row for c in f.metadata["choices"]), row


def test_concept_table_names_every_switch_and_behaviour(doc):
    table = _block(doc, "concepts")
    missing = [f.name for f in dataclasses.fields(Switches) if f"`{f.name}`" not in table]
    assert not missing, f"switches missing from the concept table: {missing}"
    missing = [b for b in _B if f"`{b}`" not in table]
    assert not missing, f"leadership behaviours missing from the concept table: {missing}"


def test_concept_table_cites_tests_that_exist(doc):
    table = _block(doc, "concepts")
    defined = {}
    for name in ("test_mechanisms.py", "test_engine.py", "test_leaders.py", "test_headofsales.py",
                 "test_model_v2.py"):
        src = (ROOT / "tests" / name).read_text(encoding="utf-8")
        defined[name] = set(re.findall(r"^def (test_\w+)", src, re.MULTILINE))
    cited = re.findall(r"`(?:(test_\w+\.py)::)?(test_\w+)`", table)
    assert len(cited) >= 20
    for file, test in cited:
        where = file or "test_mechanisms.py"
        assert test in defined[where], f"{where}::{test} is cited in docs/model.md but does not exist"


def test_step_order_is_the_engine_docstring(doc):
    lines = [ln.strip() for ln in Engine.step.__doc__.splitlines() if re.match(r"\s*\d+\.\s", ln)]
    assert len(lines) == 10
    section = doc.split("## 3 Process overview", 1)[1].split("## 4 ", 1)[0]
    fenced = section.split("```", 2)[1]
    assert [ln.strip() for ln in fenced.strip().splitlines()] == lines


def test_strategies_and_presets_are_described(doc):
    crisis = doc.split("### 7.9 ", 1)[1].split("### 7.10 ", 1)[0]
    for name in STRATEGIES:
        assert f"| `{name}`" in crisis, name
    for name in PRESETS:
        assert f"`{name}`" in doc.split("### 7.1 ", 1)[1].split("### 7.2 ", 1)[0], name
    for name in STYLES:
        assert f"| `{name}` |" in _block(doc, "styles"), name


def _stream_family(name: str) -> str:
    """``adopt:crm`` -> ``adopt:``; plain names stay as they are (the doc writes ``adopt:<initiative>``)."""
    return name.split(":", 1)[0] + ":" if ":" in name else name


def _streams_in_source() -> set[str]:
    """Stream names written as literals where a ``Streams`` method is called (f-strings and ``"x:" + name`` too)."""
    names = set()
    for path in (ROOT / "simteam").rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"rng\.(?:uniform|normal|poisson|key|at)\(\s*f?\"([a-z_]+:?)", src))
    return names


def _streams_drawn(monkeypatch) -> set[str]:
    """Every stream name a run with every mechanism, random shocks, a rollout, a probabilistic event and a
    scenario window event draws from, recorded at run time (every draw goes through ``Streams.key``)."""
    from simteam.planning.scenario import WindowEvent
    from simteam.streams import Streams

    seen: set[str] = set()
    key = Streams.key

    def recording_key(self, name):
        seen.add(name)
        return key(self, name)

    monkeypatch.setattr(Streams, "key", recording_key)
    cfg = make(weeks=40,
               team={"team_size": 6, "n_teams": 2, "initial_toxic": 2},
               people={"quit_base": 0.05},
               market={"random_shock_rate": 10.0},
               change={"initiatives": [{"name": "crm", "start_week": 2}]},
               mechanisms={"leaders": True, "head_of_sales": True, "segment_allocation": True, "role_ambiguity": True},
               leaders={"behaviour_sd": 0.1},
               events=[{"kind": "crisis", "week": 3, "probability": 0.5},
                       {"kind": "leader_leaves", "week": 4, "value": 0},
                       {"kind": "promote", "week": 6, "value": 1},
                       {"kind": "hire_leader", "week": 8, "value": 0}])
    assert all(dataclasses.asdict(cfg.mechanisms).values()), "the recording run needs every mechanism on"
    window = WindowEvent({"id": "loss", "kind": "lead_loss", "window": (5, 9), "probability": 0.5, "depth": 0.3})
    Engine(cfg, seeds=np.arange(4), policies=[window]).run()
    # the decision report draws uncertain assumptions once per future, outside the engine
    from simteam.planning.assumptions import draw_values
    draw_values([{"key": "gain", "drawn": True, "low": 0.0, "high": 0.1, "dist": "uniform"}], np.arange(4))
    # parameter uncertainty draws each uncertain parameter once per parameter draw, outside the engine
    from simteam.uncertainty import load_uncertainty
    load_uncertainty("evidence").values(cfg, seed=0, draws=2)
    return seen


def test_every_random_stream_is_documented(doc, monkeypatch):
    drawn = _streams_drawn(monkeypatch)
    families = {_stream_family(n) for n in drawn}
    assert {"quit", "wins", "market", "adopt:", "event:", "scenario_event:", "toxic_infect", "hire_toxic",
            "shock_arrival"} <= families
    in_source = _streams_in_source()
    assert not in_source - families, f"streams in the code that the recording run never drew: {in_source - families}"
    stochasticity = doc.split("**Stochasticity.**", 1)[1].split("**Collectives.**", 1)[0]
    missing = sorted(n for n in families if f"`{n}" not in stochasticity)
    assert not missing, f"random streams missing from the Stochasticity paragraph: {missing}"


def test_docgen_check_and_write(tmp_path, capsys):
    assert docgen.main(["--check", str(MODEL)]) == 0
    stale = tmp_path / "model.md"
    text = MODEL.read_text(encoding="utf-8")
    stale.write_text(text.replace("| `team.team_size` | `12` |", "| `team.team_size` | `13` |"), encoding="utf-8")
    assert docgen.main(["--check", str(stale)]) == 1
    assert "out of date: params" in capsys.readouterr().err
    assert docgen.main(["--write", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == text
    bare = tmp_path / "bare.md"
    bare.write_text("# no markers\n", encoding="utf-8")
    assert docgen.main(["--write", str(bare)]) == 2
    assert "no generated-block markers" in capsys.readouterr().err
    assert docgen.main(["--check", str(tmp_path / "missing.md")]) == 2
    assert "cannot read" in capsys.readouterr().err

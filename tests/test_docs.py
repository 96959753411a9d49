"""docs/model.md stays in step with the code: generated tables, concept table, step order, stream names."""

import dataclasses
import pathlib
import re

import pytest

from simteam import docgen
from simteam.config import Switches
from simteam.engine import Engine
from simteam.leadership import _B, STRATEGIES, STYLES
from simteam.market import PRESETS

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
    for name in ("test_mechanisms.py", "test_engine.py", "test_model_v2.py"):
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


def test_every_random_stream_is_documented(doc):
    names = set()
    for path in (ROOT / "simteam").glob("*.py"):
        src = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"rng\.(?:uniform|normal|poisson|key)\(f?\"([a-z_]+)", src))
    assert {"quit", "wins", "market", "adopt", "event"} <= names
    stochasticity = doc.split("**Stochasticity.**", 1)[1].split("**Collectives.**", 1)[0]
    missing = sorted(n for n in names if f"`{n}" not in stochasticity)
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

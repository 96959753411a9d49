"""One of each: one atomic writer, one number formatter, one "did you mean", matplotlib's object API.

The guards read the package source: a second atomic writer (``os.replace``/``tempfile`` outside
``simteam/io.py``), a second ``difflib`` user (outside ``simteam/config.py``), ``matplotlib.use(``
or a ``pyplot`` import in library code, an HTML page built in Python, or a hand-rolled number
format in the applications fails here.
"""

from __future__ import annotations

import ast
import math
import pathlib
import re

import numpy as np
import pytest

from simteam.config import ConfigError, did_you_mean
from simteam.fmt import fmt_metric, fmt_number

PKG = pathlib.Path(__file__).resolve().parents[1] / "simteam"

#: Files allowed to hold the one mechanism, and the scratch memmap of sim.py (not an output writer).
HOME = {"writer": {"io.py"}, "difflib": {"config.py"}}


def _sources():
    for p in sorted(PKG.rglob("*.py")):
        yield p.relative_to(PKG).as_posix(), p.read_text(encoding="utf-8")


def _code(text: str) -> str:
    """The source with comments and docstrings blanked (they may name what the code must not do)."""
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            for i in range(body[0].lineno - 1, body[0].end_lineno):
                lines[i] = ""
    return "\n".join("" if ln.lstrip().startswith("#") else ln for ln in lines)


def _hits(pattern: str, allowed: set[str], exclude: set[str] = frozenset()) -> list[str]:
    rx = re.compile(pattern)
    return [f"{name}:{i + 1}: {ln.strip()}" for name, text in _sources() if name not in allowed
            for i, ln in enumerate(_code(text).splitlines()) if rx.search(ln) and (name, ln.strip()) not in exclude]


def test_one_atomic_writer():
    # sim.py's memmap scratch file (tempfile.mkstemp in the system temp folder) is no output
    # and the decision report's scratch Chromium profile (the PDF then goes through io.write_bytes)
    scratch = {("sim.py", "import tempfile"),
               ("sim.py", 'fd, self.path = tempfile.mkstemp(prefix="simteam-series-", suffix=".f64",'),
               ("planning/report.py", "import tempfile"),
               ("planning/report.py", 'with tempfile.TemporaryDirectory(prefix="simteam-chromium-") as prof:')}
    assert _hits(r"\bos\.replace\(|\btempfile\b|\.tmp\b|\.rename\(", HOME["writer"], scratch) == []
    # files are written through simteam.io, not by the tables or figures themselves
    assert _hits(r"\.to_(csv|parquet|json)\(\s*[^)\s]|\.savefig\([^)]*(path|tmp|outdir|\.png)", HOME["writer"]
                 | {"plotting.py"}) == []


def test_one_did_you_mean():
    assert _hits(r"\bdifflib\b", HOME["difflib"]) == []
    assert _hits(r"did you mean", HOME["difflib"]) == []


def test_matplotlib_object_api_only():
    assert _hits(r"matplotlib\.use\(|pyplot|\bplt\.", {"io.py"}) == []


def test_html_pages_come_from_templates():
    # pages are jinja2 templates with autoescape (simteam/**/templates/*.html), not strings built in Python
    assert _hits(r"(?i)<!doctype|<html|<table|html\.escape\(", set()) == []
    templates = sorted(p.relative_to(PKG).as_posix() for p in PKG.rglob("templates/*.html"))
    assert templates == ["cli/templates/comparison.html", "planning/templates/report.html"]


def test_one_formatter():
    # value formatters are simteam.fmt's: no hand-rolled percent or thousands format in the applications
    apps = {n for n, _ in _sources() if n.split("/")[0] in ("cli", "planning", "workshop")}
    rx = re.compile(r":[+]?,\.\d?f\}|:\.\d%\}")
    bad = [f"{n}:{i + 1}" for n, t in _sources() if n in apps for i, ln in enumerate(t.splitlines()) if rx.search(ln)]
    assert bad == []


# ------------------------------------------------------------------------------------------------
# the formatter
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "kw", "text"), [
    ((1234567.8, 0), {}, "1,234,568"),
    ((1234567.8, 0), {"sep": False}, "1234568"),
    ((-1234.5, 1), {}, "-1,234.5"),
    ((-0.0004, 2), {}, "0.00"),            # no "-0.00"
    ((-0.4, 0), {}, "0"),                  # no "-0"
    ((-0.0,), {}, "0.000"),
    ((0.4, 0), {"signed": True}, "0"),     # no "+0"
    ((-0.3, 0), {"signed": True, "unit": "k$"}, "0 k$"),
    ((12.6, 0), {"signed": True, "unit": "k$"}, "+13 k$"),
    ((-1500.0, 0), {"signed": True}, "-1,500"),
    ((0.125, 1), {"percent": True}, "12.5%"),
    ((-0.0001, 1), {"percent": True, "signed": True, "unit": "pp"}, "0.0 pp"),
    ((float("nan"),), {}, "-"),
    ((np.nan, 2), {"signed": True, "unit": "k$"}, "-"),
    ((None,), {}, "-"),
    (("",), {}, "-"),
    ((np.float32(2.5), 1), {}, "2.5"),
    ((np.int64(12000), 0), {}, "12,000"),
    ((math.inf, 0), {"signed": True}, "+inf"),
    ((1234.0,), {}, "1,234"),               # automatic digits: 0 from 100 up
    ((12.34,), {}, "12.3"),                 # 1 from 10
    ((1.23456,), {}, "1.235"),              # else 3
])
def test_fmt_number(args, kw, text):
    assert fmt_number(*args, **kw) == text


def test_fmt_metric_shares_in_percent_and_points():
    assert fmt_metric("turnover_annual", 0.2834) == "28.3%"
    assert fmt_metric("turnover_annual", -0.01234, signed=True) == "-1.2 pp"
    assert fmt_metric("turnover_annual", -0.0001, signed=True) == "0.0 pp"
    assert fmt_metric("revenue", 152345.2) == "152,345"
    assert fmt_metric("revenue", -4.2, signed=True) == "-4.200"
    assert fmt_metric("morale_final", float("nan")) == "-"


# ------------------------------------------------------------------------------------------------
# did you mean
# ------------------------------------------------------------------------------------------------
def test_did_you_mean():
    assert did_you_mean("sise", ["team_size", "n_teams"], prefix="team") == "; did you mean team.team_size?"
    assert did_you_mean("coachng", ["coaching", "feedback"]) == "; did you mean coaching?"
    assert did_you_mean("trsut", {"trust": 1, "team": 2}) == "; did you mean trust?"
    assert did_you_mean("zzzz", ["team_size"]) == ""
    assert did_you_mean("x", []) == ""


def test_messages_name_the_key_and_suggest():
    from simteam.config import from_dict

    with pytest.raises(ConfigError, match=r"^leadership\.coachng: unknown key; did you mean leadership\.coaching\?"):
        from_dict({"leadership": {"coachng": 0.5}})


# ------------------------------------------------------------------------------------------------
# templates
# ------------------------------------------------------------------------------------------------
def test_templates_autoescape():
    from simteam.io import render_template

    page = render_template("simteam.cli", "comparison.html", intro="<script>alert(1)</script>", columns=["a<b"],
                           table=[["<i>x</i>", "1,234"]], figures=[{"src": 'a"b.png', "alt": "c&d"}])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<i>" not in page and "<th>a&lt;b</th>" in page and "<td>1,234</td>" in page
    assert 'src="a&#34;b.png" alt="c&amp;d"' in page

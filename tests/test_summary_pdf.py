"""The one-page executive summary as a PDF next to report.html (headless Chromium, skipped with a note without)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simteam.planning.planner import plan
from simteam.planning.report import CHROMIUM, print_pdf, summary_html


def scen() -> dict:
    return {"name": "pdf", "weeks": 20, "replications": 4, "seed": 1, "team": {"size": 6, "teams_count": 2},
            "timeline": [{"id": "crm", "action": "rollout", "week": 2}],
            "alternatives": {"crm": {"label": "Roll out the CRM", "actions": {"crm": {}}}}, "sensitivity": False}


def test_without_chromium_the_pdf_is_skipped_with_a_one_line_note(tmp_path):
    page = tmp_path / "s.html"
    page.write_text("<html><body>x</body></html>", encoding="utf-8")
    path, note = print_pdf(str(page), str(tmp_path / "s.pdf"), chromium=str(tmp_path / "no-chromium"))
    assert path is None and not (tmp_path / "s.pdf").exists()
    assert note == f"PDF skipped: {tmp_path / 'no-chromium'} not found (install Debian's chromium to get summary.pdf)"


def test_summary_page_holds_only_the_executive_summary():
    html = ("<html><head><style>x</style></head><body><main><h1>T</h1><p class='lead'>L</p><p class='meta'>M</p>"
            "<section class='exec' id='executive'><h2>Executive summary</h2><p>E</p></section>"
            "<h2 id='assumptions'>A</h2></main></body></html>")
    s = summary_html(html)
    assert "<style>x</style>" in s and "<h1>T</h1>" in s and "id='executive'" in s
    assert "id='assumptions'" not in s and "class='meta'" not in s


@pytest.mark.slow
@pytest.mark.browser
def test_plan_prints_the_one_page_summary_to_pdf(tmp_path):
    if not Path(CHROMIUM).exists():
        res = plan(scen(), tmp_path / "out", pdf=True, figures=False)
        assert res.files["pdf_note"].startswith("PDF skipped")
        pytest.skip(f"{CHROMIUM} is not installed: the note was checked")
    res = plan(scen(), tmp_path / "out", pdf=True)
    pdf = Path(res.files["summary_pdf"])
    assert pdf == tmp_path / "out" / "summary.pdf"
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 5_000
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) == 1          # one page
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "Recommended:" in summary and "id='ranked'" not in summary

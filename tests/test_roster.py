"""Roster import: every validation problem at once by row and column, round trip, mapping onto the state."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtri

from simteam.config import ConfigError, from_dict
from simteam.engine import Engine
from simteam.roster import load_roster, read_roster_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "roster.csv"


def _write(tmp_path, text: str) -> str:
    p = tmp_path / "roster.csv"
    p.write_text(text, encoding="utf-8")
    return str(p)


def _problems(exc: pytest.ExceptionInfo) -> list[str]:
    return [ln.strip()[2:] for ln in str(exc.value).splitlines()[1:]]


def test_example_roster_loads():
    r = load_roster(str(EXAMPLE))
    assert r.n == 16
    assert r.ids[0] == "R01" and r.ids[-1] == "R16"
    # teams numbered in order of first appearance
    assert r.team_names == ["north", "south"]
    assert r.team_index.tolist() == [0] * 8 + [1] * 8
    assert r.open_seats.tolist() == [i == 7 for i in range(16)]


def test_every_row_problem_is_listed_at_once(tmp_path):
    text = (
        "rep_id,team,tenure_months,attainment_last_year,engagement,trust,toxic,status\n"
        "A1,north,12,0.9,4,4,no,active\n"           # row 2: fine
        "A2,north,abc,0.9,4,4,no,active\n"          # row 3: wrong type
        "A3,north,12,105,4,4,no,active\n"           # row 4: attainment out of range (105 for 105%)
        "A4,north,12,0.9,7,4,no,active\n"           # row 5: engagement out of the 1-5 scale
        "A1,north,12,0.9,4,4,no,active\n"           # row 6: duplicate id
        ",north,12,0.9,4,4,no,active\n"             # row 7: missing id
        "A7,west,12,0.9,4,4,no,active\n"            # row 8: unknown team
        "A8,south,12,0.9,4,4,maybe,active\n"        # row 9: bad flag
        "A9,south,-3,0.9,4,0,no,gone\n"             # row 10: negative tenure, trust 0 < 1, bad status
    )
    with pytest.raises(ConfigError) as ei:
        load_roster(_write(tmp_path, text), teams=["north", "south"])
    msg = str(ei.value)
    assert msg.splitlines()[0].endswith("10 problems found, nothing was loaded:")
    probs = _problems(ei)
    assert len(probs) == 10
    expected = [
        "row 3, column tenure_months: expected a number",
        "row 4, column attainment_last_year: 105 is out of range; allowed: 0 to 5",
        "row 5, column engagement: 7 is out of range; allowed: 1 to 5",
        "row 6, column rep_id: duplicate rep id 'A1' (first seen in row 2)",
        "row 7, column rep_id: missing value",
        "row 8, column team: unknown team 'west'; allowed: north, south",
        "row 9, column toxic: expected yes or no, got 'maybe'",
        "row 10, column tenure_months: -3 is out of range",
        "row 10, column trust: 0 is out of range; allowed: 1 to 5",
        "row 10, column status: expected active or open, got 'gone'",
    ]
    for e in expected:
        assert any(p.startswith(e) for p in probs), (e, probs)
    assert "(write 1.05 for 105%)" in msg


def test_header_problems_are_listed_at_once(tmp_path):
    text = "name,team,tenure_months,tenure_weeks,trsut\nAna,north,12,50,4\n"
    with pytest.raises(ConfigError) as ei:
        load_roster(_write(tmp_path, text))
    probs = _problems(ei)
    assert any(p.startswith("row 1, column trsut: unknown column; did you mean trust?") for p in probs)
    assert "row 1, column rep_id: required column is missing" in probs
    assert any("tenure_months and tenure_weeks: give one of them, not both" in p for p in probs)
    assert len(probs) == 3


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(ConfigError, match="the file is empty"):
        load_roster(_write(tmp_path, ""))
    with pytest.raises(ConfigError, match=r"row 2: the roster has no reps"):
        load_roster(_write(tmp_path, "rep_id,team\n"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_roster(str(tmp_path / "missing.csv"))


def test_values_are_never_clipped(tmp_path):
    # 5.5 attainment is an error, not 5.0
    with pytest.raises(ConfigError, match=r"row 2, column attainment_last_year: 5.5 is out of range"):
        load_roster(_write(tmp_path, "rep_id,attainment_last_year\nA,5.5\n"))
    # an open seat with a rep's data is a contradiction, not silently ignored
    with pytest.raises(ConfigError, match=r"row 2, column engagement: an open seat"):
        load_roster(_write(tmp_path, "rep_id,engagement,status\nA,3,open\n"))


def test_round_trip(tmp_path):
    r = load_roster(str(EXAMPLE))
    out = tmp_path / "copy.csv"
    r.to_csv(str(out))
    r2 = load_roster(str(out))
    assert r2.ids == r.ids
    assert r2.team_names == r.team_names
    assert np.array_equal(r2.team_index, r.team_index)
    assert r2.columns == r.columns
    for c, v in r.values.items():
        np.testing.assert_array_equal(r2.values[c], v)
    assert r2.text == r.text


def test_survey_scale_and_team_default():
    r = read_roster_text("rep_id,engagement\nA,0\nB,10\n", survey_scale=(0, 10))
    assert r.team_names == ["team"] and r.team_index.tolist() == [0, 0]
    np.testing.assert_allclose(r.morale_score(), [0.0, 1.0])
    with pytest.raises(ConfigError, match="team.survey_scale"):
        read_roster_text("rep_id\nA\n", survey_scale=(5, 1))


def _engine(roster=None, team_size=16, reps=3):
    cfg = from_dict({"weeks": 10, "team": {"team_size": team_size, "n_teams": 1}})
    return Engine(cfg, seeds=np.arange(reps), roster=roster)


def test_apply_maps_columns_onto_state():
    r = load_roster(str(EXAMPLE))
    # config team_size is ignored: seats come from the roster
    e = _engine(r, team_size=5)
    s = e.s
    assert e.N == 16 and s.tenure.shape == (3, 16)
    assert np.array_equal(e.structure.team_of, r.team_index)
    months = r.values["tenure_months"]
    known = ~np.isnan(months) & ~r.open_seats
    np.testing.assert_array_equal(s.tenure[:, known], np.round(months[known] * 52 / 12)[None, :].repeat(3, 0))
    eng = r.values["engagement"]
    ok = ~np.isnan(eng)
    np.testing.assert_allclose(s.morale[:, ok], ((eng[ok] - 1) / 4)[None, :].repeat(3, 0))
    tr = r.values["trust"]
    ok = ~np.isnan(tr)
    np.testing.assert_allclose(s.trust[:, ok], ((tr[ok] - 1) / 4)[None, :].repeat(3, 0))
    att = r.values["attainment_last_year"]
    ok = ~np.isnan(att)
    np.testing.assert_allclose(s.pace[:, ok], att[ok][None, :].repeat(3, 0))
    # toxic flag: R05 only
    assert s.toxic[:, 4].all() and not s.toxic[:, np.r_[0:4, 5:16]].any()
    # the open seat is empty, with no pending hire
    assert not s.active[:, 7].any() and (s.vacancy[:, 7] == -1).all()
    assert s.active[:, np.r_[0:7, 8:16]].all()


def test_skill_from_rating_and_from_attainment():
    r = load_roster(str(EXAMPLE))
    e = _engine(r)
    s, tc = e.s, e.cfg.team
    rating = r.values["skill"]
    rated = ~np.isnan(rating)
    np.testing.assert_allclose(s.potential[0, rated], np.clip((rating[rated] - 1) / 4, 0.02, 1))
    # unrated reps: quantile mapping of attainment onto N(skill_mean, skill_sd)
    att = r.values["attainment_last_year"]
    has = ~np.isnan(att) & ~r.open_seats
    order = np.argsort(att[has])
    u = (np.arange(1, has.sum() + 1) - 0.5) / has.sum()
    expect = np.empty(has.sum())
    expect[order] = np.clip(tc.skill_mean + tc.skill_sd * ndtri(u), 0.02, 1)
    unrated = has & ~rated
    np.testing.assert_allclose(s.potential[0, unrated], expect[unrated[has]])
    # higher attainment -> higher potential among unrated reps
    a, p = att[unrated], s.potential[0, unrated]
    assert np.all(np.diff(p[np.argsort(a)]) > 0)
    # skill = potential - ramp gap, same as people.initialise
    gap = e.cfg.people.new_hire_skill_gap * np.exp(-s.tenure / (e.cfg.people.ramp_weeks * 4))
    np.testing.assert_allclose(s.skill, np.clip(s.potential - gap, 0, 1))


def test_empty_cells_keep_the_drawn_values():
    r = load_roster(str(EXAMPLE))
    plain = _engine(None)
    e = _engine(r)
    # R16 (seat 15) has no attainment and no skill rating: same draw as without a roster
    np.testing.assert_array_equal(e.s.potential[:, 15], plain.s.potential[:, 15])
    # R03 (seat 2) has no skill rating but an attainment: mapped, so different from the draw
    assert not np.array_equal(e.s.potential[:, 2], plain.s.potential[:, 2])

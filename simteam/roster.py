"""Roster import: a sales leader's own team as the initial state of the simulation.

A roster is a CSV file with one row per seat (usually one rep). The header names the
columns; only ``rep_id`` is required:

===================== ========================================================================
column                meaning, allowed values
===================== ========================================================================
rep_id                unique id of the rep (text, required, not empty)
team                  team name (text); teams are numbered in order of first appearance
tenure_months         months in the company, a number in [0, 600]
tenure_weeks          weeks in the company, a number in [0, 2600] (give months or weeks, not both)
attainment_last_year  last year's revenue / quota as a fraction, in [0, 5] (1.05 = 105%)
engagement / morale   survey score on the survey scale (default 1-5); give one of the two
trust                 trust-in-leader survey score on the survey scale
skill                 manager's skill rating on the skill scale (default 1-5)
toxic                 shows toxic behaviour: yes/no (also true/false, y/n, 1/0)
status                ``active`` (default) or ``open`` (an approved seat not yet filled)
start_date            first day in the company (2023-04-01, 01.04.2023 or 2023/04/01); the tenure
                      is counted up to ``as_of`` (the export date, required with this column)
name, notes           free text, kept for the report, not used by the model
===================== ========================================================================

Files as spreadsheets export them: the separator (``,``, ``;`` or tab) is detected from the
header row; with ``;`` or tab, decimal commas are read (``1,32`` = 1.32); ``105%`` is read as
1.05 in ``attainment_last_year``. A CRM or HR export keeps its own headers through a column
mapping (``columns={"Hire Date": "start_date", "Role": "ignore"}``; in a scenario:
``team.columns``).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first rep is
row 2. Validation collects *every* problem (missing required column, unknown column,
wrong type, value out of range, missing required value, duplicate id, unknown team when
a team list is given, both tenure columns) and raises one :class:`ConfigError` that
lists them all by row and column; nothing is loaded, dropped or clipped when any is found.

An empty cell in an optional column means "unknown": that rep keeps the value drawn
from the configured distribution (``team.*`` in :class:`simteam.config.TeamConfig`).

Mapping onto the model's state (:meth:`Roster.apply`), per rep ``i``:

* ``tenure`` (weeks) = ``tenure_weeks``, or ``round(tenure_months * 52 / 12)``;
* ``morale`` = ``(engagement - lo) / (hi - lo)`` on the survey scale ``[lo, hi]``
  (1-5 Likert: 1 -> 0, 3 -> 0.5, 5 -> 1); ``trust`` likewise;
* ``potential`` = ``(skill - lo) / (hi - lo)`` on the skill scale when a skill rating is
  given; otherwise, from last year's attainment by a *quantile mapping* onto the
  configured skill distribution: the reps with an attainment value are ranked
  (ties share their mean rank), rank ``r`` of ``n`` gives ``u = (r - 0.5) / n`` and
  ``potential = clip(skill_mean + skill_sd * Phi^-1(u), 0.02, 1)``, so a higher
  attainment always means a higher skill, and the spread matches the model's calibration;
* ``skill`` = ``potential - new_hire_skill_gap * exp(-tenure / (4 ramp_weeks))`` (the
  same ramp as :func:`simteam.people.initialise`), clipped to [0, 1];
* ``pace`` (attainment pace, which drives morale from success and the quit hazard)
  = ``attainment_last_year``;
* ``toxic`` = the ``toxic`` flag;
* a seat with ``status = open`` starts empty with no pending hire; a ``hire`` action
  in a scenario fills it.

When a roster is given, the number of seats and teams comes from the roster:
``team.team_size`` and ``team.n_teams`` of the config are ignored.

Example:
    >>> import pathlib, tempfile
    >>> from simteam.roster import load_roster
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "team.csv"
    >>> _ = path.write_text("rep_id,team,engagement\\nR01,north,4.5\\nR02,south,\\n", encoding="utf-8")
    >>> r = load_roster(path)
    >>> r.ids, r.team_names, r.values["engagement"]
    (['R01', 'R02'], ['north', 'south'], array([4.5, nan]))
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import re
from dataclasses import dataclass, field

import numpy as np

from .config import ConfigError, did_you_mean
from .io import write_text

__all__ = ["COLUMNS", "FALSE_WORDS", "TRUE_WORDS", "Roster", "detect_delimiter", "load_roster", "read_roster_text"]

#: Known columns -> (kind, lo, hi, meaning). Kinds: text, number, scale, skill, flag, status.
COLUMNS: dict[str, tuple[str, float | None, float | None, str]] = {
    "rep_id": ("text", None, None, "unique id of the rep"),
    "team": ("text", None, None, "team name"),
    "tenure_months": ("number", 0.0, 600.0, "months in the company"),
    "tenure_weeks": ("number", 0.0, 2600.0, "weeks in the company"),
    "attainment_last_year": ("number", 0.0, 5.0, "last year's revenue / quota as a fraction (1.05 = 105%)"),
    "engagement": ("scale", None, None, "engagement survey score"),
    "morale": ("scale", None, None, "morale survey score"),
    "trust": ("scale", None, None, "trust-in-leader survey score"),
    "skill": ("skill", None, None, "manager's skill rating"),
    "toxic": ("flag", None, None, "shows toxic behaviour"),
    "status": ("status", None, None, "active or open (an approved seat not yet filled)"),
    "start_date": ("date", None, None, "first day in the company (2023-04-01 or 01.04.2023); gives the tenure"),
    "name": ("info", None, None, "rep's name (not used by the model)"),
    "notes": ("info", None, None, "free text (not used by the model)"),
}
TRUE_WORDS = ("yes", "y", "true", "1")
FALSE_WORDS = ("no", "n", "false", "0", "")


@dataclass
class Roster:
    """A validated roster: one entry per seat, in file order (seat ``i`` = data row ``i``).

    Attributes:
        ids: Rep ids in seat order.
        team_names: Team names in order of first appearance in the file.
        team_index: (N,) int array, the team number 0..T-1 of each seat.
        columns: The columns present in the file (in file order).
        values: Column -> (N,) float array for numeric columns (NaN = empty cell);
            ``toxic`` as 0/1 floats with NaN for empty; ``status`` as 1 (open) / 0 (active).
        text: Column -> list of str for text columns (``name``, ``notes``).
        survey_scale: (lo, hi) of engagement/morale/trust scores.
        skill_scale: (lo, hi) of skill ratings.
        path: The file the roster came from ("" when read from text).
    """

    ids: list[str]
    team_names: list[str]
    team_index: np.ndarray
    columns: list[str]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    text: dict[str, list[str]] = field(default_factory=dict)
    survey_scale: tuple[float, float] = (1.0, 5.0)
    skill_scale: tuple[float, float] = (1.0, 5.0)
    path: str = ""

    @property
    def n(self) -> int:
        """Number of seats."""
        return len(self.ids)

    @property
    def open_seats(self) -> np.ndarray:
        """(N,) bool: seats with ``status = open``."""
        st = self.values.get("status")
        return np.zeros(self.n, dtype=bool) if st is None else st == 1.0

    def tenure_weeks(self) -> np.ndarray:
        """(N,) tenure in whole weeks (NaN where unknown)."""
        if "tenure_weeks" in self.values:
            return np.round(self.values["tenure_weeks"])
        if "tenure_months" in self.values:
            return np.round(self.values["tenure_months"] * 52.0 / 12.0)
        return np.full(self.n, np.nan)

    def _scaled(self, col: str, scale: tuple[float, float]) -> np.ndarray | None:
        if col not in self.values:
            return None
        lo, hi = scale
        return (self.values[col] - lo) / (hi - lo)

    def morale_score(self) -> np.ndarray | None:
        """(N,) engagement/morale mapped to [0, 1] (NaN where unknown), or None."""
        return self._scaled("engagement", self.survey_scale) if "engagement" in self.values else \
            self._scaled("morale", self.survey_scale)

    def potential(self, skill_mean: float, skill_sd: float) -> np.ndarray:
        """(N,) skill potential from the skill rating, else from attainment by quantile mapping (NaN: unknown)."""
        out = np.full(self.n, np.nan)
        att = self.values.get("attainment_last_year")
        if att is not None:
            known = ~np.isnan(att) & ~self.open_seats
            if known.any():
                # here, not at the top: scipy takes 1.4-1.7 s to import, which --check must not pay
                from scipy.special import ndtri
                from scipy.stats import rankdata

                r = rankdata(att[known])
                u = (r - 0.5) / known.sum()
                out[known] = np.clip(skill_mean + skill_sd * ndtri(u), 0.02, 1.0)
        sk = self._scaled("skill", self.skill_scale)
        if sk is not None:
            out = np.where(np.isnan(sk), out, np.clip(sk, 0.02, 1.0))
        return out

    def apply(self, e) -> None:
        """Overwrite the engine's initial state with the roster's values (all batch rows alike).

        Called by :func:`simteam.people.initialise` after the distribution draws, so cells
        left empty keep their drawn values. See the module docstring for the mapping.
        """
        s, cfg = e.s, e.cfg
        if e.N != self.n:
            raise ConfigError(f"team.roster: the engine has {e.N} seats but the roster {self.n} rows")
        open_ = self.open_seats
        ten = self.tenure_weeks()
        s.tenure[:] = np.where(np.isnan(ten), s.tenure, ten)
        s.tenure[:, open_] = 0.0
        m = self.morale_score()
        if m is not None:
            s.morale[:] = np.where(np.isnan(m), s.morale, m)
        tr = self._scaled("trust", self.survey_scale)
        if tr is not None:
            s.trust[:] = np.where(np.isnan(tr), s.trust, tr)
        pot = self.potential(cfg.team.skill_mean, cfg.team.skill_sd)
        s.potential[:] = np.where(np.isnan(pot), s.potential, pot)
        P = e.p.people  # per row (a sweep's (B, 1) values), as in people.initialise
        gap = P.new_hire_skill_gap * np.exp(-s.tenure / np.maximum(np.multiply(P.ramp_weeks, 4), 1e-9))
        s.skill[:] = np.clip(s.potential - gap, 0.0, 1.0)
        att = self.values.get("attainment_last_year")
        if att is not None:
            s.pace[:] = np.where(np.isnan(att), s.pace, att)
        tox = self.values.get("toxic")
        if tox is not None:
            s.toxic[:] = np.where(np.isnan(tox), s.toxic, tox == 1.0)
        if open_.any():
            s.active[:, open_] = False
            s.vacancy[:, open_] = -1
            s.toxic[:, open_] = False

    def to_csv(self, path: str) -> None:
        """Write the roster back as CSV (atomically); :func:`load_roster` reads it back unchanged."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.columns)
        for i in range(self.n):
            row = []
            for c in self.columns:
                if c == "rep_id":
                    row.append(self.ids[i])
                elif c == "team":
                    row.append(self.team_names[self.team_index[i]])
                elif c in self.text:
                    row.append(self.text[c][i])
                else:
                    v = self.values[c][i]
                    if np.isnan(v):
                        row.append("")
                    elif c == "toxic":
                        row.append("yes" if v == 1.0 else "no")
                    elif c == "status":
                        row.append("open" if v == 1.0 else "active")
                    else:
                        row.append(repr(float(v)) if not float(v).is_integer() else str(int(v)))
            w.writerow(row)
        write_text(buf.getvalue(), path)

    def table(self) -> list[dict]:
        """One dict per seat (for reports)."""
        out = []
        for i in range(self.n):
            d = {"seat": i, "rep_id": self.ids[i], "team": self.team_names[self.team_index[i]]}
            for c, v in self.values.items():
                d[c] = None if np.isnan(v[i]) else float(v[i])
            for c, v in self.text.items():
                d[c] = v[i]
            out.append(d)
        return out


def _check_scale(name: str, scale) -> tuple[float, float]:
    try:
        lo, hi = (float(x) for x in scale)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: expected two numbers [low, high], got {scale!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
        raise ConfigError(f"{name}: expected [low, high] with high > low, got {scale!r}")
    return lo, hi


def decimal_comma_hint(raw: str) -> str:
    """The fix for a number written with a decimal comma in a comma-separated file (empty otherwise)."""
    if _DECIMAL_COMMA.match(raw):
        return f" (write {raw.replace(',', '.')}: a decimal point, or save the file with ';' separators)"
    return ""


def read_sheet_text(path, field: str) -> str:
    """The text of a spreadsheet export (UTF-8, a byte-order mark accepted), or a one-line ConfigError naming
    ``field`` (a missing file, a file that is not UTF-8 text: "save the sheet as 'CSV UTF-8'")."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            return fh.read()
    except OSError as e:
        raise ConfigError(f"{field}: cannot read {str(path)!r}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{field}: {path} is not UTF-8 text; save the sheet as 'CSV UTF-8'") from None


def load_roster(path: str, teams: list[str] | None = None, survey_scale=(1, 5), skill_scale=(1, 5),
                columns: dict | None = None, as_of=None) -> Roster:
    """Read and validate a roster CSV.

    Args:
        path: CSV file (UTF-8, a byte-order mark is accepted).
        teams: Optional list of allowed team names; any other team is a problem.
        survey_scale: (low, high) of engagement/morale/trust scores.
        skill_scale: (low, high) of skill ratings.

    Returns:
        The validated :class:`Roster`.

    Raises:
        ConfigError: Listing every problem by row and column (nothing is loaded).
    """
    text = read_sheet_text(path, "team.roster")
    return read_roster_text(text, source=str(path), teams=teams, survey_scale=survey_scale,
                            skill_scale=skill_scale, columns=columns, as_of=as_of)


def detect_delimiter(text: str) -> str:
    """The separator of a CSV text: the most frequent of ``,``, ``;`` and tab in its first non-blank line."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def number_cell(v: str, delim: str, percent: bool = False) -> float | None:
    """The number in a table cell, or None when there is none: a decimal comma (``0,8``) reads as a point
    unless the file's delimiter is a comma, and with ``percent`` a trailing ``%`` divides by 100 (``105%``
    is 1.05). The one reader of number cells (rosters, history files); callers word their own errors."""
    if _DECIMAL_COMMA.match(v.rstrip("% ")) and delim != ",":
        v = v.replace(",", ".")
    scale = 1.0
    if percent and v.endswith("%"):
        v, scale = v[:-1].strip(), 100.0
    try:
        return float(v) / scale
    except ValueError:
        return None


def _parse_date(v: str):
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return _dt.datetime.strptime(v, fmt).date()
        except ValueError:
            pass
    return None


def read_roster_text(text: str, source: str = "roster", teams: list[str] | None = None, survey_scale=(1, 5),
                     skill_scale=(1, 5), columns: dict | None = None, as_of=None) -> Roster:
    """Validate roster CSV text (see :func:`load_roster`)."""
    survey_scale = _check_scale("team.survey_scale", survey_scale)
    skill_scale = _check_scale("team.skill_scale", skill_scale)
    problems: list[str] = []
    delim = detect_delimiter(text)
    mapping = {str(k).strip(): str(v) for k, v in (columns or {}).items()}
    if as_of is not None and not isinstance(as_of, _dt.date):
        as_of = _dt.date.fromisoformat(str(as_of))
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows = [r for r in reader]
    # skip fully blank lines but keep spreadsheet row numbers
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(c.strip() for c in r)]
    if not numbered:
        raise ConfigError(f"roster {source}: the file is empty; it needs a header row with at least rep_id")
    header_line, header = numbered[0]
    original = [h.strip() for h in header]
    for h in mapping:
        if h not in original:
            problems.append(f"row {header_line}: the column mapping names {h!r}, which is not a header of the file"
                            f"{did_you_mean(h, original) or '.'} Headers: {', '.join(original)}")
    header = [mapping.get(h, h) for h in original]
    data = numbered[1:]
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        col_ref = f"column {j + 1}"
        if not h:
            problems.append(f"row {header_line}, {col_ref}: empty column name")
            continue
        if h == "ignore":
            continue
        if h in seen:
            problems.append(f"row {header_line}, column {h}: the column appears twice")
        seen[h] = j
        if h not in COLUMNS:
            hint = did_you_mean(h, COLUMNS)
            problems.append(f"row {header_line}, column {h}: unknown column{hint or '.'} Allowed: {', '.join(COLUMNS)}."
                            f" To keep your header, map it in the scenario: team.columns: {{\"{h}\": <column>}}"
                            f" (or ignore)")
    if "start_date" in seen:
        if "tenure_months" in seen or "tenure_weeks" in seen:
            problems.append(f"row {header_line}, column start_date: give start_date or a tenure column, not both")
        if as_of is None:
            problems.append(f"row {header_line}, column start_date: give the export date as team.as_of "
                            f"(e.g. {_dt.date.today().isoformat()}) so the tenure is the same in every run")
    if "rep_id" not in seen:
        problems.append(f"row {header_line}, column rep_id: required column is missing")
    if "tenure_months" in seen and "tenure_weeks" in seen:
        problems.append(f"row {header_line}, columns tenure_months and tenure_weeks: give one of them, not both")
    if "engagement" in seen and "morale" in seen:
        problems.append(f"row {header_line}, columns engagement and morale: give one of them, not both")
    if not data:
        problems.append(f"row {header_line + 1}: the roster has no reps (only a header)")
    n = len(data)
    cols = [h for h in header if h in COLUMNS]
    values = {c: np.full(n, np.nan) for c in cols if COLUMNS[c][0] not in ("text", "info", "date")}
    if "start_date" in cols:
        values["tenure_weeks"] = np.full(n, np.nan)
    text_cols = {c: [""] * n for c in cols if COLUMNS[c][0] == "info"}
    ids: list[str] = []
    team_of: list[str] = []
    first_row: dict[str, int] = {}
    allowed_teams = None if teams is None else [str(t) for t in teams]
    for i, (line, rec) in enumerate(data):
        if len(rec) > len(header):
            extra = [c for c in rec[len(header):] if c.strip()]
            if extra:
                problems.append(f"row {line}: {len(rec)} cells but the header has {len(header)} columns")
        cell = {h: (rec[j].strip() if j < len(rec) else "") for h, j in seen.items()}
        is_open = cell.get("status", "").lower() == "open"
        for c in cols:
            kind, lo, hi, meaning = COLUMNS[c]
            v = cell.get(c, "")
            where = f"row {line}, column {c}"
            if kind == "text":
                if c == "rep_id":
                    if not v:
                        problems.append(f"{where}: missing value; every row needs a rep id")
                    elif v in first_row:
                        problems.append(f"{where}: duplicate rep id {v!r} (first seen in row {first_row[v]})")
                    else:
                        first_row[v] = line
                    ids.append(v)
                else:  # team
                    if not v:
                        problems.append(f"{where}: missing value; give the rep's team name")
                    elif allowed_teams is not None and v not in allowed_teams:
                        problems.append(f"{where}: unknown team {v!r}; allowed: {', '.join(allowed_teams)}")
                    team_of.append(v)
            elif kind == "info":
                text_cols[c][i] = v
            elif kind == "date":
                if not v:
                    continue
                d = _parse_date(v)
                if d is None:
                    problems.append(f"{where}: {v!r} is not a date; write 2023-04-01 (year-month-day) or 01.04.2023")
                elif as_of is not None:
                    if d > as_of:
                        problems.append(f"{where}: {v} is after the export date team.as_of = {as_of.isoformat()}")
                    else:
                        values["tenure_weeks"][i] = float(round((as_of - d).days / 7.0))
            elif kind == "flag":
                lv = v.lower()
                if lv in TRUE_WORDS:
                    values[c][i] = 1.0
                elif lv in FALSE_WORDS:
                    values[c][i] = 0.0 if v else np.nan
                else:
                    problems.append(f"{where}: expected yes or no, got {v!r}")
            elif kind == "status":
                lv = v.lower()
                if lv in ("", "active"):
                    values[c][i] = 0.0
                elif lv == "open":
                    values[c][i] = 1.0
                else:
                    problems.append(f"{where}: expected active or open, got {v!r}")
            else:
                if not v:
                    continue
                if kind == "scale":
                    lo, hi = survey_scale
                elif kind == "skill":
                    lo, hi = skill_scale
                x = number_cell(v, delim, percent=c == "attainment_last_year")
                if x is None:
                    hint = decimal_comma_hint(v)
                    if not hint and v.endswith("%"):
                        hint = f" (write the number without % on the {lo:g}-{hi:g} scale)"
                    if c == "attainment_last_year" and v.endswith("%"):
                        hint = " (write 1.05 or 105% for 105%)"
                    problems.append(f"{where}: expected a number ({meaning}, {lo:g} to {hi:g}), got {v!r}{hint}")
                    continue
                if not math.isfinite(x) or x < lo or x > hi:
                    hint = " (write 1.05 for 105%)" if c == "attainment_last_year" and x > hi else ""
                    problems.append(f"{where}: {v} is out of range; allowed: {lo:g} to {hi:g} ({meaning}){hint}")
                    continue
                values[c][i] = x
        if is_open:
            for c in ("attainment_last_year", "engagement", "morale", "trust", "skill", "toxic"):
                if c in values and not np.isnan(values[c][i]) and not (c == "toxic" and values[c][i] == 0.0):
                    problems.append(f"row {line}, column {c}: an open seat (status open) has no rep; leave it empty")
    if problems:
        head = (f"roster {source}: {len(problems)} problem{'s' if len(problems) > 1 else ''} "
                f"found, nothing was loaded:")
        from .errors import MAX_PROBLEMS

        listed = problems[:MAX_PROBLEMS] + ([f"... and {len(problems) - MAX_PROBLEMS} more problems"]
                                            if len(problems) > MAX_PROBLEMS else [])
        raise ConfigError(head + "\n" + "\n".join("  - " + p for p in listed))
    if "team" in seen:
        names: list[str] = []
        for t in team_of:
            if t not in names:
                names.append(t)
        index = np.array([names.index(t) for t in team_of], dtype=int)
    else:
        names = ["team"]
        index = np.zeros(n, dtype=int)
    kept = [h for h in header if h in COLUMNS]
    kept = [("tenure_weeks" if h == "start_date" else h) for h in kept]
    return Roster(ids=ids, team_names=names, team_index=index, columns=kept,
                  values=values, text=text_cols, survey_scale=survey_scale, skill_scale=skill_scale,
                  path=str(source))

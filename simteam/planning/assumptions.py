"""The assumptions behind a decision: listed, drawn per future, varied, and their break-even values.

Every number that drives an alternative is an *assumption* with a value and a source: the
fields of planned changes (lasting gain, dip, adoption speed), the strength and chance of the
uncertain events, and model parameters the scenario names under ``assumptions:`` (plus the
quit rate, toxic harm and time to hire where they matter). :func:`list_assumptions` lists them.

A range in the scenario (``gain: {low: 0.03, high: 0.12}``, or ``{low, mode, high}`` for a
triangular distribution) is drawn once per replication from the stream ``assumption:<key>``:
replication ``r`` of every alternative draws the same value (common random numbers), so the
spread of a paired difference then mixes luck and assumption uncertainty; the luck-only run
(every assumption at its central value) separates them.

:func:`break_even` finds, by bisection on paired runs, the value of one assumption at which two
alternatives earn the same on average (the "what would it take" line).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..change import Initiative
from ..config import SimConfig, get_path
from ..fmt import fmt_number
from ..market import PRESETS
from ..streams import Streams
from .scenario import Scenario, alternative_actions, uses_leaders

__all__ = ["AssumptionValues", "apply_to_engine", "break_even", "confidence_word", "draw_values",
           "fmt_assumption", "list_assumptions"]

#: Plain words and default test ranges (factor of the value, or absolute) of change fields.
CHANGE_FIELDS = {
    "gain": ("lasting productivity gain of {id}", "pct", ("x", 0.25, 1.75)),
    "dip": ("productivity dip when a rep adopts {id}", "pct", ("x", 0.5, 1.5)),
    "adoption_speed": ("how fast reps take up {id} (x model speed)", "x", ("abs", 0.5, 2.0)),
}
EVENT_LABELS = {"competitor_entry": "strength of the competitor entry {id} (win-rate drop)",
                "lead_loss": "share of leads lost in {id}", "recession": "depth of the recession {id}",
                "sudden_stop": "depth of the sudden stop {id}", "crisis": "depth of the crisis {id}"}
PARAM_DEFAULTS = {
    "people.quit_base": ("how often reps quit (weekly quit hazard)", "num", ("x", 0.5, 1.5)),
    "culture.toxic_morale": ("harm a toxic rep does to colleagues' morale", "num", ("x", 0.5, 2.0)),
    "people.hire_lag_weeks": ("time to hire into an open seat (weeks)", "int", ("abs", 3, 12)),
}

#: Leader assumptions listed (and varied) when the scenario acts on leaders: path -> (label, fmt, test range,
#: the actions that make it matter). Their sources are the parameters' own (simteam.leaders.LeadersConfig).
LEADER_PARAMS = {
    "leaders.peter_slope": ("skill as a manager a promoted rep loses per doubling of their sales pace over the "
                            "team's (Peter principle)", "num", ("abs", 0.0, 0.3), ("promote",)),
    "leaders.hire_weeks": ("time to hire an outside manager (weeks)", "int", ("abs", 6, 26),
                           ("hire_leader", "leader_leaves")),
    "leaders.promote_share": ("chance that a vacated manager post is filled from the team (else an outside hire)",
                              "pct", ("abs", 0.0, 1.0), ("leader_leaves",)),
    "leaders.successor_trust": ("reps' trust in a new manager at the start (0-1, 0.5 neutral)", "num",
                                ("abs", 0.3, 0.6), ("promote", "leader_leaves", "hire_leader")),
}

AssumptionValues = dict  #: key -> scalar (fixed in every row) or (B,) array (one value per row)


def _default(path: str) -> Any:
    return get_path(SimConfig(), path)


def list_assumptions(sc: Scenario, roster=None) -> list[dict]:
    """Every assumption that drives an alternative: key, plain label, value, range, source, test range.

    Entries: ``key``, ``label``, ``fmt`` (pct, num, int, x), ``value`` (central), ``low``/``high``/``mode``/
    ``dist`` (fixed, uniform, triangular), ``source``, ``kind`` (change, event, param), ``target``,
    ``test`` (low, high) for the sensitivity, ``drawn`` (True when drawn per future).
    """
    out: list[dict] = []
    seen: dict[str, dict] = {}
    ini0 = Initiative()
    for name in sc.names:
        for a in alternative_actions(sc, name):
            if a["action"] not in ("rollout", "new_approach"):
                continue
            for f, (label, fmt, (how, lo, hi)) in CHANGE_FIELDS.items():
                key = f"{a['id']}.{f}"
                spec = a.get("_ranges", {}).get(f)
                given = a.get(f)
                value = float(given) if given is not None else (1.0 if f == "adoption_speed" else getattr(ini0, f))
                if key in seen:
                    continue
                src = spec["source"] if spec else ("your scenario" if given is not None else
                                                   "model default (docs/model.md)")
                ent = {"key": key, "label": (spec or {}).get("label") or label.format(id=a["id"]), "fmt": fmt,
                       "value": value, "source": src, "kind": "change", "target": (a["id"], f)}
                _range(ent, spec, how, lo, hi)
                if f == "gain":
                    sd = a.get("gain_sd") if a.get("gain_sd") is not None else ini0.gain_sd
                    ent["note"] = ("this range is the only uncertainty on the gain: no extra per-future noise on top"
                                   if ent["drawn"] else
                                   f"plus per-future noise with sd {fmt_assumption(sd, 'pct')} (change.gain_sd, "
                                   f"{'your scenario' if a.get('gain_sd') is not None else 'model default'}), "
                                   "counted as luck; give a range to state the uncertainty yourself" if sd > 0 else
                                   "no per-future noise (gain_sd 0)")
                seen[key] = ent
                out.append(ent)
    events = list(sc.events) + [ev for n in sc.alternatives for ev in sc.alternatives[n].get("events", [])]
    for ev in events:
        kind = ev["kind"]
        only = [n for n in sc.alternatives if ev in sc.alternatives[n].get("events", [])]
        suffix = f" (only in {', '.join(sc.label(n) for n in only)})" if only else ""
        if kind in EVENT_LABELS:
            spec = ev.get("_ranges", {}).get("depth")
            given = ev.get("depth")
            dflt = PRESETS[kind]["depth"] if kind in PRESETS else 0.25
            ent = {"key": f"{ev['id']}.depth", "label": (spec or {}).get("label") or
                   EVENT_LABELS[kind].format(id=ev["id"]) + suffix, "fmt": "pct",
                   "value": float(given if given is not None else dflt),
                   "source": spec["source"] if spec else ("your scenario" if given is not None else
                                                          "model preset (simteam.market.PRESETS)"),
                   "kind": "event", "target": (ev["id"], "depth")}
            _range(ent, spec, "x", 0.5, 1.5, cap=1.0)
            out.append(ent)
        ent = {"key": f"{ev['id']}.probability", "label": f"chance that {ev['id']} happens{suffix}", "fmt": "pct",
               "value": float(ev["probability"]), "source": "your scenario", "kind": "event",
               "target": (ev["id"], "probability")}
        _range(ent, None, "abs", 0.0, 1.0)
        out.append(ent)
    params = dict(sc.assumptions)
    model = _model_ranges(sc, params)
    out += model
    acts = [a["action"] for n in sc.names for a in alternative_actions(sc, n)]
    toxic_roster = roster is not None and "toxic" in roster.values and np.nansum(roster.values["toxic"]) > 0
    for path, (label, fmt, rng) in PARAM_DEFAULTS.items():
        if any(p["param"] == path for p in params.values()) or any(m["target"] == path for m in model):
            continue
        if path == "culture.toxic_morale" and not (toxic_roster or "replace" in acts):
            continue
        if path == "people.hire_lag_weeks" and not {"dismiss", "replace", "hire"} & set(acts):
            continue
        params[path] = {"param": path, "value": float(_default(path)), "dist": "fixed", "low": None, "high": None,
                        "mode": None, "source": "model default (docs/model.md)", "label": label,
                        "integer": fmt == "int", "_rng": rng, "_fmt": fmt}
    leader_text = _leader_assumptions(sc, params, acts, roster) if uses_leaders(sc) else []
    for name, p in params.items():
        how, lo, hi = p.get("_rng", ("x", 0.5, 1.5))
        ent = {"key": name, "label": p.get("label") or p["param"], "fmt": p.get("_fmt", "num"),
               "value": float(p["value"]), "source": p["source"], "kind": "param", "target": p["param"],
               "integer": bool(p.get("integer"))}
        _range(ent, p if p["dist"] != "fixed" else None, how, lo, hi)
        out.append(ent)
    out += leader_text
    # the leadership style is an assumption too (listed, not varied)
    style = sc.leadership.get("style") or "balanced"
    out.append({"key": "leadership.style", "label": "how the team is led today (leadership style)", "fmt": "text",
                "value": style, "source": "your scenario" if sc.leadership.get("style") else "model default",
                "kind": "style", "target": None, "dist": "fixed", "low": None, "high": None, "mode": None,
                "test": None, "drawn": False})
    return out


def _model_ranges(sc: Scenario, params: dict) -> list[dict]:
    """The scenario's ``model_uncertainty`` table: one drawn assumption per model parameter the leader did not
    state under ``assumptions:`` (value: the model default; range from the table, relative ones scaled by it)."""
    table = getattr(sc, "model_uncertainty", "")
    if not table:
        return []
    from ..uncertainty import load_uncertainty

    cfg = SimConfig()
    stated = {p["param"] for p in params.values()}
    out = []
    for r in load_uncertainty(table, cfg).ranges:
        if r.param in stated:
            continue
        base = float(get_path(cfg, r.param))
        k = base if r.relative else 1.0
        sc_ = {f: (None if getattr(r, f) is None else k * getattr(r, f)) for f in ("low", "high", "mode", "mean")}
        lo, hi = sorted((k * x for x in r.bounds()))
        out.append({"key": r.param, "label": r.label or f"model effect {r.param}", "fmt": "num", "value": base,
                    "source": f"{table} table: {r.source}", "kind": "param", "target": r.param, "integer": False,
                    "dist": r.dist, "low": lo, "high": hi, "mode": sc_["mode"], "drawn": True, "test": None,
                    "model": True, "mean": sc_["mean"], "sd": None if r.sd is None else abs(k) * r.sd,
                    "fixed_value": None if r.value is None else k * r.value, "range_low": sc_["low"],
                    "range_high": sc_["high"]})
    return out


def _leader_assumptions(sc: Scenario, params: dict, acts: list[str], roster=None) -> list[dict]:
    """The leader assumptions: adds the leader parameters that matter to ``params`` (varied in the sensitivity)
    and returns the plain-text entries (who leads each team, how a promoted rep's skill as a manager is drawn)."""
    import dataclasses

    from ..leaders import BEHAVIOURS, LeadersConfig
    meta = {f.name: f.metadata for f in dataclasses.fields(LeadersConfig)}
    mine = sc.leaders.get("params", {})
    hires = [a for n in sc.names for a in alternative_actions(sc, n) if a["action"] == "hire_leader"]
    for path, (label, fmt, rng, used_by) in LEADER_PARAMS.items():
        field = path.split(".", 1)[1]
        if any(p["param"] == path for p in params.values()) or not set(used_by) & set(acts):
            continue
        if field == "hire_weeks" and "leader_leaves" not in acts and all(a.get("weeks_to_hire") is not None
                                                                          for a in hires):
            continue  # every hire states its own time to hire
        params[path] = {"param": path, "value": float(mine.get(field, _default(path))), "dist": "fixed",
                        "low": None, "high": None, "mode": None, "label": label, "integer": fmt == "int",
                        "source": "your scenario" if field in mine else
                        f"model default: {meta[field].get('source') or 'assumption'}", "_rng": rng, "_fmt": fmt}
    out = []

    def text(key, label, value, source):
        out.append({"key": key, "label": label, "fmt": "text", "value": value, "source": source, "kind": "style",
                    "target": None, "dist": "fixed", "low": None, "high": None, "mode": None, "test": None,
                    "drawn": False})
    teams = sc.leaders.get("teams") or {}
    if teams:
        parts = []
        for t, spec in teams.items():
            vals = ", ".join(f"{b.replace('_', ' ')} {spec[b]:g}" for b in BEHAVIOURS if b in spec)
            style = (spec.get("style") or "").replace("_", " ")
            parts.append(f"{t}: {style}{' (' + vals + ')' if style and vals else vals}")
        text("leaders.teams", "who leads each team (style or behaviours, 0-1)",
             "; ".join(parts) + ("" if roster is not None and set(roster.team_names) <= set(teams)
                                 else "; other teams: as under leadership"), "your scenario")
    if "promote" in acts:
        g = {k: float(mine.get(k, _default(f"leaders.{k}"))) for k in ("skill_mean", "peter_slope", "skill_sd")}
        text("leaders.promoted_skill", "a promoted rep's skill as a manager (0-1; 0.5: coaching and feedback as "
             "intended)", f"{g['skill_mean']:g} - {g['peter_slope']:g} x log2(the rep's sales pace / the team's) "
             f"+ a normal draw with sd {g['skill_sd']:g}, kept within 0-1: the better the seller, the weaker the "
             "coach, on average", meta["peter_slope"].get("source") or "assumption")
    if "hire_leader" in acts or "leader_leaves" in acts:
        g = {k: float(mine.get(k, _default(f"leaders.{k}"))) for k in ("skill_mean", "skill_sd", "interim_hours")}
        text("leaders.hired_skill", "an outside manager's skill as a coach, and the interim meanwhile",
             f"drawn around {g['skill_mean']:g} (sd {g['skill_sd']:g}); until the new manager arrives an interim "
             f"gives {fmt_number(g['interim_hours'], 0, percent=True)} of a manager's flexible hours", "model defaults (simteam.leaders)")
    return out


def _range(ent: dict, spec: dict | None, how: str, lo: float, hi: float, cap: float | None = None) -> None:
    if spec and spec.get("dist") in ("uniform", "triangular"):
        ent.update(dist=spec["dist"], low=spec["low"], high=spec["high"], mode=spec.get("mode"), drawn=True)
        ent["test"] = (spec["low"], spec["high"])
        return
    ent.update(dist="fixed", low=None, high=None, mode=None, drawn=False)
    v = ent["value"]
    t = (v * lo, v * hi) if how == "x" else (lo, hi)
    if cap is not None:
        t = (min(t[0], cap), min(t[1], cap))
    if ent.get("integer"):
        t = (float(round(t[0])), float(round(t[1])))
    ent["test"] = t if t[1] > t[0] else None


def draw_values(assumptions: list[dict], seeds: np.ndarray) -> AssumptionValues:
    """One value per replication of every drawn assumption, from the stream ``assumption:<key>``."""
    rng = Streams(np.asarray(seeds, dtype=np.int64))
    out = {}
    for a in assumptions:
        if not a.get("drawn"):
            continue
        u = rng.uniform(f"assumption:{a['key']}", 0, ())
        if a.get("model"):  # a model effect size from the scenario's model_uncertainty table
            from ..uncertainty import Range
            out[a["key"]] = Range(a["key"], a["dist"], a["range_low"], a["range_high"], a["mode"], a["mean"],
                                  a["sd"], a["fixed_value"]).ppf(u)
            continue
        lo, hi = a["low"], a["high"]
        if a["dist"] == "triangular":
            m = a["mode"]
            c = (m - lo) / (hi - lo)
            out[a["key"]] = np.where(u < c, lo + np.sqrt(u * (hi - lo) * (m - lo)),
                                     hi - np.sqrt((1 - u) * (hi - lo) * (hi - m)))
        else:
            out[a["key"]] = lo + u * (hi - lo)
    return out


def config_tweak(assumptions: list[dict], values: AssumptionValues):
    """A ``dict -> dict`` function setting the fixed whole-number parameters (not per row) in a config dict."""
    fixed = {a["target"]: int(round(float(values[a["key"]]))) for a in assumptions
             if a["kind"] == "param" and a.get("integer") and a["key"] in values}

    def tweak(d):
        for path, v in fixed.items():
            node = d
            parts = path.split(".")
            for part in parts[:-1]:
                node = node[part]
            node[parts[-1]] = v
        return d
    return tweak if fixed else None


def engine_overrides(assumptions: list[dict], values: AssumptionValues, B: int) -> dict:
    """Per-row model parameters (``Engine(overrides=...)``) of the param assumptions in ``values``."""
    return {a["target"]: np.broadcast_to(np.asarray(values[a["key"]], dtype=float), (B,)).copy()
            for a in assumptions if a["kind"] == "param" and not a.get("integer") and a["key"] in values}


def apply_to_engine(e, assumptions: list[dict], values: AssumptionValues, policies: list) -> None:
    """Set the change and event assumptions in ``values`` on a built engine (per row) and its policies."""
    by_key = {a["key"]: a for a in assumptions}
    names = [i.name for i in e.cfg.change.initiatives]
    for key, v in values.items():
        a = by_key.get(key)
        if a is None:
            continue
        rows = np.broadcast_to(np.asarray(v, dtype=float), (e.B,)).copy()
        if a["kind"] == "change":
            aid, f = a["target"]
            if aid not in names:
                continue
            k = names.index(aid)
            ini, cfg_ini = e.p.change.initiatives[k], e.cfg.change.initiatives[k]
            if f == "adoption_speed":
                # the compiled p and q include the central speed; rescale to the row's speed
                central = a["value"] if a["value"] else 1.0
                for c in ("p", "q"):
                    setattr(ini, c, np.minimum(getattr(cfg_ini, c) / central * rows, 10.0)[:, None])
            else:
                setattr(ini, f, rows[:, None])
        elif a["kind"] == "event" and a["target"][1] == "depth":
            for pol in policies:
                if getattr(pol, "ev", {}).get("id") == a["target"][0]:
                    pol.depth_rows = rows


def confidence_word(share: float, lo: float | None = None) -> str:
    """Plain words for how often an option wins: clear only from 90% (and an interval above zero)."""
    if share >= 0.9 and (lo is None or lo > 0):
        return "clear"
    if share >= 0.75:
        return "likely"
    if share >= 0.6:
        return "a lean, not a sure thing"
    if share > 0.4:
        return "too close to call"
    return "unlikely"


def break_even(gap, lo: float, hi: float, f_lo: float | None = None, f_hi: float | None = None,
               tol: float | None = None, max_iter: int = 12) -> dict:
    """Bisection for the value ``x`` in [lo, hi] at which ``gap(x)`` (a mean paired difference) is zero.

    Returns ``{"status": "crossing", "value": x, "increasing": bool, "evaluations": n}`` or
    ``{"status": "above" | "below", ...}`` when ``gap`` keeps one sign over the range (above: always > 0).
    """
    f_lo = gap(lo) if f_lo is None else f_lo
    f_hi = gap(hi) if f_hi is None else f_hi
    n = 0
    if f_lo > 0 and f_hi > 0:
        return {"status": "above", "f_lo": f_lo, "f_hi": f_hi, "evaluations": n}
    if f_lo <= 0 and f_hi <= 0:
        return {"status": "below", "f_lo": f_lo, "f_hi": f_hi, "evaluations": n}
    tol = tol if tol is not None else (hi - lo) / 2 ** max_iter
    a, b, fa, fb = lo, hi, f_lo, f_hi
    while b - a > tol and n < max_iter:
        m = 0.5 * (a + b)
        fm = gap(m)
        n += 1
        if (fm > 0) == (fa > 0):
            a, fa = m, fm
        else:
            b, fb = m, fm
    x = a - fa * (b - a) / (fb - fa) if fb != fa else 0.5 * (a + b)  # last step: the secant inside [a, b]
    return {"status": "crossing", "value": float(x), "increasing": bool(f_hi > f_lo), "evaluations": n,
            "f_lo": f_lo, "f_hi": f_hi, "bracket": (a, b)}


def _the(label: str) -> str:
    """``the <label>``, except for labels that read as a question ("how often reps quit")."""
    return label if label.split(" ", 1)[0] in ("how", "what", "when", "whether", "chance") else f"the {label}"


def fmt_assumption(x: float, fmt: str) -> str:
    """An assumption's value in plain form (shares as percent)."""
    if fmt == "pct":
        return fmt_number(x, 1, percent=True)
    if fmt == "int":
        return fmt_number(x, 0)
    if fmt == "x":
        return fmt_number(x, 2) + "x"
    return fmt_number(x, 4 if abs(x) < 0.1 else 2)

"""The stored baseline: a few summary figures and a hash of every output for six small configurations.

The rule: results are reproducible within a version. The same code, configuration and seed
give the same summary table and weekly series bit for bit (in any batch size, chunking or
process count). A change that moves any number is allowed, but only deliberately: rewrite
the baseline in the same commit and give the reason in the commit message::

    python -m simteam.baseline            # compare with tests/baseline.yaml (exit 1 if anything moved)
    python -m simteam.baseline --update   # rewrite it, printing what changed

``tests/test_baseline.py`` runs the comparison. The file holds, per case, the means of the main
summary columns (exact float repr, NaN-aware) and a sha256 of the whole output: every summary
column and every weekly series, in sorted name order, each as its name followed by its values as
little-endian float64 bytes (C order, every NaN written as the one canonical NaN). The hash is
exact, so floating-point differences between platforms (CPU vector units, numpy or numba
versions) also show; the file records where it was written.

This is a core module: it imports only the engine's own modules (no Hydra, no application).
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .io import write_text

__all__ = ["CASES", "FIGURES", "DEFAULT_PATH", "compute", "load", "compare", "format_changes", "update", "main"]

#: Where the baseline lives (the repository's tests folder).
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "tests" / "baseline.yaml"

#: Summary columns whose mean over the rows is stored as a readable figure.
FIGURES = ("revenue", "deals", "turnover_annual", "quota_share", "top20_revenue_share", "morale_final",
           "trust_final", "skill_final", "stress_final", "adoption_final", "toxic_final", "headcount_final",
           "drawdown", "recovery_weeks")


def _default():
    from .sim import configure
    return configure(weeks=52)


def _recession_cut_and_push():
    from .sim import configure
    return configure(market="recession", crisis="cut_and_push", weeks=104)


def _change_rollout():
    from .sim import configure
    return configure(weeks=78, change={"initiatives": [{"name": "crm", "start_week": 8, "pilot_share": 0.25,
                                                        "pilot_weeks": 8, "mandate_week": 40, "training": 0.3}],
                                       "regroup_weeks": [60]})


def _toxic_culture():
    from .sim import configure
    return configure(weeks=52, team__initial_toxic=2, leadership__toxic_tolerance=0.9, culture__spread_rate=0.08,
                     events=[{"kind": "toxic_hire", "week": 10}])


def _multi_team_region():
    from .sim import configure
    return configure(weeks=52, team__n_teams=4, team__team_size=8, team__graph="sbm", style="coaching")


def _uncertain_events():
    # what a scenario compiles to: a certain market event (lead-flow shock) and uncertain events with a
    # probability drawn per replication (a crisis that may come, a top performer who may leave)
    from .sim import configure
    return configure(weeks=52, market="lead_loss", crisis="pivot",
                     events=[{"kind": "crisis", "week": 20, "value": 0.3, "probability": 0.5},
                             {"kind": "lose_top_performer", "week": 30, "probability": 0.4}])


#: name -> (config builder, replications, seed)
CASES: dict[str, tuple[Callable[[], Any], int, int]] = {
    "default": (_default, 4, 0),
    "recession_cut_and_push": (_recession_cut_and_push, 3, 100),
    "change_rollout": (_change_rollout, 3, 200),
    "toxic_culture": (_toxic_culture, 4, 300),
    "multi_team_region": (_multi_team_region, 3, 400),
    "uncertain_events": (_uncertain_events, 6, 500),
}


def _canonical(x) -> bytes:
    a = np.ascontiguousarray(np.asarray(x, dtype="<f8"))
    a = np.where(np.isnan(a), np.float64(np.nan), a).astype("<f8")  # one NaN bit pattern
    return a.tobytes(order="C")


def output_hash(res) -> str:
    """sha256 of every summary column and weekly series of a :class:`simteam.Results` (sorted names)."""
    h = hashlib.sha256()
    for name in sorted(res.summary.columns):
        h.update(f"summary:{name}:".encode())
        h.update(_canonical(res.summary[name].to_numpy(dtype=float)))
    for name in sorted(res.series):
        h.update(f"series:{name}:".encode())
        h.update(_canonical(res.series[name]))
    return h.hexdigest()


def _figures(res) -> dict[str, float]:
    out = {}
    for c in FIGURES:
        x = res.summary[c].to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        out[c] = float(np.cumsum(x)[-1] / x.size) if x.size else float("nan")
    return out


def compute(cases=None) -> dict[str, dict]:
    """Run every case; name -> {replications, seed, figures, sha256}."""
    from .sim import run
    out = {}
    for name in cases or CASES:
        build, reps, seed = CASES[name]
        res = run(build(), replications=reps, seed=seed)
        out[name] = {"replications": reps, "seed": seed, "figures": _figures(res), "sha256": output_hash(res)}
    return out


def _platform() -> dict[str, str]:
    import numba
    return {"machine": platform.machine(), "python": platform.python_version(), "numpy": np.__version__,
            "numba": numba.__version__}


def load(path: Path | str = DEFAULT_PATH) -> dict:
    import yaml
    with open(path) as f:
        return yaml.safe_load(f) or {}


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


def compare(stored: dict, current: dict) -> list[tuple[str, str, Any, Any]]:
    """Differences as (case, item, stored, current); empty when everything is the same."""
    out = []
    old_cases = stored.get("cases", {})
    for name in sorted(set(old_cases) | set(current)):
        old, new = old_cases.get(name), current.get(name)
        if old is None or new is None:
            out.append((name, "(case)", "absent" if old is None else "present", "absent" if new is None else "present"))
            continue
        for k in ("replications", "seed"):
            if old.get(k) != new[k]:
                out.append((name, k, old.get(k), new[k]))
        of, nf = old.get("figures", {}), new["figures"]
        for k in sorted(set(of) | set(nf)):
            if not _same(of.get(k), nf.get(k)):
                out.append((name, k, of.get(k), nf.get(k)))
        if old.get("sha256") != new["sha256"]:
            out.append((name, "sha256", old.get("sha256"), new["sha256"]))
    return out


def _rel(a, b) -> str:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return ""
    if np.isnan(a) or np.isnan(b):
        return ""
    return f"{(b - a) / abs(a):+.3e}" if a else f"{b - a:+.3e}"


def format_changes(changes, stored_platform: dict | None = None) -> str:
    """A plain-text table of what moved."""
    if not changes:
        return "baseline: nothing moved"
    rows = [("case", "item", "stored", "now", "relative")]
    for name, item, old, new in changes:
        short = (lambda v: v[:12] if isinstance(v, str) and len(v) == 64 else repr(v))
        rows.append((name, item, short(old), short(new), _rel(old, new)))
    w = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * x for x in w))
    if stored_platform and stored_platform != _platform():
        lines.append(f"(the baseline was written on {stored_platform}; this is {_platform()})")
    return "\n".join(lines)


def update(path: Path | str = DEFAULT_PATH, current: dict | None = None) -> list:
    """Rewrite the baseline file; returns the changes against the previous one."""
    import yaml
    path = Path(path)
    current = compute() if current is None else current
    stored = load(path) if path.exists() else {}
    changes = compare(stored, current)
    doc = {"rule": "rewrite only on purpose: python -m simteam.baseline --update, with the reason in the commit message",
           "platform": _platform(), "cases": current}
    text = "# Stored baseline of simteam's outputs (see simteam/baseline.py). Do not edit by hand.\n"
    text += yaml.safe_dump(doc, sort_keys=False, width=120)
    write_text(text, path)
    return changes


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m simteam.baseline", description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="rewrite the baseline file (on purpose)")
    ap.add_argument("--path", default=str(DEFAULT_PATH), help="baseline file (default: %(default)s)")
    a = ap.parse_args(argv)
    if a.update:
        changes = update(a.path)
        print(format_changes(changes))
        print(f"wrote {a.path}" + ("" if changes else " (unchanged)"))
        return 0
    stored = load(a.path)
    changes = compare(stored, compute())
    print(format_changes(changes, stored.get("platform")))
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main())

"""Check that this tree gives bit-identical results to another commit (for speed-only changes).

    python benchmarks/exact_check.py                 # against HEAD (uncommitted changes move nothing?)
    python benchmarks/exact_check.py --against HEAD~3

The numbers themselves are pinned by the stored baseline (``tests/baseline.yaml``, rewritten on purpose
with ``python -m simteam.baseline --update``); this script is the stricter check for a change meant to
move nothing at all (speed, refactoring), over more configurations and every output array.

Runs a fixed set of configurations (markets and crisis responses, a rollout with a regroup and a
toxic rep, complete / small-world / SBM graphs, mechanisms switched off, a parameter sweep and a
multi-team organisation with per-rep panels) here and in a temporary git worktree of the other
commit, each in its own process, and compares every summary column, weekly series and panel
array exactly. Exit status 0 when all are identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Default commit to compare with: the last one (so the check covers the uncommitted changes).
DEFAULT_AGAINST = "HEAD"

CASES = {
    "recession_pivot": lambda s: s.run(s.configure(market="recession", crisis="pivot"), replications=30, seed=3,
                                       weeks=104),
    "rollout_regroup_toxic": lambda s: s.run(s.configure(
        team__initial_toxic=1, style="command_and_control",
        change={"initiatives": [dict(name="crm", kind="tool", start_week=13, training=0.2, pilot_share=0.0,
                                     pilot_weeks=0, mandate_week=30, support=0.5)], "regroup_weeks": [40]}),
        replications=20, seed=5, weeks=104, panel=True),
    "sudden_stop_cut_and_push": lambda s: s.run(s.configure(market="sudden_stop", crisis="cut_and_push"),
                                                replications=20, seed=11, weeks=104),
    "competitor_data_driven": lambda s: s.run(s.configure(market="competitor_entry", style="data_driven"),
                                              replications=20, seed=1, weeks=104),
    "sweep": lambda s: s.run_points(s.configure(weeks=156), {
        "leadership.coaching": [i / 7 for i in range(8)], "leadership.inspiration": [1 - i / 7 for i in range(8)],
        "leadership.data_orientation": [0.2 + 0.1 * i for i in range(8)]}, replications=5, seed=0),
    "complete_teams": lambda s: s.run(s.configure(team__graph="complete", team__n_teams=3, team__team_size=7,
                                                  team__initial_toxic=2, market="recession", crisis="cut_and_push",
                                                  style="coaching"), replications=10, seed=2, weeks=80, panel=True),
    "complete_one_team": lambda s: s.run(s.configure(team__graph="complete", team__initial_toxic=1,
                                                     style="laissez_faire"), replications=12, seed=9, weeks=80),
    "sbm_switches_off": lambda s: s.run(s.configure(team__graph="sbm", team__n_teams=4, team__team_size=6, mechanisms={
        "cohesion": False, "recognition": False, "allocation_noise": False, "stress": False}),
        replications=6, seed=4, weeks=60),
    "more_switches_off": lambda s: s.run(s.configure(mechanisms={
        "mood_noise": False, "contagion": False, "peer_learning": False, "toxicity": False,
        "trust_dynamics": False, "ramp": False, "effort": False}), replications=6, seed=4, weeks=60),
    "organisation_panel": lambda s: s.run(s.configure(team__n_teams=50, team__team_size=10, weeks=60),
                                          replications=2, seed=7, panel=True),
}


def produce(root: str, out: str) -> None:
    """Run every case with the simteam found under ``root``; pickle plain arrays to ``out``."""
    sys.path.insert(0, root)
    import simteam
    assert Path(simteam.__file__).resolve().is_relative_to(Path(root).resolve()), simteam.__file__
    results = {}
    for name, case in CASES.items():
        res = case(simteam)
        results[name] = {"summary": res.summary, "series": {k: v.copy() for k, v in res.series.items()},
                         "panel": dict(res.panel_arrays) if res.panel_arrays is not None else None}
    with open(out, "wb") as f:
        pickle.dump(results, f)


def compare(a: dict, b: dict) -> list[str]:
    import numpy as np
    import pandas as pd
    problems = []
    for name in CASES:
        x, y = a[name], b[name]
        try:
            pd.testing.assert_frame_equal(x["summary"], y["summary"], check_exact=True)
        except AssertionError as e:
            problems.append(f"{name}: summary differs: {str(e).splitlines()[0]}")
        for k in x["series"]:
            if not np.array_equal(x["series"][k], y["series"][k], equal_nan=True):
                problems.append(f"{name}: weekly series {k!r} differs")
        for k in (x["panel"] or {}):
            if not np.array_equal(x["panel"][k], y["panel"][k]):
                problems.append(f"{name}: panel {k!r} differs")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default=DEFAULT_AGAINST, help=f"git commit to compare with (default {DEFAULT_AGAINST})")
    ap.add_argument("--produce", nargs=2, metavar=("ROOT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.produce:
        produce(*args.produce)
        return 0
    with tempfile.TemporaryDirectory(prefix="simteam-exact-") as tmp:
        other = os.path.join(tmp, "other")
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", other, args.against], check=True)
        try:
            outs = {}
            for label, root in (("this tree", str(ROOT)), (args.against, other)):
                out = os.path.join(tmp, f"{len(outs)}.pkl")
                print(f"running {len(CASES)} configurations with {label} ...", flush=True)
                subprocess.run([sys.executable, __file__, "--produce", root, out], check=True, cwd=tmp)
                with open(out, "rb") as f:
                    outs[label] = pickle.load(f)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", other], check=False)
        problems = compare(*outs.values())
    if problems:
        print("\n".join(problems))
        return 1
    print(f"identical: {len(CASES)} configurations, every summary column, weekly series and panel array")
    return 0


if __name__ == "__main__":
    sys.exit(main())

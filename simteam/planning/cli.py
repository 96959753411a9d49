"""``python -m simteam.planning SCENARIO.yaml --out DIR`` (and ``--check``): the command line of scenario planning.

Imports stay inside :func:`main`: ``--check`` loads only the scenario and checking modules
(:mod:`.checks`), not the engine, the report or pandas, so it answers fast; a full run imports
:mod:`.plan`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """``python -m simteam.planning SCENARIO.yaml --out DIR [--replications R] [--seed S]``."""
    from ..errors import OneLineParser

    ap = OneLineParser(prog="python -m simteam.planning",
                                 description="Run a scenario's alternatives on the same seeds and write a "
                                             "decision report (report.html, figures, results.csv).")
    ap.add_argument("scenario", help="scenario YAML file (e.g. simteam/conf/scenario/example_rollout.yaml)")
    ap.add_argument("--out", default=None, help="output folder (default: outputs/plan-<scenario name>)")
    ap.add_argument("--replications", type=int, default=None, help="replications per alternative")
    ap.add_argument("--seed", type=int, default=None, help="base seed")
    ap.add_argument("--no-sensitivity", action="store_true", help="skip the sensitivity analysis")
    ap.add_argument("--no-pdf", action="store_true",
                    help="do not print the one-page summary to summary.pdf (needs headless Chromium)")
    ap.add_argument("--check", action="store_true",
                    help="only validate the scenario and the roster (every problem at once), do not simulate")
    args = ap.parse_args(argv)
    from ..config import ConfigError
    from .scenario import load_scenario

    if args.check:
        from .checks import check

        try:
            sc = load_scenario(args.scenario)
            roster = check(sc)
        except ConfigError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"ok: scenario {args.scenario}: {len(sc.names)} alternatives ({', '.join(sc.label(n) for n in sc.names)})"
              + (f", roster {roster.path}: {roster.n} seats in {len(roster.team_names)} teams"
                 if roster is not None else ""))
        return 0
    try:
        if args.replications is not None and args.replications < 2:
            raise ConfigError(f"--replications: {args.replications} is too small; allowed: 2 or more")
        if args.seed is not None and args.seed < 0:
            raise ConfigError(f"--seed: {args.seed} is not allowed; allowed: a whole number >= 0")
        from ..errors import terminate_as_interrupt

        sc = load_scenario(args.scenario)
        out = args.out or os.path.join("outputs", f"plan-{Path(args.scenario).stem}")
        from .planner import plan

        with terminate_as_interrupt():  # SIGTERM like Ctrl+C: no half-written report
            res = plan(sc, out, replications=args.replications, seed=args.seed,
                       run_sensitivity=False if args.no_sensitivity else None, echo=print,
                       pdf=not args.no_pdf)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one route for user errors (simteam.errors): one line, exit 2
        from ..errors import debug, is_user_error, message

        if debug() or not is_user_error(e):
            raise
        print(f"error: {message(e)}", file=sys.stderr)
        return 2
    from .planner import print_summary

    print_summary(res)
    return 0

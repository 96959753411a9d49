"""The role-ambiguity numbers of docs/model.md 7.4 ("Role ambiguity") and docs/comparisons.md.

Recession market, hold-steady crisis response, 104 weeks, paired on seeds 0.. (common random numbers):

1. Named styles against balanced (200 replications), with `mechanisms.role_ambiguity` off and on: turnover and
   revenue differences and the final stress; for laissez-faire and command-and-control also with their
   accountability set to 0.5 (switch off), the check of what carried their turnover penalties.
2. Accountability 0, 0.25, 0.75 and 1 against 0.5 on the balanced profile (100 replications), switch off and on:
   the "nobody held accountable" artefact and the inverted U.

    python experiments/role_ambiguity.py            # about 15 s on 2 cores
"""

from __future__ import annotations

import time

import simteam


def run(style: str, reps: int, **kw):
    cfg = simteam.configure(style=style, market="recession", crisis="hold_steady", weeks=104, replications=reps,
                            **kw)
    return simteam.run(cfg, processes=2).summary


def diff(base, other, col: str) -> str:
    d = simteam.paired_difference(base[col], other[col])
    if col == "turnover_annual":
        return f"{100 * d['mean']:+.1f} pp [{100 * d['lo']:+.1f}, {100 * d['hi']:+.1f}]"
    if col == "revenue":
        return f"{d['mean']:+,.0f} k$ [{d['lo']:+,.0f}, {d['hi']:+,.0f}]"
    return f"{d['mean']:+.3f}"


def main() -> None:
    t0 = time.perf_counter()
    print("1. named styles against balanced (200 paired replications)")
    for ambiguity in (False, True):
        sw = {"mechanisms__role_ambiguity": ambiguity}
        base = run("balanced", 200, **sw)
        for style in ("command_and_control", "laissez_faire", "coaching", "servant", "data_driven"):
            s = run(style, 200, **sw)
            print(f"  role_ambiguity={ambiguity!s:5} {style:20} turnover {diff(base, s, 'turnover_annual')}  "
                  f"revenue {diff(base, s, 'revenue')}  stress {diff(base, s, 'stress_final')}")
        if not ambiguity:
            for style in ("command_and_control", "laissez_faire"):
                s = run(style, 200, leadership__accountability=0.5, **sw)
                print(f"  role_ambiguity=False {style:20} accountability 0.5: turnover "
                      f"{diff(base, s, 'turnover_annual')}  revenue {diff(base, s, 'revenue')}")
    print("2. accountability against 0.5, balanced profile (100 paired replications)")
    for ambiguity in (False, True):
        sw = {"mechanisms__role_ambiguity": ambiguity}
        base = run("balanced", 100, leadership__accountability=0.5, **sw)
        for a in (0.0, 0.25, 0.75, 1.0):
            s = run("balanced", 100, leadership__accountability=a, **sw)
            print(f"  role_ambiguity={ambiguity!s:5} accountability {a:4}: revenue {diff(base, s, 'revenue')}  "
                  f"turnover {diff(base, s, 'turnover_annual')}  stress {diff(base, s, 'stress_final')}")
    print(f"{time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()

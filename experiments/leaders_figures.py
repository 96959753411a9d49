"""Leaders as agents (issue 14): the figures and table of docs/model.md §7.14.

1. ``docs/figures/leaders_free_lunch.png`` (+ ``.csv``): revenue, annual turnover and leader exits of
   the balanced, coaching and servant styles and of "every behaviour at its maximum", without
   (mechanisms.leaders off: behaviours cost nothing) and with leaders as agents (time budget, stress,
   succession); 200 paired replications, two years, stable market, the default 12-rep team; each
   profile's revenue also paired against the coaching style (``revenue_vs_coaching`` +- ``_half``, the
   95% half-width) and the share of weeks a post is vacant.
2. ``docs/figures/leaders_span_of_control.png``: coaching hours per rep and the effective coaching
   level against team size, for the balanced and the coaching style (one leader, 26 weeks).
3. ``docs/figures/leaders_succession.png``: paired difference in team trust and cumulative quits after
   the leader leaves in week 20 (outside hire after 13 weeks; 400 replications).
4. The head of sales paragraph ("Measured"): a recession, 3 teams of 10 with a coaching, a laissez-faire and a
   command-and-control leader, two years, 200 paired replications: when the head orders a freeze, how
   much later each team stops hiring, how much pressure each leader relays in the second year, and the
   freeze against the same head that never freezes (``freeze_at`` = 1.01); the reps' final stress against
   the same organisation without a head of sales.

    python experiments/leaders_figures.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import simteam
from simteam.engine import Engine
from simteam.io import write_csv, write_figure
from simteam.leaders import BEHAVIOURS
from simteam.leadership import STYLES
from simteam.plotting import new_figure
from simteam.results import paired_difference

OUT = Path(__file__).resolve().parent.parent / "docs" / "figures"
ALL_MAX = {b: 1.0 for b in ("inspiration", "recognition", "feedback", "coaching", "communication", "accountability",
                            "fairness", "data_orientation", "decision_speed", "learning_support")}
ALL_MAX["toxic_tolerance"] = 0.0
PROFILES = {"balanced": {}, "coaching": dict(STYLES["coaching"]), "servant": dict(STYLES["servant"]),
            "every behaviour at max": ALL_MAX}


def free_lunch(R: int = 200) -> pd.DataFrame:
    rows = []
    for on in (False, True):
        base = None
        runs = {name: simteam.run(simteam.configure(weeks=104, market="stable", leadership=lead,
                                                    mechanisms={"leaders": on}), replications=R, seed=1).summary
                for name, lead in PROFILES.items()}
        coach = runs["coaching"]
        for name, s in runs.items():
            if base is None:
                base = s
            d = paired_difference(base.revenue.to_numpy(), s.revenue.to_numpy())
            dc = paired_difference(coach.revenue.to_numpy(), s.revenue.to_numpy())
            rows.append({"leaders_as_agents": on, "profile": name, "revenue": s.revenue.mean(),
                         "revenue_vs_balanced": s.revenue.mean() / base.revenue.mean() - 1,
                         "revenue_diff_lo": d["lo"] / base.revenue.mean(),
                         "revenue_diff_hi": d["hi"] / base.revenue.mean(),
                         "turnover_annual": s.turnover_annual.mean(), "quota_share": s.quota_share.mean(),
                         "leader_exits_per_year": s.leader_exits.mean() / 2 if on else np.nan,
                         "leader_stress": s.leader_stress.mean() if on else np.nan,
                         "leader_overload": s.leader_overload.mean() if on else np.nan,
                         "leader_vacant_share": s.leader_vacant_share.mean() if on else np.nan,
                         "revenue_vs_coaching": dc["mean"] / coach.revenue.mean(),
                         "revenue_vs_coaching_half": (dc["hi"] - dc["lo"]) / 2 / coach.revenue.mean()})
    df = pd.DataFrame(rows)
    fig = new_figure(figsize=(12, 3.6))
    axes = fig.subplots(1, 3)
    names = list(PROFILES)
    x = np.arange(len(names))
    for j, on in enumerate((False, True)):
        sub = df[df.leaders_as_agents == on].set_index("profile").loc[names]
        lab = "leaders as agents" if on else "behaviours cost nothing (v1)"
        err = np.vstack([sub.revenue_vs_balanced - sub.revenue_diff_lo, sub.revenue_diff_hi - sub.revenue_vs_balanced])
        axes[0].bar(x + (j - 0.5) * 0.38, 100 * sub.revenue_vs_balanced, 0.38, yerr=100 * err, label=lab)
        axes[1].bar(x + (j - 0.5) * 0.38, 100 * sub.turnover_annual, 0.38, label=lab)
        if on:
            axes[2].bar(x, sub.leader_exits_per_year, 0.5, color="C1")
    axes[0].set_title("Revenue vs balanced (%, paired 95% CI)", fontsize=10)
    axes[1].set_title("Annual rep turnover (%)", fontsize=10)
    axes[2].set_title("Leader exits per team and year", fontsize=10)
    for a in axes:
        a.set_xticks(x)
        a.set_xticklabels([n.replace("every behaviour at max", "all at max") for n in names], fontsize=8)
        a.grid(alpha=0.3, axis="y")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    write_figure(fig, OUT / "leaders_free_lunch.png")
    write_csv(df.round(4), OUT / "leaders_free_lunch.csv")
    return df


def span_of_control(sizes=(4, 6, 8, 10, 12, 15, 18, 24, 30)) -> pd.DataFrame:
    rows = []
    for style in ("balanced", "coaching"):
        for n in sizes:
            cfg = simteam.configure(weeks=26, market="stable", team={"team_size": n}, mechanisms={"leaders": True},
                                    leaders={"styles": [style], "skill_sd": 0.0})
            e = Engine(cfg, seeds=np.arange(20))
            e.run()
            rows.append({"style": style, "team_size": n, "coaching_hours_per_rep": e.leaders.coaching_per_rep.mean(),
                         "coaching_effective": e.leaders.eff[:, :, BEHAVIOURS.index("coaching")].mean(),
                         "leader_stress": e.leaders.stress.mean()})
    df = pd.DataFrame(rows)
    fig = new_figure(figsize=(8, 3.2))
    a, b = fig.subplots(1, 2)
    for style, g in df.groupby("style"):
        a.plot(g.team_size, g.coaching_hours_per_rep, "o-", label=style)
        b.plot(g.team_size, g.coaching_effective, "o-", label=f"{style} (intended {STYLES[style]['coaching']})")
    a.set_title("Coaching hours per rep and week", fontsize=10)
    b.set_title("Effective coaching level", fontsize=10)
    for ax in (a, b):
        ax.set_xlabel("reps in the team")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    write_figure(fig, OUT / "leaders_span_of_control.png")
    return df


def succession(R: int = 400) -> dict:
    base = simteam.configure(weeks=78, market="stable", mechanisms={"leaders": True},
                             leaders={"exit_base": 0.0, "promote_share": 0.0})
    ev = simteam.config.from_dict({"events": [{"kind": "leader_leaves", "week": 20, "value": 0}]}, base=base)
    a, b = Engine(base, seeds=np.arange(R)), Engine(ev, seeds=np.arange(R))
    a.run()
    b.run()
    dt = b.series["trust"] - a.series["trust"]
    dq = np.cumsum(b.series["quits"] - a.series["quits"], axis=0)
    fig = new_figure(figsize=(8, 3.2))
    ax1, ax2 = fig.subplots(1, 2)
    w = np.arange(dt.shape[0])
    for ax, d, title in ((ax1, dt, "Team trust: leader leaves minus stays"),
                         (ax2, dq, "Cumulative extra quits")):
        m = d.mean(axis=1)
        half = 1.96 * d.std(axis=1, ddof=1) / np.sqrt(R)
        ax.plot(w, m)
        ax.fill_between(w, m - half, m + half, alpha=0.3, lw=0)
        ax.axvline(20, color="k", lw=0.8, ls="--")
        ax.axvline(33, color="C2", lw=0.8, ls=":")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("week (exit at 20, successor at 33)")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    write_figure(fig, OUT / "leaders_succession.png")
    return {"trust_week20": dt[20].mean(), "trust_20_50": dt[20:50].mean(), "extra_quits_by_50": dq[50].mean(),
            "extra_quits_by_77": dq[-1].mean()}


def head_of_sales(R: int = 200) -> dict:
    """The numbers of the head-of-sales paragraph (docs/model.md, "The head of sales as an agent")."""
    styles = ["coaching", "laissez_faire", "command_and_control"]
    kw = dict(weeks=104, market="recession", team={"n_teams": 3, "team_size": 10},
              mechanisms={"leaders": True, "head_of_sales": True}, leaders={"styles": styles})
    cfg = simteam.configure(**kw)
    seeds = np.arange(1, R + 1)
    e = Engine(cfg, seeds=seeds)
    order = np.full(R, np.inf)
    stop = np.full((R, len(styles)), np.inf)
    relay, press = [], []
    for t in range(cfg.weeks):
        e.step()
        h = e.head_of_sales
        order = np.where(h.freeze[:, 0] & np.isinf(order), t, order)
        stop = np.where(h.frozen & np.isinf(stop), t, stop)
        if t >= 52:
            relay.append(h.relay_pressure.copy())
            press.append(h.pressure[:, 0].copy())
    ok = np.isfinite(order)
    lag = {s: float(np.mean(stop[ok & np.isfinite(stop[:, i]), i] - order[ok & np.isfinite(stop[:, i])]))
           for i, s in enumerate(styles)}
    late = np.array(relay).mean(axis=(0, 1))
    a = simteam.run(cfg, replications=R, seed=1).summary
    b = simteam.run(simteam.configure(**{**kw, "head_of_sales": {"freeze_at": 1.01}}), replications=R, seed=1).summary
    c = simteam.run(simteam.configure(**{**kw, "mechanisms": {"leaders": True, "head_of_sales": False}}),
                    replications=R, seed=1).summary
    dh = a.hires - b.hires
    dr = a.revenue / b.revenue - 1
    head_a = Engine(cfg, seeds=seeds).run().series["headcount"].mean()
    head_b = Engine(simteam.configure(**{**kw, "head_of_sales": {"freeze_at": 1.01}}), seeds=seeds).run() \
        .series["headcount"].mean()
    return {"freeze ordered in a share of runs": float(ok.mean()),
            "median week the freeze is ordered": float(np.median(order[ok])),
            "mean pressure over the run": float(a.hos_pressure.mean()),
            "weeks from the order until the team stops hiring": lag,
            "share of runs in which the team stops hiring": {s: float(np.isfinite(stop[:, i]).mean())
                                                              for i, s in enumerate(styles)},
            "head's pressure, second year": float(np.mean(press)),
            "relayed pressure, second year": dict(zip(styles, map(float, late))),
            "hires, freeze - never (mean, 95% half-width)": (float(dh.mean()), float(1.96 * dh.std(ddof=1) / np.sqrt(R))),
            "mean headcount, freeze / never": (float(head_a), float(head_b)),
            "revenue, freeze vs never (mean ratio - 1, 95% half-width)":
                (float(a.revenue.sum() / b.revenue.sum() - 1), float(1.96 * dr.std(ddof=1) / np.sqrt(R))),
            "reps' final stress: head of sales / no head of sales / never-freezing head":
                (float(a.stress_final.mean()), float(c.stress_final.mean()), float(b.stress_final.mean()))}


def main() -> None:
    pd.set_option("display.width", 200)
    print(free_lunch().to_string(index=False))
    print(span_of_control().to_string(index=False))
    print(succession())
    for k, v in head_of_sales().items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()

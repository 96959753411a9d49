"""Canned workshop demos for the dashboard, as data.

Each :class:`Demo` is a preset of :class:`simteam.model.SalesTeamModel` arguments for
two sides shown side by side on the same seed (common random numbers), shared config
overrides, and a script of interventions fired at given weeks (marked on the charts).
The facilitator guide (``docs/workshop.md``) walks through each one.

Example:
    >>> from simteam.workshop.demos import DEMOS, model_kwargs
    >>> sorted(DEMOS)
    ['crisis', 'recognition', 'rollout', 'toxic_star']
    >>> model_kwargs("toxic_star", "b")["leadership__toxic_tolerance"]
    0.1
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..fmt import fmt_number

__all__ = ["DEMOS", "KINDS", "Checkpoint", "Demo", "DemoSide", "Intervention", "check", "checkpoint_report",
           "checkpoints", "demo", "guide_block", "model_kwargs", "paired", "typical_seeds", "write_guide"]

#: Interventions the dashboard offers as buttons (kinds of :func:`simteam.events.fire`).
KINDS = ("crisis", "toxic_hire", "recognition_event", "rollout", "regroup")


@dataclass(frozen=True)
class Intervention:
    """A scripted intervention: ``kind`` fired when the model reaches ``week``.

    ``side`` is ``""`` for both sides (the usual: only the leadership differs), or ``"a"`` / ``"b"``
    for an event that hits one side only (a manager who leaves: ``leader_leaves``, ``value`` = team).
    """

    week: int
    kind: str
    value: float = 0.0
    name: str = ""
    side: str = ""


@dataclass(frozen=True)
class DemoSide:
    """One side of a demo: a label, a leadership style, a crisis strategy and dotted overrides."""

    label: str
    style: str = "balanced"
    crisis: str = "hold_steady"
    overrides: dict = field(default_factory=dict)


#: How a checkpoint's watched difference compares B with A (after the numbers strip's rounding).
RELATIONS = ("B>A", "B<A", "B=A")


@dataclass(frozen=True)
class Checkpoint:
    """A week at which play pauses by itself, and what the room discusses there.

    The week is written out because the guide's prose and screenshots name it, but it is defined by
    a rule the test suite checks on the demo's seed (tests/test_demos.py): it is ``offset`` weeks after
    the chart week of ``anchor``, so a change of the model that moves the anchor (e.g. the week a leader
    responds to the crisis) fails a test instead of leaving the pause before the event it discusses.

    Attributes:
        week: Weeks done when play pauses (the screen reads "Week N").
        why: What the checkpoint is for, in plain words (the facilitator panel and the guide show it).
        anchor: The event the checkpoint follows: a script kind (``"crisis"``, both sides) or a side's
            own event from the engine's event log, ``"kind:a"`` / ``"kind:b"`` (``"crisis_response:a"``).
        offset: ``week`` = the anchor's chart week + ``offset`` (at least 1: an event at chart week w
            shows from screen week w + 1).
        after: Other events the guide discusses here; each must come before the checkpoint.
        before: Events that must not have happened yet (``"crisis_response:a"``: "before any response").
        watch: ``(metric, relation)``: the differences the guide tells the room to look at, as the
            numbers strip shows them (``relation`` one of :data:`RELATIONS`, B against A, visible after
            the strip's rounding; ``metric`` a key of :data:`CHECK_ROWS`).
    """

    week: int
    why: str
    anchor: str
    offset: int
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    watch: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Demo:
    """A canned workshop demo.

    Attributes:
        key: Short name (``toxic_star`` ...).
        title: Title shown in the demo picker.
        a, b: The two sides (A is the main run; B is shown side by side on the same seed).
        script: Interventions fired at their week on both sides.
        seed: The seed the guide's screenshots and numbers use: a typical run, whose paired
            B - A revenue and quits differences are near their medians over seeds 1-200 (the first
            of :func:`typical_seeds`; ``python -m simteam.workshop.demos`` prints the ranking).
        weeks: Horizon.
        market: ``stable`` or a shock preset of :data:`simteam.market.PRESETS`.
        shared: Dotted overrides applied to both sides (e.g. the change initiative).
        question: The question to ask the room.
        point: The point the demo makes.
        watch_for: What the room will see (the facilitator panel and the guide share this text).
        follow_up: The second question, once the effect has shown.
        evidence: The research behind the point, and how the model implements it.
        checkpoints: Where play pauses by itself (the guide's "pause at week ..."), each with what
            it is for and the rule that places it (:class:`Checkpoint`).
    """

    key: str
    title: str
    a: DemoSide
    b: DemoSide
    script: tuple[Intervention, ...] = ()
    seed: int = 1
    weeks: int = 78
    market: str = "stable"
    shared: dict = field(default_factory=dict)
    question: str = ""
    point: str = ""
    watch_for: str = ""
    follow_up: str = ""
    evidence: str = ""
    checkpoints: tuple[Checkpoint, ...] = ()

    @property
    def pause_weeks(self) -> tuple[int, ...]:
        """The checkpoints' weeks, in order (the dashboard's "Pause at week ...")."""
        return tuple(c.week for c in self.checkpoints)


#: The rollout demo's change initiative. Dip and gain are larger than the defaults
#: (0.25, 0.12) so the J-curve is visible in one run. It starts at week 13; the script's
#: rollout at week 13 marks that on the charts (a click on the button starts it earlier).
ROLLOUT_WEEKS = 78
ROLLOUT_WEEK = 13
_CRM = {"name": "crm", "kind": "tool", "start_week": ROLLOUT_WEEK, "dip": 0.35, "gain": 0.15}

DEMOS: dict[str, Demo] = {
    "toxic_star": Demo(
        key="toxic_star",
        title="The toxic star",
        a=DemoSide("A: tolerates it", "balanced", overrides={"leadership__toxic_tolerance": 0.9}),
        b=DemoSide("B: acts on it", "balanced", overrides={"leadership__toxic_tolerance": 0.1}),
        script=(Intervention(8, "toxic_hire"),),
        seed=85,
        question="The new hire is the best closer on the team. Would you keep them as they are?",
        point="A high performer who harms the people around them costs more than they sell, unless the "
              "leader acts on the behaviour.",
        watch_for="The new hire arrives with high skill (a black cross in the network). In A the behaviour "
                  "spreads to neighbours: more crosses, A's morale line slides below B's and quits come faster "
                  "(trust moves less). In B the leader deals with it and the toxic share goes back to 0%.",
        follow_up="What did the star's sales cost the rest of the team?",
        evidence="Housman & Minor (2015), Toxic Workers, HBS Working Paper 16-057: avoiding a toxic worker was "
                 "worth more than twice as much as hiring a superstar. Felps, Mitchell & Byington (2006), Research "
                 "in Organizational Behavior 27: one negative member lowers the whole group's performance through "
                 "others' mood and trust. Skogstad et al. (2007), J. Occupational Health Psychology 12(1): not "
                 "acting is itself harmful leadership. In the model, tolerated toxic behaviour spreads over peer "
                 "ties and lowers neighbours' morale and trust; a low tolerance makes the leader reform or remove it.",
        checkpoints=(Checkpoint(30, "22 weeks after the hire, B's leader has dealt with the toxic star (B's toxic share "
                                "is 0%) and A's has not; compare morale and quits", anchor="toxic_hire", offset=22,
                                watch=(("toxic", "B<A"), ("morale", "B>A"), ("quits", "B<A"))),),
    ),
    "crisis": Demo(
        key="crisis",
        title="Crisis: panic vs steady hand",
        a=DemoSide("A: panic (cut and push)", "balanced", crisis="cut_and_push"),
        b=DemoSide("B: steady hand (hold steady)", "balanced", crisis="hold_steady"),
        script=(Intervention(13, "crisis", 0.3),),
        seed=187,
        question="Demand just fell by a third. What do you do on Monday morning?",
        point="Layoffs, quota raises and pressure save cost but lose trust and people; reassurance keeps "
              "the team selling through the trough.",
        watch_for="Until a leader responds the two lines lie on top of each other: same market, same people, "
                  "same luck. Leaders read the crisis from a lagged, noisy signal and act after their decision "
                  "lag (here A at week 32). Then A lays off and pushes: A's trust drops at once, A's headcount "
                  "falls under the hiring freeze, which lasts as long as the crisis, and A's revenue falls "
                  "behind B's through the recovery.",
        follow_up="After the layoffs: who do you think leaves next, and why?",
        evidence="Gulati, Nohria & Wohlgezogen (2010), Roaring out of recession, HBR 88(3): the companies that cut "
                 "deepest were least likely to pull ahead after a recession. Brockner (1988), Research in "
                 "Organizational Behavior 10: layoff survivors lose commitment and trust. Trevor & Nyberg (2008), "
                 "Academy of Management Journal 51(2): downsizing raises voluntary turnover afterwards.",
        checkpoints=(Checkpoint(25, "12 weeks into the crisis, with demand near its low and neither leader responding "
                                "yet, the two teams are identical", anchor="crisis", offset=12,
                                before=("crisis_response:a", "crisis_response:b"),
                                watch=(("revenue_13w", "B=A"), ("morale", "B=A"), ("trust", "B=A"),
                                       ("headcount", "B=A"), ("quits", "B=A"))),
                     Checkpoint(33, "the week after A's response, A has laid off and pushed while B holds steady; "
                                "compare trust, morale and headcount", anchor="crisis_response:a", offset=1,
                                after=("crisis", "layoff:a"),
                                watch=(("trust", "B>A"), ("morale", "B>A"), ("headcount", "B>A")))),
    ),
    "rollout": Demo(
        key="rollout",
        title="The tool rollout J-curve",
        a=DemoSide("A: big bang (mandate, no training)", "balanced",
                   overrides={"change__initiatives": [dict(_CRM, mandate_week=ROLLOUT_WEEK + 1, support=0.2, training=0.0)]}),
        b=DemoSide("B: trained, supported rollout", "balanced",
                   overrides={"change__initiatives": [dict(_CRM, support=0.8, training=0.8)]}),
        script=(Intervention(ROLLOUT_WEEK, "rollout", 0.0, "crm"),),
        seed=116,
        weeks=ROLLOUT_WEEKS,
        question="The new CRM went live and revenue dropped. Was it a mistake?",
        point="New tools first cost productivity, then pay off; training and support make the dip "
              "shallower and the payoff earlier.",
        watch_for="Bottom-right chart: adoption (thick) jumps to almost everyone in A after the mandate and "
                  "climbs slowly in B (word of mouth takes months); productivity (thin) drops at adoption (the dip "
                  "of the J) and then recovers, above 1 only where the tool's benefit turns out real. A's dip is "
                  "deeper and hits everyone at once; B's is shallower and spread out. Revenue follows with a lag.",
        follow_up="What would you have done in the eight weeks before go-live?",
        evidence="Brynjolfsson, Rock & Syverson (2021), The productivity J-curve, AEJ: Macroeconomics 13(1). "
                 "Bass (1969), Management Science 15(5): adoption spreads by innovation and imitation. Speier & "
                 "Venkatesh (2002), Journal of Marketing 66(3): forced sales-force-automation rollouts met "
                 "rejection and raised salesperson turnover.",
        checkpoints=(Checkpoint(25, "12 weeks after go-live, the mandate has put all of A on the tool at once while B's "
                                "adoption is still spreading; compare adoption and the lowest productivity so far",
                                anchor="rollout", offset=12, after=("mandate:a",),
                                watch=(("adoption", "B<A"), ("productivity_min", "B>A"))),),
    ),
    "recognition": Demo(
        key="recognition",
        title="Recognition and retention",
        a=DemoSide("A: rarely recognises", "balanced", overrides={"leadership__recognition": 0.1}),
        b=DemoSide("B: recognises every week", "balanced", overrides={"leadership__recognition": 0.9}),
        script=(Intervention(26, "recognition_event"),),
        seed=9,
        question="You hold an awards night. How long does the lift last?",
        point="A one-off event lifts morale for a few weeks; a habit of recognising wins is a small, steady "
              "push that keeps morale a little higher and, over a year, a few more people in their seats.",
        watch_for="B's morale line sits a little above A's from the first weeks and stays there. At week 26 "
                  "the awards night lifts both teams, by more than the habit's gap; within weeks the lift starts to "
                  "fade (by week 31 A has given back about a third of it), while B's small lead stays without "
                  "needing the event. Later, good sales weeks lift both lines again: success moves morale too. In "
                  "this world both lose the same number of people; over 200 worlds B loses fewer (the \"Was it "
                  "luck?\" panel).",
        follow_up="What does recognition cost you per week, and what does a resignation cost?",
        evidence="Kosfeld & Neckermann (2011), AEJ: Microeconomics 3(3): symbolic awards raise performance. "
                 "Bradler, Dur, Neckermann & Non (2016), Management Science 62(11): recognition raises subsequent "
                 "performance. Stajkovic & Luthans (2003), Personnel Psychology 56(1): social recognition in a "
                 "meta-analysis. In the model recognition works through morale and cohesion, not trust.",
        checkpoints=(Checkpoint(31, "five weeks after the awards night, A's morale has given back part of the lift and "
                                "B's small lead is unchanged", anchor="recognition_event", offset=5,
                                watch=(("morale", "B>A"),)),),
    ),
}


def demo(name: str) -> Demo:
    """The demo called ``name``, with a clear error for unknown names."""
    if name not in DEMOS:
        raise KeyError(f"demo: {name!r} is unknown; choose one of {', '.join(DEMOS)}")
    return DEMOS[name]


def model_kwargs(name: str, side: str = "a") -> dict:
    """Keyword arguments of :class:`~simteam.model.SalesTeamModel` for one side of a demo.

    The script is not included: the dashboard fires it (so it is marked on the charts); to
    replay it in code, call ``model.intervene(i.kind, i.value, i.name)`` when ``model.week ==
    i.week`` before stepping.

    Args:
        name: A key of :data:`DEMOS`.
        side: ``"a"`` or ``"b"``.
    """
    d = demo(name)
    if side not in ("a", "b"):
        raise ValueError(f"side: expected 'a' or 'b', got {side!r}")
    s = d.a if side == "a" else d.b
    return dict(seed=d.seed, style=s.style, market=d.market, crisis=s.crisis, weeks=d.weeks,
                **d.shared, **s.overrides)


def _config(d: Demo, side: DemoSide):
    """The batch config of one side, with the script as timed events (the same numbers as the dashboard)."""
    from ..sim import configure

    key = "a" if side is d.a else "b"
    events = [{"kind": i.kind, "week": i.week, "value": i.value, "name": i.name} for i in d.script
              if i.side in ("", key)]
    return configure(style=side.style, market=d.market, crisis=side.crisis, weeks=d.weeks, **d.shared,
                     **side.overrides, events=events)


def paired(name: str, seeds: int = 200):
    """Both sides of a demo on seeds 1..``seeds`` (the batched engine, the script as timed events).

    Returns:
        ``(a, b)``: the two summaries, row ``r`` the world of seed ``r + 1`` under each leader.
    """
    from ..sim import run

    d = demo(name)
    return tuple(run(_config(d, s), replications=seeds, seed=1).summary.reset_index(drop=True) for s in (d.a, d.b))


def typical_seeds(name: str, seeds: int = 200, runs=None) -> list[int]:
    """Seeds 1..``seeds`` ranked from the most typical: the rule that picks each demo's seed.

    A typical world is typical in what it shows (the paired B - A differences in revenue and quits)
    and in the world itself (A's revenue and quits: not a world of unusual luck, such as one where
    half the team quits under either leader). A seed's distance from typical is the sum, over these
    four numbers x, of ``|x - median(x)| / IQR(x)``, median and interquartile range taken over the
    seeds (an IQR of 0 counts as 1); ties go to the smaller seed.

    Args:
        name: A key of :data:`DEMOS`.
        seeds: How many seeds to rank.
        runs: ``paired(name, seeds)`` if already computed.
    """
    import numpy as np

    a, b = runs if runs is not None else paired(name, seeds)
    score = np.zeros(len(a))
    for m in ("revenue", "quits"):
        for x in ((b[m] - a[m]).to_numpy(dtype=float), a[m].to_numpy(dtype=float)):
            q1, med, q3 = np.percentile(x, [25, 50, 75])
            score += np.abs(x - med) / ((q3 - q1) or 1.0)
    return [int(i) + 1 for i in np.lexsort((np.arange(len(score)), score))]


def check(name: str, seeds: int = 200) -> dict:
    """What a demo shows: its seed's A and B numbers, and paired B - A differences over seeds 1..``seeds``.

    Returns:
        ``{"seed": {metric: (a, b)}, "paired": {metric: (mean_a, mean_b, mean_diff, share_b_higher)},
        "typical": typical_seeds(name, seeds)}``.
    """
    from ..sim import run

    d = demo(name)
    metrics = ("revenue", "quits", "morale_final", "trust_final", "toxic_final", "adoption_final")
    one = {k: run(_config(d, s), replications=1, seed=d.seed).summary.iloc[0] for k, s in (("a", d.a), ("b", d.b))}
    runs = paired(name, seeds)
    many = dict(zip("ab", runs))
    out = {"seed": {}, "paired": {}, "typical": typical_seeds(name, seeds, runs)}
    for m in metrics:
        out["seed"][m] = (float(one["a"][m]), float(one["b"][m]))
        diff = many["b"][m] - many["a"][m]
        out["paired"][m] = (float(many["a"][m].mean()), float(many["b"][m].mean()), float(diff.mean()),
                            float((diff > 0).mean()))
    return out


#: What the guide quotes at a checkpoint: (key, label, (decimals, percent)); adoption and productivity only
#: with a tool. Numbers are written by simteam.fmt.fmt_number.
CHECK_ROWS = (("revenue_13w", "revenue, last 13 weeks (k$)", (0, False)),
              ("revenue_total", "revenue, total (k$)", (0, False)),
              ("morale", "morale", (2, False)), ("trust", "trust in leader", (2, False)), ("headcount", "headcount", (0, False)),
              ("quits", "quits so far", (0, False)), ("toxic", "toxic share", (0, True)),
              ("adoption", "tool adoption", (0, True)),
              ("productivity", "productivity", (2, False)), ("productivity_min", "lowest productivity so far", (2, False)))


def _play(name: str):
    """Both sides of a demo as the dashboard plays them; yields ``(week, models)`` after every week."""
    from ..model import SalesTeamModel

    d = demo(name)
    models = [SalesTeamModel(**model_kwargs(name, k)) for k in ("a", "b")]
    for w in range(d.weeks):
        for iv in d.script:
            if iv.week == w:
                for m, key in zip(models, ("a", "b")):
                    if iv.side in ("", key):
                        m.intervene(iv.kind, iv.value, iv.name)
        for m in models:
            m.step()
        yield w + 1, models


def _numbers(m) -> dict:
    k = m.kpis()
    prod = m.series("productivity")
    k.update(productivity=float(prod[-1]), productivity_min=float(prod.min()))
    return k


def checkpoints(name: str) -> list[tuple[int, dict, dict]]:
    """Run both sides of a demo as the dashboard does; the numbers at each checkpoint and at the last week.

    Returns:
        ``[(week, numbers_a, numbers_b), ...]``: ``week`` weeks done (the dashboard reads "Week N"),
        numbers as :meth:`SalesTeamModel.kpis` plus ``productivity`` and ``productivity_min``.
    """
    d = demo(name)
    stops = {*d.pause_weeks, d.weeks}
    return [(w, *(_numbers(m) for m in models)) for w, models in _play(name) if w in stops]


def event_weeks(models) -> dict[str, int]:
    """The first chart week of each event in the engines' logs of sides A and B.

    Keys ``"kind:a"`` and ``"kind:b"`` for one side, ``"kind"`` for an event on both sides (the later
    of the two weeks). An event at chart week w shows on screen from week w + 1.
    """
    out: dict[str, int] = {}
    for m, key in zip(models, ("a", "b")):
        for wk, kind, _ in m.engine.event_log:
            k = f"{kind}:{key}"
            out[k] = min(out.get(k, wk), wk)
    for k in [k for k in out if k.endswith(":a")]:
        kind = k[:-2]
        if f"{kind}:b" in out:
            out[kind] = max(out[k], out[f"{kind}:b"])
    return out


def _shown(metric: str, a: float, b: float) -> float:
    """B - A as the numbers strip shows it (its rounding; shares in percentage points)."""
    digits, percent = dict((k, f) for k, _, f in CHECK_ROWS)[metric]
    return round((b - a) * (100 if percent else 1), digits) + 0.0  # no -0


def checkpoint_report(name: str, play=None) -> list[dict]:
    """Check each checkpoint of a demo on its seed: its rule, the events it discusses, what the room sees.

    Args:
        name: A key of :data:`DEMOS`.
        play: ``(week, [model_a, model_b])`` after each week (the tests pass the dashboard's own
            model); default: the headless run of :func:`checkpoints`.

    Returns:
        One dict per checkpoint: ``week``; ``rule_week`` (the anchor's chart week + offset, None when the
        anchor did not happen); ``events`` (the chart week of the anchor and of each ``after`` and
        ``before`` event, None when it did not happen by the checkpoint); ``diffs`` (``metric: (a, b,
        shown B - A)``); ``problems``: what does not hold, in words (empty when the checkpoint is sound).
    """
    d = demo(name)
    out = []
    todo = {c.week: c for c in d.checkpoints}
    for w, models in (_play(name) if play is None else play):
        if w not in todo:
            continue
        c = todo[w]
        ev = event_weeks(models)
        a, b = (_numbers(m) for m in models)
        problems = []
        anchor = ev.get(c.anchor)
        rule = None if anchor is None else anchor + c.offset
        if c.offset < 1:
            problems.append(f"offset {c.offset}: an event shows from the week after it, so the offset must be >= 1")
        if rule != c.week:
            problems.append(f"week {c.week}: its rule ({c.anchor} at week {anchor} + {c.offset}) gives week {rule}")
        for e in c.after:
            if e not in ev:
                problems.append(f"{e}: has not happened by week {c.week}")
        for e in c.before:
            if e in ev:
                problems.append(f"{e}: happened at week {ev[e]}, before the checkpoint that says it has not")
        diffs = {}
        for metric, rel in c.watch:
            if rel not in RELATIONS:
                problems.append(f"{metric}: relation {rel!r} is unknown; allowed: {', '.join(RELATIONS)}")
                continue
            shown = _shown(metric, a[metric], b[metric])
            diffs[metric] = (a[metric], b[metric], shown)
            ok = {"B>A": shown > 0, "B<A": shown < 0, "B=A": shown == 0}[rel]
            if not ok:
                problems.append(f"{metric}: the guide says {rel}, the strip shows B - A = {shown:+g} "
                                f"(A {a[metric]:.4g}, B {b[metric]:.4g})")
        out.append({"week": w, "rule_week": rule, "diffs": diffs, "problems": problems,
                    "events": {e: ev.get(e) for e in (c.anchor, *c.after, *c.before)}})
    return out


def _value(spec: tuple[int, bool], x: float) -> str:
    digits, percent = spec
    return fmt_number(x, digits, percent=percent)


def _diff(spec: tuple[int, bool], a: float, b: float) -> str:
    """B - A, signed; shares in percentage points; no "-0"."""
    digits, percent = spec
    if a != a or b != b:  # nan
        return fmt_number(None)
    return fmt_number(b - a, digits, percent=percent, signed=True, unit="pts" if percent else "")


def guide_block(name: str, seeds: int = 200) -> str:
    """The guide's generated numbers for a demo: a table per checkpoint, and the paired check on ``seeds`` worlds."""
    d = demo(name)
    lines = []
    tool = bool(d.shared.get("change__initiatives") or d.a.overrides.get("change__initiatives"))
    why = {c.week: c.why for c in d.checkpoints}
    for week, a, b in checkpoints(name):
        head = (f"At week {week} (the end), seed {d.seed}:" if week == d.weeks else
                f"At week {week} (the checkpoint), seed {d.seed}. Why here: {why[week]}.")
        lines += [head, "",
                  f"| week {week} | {d.a.label} | {d.b.label} | B − A |", "|---|---:|---:|---:|"]
        for key, label, fmt in CHECK_ROWS:
            if key in ("adoption", "productivity", "productivity_min") and not tool:
                continue
            lines.append(f"| {label} | {_value(fmt, a[key])} | {_value(fmt, b[key])} | {_diff(fmt, a[key], b[key])} |")
        lines.append("")
    res = check(name, seeds)
    lines += [f"Over seeds 1-{seeds} (each world run under both leaders, paired by seed):", "",
              "| at the end | mean A | mean B | mean B − A | B higher in |", "|---|---:|---:|---:|---:|"]
    for metric in ("revenue", "quits", "morale_final", "trust_final", "toxic_final", "adoption_final"):
        ma, mb, md, share = res["paired"][metric]
        if ma != ma:
            continue
        lines.append(f"| {metric} | {fmt_number(ma, 3)} | {fmt_number(mb, 3)} | {fmt_number(md, 3, signed=True)} "
                     f"| {fmt_number(share, 0, percent=True)} of seeds |")
    return "\n".join(lines)


_BEGIN = "<!-- numbers:{name} (generated by `python -m simteam.workshop.demos --guide docs/workshop.md`) -->"
_END = "<!-- /numbers:{name} -->"


def write_guide(path, seeds: int = 200, check_only: bool = False) -> list[str]:
    """Regenerate each demo's numbers block in the guide at ``path``; returns the demos whose block changed.

    With ``check_only`` the file is not written (the test suite uses this to check the guide).
    """
    from pathlib import Path

    p = Path(path)
    text = p.read_text()
    changed = []
    for name in DEMOS:
        begin, end = _BEGIN.format(name=name), _END.format(name=name)
        if begin not in text or end not in text:
            raise ValueError(f"{path}: no numbers block for demo {name!r} (expected the line {begin})")
        head, rest = text.split(begin, 1)
        old, tail = rest.split(end, 1)
        new = "\n" + guide_block(name, seeds) + "\n"
        if old != new:
            changed.append(name)
        text = head + begin + new + end + tail
    if changed and not check_only:
        p.write_text(text)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m simteam.workshop.demos [--seeds N] [name ...]``: print what each demo shows."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m simteam.workshop.demos", description="Print what each workshop demo shows.")
    p.add_argument("names", nargs="*", help=f"demos (default: all of {', '.join(DEMOS)})")
    p.add_argument("--seeds", type=int, default=200, help="seeds for the paired differences (default 200)")
    p.add_argument("--guide", metavar="PATH", help="regenerate the numbers blocks of the facilitator guide at PATH")
    args = p.parse_args(argv)
    for n in args.names:
        if n not in DEMOS:
            p.error(f"demo: {n!r} is unknown; choose one of {', '.join(DEMOS)}")
    if args.seeds < 1:
        p.error(f"--seeds: expected a whole number >= 1, got {args.seeds}")
    if args.guide:
        try:
            changed = write_guide(args.guide, args.seeds)
        except (OSError, ValueError) as exc:
            p.error(f"--guide: {exc}")
        print(f"{args.guide}: " + (f"updated {', '.join(changed)}" if changed else "up to date"))
        return 0
    for n in args.names or list(DEMOS):
        d, res = DEMOS[n], check(n, args.seeds)
        print(f"## {d.title} ({n}): seed {d.seed}, {d.weeks} weeks; A = {d.a.label}; B = {d.b.label}")
        print(f"{'metric':15s} {'A seed':>9s} {'B seed':>9s} | {'mean A':>9s} {'mean B':>9s} {'mean B-A':>9s} "
              f"{'B>A':>5s}  (seeds 1-{args.seeds}, paired)")
        for m, (a, b) in res["seed"].items():
            ma, mb, md, share = res["paired"][m]
            print(f"{m:15s} {a:9.3f} {b:9.3f} | {ma:9.3f} {mb:9.3f} {md:9.3f} {share:5.2f}")
        top = res["typical"]
        print(f"most typical seeds (paired B-A revenue and quits nearest their medians): {top[:5]}; "
              f"seed {d.seed} is number {top.index(d.seed) + 1 if d.seed in top else '-'}")
        for c, r in zip(d.checkpoints, checkpoint_report(n)):
            shown = ", ".join(f"{m} B-A {r['diffs'][m][2]:+g} ({rel})" for m, rel in c.watch if m in r["diffs"])
            print(f"checkpoint week {c.week}: {c.anchor} at week {r['events'][c.anchor]} + {c.offset}; {shown}; "
                  + ("; ".join(r["problems"]) if r["problems"] else "holds on the seed"))
        print()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

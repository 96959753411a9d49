"""Take the facilitator guide's demo screenshots from the real dashboard (headless Debian Chromium).

Usage (from the repository root, with the dashboard running on 127.0.0.1:8765):

    .venv/bin/simteam-dashboard --export-dir /tmp/simteam-exports &
    .venv/bin/python docs/img/workshop/shoot.py [--url http://127.0.0.1:8765/]

For each demo it loads the demo, presses Reset, plays at the fastest speed until play pauses
by itself at the demo's first checkpoint, saves ``<demo>_week<NN>.png``, then plays through to
the end and saves ``<demo>_week<last>.png`` next to this file. Then it sets up a region with
leaders as agents (A's managers mixed, B all coaching, seed 3, 78 weeks), plays 10 weeks, lets A's manager
of team 1 leave, steps 4 weeks and saves ``leaders_region_week14.png``. The presenter-mode pictures
(``presenter_<W>x<H>.png``) come from ``tests/test_browser.py`` run with ``SIMTEAM_SHOTS`` set
to this folder.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMOS = {"The toxic star": "toxic_star", "Crisis: panic vs steady hand": "crisis",
         "The tool rollout J-curve": "rollout", "Recognition and retention": "recognition"}


def choose(page, css: str, option: str) -> None:
    page.locator(css).click()
    # the open menu only: closed menus stay in the page, and two selects may offer the same option
    page.locator(".menuable__content__active").get_by_role("option", name=option, exact=True).click()


def settle(page) -> None:
    """Wait until the charts image shows the week on the counter (the last redraw has arrived)."""
    page.wait_for_timeout(2500)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8765/")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(args.url, timeout=120_000)
        page.get_by_role("button", name="Step").wait_for(timeout=120_000)
        msg, play = page.locator(".intervention-msg"), page.locator(".btn-play")
        for title, stem in DEMOS.items():
            choose(page, ".select-demo", title)
            page.get_by_role("button", name="Reset").click()
            expect(page.locator(".week-counter")).to_have_text("Week 0", timeout=60_000)
            choose(page, ".select-speed", "fastest")
            play.click()
            expect(msg).to_contain_text("the guide's checkpoint", timeout=120_000)
            settle(page)
            week = page.locator(".week-counter").inner_text().split()[-1]
            page.screenshot(path=str(HERE / f"{stem}_week{week}.png"))
            page.get_by_label("Pause at week").uncheck(force=True)
            play.click()
            expect(msg).to_contain_text("The run is over", timeout=120_000)
            settle(page)
            week = page.locator(".week-counter").inner_text().split()[-1]
            page.screenshot(path=str(HERE / f"{stem}_week{week}.png"))
            print(stem, "done")
            page.get_by_label("Pause at week").check(force=True)
        leaders(page)
        browser.close()


def leaders(page) -> None:
    """Region, leaders as agents, A's managers mixed, B coaching; A's manager of team 1 leaves at week 10."""
    choose(page, ".select-demo", "(none)")
    page.locator(".input-seed input").fill("3")
    choose(page, ".select-org", "Region: 5 teams of 10 reps, head of sales")
    page.get_by_label("Leaders as agents (can leave)").check(force=True)
    page.get_by_label("Side by side: B on the same seed").check(force=True)
    choose(page, ".select-style-a", "coaching")  # then balanced: the preset values and label, not the last demo's
    choose(page, ".select-style-a", "balanced")
    choose(page, ".select-style-b", "coaching")
    page.get_by_text("A: leader of each team").click()
    page.locator(".btn-mixed-a").click()
    page.get_by_role("button", name="Reset").click()
    expect(page.locator(".run-info")).to_contain_text("team leaders: coaching", timeout=60_000)
    for _ in range(10):
        week = page.locator(".week-counter").inner_text()
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".week-counter")).not_to_have_text(week, timeout=60_000)
    choose(page, ".select-leave-team", "team 1")
    page.locator(".btn-leader_leaves-a").click()
    expect(page.locator(".intervention-msg")).to_contain_text("A's manager of team 1 leaves", timeout=60_000)
    for _ in range(4):
        week = page.locator(".week-counter").inner_text()
        page.get_by_role("button", name="Step").click()
        expect(page.locator(".week-counter")).not_to_have_text(week, timeout=60_000)
    settle(page)
    page.screenshot(path=str(HERE / "leaders_region_week14.png"))
    print("leaders done")


if __name__ == "__main__":
    main()

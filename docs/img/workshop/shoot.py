"""Take the facilitator guide's screenshots from the real dashboard (headless Debian Chromium).

Usage (from the repository root, with the dashboard running on 127.0.0.1:8765):

    .venv/bin/simteam-dashboard --export-dir /tmp/simteam-exports &
    .venv/bin/python docs/img/workshop/shoot.py [--url http://127.0.0.1:8765/]

For each demo it loads the demo, presses Reset, plays to the pause week and to the end,
and saves ``<demo>_week<NN>.png`` next to this file.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
# demo title -> (file stem, weeks to pause at for a screenshot; multiples of CHUNK, or the end)
CHUNK = 5
DEMOS = {
    "The toxic star": ("toxic_star", (30, 78)),
    "Crisis: panic vs steady hand": ("crisis", (25, 78)),
    "The tool rollout J-curve": ("rollout", (25, 78)),
    "Recognition and retention": ("recognition", (35, 78)),
}


def week(page) -> int:
    m = re.search(r"\d+", page.locator(".kpi-week-a").inner_text())
    return int(m.group()) if m else -1


def settle(page, seconds: float = 4.0) -> None:
    """Wait until both images stop changing (the last render has arrived)."""
    imgs = page.locator(".simteam-dashboard img")
    last, stable = None, 0.0
    while stable < seconds:
        now = [imgs.nth(i).get_attribute("src") for i in range(imgs.count())]
        stable = stable + 0.5 if now == last else 0.0
        last = now
        time.sleep(0.5)


def set_render_interval(page, steps: int) -> None:
    """Mesa's "Render Interval (steps)" slider (1, 3, 5, ...): Step then advances that many weeks."""
    thumb = page.get_by_role("slider", name="Render Interval (steps)")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    thumb.press("Home")
    for _ in range((steps - 1) // 2):
        thumb.press("ArrowRight")
    expect(thumb).to_have_attribute("aria-valuenow", str(steps))
    page.mouse.wheel(0, -2000)


def play_to(page, target: int, chunk: int) -> None:
    """Click Step (``chunk`` weeks a click) until the run reaches ``target`` weeks or its end."""
    while week(page) < target:
        before = week(page)
        page.get_by_role("button", name="Step").click()
        page.wait_for_function(f"() => !document.querySelector('.kpi-week-a').innerText.endsWith('week {before}')",
                               timeout=120_000)
        if week(page) == before:
            break
    settle(page)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="http://127.0.0.1:8765/")
    args = p.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1080})
        page.goto(args.url, wait_until="domcontentloaded", timeout=90_000)
        page.get_by_role("button", name="Step").wait_for(timeout=90_000)
        settle(page)
        set_render_interval(page, CHUNK)
        page.get_by_role("button", name="Step").click()
        page.get_by_role("button", name="Trigger crisis").click()
        play_to(page, 15, CHUNK)
        page.screenshot(path=str(HERE / f"overview_week{week(page):02d}.png"))
        for title, (stem, stops) in DEMOS.items():
            page.locator(".select-demo").click()
            page.get_by_role("option", name=title).click()
            page.get_by_role("button", name="Reset").click()
            expect(page.locator(".run-title")).to_contain_text(title, timeout=60_000)
            expect(page.locator(".kpi-week-a")).to_have_text("week 0", timeout=60_000)
            for stop in stops:
                play_to(page, stop, CHUNK)
                page.screenshot(path=str(HERE / f"{stem}_week{week(page):02d}.png"))
                print("saved", stem, stop, flush=True)
        # the slide export of the last demo (written by the server into its --export-dir)
        page.get_by_role("button", name="Save PNG").click()
        expect(page.locator(".saved-msg")).to_contain_text("saved ", timeout=60_000)
        print(page.locator(".saved-msg").inner_text(), flush=True)
        browser.close()


if __name__ == "__main__":
    main()

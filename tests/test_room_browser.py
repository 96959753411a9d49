"""The room game in a real browser: the facilitator and four tables, each in its own Chromium context, play
two quarters end to end (offline: every request stays on 127.0.0.1; the server's proxy is a trap).

Set ``SIMTEAM_SHOTS=docs/img/workshop`` to write the guide's screenshots (room_*.png) there.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, LOCAL_HOSTS, _choose, offline_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

KEY = "test-key"
TEAMS = ("Lions", "Tigers", "Bears", "Owls")


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("room")

    def command(port):
        return [sys.executable, "-m", "simteam.workshop", "--room", "--host", "127.0.0.1", "--port", str(port),
                "--key", KEY, "--quarters", "2", "--seed", "3", "--week-seconds", "0.1",
                "--save-dir", str(tmp / "saves")]

    with offline_server(command, tmp, "the room game") as (url, trap):
        yield url, trap, tmp


def _hours(page, activity: str, value: float, level: str) -> None:
    from playwright.sync_api import expect

    """Type the hours and leave the box; typed again (up to 3 times) if a redraw caused by another table's
    move lands between typing and leaving (the server then sends the box its old value)."""
    box = page.locator(f".input-hours-{activity} input")
    for attempt in range(3):
        box.fill(str(value))
        box.press("Tab")
        try:
            expect(page.locator(f".level-{activity}")).to_have_text(f"→ level {level}", timeout=20_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def _tick(page, label: str) -> None:
    from playwright.sync_api import expect

    box = page.get_by_label(re.compile("^" + re.escape(label)))
    box.click(force=True)
    expect(box).to_be_checked(timeout=30_000)


def _board(page) -> dict[str, str]:
    teams = page.locator(".room-facilitator .leaderboard .lb-col1").all_inner_texts()
    revenue = page.locator(".room-facilitator .leaderboard .lb-col2").all_inner_texts()
    return dict(zip(teams, revenue))


def test_four_tables_and_the_facilitator_play_two_quarters(room, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from simteam.workshop.room import Game

    url, trap, _ = room
    shots = Path(os.environ.get("SIMTEAM_SHOTS") or tmp_path)
    requests: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    timings = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            def open_page(address, width, height):
                page = browser.new_context(viewport={"width": width, "height": height},
                                           accept_downloads=True).new_page()
                page.on("request", lambda r: requests.append(r.url))
                page.on("requestfailed", lambda r: failed.append(r.url))
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(address, wait_until="domcontentloaded", timeout=90_000)
                return page

            start = time.monotonic()
            fac = open_page(f"{url}?facilitator={KEY}", 1280, 720)  # the projector
            expect(fac.locator(".join-url")).to_have_text(f"Tables join at {url}", timeout=90_000)
            tables = {name: open_page(url, 1280, 800) for name in TEAMS}  # laptops, loading side by side
            for page in tables.values():
                page.locator(".btn-join").wait_for(timeout=90_000)
            # join; a duplicate name is refused with a clear message
            for name, page in tables.items():
                if name == "Owls":
                    page.locator(".input-team input").fill("lions")
                    page.locator(".btn-join").click()
                    expect(page.locator(".join-error")).to_contain_text(
                        "team name: 'Lions' is taken; choose another name", timeout=30_000)
                page.locator(".input-team input").fill(name)
                page.locator(".btn-join").click()
                expect(page.locator(".room-who")).to_have_text(name, timeout=30_000)
            expect(fac.locator(".chip")).to_have_count(4, timeout=30_000)
            timings["5 pages open, 4 tables joined"] = time.monotonic() - start
            fac.locator(".btn-start").click()
            expect(fac.locator(".room-status")).to_have_text("Quarter 1 of 2: decide, then press Ready",
                                                             timeout=30_000)

            # quarter 1: Lions and Tigers make the same decisions; Bears first plan over the budget. Lions, Tigers
            # and Bears cut the data work from the default 13 h (Rapp et al.'s share) to 5.5 h to fit more
            # coaching and an action in the 31 hours
            for name in ("Lions", "Tigers"):
                _hours(tables[name], "data_orientation", 5.5, "0.25")
                _hours(tables[name], "coaching", 12, "0.63")
                _tick(tables[name], "Awards night")
            bears = tables["Bears"]
            _hours(bears, "coaching", 20, "0.81")
            bears.locator(".btn-ready").click()
            expect(bears.locator(".plan-error")).to_contain_text("the budget is 31 h/week", timeout=30_000)
            _hours(bears, "data_orientation", 5.5, "0.25")
            _hours(bears, "coaching", 10, "0.57")
            _tick(bears, "Roll out the CRM tool")
            expect(bears.locator(".plan-total")).to_have_text("Planned 30.5 h of 31 h per week")
            expect(fac.locator(".btn-run")).to_be_disabled()
            for page in tables.values():
                page.locator(".btn-ready").click()
                expect(page.locator(".ready-msg")).to_be_visible(timeout=30_000)
            expect(fac.locator(".chip-ready")).to_have_count(4, timeout=30_000)
            expect(fac.locator(".btn-run")).to_be_enabled(timeout=30_000)
            timings["quarter 1 decisions"] = time.monotonic() - start - sum(timings.values())
            t0 = time.monotonic()
            fac.locator(".btn-run").click()
            for page in (fac, *tables.values()):
                expect(page.locator(".week-counter")).to_have_text("Week 13", timeout=60_000)
            timings["quarter 1 (click to Week 13 on all 5 screens)"] = time.monotonic() - t0
            expect(fac.locator(".room-status")).to_have_text("Quarter 2 of 2: decide, then press Ready",
                                                             timeout=30_000)

            # the facilitator injects a crisis; the tables respond
            fac.locator(".btn-inject-crisis").click()
            expect(fac.locator(".room-message")).to_have_text("Week 13: Crisis: demand falls by 30%", timeout=30_000)
            for name, response in (("Lions", "Hold steady"), ("Tigers", "Hold steady"), ("Bears", "Cut and push")):
                page = tables[name]
                page.locator(".select-response").wait_for(timeout=30_000)
                option = next(t for t in ("Hold steady: reassure, keep course",
                                          "Cut and push: lay off 15%, quota +15%, hiring freeze")
                              if t.startswith(response))
                _choose(page, ".select-response", option)
            time.sleep(0.5)
            shot_table = shots / "room_table.png"
            tables["Lions"].screenshot(path=str(shot_table))
            for page in tables.values():
                page.locator(".btn-ready").click()
                expect(page.locator(".ready-msg")).to_be_visible(timeout=30_000)
            expect(fac.locator(".btn-run")).to_be_enabled(timeout=30_000)
            fac.screenshot(path=str(shots / "room_facilitator.png"))
            t0 = time.monotonic()
            fac.locator(".btn-run").click()
            for page in (fac, *tables.values()):
                expect(page.locator(".week-counter")).to_have_text("Week 26", timeout=60_000)
            timings["quarter 2"] = time.monotonic() - t0
            expect(tables["Bears"].locator(".moment").filter(has_text="crisis response: cut and push")).to_have_count(
                1, timeout=30_000)

            # the debrief: ranks, standings, key moments
            expect(fac.locator(".debrief")).to_be_visible(timeout=30_000)
            expect(fac.locator(".rank-revenue .rank-line")).to_have_count(4)
            _choose(fac, ".select-team", "Bears")
            expect(fac.locator(".moments")).to_contain_text("the leader responds to the crisis: Cut and push",
                                                            timeout=30_000)
            expect(fac.locator(".moments")).to_contain_text("rolled out the tool")
            for page in tables.values():
                expect(page.locator(".room-status")).to_have_text("The game is over: debrief", timeout=30_000)
            time.sleep(0.5)
            fac.screenshot(path=str(shots / "room_debrief.png"), full_page=True)
            board = _board(fac)
            assert set(board) == set(TEAMS)
            # common random numbers: the same decisions, the same numbers
            assert board["Lions"] == board["Tigers"], board
            assert len(set(board.values())) >= 2, board

            # save the game from the page; it loads and replays to the same leaderboard
            fac.get_by_text("Game file: save or load").click()
            with fac.expect_download(timeout=30_000) as dl:
                fac.get_by_role("button", name="Save game (JSON)").click()
            saved = tmp_path / "game.json"
            dl.value.save_as(saved)
            g = Game.from_json(saved.read_text())
            assert g.phase == "over" and g.week == 26 and list(g.tables) == list(TEAMS)
            from simteam.workshop.room_ui import _money

            assert {r["team"]: _money(r["revenue"]) for r in g.leaderboard()} == board
            assert errors == []
        finally:
            browser.close()
    timings["whole game in the browser"] = time.monotonic() - start
    summary = "; ".join(f"{k}: {v:.1f} s" for k, v in timings.items())
    print(summary)
    (tmp_path / "timings.txt").write_text(summary)
    http = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    assert http and [u for u in http if urlparse(u).hostname not in LOCAL_HOSTS] == []
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    assert trap.hits == []

"""The dashboard in a real browser: headless Debian Chromium via Python playwright, offline.

The test starts ``simteam-dashboard`` on a free loopback port in a subprocess whose HTTP(S)
proxy points at a local trap socket, so any outbound request the server tries is recorded;
the browser records every request it makes. Both must stay on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Trap:
    """A listening socket that records every connection (the server's proxy: outbound calls land here)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    self.hits.append(conn.recv(200))
                except OSError:
                    self.hits.append(b"")

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


ROOT = Path(__file__).resolve().parents[1]


def _command(port: int, export: Path) -> list[str]:
    # ``-m`` from the checkout under test (an installed ``simteam-dashboard`` script may point at another one)
    return [sys.executable, "-m", "simteam.workshop.dashboard", "--port", str(port), "--export-dir", str(export)]


@contextlib.contextmanager
def offline_server(command, tmp: Path, what: str):
    """Start ``command(port)`` on a free loopback port with its HTTP(S) proxy pointing at a :class:`_Trap`, wait
    until it answers (120 s at most, else fail with its log), yield ``(url, trap)``, then stop it. Shared by
    the dashboard's and the room game's browser tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
                    "the browser test never downloads a browser")
    trap = _Trap()
    proxy = f"http://127.0.0.1:{trap.port}"
    env = {**os.environ, "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy,
           "ALL_PROXY": proxy, "NO_PROXY": "", "no_proxy": "",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    port = _free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(command(port), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                log.close()
                pytest.fail(f"{what} exited with {proc.returncode}:\n{(tmp / 'server.log').read_text()}")
            try:
                with opener.open(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{what} did not answer on {url} within 120 s:\n{(tmp / 'server.log').read_text()}")
            time.sleep(0.5)
        yield url, trap
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        trap.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dashboard")
    with offline_server(lambda port: _command(port, tmp / "exports"), tmp, "simteam-dashboard") as (url, trap):
        yield url, trap, tmp


def _wait_changed(locator, before: bytes, timeout: float = 60.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        now = locator.screenshot()
        if now != before or time.monotonic() > deadline:
            return now
        time.sleep(0.5)


def test_dashboard_renders_steps_and_reacts_to_a_crisis_offline(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, trap, _ = server
    requests: list[str] = []
    failed: list[str] = []
    bad: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(url, wait_until="domcontentloaded", timeout=90_000)
            step = page.get_by_role("button", name="Step")
            step.wait_for(timeout=90_000)

            # the network view and the charts are drawn
            images = page.locator(".simteam-dashboard img")
            expect(images).to_have_count(2, timeout=60_000)
            for i in range(2):
                page.wait_for_function("img => img.complete && img.naturalWidth > 300",
                                       arg=images.nth(i).element_handle(), timeout=60_000)
            network, charts = images.nth(0), images.nth(1)
            expect(page.locator(".week-counter")).to_have_text("Week 0")
            net0, charts0 = network.screenshot(), charts.screenshot()

            # step: the week advances, both views redraw
            step.click()
            expect(page.locator(".week-counter")).to_have_text("Week 1", timeout=60_000)
            expect(page.locator(".kpi-headcount-a")).to_have_text("12")
            charts1 = _wait_changed(charts, charts0)
            assert charts1 != charts0
            assert _wait_changed(network, net0) != net0

            # the crisis button: a marked event on the charts, then a step under the shock
            page.get_by_role("button", name="Trigger crisis").click()
            expect(page.locator(".intervention-msg")).to_have_text(
                "Trigger crisis at week 1: takes effect from the next week", timeout=60_000)
            charts_marked = _wait_changed(charts, charts1)
            assert charts_marked != charts1
            step.click()
            expect(page.locator(".week-counter")).to_have_text("Week 2", timeout=60_000)
            assert _wait_changed(charts, charts_marked) != charts_marked

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
        finally:
            browser.close()

    # offline: every browser request went to the loopback server, none failed ...
    http = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    assert http, "the browser made no requests"
    assert [u for u in http if urlparse(u).hostname not in LOCAL_HOSTS] == []
    assert failed == [] and [b for b in bad if not b.endswith("/favicon.ico")] == []
    # ... and the server never tried to reach the internet (its proxy is the trap)
    assert trap.hits == []


def _week(page) -> int:
    return int(page.locator(".week-counter").inner_text().split()[-1])


def _open(p, url, width=1280, height=720):
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="domcontentloaded", timeout=90_000)
    page.get_by_role("button", name="Step").wait_for(timeout=90_000)
    return browser, page, errors


def _choose(page, css: str, option: str) -> None:
    page.locator(css).click()
    page.get_by_role("option", name=option, exact=True).click()


def _switch_on(page, label: str, css: str, tries: int = 4) -> None:
    """Turn a server-controlled switch on and wait until the page shows it (``css``).

    A click, not ``check()``: the box is the server's state and flips after a round trip, which ``check()`` does
    not wait for on a loaded machine. A click that lands while the page re-renders (turning presenter mode on
    moves the controls) can be lost, so the switch is clicked again, only while it still reads unchecked.
    """
    from playwright.sync_api import expect

    target = page.locator(css)
    for attempt in range(tries):
        box = page.get_by_label(label)
        if not box.is_checked():
            box.click(force=True)
        try:
            expect(target).to_be_visible(timeout=10_000)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise


def test_play_twenty_times_in_a_row_advances_and_pauses_every_time(server, tmp_path):
    """Play, wait, pause, 20 times: the week advances each time and stays put after pause; then play to the end."""
    from playwright.sync_api import expect, sync_playwright

    url, trap, _ = server
    with sync_playwright() as p:
        browser, page, errors = _open(p, url)
        try:
            _choose(page, ".select-speed", "2 weeks/s")
            play = page.locator(".btn-play")
            log = []
            for press in range(20):
                before = _week(page)
                expect(play).to_have_text("▶ Play")
                expect(play).to_be_enabled()
                t = time.monotonic()
                play.click()
                expect(play).to_have_text("❚❚ Pause", timeout=10_000)
                deadline = time.monotonic() + 15
                while _week(page) == before and time.monotonic() < deadline:
                    time.sleep(0.05)
                first = time.monotonic() - t
                assert _week(page) > before, f"press {press + 1}: the week stayed at {before}"
                time.sleep(0.6)
                play.click()
                expect(play).to_have_text("▶ Play", timeout=10_000)
                paused = _week(page)
                time.sleep(1.5)
                assert _week(page) == paused, f"press {press + 1}: the run went on after pause ({paused} -> {_week(page)})"
                log.append((before, paused, round(first, 2)))
            # the whole run at the fastest speed: it ends on the final week, drawn, with play disabled
            _choose(page, ".select-speed", "fastest")
            w0, t0 = _week(page), time.monotonic()
            play.click()
            expect(page.locator(".intervention-msg")).to_have_text(
                "The run is over (week 104). Reset to start again.", timeout=120_000)
            seconds = time.monotonic() - t0
            expect(page.locator(".week-counter")).to_have_text("Week 104")
            expect(play).to_be_disabled()
            page.screenshot(path=str(tmp_path / "end.png"))
            assert errors == []
        finally:
            browser.close()
    summary = (f"20 presses (week before, week at pause, s to first advance): {log}; "
               f"fastest play: {104 - w0} weeks in {seconds:.1f} s = {(104 - w0) / seconds:.1f} weeks/s")
    print(summary)
    (tmp_path / "play.txt").write_text(summary)
    assert trap.hits == []


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080)])
def test_presenter_mode_fits_the_projector(server, tmp_path, width, height):
    """Presenter mode, dark, side by side: everything that matters is on screen without scrolling."""
    from playwright.sync_api import expect, sync_playwright

    url, trap, _ = server
    with sync_playwright() as p:
        browser, page, errors = _open(p, url, width, height)
        try:
            _choose(page, ".select-demo", "The toxic star")
            page.get_by_role("button", name="Reset").click()
            expect(page.locator(".run-title")).to_contain_text("The toxic star", timeout=60_000)
            page.get_by_role("button", name="+13 weeks").click()
            expect(page.locator(".week-counter")).to_have_text("Week 13", timeout=60_000)
            _switch_on(page, "Presenter", ".simteam-dashboard.presenter")
            _switch_on(page, "Dark", ".simteam-dashboard.presenter.dark")
            expect(page.locator(".select-demo")).to_have_count(0)  # no sidebar
            page.wait_for_function("() => { const i = document.querySelector('.charts-view img');"
                                   " return i && i.complete && i.naturalWidth >= 1000; }", timeout=60_000)
            page.mouse.move(width - 2, height - 2)  # no tooltip of the last button clicked over the numbers
            time.sleep(1.0)
            shot = Path(os.environ.get("SIMTEAM_SHOTS") or tmp_path) / f"presenter_{width}x{height}.png"
            page.screenshot(path=str(shot))
            for css in (".week-counter", ".btn-play", ".kpi-revenue_total-diff", ".charts-view img",
                        ".network-view img", ".btn-crisis"):
                box = page.locator(css).bounding_box()
                assert box and box["y"] >= 0 and box["y"] + box["height"] <= height + 1, f"{css} is off screen: {box}"
                assert box["x"] + box["width"] <= width + 1, f"{css} is off screen: {box}"
            # the page itself is dark, and so are the charts
            bg = page.evaluate("() => getComputedStyle(document.querySelector('.v-application')).backgroundColor")
            assert bg in ("rgb(18, 18, 18)", "rgb(30, 30, 30)", "rgb(33, 33, 33)"), bg
            assert errors == []
        finally:
            browser.close()
    from PIL import Image

    img = Image.open(shot).convert("L")
    assert img.size == (width, height)
    # the charts are drawn dark: the mean brightness of the screenshot is low
    assert np.asarray(img, dtype=float).mean() < 90
    assert trap.hits == []


def _img_pixels(png: bytes):
    from io import BytesIO

    from PIL import Image

    return np.asarray(Image.open(BytesIO(png)).convert("RGB"), dtype=int)


def _near(px, rgb, tol=30) -> int:
    """How many pixels are within ``tol`` of the colour ``rgb`` in every channel."""
    return int((np.abs(px - np.array(rgb)).max(axis=2) <= tol).sum())


def test_leaders_drawn_by_style_and_manager_leaves_button(server, tmp_path):
    """Region, leaders as agents, mixed styles on A: the network shows each style's colour; "A's manager leaves"
    is logged in words and the post is drawn as an interim."""
    from playwright.sync_api import expect, sync_playwright

    url, trap, _ = server
    with sync_playwright() as p:
        browser, page, errors = _open(p, url, 1500, 1000)
        try:
            _choose(page, ".select-org", "Region: 5 teams of 10 reps, head of sales")
            page.get_by_label("Leaders as agents (can leave)").click(force=True)
            page.get_by_text("A: leader of each team").click()
            page.locator(".btn-mixed-a").click()
            expect(page.locator(".select-team-style-a-1")).to_contain_text("command_and_control", timeout=30_000)
            page.get_by_role("button", name="Reset").click()
            expect(page.locator(".run-info")).to_contain_text("team leaders: coaching/command & control", timeout=60_000)
            page.get_by_role("button", name="Step").click()
            expect(page.locator(".week-counter")).to_have_text("Week 1", timeout=60_000)
            expect(page.locator(".kpi-leaders_interim-a")).to_have_text("0", timeout=30_000)
            net = page.locator(".network-view img")
            page.wait_for_function("() => { const i = document.querySelector('.network-view img');"
                                   " return i && i.complete && i.naturalWidth > 300; }", timeout=60_000)
            time.sleep(1.0)
            before = net.screenshot()
            px = _img_pixels(before)
            # coaching leaders (green diamonds) and command-and-control leaders (red triangles) are both drawn
            assert _near(px, (0x1b, 0x9e, 0x77), 12) > 30 and _near(px, (0xc0, 0x39, 0x2b), 12) > 30

            _choose(page, ".select-leave-team", "team 2")
            page.locator(".btn-leader_leaves-a").click()
            expect(page.locator(".intervention-msg")).to_have_text(
                "A's manager of team 2 leaves at week 1: from the next week an interim covers", timeout=60_000)
            page.get_by_role("button", name="Step").click()
            expect(page.locator(".week-counter")).to_have_text("Week 2", timeout=60_000)
            expect(page.locator(".kpi-leaders_interim-a")).to_have_text("1", timeout=30_000)
            expect(page.locator(".event-log")).to_contain_text("Week 1: A's manager of team 2 leaves; trust ",
                                                               timeout=30_000)
            after = _wait_changed(net, before)
            assert after != before
            # one of the three red triangles is now hollow (an interim): fewer filled red pixels
            assert _near(_img_pixels(after), (0xc0, 0x39, 0x2b), 12) < _near(px, (0xc0, 0x39, 0x2b), 12)
            page.screenshot(path=str(tmp_path / "leaders.png"))
            assert errors == []
        finally:
            browser.close()
    assert trap.hits == []


def test_high_resolution_export_downloads_a_300_dpi_png(server, tmp_path):
    from io import BytesIO

    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    url, trap, _ = server
    with sync_playwright() as p:
        browser, page, errors = _open(p, url, 1500, 1000)
        try:
            page.get_by_role("button", name="+13 weeks").click()
            expect(page.locator(".week-counter")).to_have_text("Week 13", timeout=60_000)
            sizes = {}
            for what in ("charts", "network"):
                with page.expect_download(timeout=60_000) as info:
                    page.locator(f".dl-hires-{what} button, .dl-hires-{what} .v-btn").first.click()
                dl = info.value
                assert dl.suggested_filename == f"simteam_balanced_seed1_week013_{what}_300dpi.png"
                path = tmp_path / dl.suggested_filename
                dl.save_as(str(path))
                data = path.read_bytes()
                assert data[:8] == b"\x89PNG\r\n\x1a\n"
                sizes[what] = Image.open(BytesIO(data)).size
            assert sizes == {"charts": (3000, 1920), "network": (1500, 1260)}  # 10 x 6.4 in, 5 x 4.2 in at 300 dpi
            assert errors == []
        finally:
            browser.close()
    assert trap.hits == []

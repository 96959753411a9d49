"""The dashboard in a real browser: headless Debian Chromium via Python playwright, offline.

The test starts ``simteam-dashboard`` on a free loopback port in a subprocess whose HTTP(S)
proxy points at a local trap socket, so any outbound request the server tries is recorded;
the browser records every request it makes. Both must stay on 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a dashboard server subprocess and headless Chromium

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
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


def _command(port: int, export: Path) -> list[str]:
    script = Path(sys.executable).with_name("simteam-dashboard")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "simteam.workshop.dashboard"]
    return [*base, "--port", str(port), "--export-dir", str(export)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); "
                    "the browser test never downloads a browser")
    tmp = tmp_path_factory.mktemp("dashboard")
    trap = _Trap()
    proxy = f"http://127.0.0.1:{trap.port}"
    env = {**os.environ, "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "http_proxy": proxy, "https_proxy": proxy,
           "ALL_PROXY": proxy, "NO_PROXY": "", "no_proxy": ""}
    port = _free_port()
    log = open(tmp / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(_command(port, tmp / "exports"), env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 120
    while True:
        if proc.poll() is not None:
            log.close()
            pytest.fail(f"simteam-dashboard exited with {proc.returncode}:\n{(tmp / 'server.log').read_text()}")
        try:
            with opener.open(url, timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"simteam-dashboard did not answer on {url} within 120 s:\n{(tmp / 'server.log').read_text()}")
        time.sleep(0.5)
    yield url, trap, tmp
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()
    trap.close()


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
            expect(page.locator(".kpi-week-a")).to_have_text("week 0")
            net0, charts0 = network.screenshot(), charts.screenshot()

            # step: the week advances, both views redraw
            step.click()
            expect(page.locator(".kpi-week-a")).to_have_text("week 1", timeout=60_000)
            expect(page.locator(".kpi-headcount-a")).to_have_text("12")
            charts1 = _wait_changed(charts, charts0)
            assert charts1 != charts0
            assert _wait_changed(network, net0) != net0

            # the crisis button: a marked event on the charts, then a step under the shock
            page.get_by_role("button", name="Trigger crisis").click()
            expect(page.locator(".intervention-msg")).to_have_text(
                "Trigger crisis at week 1: takes effect from the next step", timeout=60_000)
            charts_marked = _wait_changed(charts, charts1)
            assert charts_marked != charts1
            step.click()
            expect(page.locator(".kpi-week-a")).to_have_text("week 2", timeout=60_000)
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

"""``simteam-dashboard``: serve the workshop dashboard (:mod:`simteam.workshop.app`) with Solara.

Serves on 127.0.0.1 by default; ``--room`` (or ``--host 0.0.0.0``) serves the room's
network and prints a warning. Works with no internet: the pinned solara 1.58.2 with
solara-assets serves every script and style itself, and the version check and telemetry
(the only outbound calls solara makes) are switched off.

Example:
    $ simteam-dashboard                 # http://127.0.0.1:8765
    $ simteam-dashboard --port 9000 --export-dir slides/
    $ simteam-dashboard --room          # reachable from other laptops on the network
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import warnings
import webbrowser
from pathlib import Path

__all__ = ["ROOM_WARNING", "build_parser", "main", "solara_args"]

ROOM_WARNING = ("WARNING: serving on {host}:{port}: anyone on this network can open the dashboard and run it. "
                "Use this only on a network you trust (e.g. the workshop room), and stop it (Ctrl+C) afterwards.")

_LOCAL = ("127.0.0.1", "localhost", "::1")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 65535, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 65535, got {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    from ..errors import OneLineParser

    p = OneLineParser(prog="simteam-dashboard",
                                description="Serve the simteam workshop dashboard (works offline).")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0: the whole network)")
    p.add_argument("--room", action="store_true",
                   help="serve the room's network (same as --host 0.0.0.0); prints a warning")
    p.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    p.add_argument("--export-dir", default="simteam-exports",
                   help="folder where 'Save PNG' writes chart images (default ./simteam-exports)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    return p


def solara_args(host: str, port: int) -> list[str]:
    """Arguments for ``solara run`` serving :mod:`simteam.workshop.app` in production mode, offline."""
    return ["run", "simteam.workshop.app", "--host", host, "--port", str(port), "--production", "--no-open",
            "--no-check-version", "--log-level", "warning"]


def _fail(msg: str) -> int:
    print(f"simteam-dashboard: error: {msg}", file=sys.stderr)
    return 2


def _check_port(host: str, port: int) -> str | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            return f"--port: cannot listen on {host}:{port} ({exc.strerror}); choose another port with --port"
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``simteam-dashboard``; returns the exit code."""
    args = build_parser().parse_args(argv)
    host = "0.0.0.0" if args.room else args.host
    if args.room and args.host not in ("127.0.0.1", "0.0.0.0"):
        return _fail(f"--room serves on 0.0.0.0 and conflicts with --host {args.host}")
    export = Path(args.export_dir)
    try:
        export.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"--export-dir: cannot create {str(export)!r} ({exc.strerror})")
    if not os.access(export, os.W_OK):
        return _fail(f"--export-dir: {str(export)!r} is not writable")
    try:
        problem = _check_port(host, args.port)
    except OSError as exc:  # an unknown host name (socket.gaierror)
        return _fail(f"--host: cannot listen on {host!r} ({exc.strerror or exc}); use an address of this computer, "
                     f"e.g. 127.0.0.1")
    if problem:
        return _fail(problem)
    # offline: no telemetry, no version check (solara_args), no banner
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    os.environ["SIMTEAM_EXPORT_DIR"] = str(export.resolve())
    os.environ.setdefault("MPLBACKEND", "Agg")
    if host not in _LOCAL:
        print(ROOM_WARNING.format(host=host, port=args.port), file=sys.stderr, flush=True)
        print(f"simteam dashboard: others in the room open http://<this computer's IP address>:{args.port}",
              flush=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{args.port}"
    print(f"simteam dashboard: open {url} in a browser (Ctrl+C to stop). PNG exports go to {export.resolve()}",
          flush=True)
    if args.open:
        webbrowser.open(url)
    # solara warns that it cannot set a samesite=none cookie over plain http on 127.0.0.1 and falls back
    # to samesite=lax, which is what a local dashboard wants
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import click
    from solara.__main__ import cli

    try:
        cli.main(args=solara_args(host, args.port), prog_name="simteam-dashboard", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        print("simteam dashboard: stopped", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""``python -m simteam.workshop``: the dashboard, or with ``--room`` the game for the room.

Without ``--room`` this is ``simteam-dashboard`` (:mod:`simteam.workshop.dashboard`, same options).
With ``--room`` it serves the room game (:mod:`simteam.workshop.room_ui`) on the room's network and
prints the address the tables open and the facilitator's address (with its key).

Example:
    $ python -m simteam.workshop --room                       # 6 quarters, seed 1, port 8765
    $ python -m simteam.workshop --room --quarters 4 --seed 7 --save-dir games/
    $ python -m simteam.workshop --room --load games/room_game_week026.json
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import warnings
from pathlib import Path

__all__ = ["build_parser", "main", "room_address"]


def build_parser():
    from ..errors import OneLineParser
    from .dashboard import _port

    p = OneLineParser(prog="python -m simteam.workshop --room",
                      description="Serve the simteam room game: tables lead their own team, quarter by quarter "
                                  "(works offline).")
    p.add_argument("--room", action="store_true", help="serve the room game (without it: the dashboard)")
    p.add_argument("--host", default="0.0.0.0",
                   help="address to listen on (default 0.0.0.0: the room's network; 127.0.0.1: this computer only)")
    p.add_argument("--port", type=_port, default=8765, help="port (default 8765)")
    p.add_argument("--seed", type=int, default=1, help="the market and luck every team shares (default 1)")
    p.add_argument("--quarters", type=int, default=6, help="quarters to play, 1-16 (default 6)")
    p.add_argument("--market", default="stable", help="stable (default) or a shock preset")
    p.add_argument("--week-seconds", type=float, default=0.25,
                   help="pace of a running quarter, seconds per simulated week (default 0.25; 0: as fast as possible)")
    p.add_argument("--key", default="", help="the facilitator's key (default: a random one, printed)")
    p.add_argument("--save-dir", default="simteam-games",
                   help="folder where the game is saved after every quarter (default ./simteam-games)")
    p.add_argument("--load", default="", help="a saved game (JSON) to continue")
    return p


def room_address(port: int) -> str:
    """The address other computers in the room open: this computer's address on its network.

    Reads the address the system would use for an outbound route (a UDP socket's ``connect`` sends
    nothing); 127.0.0.1 when there is no network.
    """
    ip = "127.0.0.1"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
    except OSError:
        pass
    return f"http://{ip}:{port}/"


def _fail(msg: str) -> int:
    print(f"simteam-workshop: error: {msg}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m simteam.workshop`` (``simteam-workshop``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--room" not in argv:
        from .dashboard import main as dashboard

        return dashboard(argv)
    args = build_parser().parse_args(argv)
    from .dashboard import _check_port, solara_args
    from .room import Game, GameError, RoomSettings

    try:
        RoomSettings(seed=args.seed, quarters=args.quarters, market=args.market).check()
    except GameError as exc:
        return _fail(f"--{exc}")
    if args.week_seconds < 0 or args.week_seconds > 10:
        return _fail(f"--week-seconds: expected seconds from 0 to 10, got {args.week_seconds:g}")
    if args.load:
        try:
            Game.from_json(Path(args.load).read_text(encoding="utf-8"))
        except OSError as exc:
            return _fail(f"--load: cannot read {args.load!r} ({exc.strerror})")
        except GameError as exc:
            return _fail(f"--load: {exc}")
    save = Path(args.save_dir)
    try:
        save.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _fail(f"--save-dir: cannot create {str(save)!r} ({exc.strerror})")
    try:
        problem = _check_port(args.host, args.port)
    except OSError as exc:
        return _fail(f"--host: cannot listen on {args.host!r} ({exc.strerror or exc})")
    if problem:
        return _fail(problem)
    key = args.key or secrets.token_urlsafe(6)
    local = args.host in ("127.0.0.1", "localhost", "::1")
    tables = f"http://127.0.0.1:{args.port}/" if local else room_address(args.port)
    os.environ.update({
        "SIMTEAM_ROOM_SEED": str(args.seed), "SIMTEAM_ROOM_QUARTERS": str(args.quarters),
        "SIMTEAM_ROOM_MARKET": args.market, "SIMTEAM_ROOM_WEEK_SECONDS": str(args.week_seconds),
        "SIMTEAM_ROOM_KEY": key, "SIMTEAM_ROOM_SAVE_DIR": str(save.resolve()), "SIMTEAM_ROOM_URL": tables,
        "SIMTEAM_ROOM_LOAD": str(Path(args.load).resolve()) if args.load else "",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_THEME_SHOW_BANNER": "False",
    })
    os.environ.setdefault("MPLBACKEND", "Agg")
    if not local:
        from .dashboard import ROOM_WARNING

        print(ROOM_WARNING.format(host=args.host, port=args.port), file=sys.stderr, flush=True)
    print(f"simteam room game: tables open {tables}", flush=True)
    print(f"simteam room game: the facilitator opens http://127.0.0.1:{args.port}/?facilitator={key} "
          f"(on this computer; keep the key to yourself). Saves go to {save.resolve()}", flush=True)
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import click
    from solara.__main__ import cli

    sargs = [("simteam.workshop.room_ui" if a == "simteam.workshop.app" else a)
             for a in solara_args(args.host, args.port)]
    try:
        cli.main(args=sargs, prog_name="simteam-workshop", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        print("simteam room game: stopped", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

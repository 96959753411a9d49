"""One route for user errors: a single line naming the field or file and what is allowed, exit status 2.

Every entry point (the ``simteam`` Hydra app, ``python -m simteam.planning``, ``simteam-collect``,
``simteam-compare``, ``simteam-dashboard``) reports bad input through :func:`message` and exits with
status 2 without a traceback. Developers get the traceback back with ``SIMTEAM_DEBUG=1`` (or
``HYDRA_FULL_ERROR=1``, or ``--debug`` where a command has it).

Example:
    >>> cap_problems([f"row {i}: bad" for i in range(25)], limit=2)
    'row 0: bad; row 1: bad; ... and 23 more problems'
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence

from .params import ConfigError

__all__ = ["MAX_PROBLEMS", "OneLineParser", "cap_problems", "debug", "is_user_error", "message", "one_line_errors", "terminate_as_interrupt", "user_errors"]

#: Problems listed in one message; the rest are counted.
MAX_PROBLEMS = 20
#: Longest message printed (characters).
MAX_CHARS = 2000


def cap_problems(problems: Sequence[str], limit: int = MAX_PROBLEMS, sep: str = "; ") -> str:
    """The first ``limit`` problems joined by ``sep``, then how many more there are."""
    shown = list(problems[:limit])
    more = len(problems) - len(shown)
    return sep.join(shown) + (f"{sep}... and {more} more problem{'s' * (more > 1)}" if more > 0 else "")


def debug() -> bool:
    """True when the developer asked for tracebacks (``SIMTEAM_DEBUG=1`` or ``HYDRA_FULL_ERROR=1``)."""
    return os.environ.get("SIMTEAM_DEBUG") == "1" or os.environ.get("HYDRA_FULL_ERROR") == "1"


def user_errors() -> tuple[type[BaseException], ...]:
    """Exception types that are the user's input or environment, not a bug of simteam."""
    out: list[type[BaseException]] = [ConfigError, ValueError, OSError, MemoryError]
    with contextlib.suppress(ImportError):
        import yaml

        out.append(yaml.YAMLError)
    return tuple(out)


def is_user_error(ex: BaseException) -> bool:
    return isinstance(ex, user_errors())


def _yaml_message(ex) -> str:
    mark = getattr(ex, "problem_mark", None) or getattr(ex, "context_mark", None)
    problem = getattr(ex, "problem", None) or getattr(ex, "context", None) or str(ex)
    if mark is not None:
        return f"{mark.name}: line {mark.line + 1}, column {mark.column + 1}: YAML syntax error: {problem}"
    return f"YAML syntax error: {problem}"


def message(ex: BaseException) -> str:
    """One line for a user error: the field or file and what is wrong (long problem lists capped)."""
    try:
        import yaml

        if isinstance(ex, yaml.YAMLError):
            return _yaml_message(ex)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(ex, json.JSONDecodeError):
        return f"line {ex.lineno}, column {ex.colno}: invalid JSON ({ex.msg})"
    if isinstance(ex, UnicodeDecodeError):
        return f"not UTF-8 text (byte {ex.start}: {ex.reason})"
    if isinstance(ex, OSError) and ex.strerror:
        where = ex.filename if ex.filename is not None else ""
        other = f" -> {ex.filename2}" if getattr(ex, "filename2", None) else ""
        hint = {
            "EACCES": "; choose a folder you can write to",
            "EROFS": "; choose a folder you can write to",
            "EEXIST": "; a file is in the way: remove it or choose another folder",
            "ENOTDIR": "; a file is in the way where a folder should be",
            "EISDIR": "; a folder is in the way where a file should be",
            "ENOSPC": "; free some disk space",
        }.get(_errno_name(ex.errno), "")
        return f"{where}{other}: {ex.strerror}{hint}" if where else f"{ex.strerror}{hint}"
    if isinstance(ex, MemoryError):
        return ("out of memory: the run does not fit in this machine's memory; use fewer replications, weeks or "
                "seats, or a smaller chunk_rows")
    lines = [ln.strip() for ln in str(ex).strip().splitlines() if ln.strip()]
    if not lines:
        return type(ex).__name__
    if len(lines) > 1:
        head, rest = lines[0], [ln.lstrip("- ").strip() for ln in lines[1:]]
        if rest[-1].startswith("... and ") and len(rest) <= MAX_PROBLEMS + 1:  # capped where it was raised
            text = f"{head} {'; '.join(rest)}"
        else:
            text = f"{head} {cap_problems(rest)}"
    else:
        text = lines[0]
    text = " ".join(text.split())
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 30] + " ... (message cut)"


def _errno_name(n) -> str:
    import errno

    return errno.errorcode.get(n or 0, "")


@contextlib.contextmanager
def one_line_errors(prog: str, debug_flag: bool = False) -> Iterator[None]:
    """Run a command's body: a user error prints ``<prog>: error: <one line>`` and exits 2; any other
    exception prints one line saying it is an internal error (exit 1). ``debug_flag``/:func:`debug` re-raise."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except BaseException as ex:
        if debug_flag or debug():
            raise
        if is_user_error(ex):
            print(f"error: {message(ex)}", file=sys.stderr)
            sys.exit(2)
        print(f"error: internal error in {prog}: {type(ex).__name__}: {message(ex)} (a bug in simteam: please report it; "
              f"SIMTEAM_DEBUG=1 shows the traceback)", file=sys.stderr)
        sys.exit(1)


#: Signals received inside :func:`terminate_as_interrupt` (empty when none). The handler raises
#: KeyboardInterrupt where the signal lands, but an exception raised inside a C callback (llvmlite calls one
#: while numba compiles a kernel) is printed and swallowed, and the run would go on to finish with exit 0; the
#: flag keeps the interrupt until :func:`raise_if_interrupted` sees it at the next safe point.
INTERRUPTED: list[int] = []
_HANDLING: list[bool] = []  # non-empty while a terminate_as_interrupt block holds the handlers


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if a SIGINT/SIGTERM arrived (see :data:`INTERRUPTED`); called once a simulated
    week, while waiting for worker processes, and before any result file is moved into place."""
    if INTERRUPTED:
        raise KeyboardInterrupt


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Handle SIGTERM (a scheduler, ``kill``) like Ctrl+C inside the block: a KeyboardInterrupt is raised, so
    temporary files are removed and the run is marked interrupted instead of the process dying mid-write.

    Both signals are remembered (:data:`INTERRUPTED`): one that arrives while a C callback runs, whose
    exception Python swallows (printing nothing for it), still stops the run at the next week, and a block that
    finishes anyway raises KeyboardInterrupt on exit. SIGINT keeps its action when it is ignored (a command
    started with ``nohup`` or in the background of a non-interactive shell). A nested block leaves the outer
    one in charge."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or _HANDLING:
        yield
        return

    def handler(signum, frame):
        INTERRUPTED.append(signum)
        raise KeyboardInterrupt

    def quiet(unraisable, _previous=sys.unraisablehook):
        # the swallowed KeyboardInterrupt is remembered above: no "Exception ignored ... Traceback" for it
        if not (issubclass(unraisable.exc_type, KeyboardInterrupt) and INTERRUPTED):
            _previous(unraisable)

    INTERRUPTED.clear()
    _HANDLING.append(True)
    old_hook = sys.unraisablehook
    sys.unraisablehook = quiet
    old_term = signal.signal(signal.SIGTERM, handler)
    old_int = signal.getsignal(signal.SIGINT)
    if old_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, handler)
    try:
        yield
        raise_if_interrupted()
    finally:
        signal.signal(signal.SIGTERM, old_term)
        sys.unraisablehook = old_hook
        if old_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, old_int)
        INTERRUPTED.clear()
        _HANDLING.clear()


class OneLineParser:
    """Factory of an :class:`argparse.ArgumentParser` whose usage errors are one line (``prog: error: ...``,
    exit 2) followed by no usage block; ``--help`` still shows the usage."""

    def __new__(cls, *args, **kwargs):
        import argparse

        class _Parser(argparse.ArgumentParser):
            def error(self, msg):  # noqa: D401 - argparse API
                self.exit(2, f"{self.prog}: error: {' '.join(str(msg).split())} (see {self.prog} --help)\n")

        return _Parser(*args, **kwargs)

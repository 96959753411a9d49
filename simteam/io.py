"""Atomic file writers and run metadata.

Every file simteam writes goes first to a hidden temporary name in the target
folder and is then moved into place with :func:`os.replace`, which is atomic on
POSIX file systems: a killed run never leaves a truncated table under its final
name. :class:`Staged` extends this to a set of files that should appear together
(a run's outputs): everything is written to temporary names first and renamed at
the end, the completion marker (``summary.csv``) last.

Example:
    >>> import pandas as pd, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_csv(pd.DataFrame({"a": [1, 2]}), d / "t.csv").name
    't.csv'
"""

from __future__ import annotations

import contextlib
import functools
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Self

__all__ = [
    "Staged",
    "check_writable",
    "verify_manifest",
    "write_manifest",
    "atomic_path",
    "git_info",
    "render_template",
    "run_metadata",
    "simteam_version",
    "write_csv",
    "write_json",
    "write_parquet",
    "write_bytes",
    "write_figure",
    "write_png",
    "write_text",
    "write_yaml",
]


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place when the block succeeds.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _writer(write: Callable[[Any, Path], None]):
    def f(obj: Any, path: str | os.PathLike) -> Path:
        with atomic_path(path) as tmp:
            write(obj, tmp)
        return Path(path)
    f.__doc__ = write.__doc__
    return f


def _csv(df, tmp: Path) -> None:
    """Write a DataFrame as CSV (no index) atomically; returns the final path."""
    df.to_csv(tmp, index=False)


def _parquet(df, tmp: Path) -> None:
    """Write a DataFrame as Parquet (pyarrow, no index) atomically; returns the final path."""
    df.to_parquet(tmp, index=False, engine="pyarrow")


def _yaml(obj, tmp: Path) -> None:
    """Write plain data (dicts, lists, scalars) as YAML atomically; returns the final path."""
    import yaml

    tmp.write_text(yaml.safe_dump(obj, sort_keys=False, default_flow_style=False), encoding="utf-8")


def _json(obj, tmp: Path) -> None:
    """Write plain data as indented JSON atomically; returns the final path."""
    tmp.write_text(json.dumps(obj, indent=2, default=str) + "\n", encoding="utf-8")


def _text(obj, tmp: Path) -> None:
    """Write a string atomically (UTF-8, newlines as given); returns the final path."""
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(str(obj))


def _bytes(obj, tmp: Path) -> None:
    """Write bytes atomically; returns the final path."""
    tmp.write_bytes(bytes(obj))


def _png(fig, tmp: Path, dpi: int = 120, bbox_inches: str | None = None) -> None:
    """Save a matplotlib figure as PNG atomically (and release it); returns the final path.

    Library figures are :class:`matplotlib.figure.Figure` objects (see :func:`simteam.plotting.new_figure`),
    which need no closing; a figure made by ``pyplot`` (by a user) is also closed in pyplot's registry.
    """
    fig.savefig(tmp, format="png", dpi=dpi, bbox_inches=bbox_inches)
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None and getattr(fig.canvas, "manager", None) is not None:
        plt.close(fig)


write_csv = _writer(_csv)
write_parquet = _writer(_parquet)
write_yaml = _writer(_yaml)
write_json = _writer(_json)
write_text = _writer(_text)
write_bytes = _writer(_bytes)


def write_figure(fig, path: str | os.PathLike, dpi: int = 120, bbox_inches: str | None = None) -> Path:
    """Save a matplotlib figure as PNG atomically; returns the final path."""
    with atomic_path(path) as tmp:
        _png(fig, tmp, dpi=dpi, bbox_inches=bbox_inches)
    return Path(path)


write_png = write_figure

_WRITERS = {"csv": _csv, "parquet": _parquet, "yaml": _yaml, "json": _json, "text": _text, "bytes": _bytes,
            "png": _png, "figure": _png}


class Staged:
    """A set of output files that appear together: written to temporary names, renamed on :meth:`commit`.

    Args:
        outdir: Target folder (created if needed).

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> with Staged(d) as out:
        ...     _ = out.write("text", "hello", "a.txt")
        ...     _ = out.write("json", {"n": 1}, "summary.csv")
        ...     [p.name for p in out.commit()]
        ['a.txt', 'summary.csv']
        >>> (d / "a.txt").read_text()
        'hello'
        >>> sorted(p.name for p in d.iterdir())
        ['a.txt', 'summary.csv']
    """

    def __init__(self, outdir: str | os.PathLike):
        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self._pending: list[tuple[Path, Path]] = []
        self.written: list[Path] = []

    def write(self, kind: str, obj: Any, name: str, **options: Any) -> Path:
        """Write ``obj`` with the writer ``kind`` (csv, parquet, yaml, json, text, bytes, png/figure) to a temporary name.

        ``options`` go to the writer (``dpi``, ``bbox_inches`` for figures).

        Returns:
            The final path the file will have after :meth:`commit`.
        """
        final = self.outdir / name
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temp_name(final)
        try:
            _WRITERS[kind](obj, tmp, **options)
        except BaseException:
            if tmp.exists():
                tmp.unlink()
            raise
        self._pending.append((tmp, final))
        return final

    def commit(self, last: tuple[str, ...] = ("summary.csv",), manifest: bool = False) -> list[Path]:
        """Move every staged file into place; files named in ``last`` are moved last (completion markers).

        With ``manifest=True`` the last atomic step writes ``manifest.json`` (every file's size, row count and
        sha256, see :func:`write_manifest`), which :func:`verify_manifest` and ``simteam-collect`` check."""
        from .errors import raise_if_interrupted

        raise_if_interrupted()  # a run stopped by a signal leaves no result in place (simteam.errors.INTERRUPTED)
        order = sorted(self._pending, key=lambda p: p[1].name in last)
        for _, final in order:  # all or nothing: refuse before the first file is moved
            if final.is_dir():
                from .params import ConfigError

                self.abort()
                raise ConfigError(f"{final}: is a folder where a result file goes; nothing was written; remove it "
                                  f"or choose another output folder")
        for tmp, final in order:
            os.replace(tmp, final)
            self.written.append(final)
        self._pending = []
        if manifest:
            write_manifest(self.outdir, self.written)
        return self.written

    def abort(self) -> None:
        """Remove every staged temporary file."""
        for tmp, _ in self._pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self._pending = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()


MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _rows(path: Path) -> int | None:
    """Data rows of a CSV (lines after the header) or a Parquet file; None for other files."""
    if path.suffix == ".csv":
        with open(path, "rb") as fh:
            n = sum(1 for _ in fh)
        return max(0, n - 1)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    return None


def write_manifest(outdir: str | os.PathLike, files) -> Path:
    """Write ``manifest.json``: for every file its size, sha256 and (tables) row count. Written atomically,
    as the last step of a run: a folder with a matching manifest is complete."""
    outdir = Path(outdir)
    entries = {}
    for f in files:
        f = Path(f)
        entries[str(f.relative_to(outdir))] = {"bytes": f.stat().st_size, "rows": _rows(f), "sha256": _sha256(f)}
    return write_json({"format": 1, "files": entries}, outdir / MANIFEST)


def verify_manifest(outdir: str | os.PathLike) -> list[str]:
    """Problems of a run folder against its ``manifest.json`` (empty list: complete and intact).

    Each problem names the file (``<folder>/summary.csv: 1234 bytes, expected 2345 (cut off)``).
    """
    outdir = Path(outdir)
    mf = outdir / MANIFEST
    try:
        data = json.loads(mf.read_text(encoding="utf-8"))
        files = data["files"]
        assert isinstance(files, dict)
    except FileNotFoundError:
        return [f"{mf}: missing (the job did not finish writing its results)"]
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as ex:
        return [f"{mf}: damaged ({type(ex).__name__})"]
    problems = []
    for name, want in files.items():
        f = outdir / name
        if not f.is_file():
            problems.append(f"{f}: missing")
            continue
        size = f.stat().st_size
        if size != want.get("bytes"):
            how = "cut off" if size < (want.get("bytes") or 0) else "changed"
            problems.append(f"{f}: {size} bytes, expected {want.get('bytes')} ({how})")
        elif _sha256(f) != want.get("sha256"):
            problems.append(f"{f}: content differs from the checksum written with it (damaged or edited)")
    return problems


def check_writable(outdir: str | os.PathLike, names=()) -> None:
    """Before anything is written: ``outdir`` is (or can become) a folder this process can write, and none
    of ``names`` inside it is a folder. Probes with a hidden file that is removed again.

    Raises:
        ConfigError: naming the path and what is in the way.
    """
    from .params import ConfigError

    outdir = Path(outdir)
    probe = outdir
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"{probe}: is a file, where the output folder {outdir} should be; remove it or choose "
                          f"another output folder")
    if outdir.exists():
        for n in names:
            if (outdir / n).is_dir():
                raise ConfigError(f"{outdir / n}: is a folder where a result file goes; remove it or choose "
                                  f"another output folder")
    test = probe / f".simteam-write-test-{os.getpid()}"
    try:
        test.write_bytes(b"")
        test.unlink()
    except OSError as ex:
        raise ConfigError(f"{probe}: cannot write there ({ex.strerror}); choose a folder you can write to") from None
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(f"{probe}: cannot write there (permission denied); choose a folder you can write to")


@functools.lru_cache(maxsize=None)
def _jinja_env(package: str):
    import jinja2
    from markupsafe import Markup, escape

    env = jinja2.Environment(loader=jinja2.PackageLoader(package, "templates"), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
                             undefined=jinja2.StrictUndefined)
    # a line-break opportunity after each underscore of a long identifier (the text itself is escaped)
    env.filters["wbr"] = lambda text: Markup(str(escape(text)).replace("_", "_<wbr>"))
    return env


def render_template(package: str, template: str, /, **context: Any) -> str:
    """Render the HTML template ``template`` of ``package`` (``<package>/templates/<template>``) with autoescape.

    Every value of ``context`` is text to the template and is escaped; templates insert markup only
    through their own filters (``wbr``).

    Example:
        >>> "&lt;b&gt;" in render_template("simteam.cli", "comparison.html", intro="<b>", table=[], columns=[],
        ...                                figures=[])
        True
    """
    return _jinja_env(package).get_template(template).render(**context)


def simteam_version() -> str:
    """The installed simteam version (the package's ``__version__`` as a fallback)."""
    try:
        from importlib.metadata import version

        return version("simteam")
    except ImportError:  # pragma: no cover - not installed
        from . import __version__

        return __version__


def git_info(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """Commit and dirty flag of the git checkout holding ``path`` (default: the simteam package).

    Returns:
        dict with ``commit`` (40 hex digits or None when not in a git checkout) and ``dirty``
        (True when tracked files differ from the commit, None when unknown).
    """
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    out: dict[str, Any] = {"commit": None, "dirty": None}
    try:
        r = subprocess.run(["git", "-C", str(where), "rev-parse", "HEAD"], capture_output=True, text=True,
                           timeout=5, check=False)
        if r.returncode == 0:
            out["commit"] = r.stdout.strip()
            s = subprocess.run(["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=False)
            out["dirty"] = bool(s.stdout.strip()) if s.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def _command() -> list[str]:
    """The command line as typed: ``simteam ...`` or ``python -m simteam ...``."""
    if not sys.argv or not sys.argv[0]:
        return list(sys.argv)
    prog = Path(sys.argv[0])
    head = ["python", "-m", prog.parent.name] if prog.name == "__main__.py" else [prog.name]
    return [*head, *sys.argv[1:]]


def run_metadata(**extra: Any) -> dict[str, Any]:
    """What is needed to repeat a run: simteam version, git commit, command line, interpreter, time."""
    import numpy as np

    g = git_info()
    meta = {
        "simteam_version": simteam_version(),
        "git_commit": g["commit"],
        "git_dirty": g["dirty"],
        "command": _command(),
        "cwd": os.getcwd(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "time_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    meta.update(extra)
    return meta

"""Generated reference sections of ``docs/model.md``, built from the code itself.

The parameter reference is rendered from the dataclass field metadata in
:mod:`simteam.config` (via :func:`simteam.config.iter_params`): dotted path, default,
allowed range or choices, unit, meaning and source. The named leadership styles
(:data:`simteam.leadership.STYLES` with :data:`~simteam.leadership.STYLE_SOURCES`) and the
market-shock presets (:data:`simteam.market.PRESETS`) are rendered the same way, so
the documentation cannot drift from the code without ``tests/test_docs.py`` noticing.

Each generated block sits between two HTML comments in the Markdown file::

    <!-- params:start -->
    ... generated ...
    <!-- params:end -->

Usage::

    python -m simteam.docgen                        # print every block to stdout
    python -m simteam.docgen --write docs/model.md  # rewrite the blocks in place (atomically)
    python -m simteam.docgen --check docs/model.md  # exit 1 if a block is out of date
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from collections.abc import Callable
from typing import Any

from .config import (
    AllocationConfig,
    ChangeConfig,
    CrisisConfig,
    CultureConfig,
    Event,
    Initiative,
    LeadersConfig,
    HeadOfSalesConfig,
    LeadershipConfig,
    MarketConfig,
    PeopleConfig,
    Segment,
    SellingConfig,
    Shock,
    SimConfig,
    Switches,
    TeamConfig,
    default_segments,
    iter_params,
)
from .io import write_text

__all__ = [
    "BLOCKS",
    "main",
    "render",
    "render_params",
    "render_presets",
    "render_segments",
    "render_styles",
    "replace_blocks",
    "stale_blocks",
]

#: Top-level sections of SimConfig in the order they are documented, with their dataclass.
_SECTIONS: list[tuple[str, type | None]] = [
    ("", None),  # seed, replications, weeks
    ("team", TeamConfig),
    ("market", MarketConfig),
    ("selling", SellingConfig),
    ("allocation", AllocationConfig),
    ("people", PeopleConfig),
    ("leadership", LeadershipConfig),
    ("crisis", CrisisConfig),
    ("leaders", LeadersConfig),
    ("head_of_sales", HeadOfSalesConfig),
    ("change", ChangeConfig),
    ("culture", CultureConfig),
    ("mechanisms", Switches),
]

#: List-valued fields whose items are dataclasses: documented as item tables.
_ITEMS: list[tuple[str, type]] = [
    ("market.segments[i]", Segment),
    ("market.shocks[i]", Shock),
    ("change.initiatives[i]", Initiative),
    ("events[i]", Event),
]


def _fmt_number(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
            return f"{v:g}"
        return repr(v)
    return str(v)


def _fmt_default(v: Any) -> str:
    if isinstance(v, str):
        return f'`"{v}"`' if v else '`""`'
    if isinstance(v, list):
        return "`[" + ", ".join(_fmt_number(x) for x in v) + "]`"
    return f"`{_fmt_number(v)}`"


def _fmt_range(md: dict, default: Any) -> str:
    if md.get("choices"):
        return ", ".join(f"`{c}`" for c in md["choices"])
    if isinstance(default, bool):
        return "true / false"
    if isinstance(default, list):
        return "a list (see meaning)"
    lo, hi = md.get("lo"), md.get("hi")
    if lo is None and hi is None:
        return "any" if not isinstance(default, str) else "text"
    return f"[{_fmt_number(lo) if lo is not None else '-inf'}, {_fmt_number(hi) if hi is not None else 'inf'}]"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default_of(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        return f.default_factory()  # type: ignore[misc]
    return None


def _rows(fields: list[tuple[str, dataclasses.Field]]) -> list[str]:
    out = ["| parameter | default | allowed | unit | meaning | source |", "|---|---|---|---|---|---|"]
    for path, f in fields:
        md = dict(f.metadata)
        d = _default_of(f)
        out.append("| " + " | ".join([f"`{path}`", _fmt_default(d), _cell(_fmt_range(md, d)),
                                     _cell(md.get("unit", "")), _cell(md.get("doc", "")),
                                     _cell(md.get("source", ""))]) + " |")
    return out


def _first_line(cls: type) -> str:
    return (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""


def render_params() -> str:
    """Markdown tables of every parameter of :class:`SimConfig`, one table per section."""
    allp = list(iter_params(SimConfig))
    lines: list[str] = []
    for name, cls in _SECTIONS:
        if cls is None:
            fields = [(p, f) for p, f in allp if "." not in p]
            title, doc = "top level", "Run size, horizon and seed."
        else:
            fields = [(p, f) for p, f in allp if p.startswith(name + ".")]
            title, doc = f"`{name}`", _first_line(cls)
        lines += [f"#### {title}", "", doc, ""] + _rows(fields) + [""]
    for prefix, cls in _ITEMS:
        fields = [(f"{prefix}.{p}", f) for p, f in iter_params(cls)]
        lines += [f"#### `{prefix}`", "", _first_line(cls) + " (list items; defaults of one item)", ""]
        lines += _rows(fields) + [""]
    return "\n".join(lines).rstrip() + "\n"


def render_segments() -> str:
    """Markdown table of the default market segments (``market.segments``)."""
    names = [f.name for f in dataclasses.fields(Segment)]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for seg in default_segments():
        lines.append("| " + " | ".join(_fmt_number(getattr(seg, n)) if n != "name" else f"`{seg.name}`"
                                       for n in names) + " |")
    return "\n".join(lines) + "\n"


def render_styles() -> str:
    """Markdown table of the named leadership styles (behaviour values) and their sources."""
    from .leadership import _B, STYLE_SOURCES, STYLES

    lines = ["| style | " + " | ".join(_B) + " |", "|---|" + "---|" * len(_B)]
    for name, vals in STYLES.items():
        lines.append(f"| `{name}` | " + " | ".join(_fmt_number(vals[b]) for b in _B) + " |")
    lines += ["", "| style | source |", "|---|---|"]
    for name in STYLES:
        lines.append(f"| `{name}` | {_cell(STYLE_SOURCES.get(name, ''))} |")
    return "\n".join(lines) + "\n"


def render_presets() -> str:
    """Markdown table of the market-shock presets (:data:`simteam.market.PRESETS`)."""
    from .market import PRESETS

    names = [f.name for f in dataclasses.fields(Shock)]
    lines = ["| preset | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, spec in PRESETS.items():
        sh = Shock(**spec)
        lines.append(f"| `{key}` | " + " | ".join(_fmt_number(getattr(sh, n)) for n in names) + " |")
    return "\n".join(lines) + "\n"


#: Generated blocks: marker name -> renderer.
BLOCKS: dict[str, Callable[[], str]] = {
    "params": render_params,
    "segments": render_segments,
    "styles": render_styles,
    "presets": render_presets,
}


def render(name: str) -> str:
    """The generated text of block ``name``."""
    if name not in BLOCKS:
        raise KeyError(f"unknown block {name!r}; choose one of {', '.join(BLOCKS)}")
    return BLOCKS[name]()


def _pattern(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- {name}:start -->\n)(.*?)(<!-- {name}:end -->)", re.DOTALL)


def replace_blocks(text: str, names: list[str] | None = None, require: bool = False) -> str:
    """``text`` with every generated block between its markers replaced by fresh output.

    Args:
        text: The Markdown document.
        names: Blocks to replace (default: every block whose markers occur in ``text``).
        require: Raise if a block named in ``names`` has no markers.

    Raises:
        ValueError: A required block has no (or unbalanced) markers.
    """
    for name in names or list(BLOCKS):
        pat = _pattern(name)
        if not pat.search(text):
            if require or (names and name in names):
                raise ValueError(f"no '<!-- {name}:start -->' ... '<!-- {name}:end -->' markers in the document")
            continue
        block = render(name)
        text = pat.sub(lambda m, b=block: m.group(1) + b + m.group(3), text)
    return text


def stale_blocks(text: str) -> list[str]:
    """Names of the generated blocks in ``text`` whose content differs from fresh output."""
    out = []
    for name in BLOCKS:
        m = _pattern(name).search(text)
        if m and m.group(2) != render(name):
            out.append(name)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: print, write or check the generated blocks."""
    ap = argparse.ArgumentParser(prog="python -m simteam.docgen", description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--write", metavar="FILE", help="replace the generated blocks in FILE")
    g.add_argument("--check", metavar="FILE", help="exit 1 if a generated block in FILE is out of date")
    ap.add_argument("--block", choices=list(BLOCKS), action="append",
                    help="only this block (repeatable; default: all)")
    a = ap.parse_args(argv)
    path = a.write or a.check
    if path is None:
        for name in a.block or list(BLOCKS):
            print(f"<!-- {name}:start -->\n{render(name)}<!-- {name}:end -->\n")
        return 0
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        print(f"error: {path}: cannot read: {e.strerror}", file=sys.stderr)
        return 2
    if a.check:
        stale = stale_blocks(text)
        if stale:
            print(f"{path}: out of date: {', '.join(stale)} (run python -m simteam.docgen --write {path})",
                  file=sys.stderr)
            return 1
        print(f"{path}: generated blocks are up to date")
        return 0
    try:
        new = replace_blocks(text, a.block)
    except ValueError as e:
        print(f"error: {path}: {e}", file=sys.stderr)
        return 2
    found = [n for n in (a.block or list(BLOCKS)) if _pattern(n).search(text)]
    if not found:
        print(f"error: {path}: no generated-block markers found (e.g. '<!-- params:start -->')", file=sys.stderr)
        return 2
    if new != text:
        write_text(new, path)
    print(f"{path}: wrote {', '.join(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The package's shape: the core never imports an application, and no module imports itself in a circle."""

from __future__ import annotations

import ast
import pathlib

import pytest

PKG = pathlib.Path(__file__).resolve().parents[1] / "simteam"
APPS = ("cli", "planning", "workshop", "research")


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for f in PKG.rglob("*.py"):
        rel = f.relative_to(PKG).with_suffix("")
        parts = ["simteam", *rel.parts]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


MODULES = _modules()


def _imports(name: str, path: pathlib.Path) -> set[str]:
    """simteam modules imported by ``name`` (anywhere in the file, lazy imports included)."""
    is_pkg = path.name == "__init__.py"
    pkg = name if is_pkg else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("simteam"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("simteam"):
                continue
            for a in node.names:  # `from . import x` may name a module
                found.add(f"{mod}.{a.name}" if f"{mod}.{a.name}" in MODULES else mod)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _is_app(mod: str) -> bool:
    parts = mod.split(".")
    return len(parts) > 1 and parts[1] in APPS


@pytest.mark.parametrize("mod", sorted(m for m in MODULES if not _is_app(m) and m != "simteam.__main__"))
def test_the_core_never_imports_an_application(mod):
    bad = sorted(m for m in GRAPH[mod] if _is_app(m))
    assert not bad, f"core module {mod} imports application module(s) {bad}"


def test_no_import_cycles():
    # a package importing its own modules (``simteam.cli`` -> ``simteam.cli.app``) is not a cycle
    def edges(m):
        return {d for d in GRAPH[m] if not m.startswith(d + ".") and not (d.startswith(m + ".") and m in _pkgs)}

    _pkgs = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    cycles, state = [], {}

    def visit(m, stack):
        state[m] = 1
        stack.append(m)
        for d in sorted(edges(m)):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d, stack)
        stack.pop()
        state[m] = 2

    for m in sorted(MODULES):
        if m not in state:
            visit(m, [])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_hydra_configs_ship_inside_the_package():
    assert (PKG / "conf" / "config.yaml").is_file()
    from simteam.cli import CONF_DIR
    assert pathlib.Path(CONF_DIR).resolve() == (PKG / "conf").resolve()

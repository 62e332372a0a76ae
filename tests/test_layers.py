"""The package's import graph: no cycles, and the core never imports its outer layers.

Every `import` in every module of codeact_verify (and of the fuzz package installed as
codeact_verify.fuzz) counts, also those inside functions: a lazy import is still a dependency.
The core is everything but the adapters, the command line, the benchmarks and the demo (and the
two one-line public paths `codeact_verify.openai` / `codeact_verify.agent_framework`, which
re-export adapters, and `python -m codeact_verify`); it must not import those.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"codeact_verify": ROOT / "codeact_verify", "codeact_verify.fuzz": ROOT / "fuzz"}
OUTER = ("adapters", "cli", "bench", "demo")
PUBLIC_PATHS = {"codeact_verify.openai", "codeact_verify.agent_framework"}
ENTRY_POINTS = {"codeact_verify.__main__"}  # `python -m codeact_verify` runs the CLI


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, directory in PACKAGES.items():
        for path in directory.rglob("*.py"):
            parts = path.relative_to(directory).with_suffix("").parts
            if any(p in ("corpus", "findings") for p in parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports (resolved; a package means its __init__)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        for target in targets:
            # the longest known module that the target names (a.b.c -> a.b if c is a name)
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _package_init_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ re-exporting its own submodules is how packages work, and importing
    # `pkg.sub` runs `pkg/__init__` first: an edge from a submodule up to its own package is
    # not a dependency of the submodule's code. Drop those (and only those).
    return {
        name: {t for t in targets if not name.startswith(t + ".")}
        for name, targets in edges.items()
    }


def is_outer(name: str) -> bool:
    parts = name.split(".")
    return (len(parts) > 1 and parts[1] in OUTER) or name in PUBLIC_PATHS | ENTRY_POINTS


def test_the_graph_is_read() -> None:
    edges = graph()
    assert "codeact_verify.host.engine" in edges
    assert "codeact_verify.host.build" in edges["codeact_verify.host.engine"]
    assert "codeact_verify.rules.base" in edges["codeact_verify.rules.names"]


def test_no_import_cycles() -> None:
    found = cycles(_package_init_edges(graph()))
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_core_does_not_import_adapters_cli_bench_or_demo() -> None:
    bad = {
        (name, target)
        for name, targets in graph().items()
        if not is_outer(name) and not name.startswith("codeact_verify.fuzz")
        for target in targets
        if is_outer(target)
    }
    assert not bad, f"core modules importing outer layers: {sorted(bad)}"


def test_fuzz_does_not_import_the_outer_layers_either() -> None:
    bad = {
        (name, target)
        for name, targets in graph().items()
        if name.startswith("codeact_verify.fuzz")
        for target in targets
        if is_outer(target)
    }
    assert not bad, f"fuzz modules importing outer layers: {sorted(bad)}"


def test_every_package_and_data_file_ships_in_the_wheel() -> None:
    # `codeact-verify bench` once worked only from an editable install: a package missing from
    # pyproject's list is missing from the wheel. Every directory with an __init__.py under the
    # installed trees is listed, and every non-Python file the code ships is in package-data.
    import fnmatch
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    dirs = {"codeact_verify": ROOT / "codeact_verify", **config["package-dir"]}
    data = config["package-data"]
    for package, directory in dirs.items():
        base = ROOT / directory if isinstance(directory, str) else directory
        for init in base.rglob("__init__.py"):
            parts = init.parent.relative_to(base).parts
            name = ".".join((package, *parts))
            as_data = parts and f"{'/'.join(parts)}/*.py" in data.get(package, [])  # guest source
            assert name in listed or as_data, f"{name} is not in [tool.setuptools].packages"
    for package, directory in (("codeact_verify.bench.tasks", "codeact_verify/bench/tasks"),
                               ("codeact_verify.grammars", "grammars")):
        for path in (ROOT / directory).iterdir():
            if path.is_file() and path.suffix not in (".py", ".pyc"):
                patterns = data.get(package, [])
                assert any(fnmatch.fnmatch(path.name, p) for p in patterns), (
                    f"{path} is not in package-data for {package}"
                )

"""What the fuzz strategies generate: node kinds, names and attack families per property.

    .venv/bin/python -m codeact_verify.bench.fuzz_coverage [--examples 600] [--property NAME ...]
                                                           [--seed N] [--commit REV]

Draws --examples inputs from each property's strategy (fixed seeds, nothing is checked) and
prints, per property, the AST node kinds of the generated programs, the builtins, modules and
tools they name, and the attack families (the ``what`` of outside programs, the seeds and
mutations of escape mutants, the kinds of adversarial input). Run it before and after changing
a strategy: a cheaper strategy must still reach every kind it reached before. ``--commit REV``
prints the same for commit REV's generators (unpacked from git, run in a subprocess with that
tree's packages first, as ``bench.fuzz --baseline-commit`` does), for a diff.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from codeact_verify.fuzz import properties as P
from codeact_verify.fuzz.mutations import Mutant
from codeact_verify.fuzz.programs import OutsideProgram


def _family(what: str) -> str:
    """`math.sys` -> `module attribute`, `builtin eval` -> `builtin`, ..."""
    head = what.split(" ", 1)[0]
    if head in ("construct", "builtin", "import"):
        return head
    if "." in what and " " not in what:
        return "module attribute"
    return what


def tally(example: Any, kinds: Counter[str], names: Counter[str], families: Counter[str]) -> None:
    texts: list[str | bytes] = []
    if isinstance(example, tuple) and example and example[0] == "escape":
        example = example[1]
    elif isinstance(example, tuple) and example and example[0] == "accepted":
        code, _rng, muts = example[1]
        families.update(f"harmless {m}" for m in muts)
        example = code
    if isinstance(example, tuple):  # contained: (code, origin)
        code, origin = example
        families["grammar" if origin == "grammar" else "escape mutant"] += 1
        texts.append(code)
    elif isinstance(example, Mutant):
        families.update(f"mutation {m}" for m in example.mutations)
        families[f"seed {example.seed}"] += 1
        texts.append(example.code)
    elif isinstance(example, OutsideProgram):
        families[f"outside: {_family(example.what)}"] += 1
        families[f"item {example.what}"] += 1
        texts.append(example.code)
    else:
        families["bytes" if isinstance(example, bytes) else "text"] += 1
        texts.append(example)
    for text in texts:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            families["not parseable"] += 1
            continue
        for node in ast.walk(tree):
            kinds[type(node).__name__] += 1
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                names[node.id] += 1
            elif isinstance(node, ast.Import):
                names.update(f"import {a.name}" for a in node.names)


def collect(
    name: str, examples: int, seed: int = 0
) -> tuple[Counter[str], Counter[str], Counter[str]]:
    ctx = P.Context()
    kinds: Counter[str] = Counter()
    names: Counter[str] = Counter()
    families: Counter[str] = Counter()
    batch = 50

    @settings(
        max_examples=batch,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(example=P.strategies(name, ctx))
    def run(example: Any) -> None:
        tally(example, kinds, names, families)

    for i in range(max(1, examples // batch)):
        run._hypothesis_internal_use_seed = seed + i  # type: ignore[attr-defined]
        run()
    return kinds, names, families


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=600)
    ap.add_argument("--property", action="append", choices=P.PROPERTIES)
    ap.add_argument("--seed", type=int, default=0, help="first Hypothesis seed (one per 50)")
    ap.add_argument("--commit", metavar="REV", help="the generators of commit REV instead")
    args = ap.parse_args(argv)
    if args.commit:
        return _at_commit(args.commit, [a for a in (argv or sys.argv[1:]) if a != args.commit])
    for name in args.property or P.PROPERTIES:
        kinds, names, families = collect(name, args.examples, args.seed)
        print(f"== {name}: {len(kinds)} node kinds, {len(names)} names, {len(families)} families")
        print("  node kinds: " + " ".join(sorted(kinds)))
        print("  names: " + " ".join(sorted(names)))
        fam = sorted(f for f in families if not f.startswith(("seed ", "item ")))
        seeds = sum(1 for f in families if f.startswith("seed "))
        items = sum(1 for f in families if f.startswith("item "))
        print(
            f"  families: {' | '.join(fam)}"
            + (f" | {seeds} escape seeds" if seeds else "")
            + (f" | {items} distinct outside items" if items else "")
        )
    return 0


_BOOT = """
import runpy, sys
sys.path.insert(0, {bench!r})
import fuzz_driver
sys.path.pop(0)
sys.meta_path.insert(0, fuzz_driver._TreeFinder({tree!r}))
sys.argv = ["fuzz_coverage", *{args!r}]
runpy.run_path({script!r}, run_name="__main__")
"""


def _at_commit(rev: str, argv: list[str]) -> int:
    import subprocess
    import tempfile
    from pathlib import Path

    from .fuzz_baseline import BaselineUnavailable, resolve, unpack

    args = [a for a in argv if a != "--commit" and not a.startswith("--commit=")]
    with tempfile.TemporaryDirectory(prefix="codeact-fuzz-coverage-") as tmp:
        try:
            tree = unpack(resolve(rev), Path(tmp) / "tree")
        except BaselineUnavailable as exc:
            print(f"fuzz_coverage: {exc}", file=sys.stderr)
            return 2
        here = Path(__file__).resolve()
        boot = _BOOT.format(bench=str(here.parent), tree=str(tree), args=args, script=str(here))
        return subprocess.run([sys.executable, "-c", boot]).returncode


if __name__ == "__main__":
    sys.exit(main())

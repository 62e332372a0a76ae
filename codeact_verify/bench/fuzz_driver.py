"""One tree's fuzz campaign, timed on request: the worker process of `bench.fuzz --baseline-commit`.

    python fuzz_driver.py [--root TREE] [--no-check]

Runs as a plain script so that it can drive *another* checkout of this project (an older commit
unpacked into a temporary directory) with this venv's dependencies: ``--root TREE`` maps the
packages ``codeact_verify``, ``codeact_verify.fuzz``, ``codeact_verify.grammars`` and
``codeact_verify.guest`` to TREE's folders (as pyproject's package-dir does) ahead of the
installed ones. Without ``--root`` it uses the installed package. ``--no-check`` replaces every
property's check by a count (``count_only``): what is left is the generators, Hypothesis' engine
and the example database, the most examples/s a worker can reach whatever the checks cost.

It only uses entry points that every version of the campaign since the fuzz fleet has had:
``fuzz.properties.Context`` and ``fuzz.campaign.CampaignConfig``, ``open_database`` and
``_run_batch`` (one Hypothesis run of one property, exactly as a campaign worker runs it). Commands
arrive as JSON lines on stdin, answers leave as JSON lines on stdout:

    {"cmd": "warm", "properties": [...]}      -> {"ok": true, "sandbox": null | "why not"}
    {"cmd": "run", "property": P, "seconds": S, "seed": N}
                                               -> {"examples": n, "wall": s, "batches": b}
    {"cmd": "quit"}

Start-up (imports, the mypy worker, the strategies, building or loading this tree's sandbox
guest) happens on "warm", before any timing. Nothing of this file runs inside the timed loop
except the loop itself.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import tempfile
import time
from typing import Any

if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)  # bench/'s own modules (fuzz.py, verify.py, ...) must not shadow anything

#: The 10-line accepted program every tree verifies once before timing (the checker's start).
WARM_PROGRAM = """\
cities = ["Paris", "London", "Tokyo"]
temps = []
for city in cities:
    try:
        temps.append(get_weather(city=city)["temperature"])
    except ToolError:
        print("skip", city)
best = max(temps) if temps else 0.0
print(f"warmest {best:.1f}")
"""


class _TreeFinder(importlib.abc.MetaPathFinder):
    """Find this project's top-level packages in one source tree (pyproject's package-dir)."""

    def __init__(self, root: str) -> None:
        self.dirs = {
            "codeact_verify": os.path.join(root, "codeact_verify"),
            "codeact_verify.fuzz": os.path.join(root, "fuzz"),
            "codeact_verify.grammars": os.path.join(root, "grammars"),
            "codeact_verify.guest": os.path.join(root, "sandbox"),
        }

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        folder = self.dirs.get(fullname)
        if folder is None:
            return None
        init = os.path.join(folder, "__init__.py")
        if not os.path.exists(init):  # a namespace-like data folder (sandbox/, grammars/)
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = [folder]
            return spec
        return importlib.util.spec_from_file_location(
            fullname, init, submodule_search_locations=[folder]
        )


def count_only(properties: Any) -> None:
    """Replace the `properties` module's `run_check` (what every property's Hypothesis test
    calls on each example) by a count of the example: no verify, no type check, no sandbox run,
    no mutation; the examples are still generated, drawn and counted as the campaign counts
    them (`Context.examples`)."""

    def run_check(name: str, ctx: Any, example: Any) -> None:
        ctx.examples[name] += 1

    properties.run_check = run_check


def main(argv: list[str]) -> int:
    args = list(argv)
    no_check = "--no-check" in args
    if no_check:
        args.remove("--no-check")
    if len(args) == 2 and args[0] == "--root":
        sys.meta_path.insert(0, _TreeFinder(os.path.abspath(args[1])))
    elif args:
        print(f"fuzz_driver: unknown arguments {args}", file=sys.stderr)
        return 2
    from codeact_verify.fuzz import campaign
    from codeact_verify.fuzz import properties as P

    if no_check:
        count_only(P)

    needed = ("CampaignConfig", "open_database", "_run_batch")
    missing = [n for n in needed if not hasattr(campaign, n)]
    if missing:
        print(f"fuzz_driver: {campaign.__file__} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    ctx = P.Context()
    cfg = campaign.CampaignConfig()
    db = campaign.open_database(tempfile.mkdtemp(prefix="codeact-fuzz-bench-db-"))
    run_batch = campaign._run_batch
    out = sys.stdout
    sys.stdout = sys.stderr  # whatever the tree prints must not garble the answers
    for line in sys.stdin:
        msg = json.loads(line)
        if msg["cmd"] == "quit":
            break
        if msg["cmd"] == "warm":
            ctx.verify(WARM_PROGRAM)
            for name in msg.get("properties", ()):  # a tree that builds them once does it now
                P.strategies(name, ctx)
            why = None
            if set(msg.get("properties", ())) & set(P.SANDBOX_PROPERTIES):
                why = campaign.sandbox_unavailable()
                if why is None:
                    ctx.oracle.run("print(1)\n", ctx.specs, ctx.policy)
            answer: dict[str, Any] = {"ok": True, "sandbox": why, "file": campaign.__file__}
        else:
            name, seconds = msg["property"], float(msg["seconds"])
            cfg.seed = int(msg.get("seed", 0))
            before = ctx.examples[name]
            batches = 0
            started = time.perf_counter()
            end = started + seconds
            while time.perf_counter() < end:
                batches += 1
                run_batch(0, cfg, ctx, db, name, batches)
            wall = time.perf_counter() - started
            answer = {"examples": ctx.examples[name] - before, "wall": wall, "batches": batches}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Type-check latency: `python -m codeact_verify.bench.typecheck [--repeats N]`.

Prints median and p90 of `codeact_verify.typecheck.typecheck` for 10-, 50- and 200-line CodeAct
programs (and `print(1+1)`) against the six demo tools, warm (the worker's fine-grained mypy build
kept between checks; the same program timed again, and a new program each time), the same program
again with findings remembered (``typecheck.remember_findings``, on by default), the first call
of the process (cold), and, as the baseline measured in the same run, the
plain way: `mypy.api.run` on the same program text with a warm on-disk cache. Also the tool-call
checks + effects (given the `ast` tree, as the verifier calls them, and from a libcst parse)
and the transpiler on the same programs. Nothing is asserted: numbers only.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from codeact_verify.demo import tools as demo_tools
from codeact_verify.effects import compute_effects
from codeact_verify.toolcalls import find_tool_calls
from codeact_verify.toolcheck import check_tool_calls
from codeact_verify.tools import ToolSpec, stubs_module, tool_specs
from codeact_verify.transpile import transpile
from codeact_verify.typecheck import remember_findings, typecheck

BLOCKS = [
    'w = call_tool("get_weather", city="Paris")\nprint(w["temperature_c"], w["conditions"])\n',
    "temps{i} = []\nfor c in ['Oslo', 'Rome']:\n"
    "    temps{i}.append(get_weather(city=c)['temperature_c'])\nprint(max(temps{i}))\n",
    "def hot{i}(city):\n    days = get_forecast(city=city, days=3)\n"
    "    return [d['day'] for d in days if d['high_c'] > 20]\nprint(hot{i}('Madrid'))\n",
    'f{i} = convert_temperature(value=21.5, to_unit="F")\nprint(f"{{f{i}:.1f}} F")\n',
    'places{i} = search_places(query="coffee", city="Paris", limit=2)\n'
    'names{i} = sorted(p["name"] for p in places{i})\nprint(", ".join(names{i}))\n',
    'try:\n    t{i} = call_tool("local_time", city="Tokyo")\nexcept ToolError as e:\n'
    "    t{i} = 'unknown'\nprint(t{i})\n",
    "import json\nsummary{i} = {{'n': {i}, 'ok': True}}\nprint(json.dumps(summary{i}))\n",
]


def program(lines: int) -> str:
    """Whole blocks until about `lines` lines (never a block cut in half)."""
    out: list[str] = []
    i = 0
    while sum(block.count("\n") for block in out) < lines:
        out.append(BLOCKS[i % len(BLOCKS)].format(i=i))
        i += 1
    return "".join(out)


def specs() -> dict[str, ToolSpec]:
    funcs = [
        f
        for n, f in vars(demo_tools).items()
        if inspect.isfunction(f) and not n.startswith("_") and f.__module__ == demo_tools.__name__
    ]
    return tool_specs(funcs)


def timed(fn: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p90(xs: list[float]) -> float:
    return sorted(xs)[max(0, round(0.9 * len(xs)) - 1)]


def stats(xs: list[float]) -> tuple[float, float]:
    return statistics.median(xs), p90(xs)


def baseline_api_run(
    code: str, tools: Mapping[str, ToolSpec], workdir: Path
) -> Callable[[], object]:
    """The plain approach: mypy.api.run(-c program + stub import) with a warm disk cache."""
    from mypy import api

    (workdir / "cv_bench_tools.pyi").write_text(stubs_module(tools), encoding="utf-8")
    names = [*sorted(tools), "call_tool", "call_tools", "ToolError"]
    text = code + f"from cv_bench_tools import {', '.join(names)}\n"
    args = [
        "--cache-dir", str(workdir / "cache"), "--check-untyped-defs", "--allow-redefinition",
        "--ignore-missing-imports", "--follow-imports=silent", "--no-error-summary",
        "--show-column-numbers", "-O", "json", "-c", text,
    ]  # fmt: skip

    def run() -> object:
        import os

        old = os.environ.get("MYPYPATH")
        os.environ["MYPYPATH"] = str(workdir)
        try:
            return api.run(args)
        finally:
            if old is None:
                os.environ.pop("MYPYPATH", None)
            else:
                os.environ["MYPYPATH"] = old

    run()  # fill the cache
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)
    remember_findings(False)  # "warm" is mypy's work on the program, not a remembered answer
    tools = specs()
    sizes = (1, 10, 50, 200)
    programs = {n: program(n) for n in sizes}
    programs[1] = "print(1+1)\n"

    start = time.perf_counter()
    first = typecheck(programs[10], tools)
    cold_ms = (time.perf_counter() - start) * 1000
    assert first == [], first
    for code in programs.values():
        compile(code, "<bench>", "exec")  # every program is valid Python

    rows: list[tuple[str, int, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            code = programs[n]
            # warm-up for this size (first import of each module used)
            typecheck(code, tools)
            warm = timed(lambda code=code: typecheck(code, tools), args.repeats)
            fresh = iter(range(10**9))
            distinct = timed(
                lambda code=code, fresh=fresh: typecheck(
                    code + f"cv_bench_{next(fresh)} = 0\n", tools
                ),
                args.repeats,
            )
            base = timed(baseline_api_run(code, tools, Path(tmp)), max(5, args.repeats // 3))
            ratio = f"{statistics.median(base) / statistics.median(warm):.1f}x faster"
            rows.append(("typecheck (warm)", n, *stats(warm), ratio))
            rows.append(("baseline mypy.api.run", n, *stats(base), "1.0x"))
            rows.append(("typecheck (warm), a new program each time", n, *stats(distinct), ""))
            remember_findings(True)
            typecheck(code, tools)
            again = timed(lambda code=code: typecheck(code, tools), args.repeats)
            remember_findings(False)
            rows.append(("typecheck, same program again (remembered)", n, *stats(again), ""))

            tree = ast.parse(code)

            def static(code: str = code, tree: ast.Module = tree) -> None:
                index = find_tool_calls(tree, tools)
                check_tool_calls(code, tools, tree=tree, index=index)
                compute_effects(code, tools, tree=tree, index=index)

            tool = timed(static, args.repeats)
            rows.append(("toolcheck+effects (ast tree given)", n, *stats(tool), ""))
            tr = timed(lambda code=code: transpile(code, tools), args.repeats)
            rows.append(("transpile", n, *stats(tr), ""))

    print(f"typecheck first call in this process (cold, 10 lines): {cold_ms:.0f} ms")
    print(f"{'what':44s} {'lines':>5s} {'p50 ms':>8s} {'p90 ms':>8s}  vs baseline")
    for what, n, med, hi, note in rows:
        lines = len(programs[n].splitlines())
        print(f"{what:44s} {lines:5d} {med:8.1f} {hi:8.1f}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

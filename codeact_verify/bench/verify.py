"""Verification latency: p50/p90 for 10-, 50- and 200-line programs, with and without mypy.

Run: .venv/bin/python bench/verify.py [--repeat N]

Baseline, measured in the same run on the same programs: CPython's `ast.parse` (what any
verifier must at least pay). The mypy rows are measured warm (one untimed check first).
"""

from __future__ import annotations

import argparse
import ast
import statistics
import time
from collections.abc import Callable
from typing import TypedDict

from codeact_verify.tools import tool_specs
from codeact_verify.verifier import verify


class Weather(TypedDict):
    city: str
    temperature: float
    conditions: str


def get_weather(city: str, units: str = "c") -> Weather:
    """Current weather for a city."""
    return {"city": city, "temperature": 20.0, "conditions": "sunny"}


def get_exchange_rate(base: str, quote: str) -> float:
    """Exchange rate from base to quote."""
    return 1.1


SPECS = tool_specs([get_weather, get_exchange_rate])

HEAD = [
    "import json",
    "import statistics",
    "from datetime import date, timedelta",
]
BLOCK = [
    "def describe_{i}(city: str) -> str:",
    "    w = call_tool('get_weather', city=city)",
    "    label = 'warm' if w['temperature'] > 15 else 'cold'",
    "    return f\"{{city}}: {{w['temperature']:.1f}} ({{label}}, {{w['conditions']}})\"",
    "rates_{i} = {{q: get_exchange_rate(base='EUR', quote=q) for q in ['USD', 'GBP']}}",
    "best_{i} = max(rates_{i}, key=lambda q: rates_{i}[q])",
    "cities_{i} = sorted(['Paris', 'Oslo', 'Rome'], key=len)",
    "for c in cities_{i}:",
    "    try:",
    "        print(describe_{i}(c))",
    "    except ToolError as e:",
    "        print('failed', c, e)",
    "temps_{i} = [call_tool('get_weather', city=c)['temperature'] for c in cities_{i}]",
    "print(json.dumps({{'best': best_{i}, 'mean': statistics.mean(temps_{i})}}))",
    "print(date(2024, 1, 1) + timedelta(days={i}))",
]


def program(lines: int) -> str:
    out = list(HEAD)
    i = 0
    while len(out) + len(BLOCK) <= lines:
        out += [line.format(i=i) for line in BLOCK]
        i += 1
    while len(out) < lines:
        out.append(f"print('line', {len(out)})")
    return "\n".join(out) + "\n"


def measure(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    from codeact_verify.typecheck import remember_findings

    remember_findings(False)  # every timed verify runs mypy (no remembered findings)
    rows = []
    for lines in (10, 50, 200):
        code = program(lines)
        assert verify(code, SPECS).ok, verify(code, SPECS).render_for_human()
        base = measure(lambda code=code: ast.parse(code), args.repeat)
        plain = measure(lambda code=code: verify(code, SPECS, types=False), args.repeat)
        typed = measure(
            lambda code=code: verify(code, SPECS, types=True), max(10, args.repeat // 3)
        )
        base50 = statistics.median(base)
        for label, values in (("ast.parse (baseline)", base), ("verify, no types", plain),
                              ("verify + mypy (warm)", typed)):  # fmt: skip
            med = statistics.median(values)
            rows.append((lines, label, med, p(values, 90), med / base50))
    print(f"{'lines':>5}  {'what':<22} {'p50 ms':>8} {'p90 ms':>8} {'x ast':>7}")
    for lines, label, med, p90, ratio in rows:
        print(f"{lines:>5}  {label:<22} {med:>8.2f} {p90:>8.2f} {ratio:>7.1f}")


if __name__ == "__main__":
    main()

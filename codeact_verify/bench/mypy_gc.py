"""The warm mypy worker's garbage collection: between checks, or inside them as mypy sets it.

    python -m codeact_verify.bench.mypy_gc [--checks 3000]

Two warm workers (:class:`codeact_verify.mypy_process.MypyProcess`) in this one process take
turns check by check, each given a new small program every time (the shape of an agent's
programs and of the fuzz campaign's): one as shipped (`mypy_worker.Collector`: the warm-up
frozen, the young generation collected after an answer is written), one started with
``CODEACT_VERIFY_MYPY_GC=auto`` (mypy's own thresholds: a collection of ~200,000 young objects
inside whichever check reaches it). Printed per way: ms per check as the caller waits for it
(request to answer) and inside the worker, mean, median, p90, p99 and max, and the ratio of the
means against the `auto` baseline. The collection between checks costs the caller nothing when
the next program comes after it; back to back (as here) a check that arrives during one waits
for it, which the caller's column includes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from codeact_verify.bench.verify import worker_with
from codeact_verify.mypy_process import MypyProcess
from codeact_verify.mypy_worker import GC_ENV

PROGRAMS = (
    "print(1 + {n})\n",
    "total = 0\nfor i in range({n}):\n    total += i * i % 7\nprint(total)\n",
    "def f{n}(xs: list[int]) -> dict[str, int]:\n"
    "    return {{str(x): x * {n} for x in xs}}\n"
    "print(f{n}([1, 2, 3]))\n",
    "import json\ndata = json.loads('[{n}, 2]')\nprint(sum(data), max(data))\n",
)


def _worker(gc_mode: str) -> MypyProcess:
    made = worker_with(GC_ENV, gc_mode)
    made.check({}, "x = 1\n")  # waits until it is warm
    return made


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(checks: int) -> tuple[dict[str, tuple[list[float], list[float]]], int]:
    """Per way: (caller ms, worker ms) per check; and the shipped worker's collections."""
    ways = {"between checks (shipped)": _worker(""), "mypy's own (auto)": _worker("auto")}
    out: dict[str, tuple[list[float], list[float]]] = {w: ([], []) for w in ways}
    try:
        for n in range(checks):
            if n and n % 500 == 0:
                print(f"  ... {n} of {checks} checks each", file=sys.stderr, flush=True)
            order = list(ways.items())
            if n % 2:
                order.reverse()
            program = PROGRAMS[n % len(PROGRAMS)].format(n=n + 10)
            for way, process in order:
                t0 = time.perf_counter()
                messages = process.check({}, program)
                waited = (time.perf_counter() - t0) * 1000
                if messages:
                    raise RuntimeError(f"bench program rejected: {messages[0]}")
                out[way][0].append(waited)
                out[way][1].append(process.worker_ms)
        collections = ways["between checks (shipped)"].collections
    finally:
        for process in ways.values():
            process.stop()
    return out, collections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=3000, help="checks per way (default 3000)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    results, collections = measure(args.checks)
    base = "mypy's own (auto)"
    print(
        f"mypy worker, {args.checks} checks per way taking turns, ms per check "
        f"(load average {load:.2f} at start, {os.getloadavg()[0]:.2f} at end)"
    )
    header = (
        f"{'collection':<26} {'measured':<11} {'mean':>7} {'p50':>7} {'p90':>7} "
        f"{'p99':>7} {'max':>8} {'x mean vs auto':>15}"
    )
    print(header)
    print("-" * len(header))
    for way, columns in results.items():
        for label, values in zip(("caller", "in worker"), columns, strict=True):
            mean = statistics.fmean(values)
            ratio = mean / statistics.fmean(results[base][0 if label == "caller" else 1])
            print(
                f"{way:<26} {label:<11} {mean:7.3f} {statistics.median(values):7.3f} "
                f"{_q(values, 0.9):7.3f} {_q(values, 0.99):7.3f} {max(values):8.2f} "
                f"{ratio:14.2f}x"
            )
    print(f"collections between checks in the shipped worker: {collections}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

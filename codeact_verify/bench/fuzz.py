"""Examples per second for each fuzz property on this machine.

    .venv/bin/python -m codeact_verify.bench.fuzz [--seconds 10] [--property NAME ...]
                                                  [--no-types] [--ab]
    .venv/bin/python -m codeact_verify.bench.fuzz --baseline-commit 9faeb51 [--seconds 10]
                                                  [--ceiling]

Each property runs in this process for about --seconds, in Hypothesis batches of 20 examples.
Per-example times (generation excluded) give median and p90; the baseline, measured in the same
run, is `verify` on one fixed 10-line accepted program (its examples/s is the ratio's 1.0).
`--ab` runs every property twice, alternating, in the same process: once with a full `verify`
for every verdict (`Context(fast_verdicts=False)`, how the campaign checked before) and once
with the cheap exact verdicts (`Context.accepts`), and prints the speed-up of examples/s.
`--baseline-commit REV` times the campaign of commit REV (unpacked from this checkout's git
history into a temporary directory) beside today's, alternating, in one run: see `baseline_ab`;
`--ceiling` adds today's campaign with its checks replaced by a count (the bound on any speed-up
of the checks).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from codeact_verify.fuzz import properties as P
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.typecheck import remember_findings

BASELINE = """\
cities = ["Paris", "London", "Tokyo"]
temps = []
for city in cities:
    try:
        temps.append(get_weather(city=city)["temperature"])
    except ToolError:
        print("skip", city)
best = max(temps) if temps else 0.0
rate = get_exchange_rate(base="EUR", quote="USD")
print(f"warmest {best:.1f}, rate {rate}")
print(sorted(temps, key=lambda t: -t))
"""


def measure(name: str, ctx: P.Context, seconds: float) -> list[float]:
    times: list[float] = []

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(example=P.strategies(name, ctx))
    def run(example: Any) -> None:
        t = time.perf_counter()
        P.run_check(name, ctx, example)  # findings are not the point here
        times.append(time.perf_counter() - t)

    end = time.perf_counter() + seconds
    batch = 0
    while time.perf_counter() < end:
        batch += 1
        seed(batch)(run)()
    return times


def baseline(ctx: P.Context, seconds: float) -> list[float]:
    ctx.verify(BASELINE)  # the mypy worker's start is not part of it
    remember_findings(False)  # the same program each time: time the check, not a remembered one
    times = []
    try:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t = time.perf_counter()
            ctx.verify(BASELINE)
            times.append(time.perf_counter() - t)
    finally:
        remember_findings(True)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m codeact_verify.bench.fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--seconds", type=float, default=10.0, help="seconds per property (default 10)"
    )
    ap.add_argument(
        "--property",
        action="append",
        choices=P.PROPERTIES,
        help="a property to time (repeatable; default all)",
    )
    ap.add_argument("--no-types", action="store_true", help="skip the mypy pass")
    ap.add_argument("--ab", action="store_true", help="full verify vs fast verdicts, same run")
    ap.add_argument(
        "--baseline-commit",
        metavar="REV",
        help="time commit REV's campaign beside today's, alternating (needs git history)",
    )
    ap.add_argument(
        "--rounds", type=int, default=4, help="with --baseline-commit: A/B rounds per property"
    )
    ap.add_argument(
        "--ceiling",
        action="store_true",
        help="with --baseline-commit: also time today's campaign with every check replaced "
        "by a count (generation and Hypothesis only: the bound on any speed-up of the checks)",
    )
    args = ap.parse_args(argv)
    if args.baseline_commit:
        from .fuzz_baseline import baseline_ab

        return baseline_ab(args)
    if args.ab:
        return ab(args)
    ctx = P.Context(types=not args.no_types)
    props = args.property or list(P.PROPERTIES)
    reason = sandbox_unavailable() if set(props) & set(P.SANDBOX_PROPERTIES) else None
    rows = []
    base = baseline(ctx, min(args.seconds, 5.0))
    base_rate = len(base) / sum(base)
    rows.append(("baseline verify (10 lines)", len(base), base, base_rate))
    for name in props:
        if name in P.SANDBOX_PROPERTIES and reason:
            print(f"{name}: skipped, sandbox unavailable: {reason}", file=sys.stderr)
            continue
        started = time.perf_counter()
        times = measure(name, ctx, args.seconds)
        wall = time.perf_counter() - started
        rows.append((name, len(times), times, len(times) / wall))
    ctx.close()
    print(
        f"types={'on' if ctx.types else 'off'}; examples/s includes generation, median/p90 do not"
    )
    print(
        f"{'property':<28} {'examples':>8} {'ex/s':>8} {'median ms':>10} {'p90 ms':>8} {'ratio':>7}"
    )
    for label, n, times, rate in rows:
        ms = sorted(t * 1000 for t in times)
        p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))] if ms else float("nan")
        med = statistics.median(ms) if ms else float("nan")
        print(f"{label:<28} {n:>8} {rate:>8.1f} {med:>10.2f} {p90:>8.2f} {rate / base_rate:>7.2f}")
    return 0


def ab(args: argparse.Namespace) -> int:
    """Examples/s per property with full-verify verdicts (A) and fast verdicts (B), measured
    alternately in halves of --seconds each, in this one process."""
    props = args.property or list(P.PROPERTIES)
    reason = sandbox_unavailable() if set(props) & set(P.SANDBOX_PROPERTIES) else None
    slow = P.Context(types=not args.no_types, fast_verdicts=False)
    fast = P.Context(types=not args.no_types)
    for ctx in (slow, fast):  # start-up (mypy, the oracle's sandbox) outside the timings
        ctx.verify(BASELINE)
        if not reason and set(props) & set(P.SANDBOX_PROPERTIES):
            ctx.oracle.run("print(1)\n", ctx.specs, ctx.policy)
    rows = []
    for name in props:
        if name in P.SANDBOX_PROPERTIES and reason:
            print(f"{name}: skipped, sandbox unavailable: {reason}", file=sys.stderr)
            continue
        counts = {"A": 0, "B": 0}
        walls = {"A": 0.0, "B": 0.0}
        for order in ((("A", slow), ("B", fast)), (("B", fast), ("A", slow))):  # A B B A
            for label, ctx in order:
                # A is how the campaign checked before: nothing remembered between verdicts
                remember_findings(label == "B")
                started = time.perf_counter()
                counts[label] += len(measure(name, ctx, args.seconds / 2))
                walls[label] += time.perf_counter() - started
        a, b = counts["A"] / walls["A"], counts["B"] / walls["B"]
        rows.append((name, a, b))
    remember_findings(True)
    slow.close()
    fast.close()
    print(f"types={'on' if slow.types else 'off'}; examples/s per worker, generation included")
    print(f"{'property':<12} {'full verify ex/s':>17} {'fast verdicts ex/s':>19} {'speed-up':>9}")
    for name, a, b in rows:
        print(f"{name:<12} {a:>17.1f} {b:>19.1f} {b / a:>8.2f}x")
    total_a = sum(a for _, a, _ in rows)
    total_b = sum(b for _, _, b in rows)
    if rows:
        print(f"{'all (sum)':<12} {total_a:>17.1f} {total_b:>19.1f} {total_b / total_a:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sandbox latency benchmark: prints p50/p90 per case and the ratio to native CPython measured
in the same run.

    .venv/bin/python -m codeact_verify.bench.sandbox [--runs N] [--baseline-commit REV]

Cases: `print(1+1)` end to end with a cold instance (no pool) and with the ready pool, 3 tool
calls, 100 tool calls (per-call overhead), a CPU-bound loop, the making of one instance for the
pool (what the refill pays per run; its baseline column is a bare instantiation, not native
CPython), and the first run in a fresh process once the guest cache exists. Issue 12's targets
are shown beside. Two lines follow the table: the thread hand-off every run pays (a no-op's
round trip through the runner threads' kind of pool, back to back and after 2 ms idle) and
where a pooled `print(1+1)` spends its time (`result.timings`).

``--baseline-commit REV``: an older commit's guest (its `sandbox/` from git, built once into the
guest cache) against today's, taking turns in one process: the making of a pooled instance, a
pooled `print(1+1)` and one on a cold instance, p50/p90 and the ratio today/baseline. Without
git history (a pip-installed package), with an unknown commit or a guest today's host cannot
load, it says why and exits 2.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wasmtime

from codeact_verify.host import Sandbox
from codeact_verify.host.engine import LoadedGuest, loaded_guest
from codeact_verify.tools import tool_specs


def get_weather(city: str) -> dict:
    """A cheap tool."""
    return {"city": city, "temp": 21.5}


SPECS = tool_specs([get_weather])
CPU_PROGRAM = "t = 0\nfor i in range(200000):\n    t += i * i % 7\nprint(t)\n"
THREE_CALLS = "for c in ['a', 'b', 'c']:\n    get_weather(c)\n"
HUNDRED_CALLS = "for i in range(100):\n    get_weather('x')\n"
ZERO_CALLS = "for i in range(100):\n    pass\n"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[idx]


def timed(
    fn: Callable[[], Any], runs: int, between: Callable[[], Any] | None = None
) -> list[float]:
    out = []
    for _ in range(runs):
        if between is not None:
            between()
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def native(program: str) -> Callable[[], None]:
    code = compile(program, "<native>", "exec")

    def go() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(code, {"get_weather": get_weather})

    return go


def fresh_process_ms() -> float:
    script = (
        "import time; t0 = time.perf_counter()\n"
        "from codeact_verify.host import Sandbox\n"
        "sb = Sandbox(pool_size=0)\n"
        "r = sb.run_sync('print(1+1)')\n"
        "assert r.ok, r.error\n"
        "print((time.perf_counter() - t0) * 1000)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return float(proc.stdout.strip().splitlines()[-1])


def run_case(
    sb: Sandbox, program: str, timings: list[dict[str, float]] | None = None
) -> Callable[[], None]:
    def go() -> None:
        r = sb.run_sync(program, SPECS)
        if not r.ok:
            raise RuntimeError(f"bench program failed: {r.error}")
        if timings is not None:
            timings.append(r.timings)

    return go


# Where a pooled `print(1+1)` spends its time (`ExecutionResult.timings`): host before the
# guest call, the guest call, and the guest's own steps inside it.
SPLIT_KEYS = (
    "prepare_ms", "run_ms", "guest_setup_ms", "guest_compile_ms", "guest_globals_ms",
    "guest_exec_ms",
)


def handoff_us(rounds: int, pause_s: float = 0.0) -> list[float]:
    """Round trips of a no-op through the sandbox's own kind of thread pool, µs each: the
    hand-off every run pays once (the caller gives the run to a runner thread and waits for
    its result; the guest never runs on the caller's thread, see `Sandbox._on_own_thread`),
    measured alone. ``pause_s``: a sleep before each round trip, as a run that follows idle
    time (an agent's next program) meets it."""
    from codeact_verify.threads import DaemonThreadPool

    pool = DaemonThreadPool(1, "codeact-bench-handoff")
    try:
        pool.submit(int).result()  # the thread exists before the first timed round trip
        out: list[float] = []
        for _ in range(rounds):
            if pause_s:
                time.sleep(pause_s)
            start = time.perf_counter()
            pool.submit(int).result()
            out.append((time.perf_counter() - start) * 1e6)
        return out
    finally:
        pool.shutdown(wait=True)


def baseline_guest(commit: str) -> tuple[str, LoadedGuest]:
    """An older commit's guest beside today's: its `sandbox/` folder taken from this checkout's
    git history, built once into the guest cache (keyed by its files' hash, like any entry) and
    loaded with today's host. Raises `BaselineUnavailable` (no git history, no such commit, no
    guest in it, or a guest today's host cannot load)."""
    from wasmtime.component import Component

    from codeact_verify.bench.fuzz_baseline import BaselineUnavailable, resolve, unpack
    from codeact_verify.host.build import GuestBuildError, ensure_guest
    from codeact_verify.host.engine import shared_engine

    full = resolve(commit)
    folder = Path(tempfile.mkdtemp(prefix="codeact-guest-"))
    try:
        unpack(full, folder, "sandbox", expect="sandbox/guest.py")
        try:
            artifacts = ensure_guest(source=folder / "sandbox")
            engine = shared_engine()
            component = Component.deserialize_file(engine, str(artifacts.compiled))
            return full[:7], LoadedGuest(engine, component)
        except (GuestBuildError, wasmtime.WasmtimeError) as exc:
            raise BaselineUnavailable(f"the guest of {full[:12]} does not load: {exc}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


AGAINST_CASES = (
    "instance made for the pool",
    "print(1+1), ready pool",
    "print(1+1), cold instance",
)


def against(commit: str, runs: int, rounds: int = 4) -> int:
    """The guest of ``commit`` and today's, in one process, taking turns (A B, B A, ...): the
    making of a pooled instance, a pooled `print(1+1)` and one on a cold instance."""
    from codeact_verify.bench.fuzz_baseline import BaselineUnavailable

    try:
        label, old = baseline_guest(commit)
    except BaselineUnavailable as exc:
        print(f"no baseline: {exc}")
        return 2
    guests = {"baseline": old, "today": loaded_guest()}
    times: dict[str, dict[str, list[float]]] = {g: {c: [] for c in AGAINST_CASES} for g in guests}
    per = max(3, runs // rounds)
    for turn in range(rounds):
        for name in list(guests) if turn % 2 == 0 else list(guests)[::-1]:
            pooled, cold = Sandbox(pool_size=1), Sandbox(pool_size=0)
            pooled._guest = cold._guest = guests[name]
            try:
                pooled.warm_up()
                run_case(cold, "print(1+1)")()  # its first run of the turn, untimed
                spent = times[name]
                spent["instance made for the pool"] += timed(
                    lambda sb=pooled: sb._new_instance(warm=True), per
                )
                spent["print(1+1), ready pool"] += timed(
                    run_case(pooled, "print(1+1)"), per, pooled.wait_ready
                )
                spent["print(1+1), cold instance"] += timed(run_case(cold, "print(1+1)"), per)
            finally:
                pooled.close()
                cold.close()
    print(
        f"sandbox guests: baseline = {label}, today = this checkout; {rounds} alternating "
        f"rounds of {per} per case, times in ms"
    )
    header = (
        f"{'case':<30} {'base p50':>9} {'base p90':>9} {'today p50':>10} {'today p90':>10}"
        f" {'ratio':>7}"
    )
    print(header)
    print("-" * len(header))
    for case in AGAINST_CASES:
        base, now = times["baseline"][case], times["today"][case]
        b50, t50 = statistics.median(base), statistics.median(now)
        print(
            f"{case:<30} {b50:9.3f} {pct(base, 0.9):9.3f} {t50:10.3f} {pct(now, 0.9):10.3f} "
            f"{t50 / b50:6.2f}x"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--baseline-commit",
        metavar="REV",
        help="compare this commit's sandbox guest with today's (instance making, print), "
        "taking turns in one process",
    )
    args = parser.parse_args(argv)
    n = args.runs
    loaded_guest()  # build/load once, outside the timings
    if args.baseline_commit:
        return against(args.baseline_commit, n)

    rows: list[tuple[str, list[float], float | None, str]] = []
    cold = Sandbox(pool_size=0)
    pooled = Sandbox(pool_size=1)
    pooled.warm_up()

    def wait() -> None:
        pooled.wait_ready()

    split: list[dict[str, float]] = []
    native_print = statistics.median(timed(native("print(1+1)"), n))
    run_case(cold, "print(1+1)")()
    rows.append(
        (
            "print(1+1), cold instance",
            timed(run_case(cold, "print(1+1)"), n),
            native_print,
            "< 3 ms",
        )
    )
    rows.append(
        (
            "print(1+1), ready pool",
            timed(run_case(pooled, "print(1+1)", split), n, wait),
            native_print,
            "<= 1.0 ms",
        )
    )
    rows.append(
        (
            "3 tool calls, ready pool",
            timed(run_case(pooled, THREE_CALLS), n, wait),
            statistics.median(timed(native(THREE_CALLS), n)),
            "",
        )
    )
    hundred = timed(run_case(pooled, HUNDRED_CALLS), n, wait)
    zero = timed(run_case(pooled, ZERO_CALLS), n, wait)
    per_call = [(h - z) * 1000.0 / 100 for h, z in zip(sorted(hundred), sorted(zero), strict=True)]
    rows.append(
        (
            "100 tool calls, ready pool",
            hundred,
            statistics.median(timed(native(HUNDRED_CALLS), n)),
            "",
        )
    )
    native_cpu = timed(native(CPU_PROGRAM), max(5, n // 5))
    rows.append(
        (
            "CPU loop 200k, ready pool",
            timed(run_case(pooled, CPU_PROGRAM), max(5, n // 5), wait),
            statistics.median(native_cpu),
            "<= 3.2x",
        )
    )
    # what the pool's refill pays per run, off the run's path: a new instance and its prepare
    # step (the warm-up program, the dry runs), against the bare instantiation (the baseline)
    made = max(5, n // 5)
    bare = timed(lambda: pooled._new_instance(warm=False), made)
    rows.append(
        (
            "instance made for the pool (vs bare)",
            timed(lambda: pooled._new_instance(warm=True), made),
            statistics.median(bare),
            "",
        )
    )
    handoff = handoff_us(max(50, n)), handoff_us(max(50, n), pause_s=0.002)
    fresh = [fresh_process_ms() for _ in range(5)]
    rows.append(("first run, fresh process, warm cache", fresh, None, "< 1000 ms"))
    cold.close()
    pooled.close()

    print(f"sandbox bench: {n} runs per case (fresh process: 5), times in ms")
    header = f"{'case':<38} {'p50':>9} {'p90':>9} {'native p50':>11} {'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for name, values, base, target in rows:
        p50, p90 = statistics.median(values), pct(values, 0.9)
        base_s = f"{base:11.3f}" if base is not None else f"{'-':>11}"
        ratio = f"{p50 / base:7.1f}x" if base else f"{'-':>8}"
        print(f"{name:<38} {p50:9.3f} {p90:9.3f} {base_s} {ratio}  {target}")
    p50c, p90c = statistics.median(per_call), pct(per_call, 0.9)
    print(
        f"{'per tool call overhead (µs)':<38} {p50c:9.1f} {p90c:9.1f} {'-':>11} {'-':>8}  <= 20 µs"
    )
    print(
        "thread hand-off round trip (one per run), µs p50/p90: back to back "
        f"{statistics.median(handoff[0]):.0f}/{pct(handoff[0], 0.9):.0f}, after 2 ms idle "
        f"{statistics.median(handoff[1]):.0f}/{pct(handoff[1], 0.9):.0f}"
    )
    # (guest_compile_ms counts from the guest's start, so it includes guest_setup_ms;
    # guest_exec_ms counts from the compile's end, so it includes guest_globals_ms)
    print("pooled print(1+1), median ms: " + ", ".join(
        f"{key} {statistics.median(t.get(key, 0.0) for t in split):.3f}" for key in SPLIT_KEYS
    ))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Verification latency: p50/p90 for 10-, 50- and 200-line programs, with and without mypy.

Run: python -m codeact_verify.bench.verify [--repeat N]
     [--split | --shortcuts | --ahead | --against DIR]

Baseline, measured in the same run on the same programs: CPython's `ast.parse` (what any
verifier must at least pay). The mypy rows are measured warm (one untimed check first).

``--split``: where the time of one `CodeAct.execute_sync` goes (verify + run in a warm
process, a ready sandbox pool, a new program text each run, mypy's findings never remembered),
for `print` and a 10-line tool-calling program: our rules and tool checks, the type check's
own work around mypy, the mypy worker (request, check, answer, waited for; and of that, the
time the worker itself measured around its check), what the host does while the worker checks
(transpile, the restricted transform, and the start of a run ahead of the verdict, see
`executor.execute`), transpile, the sandbox run after the verdict (for a run ahead: the rest of
its run, if any), and what is left (the `CodeAct` wrapper, approvals, the report). Then lines
on the parts in isolation: `verify` without types and the mypy worker's check, back to back and
after idleness, and where the worker runs while the host is busy (:func:`placement`).

``--ahead``: `CodeAct.execute_sync` three ways, taking turns in one process: all of the run
after the verdict, the run prepared while mypy checks, and a tool-free program started then too
(see :func:`ahead`).

``--shortcuts``: `CodeAct.execute_sync` with the mypy worker's module search kept between
checks and without it, taking turns in one process (see :func:`shortcuts`).

``--against DIR``: `verify` without types, this checkout and another one (e.g. a clone of
main), each in its own process, taking turns so both see the same load; CPU and wall medians.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypedDict

from codeact_verify.tools import tool_specs
from codeact_verify.verifier import verify

if TYPE_CHECKING:
    from codeact_verify.mypy_process import MypyProcess


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


TOOL_PROGRAM = """cities = ['Paris', 'Oslo', 'Rome']
temps = {{}}
for c in cities:
    w = call_tool('get_weather', city=c)
    temps[c] = w['temperature']
warmest = max(temps, key=lambda k: temps[k])
rate = get_exchange_rate(base='EUR', quote='USD')
print('warmest', warmest, temps[warmest])
print(f'rate {{rate:.2f}} run {n}')
print(len(temps) + {n})
"""
SPLIT_PROGRAMS: dict[str, Callable[[int], str]] = {
    "print": lambda n: f"print(1 + {n})\n",
    "10-line tool program": lambda n: TOOL_PROGRAM.format(n=n),
}


def split(repeat: int) -> list[tuple[str, dict[str, float]]]:
    """Medians (ms) of each stage of `CodeAct.execute_sync`, per program (see the module doc).

    The stages are timed by wrapping the functions that do them (restored afterwards); each
    stage's share is computed per run, then the median taken."""
    from codeact_verify import executor
    from codeact_verify import typecheck as typecheck_module
    from codeact_verify.codeact import CodeAct
    from codeact_verify.mypy_process import MypyProcess

    spent: dict[str, float] = {}

    def timed(owner: object, name: str, label: str) -> Callable[[], None]:
        real = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            t0 = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + (time.perf_counter() - t0) * 1000

        setattr(owner, name, wrapper)
        return lambda: setattr(owner, name, real)

    real_answer = MypyProcess.answer

    def answer(self: MypyProcess, *args: object, **kwargs: object) -> object:
        try:
            return real_answer(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            spent["mypy inside"] = spent.get("mypy inside", 0.0) + self.worker_ms

    MypyProcess.answer = answer  # type: ignore[method-assign]
    restore = [
        lambda: setattr(MypyProcess, "answer", real_answer),
        # a check is a request, then its answer: the host's work in between (the run prepared,
        # or started ahead, while mypy checks) is its own stage
        timed(MypyProcess, "request", "mypy"),
        timed(MypyProcess, "answer", "mypy"),
        timed(executor._Steps, "prepare", "meanwhile"),
        timed(typecheck_module, "typecheck", "typecheck"),
        timed(executor, "check", "verify"),
        timed(executor, "transpile_to_run", "transpile"),
    ]
    previous = typecheck_module.remember_findings(False)
    out: list[tuple[str, dict[str, float]]] = []
    try:
        with CodeAct(tools=[get_weather, get_exchange_rate], pool_size=2) as codeact:
            codeact.warm_up()
            sandbox = codeact.sandbox()
            n = 0
            for label, make in SPLIT_PROGRAMS.items():
                rows: dict[str, list[float]] = {}
                for i in range(repeat + 5):
                    n += 1
                    code = make(n)
                    sandbox.wait_ready()  # an agent turn refills the pool between programs
                    spent.clear()
                    t0 = time.perf_counter()
                    execution = codeact.execute_sync(code)
                    total = (time.perf_counter() - t0) * 1000
                    if not execution.ok:
                        raise SystemExit(f"{label}: {execution.error}")
                    if i < 5:
                        continue  # warm-up runs
                    run = execution.timings["sandbox_ms"]
                    stages = {
                        "verify: rules, tool checks, effects": spent["verify"]
                        - spent["typecheck"],
                        "type check: ours around mypy": spent["typecheck"]
                        - spent["mypy"]
                        - spent.get("meanwhile", 0.0),
                        "type check: mypy worker (waited for)": spent["mypy"],
                        "  of which mypy in the worker": spent["mypy inside"],
                        "while mypy checks: prepare, run ahead": spent.get("meanwhile", 0.0),
                        # (done while mypy checked, when the run was prepared then)
                        "transpile + hand-over": spent.get("transpile", 0.0),
                        "sandbox run (after the verdict)": run,
                        "CodeAct wrapper, the rest": total
                        - spent["verify"]
                        - spent.get("transpile", 0.0)
                        - run,
                        "total (CodeAct.execute_sync)": total,
                    }
                    for stage, value in stages.items():
                        rows.setdefault(stage, []).append(value)
                out.append((label, {k: statistics.median(v) for k, v in rows.items()}))
    finally:
        typecheck_module.remember_findings(previous)
        for undo in reversed(restore):
            undo()
    return out


Runs = dict[str, tuple[list[float], list[float]]]


def _taking_turns(
    programs: dict[str, Callable[[int], str]],
    ways: Iterable[str],
    use: Callable[[Any, str], None],
    repeat: int,
) -> list[tuple[str, Runs]]:
    """Per program, `CodeAct.execute_sync` of a new program text each run, the ways taking
    turns run by run in one process (all see the same load; each round starts with the next
    way), after 3 warm-up rounds; ``use(
    codeact, way)`` sets a way up before its run. Per way: verify ms and total ms of each run."""
    from codeact_verify.codeact import CodeAct

    ways = tuple(ways)
    out = []
    with CodeAct(tools=[get_weather, get_exchange_rate], pool_size=2) as codeact:
        codeact.warm_up()
        sandbox = codeact.sandbox()
        n = 0
        for label, make in programs.items():
            runs: Runs = {w: ([], []) for w in ways}
            for i in range(repeat + 3):
                # each round starts with another way: no way always runs first or last
                for way in ways[i % len(ways) :] + ways[: i % len(ways)]:
                    use(codeact, way)
                    n += 1
                    sandbox.wait_ready()  # an agent turn refills the pool between programs
                    t0 = time.perf_counter()
                    execution = codeact.execute_sync(make(n))
                    total = (time.perf_counter() - t0) * 1000
                    if not execution.ok:
                        raise SystemExit(f"{label}: {execution.error}")
                    if i >= 3:  # warm-up runs
                        runs[way][0].append(execution.timings["verify_ms"])
                        runs[way][1].append(total)
            out.append((label, runs))
    return out


def _paired(values: list[float], base: list[float]) -> float:
    return statistics.median(a - b for a, b in zip(values, base, strict=True))


def worker_with(name: str, value: str) -> MypyProcess:
    """A mypy worker started (not yet waited for) with environment variable ``name`` set to
    ``value``: the worker reads its switches at start, so two can take turns in one process."""
    import os

    from codeact_verify.mypy_process import DEFAULT_BUDGET, WARM_MODULES, MypyProcess

    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        made = MypyProcess(DEFAULT_BUDGET, WARM_MODULES)
        made.spawn()
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
    return made


def shortcuts(repeat: int) -> list[tuple[str, dict[str, tuple[float, float]], float]]:
    """`CodeAct.execute_sync` with the mypy worker's shortcut and without it, taking turns run
    by run in one process (both see the same load): a worker whose module search is kept
    between checks (`mypy_worker.FixedSearch`) and one started with
    ``CODEACT_VERIFY_MYPY_REUSE=off``. Per program: medians of verify and total ms each way,
    and the median of the paired differences of verify (with - without).
    """

    from codeact_verify import typecheck as typecheck_module
    from codeact_verify.mypy_worker import REUSE_ENV

    ways = {"without": worker_with(REUSE_ENV, "off"), "with": worker_with(REUSE_ENV, "")}
    previous = typecheck_module.remember_findings(False)
    saved = typecheck_module._worker

    def use(_codeact: Any, way: str) -> None:
        typecheck_module._worker = ways[way]

    out = []
    try:
        for label, runs in _taking_turns(SPLIT_PROGRAMS, ways, use, repeat):
            medians = {
                way: (statistics.median(v), statistics.median(t)) for way, (v, t) in runs.items()
            }
            out.append((label, medians, _paired(runs["with"][0], runs["without"][0])))
    finally:
        typecheck_module._worker = saved
        typecheck_module.remember_findings(previous)
        for process in ways.values():
            process.stop()
    return out


AHEAD_PROGRAMS: dict[str, Callable[[int], str]] = {
    **SPLIT_PROGRAMS,
    "CPU loop (no tool)": lambda n: (
        f"total = {n}\nfor i in range(20000):\n    total += i * i % 7\nprint(total)\n"
    ),
}
AHEAD_WAYS = ("after the verdict", "prepared", "run ahead")


def ahead(repeat: int) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    """`CodeAct.execute_sync` three ways, taking turns in one process (a new program text each
    run, a ready pool, mypy's findings never remembered): everything after the verdict (the
    work mypy's check could hide switched off), the run prepared while mypy checks
    (`run_ahead=False`), and a tool-free program started then too (the default). Medians of
    the total per way, and the median paired difference of each way against the first."""
    from codeact_verify import executor
    from codeact_verify import typecheck as typecheck_module

    real_prepare = executor._Steps.prepare

    def no_prepare(*_args: object) -> None:
        return None

    def use(codeact: Any, way: str) -> None:
        executor._Steps.prepare = (  # type: ignore[method-assign]
            no_prepare if way == "after the verdict" else real_prepare
        )
        codeact.run_ahead = way == "run ahead"

    previous = typecheck_module.remember_findings(False)
    out = []
    try:
        for label, runs in _taking_turns(AHEAD_PROGRAMS, AHEAD_WAYS, use, repeat):
            first = runs[AHEAD_WAYS[0]][1]
            paired = {way: _paired(totals, first) for way, (_, totals) in runs.items()}
            medians = {way: statistics.median(totals) for way, (_, totals) in runs.items()}
            out.append((label, medians, paired))
    finally:
        executor._Steps.prepare = real_prepare  # type: ignore[method-assign]
        typecheck_module.remember_findings(previous)
    return out


def print_ahead(repeat: int) -> None:
    print(f"work done while mypy checks: CodeAct.execute_sync p50 ms of {repeat} runs a way, "
          "taking turns")
    print(f"{'program':<22}{'way':>20}{'total':>9}{'paired':>9}")
    for label, medians, paired in ahead(repeat):
        for way in AHEAD_WAYS:
            change = f"{paired[way]:>+9.2f}" if way != AHEAD_WAYS[0] else f"{'':>9}"
            print(f"{label:<22}{way:>20}{medians[way]:>9.2f}{change}")
    print("paired: the median of (this way - after the verdict), run by run")


def print_shortcuts(repeat: int) -> None:
    print(f"the mypy worker's kept module search, p50 ms of {repeat} runs each way, taking turns")
    print(f"{'program':<22}{'way':>9}{'verify':>9}{'total':>9}")
    for label, medians, paired in shortcuts(repeat):
        for way, (verify_ms, total) in medians.items():
            print(f"{label:<22}{way:>9}{verify_ms:>9.2f}{total:>9.2f}")
        print(f"{label:<22}{'paired':>9}{paired:>+9.2f}  (verify, with - without, median)")


def cold_start(repeat: int, pause_s: float) -> float:
    """Median ms of `verify` without types of a new `print(1 + n)`, each after ``pause_s``
    seconds of sleep (0: back to back): how much of a short verification is a cold start."""
    times = []
    for n in range(repeat + 5):
        code = f"print(1 + {n})\n"
        if pause_s:
            time.sleep(pause_s)
        start = time.perf_counter()
        verify(code, SPECS, types=False)
        if n >= 5:
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


@contextmanager
def _warm_worker() -> Iterator[MypyProcess]:
    """A mypy worker of the bench's own (nothing else uses it), warmed by one check, stopped
    at the end of the block."""
    from codeact_verify.mypy_process import DEFAULT_BUDGET, WARM_MODULES, MypyProcess

    worker = MypyProcess(DEFAULT_BUDGET, WARM_MODULES)
    try:
        worker.check({}, "x = 1\n")
        yield worker
    finally:
        worker.stop()


def cold_mypy(repeat: int, pauses: tuple[float, ...]) -> dict[float, float]:
    """Median ms inside a warm mypy worker (its own timer) for a new `print(1 + n)`, per pause
    of sleep before each check (0: back to back): the same worker, nothing else running, so
    what grows with the pause is the worker's data going cold in the caches between checks."""
    times: dict[float, list[float]] = {pause: [] for pause in pauses}
    with _warm_worker() as worker:
        n = 0
        # a block of checks per pause (back to back must be back to back), in the order
        # A B C D D C B A so that a drift in the machine's load falls on every pause alike
        for pause in (*pauses, *reversed(pauses)):
            for i in range(repeat // 2 + 3):
                n += 1
                if pause:
                    time.sleep(pause)
                worker.check({}, f"print(1 + {n})\n")
                if i >= 3:
                    times[pause].append(worker.worker_ms)
    return {pause: statistics.median(values) for pause, values in times.items()}


def _cpu_of(pid: int) -> int:
    """The CPU ``pid`` last ran on (Linux: field 39 of /proc/<pid>/stat), or -1."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[36])
    except (OSError, ValueError, IndexError):
        return -1


def placement(repeat: int, busy_s: float = 0.001, idle_s: float = 0.01) -> dict[str, float]:
    """Whether host work done while the mypy worker checks runs beside it or before it.

    A warm worker checks a new `print(1 + n)` after ``idle_s`` of idleness (a program's
    verification starts after the agent's turn), while the host either waits for the answer
    at once or first stays busy for ``busy_s`` (as the rules or a run's preparation would):
    the round trips' medians, the worker's own times, and how many of the worker's checks ran
    on the CPU the host was on. On a machine where the woken worker gets a core of its own,
    the busy round trip is about the idle one; where it is woken onto the sender's CPU and
    waits for it, the busy round trip is the two added up.
    """
    import os

    times: dict[float, list[float]] = {0.0: [], busy_s: []}
    inside: dict[float, list[float]] = {0.0: [], busy_s: []}
    beside = {0.0: 0, busy_s: 0}
    with _warm_worker() as worker:
        n = 0
        for busy in (0.0, busy_s, busy_s, 0.0):  # A B B A: a drift in load falls on both
            for i in range(repeat // 2 + 3):
                n += 1
                time.sleep(idle_s)
                start = time.perf_counter()
                since = worker.request({}, f"print(1 + {n})\n")
                while time.perf_counter() - start < busy:
                    pass
                host_cpu = _cpu_of(os.getpid())
                worker.answer({}, since)
                if i < 3:
                    continue
                times[busy].append((time.perf_counter() - start) * 1000)
                inside[busy].append(worker.worker_ms)
                assert worker.proc is not None
                beside[busy] += _cpu_of(worker.proc.pid) == host_cpu
    count = len(times[0.0])
    return {
        "checks": count,
        "waiting_ms": statistics.median(times[0.0]),
        "busy_ms": statistics.median(times[busy_s]),
        "busy_for_ms": busy_s * 1000,
        "worker_waiting_ms": statistics.median(inside[0.0]),
        "worker_busy_ms": statistics.median(inside[busy_s]),
        "same_cpu_waiting": beside[0.0],
        "same_cpu_busy": beside[busy_s],
    }


def print_split(repeat: int) -> None:
    results = split(repeat)
    labels = [label for label, _ in results]
    print(f"where one CodeAct.execute_sync goes, p50 ms of {repeat} runs (a new program each run)")
    print(f"{'stage':<38}" + "".join(f"{label:>22}" for label in labels))
    for stage in results[0][1]:
        print(f"{stage:<38}" + "".join(f"{values[stage]:>22.2f}" for _, values in results))
    hot, cold = cold_start(repeat, 0.0), cold_start(repeat, 0.002)
    print(
        f"verify without types of print(1 + n): {hot:.2f} ms back to back, "
        f"{cold:.2f} ms after a 2 ms sleep"
    )
    pauses = (0.0, 0.002, 0.005, 0.02)
    mypy_ms = cold_mypy(repeat, pauses)
    print(
        "mypy in the worker for print(1 + n): "
        + ", ".join(
            f"{ms:.2f} ms " + ("back to back" if not p else f"after {p * 1000:g} ms idle")
            for p, ms in mypy_ms.items()
        )
    )
    where = placement(repeat)
    print(
        f"mypy round trip for print(1 + n) after 10 ms idle: {where['waiting_ms']:.2f} ms with "
        f"the host waiting for it, {where['busy_ms']:.2f} ms with the host busy for "
        f"{where['busy_for_ms']:g} ms first (worker {where['worker_waiting_ms']:.2f} and "
        f"{where['worker_busy_ms']:.2f} ms); the worker ran on the host's CPU in "
        f"{where['same_cpu_waiting']} and {where['same_cpu_busy']} of {where['checks']} checks"
    )


_AB_WORKER = """
import sys, time
from codeact_verify.bench.verify import SPECS, program
from codeact_verify.verifier import verify
codes = {n: program(n) for n in (10, 50, 200)}
for line in sys.stdin:
    n, repeat = map(int, line.split())
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.thread_time(), time.perf_counter()
        verify(codes[n], SPECS, types=False)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    cpu.sort()
    wall.sort()
    print(cpu[len(cpu) // 2] * 1000, wall[len(wall) // 2] * 1000, flush=True)
"""


def against(other: str, repeat: int, rounds: int = 6) -> None:
    """`verify`, no types, of this checkout and of ``other`` (another checkout's directory),
    each in its own process, taking turns round by round (both see the same load): median
    CPU time (the thread's) and wall time per verification, in ms."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parents[2])
    workers = {}
    for label, path in (("this checkout", here), (f"--against {other}", other)):
        env = dict(os.environ, PYTHONPATH=str(Path(path).resolve()))
        workers[label] = subprocess.Popen(
            [sys.executable, "-c", _AB_WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(Path(path).resolve()),
        )
    results: dict[tuple[str, int], list[tuple[float, float]]] = {}
    try:
        for lines in (10, 50, 200):
            for worker in workers.values():  # warm up
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(f"{lines} 5\n")
                worker.stdin.flush()
                worker.stdout.readline()
            for _ in range(rounds):
                for label, worker in workers.items():
                    assert worker.stdin is not None and worker.stdout is not None
                    worker.stdin.write(f"{lines} {max(1, repeat // rounds)}\n")
                    worker.stdin.flush()
                    cpu, wall = map(float, worker.stdout.readline().split())
                    results.setdefault((label, lines), []).append((cpu, wall))
    finally:
        for worker in workers.values():
            if worker.stdin is not None:
                worker.stdin.close()
            worker.wait()
    print(f"verify, no types: p50 ms, {rounds} rounds taking turns")
    print(f"{'lines':>5}  {'checkout':<40} {'cpu ms':>8} {'wall ms':>8}")
    for (label, lines), values in results.items():
        cpu = statistics.median(v[0] for v in values)
        wall = statistics.median(v[1] for v in values)
        print(f"{lines:>5}  {label:<40} {cpu:>8.2f} {wall:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument(
        "--split", action="store_true", help="where the time of CodeAct.execute_sync goes"
    )
    parser.add_argument(
        "--shortcuts",
        action="store_true",
        help="CodeAct.execute_sync with the mypy worker's kept module search and without",
    )
    parser.add_argument(
        "--ahead",
        action="store_true",
        help="CodeAct.execute_sync with the run prepared / started while mypy checks, and not",
    )
    parser.add_argument(
        "--against",
        metavar="DIR",
        help="compare verify without types with another checkout (its directory), taking turns",
    )
    args = parser.parse_args()
    if args.split:
        print_split(args.repeat)
        return
    if args.shortcuts:
        print_shortcuts(args.repeat)
        return
    if args.ahead:
        print_ahead(args.repeat)
        return
    if args.against:
        against(args.against, args.repeat)
        return
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

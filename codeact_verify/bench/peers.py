"""Sandbox-level benchmark: the same programs through codeact-verify and its peers, in one run.

Programs: a print, 3 chained tool calls, 100 tool calls, a CPU-bound loop, and an escape attempt
(`().__class__.__base__.__subclasses__()`). Runners:

- codeact-verify: verify + transpile + wasmtime sandbox, with a ready pool of instances and
  without one (a fresh instance per run), and the sandbox alone (verifier off);
- a bare componentize-py guest that only `exec`s (no guards, no runtime: what WebAssembly
  alone costs; `codeact_verify/bench/floor.py`);
- plain CPython `exec` (no isolation at all: the unsafe floor);
- RestrictedPython `compile_restricted` + guards (in-process);
- smolagents `LocalPythonExecutor` (an AST interpreter, in-process);
- pydantic-monty (a Rust interpreter in worker subprocesses);
- agent-framework-hyperlight's sandbox (a Hyperlight micro-VM; needs a working hypervisor).

Peers are optional: a runner whose package is missing, or that cannot start here, is skipped with a
line that says why. Every runner gets the same tools (plain host functions from
`codeact_verify.bench.tasks.tools`) and a fresh program state per run. Reported: median and p90
wall time per run,
the ratio to codeact-verify with the ready pool, measured in the same run, and the ratio to
CPython `exec` of the same program timed right after each run (so a machine whose speed drifts
between runners still gives honest ratios); the outcome column
says what happened (ok, rejected before running, error, or escaped: the program reached Python's
object graph).
"""

from __future__ import annotations

import io
import math
import operator
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

from codeact_verify.bench.tasks import tools as task_tools

TOOLS: dict[str, Callable[..., Any]] = {
    "get_order": task_tools.get_order,
    "get_customer": task_tools.get_customer,
    "get_employee": task_tools.get_employee,
    "get_exchange_rate": task_tools.get_exchange_rate,
}

PROGRAMS: dict[str, str] = {
    "print": 'print("hello, world")\n',
    "3 tool calls": (
        'order = get_order(order_id="O1017")\n'
        'customer = get_customer(customer_id=order["customer_id"])\n'
        'manager = get_employee(employee_id=customer["account_manager"])\n'
        'print(manager["email"])\n'
    ),
    "100 tool calls": (
        "total = 0.0\n"
        "for i in range(100):\n"
        '    total += get_exchange_rate(base="USD", quote="EUR")\n'
        "print(round(total, 2))\n"
    ),
    "CPU-bound loop": (
        "total = 0\nfor i in range(100000):\n    total += i * i % 7\nprint(total)\n"
    ),
    "rejected escape": "print(().__class__.__base__.__subclasses__())\n",
}

EXPECTED_STDOUT = {
    "print": "hello, world",
    "3 tool calls": "oliver.grant@corp.example",
    "100 tool calls": "92.0",
    "CPU-bound loop": str(sum(i * i % 7 for i in range(100000))),
}

BASELINE = "codeact-verify (pool)"


@dataclass
class Outcome:
    kind: str  # ok | rejected | error | escaped | wrong
    stdout: str = ""
    message: str = ""


def classify(program: str, stdout: str, error: str | None, rejected: bool = False) -> Outcome:
    if rejected:
        return Outcome("rejected", stdout, error or "")
    if program == "rejected escape":
        if error is None and "class" in stdout:
            return Outcome("escaped", stdout)
        return Outcome("error", stdout, error or "")
    if error is not None:
        return Outcome("error", stdout, error)
    if stdout.strip() != EXPECTED_STDOUT[program]:
        return Outcome("wrong", stdout, f"expected {EXPECTED_STDOUT[program]!r}")
    return Outcome("ok", stdout)


class Runner:
    """One way to run a program. `start()` raises (with a reason) when it cannot run here."""

    name = "runner"
    note = ""

    def start(self) -> None:
        return None

    def run(self, name: str, program: str) -> Outcome:
        raise NotImplementedError

    def idle(self) -> None:
        """Untimed, between two timed runs: what an agent's seconds-long model turn allows."""
        return None

    def close(self) -> None:
        return None


# --- codeact-verify ---------------------------------------------------------------------------
class CodeActVerify(Runner):
    def __init__(self, *, pool_size: int, verified: bool = True) -> None:
        self.pool_size = pool_size
        self.verified = verified
        label = "pool" if pool_size else "no pool"
        self.name = f"codeact-verify ({label})" if verified else "codeact-verify (sandbox only)"
        self.note = (
            "verify (grammar, tool signatures, mypy) + transpile + fresh wasmtime instance"
            if verified
            else "wasmtime sandbox alone, verifier off"
        )
        self._sandbox: Any = None
        self._specs: Any = None
        self._remembered: bool | None = None

    def start(self) -> None:
        from codeact_verify.host import Sandbox
        from codeact_verify.tools import tool_specs
        from codeact_verify.typecheck import remember_findings

        self._specs = tool_specs(TOOLS.values())
        self._sandbox = Sandbox(pool_size=self.pool_size)
        # Every timed run is verified in full: the same program repeated must not be timed as
        # a remembered answer (that is what an agent's retry of the same code gets).
        self._remembered = remember_findings(False)

    def run(self, name: str, program: str) -> Outcome:
        from codeact_verify import executor

        execution = executor.execute_sync(
            program, self._specs, sandbox=self._sandbox, verified=self.verified
        )
        error = execution.error
        if error is not None and error.kind == "rejected":
            return classify(name, "", error.message, rejected=True)
        message = None if error is None else f"{error.kind}: {error.message}"
        return classify(name, execution.stdout, message)

    def idle(self) -> None:
        # An agent turn takes seconds, so the ready pool is full again before the next program.
        if self.pool_size:
            self._sandbox.wait_ready()

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
        if self._remembered is not None:
            from codeact_verify.typecheck import remember_findings

            remember_findings(self._remembered)
            self._remembered = None


# --- the floor: a bare componentize-py guest ---------------------------------------------------
class BareWasmGuest(Runner):
    name = "bare wasm guest (floor)"
    note = (
        "componentize-py guest that only execs the code: no guards, no runtime, same wasmtime "
        "engine and call-tool trampoline; a fresh instance per run, made and warmed by one "
        "untimed run beforehand (as the ready pool does)"
    )

    def __init__(self) -> None:
        self._guest: Any = None
        self._next: Any = None

    def start(self) -> None:
        from codeact_verify.bench.floor import FloorGuest

        self._guest = FloorGuest(TOOLS)

    def idle(self) -> None:
        if self._next is None:
            instance = self._guest.instance()
            self._guest.run(instance, FLOOR_WARM_UP)
            self._next = instance

    def run(self, name: str, program: str) -> Outcome:
        self.idle()
        instance, self._next = self._next, None
        out = self._guest.run(instance, program)
        if out.startswith("error: ") or "\nerror: " in out:
            return classify(name, out, out.split("error: ", 1)[1])
        return classify(name, out, None)


FLOOR_WARM_UP = 'x = get_exchange_rate(base="USD", quote="EUR")\nprint(x)\n'


# --- plain exec -------------------------------------------------------------------------------
class PlainExec(Runner):
    name = "CPython exec (unsafe)"
    note = "no isolation at all: the floor"

    def run(self, name: str, program: str) -> Outcome:
        buf = io.StringIO()
        try:
            with redirect_stdout(buf):
                exec(compile(program, "<program>", "exec"), dict(TOOLS))
        except Exception as exc:
            return classify(name, buf.getvalue(), f"{type(exc).__name__}: {exc}")
        return classify(name, buf.getvalue(), None)


# --- RestrictedPython -------------------------------------------------------------------------
_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}


class Restricted(Runner):
    name = "RestrictedPython"
    note = "compile_restricted + safe_globals + guards, in-process"

    def start(self) -> None:
        import RestrictedPython  # noqa: F401

    def run(self, name: str, program: str) -> Outcome:
        from RestrictedPython import compile_restricted, safe_globals
        from RestrictedPython.Guards import guarded_iter_unpack_sequence, safer_getattr
        from RestrictedPython.PrintCollector import PrintCollector

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                byte_code = compile_restricted(program, "<program>", "exec")
        except SyntaxError as exc:
            reason = exc.args[0] if exc.args else exc
            reason = reason[0] if isinstance(reason, tuple) and reason else reason
            return classify(name, "", str(reason), rejected=True)
        glb: dict[str, Any] = dict(safe_globals)
        glb.update(
            TOOLS,
            _getattr_=safer_getattr,
            _getitem_=operator.getitem,
            _getiter_=iter,
            _iter_unpack_sequence_=guarded_iter_unpack_sequence,
            _inplacevar_=lambda op, x, y: _INPLACE[op](x, y),
            _print_=PrintCollector,
            _write_=lambda obj: obj,
        )
        try:
            exec(byte_code, glb)
        except Exception as exc:
            printed = glb["_print"]() if "_print" in glb else ""
            return classify(name, printed, f"{type(exc).__name__}: {exc}")
        return classify(name, glb["_print"]() if "_print" in glb else "", None)


# --- smolagents ---------------------------------------------------------------------------------
class Smolagents(Runner):
    name = "smolagents LocalPythonExecutor"
    note = "AST interpreter, in-process"

    def start(self) -> None:
        from smolagents.local_python_executor import LocalPythonExecutor  # noqa: F401

    def run(self, name: str, program: str) -> Outcome:
        from smolagents.local_python_executor import LocalPythonExecutor

        executor = LocalPythonExecutor(additional_authorized_imports=[])
        executor.send_tools(dict(TOOLS))
        try:
            out = executor(program)
        except Exception as exc:
            return classify(name, "", f"{type(exc).__name__}: {str(exc)[:200]}")
        return classify(name, out.logs, None)


# --- pydantic-monty -------------------------------------------------------------------------------
class PydanticMonty(Runner):
    name = "pydantic-monty"
    note = "Rust interpreter in warm worker subprocesses"

    def __init__(self) -> None:
        self._pool: Any = None

    def start(self) -> None:
        import pydantic_monty

        self._pool = pydantic_monty.Monty(min_processes=1, max_processes=1)
        self._pool.__enter__()

    def run(self, name: str, program: str) -> Outcome:
        import pydantic_monty

        collected = pydantic_monty.CollectString()
        try:
            with self._pool.checkout() as session:
                session.feed_run(program, external_lookup=dict(TOOLS), print_callback=collected)
        except Exception as exc:
            return classify(name, collected.output, f"{type(exc).__name__}: {str(exc)[:200]}")
        return classify(name, collected.output, None)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.__exit__(None, None, None)


# --- agent-framework-hyperlight -------------------------------------------------------------------
class Hyperlight(Runner):
    name = "agent-framework-hyperlight"
    note = "Hyperlight micro-VM (Wasm guest); needs a working hypervisor"

    def __init__(self) -> None:
        self._sandbox: Any = None

    def start(self) -> None:
        import agent_framework_hyperlight  # noqa: F401
        from hyperlight_sandbox import Sandbox

        sandbox = Sandbox(backend="wasm")
        for tool_name, fn in TOOLS.items():
            sandbox.register_tool(tool_name, fn)
        sandbox.run("print(1)")
        self._sandbox = sandbox

    def run(self, name: str, program: str) -> Outcome:
        # the reference provider exposes tools as call_tool("name", **kwargs)
        for tool_name in TOOLS:
            program = program.replace(f"{tool_name}(", f'call_tool("{tool_name}", ')
        result = self._sandbox.run(program)
        error = None if result.success else result.stderr[-300:]
        return classify(name, result.stdout, error)


def all_runners() -> list[Runner]:
    return [
        CodeActVerify(pool_size=2),
        CodeActVerify(pool_size=0),
        CodeActVerify(pool_size=2, verified=False),
        BareWasmGuest(),
        PlainExec(),
        Restricted(),
        Smolagents(),
        PydanticMonty(),
        Hyperlight(),
    ]


# --- measuring --------------------------------------------------------------------------------
def p90(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


@dataclass
class Cell:
    runner: str
    program: str
    times_ms: list[float] = field(default_factory=list)
    outcome: Outcome | None = None
    # CPython exec of the same program, timed right after each of this cell's runs: the
    # yardstick for "x exec", immune to the machine's speed drifting between runners
    exec_ms: list[float] = field(default_factory=list)

    @property
    def vs_exec(self) -> float | None:
        if not self.exec_ms or not self.times_ms:
            return None
        return self.median / statistics.median(self.exec_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p90(self) -> float:
        return p90(self.times_ms)


@dataclass
class PeerBench:
    cells: list[Cell] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    repeats: int = 0

    def cell(self, runner: str, program: str) -> Cell | None:
        for c in self.cells:
            if c.runner == runner and c.program == program:
                return c
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "repeats": self.repeats,
            "skipped": self.skipped,
            "cells": [
                {
                    "runner": c.runner,
                    "program": c.program,
                    "median_ms": round(c.median, 4),
                    "p90_ms": round(c.p90, 4),
                    "x_exec": round(c.vs_exec, 3) if c.vs_exec is not None else None,
                    "outcome": c.outcome.kind if c.outcome else None,
                    "message": c.outcome.message[:200] if c.outcome else "",
                }
                for c in self.cells
            ],
        }


def run_peer_bench(
    repeats: int = 20,
    *,
    runners: Sequence[Runner] | None = None,
    programs: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> PeerBench:
    """Every program through every runner that can start: `repeats` timed runs after a warm-up."""
    bench = PeerBench(repeats=repeats)
    programs = programs or PROGRAMS
    yardstick = PlainExec()
    for runner in runners if runners is not None else all_runners():
        try:
            runner.start()
        except ImportError as exc:
            bench.skipped[runner.name] = f"not installed ({exc.name or exc})"
            continue
        except Exception as exc:
            reason = str(exc).split(": Initialize error")[0]
            bench.skipped[runner.name] = f"cannot start here: {type(exc).__name__}: {reason}"[:200]
            runner.close()
            continue
        bench.notes[runner.name] = runner.note
        try:
            for program_name, program in programs.items():
                if progress:
                    progress(f"{runner.name}: {program_name}")
                cell = Cell(runner.name, program_name)
                cell.outcome = runner.run(program_name, program)  # warm-up, and the outcome
                n = max(3, repeats // 4) if program_name == "CPU-bound loop" else repeats
                for _ in range(n):
                    runner.idle()
                    t0 = time.perf_counter()
                    runner.run(program_name, program)
                    cell.times_ms.append((time.perf_counter() - t0) * 1000)
                    t0 = time.perf_counter()
                    yardstick.run(program_name, program)
                    cell.exec_ms.append((time.perf_counter() - t0) * 1000)
                bench.cells.append(cell)
        finally:
            runner.close()
    return bench


def _fmt_ms(ms: float) -> str:
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 1:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def peer_table(bench: PeerBench) -> str:
    """One block per program: runner, median, p90, ratio to codeact-verify (pool), ratio to
    CPython exec of the same program timed right after each run (`Cell.vs_exec`), outcome."""
    head = f"{'runner':<32} {'median ms':>10} {'p90 ms':>9} {'x ours':>8} {'x exec':>8}  outcome"
    lines: list[str] = []
    programs = list(dict.fromkeys(c.program for c in bench.cells))
    for program in programs:
        lines += [f"[{program}]", head, "-" * len(head)]
        base = bench.cell(BASELINE, program)
        for c in (c for c in bench.cells if c.program == program):
            ratio = f"{c.median / base.median:.2f}" if base and base.median else "-"
            vs_exec = f"{c.vs_exec:.1f}" if c.vs_exec is not None else "-"
            outcome = c.outcome.kind if c.outcome else "?"
            if c.outcome and c.outcome.kind in ("error", "rejected", "wrong") and c.outcome.message:
                outcome += f" ({c.outcome.message.splitlines()[0][:60]})"
            lines.append(
                f"{c.runner:<32} {_fmt_ms(c.median):>10} {_fmt_ms(c.p90):>9} {ratio:>8} "
                f"{vs_exec:>8}  {outcome}"
            )
        lines.append("")
    for name, reason in bench.skipped.items():
        lines.append(f"skipped {name}: {reason}")
    return "\n".join(lines).rstrip()

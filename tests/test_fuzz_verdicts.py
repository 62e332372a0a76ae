"""`Context.accepts`, the fuzz checks' cheap verdict, is exactly `verify(code).ok`: mypy still
runs on every program the rules accept, and a remembered verdict is the one verify gave."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codeact_verify.fuzz import properties as P

ESCAPES = sorted((Path(__file__).resolve().parents[1] / "fuzz" / "corpus" / "escapes").glob("*.py"))

PROGRAMS = {
    "accepted": 'w = get_weather(city="Paris")\nprint(w)\n',
    "rejected by types only": 'n: int = "three"\nprint(n + 1)\n',
    "rejected by a rule": "import os\nprint(os.getcwd())\n",
    "not python": "def f(:\n",
}


@pytest.fixture(scope="module")
def ctx() -> P.Context:
    return P.Context()


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_accepts_is_the_full_verdict(ctx: P.Context, name: str) -> None:
    code = PROGRAMS[name]
    assert ctx.accepts(code) is ctx.verify(code).ok
    assert ctx.accepts(code) is ctx.verify(code).ok  # remembered, still the same


def test_a_type_error_still_rejects(ctx: P.Context) -> None:
    """The rules alone accept it; only mypy rejects it: the fast path must not skip mypy."""
    from codeact_verify.verifier import verify

    code = PROGRAMS["rejected by types only"]
    assert verify(code, ctx.specs, types=False).ok
    assert not ctx.accepts(code)


def test_every_published_escape_is_rejected_through_accepts(ctx: P.Context) -> None:
    assert ESCAPES
    for path in ESCAPES:
        code = path.read_text(encoding="utf-8")
        assert not ctx.accepts(code), path.name
        assert not P.Context(fast_verdicts=False).accepts(code), path.name


def test_remembered_verdicts_skip_the_second_verify(ctx: P.Context, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code = 'print("remember me")\n'
    assert ctx.accepts(code)
    monkeypatch.setattr(P.Context, "verify", lambda self, c: pytest.fail("verified again"))
    assert ctx.accepts(code)


def test_the_ab_baseline_verifies_every_time(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slow = P.Context(fast_verdicts=False)
    calls = []
    real = P.Context.verify
    monkeypatch.setattr(P.Context, "verify", lambda self, c: calls.append(c) or real(self, c))
    slow.accepts("print(1)\n")
    slow.accepts("print(1)\n")
    assert len(calls) == 2


# -- run_if_accepted: the verdict of `accepts`, the run made while mypy checks ------------------
@pytest.fixture(scope="module")
def running() -> Iterator[P.Context]:
    from codeact_verify.fuzz.campaign import sandbox_unavailable

    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    ctx = P.Context()
    ctx.warm_up()
    yield ctx
    ctx.close()


@dataclasses.dataclass
class _Spy:
    #: each program transpiled for a run, with whether mypy's answer was still to be read then
    started: list[tuple[str, bool]] = dataclasses.field(default_factory=list)
    runs: list[str] = dataclasses.field(default_factory=list)  # each oracle run's program
    handed: list[str] = dataclasses.field(default_factory=list)  # trees handed over


def _spy_runs(ctx: P.Context, monkeypatch: pytest.MonkeyPatch) -> _Spy:
    from codeact_verify.host import precompile
    from codeact_verify.mypy_process import MypyProcess

    pending: list[bool] = [False]
    spy = _Spy()
    real_request, real_answer = MypyProcess.request, MypyProcess.answer
    real_program, real_run = P.Context._program, type(ctx.oracle).run
    real_hand_over = precompile.hand_over

    def request(self: Any, *a: Any) -> Any:
        out = real_request(self, *a)
        pending[0] = True
        return out

    def answer(self: Any, *a: Any) -> Any:
        pending[0] = False
        return real_answer(self, *a)

    def program(self: Any, code: str, checked: Any) -> str:
        out = real_program(self, code, checked)
        spy.started.append((out, pending[0]))
        return out

    def run(self: Any, program: str, *a: Any) -> Any:
        spy.runs.append(program)
        return real_run(self, program, *a)

    def hand_over(program: str, tree: Any) -> None:
        spy.handed.append(program)
        real_hand_over(program, tree)

    monkeypatch.setattr(MypyProcess, "request", request)
    monkeypatch.setattr(MypyProcess, "answer", answer)
    monkeypatch.setattr(P.Context, "_program", program)
    monkeypatch.setattr(type(ctx.oracle), "run", run)
    monkeypatch.setattr(precompile, "hand_over", hand_over)
    return spy


@pytest.fixture
def fresh_checks() -> Iterator[None]:
    """Each type check sent to the worker, not answered from what an earlier one found."""
    from codeact_verify.typecheck import remember_findings

    previous = remember_findings(False)
    yield
    remember_findings(previous)


@pytest.mark.parametrize("rules_first", [True, False])
def test_an_accepted_program_runs_while_mypy_checks_it(
    running: P.Context, monkeypatch: pytest.MonkeyPatch, rules_first: bool, fresh_checks: None
) -> None:
    spy = _spy_runs(running, monkeypatch)
    code = f'w = get_weather(city="Paris")\nprint("seen", {rules_first!r})\n'
    run = running.run_if_accepted(code, rules_first=rules_first)
    assert run is not None and run.result is not None and not run.events
    assert run.result.ok and run.result.stdout == f"seen {rules_first}\n"
    assert [call.name for call in run.result.tool_calls] == ["get_weather"]
    assert [pending for _, pending in spy.started] == [True], "started while mypy checked"
    # the same run as after the verdict: the program the executor would run
    from codeact_verify.transpile import transpile

    assert spy.runs == [transpile(code, running.specs).code] == [spy.started[0][0]]


def test_runs_take_the_tree_and_the_text_route_in_turn(
    running: P.Context, monkeypatch: pytest.MonkeyPatch, fresh_checks: None
) -> None:
    """Every other run takes the verifier's tree (handed over to the host's transform), the
    others the text, parsed again: both ways a real run's program reaches the guest."""
    spy = _spy_runs(running, monkeypatch)
    for i in range(4):
        run = running.run_if_accepted(f"print({i} // 2, {id(spy)})\n")
        assert run is not None and run.result is not None
        assert run.result.stdout == f"{i // 2} {id(spy)}\n"
    assert len(spy.runs) == 4 and len(spy.handed) == 2


def test_a_program_mypy_rejects_has_its_run_thrown_away(
    running: P.Context, monkeypatch: pytest.MonkeyPatch, fresh_checks: None
) -> None:
    """The rules accept it, so it starts while mypy checks; mypy rejects it: no run is
    returned (nothing it did reaches a finding), and it ended before the call returned."""
    spy = _spy_runs(running, monkeypatch)
    code = 'n: int = "three"\nprint("ran anyway")\n'
    assert running.run_if_accepted(code) is None
    assert running.run_if_accepted(code, rules_first=False) is None
    assert len(spy.runs) == len(spy.started) == 2
    assert all(pending for _, pending in spy.started)
    assert not running.accepts(code)


def test_a_transpiler_failure_on_an_accepted_program_is_raised(
    running: P.Context, monkeypatch: pytest.MonkeyPatch, fresh_checks: None
) -> None:
    """A transpiler that raises while mypy checks must not become a silent rejection (the
    hook's exception would fail the type check closed, CV799): the property reports it, as
    when the transpile came after the verdict (red-team finding, 2026-12-01)."""
    import importlib

    transpile_module = importlib.import_module("codeact_verify.transpile")

    def broken(*a: Any, **k: Any) -> Any:
        raise RuntimeError("planted: the transpiler fails")

    monkeypatch.setattr(transpile_module, "_transpile", broken)
    for rules_first in (True, False):
        with pytest.raises(RuntimeError, match="planted"):
            running.run_if_accepted(f"print(7 // 2, {rules_first})\n", rules_first=rules_first)
        # a program mypy rejects is not run, so its transpile failure is nobody's
        assert running.run_if_accepted(f'n: int = "x{rules_first}"\n') is None
    for name in ("contained", "meaning"):
        P.LAST_FINDING.pop(name, None)
    with pytest.raises(RuntimeError):
        P.check_contained(running, "print(8 // 3)\n")


@pytest.mark.parametrize("name", ["rejected by a rule", "not python"])
def test_a_program_the_rules_reject_never_runs(
    running: P.Context, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    spy = _spy_runs(running, monkeypatch)
    assert running.run_if_accepted(PROGRAMS[name]) is None
    assert running.run_if_accepted(PROGRAMS[name], rules_first=False) is None
    assert spy.runs == spy.started == []


def test_every_published_escape_is_rejected_and_never_run(
    running: P.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = _spy_runs(running, monkeypatch)
    for path in ESCAPES:
        assert running.run_if_accepted(path.read_text(encoding="utf-8")) is None, path.name
    assert spy.runs == spy.started == []


def test_a_remembered_verdict_runs_after_it(
    running: P.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = 'print("twice")\n'
    assert running.accepts(code)  # remembered
    monkeypatch.setattr(P.Context, "verify", lambda self, c: pytest.fail("verified again"))
    run = running.run_if_accepted(code)
    assert run is not None and run.result is not None and run.result.stdout == "twice\n"


def test_the_oracle_runs_on_fresh_and_on_pooled_instances(running: P.Context) -> None:
    """Most oracle runs take an instance made for them (a campaign's CPU goes to its
    examples, not to refilling a pool); one in POOLED_EVERY a pooled one, made ahead with its
    dry runs: both paths a real run can take stay under the oracle."""
    oracle = running.oracle
    pooled = []
    for i in range(2 * oracle.POOLED_EVERY + 1):
        if oracle.runs % oracle.POOLED_EVERY == 0:
            oracle.pooled.wait_ready()
        run = oracle.run(f"print({i})\n", running.specs, running.policy)
        assert run.result is not None and run.result.stdout == f"{i}\n" and not run.events
        pooled.append(run.result.timings.get("from_pool"))
    assert 1.0 in pooled and pooled.count(0.0) >= 2 * (oracle.POOLED_EVERY - 1)

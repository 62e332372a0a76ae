"""`Context.accepts`, the fuzz checks' cheap verdict, is exactly `verify(code).ok`: mypy still
runs on every program the rules accept, and a remembered verdict is the one verify gave."""

from __future__ import annotations

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


def _spy_runs(ctx: P.Context, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Every oracle run, with whether the mypy worker's answer was still to be read then."""
    from codeact_verify.mypy_process import MypyProcess

    pending: list[bool] = [False]
    runs: list[tuple[str, bool]] = []
    real_request, real_answer = MypyProcess.request, MypyProcess.answer

    def request(self: Any, *a: Any) -> Any:
        out = real_request(self, *a)
        pending[0] = True
        return out

    def answer(self: Any, *a: Any) -> Any:
        pending[0] = False
        return real_answer(self, *a)

    real_run = type(ctx.oracle).run

    def run(self: Any, program: str, *a: Any) -> Any:
        runs.append((program, pending[0]))
        return real_run(self, program, *a)

    monkeypatch.setattr(MypyProcess, "request", request)
    monkeypatch.setattr(MypyProcess, "answer", answer)
    monkeypatch.setattr(type(ctx.oracle), "run", run)
    return runs


@pytest.mark.parametrize("rules_first", [True, False])
def test_an_accepted_program_runs_while_mypy_checks_it(
    running: P.Context, monkeypatch: pytest.MonkeyPatch, rules_first: bool
) -> None:
    from codeact_verify.typecheck import remember_findings

    runs = _spy_runs(running, monkeypatch)
    previous = remember_findings(False)  # a check of its own, not a remembered one
    try:
        code = f'w = get_weather(city="Paris")\nprint("seen", {rules_first!r})\n'
        run = running.run_if_accepted(code, rules_first=rules_first)
    finally:
        remember_findings(previous)
    assert run is not None and run.result is not None and not run.events
    assert run.result.ok and run.result.stdout == f"seen {rules_first}\n"
    assert [call.name for call in run.result.tool_calls] == ["get_weather"]
    assert len(runs) == 1 and runs[0][1], "the run was made while mypy's answer was pending"
    # the same run as after the verdict: the program the executor would run
    from codeact_verify.transpile import transpile

    assert runs[0][0] == transpile(code, running.specs).code


def test_a_program_mypy_rejects_has_its_run_thrown_away(
    running: P.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules accept it, so it runs while mypy checks; mypy rejects it: no run is returned,
    and its canary events (it prints the environment canary it cannot read, so none) never
    reach a finding."""
    runs = _spy_runs(running, monkeypatch)
    code = 'n: int = "three"\nprint("ran anyway")\n'
    assert running.run_if_accepted(code) is None
    assert running.run_if_accepted(code, rules_first=False) is None
    assert len(runs) <= 2 and all(pending for _, pending in runs)
    assert not running.accepts(code)


@pytest.mark.parametrize("name", ["rejected by a rule", "not python"])
def test_a_program_the_rules_reject_never_runs(
    running: P.Context, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    runs = _spy_runs(running, monkeypatch)
    assert running.run_if_accepted(PROGRAMS[name]) is None
    assert running.run_if_accepted(PROGRAMS[name], rules_first=False) is None
    assert runs == []


def test_every_published_escape_is_rejected_and_never_run(
    running: P.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _spy_runs(running, monkeypatch)
    for path in ESCAPES:
        assert running.run_if_accepted(path.read_text(encoding="utf-8")) is None, path.name
    assert runs == []


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

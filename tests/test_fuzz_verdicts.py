"""`Context.accepts`, the fuzz checks' cheap verdict, is exactly `verify(code).ok`: mypy still
runs on every program the rules accept, and a remembered verdict is the one verify gave."""

from __future__ import annotations

from pathlib import Path

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

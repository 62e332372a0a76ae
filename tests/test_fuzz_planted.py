"""Each fuzz property finds a bug planted in the real verifier or transpiler.

The plants wrap the real functions the checks call (``codeact_verify.verifier.verify``,
``codeact_verify.transpile.transpile``) and break one thing, the way a regression would: a rule
switched off, a crash on some input, a transpiler that changes an operator. Each property's
campaign test (``hypothesis_test``, as a campaign worker runs it, seed fixed) must report the
planted bug, shrunk. This guards the fuzzers' power: a change that makes a strategy or a check
cheaper must not make it blind.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from codeact_verify import verifier
from codeact_verify.fuzz import properties as P
from codeact_verify.fuzz.campaign import sandbox_unavailable


def _plant(monkeypatch: pytest.MonkeyPatch, change: Callable[[Any, Any], Any]) -> None:
    """verify(code, ...) now returns change(code, the real report)."""
    real = verifier.verify

    def planted(code: Any, *args: Any, **kwargs: Any) -> Any:
        return change(code, real(code, *args, **kwargs))

    monkeypatch.setattr(verifier, "verify", planted)


def _without_rule(rule: str) -> Callable[[Any, Any], Any]:
    def change(code: Any, report: Any) -> Any:
        kept = tuple(d for d in report.diagnostics if d.rule != rule)
        return dataclasses.replace(report, diagnostics=kept)

    return change


def _finds(name: str, ctx: P.Context, max_examples: int = 100) -> Any:
    P.LAST_FINDING.pop(name, None)
    test = P.hypothesis_test(name, ctx, max_examples=max_examples, database=None, seed=1)
    with pytest.raises(P.FindingError):
        test()
    return P.LAST_FINDING[name]


@pytest.fixture
def ctx() -> Iterator[P.Context]:
    fresh = P.Context()  # no verdict remembered from an unplanted verifier
    yield fresh
    fresh.close()


@pytest.fixture
def sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


def test_total_finds_a_verifier_that_crashes_on_bytes(
    monkeypatch: pytest.MonkeyPatch, ctx: P.Context
) -> None:
    def change(code: Any, report: Any) -> Any:
        if isinstance(code, bytes) and len(code) > 1:
            raise UnicodeError("planted: bytes input")
        return report

    _plant(monkeypatch, change)
    found = _finds("total", ctx)
    assert found.kind == "raised"
    assert found.detail == "verify raised UnicodeError: planted: bytes input"
    assert isinstance(found.input, bytes)


def test_outside_finds_a_verifier_without_its_import_rule(
    monkeypatch: pytest.MonkeyPatch, ctx: P.Context
) -> None:
    _plant(monkeypatch, _without_rule("import"))
    found = _finds("outside", ctx)
    assert found.kind == "accepted-outside-grammar"
    assert found.extra["what"].startswith("import ")


def test_stable_finds_a_verifier_blind_to_look_alike_identifiers(
    monkeypatch: pytest.MonkeyPatch, ctx: P.Context
) -> None:
    """An NFKC-equivalent identifier (``ｅval`` for ``eval``) slips through the planted rules."""

    def change(code: Any, report: Any) -> Any:
        text = code.decode("utf-8", "replace") if isinstance(code, bytes) else code
        if any(ord(ch) > 127 and (ch.isalpha() or ch == "_") for ch in text):
            return dataclasses.replace(report, diagnostics=())
        return report

    _plant(monkeypatch, change)
    found = _finds("stable", ctx)
    assert found.kind == "escape-variant-accepted"
    assert "nfkc" in found.extra["mutations"]


def test_contained_finds_an_escape_past_a_verifier_without_its_dunder_rule(
    monkeypatch: pytest.MonkeyPatch, ctx: P.Context, sandbox: None
) -> None:
    _plant(monkeypatch, _without_rule("dunder"))
    found = _finds("contained", ctx)
    assert found.kind == "escape"
    assert "runtime guard refusal" in found.detail  # the sandbox's guard stopped what got through


@pytest.mark.parametrize("form", ["text", "tree"])
def test_meaning_finds_a_transpiler_that_changes_an_operator(
    monkeypatch: pytest.MonkeyPatch, ctx: P.Context, sandbox: None, form: str
) -> None:
    """The plant breaks one form of the transpiler's output: the text (what runs when the host
    parses the program again: no `host_restrict`, a report without its tree) or the tree the
    run takes from the verifier (`transpile_for_run`, handed over to the host's transform).
    The oracle takes both routes in turn, so each plant is found."""
    transpile_module = importlib.import_module("codeact_verify.transpile")
    real = transpile_module._transpile

    def planted(code: str, *args: Any, **kwargs: Any) -> Any:
        result, tree = real(code, *args, **kwargs)
        if form == "tree" and tree is not None:
            for node in ast.walk(tree):
                if isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv):
                    node.op = ast.Div()
        if form == "text":
            result = dataclasses.replace(result, code=result.code.replace(" // ", " / "))
        return result, tree

    monkeypatch.setattr(transpile_module, "_transpile", planted)
    found = _finds("meaning", ctx)
    assert found.kind == "output-differs"
    assert " // " in found.input


def test_stable_finds_a_verifier_that_rejects_a_reformatted_program(
    monkeypatch: pytest.MonkeyPatch, ctx: P.Context
) -> None:
    """The accepted side: CRLF line ends (a harmless reformatting) make the planted verifier
    reject an accepted program."""
    rejected = verifier.verify("import os\n", ctx.specs)
    assert not rejected.ok

    def change(code: Any, report: Any) -> Any:
        text = code.decode("utf-8", "replace") if isinstance(code, bytes) else code
        return rejected if "\r\n" in text else report

    _plant(monkeypatch, change)
    found = _finds("stable", ctx)
    assert found.kind == "harmless-change-rejected"
    assert "reformat" in found.extra["mutations"]
    assert "\r\n" in found.input and "\r\n" not in found.extra["original"]

"""One name policy for both Pythons (issue 10 item 13): each module's names come from the guest's
stdlib (grammars/guest_stdlib.json, generated inside the guest), the verifier and the guest use
the same list, and this test fails when the checked-in list and the guest disagree."""

from __future__ import annotations

import json

import pytest
from test_sandbox_support import ensure_loaded

from codeact_verify.grammar import GUEST_NAMES_FILE, load_grammar, profile_names
from codeact_verify.host.stdlib_names import bundled_modules, guest_stdlib_names
from codeact_verify.verifier import verify


def test_checked_in_names_match_the_guest() -> None:
    ensure_loaded()
    checked_in = json.loads(GUEST_NAMES_FILE.read_text(encoding="utf-8"))
    assert guest_stdlib_names() == checked_in, (
        "the guest's stdlib names changed: run `python -m codeact_verify.host.stdlib_names`"
    )


def test_every_bundled_module_is_listed() -> None:
    checked_in = json.loads(GUEST_NAMES_FILE.read_text(encoding="utf-8"))
    assert sorted(checked_in["modules"]) == bundled_modules()


@pytest.mark.parametrize("profile", profile_names())
def test_the_guest_policy_is_the_verifier_policy(profile: str) -> None:
    grammar = load_grammar(profile)
    policy = grammar.runtime_policy()
    assert set(policy["modules"]) == set(grammar.modules)
    for name, module in grammar.modules.items():
        assert set(policy["modules"][name]["allow"]) == module.allowed_names()
    assert set(policy["builtins"]) == grammar.builtins


def test_names_only_the_guest_has_are_refused_by_both() -> None:
    # 3.14's calendar exports IntEnum (the host's Python may not): the guest refuses it as a
    # class factory, so the verifier does too, with the guest's reason
    report = verify("import calendar\nF = calendar.IntEnum('F', {'A': 1})\n")
    assert not report.ok
    [diag] = [d for d in report.diagnostics if d.code == "CV109"]
    assert "builds classes" in diag.message
    assert not load_grammar("default").modules["calendar"].allows("IntEnum")


def test_typing_namedtuple_is_refused_by_the_verifier_with_a_hint() -> None:
    report = verify("import typing\nP = typing.NamedTuple('P', [('x', int)])\n")
    assert not report.ok
    assert any("collections.namedtuple" in d.message for d in report.diagnostics)

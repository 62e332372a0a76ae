"""Every CV code comes from one registry, and every rule's examples are its tests.

Generated from `codeact_verify.rules.registry.all_rules()`: each VALID program passes without the
rule's code (without any diagnostic, for the source and ast rules), and each INVALID program gets
exactly its code at exactly its (line, col), 1-based as in the output. docs/rules.md is rendered
from the same registry and must be up to date.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codeact_verify.rules.base import Invalid, Rule
from codeact_verify.rules.docs import render_docs
from codeact_verify.rules.registry import all_rules, example_specs
from codeact_verify.verifier import verify

ROOT = Path(__file__).resolve().parent.parent
RULES = all_rules()
VALID = [(code, i, p) for code, r in RULES.items() for i, p in enumerate(r.VALID)]
INVALID = [(code, i, p) for code, r in RULES.items() for i, p in enumerate(r.INVALID)]


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_is_documented_by_examples(code: str) -> None:
    rule = RULES[code]
    assert rule.code == code and re.fullmatch(r"CV\d{3}", code)
    assert rule.name and rule.message and rule.severity in ("error", "warning")
    if rule.UNTESTABLE:
        assert not rule.INVALID, f"{code} has examples, so it is testable"
        return
    assert rule.VALID, f"{code} has no VALID example"
    assert rule.INVALID, f"{code} has no INVALID example"
    assert all(isinstance(p, Invalid) for p in rule.INVALID), f"{code}: INVALID without positions"


def _verify(rule: type[Rule], program: str):  # type: ignore[no-untyped-def]
    return verify(program, example_specs(), grammar=rule.GRAMMAR, types=rule.TYPES)


@pytest.mark.parametrize(("code", "index", "program"), VALID, ids=[f"{c}-{i}" for c, i, _ in VALID])
def test_valid_example_passes(code: str, index: int, program: str) -> None:
    rule = RULES[code]
    report = _verify(rule, program)
    if rule.stage == "tool calls":  # toolcheck's contract: no tool-call diagnostic at all
        assert not [d for d in report.diagnostics if d.code.startswith("CV6")], (
            report.render_for_human()
        )
    else:
        assert list(report.diagnostics) == [], report.render_for_human()


@pytest.mark.parametrize(
    ("code", "index", "program"), INVALID, ids=[f"{c}-{i}" for c, i, _ in INVALID]
)
def test_invalid_example_gets_its_code_at_its_position(
    code: str, index: int, program: Invalid
) -> None:
    rule = RULES[code]
    expected = program.code or code
    report = _verify(rule, program)
    found = [(d.line, d.col + 1) for d in report.diagnostics if d.code == expected]
    assert found, f"{expected} not reported:\n{report.render_for_human()}"
    assert (program.line, program.col) in found, (
        f"{expected} reported at {found}, the example says {(program.line, program.col)}:\n"
        + report.render_for_human()
    )
    if RULES[expected].severity == "error":
        assert not report.ok
    else:
        assert next(d for d in report.diagnostics if d.code == expected).severity == "warning"


def test_every_code_the_package_uses_is_registered() -> None:
    used: dict[str, str] = {}
    for path in (ROOT / "codeact_verify").rglob("*.py"):
        for code in re.findall(r"[\"'](CV\d{3})[\"']", path.read_text(encoding="utf-8")):
            used.setdefault(code, str(path.relative_to(ROOT)))
    missing = {code: where for code, where in used.items() if code not in RULES}
    assert not missing, f"CV codes used but not in the registry: {missing}"


def test_registry_holds_every_family() -> None:
    families = {code[:3] for code in RULES}
    assert {"CV0", "CV1", "CV6", "CV7", "CV9"} <= families


def test_docs_are_generated_from_every_code_and_up_to_date() -> None:
    text = render_docs()
    for code, rule in RULES.items():
        assert f"## {code} `{rule.name}`" in text
    checked_in = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert checked_in == text, "run: python -m codeact_verify.rules --write docs/rules.md"

"""Every CV code in one registry: `RULES` maps each code to a `Rule` class with its examples.

The codes come from four places, each keeping its own logic:
- CV0xx (source text) and CV1xx (`ast` rules): the rule classes of this package (`base.REGISTRY`);
- CV6xx: the tool-call checks (`toolcheck.CHECKS`), wrapped here as rule classes;
- CV7xx: the type check's codes (`typecheck.CODES`), with examples written here;
- CV999: the verifier's own failure (`verifier.INTERNAL_CODE`).

This module only registers and documents: it imports the other modules' descriptions and never
decides a verdict. Each rule's `INVALID` examples are `Invalid` strings that carry the code and
the 1-based (line, col) where it must be reported; tests/test_registry.py generates a test for
each, and docs/rules.md is rendered from `RULES` (`python -m codeact_verify.rules --write`).
A tool-call check whose examples are plain strings gets their positions from
`TOOLCHECK_POSITIONS` below; a check may instead write `Invalid(...)` in its own module.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from .. import toolcheck, typecheck
from ..tools import ToolSpec
from .base import REGISTRY, Invalid, Rule

# Where each tool-call check's invalid example is reported (1-based), keyed by code and program.
TOOLCHECK_POSITIONS: dict[tuple[str, str], tuple[int, int]] = {
    ("CV601", 'tool = "get_weather"\nw = call_tool(tool, city="Paris")\n'): (2, 15),
    ("CV601", 'w = call_tool(city="Paris")\n'): (1, 5),
    ("CV601", "rs = call_tools(pairs)\n"): (1, 6),
    ("CV602", 'w = call_tool("get_wether", city="Paris")\n'): (1, 15),
    ("CV602", 'rs = call_tools([("search", {"q": "x"})])\n'): (1, 19),
    ("CV603", 'w = call_tool("get_weather", town="Paris")\n'): (1, 30),
    ("CV603", 'w = get_weather(city="Paris", unit="f")\n'): (1, 31),
    ("CV604", 'r = call_tool("get_exchange_rate", base="USD")\n'): (1, 5),
    ("CV604", "w = get_weather()\n"): (1, 5),
    ("CV605", 'w = call_tool("get_weather", "Paris", "c", 3)\n'): (1, 44),
    ("CV606", 'w = get_weather("Paris", city="Rome")\n'): (1, 26),
    ("CV606", 'w = call_tool("get_weather", "a", **{"city": "b"})\n'): (1, 38),
    ("CV607", 'w = call_tool("get_weather", city=3)\n'): (1, 35),
    ("CV607", 'w = get_weather(city="Paris", units="kelvin")\n'): (1, 37),
    ("CV607", 'r = call_tool("convert", amount="3", currencies=["USD"])\n'): (1, 33),
    ("CV607", 'r = call_tool("convert", amount=3, currencies=["USD", 1])\n'): (1, 47),
    ("CV608", 'args = {"city": "Paris"}\nw = call_tool("get_weather", **args)\n'): (2, 30),
    ("CV608", 'args = ["Paris"]\nw = get_weather(*args)\n'): (2, 17),
    ("CV608", 'a = {"city": "Paris"}\nrs = call_tools([("get_weather", a)])\n'): (2, 34),
    ("CV608", 'rs = call_tools([("get_weather", dict(city=c)) for c in ["a", "b"]])\n'): (1, 34),
    ("CV609", 'f = call_tool\nw = f("get_weather", city="Paris")\n'): (1, 5),
    ("CV609", 'ws = list(map(call_tool, ["get_weather"]))\n'): (1, 15),
    ("CV611", 'n = call_tool("tag", "a", colour="red", size=3)\n'): (1, 27),
    ("CV610", 'def call_tool(name, **kw):\n    return None\nx = call_tool("get_weather")\n'): (
        1,
        1,
    ),
}


class ToolCallRule(Rule):
    """A tool-call check (CV6xx) as a rule class; its logic stays in `codeact_verify.toolcheck`."""

    stage: ClassVar[str] = "tool calls"
    check: ClassVar[Any]


class TypeRule(Rule):
    """A type-check code (CV7xx); mypy finds it, `codeact_verify.typecheck` maps it."""

    stage: ClassVar[str] = "types (mypy)"
    TYPES: ClassVar[bool] = True


class InternalRule(Rule):
    """The verifier itself failed (CV999): the program is rejected, never let through."""

    code = "CV999"
    name = "internal"
    stage: ClassVar[str] = "verifier"
    message = "the verifier itself failed on this program; it is rejected (fail closed)"
    hint = "Report the program: it found a bug in the verifier."
    UNTESTABLE = (
        "no program causes it on purpose; tests/test_verify.py provokes it by breaking a rule"
    )


# Examples for the type check's codes, against `example_specs()`; positions are 1-based.
TYPE_EXAMPLES: dict[str, tuple[list[str], list[Invalid]]] = {
    "CV701": (
        ["def f(x: int) -> int:\n    return x\n\nprint(f(1))\n"],
        [Invalid('def f(x: int) -> int:\n    return x\n\nprint(f("a"))\n', 4, 9)],
    ),
    "CV702": (
        ['r = get_exchange_rate(base="USD", quote="EUR")\nprint(r * 2)\n'],
        [
            Invalid('r = get_exchange_rate(base="USD", quote="EUR")\nprint(r["rate"])\n', 2, 7),
            Invalid('w = get_weather(city="Oslo")\nprint(w["temp"])\n', 2, 9),
        ],
    ),
    "CV703": (
        ["x = 1\nprint(x)\n"],
        [Invalid("print(x)\nx = 1\n", 1, 7)],
    ),
    "CV704": (
        ['import re\nm = re.match("a", "a")\nif m:\n    print(m.group())\n'],
        [Invalid('import re\nm = re.match("a", "a")\nprint(m.group())\n', 3, 7)],
    ),
    "CV705": (
        ['print("a" + "b")\n'],
        [Invalid('print("a" - 1)\n', 1, 7)],
    ),
    "CV706": (
        ["x: int = 1\n"],
        [Invalid('x: int = "a"\n', 1, 10)],
    ),
    "CV709": (
        ["x: list[int] = [1]\n"],
        [Invalid('x: list[int] = ["a"]\n', 1, 17)],
    ),
}
TYPE_NAMES: dict[str, str] = {
    "CV701": "call-arguments",
    "CV702": "missing-item",
    "CV703": "undefined-name",
    "CV704": "optional-value",
    "CV705": "operator",
    "CV706": "assignment",
    "CV709": "other-type-error",
    "CV799": "type-check-unavailable",
}
TYPE_UNTESTABLE: dict[str, str] = {
    "CV799": "no program causes it on purpose; tests/test_typecheck.py breaks the checker",
}
# CV704 is a warning unless a tool declared the None (then an error); the example is a warning.
TYPE_WARNINGS = frozenset({typecheck.OPTIONAL_CODE})


def _tool_call_rule(check: Any) -> type[Rule]:
    invalid = []
    for program in check.invalid:
        if isinstance(program, Invalid):
            invalid.append(program)
            continue
        position = TOOLCHECK_POSITIONS.get((check.code, program))
        # Without a position the example stays a plain str: tests/test_registry.py fails on it
        # and says where to add one (TOOLCHECK_POSITIONS, or Invalid(...) in toolcheck).
        invalid.append(Invalid(program, *position) if position else program)
    attrs: dict[str, Any] = {
        "code": check.code,
        "name": check.name,
        "message": check.summary,
        "hint": getattr(check, "hint", None),
        "severity": check.severity,
        "check": check,
        "VALID": list(check.valid),
        "INVALID": invalid,
        "__doc__": f"{check.code} {check.name}: {check.summary}",
        "__module__": toolcheck.__name__,
    }
    return type(f"ToolCheck_{check.code}", (ToolCallRule,), attrs)


def _type_rule(code: str, meaning: str) -> type[Rule]:
    valid, invalid = TYPE_EXAMPLES.get(code, ([], []))
    attrs: dict[str, Any] = {
        "code": code,
        "name": TYPE_NAMES.get(code, code.lower()),
        "message": meaning,
        "hint": None,
        "severity": "warning" if code in TYPE_WARNINGS else "error",
        "VALID": list(valid),
        "INVALID": list(invalid),
        "UNTESTABLE": TYPE_UNTESTABLE.get(code),
        "__doc__": f"{code}: {meaning}",
        "__module__": typecheck.__name__,
    }
    return type(f"TypeCheck_{code}", (TypeRule,), attrs)


@cache
def all_rules() -> dict[str, type[Rule]]:
    """Every CV code -> its rule class, in code order."""
    rules: dict[str, type[Rule]] = dict(REGISTRY)
    for check in toolcheck.CHECKS:
        rules[check.code] = _tool_call_rule(check)
    for code, meaning in typecheck.CODES.items():
        rules[code] = _type_rule(code, meaning)
    rules[InternalRule.code] = InternalRule
    return dict(sorted(rules.items()))


def _get_template(kind: str = "plain") -> str:
    """A text template (untrusted: it comes from a tool)."""
    return "{0}"


@cache
def example_specs() -> dict[str, ToolSpec]:
    """The tools every rule's examples are written against: the tool-call checks' set
    (`toolcheck.example_specs()`: get_weather, get_exchange_rate, convert, lookup) and a
    template tool for the format-string rule."""
    specs = dict(toolcheck.example_specs())
    specs["get_template"] = ToolSpec.from_callable(_get_template, name="get_template")
    return specs

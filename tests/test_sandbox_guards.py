"""The runtime guards alone (the verifier off): the red-team reproductions of issue 10 (items 1,
2, 3, 9, 10, 11, 13, 14) are contained inside the guest, with the right error kind, no program
code running while the audit hook is off or trusting, and nothing unchecked reaching a tool."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Literal

import pytest
from test_sandbox_support import POLICY, Limits, make_sandbox, run

from codeact_verify.grammar import load_grammar

DEFAULT = load_grammar("default").runtime_policy()
CLASSES = {**POLICY, "classes": True}  # a grammar that allows `class` (none shipped does)
SANDBOX = Path(__file__).resolve().parent.parent / "sandbox"

received: list[Any] = []


def set_units(units: Literal["c", "f"]) -> str:
    """Set the units."""
    received.append(units)
    return f"units set to {units}"


def place_order(quantities: dict[str, int]) -> str:
    """Place an order."""
    received.append(quantities)
    return "placed"


@pytest.fixture(scope="module")
def sb():
    sandbox = make_sandbox(limits=Limits(timeout_s=5.0, memory_mb=96))
    yield sandbox
    sandbox.close()


@pytest.fixture(autouse=True)
def _clear_received():
    received.clear()


# --- item 1, 13, 14: no way to build a class ---------------------------------------------------

ISSUE_ITEM_1 = (
    "from typing import Any\n"
    "T: Any = type(int)\n"
    "u = '_'\n"
    "S = T('S', (str,), {u + u + 'eq' + u + u: lambda self, other: True,"
    " u + u + 'hash' + u + u: lambda self: 0})\n"
    "print(set_units(units=S('kelvin')))\n"
)

CLASS_BUILDERS = [
    ("type-of-class", ISSUE_ITEM_1),
    ("type-of-type", "t = type(1)\nM = type(t)\n"),
    ("type-object", "import collections\nt = type(collections.Counter)\n"),
    ("calendar-intenum", "import calendar\nF = calendar.IntEnum('F', {'A': 1})\n"),
    ("calendar-global-enum", "import calendar\ng = calendar.global_enum\n"),
    ("typing-namedtuple", "import typing\nP = typing.NamedTuple('P', [('x', int)])\n"),
    ("typing-typeddict", "from typing import TypedDict\n"),
    ("typing-abcmeta", "import typing\nm = typing.ABCMeta\n"),
    ("uuid-enum", "import uuid\nE = uuid.Enum\n"),
    ("generic-alias", "import functools\nA = functools.GenericAlias\n"),
    ("generic-alias-type", "A = type(list[int])\n"),
    ("class-statement", "class A:\n    pass\n"),
    ("re-flag-type", "import re\nM = type(re.RegexFlag)\n"),
]


@pytest.mark.parametrize(
    "program", [c[1] for c in CLASS_BUILDERS], ids=[c[0] for c in CLASS_BUILDERS]
)
def test_no_class_can_be_built(sb, program: str) -> None:
    r = run(sb, program, tools=[set_units], policy=DEFAULT)
    assert not r.ok and r.error is not None
    assert r.error.kind == "runtime", r.error
    assert "not allowed" in r.error.message or "__build_class__" in r.error.message, r.error
    assert received == [] and r.tool_calls == []


def test_namedtuple_from_any_module_is_the_trusted_wrapper(sb) -> None:
    program = (
        "import collections\nimport functools\nimport statistics\n"
        "for make in [collections.namedtuple, functools.namedtuple, statistics.namedtuple]:\n"
        "    P = make('P', 'x y', defaults=[0])\n"
        "    print(P(1))\n"
    )
    r = run(sb, program, policy=DEFAULT)
    assert r.ok, r.error
    assert r.stdout == "P(x=1, y=0)\n" * 3


def test_a_misspelt_attribute_raises_attribute_error(sb) -> None:
    program = (
        "x = [1]\n"
        "print(getattr(x, 'nope', 'default'), hasattr(x, 'nope'), hasattr(x, 'append'))\n"
        "x.apend(2)\n"
    )
    r = run(sb, program, policy=DEFAULT)
    assert r.stdout == "default False True\n"
    assert r.error is not None and r.error.kind == "runtime"
    assert r.error.message.startswith("AttributeError") and "apend" in r.error.message


def test_natural_uses_of_type_still_work(sb) -> None:
    program = (
        "import collections\n"
        "x = collections.Counter('aab')\n"
        "print(type(3) is int, type(x) is collections.Counter, type('s') == str, type(1.5))\n"
    )
    r = run(sb, program, policy=DEFAULT)
    assert r.ok, r.error
    assert r.stdout == "True True True <class 'float'>\n"


# --- items 3, 9: attribute forwarding and values checked where they resolve ---------------------

FORWARDERS = [
    ("generic-alias-statistics-sys",
     "import functools\nimport statistics\n"
     "A = lambda o: functools.GenericAlias(o, ())\nprint(A(statistics).sys)\n"),
    ("typing-alias-origin", "import typing\nprint(typing.List.__origin__)\n"),
    ("module-from-item", "import json\nd = {'m': json}\nprint(d['m'])\n"),
    ("typing-alias-type", "import typing\nprint(type(typing.List[int]))\n"),
]


@pytest.mark.parametrize("program", [c[1] for c in FORWARDERS], ids=[c[0] for c in FORWARDERS])
def test_forwarded_reads_are_checked_on_their_result(sb, program: str) -> None:
    r = run(sb, program, policy=DEFAULT)
    assert not r.ok and r.error is not None
    assert r.error.kind in ("runtime", "rejected"), r.error
    assert "module" not in r.stdout and "function" not in r.stdout


def test_methods_reached_through_objects_still_work(sb) -> None:
    program = (
        "import json\nprint(json.loads('[1]'))\n"
        "m = json.JSONDecoder().decode\nprint(m('2'))\n"
    )
    r = run(sb, program, policy=DEFAULT)
    assert r.ok and r.stdout == "[1]\n2\n", r.error


# --- item 10: what is checked is what is sent -------------------------------------------------

def test_methods_of_a_container_subclass_cannot_be_replaced(sb) -> None:
    program = (
        "import collections\n"
        "q = collections.Counter()\n"
        "q['A1'] = 2\n"
        "q['A1'] += 1\n"
        "calls = []\n"
        "def fake_items():\n"
        "    calls.append(1)\n"
        "    return [('A1', 2)] if len(calls) == 1 else [('A1', '2; DROP TABLE orders')]\n"
        "q.items = fake_items\n"
        "print(place_order(quantities=q))\n"
    )
    r = run(sb, program, tools=[place_order], policy=DEFAULT)
    assert r.error is not None and r.error.kind == "runtime"
    assert "cannot be replaced" in r.error.message, r.error
    assert received == []


def test_match_mapping_pattern_cannot_call_a_program_set_get(sb) -> None:
    program = (
        "import collections\n"
        "d = collections.OrderedDict(k=1)\n"
        "def get(key, default):\n"
        "    print(type(default))\n"
        "    return 1\n"
        "d.get = get\n"
        "match d:\n"
        "    case {'k': v}:\n"
        "        print(v)\n"
    )
    r = run(sb, program, policy=DEFAULT)
    assert r.error is not None and "cannot be replaced" in r.error.message, r.error
    assert "object" not in r.stdout


def test_item_writes_on_container_subclasses_still_work(sb) -> None:
    program = (
        "import collections\n"
        "c = collections.defaultdict(list)\nc['a'].append(1)\nc['b'] = [2]\ndel c['b']\n"
        "q = collections.Counter()\nq['x'] += 2\n"
        "c.default_factory = int\nprint(c['z'])\n"
        "print(dict(c), dict(q))\n"
    )
    r = run(sb, program, policy=DEFAULT)
    assert r.ok and r.stdout == "0\n{'a': [1], 'z': 0} {'x': 2}\n", r.error


def test_host_transform_applies_the_grammar_attribute_policy(sb) -> None:
    # class patterns read attributes without _getattr_: their keyword names are checked when
    # the program is transformed, on the host as in the guest, with the grammar's policy
    r = run(sb, "match 1:\n    case int(mro=m):\n        print(m)\n", policy=DEFAULT)
    assert r.error is not None and r.error.kind == "rejected", r.error
    assert "mro" in r.error.message


# --- items 2, 11: no program code with the hook off or trusting; a total error path ------------

# With the verifier off a program still cannot define a dunder method (RestrictedPython refuses
# the name) nor build a class with one (type() and every class factory are closed, above). The
# error path is checked one level down as well: the guest's own `_classify`, run on the host
# with stand-ins for the component's imports, against exceptions whose __str__/__repr__/__bool__
# would run code.
CLASSIFY_PROBE = r"""
import sys, types
ww = types.ModuleType("wit_world")
class _W: pass
ww.WitWorld = _W
ww.Outcome = lambda **kw: kw
sys.modules["wit_world"] = ww
cpt = types.ModuleType("componentize_py_types")
class Err(Exception): pass
class Ok: pass
cpt.Err, cpt.Ok = Err, Ok
sys.modules["componentize_py_types"] = cpt
sys.path.insert(0, SANDBOX)
import guest

ran = []
class E(Exception):
    def __str__(self):
        ran.append("str")
        return "x"
class V:
    def __repr__(self):
        ran.append("repr")
        return "v"
    __str__ = __repr__
class Boom(Exception):
    def __str__(self):
        raise ValueError("boom")
print(guest._classify(E()))
print(guest._classify(E("a", 1)))
print(guest._classify(KeyError(V())))
print(guest._classify(OSError(2, "No such file", V())))
print(guest._classify(Boom(Boom())))
print(guest._classify(KeyError("k")))
print(guest._classify(ValueError("bad value")))
print(ran)
"""


def test_error_report_runs_no_program_code() -> None:
    import subprocess
    import sys

    code = f"SANDBOX = {str(SANDBOX)!r}\n" + CLASSIFY_PROBE
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        "('runtime', 'E')",
        "('runtime', \"E: ('a', 1)\")",
        "('runtime', 'KeyError (its message is not shown: it holds a non-data value)')",
        "('runtime', 'FileNotFoundError (its message is not shown: it holds a non-data "
        "value)')",
        "('runtime', 'Boom (its message is not shown: it holds a non-data value)')",
        "('runtime', \"KeyError: 'k'\")",
        "('runtime', 'ValueError: bad value')",
        "[]",
    ]


ISSUE_ITEM_2 = (
    "from typing import Any\n"
    "T: Any = type(int)\n"
    "u = '_'\n"
    "def s(self):\n"
    "    print('STR RAN')\n"
    "    return 'x'\n"
    "E = T('E', (Exception,), {u + u + 'str' + u + u: s})\n"
    "raise E()\n"
)
ISSUE_ITEM_11 = (
    "import collections\n"
    "from typing import Any\n"
    "T: Any = type(int)\n"
    "u = '_'\n"
    "R = T('R', (), {u + u + 'bool' + u + u: lambda self: print('BOOL RAN') or False})\n"
    "P = collections.namedtuple('P', 'x y', rename=R())\n"
)


@pytest.mark.parametrize(
    ("program", "line"), [(ISSUE_ITEM_2, 2), (ISSUE_ITEM_11, 3)], ids=["item-2", "item-11"]
)
def test_issue_reproductions_stop_before_any_class_exists(sb, program: str, line: int) -> None:
    r = run(sb, program, policy=DEFAULT)
    assert "RAN" not in r.stdout
    assert r.error is not None and r.error.kind == "runtime" and r.error.line == line, r.error
    assert "guest.py" not in r.stderr and "Traceback" not in r.stderr


def test_a_refusal_stays_recorded_whatever_the_program_raises_next(sb) -> None:
    program = (
        "import typing\n"
        "def f(x: 'int'):\n"
        "    pass\n"
        "try:\n"
        "    typing.get_type_hints(f)\n"
        "except PermissionError:\n"
        "    print('refused')\n"
        "raise KeyError('later')\n"
    )
    r = run(sb, program)
    assert r.stdout == "refused\n"
    assert r.error is not None and r.error.kind == "rejected", r.error


def test_builtin_error_messages_are_kept(sb) -> None:
    r = run(sb, "d = {}\nd['missing']\n", policy=DEFAULT)
    assert r.error is not None and r.error.message == "KeyError: 'missing'"
    r = run(sb, "int('x')\n", policy=DEFAULT)
    assert r.error is not None and "invalid literal" in r.error.message
    assert r.error.line == 1


# --- the trusted blocks, enumerated ----------------------------------------------------------

TRUSTED_FUNCTIONS = {
    ("guest.py", "_compile_host_text"),
    ("guest.py", "_program_line"),
    ("runtime/guards.py", "_namedtuple_exact"),
    ("runtime/guards.py", "_restricted_compile"),
}


def _decorated_trusted() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(SANDBOX.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    if ast.unparse(dec) == "audit.register":
                        found.add((str(path.relative_to(SANDBOX)), node.name))
    return found


def test_every_trusted_block_is_listed_here() -> None:
    # A new trusted block must be added here deliberately, after checking that it touches no
    # program-controlled value (audit.call_trusted refuses arguments other than exact data).
    assert _decorated_trusted() == TRUSTED_FUNCTIONS
    for path in sorted(SANDBOX.rglob("*.py")):
        text = path.read_text()
        assert "contextmanager" not in text, path  # no suspendable trusted section
        assert "HOOK." not in text, path  # no object whose attributes switch the hook


def test_trusted_calls_take_exact_data_only() -> None:
    from codeact_verify.guest.runtime import audit

    assert audit.exact_data(("a", 1, None, [1.5, b"x"], {"k": (True,)}))

    class S(str):
        pass

    assert not audit.exact_data(S("a"))
    assert not audit.exact_data([1, object()])
    assert not audit.exact_data({S("k"): 1})


def test_the_hook_cannot_be_switched_off_without_its_token() -> None:
    from codeact_verify.guest.runtime import audit

    token = audit.start([], None)  # not installed in this process: only the state flips
    try:
        with pytest.raises(PermissionError):
            audit.stop(object())
        assert audit.active()
        with pytest.raises(PermissionError):
            audit.call_trusted(eval, "1")
    finally:
        audit.stop(token)
    assert not audit.active()
    assert not any(hasattr(v, "active") for v in vars(audit).values())


# --- the escape corpus, run with the verifier off ---------------------------------------------

CORPUS = Path(__file__).resolve().parent / "corpus"
ISSUE_ESCAPES = sorted(
    (Path(__file__).resolve().parent.parent / "fuzz" / "corpus" / "escapes").glob(
        "codeact_issue10_*.py"
    )
)


@pytest.mark.parametrize("path", ISSUE_ESCAPES, ids=[p.stem for p in ISSUE_ESCAPES])
def test_issue_escape_is_contained_unverified(sb, path: Path) -> None:
    from codeact_verify.tools import load_tools_file, tool_specs

    specs = tool_specs(load_tools_file(CORPUS / "tools.py"))
    r = sb.run_sync(path.read_text(encoding="utf-8"), specs, policy=DEFAULT)
    assert not r.ok, r.stdout
    assert r.error is not None and r.error.kind in ("runtime", "rejected"), r.error
    assert r.tool_calls == [], "nothing may reach a tool"
    assert "ran" not in r.stdout and "object" not in r.stdout and "module" not in r.stdout


# --- red17/79: a class pattern's captured attributes get the attribute read's value check --------

# A class attribute that holds a module: `b.m` is refused by guarded_getattr; a class pattern
# reads `m` itself, with a plain getattr, so its capture is checked by `_match_checked_`.
DEFAULT_CLASSES = {**DEFAULT, "classes": True}
_BOX = "import json\nclass Box:\n    m = json\n    items = [json]\n    n = 3\nb = Box()\n"
PATTERN_ATTACKS = [
    ("keyword-capture", "match b:\n    case Box(m=x):\n        print('bound', x)\n"),
    ("keyword-as", "match b:\n    case Box(m=y as x):\n        print('bound', x)\n"),
    ("nested-in-sequence", "match b:\n    case Box(items=[x]):\n        print('bound', x)\n"),
    ("nested-class", "match [b]:\n    case [Box(n=int(), m=x)]:\n        print('bound', x)\n"),
    ("or-pattern", "match b:\n    case Box(n=str() as x) | Box(m=x):\n        print('bound', x)\n"),
    ("with-own-guard",
     "match b:\n    case Box(m=x) if x is not None:\n        print('bound', x)\n"),
]


@pytest.mark.parametrize("body", [a[1] for a in PATTERN_ATTACKS],
                         ids=[a[0] for a in PATTERN_ATTACKS])
def test_a_class_pattern_never_binds_a_value_the_attribute_guard_refuses(sb, body: str) -> None:
    usable = run(sb, _BOX + "print(b.n)\n", policy=DEFAULT_CLASSES)
    assert usable.stdout == "3\n"  # the class itself is usable
    attribute = run(sb, _BOX + "print(b.m)\n", policy=DEFAULT_CLASSES)
    assert attribute.error is not None and "a module" in attribute.error.message
    r = run(sb, _BOX + body, policy=DEFAULT_CLASSES)
    assert r.error is not None, r.stdout
    assert r.error.kind == "runtime", r.error
    assert "a value read by a class pattern is not allowed" in r.error.message, r.error.message
    assert "bound" not in r.stdout


# Python binds a pattern's names before its guard runs: the check must come first, or a caught
# refusal leaves the value in the program's name (red-team review of the first version).
PATTERN_LEAKS = [
    ("caught-around-the-match",
     "try:\n    match b:\n        case Box(m=x):\n            pass\n"
     "except AttributeError as e:\n    print('caught')\nprint('leaked', x)\n"),
    ("global-from-a-function",
     "def f():\n    global x\n    match b:\n        case Box(m=x):\n            pass\n"
     "try:\n    f()\nexcept AttributeError:\n    print('caught')\nprint('leaked', x)\n"),
    ("or-pattern-caught",
     "try:\n    match b:\n        case Box(n=str() as x) | Box(m=x) if x:\n            pass\n"
     "except AttributeError:\n    print('caught')\nprint('leaked', x)\n"),
]


TRANSFORMS = pytest.mark.parametrize(
    "host_restrict", [True, False], ids=["host-transform", "guest-transform"]
)


def _run_transformed(sb, program: str, host_restrict: bool):
    """`program` with classes on, transformed on the host (the default) or in the guest."""
    sb.host_restrict = host_restrict
    try:
        return run(sb, program, policy=DEFAULT_CLASSES)
    finally:
        sb.host_restrict = True


@TRANSFORMS
@pytest.mark.parametrize("body", [a[1] for a in PATTERN_LEAKS], ids=[a[0] for a in PATTERN_LEAKS])
def test_a_refused_class_pattern_value_is_never_left_in_a_name(
    sb, body: str, host_restrict: bool
) -> None:
    r = _run_transformed(sb, _BOX + body, host_restrict)
    assert r.stdout == "caught\n", (r.stdout, r.error)
    assert r.error is not None and "NameError" in r.error.message, r.error


# The guard added for the check makes no case irrefutable, and the temporaries rename the
# captures: CPython's own compile-time refusals of the statement as written still apply, with
# its messages (second red-team review).
PATTERN_SYNTAX = [
    ("capture-makes-later-alternatives-unreachable",
     "match b:\n    case Box(m=x) | x:\n        pass\n    case _:\n        pass\n",
     "name capture 'x' makes remaining patterns unreachable"),
    ("capture-makes-later-cases-unreachable",
     "match b:\n    case Box(m=x):\n        pass\n    case x:\n        pass\n"
     "    case _:\n        pass\n",
     "name capture 'x' makes remaining patterns unreachable"),
    ("a-name-bound-twice", "match b:\n    case Box(m=x, n=x):\n        pass\n",
     "multiple assignments to name 'x' in pattern"),
]


@TRANSFORMS
@pytest.mark.parametrize(("body", "message"), [a[1:] for a in PATTERN_SYNTAX],
                         ids=[a[0] for a in PATTERN_SYNTAX])
def test_a_match_cpython_refuses_is_refused_with_its_message(
    sb, body: str, message: str, host_restrict: bool
) -> None:
    with pytest.raises(SyntaxError, match=message):
        compile(_BOX + body, "<native>", "exec")
    r = _run_transformed(sb, _BOX + body, host_restrict)
    assert r.error is not None and r.error.kind == "syntax", r.error
    assert message in r.error.message
    assert "_tmp" not in r.error.message


def test_a_passing_check_binds_the_names_even_when_the_guard_is_false(sb) -> None:
    """As in CPython: a matched pattern's names stay bound when its guard fails."""
    program = (
        "import datetime\nmatch datetime.date(1999, 5, 17):\n"
        "    case datetime.date(year=y) if y > 2000:\n        print('new')\n"
        "    case _:\n        print('other', y)\n"
    )
    r = run(sb, program, policy=DEFAULT)
    assert r.error is None, r.error
    assert r.stdout == "other 1999\n"


PATTERN_PROGRAMS = [
    # (id, program, its output, natively the same)
    ("keyword-values",
     "import datetime\nmatch datetime.date(2024, 5, 17):\n"
     "    case datetime.date(year=y, month=m) if y > 2000:\n        print(y, m)\n",
     "2024 5\n"),
    ("false-guard-falls-through",
     "import datetime\nmatch datetime.date(1999, 5, 17):\n"
     "    case datetime.date(year=y) if y > 2000:\n        print('new', y)\n"
     "    case datetime.date(year=y):\n        print('old', y)\n",
     "old 1999\n"),
    ("positional-self-match",
     "match [1, 'a', (2, 3)]:\n    case [int(a), str(s), (b, *rest)]:\n"
     "        print(a, s, b, rest)\n",
     "1 a 2 [3]\n"),
    ("rest-of-a-mapping",
     "import datetime\nmatch {'d': datetime.date(2024, 1, 2), 'k': 1}:\n"
     "    case {'d': datetime.date(day=d), **others}:\n        print(d, others)\n",
     "2 {'k': 1}\n"),
    ("no-class-pattern-no-check",
     "match (1, 2):\n    case (a, b) if a < b:\n        print(a + b)\n", "3\n"),
]


@pytest.mark.parametrize(("program", "out"), [p[1:] for p in PATTERN_PROGRAMS],
                         ids=[p[0] for p in PATTERN_PROGRAMS])
def test_class_patterns_with_plain_values_run_as_in_cpython(sb, program: str, out: str) -> None:
    r = run(sb, program, policy=DEFAULT)
    assert r.error is None, r.error
    assert r.stdout == out
    native: dict[str, Any] = {}
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(program, "<native>", "exec"), native)  # our own test program
    assert buffer.getvalue() == out


def test_the_value_check_is_added_only_where_a_class_pattern_binds() -> None:
    import sys

    sys.path.insert(0, str(SANDBOX))
    try:
        from runtime.restrict import class_pattern_captures  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(SANDBOX))

    def names(source: str) -> list[str]:
        match = ast.parse(source).body[0]
        assert isinstance(match, ast.Match)
        return class_pattern_captures(match.cases[0].pattern)

    assert names("match v:\n case C(a=x, b=[y, *z], c={**r}) as whole: pass\n") == [
        "x", "y", "z", "r",
    ]
    assert names("match v:\n case [x, {'k': y}]: pass\n") == []  # no class pattern: no check
    assert names("match v:\n case D(C(x)) | D(C(x)): pass\n") == ["x"]
    assert names("match v:\n case C(): pass\n") == []


# A positional sub-pattern reads the attribute its class names in `__match_args__`, a name the
# transform never sees: `_match_class_` checks those names as guarded_getattr checks a name
# (second red-team review: unchecked before; no stdlib class of the allowed modules names a
# refused attribute there, so the attacks below make one with namedtuple).
MATCH_ARGS_REFUSED = [
    ("inspect-attribute",
     "import collections\nP = collections.namedtuple('P', 'gi_frame')\nmatch P(1):\n"
     "    case P(f):\n        print('read', f)\n", "'gi_frame'"),
    ("guard-wrapped-attribute",
     "import collections\nP = collections.namedtuple('P', 'x format')\nmatch P(1, 2):\n"
     "    case P(x, f):\n        print('read', f)\n", "'format'"),
]


@pytest.mark.parametrize(("program", "needle"), [a[1:] for a in MATCH_ARGS_REFUSED],
                         ids=[a[0] for a in MATCH_ARGS_REFUSED])
def test_a_positional_pattern_never_reads_a_refused_attribute_name(
    sb, program: str, needle: str
) -> None:
    r = run(sb, program, policy=DEFAULT)
    assert r.error is not None and r.error.kind == "runtime", (r.stdout, r.error)
    assert "__match_args__" in r.error.message and needle in r.error.message
    assert "read" not in r.stdout


MATCH_ARGS_PROGRAMS = [
    ("namedtuple", "import collections\nP = collections.namedtuple('P', 'x y')\n"
     "match P(1, 2):\n    case P(a, b):\n        print(a, b)\n", DEFAULT, "1 2\n"),
    ("stdlib-class", "import difflib\nm = difflib.SequenceMatcher(None, 'abc', 'abd')"
     ".find_longest_match(0, 3, 0, 3)\nmatch m:\n    case difflib.Match(a, b, size):\n"
     "        print(a, b, size)\n", DEFAULT, "0 0 2\n"),
    ("keyword-only-on-a-refused-name-class", "import collections\n"
     "P = collections.namedtuple('P', 'x format')\nmatch P(1, 2):\n    case P(x=v):\n"
     "        print(v)\n", DEFAULT, "1\n"),
    ("subclass", "import collections\nP = collections.namedtuple('P', 'x y')\n"
     "class Q(P):\n    pass\nmatch Q(1, 2):\n    case Q(a, b):\n        print(a + b)\n",
     DEFAULT_CLASSES, "3\n"),
]


@pytest.mark.parametrize(("program", "policy", "out"), [a[1:] for a in MATCH_ARGS_PROGRAMS],
                         ids=[a[0] for a in MATCH_ARGS_PROGRAMS])
def test_positional_patterns_on_plain_classes_run_as_in_cpython(
    sb, program: str, policy: dict[str, Any], out: str
) -> None:
    r = run(sb, program, policy=policy)
    assert r.error is None, r.error
    assert r.stdout == out


# A dotted value pattern (or mapping key) inside a class pattern is compared (==) with what the
# class pattern read past guarded_getattr: with the program's own `__eq__` that handed the
# unchecked value to program code (third red-team review). Such a value is refused; built-in
# and standard-library equality is kept.
_SPY = (
    "got = []\nclass Spy:\n    def __eq__(self, other):\n        got.append(other)\n"
    "        return True\nclass H:\n    spy = Spy()\n"
)
COMPARED_ATTACKS = [
    ("keyword-value", "match b:\n    case Box(m=H.spy):\n        print('matched', got)\n"),
    ("in-a-sequence", "match b:\n    case Box(items=[H.spy]):\n        print('matched', got)\n"),
    ("positional", "import collections\nP = collections.namedtuple('P', 'x')\n"
     "match P(json):\n    case P(H.spy):\n        print('matched', got)\n"),
    ("mapping-key", "match b:\n    case Box(table={H.spy: v}):\n        print('matched', got)\n"),
]


@pytest.mark.parametrize("body", [a[1] for a in COMPARED_ATTACKS],
                         ids=[a[0] for a in COMPARED_ATTACKS])
def test_a_class_pattern_never_compares_a_read_value_with_program_equality(
    sb, body: str
) -> None:
    box = _BOX.replace("    n = 3\n", "    n = 3\n    table = {json: 1}\n")
    r = run(sb, box + _SPY + body, policy=DEFAULT_CLASSES)
    assert r.error is not None and r.error.kind == "runtime", (r.stdout, r.error)
    assert "the program's own __eq__" in r.error.message, r.error.message
    assert "matched" not in r.stdout


def test_value_patterns_with_library_equality_still_match_inside_class_patterns(sb) -> None:
    program = (
        "import datetime, collections, decimal\nP = collections.namedtuple('P', 'd n')\n"
        "match P(datetime.date.min, decimal.Decimal('1.5')):\n"
        "    case P(d=datetime.date.min, n=x):\n        print('min', x)\n"
        "class C:\n    def __eq__(self, other):\n        return True\nclass K:\n    c = C()\n"
        "match 3:\n    case K.c:\n        print('top-level value patterns keep program equality')\n"
    )
    r = run(sb, program, policy=DEFAULT_CLASSES)
    assert r.error is None, r.error
    assert r.stdout == "min 1.5\ntop-level value patterns keep program equality\n"

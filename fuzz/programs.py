"""Hypothesis strategies for programs inside, and just outside, a grammar profile.

``inside_programs(view)`` writes small, deterministic, type-correct CodeAct programs using only
the constructs, builtins and module names the profile allows (loops, functions, lambdas,
comprehensions, f-strings, try/except, match, tool calls through typed stubs, ``call_tool`` and
``call_tools``). Their output depends only on their text, so the sandbox and plain CPython must
print the same thing. ``outside_programs(view)`` takes such a program and adds exactly one thing
the profile does not allow (a construct, a builtin, an import, a module attribute, a dunder, an
attribute-walking format string): the verifier must reject every one.
"""

from __future__ import annotations

import importlib
import string as _string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hypothesis import strategies as st

from codeact_verify.grammar import guest_stdlib_names

from .grammar_view import GrammarView

T = TypeVar("T")
SAFE_TEXT = st.text(alphabet=_string.ascii_letters + _string.digits + " -", max_size=12)
SMALL_INT_LISTS = st.lists(st.integers(-9, 30), max_size=5)
BOOLEANS = st.booleans()
_INTS: dict[tuple[int, int], st.SearchStrategy[int]] = {}
_SAMPLED: dict[tuple[object, ...], st.SearchStrategy[object]] = {}


def ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    """``st.integers(lo, hi)``, built once per range: a generator draws dozens of choices per
    program, and building (and validating) a strategy per choice cost more than the choice."""
    got = _INTS.get((lo, hi))
    if got is None:
        got = _INTS[(lo, hi)] = st.integers(lo, hi)
    return got


def sampled(seq: tuple[T, ...]) -> st.SearchStrategy[T]:
    """``st.sampled_from(seq)``, built once per distinct tuple (the same choices as building it
    afresh, so a seed generates the same programs; building one per choice cost more than the
    choice)."""
    got = _SAMPLED.get(seq)
    if got is None:
        if len(_SAMPLED) >= 20_000:  # the variable-name lists of long programs vary a lot
            _SAMPLED.clear()
        got = _SAMPLED[seq] = st.sampled_from(seq)
    return got  # type: ignore[return-value]
CITIES = ("Paris", "London", "Tokyo", "Cairo", "Atlantis")
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "XXX")


class VocabularyMismatch(RuntimeError):
    """The grammar names its constructs in a vocabulary this generator does not know."""


# module -> [(names used, template with {i} int / {s} str / {l} list[int], result type)]
MODULE_SNIPPETS: dict[str, list[tuple[tuple[str, ...], str, str]]] = {
    "math": [(("floor",), "math.floor({i} / 3)", "int"), (("gcd",), "math.gcd({i}, {i})", "int")],
    "json": [(("dumps",), "json.dumps({l})", "str")],
    "statistics": [(("median",), "statistics.median({l} + [1])", "float")],
    "collections": [(("Counter",), "collections.Counter({l}).most_common(2)", "any")],
    "itertools": [(("accumulate",), "list(itertools.accumulate({l}))", "list")],
    "functools": [(("reduce",), "functools.reduce(lambda a, b: a + b, {l}, 0)", "int")],
    "operator": [(("add",), "operator.add({i}, {i})", "int")],
    "heapq": [(("nlargest",), "heapq.nlargest(2, {l})", "list")],
    "bisect": [(("bisect_left",), "bisect.bisect_left(sorted({l}), {i})", "int")],
    "string": [(("capwords",), "string.capwords({s})", "str")],
    "textwrap": [(("shorten",), 'textwrap.shorten({s} + " some more words", width=12)', "str")],
    "re": [(("sub",), 're.sub("[aeiou]", "", {s})', "str")],
    "decimal": [(("Decimal",), "str(decimal.Decimal({i}) / 4)", "str")],
    "fractions": [(("Fraction",), "str(fractions.Fraction({i}, 7))", "str")],
    "datetime": [
        (
            ("date", "timedelta"),
            "str(datetime.date(2024, 1, 1) + datetime.timedelta(days={i}))",
            "str",
        )
    ],
    "calendar": [(("isleap",), "calendar.isleap(2000 + abs({i}))", "any")],
    "hashlib": [(("sha256",), "hashlib.sha256({s}.encode()).hexdigest()[:8]", "str")],
    "base64": [(("b64encode",), "base64.b64encode({s}.encode()).decode()", "str")],
    "difflib": [
        (("SequenceMatcher",), "round(difflib.SequenceMatcher(None, {s}, {s}).ratio(), 3)", "float")
    ],
    "cmath": [(("sqrt",), "abs(cmath.sqrt(-4))", "float")],
    "unicodedata": [(("normalize",), 'unicodedata.normalize("NFKC", {s})', "str")],
}

# construct alias names -> a statement that uses it (and nothing else unusual)
OUTSIDE_CONSTRUCTS: list[tuple[tuple[str, ...], str]] = [
    (("ClassDef", "Class"), "class Box:\n    size = 1\n"),
    (("Global",), "def set_total():\n    global total_g\n    total_g = 1\n"),
    (
        ("Nonlocal",),
        "def outer():\n    q = 1\n    def inner():\n        nonlocal q\n        q = 2\n"
        "    inner()\n    return q\n",
    ),
    (("Yield", "YieldFrom"), "def gen():\n    yield 1\n"),
    (("async", "AsyncFunctionDef", "Await"), "async def fetch():\n    return 1\n"),
    (("With",), "with open_thing() as fh:\n    pass\n"),
    (("delete", "Del"), "tmp_del = 1\ndel tmp_del\n"),
    (("NamedExpr", "Walrus"), "print((walrus := 3))\n"),
    (("Decorator",), "def deco(f):\n    return f\n@deco\ndef decorated():\n    return 1\n"),
    (("Lambda",), "twice = lambda v: v * 2\n"),
    (("try_star", "TryStar"), "try:\n    pass\nexcept* ValueError:\n    pass\n"),
    (("Assert",), "assert 1 == 1\n"),
    (("Match",), "match 1:\n    case 1:\n        pass\n"),
    (("Try",), "try:\n    pass\nexcept ValueError:\n    pass\n"),
    (("While",), "while False:\n    pass\n"),
    (("Import",), "import math\n"),
]


@dataclass
class _Gen:
    draw: Callable
    view: GrammarView
    tools: tuple[str, ...]
    lines: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    ints: list[str] = field(default_factory=list)
    strs: list[str] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)
    funcs: list[str] = field(default_factory=list)
    counter: int = 0
    in_fstring: int = 0

    # -- helpers ---------------------------------------------------------------------------
    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def b(self, *names: str) -> bool:
        return all(n in self.view.builtins for n in names)

    def c(self, *kinds: str) -> bool:
        return self.view.allows(*kinds)

    def pick(self, options: list[Callable[[], str]]) -> str:
        return options[self.draw(ints(0, len(options) - 1))]()

    def choose(self, seq: Sequence[T]) -> T:
        """``draw(st.sampled_from(seq))``, with the strategy built once per distinct sequence."""
        return self.draw(sampled(tuple(seq)))

    # -- expressions -----------------------------------------------------------------------
    def int_expr(self, depth: int = 0) -> str:
        opts: list[Callable[[], str]] = [lambda: str(self.draw(ints(-20, 50)))]
        if self.ints:
            opts.append(lambda: self.choose(self.ints))
        if depth < 2:
            opts.append(lambda: f"({self.int_expr(depth + 1)} + {self.int_expr(depth + 1)})")
            opts.append(lambda: f"({self.int_expr(depth + 1)} * {self.draw(ints(-3, 3))})")
            opts.append(lambda: f"({self.int_expr(depth + 1)} // {self.draw(ints(1, 5))})")
            if self.lists and self.b("len"):
                opts.append(lambda: f"len({self.list_expr(depth + 1)})")
            if self.lists and self.b("sum"):
                opts.append(lambda: f"sum({self.list_expr(depth + 1)})")
            if self.b("max"):
                opts.append(lambda: f"max({self.int_expr(depth + 1)}, {self.int_expr(depth + 1)})")
            if self.b("abs"):
                opts.append(lambda: f"abs({self.int_expr(depth + 1)})")
            if self.funcs:
                opts.append(
                    lambda: f"{self.choose(self.funcs)}({self.int_expr(depth + 1)})"
                )
            if self.c("IfExp", "Ternary", "ConditionalExpression"):
                opts.append(
                    lambda: (
                        f"({self.int_expr(depth + 1)} if {self.cond(depth + 1)} "
                        f"else {self.int_expr(depth + 1)})"
                    )
                )
        return self.pick(opts)

    def str_expr(self, depth: int = 0) -> str:
        opts: list[Callable[[], str]] = [lambda: repr(self.draw(SAFE_TEXT))]
        if self.strs:
            opts.append(lambda: self.choose(self.strs))
        if depth < 2:
            opts.append(lambda: f"({self.str_expr(depth + 1)} + {self.str_expr(depth + 1)})")
            opts.append(lambda: f"{self.str_expr(depth + 1)}.upper()")
            if self.b("str"):
                opts.append(lambda: f"str({self.int_expr(depth + 1)})")
            if self.c("FormattedString", "JoinedStr", "FString") and not self.in_fstring:
                opts.append(self.fstring)
            if self.lists and self.b("str") and self.c("comprehension", "GeneratorExp"):
                opts.append(lambda: f"','.join(str(x) for x in {self.list_expr(depth + 1)})")
        return self.pick(opts)

    def fstring(self) -> str:
        # no nested f-strings and no double quotes inside (Python < 3.12 cannot parse them)
        self.in_fstring += 1
        try:
            return f'f"<{{{self.int_expr(2)}}}|{{{self.str_expr(2)}!r}}|{{{self.int_expr(2)}:>4}}>"'
        finally:
            self.in_fstring -= 1

    def list_expr(self, depth: int = 0) -> str:
        opts: list[Callable[[], str]] = [
            lambda: (
                "["
                + ", ".join(str(x) for x in self.draw(SMALL_INT_LISTS))
                + "]"
            )
        ]
        if self.lists:
            opts.append(lambda: self.choose(self.lists))
        if depth < 2:
            if self.c("comprehension", "ListComp"):
                opts.append(
                    lambda: (
                        f"[x * {self.draw(ints(-2, 3))} for x in "
                        f"{self.list_expr(depth + 1)} if x > {self.draw(ints(-5, 10))}]"
                    )
                )
            if self.b("sorted"):
                opts.append(lambda: f"sorted({self.list_expr(depth + 1)})")
                if self.c("Lambda"):
                    opts.append(
                        lambda: f"sorted({self.list_expr(depth + 1)}, key=lambda x: (x % 3, -x))"
                    )
            if self.b("list", "range"):
                opts.append(lambda: f"list(range({self.draw(ints(0, 6))}))")
            if "list_scores" in self.tools:
                opts.append(lambda: f"list_scores(n={self.draw(ints(0, 6))})")
            opts.append(lambda: f"({self.list_expr(depth + 1)} + {self.list_expr(depth + 1)})")
        return self.pick(opts)

    def cond(self, depth: int = 0) -> str:
        op = self.choose(["<", "<=", "==", "!=", ">"])
        return f"{self.int_expr(depth + 1)} {op} {self.int_expr(depth + 1)}"

    def any_expr(self) -> str:
        opts: list[Callable[[], str]] = [self.int_expr, self.str_expr, self.list_expr]
        if self.c("comprehension", "DictComp") and self.b("str"):
            opts.append(lambda: f"{{str(x): x * 2 for x in {self.list_expr(1)}}}")
        if self.c("comprehension", "SetComp") and self.b("sorted"):
            opts.append(lambda: f"sorted({{x % 4 for x in {self.list_expr(1)}}})")
        opts.append(self.module_expr)
        opts.append(self.tool_expr)
        return self.pick(opts)

    def module_expr(self) -> str:
        usable = _usable_snippets(self.view)
        if not usable or not self.c("Import"):
            return self.int_expr()
        mod, tpl = self.choose(usable)
        if "lambda" in tpl and not self.c("Lambda"):
            return self.int_expr()
        self.imports.add(mod)
        return tpl.format(i=self.int_expr(1), s=self.str_expr(1), l=self.list_expr(1))

    def tool_expr(self) -> str:
        opts: list[Callable[[], str]] = []
        if "get_exchange_rate" in self.tools:
            opts.append(
                lambda: (
                    f"get_exchange_rate(base={self.choose(CURRENCIES[:4])!r}, "
                    'quote="USD")'
                )
            )
            opts.append(lambda: 'call_tool("get_exchange_rate", base="EUR", quote="GBP")')
        if "echo" in self.tools:
            opts.append(lambda: f"echo(text={self.str_expr(1)})")
        if "list_scores" in self.tools and self.c("comprehension", "ListComp") and self.b("range"):
            opts.append(
                lambda: (
                    'call_tools([("list_scores", {"n": k}) for k in '
                    f"range({self.draw(ints(0, 3))})])"
                )
            )
        return self.pick(opts) if opts else self.int_expr()

    # -- statements ------------------------------------------------------------------------
    def block(self, indent: int, depth: int, n: int) -> list[str]:
        out: list[str] = []
        for _ in range(n):
            out += self.statement(indent, depth)
        return out or [" " * indent + "pass"]

    def statement(self, indent: int, depth: int) -> list[str]:
        pad = " " * indent
        kinds = ["assign_int", "assign_str", "assign_list", "print", "print"]
        if self.ints and self.c("augmented_assign", "AugAssign"):
            kinds.append("augassign")
        if depth < 3:
            kinds += ["if"]
            if self.c("For"):
                kinds.append("for")
            if self.c("While") and self.b("range"):
                kinds.append("while")
            if self.c("Try"):
                kinds += ["try", "tool_try"]
            if self.c("Match"):
                kinds.append("match")
            if indent == 0 and self.c("FunctionDef", "Function", "Def"):
                kinds.append("def")
            if indent == 0 and "lookup_user" in self.tools:
                kinds.append("user")
        kind = self.choose(kinds)
        if kind == "assign_int":
            # new names only at top level, so later uses are always bound
            name = self.fresh("n") if indent == 0 else None
            expr = self.int_expr()
            if name is None:
                if not self.ints:
                    return [f"{pad}print({expr})"]
                name = self.choose(self.ints)
                return [f"{pad}{name} = {expr}"]
            self.ints.append(name)
            return [f"{pad}{name} = {expr}"]
        if kind == "assign_str":
            expr = self.str_expr()
            if indent:
                return [f"{pad}print({expr})"]
            name = self.fresh("s")
            self.strs.append(name)
            return [f"{pad}{name} = {expr}"]
        if kind == "assign_list":
            expr = self.list_expr()
            if indent:
                return [f"{pad}print({expr})"]
            name = self.fresh("xs")
            self.lists.append(name)
            return [f"{pad}{name} = {expr}"]
        if kind == "augassign":
            name = self.choose(self.ints)
            op = self.choose(["+=", "-=", "*="])
            return [f"{pad}{name} {op} {self.draw(ints(-3, 4))}"]
        if kind == "print":
            return [f"{pad}print({self.any_expr()})"]
        if kind == "if":
            lines = [
                f"{pad}if {self.cond()}:",
                *self.block(indent + 4, depth + 1, self.draw(ints(1, 2))),
            ]
            if self.draw(BOOLEANS):
                lines += [f"{pad}else:", *self.block(indent + 4, depth + 1, 1)]
            return lines
        if kind == "for":
            src = self.list_expr()
            self.ints.append("x")
            body = self.block(indent + 4, depth + 1, self.draw(ints(1, 2)))
            self.ints.remove("x")
            return [f"{pad}for x in {src}:", *body]
        if kind == "while":
            k = self.fresh("k")
            limit = self.draw(ints(0, 4))
            body = self.block(indent + 4, depth + 1, 1)
            return [f"{pad}{k} = 0", f"{pad}while {k} < {limit}:", *body, f"{pad}    {k} += 1"]
        if kind == "try":
            risky = self.choose(
                [
                    f"print({self.list_expr()}[{self.draw(ints(-3, 5))}])",
                    f"print({self.int_expr()} // {self.int_expr()})",
                ]
            )
            return [
                f"{pad}try:",
                f"{pad}    {risky}",
                f"{pad}except (IndexError, ZeroDivisionError):",
                f"{pad}    print('handled')",
            ]
        if kind == "tool_try":
            if "get_weather" not in self.tools:
                return [f"{pad}print({self.int_expr()})"]
            city = self.choose(CITIES)
            units = self.choose(['"c"', '"f"'])
            how = self.draw(BOOLEANS)
            call = (
                f'get_weather(city="{city}", units={units})'
                if how
                else f'call_tool("get_weather", city="{city}", units={units})'
            )
            return [
                f"{pad}try:",
                f'{pad}    print({call}["temperature"])',
                f"{pad}except ToolError:",
                f"{pad}    print('tool error')",
            ]
        if kind == "match":
            subject = self.int_expr()
            return [
                f"{pad}match {subject}:",
                f"{pad}    case 0:",
                f"{pad}        print('zero')",
                f"{pad}    case 1 | 2:",
                f"{pad}        print('small')",
                f"{pad}    case _:",
                *self.block(indent + 8, depth + 1, 1),
            ]
        if kind == "def":
            name = self.fresh("f")
            saved = self.ints
            self.ints = ["p"]
            body = self.block(4, depth + 1, self.draw(ints(0, 2)))
            ret = self.int_expr()
            self.ints = saved
            self.funcs.append(name)
            if body == ["    pass"]:
                body = []
            return [f"def {name}(p: int) -> int:", *body, f"    return {ret}"]
        if kind == "user":
            u = self.fresh("u")
            return [
                f"{u} = lookup_user(user_id={self.draw(ints(0, 22))})",
                f"if {u} is not None:",
                f'    print({u}["name"], {u}["vip"])',
                "else:",
                "    print('no user')",
            ]
        raise AssertionError(kind)

    def program(self, min_statements: int, max_statements: int) -> str:
        n = self.draw(ints(min_statements, max_statements))
        body: list[str] = []
        for _ in range(n):
            body += self.statement(0, 0)
        head = [f"import {m}" for m in sorted(self.imports)]
        return "\n".join(["# generated", *head, *body]) + "\n"


_USABLE: dict[int, tuple[GrammarView, list[tuple[str, str]]]] = {}


def _usable_snippets(view: GrammarView) -> list[tuple[str, str]]:
    """The MODULE_SNIPPETS whose module, names and builtins ``view`` allows (once per view)."""
    known = _USABLE.get(id(view))
    if known is not None and known[0] is view:
        return known[1]
    usable = []
    for mod, snippets in MODULE_SNIPPETS.items():
        if mod not in view.modules:
            continue
        try:
            allowed = set(view.module_names(mod))
        except ImportError:
            continue
        usable += [(mod, tpl) for names, tpl, _ in snippets if set(names) <= allowed]
    needs = {"abs", "round", "list", "sorted", "str"}
    usable = [
        (m, t) for m, t in usable if all(n in view.builtins for n in needs if f"{n}(" in t)
    ]
    _USABLE[id(view)] = (view, usable)
    return usable


def _check_vocabulary(view: GrammarView) -> None:
    if not view.allows("If") or not view.allows("Assign"):
        raise VocabularyMismatch(
            f"grammar {view.name!r} constructs {sorted(view.constructs)[:8]}... "
            "do not name If/Assign"
        )


def inside_programs(
    view: GrammarView, tools: tuple[str, ...], min_statements: int = 1, max_statements: int = 8
) -> st.SearchStrategy[str]:
    """Programs built only from what ``view`` allows, calling only ``tools``."""
    _check_vocabulary(view)

    @st.composite
    def build(draw: Callable) -> str:
        return _Gen(draw, view, tools).program(min_statements, max_statements)

    return build()


@dataclass(frozen=True)
class OutsideProgram:
    code: str
    what: str  # the one thing the profile does not allow


def _outside_items(view: GrammarView) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for aliases, snippet in OUTSIDE_CONSTRUCTS:
        if not view.allows(*aliases):
            items.append((f"construct {aliases[0]}", snippet))
    for name in view.forbidden_builtins():
        items.append((f"builtin {name}", f"ref_b = {name}\n"))
    for mod in view.forbidden_modules():
        items.append((f"import {mod}", f"import {mod}\n"))
    guest = guest_stdlib_names()
    for mod, (_allow, deny) in view.modules.items():
        allowed = set(view.module_names(mod))
        names = set(guest[mod][0]) | set(guest[mod][1]) if mod in guest else set()
        try:  # names only the host's Python has are outside too
            names |= {n for n in dir(importlib.import_module(mod)) if not n.startswith("__")}
        except ImportError:
            pass
        extra = sorted(names - allowed)
        refused = sorted(set(guest[mod][1]) - allowed) if mod in guest else []
        for attr in [*sorted(deny), *refused, *extra[:40]]:
            items.append((f"{mod}.{attr}", f"import {mod}\nprint({mod}.{attr})\n"))
    items += [
        ("dunder attribute", "print((1).__class__)\n"),
        ("dunder name", "print(__builtins__)\n"),
        ("getattr dunder", 'print(getattr(1, "__class__"))\n'),
        ("format walk", 'print("{0.__class__}".format(1))\n'),
        ("frame attribute", "print((v for v in [1]).gi_frame)\n"),
        ("computed tool name", 'call_tool("get_" + "weather", city="Paris")\n'),
        # issue 10: classes without a class statement, forwarding wrappers, replaced methods
        ("type result kept", "t_b = type(1)\n"),
        ("metaclass via type", "m_b = type(type(1))\n"),
        ("type of an alias", "a_b = type(list[int])\n"),
        (
            "data method replaced",
            "import collections\nq_b = collections.Counter()\nq_b.items = list\n",
        ),
        ("get replaced", "import collections\nd_b = collections.OrderedDict()\nd_b.get = print\n"),
    ]
    return items


def outside_programs(
    view: GrammarView, tools: tuple[str, ...]
) -> st.SearchStrategy[OutsideProgram]:
    """An inside program plus exactly one thing the profile does not allow."""
    items = _outside_items(view)
    bases = inside_programs(view, tools, 0, 4)
    pick_item = st.sampled_from(items)

    @st.composite
    def build(draw: Callable) -> OutsideProgram:
        base = draw(bases)
        what, snippet = draw(pick_item)
        lines = base.splitlines(keepends=True)
        # insert at a top-level boundary (a line that starts in column 0 and is not an import)
        continuation = ("else", "elif", "except", "finally", "case")
        cuts = [
            i
            for i, line in enumerate(lines)
            if i > 0 and line[:1] not in (" ", "") and not line.startswith(continuation)
        ] + [len(lines)]
        at = draw(sampled(tuple(cuts)))
        return OutsideProgram("".join(lines[:at]) + snippet + "".join(lines[at:]), what)

    return build()

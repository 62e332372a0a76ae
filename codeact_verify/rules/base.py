"""The rule framework: a `Rule` base with a code, message, hint and examples, and a registry.

Two kinds of rule, in the Fixit style:
- `SourceRule`: checks the program text and its size (encoding, NUL bytes, size, syntax). The
  verifier calls these stages itself, because they decide whether the rules run at all.
- `NodeRule`: visits Python's own `ast` tree (the tree of the parser that compiles the program,
  so there is no parser differential between what is verified and what runs). A rule defines
  ``visit_<AstClass>(node)`` methods, and ``visit_identifier(occ)`` for identifiers that `ast`
  keeps as plain strings (a def's name, a parameter, an import alias...; see `Identifier`). All
  node rules share one pre-order walk (`walk.dispatch`). A rule calls ``self.report(node, ...)``,
  optionally with a `Part` naming an identifier inside the node; positions are resolved only when
  something was reported (the common, accepted path never pays for positions).

Every rule documents itself: `VALID` programs it lets through and `INVALID` programs it stops
(each may start with a `# Source: ...` comment citing where the attack was published). The tests
and docs/rules.md are generated from these.
"""

from __future__ import annotations

import ast
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

from ..grammar import Grammar
from ..syntax import BINDERS
from .positions import ATTR, Part

KEYWORD_NAMES = frozenset({"True", "False", "None"})
ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "hasattr", "setattr", "delattr"})


def ident(name: str) -> str:
    """An identifier as Python sees it: NFKC-normalised (fullwidth ｅｘｅｃ is exec)."""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def string_literal(node: ast.AST) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class Identifier(NamedTuple):
    """An identifier that `ast` keeps as a string, not a `Name` node, with its role.

    ``binding``: the program binds the name here (def, parameter, import, except/match capture,
    global). ``reference``: the name counts as a use of the variable (defs, parameters and
    captures do; import aliases, keyword names and dotted module parts do not).
    """

    name: str
    node: ast.AST
    part: Part | None
    binding: bool
    reference: bool


@dataclass
class Facts:
    """Whole-program facts from the `ast` tree (identifiers there are already NFKC-normalised)."""

    bound: Counter[str] = field(default_factory=Counter)  # name -> number of binding sites
    literal_str: dict[str, str] = field(default_factory=dict)  # bound once, to a str literal
    module_aliases: dict[str, str] = field(default_factory=dict)  # local name -> module

    @classmethod
    def from_ast(cls, tree: ast.AST | Iterable[ast.AST]) -> Facts:
        """Facts from a tree, or from all of its nodes when the caller already walked it."""
        facts = cls()
        bound: dict[str, int] = {}  # counted in a plain dict (Counter's `+=` calls __missing__)
        count = bound.get
        literal_candidates: dict[str, str] = {}
        nodes = ast.walk(tree) if isinstance(tree, ast.AST) else tree
        binders, kinds = BINDERS, _FACT_KINDS
        name_cls, constant = ast.Name, ast.Constant
        for node in nodes:
            binder = binders.get(type(node))
            if binder is not None:  # what binds a name: one list, in `syntax.BINDERS`
                for name in binder(node):
                    bound[name] = count(name, 0) + 1
                continue
            kind = kinds.get(type(node))
            if kind is None:
                continue
            if kind == _IMPORT:
                for alias in node.names:  # type: ignore[attr-defined]
                    local = alias.asname or alias.name.split(".")[0]
                    facts.module_aliases[local] = alias.name if alias.asname else local
            elif kind == _ASSIGN:
                targets = node.targets  # type: ignore[attr-defined]
                value = node.value  # type: ignore[attr-defined]
                if (
                    len(targets) == 1
                    and type(targets[0]) is name_cls
                    and type(value) is constant
                    and isinstance(value.value, str)
                ):
                    literal_candidates[targets[0].id] = value.value
            elif kind == _ANN_ASSIGN:
                target, value = node.target, node.value  # type: ignore[attr-defined]
                if (
                    type(target) is name_cls
                    and type(value) is constant
                    and isinstance(value.value, str)
                ):
                    literal_candidates[target.id] = value.value
        facts.bound.update(bound)
        facts.literal_str = {n: v for n, v in literal_candidates.items() if count(n) == 1}
        return facts


_IMPORT, _ASSIGN, _ANN_ASSIGN = range(3)
_FACT_KINDS: dict[type, int] = {
    ast.Import: _IMPORT,
    ast.Assign: _ASSIGN,
    ast.AnnAssign: _ANN_ASSIGN,
}


@dataclass(frozen=True)
class Pending:
    """A problem found by a rule, before its position is resolved."""

    rule: type[Rule]
    message: str
    hint: str | None
    node: ast.AST | None = None
    part: Part | None = None
    line: int = 1
    col: int = 0
    end_line: int | None = None
    end_col: int | None = None


class Context:
    """What the rules of one verification share: grammar, tools, facts and the findings."""

    def __init__(
        self, grammar: Grammar, tool_names: frozenset[str], facts: Facts | None = None
    ) -> None:
        self.grammar = grammar
        self.tool_names = tool_names
        self.facts = facts or Facts()
        self.pending: list[Pending] = []
        self.ast_nodes: list[ast.AST] = []  # every node of the program's ast, once measured
        self._seen: set[tuple[object, ...]] = set()
        # Filled by the Roles pass, which runs first for each node (parents before children).
        self.called: set[int] = set()  # ids of Name nodes that are the callee of a call
        self.module_value_ok: set[int] = set()  # ids of Name nodes used as `module.attr`
        self.known_names = grammar.builtins | grammar.sandbox_names | tool_names

    def add(self, pending: Pending) -> None:
        key = (
            pending.rule.code,
            id(pending.node) if pending.node is not None else pending.line,
            pending.part,
            pending.message,
        )
        if key not in self._seen:
            self._seen.add(key)
            self.pending.append(pending)


class Invalid(str):
    """An `INVALID` example: the program (it is a `str`), and where its rule reports it.

    ``line`` and ``col`` are 1-based, as in the text and JSON output (``col`` is the first
    character of the reported span); ``code`` defaults to the rule's own. The generated tests
    check that verifying the program reports exactly that code at exactly that place.
    """

    line: int
    col: int
    code: str | None

    def __new__(cls, program: str, line: int, col: int, code: str | None = None) -> Invalid:
        self = super().__new__(cls, program)
        self.line, self.col, self.code = line, col, code
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (Invalid, (str(self), self.line, self.col, self.code))


class Rule:
    """A verifier rule: one concern, one code, documented by examples.

    Every CV code is a `Rule` subclass in `codeact_verify.rules.registry.RULES`: the source and
    `ast` rules here, and the tool-call (CV6xx), type (CV7xx) and internal (CV999) codes, which
    the registry wraps around their own modules' descriptions.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]  # what the rule forbids, one sentence (the default message)
    hint: ClassVar[str | None] = None  # how to fix the program
    severity: ClassVar[str] = "error"
    stage: ClassVar[str] = "ast tree"  # where it runs: source text, ast tree, tool calls, types
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[Invalid]] = []
    GRAMMAR: ClassVar[str] = "default"  # the profile the examples are written for
    TYPES: ClassVar[bool] = False  # the examples need the type check (mypy)
    UNTESTABLE: ClassVar[str | None] = None  # why no program can show this code, if none can


class SourceRule(Rule):
    """A rule on the program text and its size, run by the verifier before the node rules."""

    stage: ClassVar[str] = "source text"

    @classmethod
    def at(
        cls,
        ctx: Context,
        line: int,
        col: int,
        message: str | None = None,
        hint: str | None = None,
        end_line: int | None = None,
        end_col: int | None = None,
    ) -> None:
        ctx.add(
            Pending(
                cls,
                message or cls.message,
                hint if hint is not None else cls.hint,
                line=line,
                col=col,
                end_line=end_line,
                end_col=end_col,
            )
        )


class NodeRule(Rule):
    """A rule on the `ast` tree; all node rules share one walk (`walk.dispatch`)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.grammar = ctx.grammar

    def report(
        self,
        node: ast.AST,
        message: str | None = None,
        hint: str | None = None,
        part: Part | None = None,
    ) -> None:
        self.ctx.add(
            Pending(
                type(self),
                message or self.message,
                hint if hint is not None else self.hint,
                node,
                part,
            )
        )


Where = tuple[ast.AST, Part | None]


def attribute_accesses(node: ast.AST) -> Iterator[tuple[ast.expr, str, Where]]:
    """(receiver, attribute name, where to report) for `x.name` and `getattr(x, "name")`.

    Attribute names from identifiers are NFKC-normalised by Python's parser already; a literal
    string given to getattr is yielded as written and, if different, normalised too (be strict
    either way).
    """
    if isinstance(node, ast.Attribute):
        yield node.value, node.attr, (node, ATTR)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = node.args
        if node.func.id in ATTRIBUTE_FUNCTIONS and len(args) >= 2:
            first, second = args[0], args[1]
            if isinstance(first, ast.Starred) or isinstance(second, ast.Starred):
                return
            text = string_literal(second)
            if text is not None:
                yield first, text, (second, None)
                normal = ident(text)
                if normal != text:
                    yield first, normal, (second, None)


REGISTRY: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry (codes and names are unique)."""
    for other in REGISTRY.values():
        if other.code == rule.code or other.name == rule.name:
            raise ValueError(f"duplicate rule {rule.code} {rule.name} (and {other.__name__})")
    REGISTRY[rule.code] = rule
    return rule


def node_rules() -> list[type[NodeRule]]:
    return [r for r in REGISTRY.values() if isinstance(r, type) and issubclass(r, NodeRule)]

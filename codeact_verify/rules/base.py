"""The rule framework: a `Rule` base with a code, message, hint and examples, and a registry.

Two kinds of rule, in the Fixit style:
- `SourceRule`: checks the program text before libcst parses it (encoding, NUL bytes, size,
  syntax). The verifier calls these stages itself, because they decide whether parsing is safe.
- `NodeRule`: a libcst `BatchableCSTVisitor`; all node rules run in one batched traversal. A rule
  calls `self.report(node, ...)`; positions come from libcst's `PositionProvider`, resolved once,
  and only when something was reported (the common, accepted path never pays for positions).

Every rule documents itself: `VALID` programs it lets through and `INVALID` programs it stops
(each may start with a `# Source: ...` comment citing where the attack was published). The tests
and docs/rules.md are generated from these.
"""

from __future__ import annotations

import ast
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import libcst as cst

from ..grammar import Grammar

KEYWORD_NAMES = frozenset({"True", "False", "None"})
ATTRIBUTE_FUNCTIONS = frozenset({"getattr", "hasattr", "setattr", "delattr"})


def ident(name: str) -> str:
    """An identifier as Python sees it: NFKC-normalised (fullwidth ｅｘｅｃ is exec)."""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def string_literal(node: cst.CSTNode) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal, else None."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        try:
            value = node.evaluated_value
        except Exception:  # malformed escapes: not a provable literal
            return None
        return value if isinstance(value, str) else None
    return None


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
        bound = facts.bound
        literal_candidates: dict[str, str] = {}
        nodes = ast.walk(tree) if isinstance(tree, ast.AST) else tree
        for node in nodes:
            if isinstance(node, ast.Name):
                if not isinstance(node.ctx, ast.Load):
                    bound[node.id] += 1
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bound[node.name] += 1
            elif isinstance(node, ast.arg):
                bound[node.arg] += 1
            elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
                if node.name:
                    bound[node.name] += 1
            elif isinstance(node, ast.MatchMapping):
                if node.rest:
                    bound[node.rest] += 1
            elif isinstance(node, ast.Global | ast.Nonlocal):
                for n in node.names:
                    bound[n] += 1
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".")[0]
                    bound[local] += 1
                    facts.module_aliases[local] = alias.name if alias.asname else local
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        bound[alias.asname or alias.name] += 1
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                literal_candidates[node.targets[0].id] = node.value.value
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                literal_candidates[node.target.id] = node.value.value
        facts.literal_str = {n: v for n, v in literal_candidates.items() if bound[n] == 1}
        return facts


@dataclass(frozen=True)
class Pending:
    """A problem found by a rule, before its position is resolved."""

    rule: type[Rule]
    message: str
    hint: str | None
    node: cst.CSTNode | None = None
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
        self._seen: set[tuple[str, int, str]] = set()
        # Filled by the Roles visitor, which runs first in the batch (parents before children).
        self.not_reference: set[int] = set()  # ids of Name nodes that are not variable uses
        self.bindings: set[int] = set()  # ids of Name nodes that bind a name
        self.module_value_ok: set[int] = set()  # ids of Name nodes used as `module.attr`
        self.stored_attributes: set[int] = set()  # ids of Attribute nodes assigned or deleted
        self.known_names = grammar.builtins | grammar.sandbox_names | tool_names

    def add(self, pending: Pending) -> None:
        key = (
            pending.rule.code,
            id(pending.node) if pending.node else pending.line,
            pending.message,
        )
        if key not in self._seen:
            self._seen.add(key)
            self.pending.append(pending)

    def is_reference(self, node: cst.Name) -> bool:
        return id(node) not in self.not_reference


class Rule:
    """A verifier rule: one concern, one code, documented by examples."""

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]  # what the rule forbids, one sentence (the default message)
    hint: ClassVar[str | None] = None  # how to fix the program
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []
    GRAMMAR: ClassVar[str] = "default"  # the profile the examples are written for


class SourceRule(Rule):
    """A rule on the program text, run by the verifier before libcst parses it."""

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
                None,
                line,
                col,
                end_line,
                end_col,
            )
        )


class CachedVisitors(cst.BatchableCSTVisitor):
    """A batchable visitor whose visit_/leave_ method names are found once per class."""

    def get_visitors(self) -> Mapping[str, Callable[[cst.CSTNode], None]]:
        # libcst's default runs inspect.getmembers over the whole class on every instance; the
        # method names are a property of the class, so find them once.
        names = _VISITOR_NAMES.get(type(self))
        if names is None:
            names = _VISITOR_NAMES[type(self)] = tuple(super().get_visitors())
        return {name: getattr(self, name) for name in names}


class NodeRule(Rule, CachedVisitors):
    """A rule on the libcst tree; all node rules share one batched traversal."""

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.grammar = ctx.grammar

    def report(
        self, node: cst.CSTNode, message: str | None = None, hint: str | None = None
    ) -> None:
        self.ctx.add(
            Pending(
                type(self), message or self.message, hint if hint is not None else self.hint, node
            )
        )


def attribute_accesses(node: cst.CSTNode) -> Iterator[tuple[cst.BaseExpression, str, cst.CSTNode]]:
    """(receiver, attribute name, node to report) for `x.name` and `getattr(x, "name")`.

    Attribute names from identifiers are NFKC-normalised; a literal string given to getattr is
    yielded as written and, if different, normalised too (be strict either way).
    """
    if isinstance(node, cst.Attribute):
        yield node.value, ident(node.attr.value), node.attr
    elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
        if ident(node.func.value) in ATTRIBUTE_FUNCTIONS and len(node.args) >= 2:
            first, second = node.args[0], node.args[1]
            if first.star or second.star or first.keyword or second.keyword:
                return
            text = string_literal(second.value)
            if text is not None:
                yield first.value, text, second.value
                normal = ident(text)
                if normal != text:
                    yield first.value, normal, second.value


_VISITOR_NAMES: dict[type, tuple[str, ...]] = {}

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

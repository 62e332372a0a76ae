"""Meaning-preserving mutations of programs, and the escape seed corpus they are applied to.

Each mutation keeps what the program does (the dangerous core of an escape still runs) while
changing how it looks: renamed variables, NFKC-equivalent identifiers, split string literals,
re-nesting under ``if``/``for``/a helper, moving an expression into a lambda, a default argument,
an f-string, a comprehension, a decorator expression or a ``match`` class pattern, ``a.b`` as
``getattr(a, "b")``, and plain reformatting. A rejected escape must stay rejected after any of
them; an accepted program must stay accepted after renaming and reformatting.
"""

from __future__ import annotations

import ast
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import libcst as cst
from hypothesis import strategies as st

Mutation = Callable[[str, random.Random], str | None]


# -- the seed corpus ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Seed:
    name: str
    source: bytes  # raw bytes: some escapes depend on their coding cookie

    @property
    def text(self) -> str | None:
        """UTF-8 text, or None for seeds that must stay bytes (non-UTF-8 coding cookie)."""
        head = self.source.split(b"\n", 2)[:2]
        if any(b"coding" in line for line in head):
            return None
        try:
            return self.source.decode("utf-8")
        except UnicodeDecodeError:
            return None


@lru_cache(maxsize=1)
def escape_seeds() -> tuple[Seed, ...]:
    root = Path(str(files("codeact_verify.fuzz"))) / "corpus" / "escapes"
    return tuple(Seed(p.name, p.read_bytes()) for p in sorted(root.glob("*.py")))


# -- helpers -----------------------------------------------------------------------------------
def _split_header(code: str) -> tuple[str, str]:
    """Leading comment lines (citation, coding cookie) stay on top, untouched."""
    lines = code.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].lstrip().startswith("#"):
        i += 1
    return "".join(lines[:i]), "".join(lines[i:])


def _indent(body: str, pad: str = "    ") -> str:
    return "".join(pad + line if line.strip() else line for line in body.splitlines(keepends=True))


def _compiles(code: str) -> bool:
    try:
        compile(code, "<mutant>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _target_names(node: cst.BaseExpression | cst.BaseAssignTargetExpression) -> list[str]:
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, cst.Tuple | cst.List):
        out: list[str] = []
        for el in node.elements:
            out += _target_names(el.value)
        return out
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


class _BoundNames(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()
        self.imported: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.names.update(_target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.names.update(_target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.names.update(_target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.names.update(_target_names(node.target))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.names.update(_target_names(node.target))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.add(node.name.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.names.add(node.name.value)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.names.update(_target_names(node.name.name))

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.names.add(node.name.value)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is not None:
            self.names.update(_target_names(node.asname.name))
        elif isinstance(node.name, cst.Name):
            self.imported.add(node.name.value)


class _Rename(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        # Python folds identifiers with NFKC, so `ｘs4` and `xs4` are one variable
        key = unicodedata.normalize("NFKC", updated.value)
        return updated.with_changes(value=self.mapping.get(key, updated.value))

    # names that are not variables: restore them
    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)

    def leave_MatchKeywordElement(
        self, original: cst.MatchKeywordElement, updated: cst.MatchKeywordElement
    ) -> cst.MatchKeywordElement:
        return updated.with_changes(key=original.key)

    def leave_ImportAlias(
        self, original: cst.ImportAlias, updated: cst.ImportAlias
    ) -> cst.ImportAlias:
        return updated.with_changes(name=original.name)


def _fresh(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = "v" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(5))
        if name not in taken:
            taken.add(name)
            return name


# -- rename on the stdlib ast (the libcst rename's output, 10-20x cheaper) --------------------
#: Nodes whose names the ast fast path does not locate in the text (a name that is a plain
#: string without a position): a program with any of them is renamed by libcst.
_SLOW_NODES = (
    ast.ClassDef,
    ast.AsyncFunctionDef,
    ast.AsyncFor,
    ast.AsyncWith,
    ast.Global,
    ast.Nonlocal,
    ast.ImportFrom,
    ast.MatchStar,
    ast.MatchMapping,
)


def _ast_targets(node: ast.expr) -> list[str]:
    """``_target_names`` on the ast: names, tuples and lists of them, starred."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Tuple | ast.List):
        out: list[str] = []
        for el in node.elts:
            out += _ast_targets(el)
        return out
    if isinstance(node, ast.Starred):
        return _ast_targets(node.value)
    return []


def _rename_fast(code: str, rng: random.Random) -> str | None:
    """``rename_variables`` for an ASCII program without the nodes in ``_SLOW_NODES``: the same
    bound names (``_BoundNames`` on the ast), the same fresh names drawn from ``rng`` in the same
    order, and every identifier libcst renames replaced in place. Raises ``_NotFast`` (before
    touching ``rng``) when it cannot tell; the result is checked: its ast must equal the
    original's with the names mapped, or ``_NotFast`` too."""
    if not code.isascii() or _ODD_TEXT.search(code):
        raise _NotFast
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _NotFast from None
    bound: set[str] = set()
    imported: set[str] = set()
    spots: list[tuple[int, int, str]] = []  # (line, col, name) of every identifier to rename
    defs: list[ast.FunctionDef] = []
    for node in ast.walk(tree):
        if isinstance(node, _SLOW_NODES):
            raise _NotFast
        if isinstance(node, ast.Name):
            spots.append((node.lineno, node.col_offset, node.id))
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
            spots.append((node.lineno, node.col_offset, node.arg))
        elif isinstance(node, ast.FunctionDef):
            bound.add(node.name)
            defs.append(node)
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                bound.update(_ast_targets(t))
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For | ast.comprehension):
            bound.update(_ast_targets(node.target))
        elif isinstance(node, ast.ExceptHandler):
            if node.name is not None:
                raise _NotFast  # the name is a string without a position
        elif isinstance(node, ast.MatchAs):
            if node.name is not None:
                raise _NotFast
        elif isinstance(node, ast.alias):
            if node.asname is not None:
                raise _NotFast
            if "." not in node.name:
                imported.add(node.name)
    names = sorted(bound - imported - {""})
    names = [n for n in names if not n.startswith("__")]
    if not names:
        return None
    lines = _LINE_END.split(code)  # the lines ast counts (not str.splitlines: \f, \x1c...)
    for d in defs:  # `def NAME`: the name follows the keyword on the def's line
        m = _DEF_NAME.match(lines[d.lineno - 1], d.col_offset)
        if m is None or m.group(1) != d.name:
            raise _NotFast
        spots.append((d.lineno, m.start(1), d.name))
    taken = set(names)
    mapping = {n: _fresh(rng, taken) for n in names}
    edits: dict[int, list[tuple[int, str, str]]] = {}
    for line, col, name in spots:
        new = mapping.get(name)
        if new is not None:
            edits.setdefault(line - 1, []).append((col, name, new))
    for i, row in edits.items():
        text = lines[i]
        for col, name, new in sorted(set(row), reverse=True):
            if text[col : col + len(name)] != name:
                raise _NotFast
            text = text[:col] + new + text[col + len(name) :]
        lines[i] = text
    out = "".join(lines)
    try:
        renamed = ast.parse(out)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _NotFast from None
    if ast.dump(_MapNames(mapping).visit(tree)) != ast.dump(renamed):
        raise _NotFast
    return out


#: Text libcst does not give back as it was (a form feed is dropped) or that ast counts
#: differently: control characters other than tab and newlines, a lone carriage return.
_ODD_TEXT = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]|\r(?!\n)")
_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
_DEF_NAME = re.compile(r"def[ \t]+([A-Za-z_][A-Za-z0-9_]*)")


class _NotFast(Exception):
    """The ast fast path cannot rename this program exactly as libcst would."""


class _MapNames(ast.NodeTransformer):
    """The original tree with the renamed identifiers (for the fast path's check)."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.mapping.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        self.generic_visit(node)
        node.arg = self.mapping.get(node.arg, node.arg)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        node.name = self.mapping.get(node.name, node.name)
        return node


# -- mutations ---------------------------------------------------------------------------------
def rename_variables(code: str, rng: random.Random) -> str | None:
    """Rename every variable the program binds (not attributes, keywords or imports)."""
    state = rng.getstate()
    try:
        return _rename_fast(code, rng)
    except _NotFast:
        rng.setstate(state)  # libcst draws the same fresh names
    return _rename_libcst(code, rng)


def _rename_libcst(code: str, rng: random.Random) -> str | None:
    module = cst.parse_module(code)
    bound = _BoundNames()
    module.visit(bound)
    imported = {unicodedata.normalize("NFKC", n) for n in bound.imported}
    names = sorted(
        {unicodedata.normalize("NFKC", n) for n in bound.names} - imported - {""}
    )
    names = [n for n in names if not n.startswith("__")]
    if not names:
        return None
    taken = set(names)
    mapping = {n: _fresh(rng, taken) for n in names}
    return module.visit(_Rename(mapping)).code


_FULLWIDTH = {
    c: chr(ord(c) - 0x21 + 0xFF01) for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
}
_ITALIC = {c: chr(0x1D622 + i) for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")}


def _confusable(name: str, rng: random.Random) -> str:
    table = rng.choice((_FULLWIDTH, _ITALIC))
    chars = list(name)
    for i, ch in enumerate(chars):
        if ch in table and rng.random() < 0.6:
            chars[i] = table[ch]
        elif ch == "_" and i > 0 and rng.random() < 0.3:
            chars[i] = "\uff3f"  # FULLWIDTH LOW LINE, NFKC "_"
    return "".join(chars)


class _Confuse(cst.CSTTransformer):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        if self.rng.random() < 0.5:
            return updated.with_changes(value=_confusable(updated.value, self.rng))
        return updated


def nfkc_identifiers(code: str, rng: random.Random) -> str | None:
    """Swap identifier letters for NFKC-equivalent fullwidth / mathematical italic ones."""
    return cst.parse_module(code).visit(_Confuse(rng)).code


class _SplitStrings(cst.CSTTransformer):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.in_pattern = 0

    def visit_MatchCase(self, node: cst.MatchCase) -> None:
        self.in_pattern += 1

    def leave_MatchCase(self, original: cst.MatchCase, updated: cst.MatchCase) -> cst.MatchCase:
        self.in_pattern -= 1
        return updated

    def leave_SimpleString(
        self, original: cst.SimpleString, updated: cst.SimpleString
    ) -> cst.BaseExpression:
        if (
            self.in_pattern
            or updated.prefix
            or len(updated.raw_value) < 2
            or "\\" in updated.raw_value
        ):
            return updated
        value = updated.raw_value
        cut = self.rng.randint(1, len(value) - 1)
        q = updated.quote
        return cst.parse_expression(f"({q}{value[:cut]}{q} + {q}{value[cut:]}{q})")


def split_strings(code: str, rng: random.Random) -> str | None:
    """``"__globals__"`` becomes ``("__glo" + "bals__")``."""
    return cst.parse_module(code).visit(_SplitStrings(rng)).code


def _statements(code: str) -> tuple[str, cst.Module] | None:
    header, body = _split_header(code)
    try:
        module = cst.parse_module(body)
    except cst.ParserSyntaxError:
        return None
    return header, module


def renest(code: str, rng: random.Random) -> str | None:
    """Move the whole program under ``if True:``, a one-pass ``for`` or a helper function."""
    header, body = _split_header(code)
    if "import *" in body or "from __future__" in body or not body.strip():
        return None
    kind = rng.choice(("if", "for", "def"))
    if kind == "if":
        return header + "if True:\n" + _indent(body)
    if kind == "for":
        return header + "for _once in [0]:\n" + _indent(body)
    return header + "def _payload():\n" + _indent(body) + "    return None\n\n\n_payload()\n"


def _wrap_expression(
    code: str, rng: random.Random, wrap: Callable[[str, str], tuple[str, str]]
) -> str | None:
    """Apply ``wrap(expr_code, indent) -> (before_lines, new_expr)`` to one top-level expression."""
    parsed = _statements(code)
    if parsed is None:
        return None
    header, module = parsed
    candidates = []
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            if isinstance(small, cst.Assign | cst.Expr) and not isinstance(
                small.value, cst.Yield | cst.Await
            ):
                candidates.append(i)
    if not candidates:
        return None
    i = rng.choice(candidates)
    stmt = module.body[i]
    assert isinstance(stmt, cst.SimpleStatementLine)
    small = stmt.body[0]
    assert isinstance(small, cst.Assign | cst.Expr)
    expr = module.code_for_node(small.value)
    before, new_expr = wrap(expr, "")
    new_small = small.with_changes(value=cst.parse_expression(new_expr))
    new_stmt = stmt.with_changes(body=[new_small])
    pre = cst.parse_module(before).body if before else []
    body = [*module.body[:i], *pre, new_stmt, *module.body[i + 1 :]]
    return header + module.with_changes(body=body).code


def into_lambda(code: str, rng: random.Random) -> str | None:
    return _wrap_expression(code, rng, lambda e, _: ("", f"(lambda: {e})()"))


def into_default(code: str, rng: random.Random) -> str | None:
    return _wrap_expression(
        code, rng, lambda e, _: (f"def _dflt(v=({e})):\n    return v\n", "_dflt()")
    )


def into_fstring(code: str, rng: random.Random) -> str | None:
    # evaluated once, inside the f-string's replacement field
    return _wrap_expression(
        code, rng, lambda e, _: (f'_fbox = []\n_shown = f"{{_fbox.append({e})}}"\n', "_fbox[-1]")
    )


def into_comprehension(code: str, rng: random.Random) -> str | None:
    return _wrap_expression(code, rng, lambda e, _: ("", f"[({e}) for _c in [0]][0]"))


def into_decorator(code: str, rng: random.Random) -> str | None:
    return _wrap_expression(
        code,
        rng,
        lambda e, _: (
            f"_box = []\n@(lambda f: _box.append({e}) or f)\ndef _target():\n    pass\n",
            "_box[0]",
        ),
    )


class _FirstAttribute(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: cst.Attribute | None = None

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if self.found is None and not isinstance(node.value, cst.Attribute):
            self.found = node
        return self.found is None


class _Replace(cst.CSTTransformer):
    def __init__(self, target: cst.CSTNode, replacement: cst.BaseExpression) -> None:
        self.target = target
        self.replacement = replacement

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):  # type: ignore[no-untyped-def]
        if original is self.target:
            return self.replacement
        return updated


def _one_attribute(
    code: str, rng: random.Random
) -> tuple[str, cst.Module, int, cst.Attribute] | None:
    parsed = _statements(code)
    if parsed is None:
        return None
    header, module = parsed
    found = []
    for i, stmt in enumerate(module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            v = _FirstAttribute()
            stmt.visit(v)
            if v.found is not None and not isinstance(stmt.body[0], cst.Import | cst.ImportFrom):
                found.append((i, v.found))
    if not found:
        return None
    i, attr = rng.choice(found)
    return header, module, i, attr


def into_match(code: str, rng: random.Random) -> str | None:
    """``a.b`` read through ``match a: case object(b=_m)`` (attribute access without a dot)."""
    hit = _one_attribute(code, rng)
    if hit is None:
        return None
    header, module, i, attr = hit
    subject = module.code_for_node(attr.value)
    hoisted = cst.parse_module(
        f"match {subject}:\n    case object({attr.attr.value}=_m):\n        pass\n"
    ).body
    new_stmt = module.body[i].visit(_Replace(attr, cst.Name("_m")))
    body = [*module.body[:i], *hoisted, new_stmt, *module.body[i + 1 :]]
    return header + module.with_changes(body=body).code


def via_getattr(code: str, rng: random.Random) -> str | None:
    """``a.b`` becomes ``getattr(a, "b")``."""
    hit = _one_attribute(code, rng)
    if hit is None:
        return None
    header, module, i, attr = hit
    # an identifier is NFKC-folded by the parser, a string given to getattr is not
    name = unicodedata.normalize("NFKC", attr.attr.value)
    call = cst.parse_expression(f'getattr({module.code_for_node(attr.value)}, "{name}")')
    new_stmt = module.body[i].visit(_Replace(attr, call))
    return (
        header + module.with_changes(body=[*module.body[:i], new_stmt, *module.body[i + 1 :]]).code
    )


def reformat(code: str, rng: random.Random) -> str | None:
    """Whitespace and comments only: blank lines, comment lines, 2-space indents, CRLF, tabs."""
    header, body = _split_header(code)
    lines = body.splitlines()
    out: list[str] = []
    for line in lines:
        if rng.random() < 0.2 and not line.startswith((" ", "\t")):
            out.append("# " + rng.choice(("note", "step", "TODO check")))
        if rng.random() < 0.2:
            out.append("")
        out.append(line.rstrip() + (" " * rng.randint(0, 2) if rng.random() < 0.2 else ""))
    style = rng.choice(("spaces2", "keep", "tabs"))
    if style != "keep":
        new = []
        for line in out:
            stripped = line.lstrip(" ")
            depth, rem = divmod(len(line) - len(stripped), 4)
            unit = "  " if style == "spaces2" else "\t"
            new.append(unit * depth + " " * rem + stripped)
        out = new
    eol = "\r\n" if rng.random() < 0.3 else "\n"
    return header + eol.join(out) + eol


ESCAPE_MUTATIONS: dict[str, Mutation] = {
    "rename": rename_variables,
    "nfkc": nfkc_identifiers,
    "split_strings": split_strings,
    "renest": renest,
    "lambda": into_lambda,
    "default": into_default,
    "fstring": into_fstring,
    "comprehension": into_comprehension,
    "decorator": into_decorator,
    "match": into_match,
    "getattr": via_getattr,
    "reformat": reformat,
}
# Mutations that do not change what a grammar allows (for accepted programs).
HARMLESS_MUTATIONS: dict[str, Mutation] = {"rename": rename_variables, "reformat": reformat}


def mutate(
    code: str, names: list[str], rng: random.Random, table: dict[str, Mutation]
) -> tuple[str, list[str]]:
    """Apply the named mutations in order, skipping those that do not apply or do not compile."""
    applied: list[str] = []
    for name in names:
        try:
            out = table[name](code, rng)
        except (cst.ParserSyntaxError, RecursionError, ValueError):
            out = None
        if out is not None and out != code and _compiles(out):
            code = out
            applied.append(name)
    return code, applied


@dataclass(frozen=True)
class Mutant:
    seed: str
    code: str
    mutations: tuple[str, ...]


def escape_mutants(max_mutations: int = 3) -> st.SearchStrategy[Mutant]:
    """A published escape from the seed corpus, with 1..N meaning-preserving mutations."""
    seeds = [s for s in escape_seeds() if s.text is not None]
    pick_seed = st.sampled_from(seeds)
    pick_names = st.lists(
        st.sampled_from(sorted(ESCAPE_MUTATIONS)), min_size=1, max_size=max_mutations
    )
    rng_seeds = st.integers(0, 2**32 - 1)

    @st.composite
    def build(draw: Callable) -> Mutant:
        seed = draw(pick_seed)
        names = draw(pick_names)
        rng = random.Random(draw(rng_seeds))
        assert seed.text is not None
        code, applied = mutate(seed.text, names, rng, ESCAPE_MUTATIONS)
        return Mutant(seed.name, code, tuple(applied))

    return build()

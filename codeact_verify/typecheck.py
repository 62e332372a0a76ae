"""Types: mypy, in-process and warm, on the program rewritten to call the tools' typed stubs.

How a check runs:

1. The program is transpiled (``call_tool("get_weather", city=c)`` -> ``get_weather(city=c)``), its
   comments are blanked (so ``# type: ignore`` and ``# mypy:`` comments cannot switch checks off),
   and two lines are appended: ``import cv_tools_<hash>`` and ``from cv_tools_<hash> import
   get_weather, ...`` (the stub names the program's text mentions). Nothing before them moves,
   so mypy's lines are the model's lines (mypy resolves module-level names regardless of where
   the import sits). Findings are remembered per exact program (:func:`remember_findings`).
2. ``cv_tools_<hash>.pyi`` is :func:`codeact_verify.tools.stubs_module` for the tool set; its name
   is a hash of its text, so a changed tool set is a new module and no file is rewritten in place.
3. mypy runs in a worker process (:mod:`codeact_verify.mypy_worker`) in its fine-grained
   incremental mode (the engine behind ``dmypy``, without a daemon): the standard library and the
   stubs stay loaded in memory between checks, and each check re-analyses only the program. The
   program file is always reported to mypy as changed, so mypy's whole-second mtime + size check
   can never skip a new program. The worker runs under a :class:`Budget`: an address-space limit
   (``RLIMIT_AS``, 3 GiB) set in the worker and a wall-clock deadline per check (6 s) kept here;
   over either, the worker is killed (a new one starts for the next program) and the program is
   rejected with CV799. A program cannot take the host down through mypy.
4. The severities follow the verdict rule (:mod:`codeact_verify.verdict`): when the strict check
   finds errors, the program is checked again against lenient stubs, and only the errors both
   checks report (plus ``None`` misuse of a tool's ``X | None`` result) reject the program.
5. Every finding is mapped back to the model's line and column (mypy's columns on non-ASCII lines
   are skewed by the UTF-8 length of the text before them: both are undone).

Settings, chosen for model-written code: untyped functions are checked (``--check-untyped-defs``);
a variable may be re-bound with a new type (``--allow-redefinition``); an empty ``[]``/``{}`` needs
no annotation; a tool's TypedDict result may go where the model annotated a plain ``dict``;
missing imports are left to the import rule. Any failure of the checker itself (stubs that do not
compile or type-check, mypy raising, the budget) rejects the program: fail closed. One check at a
time (a lock).
"""

from __future__ import annotations

import ast
import atexit
import dataclasses
import difflib
import hashlib
import io
import os
import re
import threading
import tokenize
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .astlock import renew_after_fork
from .checked import CheckedProgram, checked_program
from .diagnostics import Diagnostic, Severity
from .mypy_process import (
    DEFAULT_BUDGET,
    WARM_MODULES,
    Budget,
    CheckerFailed,
    MypyProcess,
    take_prestarted,
)
from .mypy_worker import PROGRAM_MODULE
from .syntax import SourceLines, bound_names, parse
from .toolcalls import CALL_TOOLS, ToolCallIndex, find_tool_calls
from .tools import ToolSpec, stubs_module
from .transpile import Edit, PositionMap, transpile_tree
from .verdict import NoneOrigins, lenient_stubs, optional_results, relaxed_message

RULE = "types"

#: mypy error code -> (our code, what it is about)
_CODES: dict[str, str] = {
    "arg-type": "CV701",
    "call-arg": "CV701",
    "call-overload": "CV701",
    "index": "CV702",
    "attr-defined": "CV702",
    "union-attr": "CV702",
    "typeddict-item": "CV702",
    "typeddict-unknown-key": "CV702",
    "name-defined": "CV703",
    "used-before-def": "CV703",
    "operator": "CV705",
    "return-value": "CV706",
    "assignment": "CV706",
    "func-returns-value": "CV706",
}
OPTIONAL_CODE = "CV704"
OTHER_CODE = "CV709"
UNAVAILABLE_CODE = "CV799"

#: What each CV7xx code means (for docs and the rules table).
CODES: dict[str, str] = {
    "CV701": "a call's arguments do not fit the callee's signature (tool stubs included)",
    "CV702": "an index, key or attribute that the value's type does not have",
    "CV703": "a name that is not defined",
    "CV704": "a value that may be None is used without a check (an error for a tool result "
    "declared `X | None`, else a warning)",
    "CV705": "an operator applied to types it does not support",
    "CV706": "an assignment or return of the wrong type",
    "CV709": "any other mypy error",
    "CV799": "the type checker failed (invalid stubs, mypy raised, over its time or memory "
    "budget): the program is rejected, fail closed",
}

_PROGRAM_MODULE = PROGRAM_MODULE
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD = re.compile(r"\w+")
@dataclass(frozen=True)
class _Stubs:
    """One tool set's stub modules (strict and lenient) and what the verdict needs from them."""

    module: str
    text: str
    lenient_module: str
    lenient_text: str
    names: frozenset[str]
    structs: frozenset[str]
    optional: frozenset[str]
    keys: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


BATCH_ARGS = "_cv_args_"
_BATCH_STRUCT = "_CvArgs_"
_BATCH_NAME = re.compile(r'"?_CvArgs_(\w+)"?')


def _batch_helpers(tree: ast.Module, tools: Iterable[str]) -> str:
    """Per tool, a TypedDict of its keyword parameters and ``_cv_args_<tool>(args) -> dict``.

    The type check wraps each ``call_tools`` pair's dict literal in ``_cv_args_<tool>(...)``, so
    mypy checks the values of ``call_tools([("get_weather", {"city": c}) for c in xs])`` against
    the tool's parameter types, as it does for a direct call. (A tool taking ``**kwargs`` is
    left unchecked here: any key may be right.)
    """
    wanted = set(tools)
    out: list[str] = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name not in wanted:
            continue
        args = node.args
        if args.kwarg is not None:
            continue
        fields: list[str] = []
        params = [*args.args, *args.kwonlyargs]
        defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
        defaults += list(args.kw_defaults)
        for param, default in zip(params, defaults, strict=True):
            ann = ast.unparse(param.annotation) if param.annotation is not None else "Any"
            fields.append(
                f"    {param.arg}: {ann if default is None else f'NotRequired[{ann}]'}"
            )
        struct = f"{_BATCH_STRUCT}{node.name}"
        out.append(f"class {struct}(TypedDict):\n" + ("\n".join(fields) or "    pass"))
        out.append(f"def {BATCH_ARGS}{node.name}(args: {struct}, /) -> dict[str, Any]: ...")
    return "\n".join(out) + "\n" if out else ""


def _batch_edits(
    index: ToolCallIndex,
    bound: frozenset[str],
    lines: SourceLines,
    specs: Mapping[str, ToolSpec],
) -> list[Edit]:
    """Insertions that wrap each ``call_tools`` pair's dict literal for :func:`_batch_helpers`."""
    if CALL_TOOLS in bound:
        return []
    edits: list[Edit] = []
    for site in index.sites:
        node = site.kwargs_node
        if site.kind != "batch" or site.tool not in specs or not isinstance(node, ast.Dict):
            continue
        start = lines.offset(node.lineno, node.col_offset)
        end = lines.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
        edits += [Edit(start, start, f"{BATCH_ARGS}{site.tool}("), Edit(end, end, ")")]
    return edits


def _batch_tool(
    batches: list[tuple[int, int, str]], lines: SourceLines, d: Diagnostic
) -> str | None:
    """The tool whose ``call_tools`` argument dict holds the diagnostic's position, if any."""
    if not batches or d.line > len(lines.starts):
        return None
    offset = lines.starts[d.line - 1] + d.col
    inside = [b for b in batches if b[0] <= offset < b[1]]
    return min(inside, key=lambda b: b[1] - b[0])[2] if inside else None


_TD_ITEM = re.compile(
    r'expression has type "(?P<got>[^"]+)", '
    r'TypedDict item "(?P<k>[^"]+)" has type "(?P<want>[^"]+)"'
)


def _stubs_for(text: str, tools: Iterable[str] = ()) -> _Stubs:
    """Raises CheckerFailed when the stub text is not valid Python (an odd tool)."""
    try:
        tree = ast.parse(text)
        text += _batch_helpers(tree, tools)
        tree = ast.parse(text)
        lenient = lenient_stubs(text)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise CheckerFailed(f"the tools' stubs are not valid Python ({exc})") from exc
    names: set[str] = set()
    structs: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id == "TypedDict" for b in node.bases
        ):
            structs.add(node.name)
    keys = {
        node.name: tuple(
            n.target.id
            for n in node.body
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
        )
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name in structs
    }
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    lenient_digest = hashlib.sha256(lenient.encode("utf-8")).hexdigest()[:16]
    return _Stubs(
        module=f"cv_tools_{digest}",
        text=text,
        lenient_module=f"cv_lenient_{lenient_digest}",
        lenient_text=lenient,
        names=frozenset(names),
        structs=frozenset(structs),
        optional=optional_results(text),
        keys=keys,
    )


_NOT_INDEXABLE = re.compile(r'Value of type "(?P<t>[^"]+)" is not indexable')
_NO_KEY = re.compile(r'TypedDict "(?P<t>\w+)" has no key "(?P<k>[^"]+)"')
_BAD_INDEX = re.compile(
    r'Invalid index type "[^"]+" for "(?P<t>[^"\[]+)|"__getitem__" of "(?P<t2>\w+)"'
)
_ARG = re.compile(r'incompatible type "(?P<got>[^"]+)"; expected "(?P<want>[^"]+)"')


_NOISY_NOTES = ("Possible overload variant", "def ", "@overload")


def _a(type_name: str) -> str:
    return ("an " if type_name[:1] in "aeiouAEIOU" else "a ") + type_name


def _fix_hint(message: str, stubs: _Stubs) -> str:
    """A one-line fix for a definite type error that mypy gave no hint for."""
    m = _NOT_INDEXABLE.search(message)
    if m:
        return f"this value is {_a(m.group('t'))}, not a dict: use it directly (see its stub)"
    m = _NO_KEY.search(message)
    if m:
        keys = stubs.keys.get(m.group("t"), ())
        close = difflib.get_close_matches(m.group("k"), keys, n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        return f"{guess}the keys of {m.group('t')} are: {', '.join(keys)}"
    m = _BAD_INDEX.search(message)
    if m:
        kind = m.group("t") or m.group("t2")
        how = "by position (x[0]) or loop over it" if kind != "str" else "by position"
        return f"this value is {_a(kind)}, not a dict: index it {how}"
    m = _TD_ITEM.search(message)
    if m:
        return f"{m.group('k')!r} takes {_a(m.group('want'))}, not {_a(m.group('got'))}"
    m = _ARG.search(message)
    if m:
        return f"pass {_a(m.group('want'))} here, not {_a(m.group('got'))}"
    return "see the tools' typed stubs for the types they take and return"


_lock = threading.Lock()
if hasattr(os, "register_at_fork"):  # a child forked during a check (red15/71)
    os.register_at_fork(after_in_child=lambda: renew_after_fork(_lock))
_worker: MypyProcess | None = None
_stub_cache: dict[str, _Stubs] = {}


def _get_worker(budget: Budget) -> MypyProcess:
    global _worker
    if _worker is not None and _worker.pid != os.getpid():
        _worker = None  # a forked child: the worker's pipes belong to the parent
    if _worker is None or _worker.budget.memory_bytes != budget.memory_bytes:
        if _worker is not None:
            _worker.stop()
        _worker = take_prestarted(budget, WARM_MODULES) or MypyProcess(budget, WARM_MODULES)
    _worker.budget = budget
    return _worker


def _reset_engine() -> None:
    """Stop the worker (the next check starts a new one) and forget remembered findings."""
    _results.clear()
    if _worker is not None:
        _worker.stop()


@atexit.register
def _shutdown() -> None:
    if _worker is not None and _worker.pid == os.getpid():
        _worker.stop()


def _blank_comments(code: str) -> str:
    """Comments replaced by '#' and spaces: same length, no `type: ignore` / `mypy:` pragmas."""
    if "#" not in code:
        return code  # every comment starts with '#': nothing to blank (no tokenizing)
    lines = code.splitlines(keepends=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return code
    changed = False
    for tok in tokens:
        if tok.type == tokenize.COMMENT and len(tok.string) > 1:
            row, col = tok.start
            line = lines[row - 1]
            lines[row - 1] = (
                line[:col] + "#" + " " * (len(tok.string) - 1) + line[col + len(tok.string) :]
            )
            changed = True
    return "".join(lines) if changed else code


def _char_col(line_text: str, mypy_col: int) -> int:
    """mypy's column as a character offset into the line.

    On a line with non-ASCII text, mypy 2.x reports ``chars - (utf8_bytes - chars)`` of the
    prefix (measured: 'é = 1; y: int = "s"' puts the string at char 16, byte 17, mypy 15).
    The character offset is the first one at or after mypy's value that gives it back.
    """
    if line_text.isascii():
        return mypy_col
    extra = 0
    for index, ch in enumerate(line_text):
        if index >= mypy_col and index - extra == mypy_col:
            return index
        extra += len(ch.encode("utf-8", errors="surrogatepass")) - 1
    end = len(line_text)
    return end if end - extra == mypy_col else min(mypy_col, end)


_TYPE_MISMATCH_CODES = frozenset(
    {"arg-type", "assignment", "return-value", "list-item", "dict-item"}
)
_MISMATCH = re.compile(
    r'incompatible type "(?P<a>[^"]+)"; expected "(?P<b>[^"]+)"'
    r'|expression has type "(?P<c>[^"]+)", variable has type "(?P<d>[^"]+)"'
    r'|got "(?P<e>[^"]+)", expected "(?P<f>[^"]+)"'
)
_PLAIN_DICT = re.compile(r"\bdict\[(?:str|Any), (?:Any|object)\]|\bdict\b(?!\[)")


def _typeddict_as_dict(message: str, structs: frozenset[str]) -> bool:
    """A tool's TypedDict result passed where a plain ``dict`` is annotated: fine at run time
    (results are JSON objects), a mypy surprise for model code (``def advice(w: dict)``)."""
    m = _MISMATCH.search(message)
    if m is None or not structs:
        return False
    got = m.group("a") or m.group("c") or m.group("e") or ""
    want = m.group("b") or m.group("d") or m.group("f") or ""
    names = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in sorted(structs)) + r")\b")
    if not names.search(got):
        return False
    got = names.sub("dict[Any, Any]", got)
    want = _PLAIN_DICT.sub("dict[Any, Any]", want)
    return got == want


def _mentions_none(type_text: str) -> bool:
    return type_text == "None" or "| None" in type_text or "None |" in type_text or (
        "Optional[" in type_text
    )


def _is_about_none(message: str) -> bool:
    """Whether the finding is about a value that may be None (a warning unless the None comes
    from a tool's declared result). A mismatch is about None only when the value's own type
    has None in it: an `int` passed where `str | None` is expected is wrong for every value
    (red5/17: it was a CV704 warning, so a wrong tool argument type was accepted)."""
    found = _MISMATCH.search(message)
    if found is not None:
        return _mentions_none(found.group("a") or found.group("c") or found.group("e") or "")
    return '"None"' in message or '| None"' in message or "Optional[" in message


@dataclass
class _Raw:
    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    code: str | None
    severity: str
    hint: str | None


def _overlaps(d: Diagnostic, k: Diagnostic) -> bool:
    d_start, k_start = (d.line, d.col), (k.line, k.col)
    d_end = (d.end_line or d.line, d.end_col if d.end_col is not None else d.col + 1)
    k_end = (k.end_line or k.line, k.end_col if k.end_col is not None else k.col + 1)
    return k_start <= d_start < k_end or d_start <= k_start < d_end


_SEVERITY_RANK = {"error": 2, "warning": 1, "note": 0}


class KnownSpans:
    """The diagnostics already reported, indexed by the lines they cover.

    ``covers(d)`` is True when a known diagnostic overlaps ``d`` and is at least as severe:
    a warning never displaces an error (an error may displace an overlapping warning). The
    index makes each test cost the known diagnostics on ``d``'s lines, not all of them.
    """

    def __init__(self, known: Iterable[Diagnostic]) -> None:
        self.by_line: dict[int, list[Diagnostic]] = {}
        for k in known:
            for line in range(k.line, max(k.end_line or k.line, k.line) + 1):
                self.by_line.setdefault(line, []).append(k)

    def covers(self, d: Diagnostic) -> bool:
        rank = _SEVERITY_RANK.get(d.severity, 2)
        for line in range(d.line, max(d.end_line or d.line, d.line) + 1):
            for k in self.by_line.get(line, ()):
                if _SEVERITY_RANK.get(k.severity, 2) >= rank and _overlaps(d, k):
                    return True
        return False


def _diagnostic(raw: _Raw, mapping: PositionMap, lines: list[str]) -> Diagnostic:
    def char(line: int, col: int) -> int:
        text = lines[line - 1] if 1 <= line <= len(lines) else ""
        return _char_col(text, max(col, 0))

    line, col = mapping.to_original(raw.line, char(raw.line, raw.col))
    end_line, end_col = mapping.to_original(raw.end_line, char(raw.end_line, raw.end_col))
    if (end_line, end_col) < (line, col):
        end_line, end_col = line, col
    severity: Severity = "error"
    code = _CODES.get(raw.code or "", OTHER_CODE)
    if raw.code == "call-overload" and '"__getitem__"' in raw.message:
        code = "CV702"  # an index the value's type does not take (a list indexed by a str key)
    if _is_about_none(raw.message):
        code, severity = OPTIONAL_CODE, "warning"
    hint = raw.hint
    if hint and hint.lstrip().startswith(_NOISY_NOTES):
        hint = None  # an overload listing; the fix hint says it in one line
    if code == OPTIONAL_CODE and hint is None:
        hint = "check for None first (if value is not None: ...) or give a default"
    text = raw.message
    if _BATCH_STRUCT in text or BATCH_ARGS in text:  # a call_tools pair's arguments
        code = "CV701"
        text = _BATCH_NAME.sub(lambda m: f"{m.group(1)}'s arguments", text)
        text = text.replace(BATCH_ARGS, "")
    message = text if raw.code is None else f"{text} [{raw.code}]"
    return Diagnostic(
        code=code,
        rule=RULE,
        message=message,
        line=line,
        col=col,
        end_line=end_line,
        end_col=end_col,
        hint=hint,
        severity=severity,
    )


def _failed(reason: str) -> Diagnostic:
    return Diagnostic(
        code=UNAVAILABLE_CODE,
        rule=RULE,
        message=f"the type checker failed, not the program: {reason}",
        line=1,
        col=0,
        hint="the program was not checked, so it does not run; retry, or simplify the program "
        "(very large constants, very long programs) if this repeats",
        severity="error",
    )


def typecheck(
    code: str,
    specs: Mapping[str, ToolSpec],
    *,
    known: Iterable[Diagnostic] = (),
    strict: bool = False,
    budget: Budget | None = None,
    program: CheckedProgram | None = None,
) -> list[Diagnostic]:
    """mypy's findings in the program, at the model's own lines and columns (CV701-CV799).

    Severities follow the verdict rule (:mod:`codeact_verify.verdict`): a definite error rejects,
    a data-dependent finding is a warning; ``strict=True`` makes every mypy error an error.
    ``known``: diagnostics already reported by other checks; a mypy finding overlapping one of
    them that is at least as severe is dropped (a warning never hides an error), so one problem
    is reported once (e.g. ``call_tool("get_weather", city=3)`` is
    CV607 from the tool checks, not also CV701). A program that does not parse gets no type
    diagnostics (the syntax check reports it). Never raises on program input; when the checker
    itself fails (invalid stubs, mypy raising, over the time or memory ``budget``), the answer is
    one CV799 *error*: fail closed.

    ``program``: the verifier's :class:`~codeact_verify.checked.CheckedProgram` of ``code``;
    its tree, positions, bound names and tool-call sites are reused (no second parse). A checked
    program of another text or tool set is ignored.
    """
    known = tuple(known)
    checked = checked_program(program, code, specs)
    # the shared tree, read-only while the check runs (no run can take it meanwhile)
    with checked.reading(code, specs) if checked is not None else nullcontext() as shared:
        try:
            code.encode("utf-8")  # lone surrogates: the source rules report them
            tree = shared if shared is not None else parse(code)
        except (SyntaxError, ValueError):  # UnicodeError is a ValueError; source rules report it
            return []
        except (RecursionError, MemoryError) as exc:  # the verifier's parse held, ours did not
            return [_failed(f"the program could not be parsed for the type check ({exc!r})")]
        try:
            stub_text = stubs_module(specs)  # once per check: the key and the check share it
            key = _result_key(code, stub_text, specs, known, strict)
            cached = _results.get(key) if key is not None else None
            if cached is not None:
                return list(cached)
            found = _typecheck(
                code,
                tree,
                specs,
                known,
                strict,
                budget or DEFAULT_BUDGET,
                checked if shared is not None else None,
                stub_text,
            )
        except CheckerFailed as exc:
            return [_failed(str(exc))]
        except Exception as exc:  # a bug here must not let the program through
            return [_failed(f"{type(exc).__name__}: {exc}")]
    if key is not None:
        _results.put(key, tuple(found))
    return found


class _Results:
    """The last findings per exact (program, tool stubs, known diagnostics, strictness), so a
    program checked again (an agent's retry, a fuzz campaign's repeats) does not pay mypy again.

    Only completed checks are kept (a checker failure, CV799, is never remembered), and the key
    holds everything the answer depends on: mypy sees nothing else.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.items: dict[tuple[Any, ...], tuple[Diagnostic, ...]] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[Diagnostic, ...] | None:
        with self.lock:
            found = self.items.pop(key, None)
            if found is not None:
                self.items[key] = found  # most recently used last
            return found

    def put(self, key: tuple[Any, ...], found: tuple[Diagnostic, ...]) -> None:
        with self.lock:
            self.items[key] = found
            while len(self.items) > self.size:
                self.items.pop(next(iter(self.items)))

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_results = _Results()
#: Programs longer than this are checked every time (the cache stays small).
_CACHE_MAX_CHARS = 20_000


def remember_findings(enabled: bool) -> bool:
    """Switch remembering findings per exact program on (the default) or off (and forget them);
    returns the previous setting (to restore it).

    Benchmarks of the checker itself switch it off, so a program timed again is checked again.
    """
    global _remember
    previous, _remember = _remember, enabled
    _results.clear()
    return previous


_remember = True


def _result_key(
    code: str,
    stub_text: str,
    specs: Mapping[str, ToolSpec],
    known: tuple[Diagnostic, ...],
    strict: bool,
) -> tuple[Any, ...] | None:
    if not _remember or len(code) > _CACHE_MAX_CHARS:
        return None
    return (code, stub_text, tuple(specs), known, strict)


# Work a caller wants done while mypy checks the program: the worker is another process, so
# host work done between sending the check and reading its answer costs no wall time (the
# executor prepares the run there: `executor._Steps.prepare`). It gets the checked program
# and the diagnostics found so far; it runs at most once per check, only reads the tree, and
# can never change the verdict: whatever it raises is ignored.
Meanwhile = Callable[[CheckedProgram, tuple[Diagnostic, ...]], None]
_meanwhile: ContextVar[Meanwhile | None] = ContextVar("codeact_verify_meanwhile", default=None)


@contextmanager
def while_checking(work: Meanwhile) -> Iterator[None]:
    """Within the block, a type check that sends its program to the mypy worker calls
    ``work(checked_program, diagnostics_so_far)`` before it waits for the answer."""
    token = _meanwhile.set(work)
    try:
        yield
    finally:
        _meanwhile.reset(token)


def _work_meanwhile(parsed: CheckedProgram | None, known: tuple[Diagnostic, ...]) -> bool:
    """Do the caller's work (`while_checking`), if any; True when it ran: it may have taken
    the checked program's tree for the run (`CheckedProgram.take_tree`), which rewrites it, so
    the check must not read that tree again. What the work raises goes on, as anything raised
    in the type check does (an `Exception` fails the check closed, CV799; a KeyboardInterrupt
    reaches the caller), and the worker, whose answer is then never read, is stopped."""
    work = _meanwhile.get()
    if work is None or parsed is None:
        return False
    _meanwhile.set(None)  # once
    work(parsed, known)
    return True


def _program_messages(messages: list[dict[str, Any]], stubs: _Stubs) -> list[dict[str, Any]]:
    out = []
    for m in messages:
        name = Path(str(m.get("file", ""))).name
        if name == f"{_PROGRAM_MODULE}.py":
            out.append(m)
        elif name.startswith(("cv_tools_", "cv_lenient_")) and m.get("severity") == "error":
            raise CheckerFailed(f"the tools' stubs do not type-check: {m.get('message')}")
    return out


def _typecheck(
    code: str,
    tree: ast.Module,
    specs: Mapping[str, ToolSpec],
    known: tuple[Diagnostic, ...],
    strict: bool,
    budget: Budget,
    parsed: CheckedProgram | None = None,
    stub_text: str | None = None,
) -> list[Diagnostic]:
    if parsed is not None and parsed.index is not None:
        code_lines, index, everywhere = parsed.lines, parsed.index, parsed.bound
        bound = parsed.module_bound
    else:
        code_lines, index = SourceLines(code), find_tool_calls(tree, specs)
        everywhere, bound = frozenset(index.bound), frozenset(bound_names(tree, module_level=True))
    batch_edits = _batch_edits(index, everywhere, code_lines, specs)
    batches = [
        (opening.start, closing.start, opening.text[len(BATCH_ARGS) : -1])
        for opening, closing in zip(batch_edits[::2], batch_edits[1::2], strict=True)
    ]
    result = transpile_tree(tree, code, specs, batch_edits, bound=everywhere, lines=code_lines)
    checked = _blank_comments(result.code)
    lines = _LINE_BREAK.split(checked)  # not str.splitlines: \f and \x1c do not end a line
    program_lines = len(lines) - (1 if lines[-1] == "" else 0)
    text = stub_text if stub_text is not None else stubs_module(specs)
    stubs = _stub_cache.get(text)
    if stubs is None:
        stubs = _stub_cache[text] = _stubs_for(text, specs)
        if len(_stub_cache) > 64:
            _stub_cache.pop(next(iter(_stub_cache)))
    # Only the stub names the program's text mentions (any word of it, strings included, so a
    # string annotation counts): a name it never mentions cannot change the check, and a `from`
    # import statement costs mypy's fine-grained update about as much as the rest of a
    # `print(1+1)` check, whatever the number of names; the plain `import` next to nothing.
    # The module itself is always imported, so stubs that do not type-check still fail the
    # check (CV799) whatever the program uses.
    words = set(_WORD.findall(checked))
    if not checked.isascii():  # Python reads `ｇet_weather` as `get_weather` (NFKC, red5/16)
        words |= {unicodedata.normalize("NFKC", w) for w in words}
    imported = sorted((stubs.names - bound) & words)
    body = checked
    if body and not body.endswith(("\n", "\r")):
        body += "\n"

    def program(module: str) -> str:
        names = f"from {module} import {', '.join(imported)}\n" if imported else ""
        return f"{body}import {module}\n{names}"

    with _lock:
        worker = _get_worker(budget)
        main = {stubs.module: stubs.text}
        try:
            since = worker.request(main, program(stubs.module))
            # the tree may be taken for the run meanwhile: parsed again below if needed
            reread = _work_meanwhile(parsed, known)
            answer = worker.answer(main, since)
        except CheckerFailed:
            raise
        except BaseException:
            # interrupted anywhere between the request and its answer (Ctrl-C, a signal
            # handler's exception, what the work done meanwhile raised): the answer will
            # never be read, so the worker goes (red13/60, red14/65)
            worker.abandon()
            raise
        messages = _program_messages(answer, stubs)
        has_error = any(m.get("severity") == "error" for m in messages)
        definite: set[tuple[int, int, str]] | None = None
        if has_error and not strict:
            lenient = _program_messages(
                worker.check(
                    {stubs.lenient_module: stubs.lenient_text}, program(stubs.lenient_module)
                ),
                stubs,
            )
            definite = {
                (int(m.get("line") or 1), int(m.get("column") or 0), str(m.get("code")))
                for m in lenient
                if m.get("severity") == "error" and not relaxed_message(str(m.get("message")))
            }
    if has_error and reread:
        tree = parse(code)  # the text the verifier parsed: the same tree
    origins = NoneOrigins(tree, code, stubs.optional, code_lines) if has_error else None
    out: list[Diagnostic] = []
    seen: set[tuple[int, int, str]] = set()
    last: Diagnostic | None = None
    known_spans = KnownSpans(known)
    for m in messages:
        line = int(m.get("line") or 1)
        if line > program_lines:
            continue  # the appended stub import
        raw = _Raw(
            line=line,
            col=int(m.get("column") or 0),
            end_line=int(m.get("end_line") or line),
            end_col=int(m.get("end_column") or 0),
            message=str(m.get("message", "")),
            code=m.get("code"),
            severity=str(m.get("severity", "error")),
            hint=m.get("hint"),
        )
        if raw.code in _TYPE_MISMATCH_CODES and _typeddict_as_dict(raw.message, stubs.structs):
            last = None
            continue
        if raw.severity == "note":
            if raw.message.lstrip().startswith(_NOISY_NOTES):
                continue  # overload listings: long, and the fix hint says it in one line
            if last is not None and out and out[-1] is last:
                extra = raw.message.strip()
                hint = f"{last.hint} {extra}" if last.hint else extra
                out[-1] = last = dataclasses.replace(last, hint=hint)
            continue
        diagnostic = _diagnostic(raw, result.position_map, lines)
        if diagnostic.code == OPTIONAL_CODE:
            tool = origins.from_tool(diagnostic.line, diagnostic.col) if origins else None
            if tool is not None:
                diagnostic = dataclasses.replace(
                    diagnostic,
                    severity="error",
                    hint=f"{tool} returns None when it has no answer (declared `X | None`): "
                    "check first (if value is not None: ...) or give a default",
                )
            elif strict:
                diagnostic = dataclasses.replace(diagnostic, severity="error")
        elif definite is not None and (
            (raw.line, raw.col, str(raw.code)) not in definite or relaxed_message(raw.message)
        ):
            diagnostic = dataclasses.replace(
                diagnostic,
                severity="warning",
                hint=(
                    "depends on the data (a union, Literal/Enum or mixed-type value): it runs, "
                    "and tool values are checked at run time; to be sure, convert (float(x)) "
                    "or check with isinstance()"
                    + (f". {diagnostic.hint}" if diagnostic.hint else "")
                ),
            )
        if diagnostic.severity == "error" and not diagnostic.hint:
            hint = _fix_hint(raw.message, stubs)
            hint = _BATCH_NAME.sub(lambda m: f"{m.group(1)}'s arguments", hint)
            diagnostic = dataclasses.replace(diagnostic, hint=hint)
        tool = _batch_tool(batches, code_lines, diagnostic)
        if tool is not None and _BATCH_STRUCT not in diagnostic.message:
            diagnostic = dataclasses.replace(
                diagnostic, code="CV701", message=f"{tool} (call_tools): {diagnostic.message}"
            )
        key = (diagnostic.line, diagnostic.col, diagnostic.message)
        warn_key = (diagnostic.line, diagnostic.col, diagnostic.code)
        if key in seen or known_spans.covers(diagnostic):
            last = None
            continue
        if diagnostic.severity == "warning" and warn_key in seen:
            last = None
            continue  # one data-dependent warning per place is enough
        seen.add(key)
        seen.add(warn_key)
        out.append(diagnostic)
        last = diagnostic
    out.sort(key=lambda d: (d.line, d.col, d.code))
    return out


def warm_up(
    specs: Mapping[str, ToolSpec] | None = None, modules: Iterable[str] = WARM_MODULES
) -> None:
    """Start the mypy worker and load the standard library and the tool stubs once.

    Optional: without it the first check pays instead.
    """
    program = "".join(f"import {m}\n" for m in modules) + "x = 1\n"
    typecheck(program, specs or {})

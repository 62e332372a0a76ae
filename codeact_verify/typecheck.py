"""Types: mypy, in-process and warm, on the program rewritten to call the tools' typed stubs.

How a check runs:

1. The program is transpiled (``call_tool("get_weather", city=c)`` -> ``get_weather(city=c)``), its
   comments are blanked (so ``# type: ignore`` and ``# mypy:`` comments cannot switch checks off),
   and one line is appended: ``from cv_tools_<hash> import get_weather, call_tool, ...``. Nothing
   before that line moves, so mypy's lines are the model's lines (mypy resolves module-level names
   regardless of where the import sits).
2. ``cv_tools_<hash>.pyi`` is :func:`codeact_verify.tools.stubs_module` for the tool set; its name
   is a hash of its text, so a changed tool set is a new module and no file is rewritten in place.
3. mypy runs in-process in its fine-grained incremental mode (the engine behind ``dmypy``, without
   a daemon): the standard library and the stubs stay loaded in memory between checks, and each
   check re-analyses only the program (a few ms instead of ~40 ms for ``mypy.api.run`` with a warm
   disk cache on this machine). The program file is always reported to mypy as changed, so mypy's
   whole-second mtime + size check can never skip a new program.
4. Every error in the program is mapped back to the model's line and column (mypy's columns on
   non-ASCII lines are skewed by the UTF-8 length of the text before them: both are undone).

Settings, chosen for model-written code: untyped functions are checked (``--check-untyped-defs``);
a variable may be re-bound with a new type (``--allow-redefinition``); an empty ``[]``/``{}`` needs
no annotation; a tool's TypedDict result may go where the model annotated a plain ``dict``;
missing imports are left to the import rule. Optional values are strict, but an error
that is only about ``None`` (an ``Optional`` result used without a check, ``re.match(...).group()``)
is a *warning* (CV704): shown to the model, not blocking. One check at a time (a lock).
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import threading
import tokenize
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Severity
from .toolcalls import bound_names, parse
from .tools import ToolSpec, stubs_module
from .transpile import PositionMap, transpile_tree

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
    "CV704": "a value that may be None is used without a check (warning)",
    "CV705": "an operator applied to types it does not support",
    "CV706": "an assignment or return of the wrong type",
    "CV709": "any other mypy error",
    "CV799": "the type check could not run (warning; the program is not blocked by it)",
}

#: The default grammar's modules: `warm_up()` loads them once so no later check pays for them.
WARM_MODULES: tuple[str, ...] = (
    "json", "math", "cmath", "re", "datetime", "statistics", "collections", "itertools",
    "functools", "decimal", "fractions", "random", "string", "textwrap", "operator", "heapq",
    "bisect", "typing", "unicodedata", "difflib", "base64", "hashlib", "calendar", "csv", "uuid",
)  # fmt: skip

_MYPY_FLAGS: tuple[str, ...] = (
    "--show-column-numbers",
    "--show-error-end",
    "--show-error-codes",
    "--no-error-summary",
    "--hide-error-context",
    "--no-color-output",
    "--output=json",
    "--check-untyped-defs",
    "--allow-redefinition",
    "--ignore-missing-imports",
    "--follow-imports=silent",
    "--no-site-packages",
    "--disable-error-code=var-annotated",
    "--disable-error-code=annotation-unchecked",
    "--disable-error-code=unused-coroutine",
)

_PROGRAM_MODULE = "cv_program"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _default_workdir_parent() -> Path | None:
    try:
        import platformdirs

        parent = Path(platformdirs.user_cache_dir("codeact-verify")) / "mypy"
        parent.mkdir(parents=True, exist_ok=True)
        return parent
    except Exception:  # read-only home, no platformdirs: fall back to the temp dir
        return None


class _MypyEngine:
    """One in-process fine-grained mypy build, its work directory and its stub modules."""

    def __init__(self) -> None:
        parent = _default_workdir_parent()
        self.workdir = Path(
            tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=str(parent) if parent else None)
        )
        atexit.register(shutil.rmtree, self.workdir, True)
        self.program = self.workdir / f"{_PROGRAM_MODULE}.py"
        # stub text hash -> (module, top-level names, TypedDict names)
        self.stub_names: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {}
        self.server: Any = None
        self.sources: Any = None

    def _start(self) -> None:
        from mypy.dmypy_server import Server
        from mypy.main import process_options

        self.program.write_text("", encoding="utf-8")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            sources, options = process_options(
                [*_MYPY_FLAGS, str(self.program)], require_targets=True
            )
        options.mypy_path = [str(self.workdir)]
        self.sources = sources
        self.server = Server(options, str(self.workdir / "status.json"))

    def stubs(self, specs: Mapping[str, ToolSpec]) -> tuple[str, frozenset[str], frozenset[str]]:
        """The stub module for this tool set (written once), its names and its TypedDicts."""
        text = stubs_module(specs)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        known = self.stub_names.get(digest)
        if known is not None:
            return known
        module = f"cv_tools_{digest}"
        path = self.workdir / f"{module}.pyi"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        names: set[str] = set()
        structs: set[str] = set()
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and b.id == "TypedDict" for b in node.bases
            ):
                structs.add(node.name)
        result = (module, frozenset(names), frozenset(structs))
        self.stub_names[digest] = result
        return result

    def check(self, text: str) -> list[dict[str, Any]]:
        """mypy's messages (errors and notes) for the program text, as dicts."""
        from mypy.fswatcher import FileData

        if self.server is None:
            self._start()
        self.program.write_text(text, encoding="utf-8")
        if self.server.fine_grained_manager is not None:
            # never trust mtime/size: the program is always new
            self.server.fswatcher.set_file_data(str(self.program), FileData(0.0, -1, ""))
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            result = self.server.check(self.sources, False, False, 80)
        messages: list[dict[str, Any]] = []
        for line in str(result.get("out", "")).splitlines():
            line = line.strip()
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    messages.append(json.loads(line))
        return messages


_lock = threading.Lock()
_engine: _MypyEngine | None = None


def _get_engine() -> _MypyEngine:
    global _engine
    if _engine is None:
        _engine = _MypyEngine()
    return _engine


def _reset_engine() -> None:
    global _engine
    if _engine is not None:
        _engine.server = None


def _blank_comments(code: str) -> str:
    """Comments replaced by '#' and spaces: same length, no `type: ignore` / `mypy:` pragmas."""
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


def _is_about_none(message: str) -> bool:
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
    if _is_about_none(raw.message):
        code, severity = OPTIONAL_CODE, "warning"
    hint = raw.hint
    if code == OPTIONAL_CODE and hint is None:
        hint = "check for None first (if value is not None: ...) or give a default"
    message = raw.message if raw.code is None else f"{raw.message} [{raw.code}]"
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


def typecheck(
    code: str,
    specs: Mapping[str, ToolSpec],
    *,
    known: Iterable[Diagnostic] = (),
) -> list[Diagnostic]:
    """mypy's errors in the program, at the model's own lines and columns (codes CV701-CV799).

    ``known``: diagnostics already reported by other checks; a mypy error overlapping one of them
    is dropped, so one problem is reported once (e.g. ``call_tool("get_weather", city=3)`` is
    CV607 from the tool checks, not also CV701). A program that does not parse gets no type
    diagnostics (the syntax check reports it). Never raises on program input.
    """
    try:
        code.encode("utf-8")  # lone surrogates: the source rules report them
        tree = parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # UnicodeError is a ValueError
        return []
    result = transpile_tree(tree, code, specs)
    bound = bound_names(tree, module_level=True)
    checked = _blank_comments(result.code)
    lines = _LINE_BREAK.split(checked)  # not str.splitlines: \f and \x1c do not end a line
    program_lines = len(lines) - (1 if lines[-1] == "" else 0)
    with _lock:
        try:
            messages, structs = _run(checked, specs, bound)
        except Exception as first:  # an internal mypy failure must not take the verifier down
            _reset_engine()
            try:
                messages, structs = _run(checked, specs, bound)
            except Exception:
                return [
                    Diagnostic(
                        code=UNAVAILABLE_CODE,
                        rule=RULE,
                        message=f"the type check could not run: {type(first).__name__}: {first}",
                        line=1,
                        col=0,
                        severity="warning",
                    )
                ]
    out: list[Diagnostic] = []
    known_list = list(known)
    seen: set[tuple[int, int, str]] = set()
    last: Diagnostic | None = None
    for m in messages:
        if Path(str(m.get("file", ""))).name != f"{_PROGRAM_MODULE}.py":
            continue
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
        if raw.code in _TYPE_MISMATCH_CODES and _typeddict_as_dict(raw.message, structs):
            last = None
            continue
        if raw.severity == "note":
            if last is not None and out and out[-1] is last:
                extra = raw.message.strip()
                hint = f"{last.hint} {extra}" if last.hint else extra
                out[-1] = last = dataclasses.replace(last, hint=hint)
            continue
        diagnostic = _diagnostic(raw, result.position_map, lines)
        key = (diagnostic.line, diagnostic.col, diagnostic.message)
        if key in seen or any(_overlaps(diagnostic, k) for k in known_list):
            last = None
            continue
        seen.add(key)
        out.append(diagnostic)
        last = diagnostic
    out.sort(key=lambda d: (d.line, d.col, d.code))
    return out


def _run(
    checked: str, specs: Mapping[str, ToolSpec], bound: set[str]
) -> tuple[list[dict[str, Any]], frozenset[str]]:
    engine = _get_engine()
    module, names, structs = engine.stubs(specs)
    imported = sorted(names - bound)
    text = checked
    if text and not text.endswith(("\n", "\r")):
        text += "\n"
    if imported:
        text += f"from {module} import {', '.join(imported)}\n"
    return engine.check(text), structs


def warm_up(
    specs: Mapping[str, ToolSpec] | None = None, modules: Iterable[str] = WARM_MODULES
) -> None:
    """Load mypy, the standard-library modules a program may import and the tool stubs once.

    Optional: without it the first check (and the first import of each module) pays instead.
    """
    program = "".join(f"import {m}\n" for m in modules) + "x = 1\n"
    typecheck(program, specs or {})

"""`CheckedProgram`: a program as the verifier parsed it, for the later stages to reuse.

`verify` parses the program once (Python's own parser, `syntax.parse`) and keeps what it
learned: the text, the `ast` tree, the line starts for positions (`SourceLines`), the names the
program binds and the tool-call sites (`toolcalls.ToolCallIndex`). It rides on the report
(`Report.program`), and the type check, the transpiler and the host's restricted transform take
the tree from it instead of parsing the text again.

Safety: a checked program serves only the exact text it was made from (`serves(text)`: the same
string, compared in full) and, for the tool-call sites, the same tool names; anything else parses
anew. The tree is shared read-only, with one exception: the run hands it to the host's
restricted transform, which rewrites it in place. `take_tree` gives it out once, under a lock;
from then on the checked program has no tree (and no tool-call sites, whose nodes were in it),
and any later stage that wants one parses the text again, as it would without a checked program.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .digest import text_digest
from .syntax import SourceLines, bound_names
from .toolcalls import ToolCallIndex


class CheckedProgram:
    """A parsed, verified program: text, tree, positions, bound names, tool-call sites."""

    def __init__(
        self,
        text: str,
        tree: ast.Module,
        lines: SourceLines,
        index: ToolCallIndex,
        tools: frozenset[str],
    ) -> None:
        self.text = text
        self.lines = lines
        self.tools = tools
        #: every name the program binds, anywhere (`syntax.BINDERS`, collected by the finder)
        self.bound: frozenset[str] = frozenset(index.bound)
        self._tree: ast.Module | None = tree
        self._index: ToolCallIndex | None = index
        self._module_bound: frozenset[str] | None = None
        self._digest: str | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        state = "consumed" if self._tree is None else f"{len(self.lines.starts)} line(s)"
        return f"<CheckedProgram {self.digest[:12]} {state}>"

    # -- identity -----------------------------------------------------------------------------
    @property
    def digest(self) -> str:
        """SHA-256 of the text (UTF-8, lone surrogates kept)."""
        if self._digest is None:
            self._digest = text_digest(self.text)
        return self._digest

    def serves(self, text: str, tools: Mapping[str, Any] | None = None) -> bool:
        """True when this checked program was made from exactly ``text`` (and, when given, for
        exactly these tool names) and still has its tree."""
        if self._tree is None or not (text is self.text or text == self.text):
            return False
        return tools is None or frozenset(tools) == self.tools

    # -- what later stages read ------------------------------------------------------------------
    @property
    def tree(self) -> ast.Module | None:
        """The `ast` tree (read-only), or None once a run took it."""
        return self._tree

    @property
    def index(self) -> ToolCallIndex | None:
        """The tool-call sites, rebindings and name uses, or None once a run took the tree."""
        return self._index

    @property
    def module_bound(self) -> frozenset[str]:
        """The names the program binds in its global scope."""
        if self._module_bound is None:
            tree = self._tree
            self._module_bound = frozenset(
                bound_names(tree, module_level=True) if tree is not None else ()
            )
        return self._module_bound

    @contextmanager
    def reading(
        self, text: str, tools: Mapping[str, Any] | None = None
    ) -> Iterator[ast.Module | None]:
        """The tree for reading while the block runs (no `take_tree` meanwhile), or None when
        this checked program does not serve ``text``/``tools`` (then parse it yourself)."""
        with self._lock:
            yield self._tree if self.serves(text, tools) else None

    def take_tree(self, text: str) -> ast.Module | None:
        """The tree, for a transform that rewrites it in place: given out once, for ``text``
        only. None when it was taken already or the text is another."""
        with self._lock:
            if not self.serves(text):
                return None
            tree, self._tree, self._index = self._tree, None, None
            return tree

    # -- pickling (a report may cross a process boundary): the lock does not travel ---------------
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()


def checked_program(
    program: object, text: str, tools: Mapping[str, Any] | None = None
) -> CheckedProgram | None:
    """``program`` when it is a checked program serving ``text`` (and ``tools``), else None."""
    if isinstance(program, CheckedProgram) and program.serves(text, tools):
        return program
    return None

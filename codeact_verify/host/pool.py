"""Sandboxes kept by configuration, with the staged `/input` and the `/output` directories.

A `CodeAct` and its `snapshot()`s share one pool, so a run-scoped copy (Agent Framework's
`create_run_tool()`) reuses the warm sandbox of the same mounts, domains and limits.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .inputs import FileMount, stage_inputs, tree_signature

if TYPE_CHECKING:
    from .sandbox import Sandbox


class SandboxPool:
    """Sandboxes by configuration, plus the staged `/input` and the `/output` directories.

    Shared by a `CodeAct` and its `snapshot()`s, so a run-scoped copy reuses the warm sandbox
    of the same mounts, domains and limits. A few configurations are kept; older ones retire.
    """

    KEEP = 4

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._sandboxes: dict[Any, Sandbox] = {}
        self._inputs: dict[Any, tuple[tempfile.TemporaryDirectory[str], Any]] = {}
        self._output: tempfile.TemporaryDirectory[str] | None = None

    def output_dir(self) -> Path:
        with self.lock:
            if self._output is None:
                self._output = tempfile.TemporaryDirectory(prefix="codeact-output-")
            return Path(self._output.name)

    def input_dir(self, workspace_root: Path | None, file_mounts: Sequence[FileMount]) -> Path:
        """The staged copy of these inputs, copied again when a source changed."""
        key = (workspace_root, tuple(file_mounts))
        sources = ([workspace_root] if workspace_root else []) + [
            Path(m.host_path) for m in file_mounts
        ]
        signature = tuple(tree_signature(p) for p in sources)
        with self.lock:
            held = self._inputs.get(key)
            if held is None:
                held = (tempfile.TemporaryDirectory(prefix="codeact-input-"), None)
            directory, staged = held
            if staged != signature:
                stage_inputs(Path(directory.name), workspace_root, file_mounts)
                self._inputs[key] = (directory, signature)
            return Path(directory.name)

    def get(self, key: Any, make: Any) -> Sandbox:
        with self.lock:
            box = self._sandboxes.pop(key, None)
            if box is None:
                box = make()
            self._sandboxes[key] = box  # most recent last
            while len(self._sandboxes) > self.KEEP:
                # retired, not closed: a run of another thread may be in it, or about to
                # start (red9/30); its threads end once nothing refers to it
                oldest = next(iter(self._sandboxes))
                self._sandboxes.pop(oldest).retire()
            return box

    def close(self) -> None:
        with self.lock:
            for box in self._sandboxes.values():
                box.close()
            self._sandboxes.clear()
            for directory, _ in self._inputs.values():
                directory.cleanup()
            self._inputs.clear()
            if self._output is not None:
                self._output.cleanup()
                self._output = None

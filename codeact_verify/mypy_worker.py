"""The mypy worker: a child process that keeps one fine-grained mypy build warm.

Run by :mod:`codeact_verify.typecheck` as ``python -I mypy_worker.py MEMORY_BYTES WORKDIR``; it
imports nothing from this package (only mypy and the standard library), so a failure in mypy can
only take this process down, never the host. Before loading mypy it lowers its own address-space
limit (``RLIMIT_AS``) to ``MEMORY_BYTES``: a program that makes mypy allocate without bound gets a
``MemoryError`` here (or the process dies), and the host sees a failed check. The host also keeps
a wall-clock deadline per check and kills this process when it is over.

Protocol, one JSON object per line. The host writes requests to stdin::

    {"stubs": {"cv_tools_<hash>": "<pyi text>", ...}, "program": "<text>"}

and reads one answer per request from stdout (the real stdout; mypy's own prints go to stderr)::

    {"ok": true, "messages": [<mypy --output=json message>, ...]}
    {"ok": false, "error": "OverflowError: ..."}

The first line written is ``{"ready": true}``, after the warm-up program (the standard-library
modules named on stdin's first line) has been checked once. After an internal mypy failure the
worker answers ``ok: false`` and exits: its build may be inconsistent, and the host starts a new
one for the next program. At EOF on stdin it removes its work directory and exits.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

PROGRAM_MODULE = "cv_program"

MYPY_FLAGS: tuple[str, ...] = (
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


def limit_memory(limit: int) -> None:
    """Lower this process's address-space limit (never raise it); silently absent off Linux."""
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


class Engine:
    """One fine-grained mypy build (the engine behind dmypy, without a daemon)."""

    def __init__(self, workdir: Path) -> None:
        from mypy.dmypy_server import Server
        from mypy.main import process_options

        self.workdir = workdir
        self.program = workdir / f"{PROGRAM_MODULE}.py"
        self.program.write_text("", encoding="utf-8")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            sources, options = process_options(
                [*MYPY_FLAGS, str(self.program)], require_targets=True
            )
        options.mypy_path = [str(workdir)]
        self.sources = sources
        self.server = Server(options, str(workdir / "status.json"))

    def write_stubs(self, stubs: dict[str, str]) -> None:
        for module, text in stubs.items():
            if not module.isidentifier():
                raise ValueError(f"bad stub module name {module!r}")
            path = self.workdir / f"{module}.pyi"
            if not path.exists():
                tmp = path.with_suffix(".tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)

    def _write_program(self, text: str) -> None:
        """A new file each time (unlink, then create): rewriting one in place costs 2-5 ms on
        ext4 (truncating a file with data forces its blocks out), creating one 0.05 ms."""
        with contextlib.suppress(FileNotFoundError):
            self.program.unlink()
        fd = os.open(self.program, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    def check(self, text: str) -> list[dict[str, Any]]:
        self._write_program(text)
        with (
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            manager = self.server.fine_grained_manager
            if manager is None:  # the first check: the whole build
                lines = str(self.server.check(self.sources, False, False, 80).get("out", ""))
            else:
                # The program is the one file that changes, so say so instead of letting the
                # server stat every watched file and search for newly added suppressed modules
                # (half of a small check's time). The program is always reported as changed
                # (mypy's whole-second mtime + size check can never skip it), and its imports,
                # a new stub module among them, are resolved again on every update.
                try:
                    lines = "\n".join(
                        manager.update([(PROGRAM_MODULE, str(self.program))], [])
                    )
                finally:
                    self.server.fscache.flush()
                    manager.flush_cache()
        messages: list[dict[str, Any]] = []
        for line in lines.splitlines():
            line = line.strip()
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    messages.append(json.loads(line))
        return messages


def _answer(out: TextIO, obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj) + "\n")
    out.flush()


def main(argv: list[str]) -> int:
    memory, workdir = int(argv[1]), Path(argv[2])
    limit_memory(memory)
    # the protocol owns the real stdout; anything else printed goes to stderr
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        warm = json.loads(sys.stdin.readline() or "{}")
        engine = Engine(workdir)
        engine.write_stubs(warm.get("stubs", {}))
        engine.check(str(warm.get("program", "")))
        _answer(out, {"ready": True})
        for line in sys.stdin:
            request = json.loads(line)
            try:
                engine.write_stubs(request.get("stubs", {}))
                messages = engine.check(str(request["program"]))
            except BaseException as exc:  # reported to the host, then exit
                _answer(out, {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
                return 1
            _answer(out, {"ok": True, "messages": messages})
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

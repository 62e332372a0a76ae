"""The warm checker daemon: `check` requests over a Unix socket, answered by the in-process code.

Run by `codeact-verify daemon start` (or `CODEACT_VERIFY_DAEMON=auto`) as
``python -m codeact_verify.cli.warm.server [--idle-minutes M] [--replace]``. It takes the lock in
its private directory (:mod:`.paths`; a second daemon exits at once), loads the verifier and
starts the mypy worker (:func:`codeact_verify.typecheck.warm_up`), and only then binds
``daemon.sock`` (mode 0600), so a client never waits on a daemon that is still warming up. Each
connection is one request; a peer of another user is refused (``SO_PEERCRED``). A check runs
:func:`codeact_verify.cli.run_args` exactly as the command line would, in the client's working
directory, with the client's stdin, its output captured: the client prints the same bytes and
exits with the same code. Tools files come from a :class:`.tools_cache.ToolsCache` (reloaded
when they change); packaged grammar profiles are re-read on every request. Requests are served
one at a time. The daemon exits on ``stop``, SIGTERM, or after ``--idle-minutes`` without a
request (0: never).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import io
import json
import os
import signal
import socket
import sys
import time
from typing import Any

from ... import __version__
from . import paths, wire
from .client import identity
from .tools_cache import ToolsCache


class _Terminate(BaseException):
    """SIGTERM: leave, even from inside a tools file's import (which catches Exception, and
    the check, SystemExit)."""


class Daemon:
    def __init__(self, directory: str, idle_minutes: float) -> None:
        self.directory = directory
        self.socket_path = os.path.join(directory, paths.SOCKET)
        self.idle_seconds = idle_minutes * 60 if idle_minutes > 0 else None
        self.identity = identity()
        self.tools = ToolsCache()
        self.started = time.time()
        self.checks = 0
        self.sock: socket.socket | None = None
        self.inode: int | None = None
        self.running = True

    # -- life cycle -----------------------------------------------------------------------------
    def warm_up(self) -> None:
        from ... import verifier  # noqa: F401  (loads the rules, grammar and tool checks)
        from ...typecheck import warm_up

        warm_up()

    def bind(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)  # a stale socket: we hold the lock, so it is not live
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(self.socket_path)
        finally:
            os.umask(old)
        os.chmod(self.socket_path, 0o600)
        self.inode = os.stat(self.socket_path).st_ino
        sock.listen(16)
        self.sock = sock
        pid_path = os.path.join(self.directory, paths.PID)
        with open(pid_path + ".tmp", "w", encoding="ascii") as fh:
            fh.write(f"{os.getpid()}\n")
        os.replace(pid_path + ".tmp", pid_path)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        with contextlib.suppress(OSError):
            if self.inode is not None and os.stat(self.socket_path).st_ino == self.inode:
                os.unlink(self.socket_path)
        with contextlib.suppress(OSError, ValueError):
            pid_path = os.path.join(self.directory, paths.PID)
            with open(pid_path, encoding="ascii") as fh:
                mine = int(fh.read().strip()) == os.getpid()
            if mine:
                os.unlink(pid_path)

    def serve(self) -> None:
        assert self.sock is not None
        while self.running:
            self.sock.settimeout(self.idle_seconds)
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                return  # idle for too long
            with conn:
                self.handle(conn)

    # -- one connection -------------------------------------------------------------------------
    def handle(self, conn: socket.socket) -> None:
        if not paths.peer_is_this_user(conn):
            return
        conn.settimeout(30.0)
        try:
            request = wire.read_message(conn)
            answer = self.answer(request)
        except (OSError, wire.WireError) as exc:
            answer = [("error", f"bad request: {exc}".encode())]
        except Exception as exc:  # a bug here: the client checks in-process, the daemon goes on
            answer = [("error", f"the daemon failed: {type(exc).__name__}: {exc}".encode())]
        with contextlib.suppress(OSError):
            conn.settimeout(30.0)
            conn.sendall(wire.encode(answer))

    def answer(self, request: wire.Fields) -> wire.Fields:
        op = wire.field(request, "op", b"")
        if op == b"ping":
            return [("ident", self.identity.encode("utf-8", "surrogateescape"))]
        if op == b"status":
            return [("status", json.dumps(self.status()).encode("utf-8"))]
        if op == b"stop":
            self.running = False
            return [("stopped", str(os.getpid()).encode("ascii"))]
        if op != b"check":
            return [("error", b"unknown request")]
        ident = (wire.field(request, "ident") or b"").decode("utf-8", "surrogateescape")
        if ident != self.identity:
            return [("error", b"another version of codeact-verify or of its source runs here")]
        argv = [os.fsdecode(v) for k, v in request if k == "arg"]
        cwd = os.fsdecode(wire.field(request, "cwd") or b"/")
        columns = (wire.field(request, "columns") or b"80").decode("ascii", "replace")
        path0 = wire.field(request, "pathzero")
        try:
            code, out, err = self.check(
                argv, cwd, wire.field(request, "stdin"), columns,
                None if path0 is None else os.fsdecode(path0),
            )  # fmt: skip
        except _NotHere as exc:
            return [("error", f"not for the daemon: {exc}".encode())]
        self.checks += 1
        return [
            ("exit", str(code).encode("ascii")),
            ("stdout", out.encode("utf-8", "surrogatepass")),
            ("stderr", err.encode("utf-8", "surrogatepass")),
        ]

    def check(
        self,
        argv: list[str],
        cwd: str,
        stdin: bytes | None,
        columns: str,
        path0: str | None = None,
    ) -> tuple[int, str, str]:
        from ...grammar import _read_profile
        from .. import run_args

        if _uses_mcp(argv):
            raise _NotHere("--mcp: the MCP servers start with the client's environment")
        _read_profile.cache_clear()  # an edited packaged profile is read again
        out, err = io.StringIO(), io.StringIO()
        saved = (os.getcwd(), sys.stdin, os.environ.get("COLUMNS"))
        saved_path0 = sys.path[0] if sys.path else None
        try:
            if path0 is not None and sys.path:
                # the client's first import directory, not the one this daemon started in: a
                # tools file's `import helper` finds what it finds in-process (red4/10)
                sys.path[0] = path0
            os.chdir(cwd)
            os.environ["COLUMNS"] = columns if columns.isdigit() else "80"
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = run_args(argv, specs_loader=self.tools.load)
                except SystemExit as exc:  # argparse's usage errors and --help
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
                    if isinstance(exc.code, str):
                        print(exc.code, file=sys.stderr)
        finally:
            if saved_path0 is not None and sys.path:
                sys.path[0] = saved_path0
            os.chdir(saved[0])
            sys.stdin = saved[1]
            if saved[2] is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = saved[2]
        return code, out.getvalue(), err.getvalue()

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "version": __version__,
            "identity": self.identity,
            "socket": self.socket_path,
            "python": sys.executable,
            "started": self.started,
            "uptime_s": round(time.time() - self.started, 1),
            "checks": self.checks,
            "tools_files": sorted(self.tools.entries),
            "tools_loads": self.tools.loads,
            "idle_minutes": (self.idle_seconds or 0) / 60,
        }


class _NotHere(Exception):
    """A command the client runs in-process instead."""


def _uses_mcp(argv: list[str]) -> bool:
    """Whether the command line asks for MCP servers (parsed as the command would be)."""
    from .. import build_parser

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            args = build_parser().parse_args(argv)
        except SystemExit:
            return False  # a usage error: the check reports it
    return bool(getattr(args, "mcp", None))


def _stop_other(path: str) -> None:
    """Ask a running daemon (another version) to stop, and wait for its lock."""
    from .client import request

    with contextlib.suppress(OSError, wire.WireError):
        request(path, [("op", b"stop")], seconds=10.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeact_verify.cli.warm.server")
    parser.add_argument("--idle-minutes", type=float, default=0.0)
    parser.add_argument("--replace", action="store_true", help="stop a running daemon first")
    args = parser.parse_args(argv)
    directory = paths.private_dir(create=True)
    assert directory is not None
    # not the directory it was started in: that one may be removed while the daemon runs, and
    # every check would then fail to come back to it (red4/12); a request's imports start from
    # the client's own sys.path[0] (sent with it)
    os.chdir(directory)
    lock = open(os.path.join(directory, paths.LOCK), "a")  # held (and locked) for our life
    if args.replace:
        _stop_other(os.path.join(directory, paths.SOCKET))
    deadline = time.monotonic() + (15.0 if args.replace else 0.0)
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            if time.monotonic() >= deadline:
                print("another daemon is running", file=sys.stderr)
                return 0
            time.sleep(0.05)
    daemon = Daemon(directory, args.idle_minutes)
    def terminate(*_: object) -> None:
        raise _Terminate

    signal.signal(signal.SIGTERM, terminate)
    try:
        daemon.warm_up()
        daemon.bind()
        print(f"listening on {daemon.socket_path} (pid {os.getpid()})", file=sys.stderr)
        sys.stderr.flush()
        daemon.serve()
    except _Terminate:
        pass
    finally:
        daemon.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

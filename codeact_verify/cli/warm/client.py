"""The client side of the warm checker, used by `codeact-verify check` before anything else.

It imports only ``os``, ``sys``, ``_socket`` and this package's framing: no argparse, no verifier,
no mypy. :func:`check` sends the command line (as typed), the working directory, the terminal
width and, for ``-``, the program from stdin, and prints the daemon's answer: the same bytes and
exit code the in-process `check` gives, because the daemon runs that same code. It returns None
(the caller then checks in-process) when the daemon is off, not running, of another version or
source, or fails in any way; ``CODEACT_VERIFY_DAEMON=verbose`` says why on stderr.

``CODEACT_VERIFY_DAEMON`` (comma-separated words): unset, use a running daemon; ``off``, never;
``auto``, start one in the background when none runs (this check still runs in-process; the
daemon exits after 30 idle minutes); ``verbose``, a note on stderr when the daemon is not used.
"""

from __future__ import annotations

import os
import sys

from ... import __version__
from . import paths, wire

#: Bump when the request or answer fields change.
PROTOCOL = "1"
CONNECT_SECONDS = 2.0
#: Waiting for an answer: the tools file's import, and the checker's own budget with a restart.
ANSWER_SECONDS = 300.0
AUTO_IDLE_MINUTES = 30.0


def identity() -> str:
    """What must match between client and daemon: protocol, version, environment, and the
    package's source files (paths, sizes, mtimes), so an upgrade or an edit is never served by a
    daemon still running the old code."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    count = size = newest = 0
    stack = [root]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith((".py", ".toml", ".json")):
                    info = entry.stat()
                    count += 1
                    size += info.st_size
                    newest = max(newest, info.st_mtime_ns)
    return f"{PROTOCOL} {__version__} {sys.prefix} {root} {count}:{size}:{newest}"


def options() -> set[str]:
    return {w.strip() for w in os.environ.get("CODEACT_VERIFY_DAEMON", "").split(",")} - {""}


def note(words: set[str], message: str) -> None:
    if "verbose" in words:
        print(f"codeact-verify: daemon: {message}", file=sys.stderr)


def socket_path(create: bool = False) -> str | None:
    found = paths.private_dir(create)
    return None if found is None else os.path.join(found, paths.SOCKET)


def request(path: str, fields: wire.Fields, seconds: float = ANSWER_SECONDS) -> wire.Fields:
    """One request and its answer. Raises OSError (incl. timeouts) or WireError."""
    # The C module under `socket`: `socket` itself loads selectors and enum for nothing used here
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_SECONDS)
        sock.connect(path)
        if not paths.peer_is_this_user(sock):
            raise wire.WireError("the daemon's socket belongs to another user")
        sock.settimeout(seconds)
        sock.sendall(wire.encode(fields))
        return wire.read_message(sock)
    finally:
        sock.close()


def _columns() -> str:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return columns
    try:
        return str(os.get_terminal_size(sys.__stdout__.fileno()).columns)  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return "80"


def check(argv: list[str]) -> int | None:
    """`check` through the daemon: its exit code, or None to check in-process instead."""
    words = options()
    if "off" in words or "-h" in argv or "--help" in argv:
        return None
    try:
        path = socket_path(create="auto" in words)
    except paths.UnsafeDir as exc:
        note(words, f"not used: {exc}")
        return None
    if path is None or not os.path.exists(path):
        if "auto" in words and path is not None:
            start_in_background()
            note(words, "not running; starting one in the background, this check in-process")
        else:
            note(words, "not running; checking in-process")
        return None
    stdin = sys.stdin.buffer.read() if "-" in argv[1:] else None
    fields: wire.Fields = [
        ("op", b"check"),
        ("ident", identity().encode("utf-8", "surrogateescape")),
        ("cwd", os.fsencode(os.getcwd())),
        # where the client's own imports start (`python -m`: its cwd; a console script: its
        # bin directory): a tools file's `import helper` resolves there, as in-process
        ("pathzero", os.fsencode(sys.path[0] if sys.path else "")),
        ("columns", _columns().encode("ascii")),
        *[("arg", os.fsencode(arg)) for arg in argv],
    ]
    if stdin is not None:
        fields.append(("stdin", stdin))
    try:
        answer = request(path, fields)
        error = wire.field(answer, "error")
        if error is not None:
            raise wire.WireError(error.decode("utf-8", "replace"))
        code = int(wire.field(answer, "exit", b"") or b"x")
        out = (wire.field(answer, "stdout") or b"").decode("utf-8", "surrogatepass")
        err = (wire.field(answer, "stderr") or b"").decode("utf-8", "surrogatepass")
    except (OSError, ValueError, wire.WireError) as exc:
        why = str(exc) or type(exc).__name__
        if "auto" in words and "another version" in why:
            start_in_background(replace=True)
        elif "auto" in words and isinstance(exc, ConnectionRefusedError | FileNotFoundError):
            start_in_background()  # a stale socket: the new daemon replaces it
        note(words, f"not used ({why}); checking in-process")
        if stdin is not None:  # the in-process check reads the same program
            import io

            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        return None
    sys.stdout.write(out)
    sys.stdout.flush()
    sys.stderr.write(err)
    return code


def start_in_background(*, replace: bool = False, idle_minutes: float = AUTO_IDLE_MINUTES) -> None:
    """Start a daemon without waiting for it (it binds its socket once warm)."""
    import subprocess

    command = [sys.executable, "-m", "codeact_verify.cli.warm.server"]
    command += ["--idle-minutes", str(idle_minutes)]
    if replace:
        command.append("--replace")
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        pass

"""`codeact-verify daemon start|stop|status`: the warm checker for `check`.

A `check` from the command line pays for loading the verifier and starting mypy (about half a
second here, more on a busy machine).
The daemon keeps both warm: `check` then sends the program to it over a Unix socket in a private
per-user directory and prints the same output with the same exit code. With no daemon running
(or another version, or any failure) `check` runs in-process as before.
Exit codes: start 0 (running) / 3 (did not come up); stop 0; status 0 running, 1 not running;
2 usage error or an unsafe daemon directory.
Environment: CODEACT_VERIFY_DAEMON=off (never use it), auto (start one on the first `check`,
exits after 30 idle minutes), verbose (say on stderr when `check` does not use it);
CODEACT_VERIFY_DAEMON_DIR (its directory).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from .warm import client, paths, wire

EXIT_OK, EXIT_NOT_RUNNING, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
START_SECONDS = 180.0


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "daemon",
        help="start, stop or query the warm checker that `check` uses",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(
        dest="action", metavar="ACTION", required=True, help="start, stop or status"
    )
    start = sub.add_parser("start", help="start the daemon in the background (if not running)")
    start.add_argument(
        "--idle-minutes",
        type=float,
        default=0.0,
        metavar="M",
        help="exit after M minutes without a request (default: 0, never)",
    )
    sub.add_parser("stop", help="stop the daemon (nothing to do if none runs)")
    status = sub.add_parser("status", help="is it running; its pid, socket, version, counts")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _ask(op: bytes, seconds: float = 10.0) -> wire.Fields | None:
    path = client.socket_path()
    if path is None or not os.path.exists(path):
        return None
    try:
        return client.request(path, [("op", op)], seconds=seconds)
    except (OSError, wire.WireError):
        return None  # not listening: a stale socket, or starting up


def _status() -> dict[str, Any] | None:
    answer = _ask(b"status")
    raw = wire.field(answer or [], "status")
    return json.loads(raw) if raw else None


def run(args: argparse.Namespace) -> int:
    try:
        directory = paths.private_dir(create=args.action == "start")
    except paths.UnsafeDir as exc:
        print(f"codeact-verify daemon: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "status":
        info = _status() if directory else None
        if args.json:
            print(json.dumps({"running": info is not None, **(info or {})}))
        elif info is None:
            stuck = paths.daemon_pid(directory) if directory else None
            print(
                "codeact-verify daemon: not running"
                if stuck is None
                else f"codeact-verify daemon: not answering (pid {stuck}); `daemon stop` ends it"
            )
        else:
            current = info.get("identity") == client.identity()
            print(
                f"codeact-verify daemon: running (pid {info['pid']}), socket {info['socket']}, "
                f"version {info['version']}{'' if current else ' (another version or source)'}, "
                f"{info['checks']} checks, up {info['uptime_s']:.0f} s"
            )
        return EXIT_OK if info is not None else EXIT_NOT_RUNNING
    if args.action == "stop":
        return _stop(directory)
    return _start(args.idle_minutes)


def _stop(directory: str | None) -> int:
    answer = _ask(b"stop")
    stopped = wire.field(answer or [], "stopped")
    pid = int(stopped) if stopped and stopped.isdigit() else None
    if pid is None and directory is not None:
        pid = paths.daemon_pid(directory)  # alive but not answering (stuck in a tools file)
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
    if pid is None:
        print("codeact-verify daemon: not running")
        return EXIT_OK
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.02)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    print(f"codeact-verify daemon: stopped (pid {pid})")
    return EXIT_OK


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    try:  # a child of ours that exited is a zombie until reaped: not alive
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _start(idle_minutes: float) -> int:
    info = _status()
    replace = False
    if info is not None:
        if info.get("identity") == client.identity():
            print(f"codeact-verify daemon: already running (pid {info['pid']})")
            return EXIT_OK
        replace = True  # another version or source: replace it
    directory = paths.private_dir(create=True)
    assert directory is not None
    log_path = os.path.join(directory, paths.LOG)
    command = [sys.executable, "-m", "codeact_verify.cli.warm.server"]
    command += ["--idle-minutes", str(idle_minutes)] + (["--replace"] if replace else [])
    with open(log_path, "ab") as log:
        os.chmod(log_path, 0o600)
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        info = _status()
        if info is not None and info.get("identity") == client.identity():
            print(
                f"codeact-verify daemon: started (pid {info['pid']}), socket {info['socket']}"
            )
            return EXIT_OK
        if proc.poll() is not None and info is None:
            break  # it exited: another one won the lock, or it failed
        time.sleep(0.05)
    info = _status()
    if info is not None and info.get("identity") == client.identity():
        print(f"codeact-verify daemon: running (pid {info['pid']}), socket {info['socket']}")
        return EXIT_OK
    print(f"codeact-verify daemon: did not start; see {log_path}", file=sys.stderr)
    return EXIT_FAILED

"""Where the daemon lives: one private directory per user, checked before every use.

``$CODEACT_VERIFY_DAEMON_DIR`` if set, else ``$XDG_RUNTIME_DIR/codeact-verify`` when that
runtime directory exists, else ``/tmp/codeact-verify-<uid>`` (``$TMPDIR`` instead of ``/tmp``
when set). The directory is created with mode 0700; it is used only when it is a real directory
(not a symlink) owned by this user with no group or other permissions, under parents no other
user can change (this user's or root's, writable by others only when sticky), so another user can
neither plant a socket for this user's client nor reach this user's daemon. It holds
``daemon.sock`` (0600), ``daemon.lock`` (held by the running daemon), ``daemon.pid``,
``daemon.log``.
"""

from __future__ import annotations

import os
import stat

SOCKET = "daemon.sock"
LOCK = "daemon.lock"
LOG = "daemon.log"
PID = "daemon.pid"


class UnsafeDir(Exception):
    """The daemon directory exists but is not private to this user."""


def daemon_dir() -> str:
    explicit = os.environ.get("CODEACT_VERIFY_DAEMON_DIR")
    if explicit:
        return os.path.abspath(explicit)
    uid = os.getuid()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return os.path.join(runtime, "codeact-verify")
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", f"codeact-verify-{uid}")


def _check_ancestors(path: str) -> None:
    """Raise :class:`UnsafeDir` when another user could rename ``path`` (resolved) away and put
    a directory of theirs, with a socket that answers "ok" to every check, in its place: every
    directory above it must be this user's or root's, writable by others only when sticky.
    The same rule as ``mypy_cache._check_ancestors`` (see there why there are two)."""
    uid = os.getuid()
    parent = os.path.dirname(path)
    while True:
        info = os.lstat(parent)
        if info.st_uid not in (uid, 0):
            raise UnsafeDir(f"{parent} belongs to another user (uid {info.st_uid})")
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            raise UnsafeDir(
                f"{parent} is writable by other users (mode {stat.S_IMODE(info.st_mode):o})"
            )
        up = os.path.dirname(parent)
        if up == parent:
            return
        parent = up


def private_dir(create: bool) -> str | None:
    """The daemon directory, made if ``create``; None if it does not exist (and not made).

    Raises :class:`UnsafeDir` when it exists and is not a 0700 directory of this user.
    """
    path = daemon_dir()
    path = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
    if create:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeDir(f"{path} is not a directory")
    if info.st_uid != os.getuid():
        raise UnsafeDir(f"{path} belongs to another user (uid {info.st_uid})")
    if info.st_mode & 0o077:
        raise UnsafeDir(f"{path} is open to other users (mode {stat.S_IMODE(info.st_mode):o})")
    _check_ancestors(path)  # red5/18: a parent others can write lets them swap the directory
    return path


def daemon_pid(directory: str) -> int | None:
    """The pid in ``daemon.pid`` when that process is alive and (where ``/proc`` says) is this
    package's daemon; None otherwise. For stopping a daemon that does not answer."""
    try:
        with open(os.path.join(directory, PID), encoding="ascii") as fh:
            pid = int(fh.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            command = fh.read()
    except OSError:
        return pid  # no /proc here: the lock-holding daemon wrote it
    return pid if b"codeact_verify.cli.warm.server" in command else None


def peer_is_this_user(sock: object) -> bool:
    """The process at the other end of a connected Unix socket runs as this user (Linux
    ``SO_PEERCRED``; elsewhere only the private directory vouches for it). Both sides ask: the
    daemon refuses another user's client, and the client does not believe another user's daemon
    (one that got its socket in place would otherwise answer "ok" to every check)."""
    import _socket
    import struct

    option = getattr(_socket, "SO_PEERCRED", None)
    if option is None:
        return True
    try:
        creds = sock.getsockopt(_socket.SOL_SOCKET, option, struct.calcsize("3i"))  # type: ignore[attr-defined]
    except OSError:
        return False
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())

"""The helpers the program gets for files in mounts and for HTTP through the host.

Files: only paths inside a mounted directory (WASI preopens set by the host); writes only in
a writable mount, within a per-run byte budget. HTTP: performed by the host, which checks its
allow-list; the guest itself has no sockets.
"""

import json as _json
import os
import posixpath
import stat as _stat

import wit_world
from componentize_py_types import Err

from .abi import STICKY_CALL_KINDS
from .state import STATE, FinalAnswer


class Mounts:
    def __init__(self):
        self.mounts = []  # [(guest_dir, read_only)]
        self.output_dir = None

    def reset(self, mounts, output_dir):
        self.mounts = [(posixpath.normpath(m["guest"]), bool(m["read_only"])) for m in mounts]
        self.output_dir = output_dir

    def describe(self):
        if not self.mounts:
            return "no directories are mounted"
        return ", ".join(f"{d} ({'ro' if ro else 'rw'})" for d, ro in self.mounts)

    def resolve(self, path, write=False):
        if not isinstance(path, str):
            raise TypeError(f"path must be a str, got {type(path).__name__}")
        if not path.startswith("/"):
            raise PermissionError(f"path {path!r} must be absolute (mounts: {self.describe()})")
        norm = posixpath.normpath(path)
        for guest_dir, read_only in self.mounts:
            if norm == guest_dir or norm.startswith(guest_dir.rstrip("/") + "/"):
                if write and read_only:
                    raise PermissionError(f"{guest_dir} is mounted read-only; cannot write {path}")
                return norm
        raise PermissionError(f"path {path!r} is outside every mount ({self.describe()})")


MOUNTS = Mounts()


def _regular(real, path, must_exist=True):
    """Refuse anything but a regular file (a named pipe, a device: opening or reading one can
    block in WASI host code, where neither the time limit nor the host can stop it; red9/35).
    A file that does not exist yet passes when `must_exist` is False (a write creates it)."""
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        if must_exist:
            raise
        return
    if not _stat.S_ISREG(mode):
        kind = "a directory" if _stat.S_ISDIR(mode) else "not a regular file"
        raise OSError(f"{path} is {kind}; only regular files can be read or written")


def read_text(path):
    """Read a text file (UTF-8) from a mounted directory."""
    real = MOUNTS.resolve(path)
    _regular(real, path)
    with open(real, encoding="utf-8") as fh:
        return fh.read()


def write_text(path, text):
    """Write a text file (UTF-8) in a writable mount."""
    if not isinstance(text, str):
        raise TypeError(f"write_text() text must be a str, got {type(text).__name__}")
    real = MOUNTS.resolve(path, write=True)
    data = text.encode("utf-8")
    budget = STATE.limits.get("max_write_bytes")
    if budget is not None and STATE.written_bytes + len(data) > budget:
        raise STATE.hit("limit", f"file write limit of {budget} bytes per run exceeded")
    max_files = STATE.limits.get("max_write_files")
    if max_files is not None and STATE.written_files + 1 > max_files:
        raise STATE.hit("limit", f"file write limit of {max_files} files per run exceeded")
    _regular(real, path, must_exist=False)
    STATE.written_bytes += len(data)
    STATE.written_files += 1
    with open(real, "wb") as fh:
        fh.write(data)


def read_json(path):
    """Read and parse a JSON file from a mounted directory."""
    return _json.loads(read_text(path))


def write_json(path, data):
    """Write `data` as JSON in a writable mount."""
    write_text(path, _json.dumps(data, ensure_ascii=False, indent=2))


def list_dir(path=None):
    """Names in a mounted directory (sorted); `list_dir("/")` lists the mount points."""
    if path is None:
        path = MOUNTS.output_dir or (MOUNTS.mounts[0][0] if MOUNTS.mounts else "/")
    if isinstance(path, str) and posixpath.normpath(path) == "/":
        return sorted(d.lstrip("/") for d, _ in MOUNTS.mounts)
    real = MOUNTS.resolve(path)
    return sorted(os.listdir(real))


_MISSING = object()


def http_request(method, url, *, headers=None, body=None, json=_MISSING, timeout=None):
    """An HTTP request performed by the host for allow-listed targets.

    Returns {"status", "headers", "text", "url"}; raises PermissionError for a target that is
    not allowed and ConnectionError when the request fails.
    """
    if not isinstance(method, str) or not isinstance(url, str):
        raise TypeError("http_request(method, url): both must be str")
    if headers is not None and not (
        isinstance(headers, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise TypeError("http_request(): headers must be a dict[str, str]")
    if json is not _MISSING:
        if body is not None:
            raise TypeError("http_request(): pass body or json, not both")
        body = _json.dumps(json)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/json")
    if body is not None and not isinstance(body, str):
        raise TypeError("http_request(): body must be a str")
    if timeout is not None and not isinstance(timeout, (int, float)):
        raise TypeError("http_request(): timeout must be a number")
    limit = STATE.limits.get("max_http_requests")
    if limit is not None and STATE.http_requests + 1 > limit:
        raise STATE.hit("limit", f"HTTP request limit of {limit} per run exceeded")
    STATE.http_requests += 1
    request = {
        "method": method.upper(),
        "url": url,
        "headers": headers or {},
        "body": body,
        "timeout": timeout,
    }
    try:
        payload = wit_world.http_request(_json.dumps(request))
    except Err as err:
        try:
            info = _json.loads(err.value)
        except ValueError:
            info = {"kind": "network", "message": err.value}
        kind = info.get("kind")
        message = info.get("message", "")
        if kind == "denied":
            raise PermissionError(message) from None
        if kind in STICKY_CALL_KINDS:  # ends the run, like a tool call's
            raise STATE.hit(kind, message) from None
        raise ConnectionError(message) from None
    return _json.loads(payload)


def http_get(url, *, headers=None, timeout=None):
    """GET `url` through the host (allow-listed targets only)."""
    return http_request("GET", url, headers=headers, timeout=timeout)


def final_answer(text):
    """Give `text` as the final answer to the user and end the program.

    The host returns it as the answer; with one-turn answers on, the agent loop ends without
    another model turn. Counts against the output limit like printed text.
    """
    if not isinstance(text, str):
        raise TypeError(f"final_answer() text must be a str, got {type(text).__name__}")
    limit = int(STATE.limits.get("output_bytes") or 65536)
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise STATE.hit("output", f"the final answer is over the output limit of {limit} bytes")
    if STATE.final_answer is None:
        STATE.final_answer = text
    raise FinalAnswer()

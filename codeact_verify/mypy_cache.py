"""mypy's cache of the standard library, kept on disk between processes.

A new mypy worker (:mod:`codeact_verify.mypy_worker`) used to build the standard library's
types from typeshed every time (about 2 s of a one-shot ``codeact-verify check``). Now the first
worker of a mypy installation writes mypy's fine-grained cache of the warm-up modules (the
standard library the grammar allows, and what they import) once, and every later worker starts
its fine-grained build from it (``use_fine_grained_cache``, the way ``dmypy`` starts from a
cache), in tens of milliseconds.

What is cached: only typeshed's standard-library stubs, never a program or a tool's stubs (those
live in the worker's private work directory and are checked on every start).

Where: ``$CODEACT_VERIFY_MYPY_CACHE`` (a directory, or ``off`` to switch the cache off), else
``mypy-cache/`` under ``$CODEACT_VERIFY_CACHE``, else under the user's cache directory
(``~/.cache/codeact-verify/mypy-cache`` on Linux), next to the sandbox guest's cache. The
directory is created 0700 and used only when it is a real directory (not a symlink) of this user
that neither group nor others can write, under parents that no other user can change (each
worker checks again when it starts); otherwise, or when it cannot be created (a read-only
home), the worker builds without a cache, as before. Nothing fails because of the cache.

Staleness: one subdirectory per key, the SHA-256 of mypy's version and location, the
interpreter, this module's and the worker's source (so mypy's flags and how the cache is made),
mypy's cache-relevant options and the warm-up modules. Inside, a manifest written last lists
every cache file with its SHA-256 and every typeshed file the cache was built from with its
SHA-256 (plus typeshed's ``VERSIONS`` and its top-level listing). A worker uses an entry only when
all of it checks out, the set of files included (nothing missing, nothing added); a changed
typeshed file, a truncated or corrupt cache file or a stray one means the entry is rebuilt.

Concurrency: an entry is built in a fresh temporary directory beside it and published with one
``rename``; an entry is never written after that (a rebuild renames the old one away first).
Of two processes that build at once, one publishes; the other drops its build and uses the
published entry once it checks out.

Imports only the standard library (mypy is passed in by the worker, which loads this file by
path): the worker must not import the package.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ENV = "CODEACT_VERIFY_MYPY_CACHE"
ROOT_ENV = "CODEACT_VERIFY_CACHE"
OFF = frozenset({"off", "0", "no", "false", "none"})
#: Bumped when the layout or the way an entry is made changes.
FORMAT = "1"
MANIFEST = "codeact-verify-manifest.json"


class UnsafeCacheDir(OSError):
    """The cache directory exists but another user owns it or others can write to it."""


def _check_ancestors(path: Path) -> None:
    """Raise :class:`UnsafeCacheDir` when another user could rename ``path`` away and put a
    directory of theirs in its place: every directory above it (``path`` is resolved) must be
    this user's or root's, and writable by group or others only when sticky (like ``/tmp``).
    Its twin is ``cli/warm/paths._check_ancestors``: the mypy worker loads this file alone, by
    path (no package imports), and the daemon client must not import hashlib/json/tempfile, so
    neither can import the other."""
    uid = os.getuid()
    for parent in path.parents:
        info = os.lstat(parent)
        if info.st_uid not in (uid, 0):
            raise UnsafeCacheDir(f"{parent} belongs to another user (uid {info.st_uid})")
        if info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            raise UnsafeCacheDir(
                f"{parent} is writable by other users (mode {stat.S_IMODE(info.st_mode):o})"
            )


def private_dir(path: Path) -> Path:
    """``path`` created 0700 (parents as needed), its parents resolved; raises OSError when it
    cannot be made or :class:`UnsafeCacheDir` when it is a symlink, not a directory, another
    user's, or writable by group or others, or when a directory above it lets another user
    replace it (red5/15: checked once, by name, a shared parent let another user swap in a
    directory of theirs before the next worker started)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path = Path(os.path.realpath(path.parent)) / path.name
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeCacheDir(f"{path} is not a directory")
    if info.st_uid != os.getuid():
        raise UnsafeCacheDir(f"{path} belongs to another user (uid {info.st_uid})")
    if info.st_mode & 0o022:
        raise UnsafeCacheDir(
            f"{path} is writable by other users (mode {stat.S_IMODE(info.st_mode):o})"
        )
    _check_ancestors(path)
    return path


def configured_dir() -> Path | None:
    """Where the cache should live (not created), or None when switched off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in OFF and value:
        return None
    if value:
        return Path(value).expanduser()
    root = os.environ.get(ROOT_ENV, "").strip()
    if root:
        return Path(root).expanduser() / "mypy-cache"
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - a dependency
        return None
    return Path(platformdirs.user_cache_dir("codeact-verify")) / "mypy-cache"


def cache_dir() -> tuple[Path | None, str]:
    """The usable cache directory (created 0700) and, when there is none, why not."""
    path = configured_dir()
    if path is None:
        return None, f"switched off (${ENV})"
    try:
        return private_dir(path), ""
    except OSError as exc:  # read-only home, another user's directory, ...
        return None, f"not used: {exc}"


def _sha256(path: str | Path) -> str:
    with open(path, "rb") as fh:  # small files (a cache entry is a few MB in all)
        return hashlib.sha256(fh.read()).hexdigest()


def entry_key(parts: Mapping[str, Any]) -> str:
    """The subdirectory name for one configuration (``parts`` must be JSON)."""
    me = Path(__file__)
    data = dict(parts)
    data["format"] = FORMAT
    data["cache_module"] = _sha256(me)
    text = json.dumps(data, sort_keys=True, default=str)
    return "v" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def typeshed_fingerprint(typeshed_stdlib: Path) -> dict[str, str]:
    """What decides which stdlib module a name resolves to: ``VERSIONS`` and the listing."""
    out: dict[str, str] = {}
    versions = typeshed_stdlib / "VERSIONS"
    out["VERSIONS"] = _sha256(versions) if versions.is_file() else "missing"
    names = sorted(os.listdir(typeshed_stdlib)) if typeshed_stdlib.is_dir() else []
    out["listing"] = hashlib.sha256("\n".join(names).encode()).hexdigest()
    return out


def _files(root: Path, prefix: str = "") -> dict[str, str]:
    """Every file under ``root`` (relative name -> path), the manifest excepted. A symlink or
    anything else that is neither a file nor a directory counts as a file (and fails the
    check: it cannot match a hash)."""
    out: dict[str, str] = {}
    with os.scandir(root) as entries:
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                out.update(_files(Path(entry.path), rel + "/"))
            elif rel != MANIFEST:
                out[rel] = entry.path
    return out


def write_manifest(
    entry: Path, sources: Iterable[str], fingerprint: Mapping[str, str]
) -> None:
    """Record every file of ``entry`` and every source it was built from; written last."""
    files = {rel: _sha256(path) for rel, path in sorted(_files(entry).items())}
    manifest = {
        "format": FORMAT,
        "files": files,
        "sources": {src: _sha256(src) for src in sorted(set(sources))},
        "typeshed": dict(fingerprint),
    }
    tmp = entry / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    tmp.replace(entry / MANIFEST)


def check_entry(entry: Path, fingerprint: Mapping[str, str]) -> str:
    """'' when ``entry`` is complete and current, else why not (missing, stale, corrupt)."""
    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError) as exc:
        return f"corrupt manifest ({type(exc).__name__})"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return "corrupt manifest"
    files, sources = manifest.get("files"), manifest.get("sources")
    if not isinstance(files, dict) or not isinstance(sources, dict) or not files:
        return "corrupt manifest"
    if manifest.get("typeshed") != dict(fingerprint):
        return "stale: typeshed's module list changed"
    try:
        present = _files(entry)
        if set(present) != set(files):
            return "corrupt: files missing or added"
        for rel, digest in files.items():
            if _sha256(present[rel]) != digest:
                return f"corrupt: {rel} changed"
        for src, digest in sources.items():
            if _sha256(src) != digest:
                return f"stale: {src} changed"
    except OSError as exc:
        return f"unreadable ({type(exc).__name__}: {exc})"
    return ""


def new_entry_dir(root: Path, key: str) -> Path:
    """A fresh private directory beside the entry, to build into."""
    return Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=str(root)))


def discard(path: Path) -> None:
    """Remove a directory: first renamed away (one atomic step), so that no process can pick up
    a half-removed entry, then deleted."""
    trash = path.with_name(f".trash-{path.name}-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        os.rename(path, trash)
    except OSError:
        return  # gone already (another process discarded it)
    shutil.rmtree(trash, ignore_errors=True)


#: Entries kept (other mypy versions, interpreters, virtual environments); older ones go.
KEEP = 8


def sweep(root: Path, keep: str = "", older_than: float = 3600.0) -> None:
    """Remove what killed workers left behind (unfinished builds and half-removed entries older
    than ``older_than`` seconds) and all but the :data:`KEEP` most recently built entries
    besides ``keep``. A process still starting from a removed entry falls back to building
    without the cache."""
    now = time.time()
    built: list[tuple[float, Path]] = []
    with contextlib.suppress(OSError), os.scandir(root) as found:
        for item in list(found):
            with contextlib.suppress(OSError):
                if item.name.startswith((".build-", ".trash-")):
                    if now - item.stat(follow_symlinks=False).st_mtime > older_than:
                        shutil.rmtree(item.path, ignore_errors=True)
                elif item.name.startswith("v") and item.name != keep:
                    built.append((os.stat(Path(item.path) / MANIFEST).st_mtime, Path(item.path)))
    for _mtime, path in sorted(built, reverse=True)[KEEP - 1 :]:
        discard(path)


def publish(built: Path, entry: Path) -> bool:
    """Move a finished build into place (one ``rename``); False when another process published
    one first."""
    try:
        os.rename(built, entry)
    except OSError:
        return False
    return True

"""Build the sandbox guest component and cache it, with its compiled (serialised) form.

The component is built from `sandbox/` (the WIT world and the guest runtime, shipped as the
`codeact_verify.guest` package) plus RestrictedPython, with componentize-py, offline. The cache
entry lives under the user's cache dir (or `$CODEACT_VERIFY_CACHE`), keyed by the hash of the
sources and the componentize-py, RestrictedPython and wasmtime versions. Each file's SHA-256 is
recorded in a manifest and checked before loading, so a corrupted or stale entry is rebuilt,
never loaded.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import GuestBuildError
from .policy import default_policy_text

WORLD = "sandbox"
APP_MODULE = "guest"
CACHE_ENV = "CODEACT_VERIFY_CACHE"
# Bumped when the engine configuration or the cache layout changes.
CACHE_FORMAT = "1"
ENGINE_SIGNATURE = "epoch_interruption=1"

Progress = Callable[[str], None]


def _stderr_progress(message: str) -> None:
    print(f"codeact-verify: {message}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    """The cache directory: `$CODEACT_VERIFY_CACHE` or the platform's user cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("codeact-verify"))


def guest_source_dir() -> Path:
    """The `sandbox/` folder as installed (package `codeact_verify.guest`)."""
    return Path(str(importlib.resources.files("codeact_verify.guest")))


def _tree(root: Path, folder: str) -> list[Path]:
    """Every file under ``root/folder``, recursively, but the bytecode caches."""
    found = []
    for path in sorted((root / folder).rglob("*")):
        parts = path.relative_to(root).parts
        if "__pycache__" in parts:
            continue
        if path.is_symlink():
            raise GuestBuildError(f"guest sources hold a symbolic link: {path}")
        if path.is_file():
            found.append(path)
    return found


def _source_files(root: Path) -> list[Path]:
    """What a build stages from a guest source folder, and so what its cache key hashes: the
    same list, so no file can change the guest without changing the key (a package folder
    `runtime/output/` shadows `runtime/output.py`: red-team finding of 2026-12-01)."""
    files = [root / "guest.py", *_tree(root, "wit"), *_tree(root, "runtime")]
    missing = [str(f) for f in files[:1] if not f.is_file()]
    if missing or not any(f.suffix == ".wit" for f in files) or len(files) < 3:
        raise GuestBuildError(f"guest sources are incomplete under {root}: missing {missing}")
    return files


def _restricted_python_dir() -> Path:
    try:
        import RestrictedPython
    except ImportError as exc:  # pragma: no cover - a dependency
        raise GuestBuildError(
            "RestrictedPython is not installed; it is bundled into the guest"
        ) from exc
    return Path(RestrictedPython.__file__).parent


def _restricted_python_files() -> list[Path]:
    """RestrictedPython's files as staged into the guest (and hashed into its key)."""
    rp = _restricted_python_dir()
    return _tree(rp.parent, rp.name)


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("componentize-py", "wasmtime", "RestrictedPython"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            out[dist] = "missing"
    out["machine"] = platform.machine()
    out["format"] = CACHE_FORMAT
    out["engine"] = ENGINE_SIGNATURE
    return out


def cache_key(source_dir: Path | None = None) -> str:
    """SHA-256 over the guest sources, RestrictedPython's sources and the tool versions."""
    root = source_dir or guest_source_dir()
    digest = hashlib.sha256()
    for path in _source_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    rp = _restricted_python_dir()
    for path in _restricted_python_files():
        name = path.relative_to(rp).as_posix().encode()
        digest.update(b"RestrictedPython/" + name + b"\0" + path.read_bytes() + b"\0")
    digest.update(b"default policy\0" + _default_policy_module().encode() + b"\0")
    digest.update(json.dumps(_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class GuestArtifacts:
    """A verified cache entry: the component and its serialised compiled form."""

    key: str
    directory: Path
    wasm: Path
    compiled: Path
    built: bool  # True when this call built (or rebuilt) it
    build_seconds: float


def _entry_dir(key: str) -> Path:
    return cache_root() / "guest" / key[:24]


def _check_entry(directory: Path, key: str) -> bool:
    """True if the entry is complete and every file matches its recorded hash."""
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return False
    if manifest.get("key") != key:
        return False
    for name in ("guest.wasm", "guest.cwasm"):
        path = directory / name
        expected = manifest.get("sha256", {}).get(name)
        if not expected or not path.is_file() or _sha256_file(path) != expected:
            return False
    return True


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


#: The module the build stages beside guest.py: the default policy's text, which the guest
#: parses at build time (`guest.py`: DEFAULT_POLICY).
DEFAULT_POLICY_MODULE = "cv_default_policy"


def _default_policy_module() -> str:
    return f"TEXT = {default_policy_text()!r}\n"


def _stage(source: Path, stage: Path) -> None:
    """Copy exactly the files the cache key hashes (`_source_files`, RestrictedPython's) and
    write the default policy's module, whose text the key hashes too."""
    (stage / f"{DEFAULT_POLICY_MODULE}.py").write_text(_default_policy_module(), encoding="utf-8")
    rp = _restricted_python_dir()
    pairs = [(p, stage / p.relative_to(source)) for p in _source_files(source)]
    pairs += [
        (p, stage / "RestrictedPython" / p.relative_to(rp)) for p in _restricted_python_files()
    ]
    for origin, target in pairs:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)


def _componentize(source: Path, out: Path, stage: Path) -> None:
    """Stage the guest sources with RestrictedPython and run componentize-py on them."""
    _stage(source, stage)
    launcher = (
        "import sys; from componentize_py import script; "
        "sys.argv[0] = 'componentize-py'; sys.exit(script())"
    )
    cmd = [
        sys.executable,
        "-c",
        launcher,
        "-d",
        str(stage / "wit"),
        "-w",
        WORLD,
        "componentize",
        APP_MODULE,
        "-p",
        str(stage),
        "-o",
        str(out),
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    proc = subprocess.run(cmd, cwd=stage, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not out.is_file():
        text = (proc.stderr or proc.stdout or "").split("Stack backtrace:")[0]
        tail = text.strip()[-4000:]
        raise GuestBuildError(f"componentize-py failed (exit {proc.returncode}):\n{tail}")


def _compile(wasm: Path, compiled: Path) -> None:
    from wasmtime.component import Component

    from .wasmtime_engine import shared_engine

    try:
        component = Component.from_file(shared_engine(), str(wasm))
        compiled.write_bytes(bytes(component.serialize()))
    except Exception as exc:
        raise GuestBuildError(f"wasmtime could not compile the guest component: {exc}") from exc


#: Cache entries kept (the newest builds): other checkouts or versions of the package on the same
#: machine keep theirs instead of rebuilding each other's away.
KEEP_ENTRIES = 4


def _prune(current: Path) -> None:
    """Remove all but the KEEP_ENTRIES newest entries (never the one just built)."""
    entries = [
        d
        for d in current.parent.iterdir()
        if d.is_dir() and d != current and not d.name.startswith(".")
    ]
    entries.sort(key=lambda d: d.stat().st_mtime, reverse=True)
    for stale in entries[KEEP_ENTRIES - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)


def ensure_guest(
    *,
    force: bool = False,
    progress: Progress | None = _stderr_progress,
    source: Path | None = None,
) -> GuestArtifacts:
    """Return a verified cache entry, building it first if it is missing, stale or corrupt.

    ``source``: another guest source folder (laid out as `sandbox/`), e.g. an older commit's
    for a benchmark; its entry is keyed by its own files' hash like any other."""
    source = source or guest_source_dir()
    key = cache_key(source)
    directory = _entry_dir(key)
    if not force and _check_entry(directory, key):
        return GuestArtifacts(
            key, directory, directory / "guest.wasm", directory / "guest.cwasm", False, 0.0
        )
    with _lock(cache_root() / "guest" / ".build.lock"):
        if not force and _check_entry(directory, key):  # another process built it meanwhile
            return GuestArtifacts(
                key, directory, directory / "guest.wasm", directory / "guest.cwasm", False, 0.0
            )
        if progress is not None:
            why = (
                "rebuilding on request"
                if force
                else (
                    "cache entry is stale or corrupt, rebuilding"
                    if directory.exists()
                    else "first use: building it (once; about 20 s on 2 idle cores, minutes on "
                    "busy ones)"
                )
            )
            progress(f"sandbox guest: {why} -> {directory}")
        started = time.perf_counter()
        directory.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory.parent, prefix=".build-") as tmp:
            tmp_path = Path(tmp)
            stage = tmp_path / "stage"
            stage.mkdir()
            out = tmp_path / "entry"
            out.mkdir()
            _componentize(source, out / "guest.wasm", stage)
            _compile(out / "guest.wasm", out / "guest.cwasm")
            manifest = {
                "key": key,
                "versions": _versions(),
                "sha256": {
                    name: _sha256_file(out / name) for name in ("guest.wasm", "guest.cwasm")
                },
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
            if directory.exists():
                shutil.rmtree(directory)
            os.replace(out, directory)
        _prune(directory)
        seconds = time.perf_counter() - started
        if progress is not None:
            progress(f"sandbox guest: built in {seconds:.1f} s")
        return GuestArtifacts(
            key, directory, directory / "guest.wasm", directory / "guest.cwasm", True, seconds
        )

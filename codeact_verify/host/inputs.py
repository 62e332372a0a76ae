"""Input files for the program: a workspace root and file mounts, copied under `/input`.

Agent Framework's Hyperlight provider mounts files and directories at paths under `/input`
(`FileMount(host_path, mount_path)`; a bare path string mounts at the same relative path) and
the contents of a workspace root at `/input` itself. WASI preopens only directories, so the
inputs are staged: copied into one directory that the sandbox mounts read-only at `/input`.
Symbolic links are refused (they could point anywhere on the host), and the copy is redone when
a source changes (size or mtime of any file), so the program reads the current contents.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

INPUT_GUEST_DIR = "/input"


class MissingSourceError(FileNotFoundError, ValueError):
    """A mount's host path does not exist (a FileNotFoundError, as in the reference, and a
    ValueError like every other bad mount)."""


class FileMount(NamedTuple):
    """A host file or directory seen by the program at `mount_path` (under `/input`)."""

    host_path: str | Path
    mount_path: str


FileMountInput = str | Path | tuple[str | Path, str] | FileMount


def normalize_mount_path(mount_path: str) -> str:
    """`data/x.json`, `/input/data/x.json` -> `data/x.json` (relative to `/input`)."""
    if not isinstance(mount_path, str) or not mount_path.strip():
        raise ValueError("mount_path must be a non-empty string")
    parts = [
        p for p in PurePosixPath(mount_path.strip().replace("\\", "/")).parts
        if p not in ("", "/", ".")
    ]
    if parts and parts[0] == INPUT_GUEST_DIR.strip("/"):
        parts = parts[1:]
    if ".." in parts:
        raise ValueError(f"mount_path {mount_path!r} must stay within /input")
    if not parts:
        raise ValueError(f"mount_path {mount_path!r} must name a path under /input")
    return "/".join(parts)


def guest_path(mount_path: str) -> str:
    """The path the program sees: `/input/<mount_path>`."""
    return f"{INPUT_GUEST_DIR}/{normalize_mount_path(mount_path)}"


def is_mount_pair(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], str | Path)
        and isinstance(value[1], str)
    )


def normalize_file_mount(entry: Any) -> FileMount:
    """A path string (same relative path under `/input`), a `(host_path, mount_path)` pair or a
    `FileMount`; the host path must exist. Returns `FileMount(resolved host path, "/input/...")`."""
    if isinstance(entry, str | Path) and not isinstance(entry, tuple):
        host, mount = entry, str(entry)
    elif isinstance(entry, FileMount) or is_mount_pair(entry):
        host, mount = entry[0], entry[1]
    else:
        raise ValueError(
            f"cannot use {entry!r} as a file mount; use a path, a (host_path, mount_path) pair "
            "or FileMount(host_path, mount_path)"
        )
    try:
        resolved = Path(host).expanduser().resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise MissingSourceError(f"file mount source {str(host)!r} does not exist") from exc
    return FileMount(resolved, guest_path(mount))


def normalize_file_mounts(value: Any) -> list[FileMount]:
    """One entry (path, pair, `FileMount`) or a sequence of them."""
    if value is None:
        return []
    if isinstance(value, str | Path | FileMount) or is_mount_pair(value):
        return [normalize_file_mount(value)]
    if not isinstance(value, Sequence):
        raise ValueError(f"cannot use {value!r} as file mounts")
    return [normalize_file_mount(entry) for entry in value]


def resolve_workspace_root(value: str | Path | None) -> Path | None:
    if value is None:
        return None
    try:
        root = Path(value).expanduser().resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise MissingSourceError(f"workspace_root {str(value)!r} does not exist") from exc
    if not root.is_dir():
        raise ValueError(f"workspace_root {str(value)!r} is not a directory")
    return root


Signature = tuple[tuple[str, int, int], ...]


def tree_signature(path: Path) -> Signature:
    """(relative path, size, mtime_ns) of every entry under `path`: changes when a source does."""
    out: list[tuple[str, int, int]] = []
    try:
        st = path.stat()
    except OSError:
        return (("", -1, -1),)
    out.append(("", st.st_size if not stat.S_ISDIR(st.st_mode) else 0, st.st_mtime_ns))
    if stat.S_ISDIR(st.st_mode):
        for root, dirs, files in os.walk(path, followlinks=False):
            dirs.sort()
            for name in sorted(files) + dirs:
                full = Path(root) / name
                try:
                    lst = full.lstat()
                except OSError:
                    continue
                out.append((full.relative_to(path).as_posix(), lst.st_size, lst.st_mtime_ns))
    return tuple(out)


def _copy(source: Path, destination: Path) -> None:
    st = source.lstat()
    if stat.S_ISLNK(st.st_mode):
        raise ValueError(f"refusing to mount a symbolic link: {source}")
    if stat.S_ISDIR(st.st_mode):
        destination.mkdir(parents=True, exist_ok=True)
        for child in sorted(source.iterdir()):
            _copy(child, destination / child.name)
        return
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"refusing to mount a special file: {source}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, destination, follow_symlinks=False)


def stage_inputs(
    target: Path, workspace_root: Path | None, file_mounts: Sequence[FileMount]
) -> None:
    """Copy the workspace root's contents, then each mount, into `target` (emptied first).

    `target` itself stays (a sandbox may hold it open as its `/input` preopen)."""
    target.mkdir(parents=True, exist_ok=True)
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if workspace_root is not None:
        for child in sorted(workspace_root.iterdir()):
            _copy(child, target / child.name)
    for mount in file_mounts:
        _copy(Path(mount.host_path), target / normalize_mount_path(mount.mount_path))

"""File mounts (WASI preopens) and the output directory whose new files become artifacts.

A mount exposes exactly one host directory at one guest path, read-only unless asked for;
the guest has no other files. WASI resolves every path inside its preopen, so `..` and
symlinks cannot lead out of a mount.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

import wasmtime

from .result import Artifact, clip_text

OUTPUT_GUEST_DIR = "/output"


@dataclass(frozen=True)
class Mount:
    """A host directory seen by the program at `guest_dir`."""

    host_dir: Path
    guest_dir: str
    read_only: bool = True

    def __post_init__(self) -> None:
        host = Path(self.host_dir).expanduser()
        object.__setattr__(self, "host_dir", host)
        guest = self.guest_dir
        if not isinstance(guest, str) or not guest.startswith("/"):
            raise ValueError(f"mount guest dir must be an absolute path, got {guest!r}")
        norm = posixpath.normpath(guest)
        if norm == "/" or ".." in norm.split("/") or norm != guest.rstrip("/"):
            raise ValueError(f"mount guest dir {guest!r} must be a plain absolute path, not '/'")
        if not host.is_dir():
            raise ValueError(f"mount host dir {str(host)!r} is not a directory")

    @classmethod
    def parse(cls, text: str) -> Mount:
        """`HOST_DIR:GUEST_DIR[:ro|:rw]` (read-only when the mode is left out)."""
        parts = text.split(":")
        mode = "ro"
        if len(parts) == 3:
            mode = parts[2]
        if len(parts) not in (2, 3) or mode not in ("ro", "rw") or not parts[0] or not parts[1]:
            raise ValueError(f"mount must look like HOST_DIR:GUEST_DIR[:ro|:rw], got {text!r}")
        return cls(Path(parts[0]), parts[1], read_only=mode == "ro")

    def to_dict(self) -> dict[str, object]:
        return {"host": str(self.host_dir), "guest": self.guest_dir, "read_only": self.read_only}


def check_mounts(mounts: list[Mount]) -> None:
    seen: set[str] = set()
    for mount in mounts:
        if mount.guest_dir in seen:
            raise ValueError(f"two mounts use the guest dir {mount.guest_dir!r}")
        seen.add(mount.guest_dir)


def wasi_config(mounts: list[Mount]) -> wasmtime.WasiConfig:
    """A WASI configuration with only the mounts preopened: no env, args, stdio or sockets."""
    config = wasmtime.WasiConfig()
    for mount in mounts:
        config.preopen_dir(
            str(mount.host_dir.resolve()), mount.guest_dir, fs_mutable=not mount.read_only
        )
    return config


Snapshot = dict[str, tuple[int, int]]


def snapshot(directory: Path) -> Snapshot:
    """Relative path -> (size, mtime_ns) of regular files under `directory` (no symlinks)."""
    out: Snapshot = {}
    for root, _dirs, files in os.walk(directory, followlinks=False):
        for name in files:
            path = Path(root) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if path.is_symlink() or not path.is_file():
                continue
            out[path.relative_to(directory).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def collect_artifacts(
    directory: Path, before: Snapshot, max_count: int, max_bytes: int
) -> tuple[list[Artifact], str | None]:
    """New or changed files since `before`, capped; files past a cap are removed.

    Returns the artifacts and, if a cap was hit, a message saying so.
    """
    after = snapshot(directory)
    changed = sorted(p for p, meta in after.items() if before.get(p) != meta)
    artifacts: list[Artifact] = []
    total = 0
    dropped = 0
    for rel in changed:
        size = after[rel][0]
        if len(artifacts) >= max_count or total + size > max_bytes:
            dropped += 1
            (directory / rel).unlink(missing_ok=True)
            continue
        total += size
        # a name from the host's file system may not be valid UTF-8 (os.fsdecode): the
        # result carries it cleaned (`\udcff` as text), capped like every boundary string
        shown = clip_text(f"{OUTPUT_GUEST_DIR}/{rel}", 4096)
        artifacts.append(Artifact(shown, clip_text(str(directory / rel), 4096), size))
    problem = None
    if dropped:
        problem = (
            f"output directory limit exceeded ({max_count} files, {max_bytes} bytes): "
            f"{dropped} file(s) removed"
        )
    return artifacts, problem

"""The guest build cache: keyed by sources and versions, verified before loading, corrupt or
stale entries rebuilt (never loaded)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from codeact_verify.host import build


@pytest.fixture(scope="module")
def good_entry() -> build.GuestArtifacts:
    return build.ensure_guest(progress=None)


def test_cache_root_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(build.CACHE_ENV, str(tmp_path / "c"))
    assert build.cache_root() == tmp_path / "c"


def test_key_is_stable_and_covers_sources(tmp_path: Path) -> None:
    key = build.cache_key()
    assert key == build.cache_key() and len(key) == 64
    copy = tmp_path / "guest"
    shutil.copytree(build.guest_source_dir(), copy)
    assert build.cache_key(copy) == key
    (copy / "runtime" / "guards.py").write_text(
        (copy / "runtime" / "guards.py").read_text() + "\n# changed\n"
    )
    assert build.cache_key(copy) != key


def test_every_file_a_build_stages_is_in_the_key(tmp_path: Path) -> None:
    # red-team finding (2026-12-01): only runtime/*.py was hashed, but the build copied the
    # whole folder, so a package runtime/output/ (which Python imports before output.py) built
    # another guest under today's key
    key = build.cache_key()
    copy = tmp_path / "guest"
    shutil.copytree(build.guest_source_dir(), copy)
    package = copy / "runtime" / "output"
    package.mkdir()
    (package / "__init__.py").write_text("print('another guest')\n")
    assert build.cache_key(copy) != key
    shutil.rmtree(package)
    (copy / "wit" / "deps").mkdir()
    (copy / "wit" / "deps" / "extra.wit").write_text("package a:b;\n")
    assert build.cache_key(copy) != key
    shutil.rmtree(copy / "wit" / "deps")
    cache = copy / "runtime" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "guards.cpython-311.pyc").write_bytes(b"bytecode")
    assert build.cache_key(copy) == key  # bytecode caches are neither hashed nor staged


def test_the_build_stages_exactly_what_the_key_hashes(tmp_path: Path) -> None:
    copy = tmp_path / "guest"
    shutil.copytree(build.guest_source_dir(), copy)
    (copy / "runtime" / "nested").mkdir()
    (copy / "runtime" / "nested" / "x.py").write_text("X = 1\n")
    stage = tmp_path / "stage"
    stage.mkdir()
    build._stage(copy, stage)
    staged = {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()}
    hashed = {p.relative_to(copy).as_posix() for p in build._source_files(copy)}
    rp = build._restricted_python_dir()
    hashed |= {
        "RestrictedPython/" + p.relative_to(rp).as_posix()
        for p in build._restricted_python_files()
    }
    hashed.add(f"{build.DEFAULT_POLICY_MODULE}.py")  # written by the build; its text is hashed
    assert staged == hashed and "runtime/nested/x.py" in staged


def test_a_symbolic_link_in_the_sources_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "guest"
    shutil.copytree(build.guest_source_dir(), copy)
    (copy / "runtime" / "link.py").symlink_to(tmp_path / "elsewhere.py")
    with pytest.raises(build.GuestBuildError, match="symbolic link"):
        build.cache_key(copy)


def test_entry_is_verified(good_entry: build.GuestArtifacts, tmp_path: Path) -> None:
    assert build._check_entry(good_entry.directory, good_entry.key)
    assert not build._check_entry(good_entry.directory, "0" * 64)  # stale key
    copy = tmp_path / "entry"
    shutil.copytree(good_entry.directory, copy)
    assert build._check_entry(copy, good_entry.key)
    data = bytearray((copy / "guest.cwasm").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "guest.cwasm").write_bytes(bytes(data))
    assert not build._check_entry(copy, good_entry.key)  # corrupt: never loaded
    (copy / "manifest.json").write_text("{not json")
    assert not build._check_entry(copy, good_entry.key)


def test_corrupt_cache_is_rebuilt(
    good_entry: build.GuestArtifacts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real rebuild (componentize-py + compile) in a private cache dir."""
    monkeypatch.setenv(build.CACHE_ENV, str(tmp_path))
    target = tmp_path / "guest" / good_entry.directory.name
    shutil.copytree(good_entry.directory, target)
    first = build.ensure_guest(progress=None)
    assert not first.built  # the copied entry is valid and reused
    with (target / "guest.cwasm").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\0garbage\0")
    messages: list[str] = []
    rebuilt = build.ensure_guest(progress=messages.append)
    assert rebuilt.built and any("stale or corrupt" in m for m in messages)
    assert build._check_entry(rebuilt.directory, rebuilt.key)
    manifest = json.loads((rebuilt.directory / "manifest.json").read_text())
    assert manifest["versions"]["componentize-py"] == "0.25.1"

"""File mounts: read-only means read-only, rw writes land on the host, paths outside every
mount fail, symlinks and `..` cannot lead out, and the output directory returns artifacts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_sandbox_support import Limits, make_sandbox, run

from codeact_verify.host import Mount


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "hello.txt").write_text("héllo\n", encoding="utf-8")
    (data / "cfg.json").write_text(json.dumps({"a": [1, 2]}))
    (data / "sub").mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, data / "link_out.txt")
    os.symlink(tmp_path, data / "dir_out")
    work = tmp_path / "work"
    work.mkdir()
    out = tmp_path / "out"
    return {"data": data, "work": work, "out": out, "secret": secret}


def test_mount_parse() -> None:
    m = Mount.parse(f"{Path.cwd()}:/data")
    assert m.guest_dir == "/data" and m.read_only
    assert not Mount.parse(f"{Path.cwd()}:/w:rw").read_only
    for bad in [
        "nope",
        f"{Path.cwd()}:relative",
        f"{Path.cwd()}:/x:rx",
        "/definitely/missing:/x",
        f"{Path.cwd()}:/",
        f"{Path.cwd()}:/a/../b",
    ]:
        with pytest.raises(ValueError):
            Mount.parse(bad)


def test_read_only_mount(dirs: dict[str, Path]) -> None:
    with make_sandbox(mounts=[Mount(dirs["data"], "/data")]) as sb:
        r = run(
            sb,
            "print(read_text('/data/hello.txt'), end='')\nprint(read_json('/data/cfg.json'))"
            "\nprint(list_dir('/data'))",
        )
        assert r.ok, r.error
        assert r.stdout.splitlines()[:2] == ["héllo", "{'a': [1, 2]}"]
        assert "hello.txt" in r.stdout
        w = run(sb, "write_text('/data/new.txt', 'x')")
        assert w.error is not None and w.error.kind == "runtime"
        assert "read-only" in w.error.message
        assert not (dirs["data"] / "new.txt").exists()


def test_read_write_mount(dirs: dict[str, Path]) -> None:
    with make_sandbox(mounts=[Mount(dirs["work"], "/work", read_only=False)]) as sb:
        r = run(sb, "write_json('/work/r.json', {'k': 'v'})\nprint(read_json('/work/r.json'))")
        assert r.ok, r.error
        assert json.loads((dirs["work"] / "r.json").read_text()) == {"k": "v"}


@pytest.mark.parametrize(
    "program",
    [
        "print(read_text('/data/link_out.txt'))",
        "print(read_text('/data/dir_out/secret.txt'))",
        "print(list_dir('/data/dir_out'))",
        "print(read_text('/data/../secret.txt'))",
        "print(read_text('/data/sub/../../secret.txt'))",
        "print(read_text('data/hello.txt'))",
        "print(read_text('/etc/hostname'))",
    ],
)
def test_no_way_out_of_a_mount(dirs: dict[str, Path], program: str) -> None:
    with make_sandbox(mounts=[Mount(dirs["data"], "/data")]) as sb:
        r = run(sb, program)
        assert not r.ok and "top secret" not in r.stdout
        assert r.error is not None and r.error.kind == "runtime", r.error


def test_output_dir_artifacts(dirs: dict[str, Path]) -> None:
    with make_sandbox(output_dir=dirs["out"]) as sb:
        (dirs["out"] / "old.txt").write_text("was here")
        r = run(sb, "write_text('/output/report.csv', 'a,b\\n1,2\\n')\nprint(list_dir())")
        assert r.ok, r.error
        assert [a.path for a in r.artifacts] == ["/output/report.csv"]
        assert r.artifacts[0].size == 8
        assert Path(r.artifacts[0].host_path).read_text() == "a,b\n1,2\n"
        assert "old.txt" in r.stdout


def test_output_dir_caps(dirs: dict[str, Path]) -> None:
    limits = Limits(max_artifacts=2, max_write_files=10)
    with make_sandbox(output_dir=dirs["out"], limits=limits) as sb:
        r = run(sb, "for i in range(4):\n    write_text(f'/output/f{i}.txt', 'x')\n")
        assert r.error is not None and r.error.kind == "limit"
        assert len(r.artifacts) == 2
        assert len(list(dirs["out"].iterdir())) == 2  # the files past the cap were removed


def test_write_budget(dirs: dict[str, Path]) -> None:
    limits = Limits(max_write_bytes=1000)
    with make_sandbox(output_dir=dirs["out"], limits=limits) as sb:
        r = run(
            sb, "write_text('/output/a.txt', 'x' * 600)\nwrite_text('/output/b.txt', 'x' * 600)"
        )
        assert r.error is not None and r.error.kind == "limit" and "1000 bytes" in r.error.message
        assert not (dirs["out"] / "b.txt").exists()


def test_wasi_preopen_is_read_only_by_itself(dirs: dict[str, Path]) -> None:
    """The guest's own checks (helper + audit hook) are told the mount is writable; only the
    WASI preopen, configured read-only by the host, stands between the write and the file."""
    import time

    from codeact_verify.host.bridge import RunBridge
    from codeact_verify.host.engine import set_context
    from codeact_verify.host.mounts import wasi_config
    from codeact_verify.host.sandbox import _Instance, default_policy

    sb = make_sandbox()
    try:
        mount = Mount(dirs["data"], "/data", read_only=True)
        inst = _Instance(sb._load(), 128 << 20, wasi_config([mount]), warm=False)
        lying_config = json.dumps(
            {
                "tools": {},
                "policy": default_policy(),
                "limits": sb.limits.guest_config(),
                "mounts": [{"guest": "/data", "read_only": False}],  # the lie
                "output_dir": None,
            }
        )
        program = (
            "for path in ['/data/new.txt', '/data/hello.txt', '/data/sub/deep.txt']:\n"
            "    try:\n"
            "        write_text(path, 'overwritten')\n"
            "        print('wrote', path)\n"
            "    except OSError as e:\n"
            "        print('refused', path, repr(e))\n"
            "print(read_text('/data/hello.txt'), end='')\n"
        )
        bridge = RunBridge({}, sb.limits, None, time.monotonic() + 10, None, sb._tools)
        set_context(bridge)
        try:
            outcome = inst.run(inst.store, program, lying_config, "")
        finally:
            set_context(None)
        stdout, _ = bridge.output()
        assert outcome.ok, outcome.message
        assert stdout.count("refused") == 3, stdout
        assert "wrote" not in stdout
        assert stdout.endswith("héllo\n")
        assert not (dirs["data"] / "new.txt").exists()
        assert not (dirs["data"] / "sub" / "deep.txt").exists()
        assert (dirs["data"] / "hello.txt").read_text(encoding="utf-8") == "héllo\n"
    finally:
        sb.close()


def test_a_named_pipe_in_a_mount_is_refused_not_waited_on(tmp_path: Path) -> None:
    # red9/35: reading or writing a FIFO blocks in WASI host code, where no time limit
    # reaches; the helpers refuse anything but a regular file, at once, with a clear error
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with make_sandbox(mounts=[Mount(tmp_path, "/data", read_only=False)],
                      limits=Limits(timeout_s=5)) as sb:
        for program in ("print(read_text('/data/pipe'))\n",
                        "write_text('/data/pipe', 'x')\n"):
            r = run(sb, program)
            assert not r.ok and r.error is not None, program
            assert r.error.kind == "runtime", r.error
            assert "not a regular file" in r.error.message, r.error
        # regular files, and a new file, work as before
        r = run(sb, "print(read_text('/data/notes.txt'))\nwrite_text('/data/new.txt', 'n')\n")
        assert r.ok and r.stdout == "hello\n", r.error
        assert (tmp_path / "new.txt").read_text(encoding="utf-8") == "n"

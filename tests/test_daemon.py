"""The warm checker: a real daemon process answers `check` exactly as the in-process check does."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeact_verify.cli.daemon import _alive
from codeact_verify.cli.warm import client, paths, wire

TOOLS = '''
from typing import TypedDict

from helper_units import Units


class Weather(TypedDict):
    city: str
    temperature: float


def get_weather(city: str, units: Units = "c") -> Weather:
    """Current weather for a city."""
    return {"city": city, "temperature": 20.0}
'''
UNITS = 'from typing import Literal\n\nUnits = Literal["c", "f"]\n'

PROGRAMS = {
    "good.py": "w = call_tool('get_weather', city='Oslo')\nprint(w['temperature'])\n",
    "bad.py": "import os\nx = ().__class__\nprint(call_tool('get_weather', town='Oslo'))\n",
    "types.py": "w = get_weather(city='Oslo')\nprint(w['temp'])\nget_weather(city=3)\n",
    "units.py": "print(get_weather(city='Oslo', units='k'))\n",
    "warn.py": "x: int | str = 1\nprint(x + 1)\n",
}


def _env(directory: str, mode: str = "") -> dict[str, str]:
    env = dict(os.environ, CODEACT_VERIFY_DAEMON_DIR=directory)
    env.pop("CODEACT_VERIFY_DAEMON", None)
    if mode:
        env["CODEACT_VERIFY_DAEMON"] = mode
    return env


def cli(
    args: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None = None
) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "codeact_verify", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.fixture(scope="module")
def directory() -> Iterator[str]:
    # short: a Unix socket path has at most 107 bytes
    path = tempfile.mkdtemp(prefix="cvd-")
    os.chmod(path, 0o700)
    yield os.path.join(path, "d")
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("daemon")
    (path / "tools.py").write_text(TOOLS, encoding="utf-8")
    (path / "helper_units.py").write_text(UNITS, encoding="utf-8")
    for name, text in PROGRAMS.items():
        (path / name).write_text(text, encoding="utf-8")
    (path / "broken_tools.py").write_text("def f(:\n", encoding="utf-8")
    return path


def _status(env: dict[str, str], cwd: Path) -> dict[str, object]:
    code, out, _ = cli(["daemon", "status", "--json"], env, cwd)
    data = json.loads(out)
    assert (code == 0) == data["running"]
    return data


@pytest.fixture(scope="module")
def daemon(directory: str, work: Path) -> Iterator[dict[str, str]]:
    env = _env(directory)
    code, out, err = cli(["daemon", "start"], env, work)
    assert code == 0, err
    assert "started (pid" in out
    info = _status(env, work)
    yield env
    cli(["daemon", "stop"], env, work)
    pid = info.get("pid")
    if isinstance(pid, int):
        try:
            os.kill(pid, 9)  # only if stop did not end it
        except ProcessLookupError:
            pass


CASES = [
    ["check", "good.py", "--tools", "tools.py"],
    ["check", "bad.py", "--tools", "tools.py"],
    ["check", "bad.py", "--tools", "tools.py", "--json"],
    ["check", "types.py", "--tools", "tools.py", "--json"],
    ["check", "units.py", "--tools", "tools.py"],
    ["check", "warn.py"],
    ["check", "warn.py", "--no-types", "--json"],
    ["check", "good.py"],  # calls a tool without --tools: usage error
    ["check", "missing.py", "--tools", "tools.py"],
    ["check", "good.py", "--tools", "broken_tools.py"],
    ["check", "good.py", "--tools", "tools.py", "--grammar", "nope"],
    ["check", "good.py", "--bogus"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a[1:]))
def test_a_check_through_the_daemon_equals_the_in_process_check(
    daemon: dict[str, str], work: Path, args: list[str]
) -> None:
    before = _status(daemon, work)["checks"]
    through = cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "verbose"}, work)
    assert _status(daemon, work)["checks"] == before + 1  # the daemon answered it
    alone = cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "off"}, work)
    assert through == alone


def test_stdin_through_the_daemon(daemon: dict[str, str], work: Path) -> None:
    program = b"print(eval('1'))\nw = get_weather(city='x')\n"
    args = ["check", "-", "--tools", "tools.py", "--json"]
    through = cli(args, daemon, work, stdin=program)
    alone = cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "off"}, work, stdin=program)
    assert through == alone and through[0] == 1
    assert [d["code"] for d in json.loads(through[1])["diagnostics"]] == ["CV103"]


def test_a_changed_tools_file_is_loaded_again(daemon: dict[str, str], work: Path) -> None:
    tools = work / "changing_tools.py"
    tools.write_text(TOOLS, encoding="utf-8")
    args = ["check", "types.py", "--tools", "changing_tools.py", "--json"]
    first = cli(args, daemon, work)
    assert "get_weather" in first[1] and '"CV607"' in first[1]  # city=3 on a str parameter
    # same size, most likely the same second: only the content hash tells them apart
    tools.write_text(TOOLS.replace("city: str", "city: int"), encoding="utf-8")
    second = cli(args, daemon, work)
    alone = cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "off"}, work)
    assert second == alone
    assert "must be int" in second[1] and second != first


def test_a_changed_module_the_tools_file_imports_is_loaded_again(
    daemon: dict[str, str], work: Path
) -> None:
    args = ["check", "units.py", "--tools", "tools.py", "--json"]
    first = cli(args, daemon, work)
    assert first[0] == 1  # 'k' is not one of the Literal's values
    (work / "helper_units.py").write_text(UNITS.replace('"f"]', '"k"]'), encoding="utf-8")
    try:
        second = cli(args, daemon, work)
        assert second == cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "off"}, work)
        assert second[0] == 0
    finally:
        (work / "helper_units.py").write_text(UNITS, encoding="utf-8")
    assert cli(args, daemon, work) == first


def test_a_helper_module_shared_by_two_tools_files_is_watched_by_both(
    daemon: dict[str, str], work: Path
) -> None:
    # red4/10: the second tools file found helper_units already imported and did not watch it
    (work / "tools_again.py").write_text(TOOLS, encoding="utf-8")
    first = ["check", "units.py", "--tools", "tools.py", "--json"]
    second = ["check", "units.py", "--tools", "tools_again.py", "--json"]
    assert cli(first, daemon, work)[0] == 1 and cli(second, daemon, work)[0] == 1
    (work / "helper_units.py").write_text(UNITS.replace('"f"]', '"k"]'), encoding="utf-8")
    try:
        off = {**daemon, "CODEACT_VERIFY_DAEMON": "off"}
        for args in (first, second):
            answer = cli(args, daemon, work)
            assert answer == cli(args, off, work)
            assert answer[0] == 0
    finally:
        (work / "helper_units.py").write_text(UNITS, encoding="utf-8")
    assert cli(second, daemon, work)[0] == 1


def test_a_project_elsewhere_imports_its_own_helper_module(
    daemon: dict[str, str], work: Path
) -> None:
    # red4/10: another directory's helper_units.py of the same name; the daemon (started in
    # `work`) gave it work's module, cached by name and found from the daemon's own sys.path[0]
    other = work / "other_project"
    other.mkdir(exist_ok=True)
    (other / "tools.py").write_text(TOOLS, encoding="utf-8")
    (other / "helper_units.py").write_text(UNITS.replace('"f"]', '"k"]'), encoding="utf-8")
    (other / "units.py").write_text(PROGRAMS["units.py"], encoding="utf-8")
    args = ["check", "units.py", "--tools", "tools.py", "--json"]
    assert cli(args, daemon, work)[0] == 1  # work's helper_units: 'k' is refused
    answer = cli(args, daemon, other)
    assert answer == cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "off"}, other)
    assert answer[0] == 0  # its own helper_units allows 'k'
    assert cli(args, daemon, work)[0] == 1


def test_mcp_servers_are_started_by_the_in_process_check(
    daemon: dict[str, str], work: Path
) -> None:
    # the MCP servers get the client's environment: the daemon hands such a check back
    args = ["check", "good.py", "--mcp", "no-such-mcp-server-command --stdio"]
    before = _status(daemon, work)["checks"]
    code, out, err = cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "verbose"}, work)
    assert _status(daemon, work)["checks"] == before
    assert "not for the daemon: --mcp" in err
    alone = cli(args, {**daemon, "CODEACT_VERIFY_DAEMON": "off"}, work)
    assert code == alone[0] == 2 and out == alone[1] and err.endswith(alone[2])


def test_the_client_imports_almost_nothing(daemon: dict[str, str], work: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "codeact_verify", "check", "good.py",
         "--tools", "tools.py"],
        capture_output=True, env=daemon, cwd=work, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    imported = {
        line.split("|")[-1].strip()
        for line in proc.stderr.decode().splitlines()
        if line.startswith("import time:")
    }
    heavy = {"argparse", "json", "typing", "mypy", "codeact_verify.verifier", "pydantic"}
    assert "codeact_verify.cli.warm.client" in imported
    assert not heavy & imported


def test_status_and_the_socket_are_private(daemon: dict[str, str], directory: str) -> None:
    info = _status(daemon, Path(directory))
    assert info["running"] and info["socket"] == os.path.join(directory, paths.SOCKET)
    assert os.stat(directory).st_mode & 0o777 == 0o700
    assert os.stat(str(info["socket"])).st_mode & 0o777 == 0o600


# -- fallbacks (no daemon, or a broken one) --------------------------------------------------
def test_a_stale_socket_falls_back_to_the_in_process_check(work: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        directory = os.path.join(tmp, "d")
        os.mkdir(directory, 0o700)
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(os.path.join(directory, paths.SOCKET))
        stale.close()  # the file stays, nobody listens: a daemon that died
        args = ["check", "bad.py", "--tools", "tools.py", "--json"]
        quiet = cli(args, _env(directory), work)
        alone = cli(args, _env(directory, "off"), work)
        assert quiet == alone and quiet[0] == 1 and quiet[2] == ""
        code, out, err = cli(args, _env(directory, "verbose"), work)
        assert (code, out) == alone[:2]
        assert "daemon: not used" in err and "checking in-process" in err


def _fake_daemon(directory: str, answer: bytes) -> threading.Thread:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(os.path.join(directory, paths.SOCKET))
    sock.listen(1)

    def serve() -> None:
        conn, _ = sock.accept()
        with conn:
            wire.read_message(conn)
            conn.sendall(answer)
        sock.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    "answer",
    [
        wire.encode([("error", b"another version of codeact-verify or of its source runs here")]),
        wire.encode([("exit", b"0"), ("stdout", b"accepted!")])[:20],  # cut short
        b"HTTP/1.1 200 OK\r\n\r\n",
        wire.encode([("exit", b"zero")]),
    ],
    ids=["another-version", "cut-short", "garbage", "bad-exit"],
)
def test_a_broken_daemon_falls_back_to_the_in_process_check(work: Path, answer: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        directory = os.path.join(tmp, "d")
        os.mkdir(directory, 0o700)
        thread = _fake_daemon(directory, answer)
        args = ["check", "bad.py", "--tools", "tools.py"]
        code, out, err = cli(args, _env(directory, "verbose"), work)
        thread.join(timeout=60)
        assert not thread.is_alive()  # the client did ask it
        assert (code, out) == cli(args, _env(directory, "off"), work)[:2]
        assert "daemon: not used" in err


def test_a_directory_open_to_others_is_not_used(work: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        directory = os.path.join(tmp, "d")
        os.mkdir(directory)
        os.chmod(directory, 0o755)
        args = ["check", "bad.py", "--tools", "tools.py"]
        code, _, err = cli(args, _env(directory, "verbose"), work)
        assert code == 1 and "open to other users" in err
        code, _, err = cli(["daemon", "start"], _env(directory), work)
        assert code == 2 and "open to other users" in err
        assert not os.path.exists(os.path.join(directory, paths.SOCKET))


def test_a_daemon_whose_start_directory_was_removed_still_answers(work: Path) -> None:
    # red4/12: the daemon came back to the directory it was started in after each check; once
    # that was removed every check answered "bad request" and ran in-process
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        directory = os.path.join(tmp, "d")
        start = Path(tmp, "start")
        start.mkdir()
        env = _env(directory)
        assert cli(["daemon", "start"], env, start)[0] == 0
        try:
            start.rmdir()
            args = ["check", "bad.py", "--tools", "tools.py"]
            answer = cli(args, _env(directory, "verbose"), work)
            assert "not used" not in answer[2]
            assert answer[:2] == cli(args, _env(directory, "off"), work)[:2]
            assert _status(env, work)["checks"] == 1
        finally:
            cli(["daemon", "stop"], env, work)


def test_wire_rejects_malformed_messages() -> None:
    good = wire.encode([("op", b"check"), ("arg", b"a b\nc"), ("arg", b"")])
    assert wire.decode(good) == [("op", b"check"), ("arg", b"a b\nc"), ("arg", b"")]
    assert wire.decode(good[:-3]) is None  # incomplete: read more
    for bad in (b"GET / HTTP/1.1\r\n", b"CVD1\nop x\n", b"CVD1\n" + b"a" * 50, b"CVD1\nop -1\n"):
        with pytest.raises(wire.WireError):
            wire.decode(bad)
    with pytest.raises(wire.WireError):
        wire.decode(b"CVD1\nop 99999999999\n")  # over the size limit
    with pytest.raises(wire.WireError):
        wire.encode([("bad name", b"")])


# -- start, stop, auto -------------------------------------------------------------------------
def test_stop_then_status_then_auto_start(work: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        directory = os.path.join(tmp, "d")
        env = _env(directory)
        not_running = (1, "codeact-verify daemon: not running\n")
        assert cli(["daemon", "status"], env, work)[:2] == not_running
        assert cli(["daemon", "stop"], env, work)[0] == 0  # nothing to stop: fine
        args = ["check", "types.py", "--tools", "tools.py"]
        alone = cli(args, _env(directory, "off"), work)
        # auto: this check runs in-process and a daemon starts in the background
        assert cli(args, _env(directory, "auto"), work) == alone
        deadline = time.monotonic() + 240
        while not _status(env, work)["running"] and time.monotonic() < deadline:
            time.sleep(0.2)
        info = _status(env, work)
        try:
            assert info["running"] and info["idle_minutes"] == client.AUTO_IDLE_MINUTES
            assert cli(args, env, work) == alone
            assert _status(env, work)["checks"] == 1
            code, out, _ = cli(["daemon", "stop"], env, work)
            assert code == 0 and f"stopped (pid {info['pid']})" in out
            assert cli(["daemon", "status"], env, work)[0] == 1
            assert not os.path.exists(os.path.join(directory, paths.SOCKET))
            assert cli(args, env, work) == alone  # and checks go on in-process
        finally:
            if isinstance(info.get("pid"), int):
                try:
                    os.kill(int(info["pid"]), 9)  # type: ignore[call-overload]
                except ProcessLookupError:
                    pass


def test_stop_ends_a_daemon_stuck_in_a_tools_file(work: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        directory = os.path.join(tmp, "d")
        env = _env(directory)
        (work / "stuck_tools.py").write_text(
            "import time\n\nwhile True:\n    time.sleep(0.05)\n", encoding="utf-8"
        )
        assert cli(["daemon", "start"], env, work)[0] == 0
        pid = _status(env, work)["pid"]
        assert isinstance(pid, int)
        stuck = subprocess.Popen(
            [sys.executable, "-m", "codeact_verify", "check", "good.py", "--tools",
             "stuck_tools.py"],
            env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            code, out, _ = cli(["daemon", "status"], env, work)
            for _ in range(30):
                if "not answering" in out:
                    break
                code, out, _ = cli(["daemon", "status"], env, work)
            assert code == 1 and f"not answering (pid {pid})" in out
            code, out, _ = cli(["daemon", "stop"], env, work)
            assert code == 0 and f"stopped (pid {pid})" in out
            assert not _alive(pid)  # gone (or a zombie its new parent has not reaped yet)
            assert not os.path.exists(os.path.join(directory, paths.SOCKET))
        finally:
            stuck.kill()
            stuck.wait()
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass


@pytest.mark.skipif(
    not hasattr(socket, "SO_PEERCRED") or os.getuid() != 0,
    reason="needs Linux SO_PEERCRED and root (to connect as another user)",
)
def test_a_peer_of_another_user_is_refused() -> None:
    from codeact_verify.cli.warm.paths import peer_is_this_user as _same_user

    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        os.chmod(tmp, 0o711)
        path = os.path.join(tmp, "peer.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        os.chmod(path, 0o777)
        listener.listen(2)
        listener.settimeout(120)
        with listener:
            ours = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            ours.connect(path)
            conn, _ = listener.accept()
            with ours, conn:
                assert _same_user(conn)
            nobody = subprocess.Popen(
                [sys.executable, "-c",
                 "import os, socket, sys, time\n"
                 "os.setgid(65534); os.setuid(65534)\n"
                 "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
                 f"s.connect({path!r}); time.sleep(30)\n"],
            )  # fmt: skip
            try:
                conn, _ = listener.accept()
                with conn:
                    assert not _same_user(conn)
            finally:
                nobody.kill()
                nobody.wait()


def test_a_directory_under_a_parent_others_can_write_is_not_used(work: Path) -> None:
    # red5/18: only the directory itself was checked; under a parent others can write, another
    # user renames it away and puts in its place a directory whose socket answers "ok"
    lie = wire.encode([("exit", b"0"), ("stdout", b"prog.py: ok\n")])
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        shared = os.path.join(tmp, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o777)
        directory = os.path.join(shared, "d")
        os.mkdir(directory, 0o700)
        args = ["check", "bad.py", "--tools", "tools.py"]
        code, out, err = cli(args, _env(directory, "verbose"), work)
        assert code == 1 and "writable by other users" in err, (out, err)
        # a sticky parent (like /tmp) is fine: the fake daemon answers, as a real one would
        os.chmod(shared, 0o1777)
        thread = _fake_daemon(directory, lie)
        code, out, err = cli(args, _env(directory, "verbose"), work)
        thread.join(timeout=60)
        assert code == 0 and "ok" in out


@pytest.mark.skipif(
    not hasattr(socket, "SO_PEERCRED") or os.getuid() != 0,
    reason="needs Linux SO_PEERCRED and root (to listen as another user)",
)
def test_the_client_does_not_believe_another_users_daemon() -> None:
    # red5/18: another user who got a socket in place would answer "ok" to every check. The
    # client asks who listens and refuses; our own listener with the same answer is believed.
    from codeact_verify.cli.warm import client, wire

    answer = wire.encode([("exit", b"0"), ("stdout", b"prog.py: ok\n")])
    server = (
        "import os, socket, sys\n"
        "uid = int(sys.argv[2])\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1])\n"
        "os.chmod(sys.argv[1], 0o777)\n"
        "if uid: os.setgid(uid); os.setuid(uid)\n"
        "s.listen(1)\n"  # SO_PEERCRED names who called listen()
        "print('ready', flush=True)\n"
        "c, _ = s.accept(); c.recv(65536)\n"
        f"c.sendall({answer!r}); c.close()\n"
    )
    with tempfile.TemporaryDirectory(prefix="cvd-") as tmp:
        os.chmod(tmp, 0o711)
        for uid, believed in ((65534, False), (0, True)):
            path = os.path.join(tmp, f"d{uid}.sock")
            proc = subprocess.Popen(
                [sys.executable, "-c", server, path, str(uid)], stdout=subprocess.PIPE, text=True
            )
            try:
                assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
                if believed:
                    assert dict(client.request(path, [("op", b"check")]))["exit"] == b"0"
                else:
                    with pytest.raises(wire.WireError, match="another user"):
                        client.request(path, [("op", b"check")])
            finally:
                proc.kill()
                proc.wait()

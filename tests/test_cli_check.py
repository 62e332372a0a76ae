"""`codeact-verify check`: exit codes, human and JSON output, stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from codeact_verify.cli import main

TOOLS = '''
from typing import TypedDict


class Weather(TypedDict):
    city: str
    temperature: float


def get_weather(city: str) -> Weather:
    """Current weather for a city."""
    return {"city": city, "temperature": 20.0}
'''


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "tools.py").write_text(TOOLS, encoding="utf-8")
    (tmp_path / "good.py").write_text(
        "w = call_tool('get_weather', city='Oslo')\nprint(w['temperature'])\n", encoding="utf-8"
    )
    (tmp_path / "bad.py").write_text(
        "import os\nx = ().__class__\nprint(call_tool('get_weather', town='Oslo'))\n",
        encoding="utf-8",
    )
    return tmp_path


def test_accepted_exit_0(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(files / "good.py"), "--tools", str(files / "tools.py")])
    out = capsys.readouterr().out
    assert code == 0
    assert "ok" in out and "may call get_weather: line 1" in out


def test_rejected_exit_1_with_caret(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(files / "bad.py"), "--tools", str(files / "tools.py")])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{files / 'bad.py'}:2:8: error CV102 [dunder]" in out
    assert "    x = ().__class__\n           ^^^^^^^^^" in out
    assert "CV108" in out and "CV60" in out  # grammar and tool-call problems in one pass


def test_json_output(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(files / "bad.py"), "--tools", str(files / "tools.py"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and data["ok"] is False
    assert set(data) == {"ok", "diagnostics", "effects"}
    first = data["diagnostics"][0]
    assert set(first) == {
        "code", "rule", "severity", "message", "line", "col", "end_line", "end_col", "hint",
    }  # fmt: skip
    assert (first["code"], first["line"], first["col"]) == ("CV108", 1, 8)  # 1-based, as in text
    ok = main(["check", str(files / "good.py"), "--tools", str(files / "tools.py"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert ok == 0 and data["ok"] is True and data["effects"][0]["tool"] == "get_weather"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"print(eval('1'))\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["check", "-", "--json", "--no-types"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in data["diagnostics"]] == ["CV103"]


def test_usage_errors_exit_2(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "missing.py")]) == 2
    assert "cannot read program" in capsys.readouterr().err
    assert main(["check", str(files / "good.py"), "--grammar", "nope"]) == 2
    assert "no grammar profile" in capsys.readouterr().err
    assert main(["check", str(files / "good.py"), "--tools", str(tmp_path / "nope.py")]) == 2
    with pytest.raises(SystemExit) as info:
        main(["check"])
    assert info.value.code == 2


def test_grammar_option(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "loop.py").write_text("n = 0\nwhile n < 2:\n    n += 1\n", encoding="utf-8")
    assert main(["check", str(files / "loop.py"), "--no-types"]) == 0
    assert main(["check", str(files / "loop.py"), "--grammar", "strict", "--no-types"]) == 1
    assert "while loops are not allowed" in capsys.readouterr().out


def test_console_script(files: Path) -> None:
    exe = Path(sys.executable).with_name("codeact-verify")
    if not exe.exists():
        pytest.skip("console script not installed")
    proc = subprocess.run(
        [str(exe), "check", "-", "--json", "--no-types"],
        input=b"import os\n",
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["diagnostics"][0]["code"] == "CV108"


def test_rejected_program_lists_no_effects(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "rejected.py").write_text(
        "import os\nprint(call_tool('get_weather', city='Oslo'))\n", encoding="utf-8"
    )
    code = main(["check", str(files / "rejected.py"), "--tools", str(files / "tools.py")])
    out = capsys.readouterr().out
    assert code == 1 and "rejected" in out
    assert "may call" not in out


def test_program_calling_tools_without_tools_file_is_a_usage_error(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["check", str(files / "good.py"), "--no-types"],
        ["check", str(files / "good.py"), "--json"],
        ["run", str(files / "good.py")],
    ):
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        assert "--tools TOOLS.py" in captured.err and "line 1" in captured.err
        assert captured.out == ""
    (files / "direct.py").write_text("print(get_weather(city='Oslo'))\n", encoding="utf-8")
    assert main(["check", str(files / "direct.py")]) == 2
    assert "`get_weather` at line 1" in capsys.readouterr().err


def test_program_calling_no_tool_needs_no_tools_file(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "plain.py").write_text("print(sum([1, 2, 3]))\n", encoding="utf-8")
    assert main(["check", str(files / "plain.py")]) == 0
    (files / "evil.py").write_text("print(eval('1'))\n", encoding="utf-8")
    assert main(["check", str(files / "evil.py")]) == 1  # still a verdict, not a usage error
    capsys.readouterr()


@pytest.mark.parametrize("shadow", ["types.py", "collections.py"])
def test_a_module_file_in_the_working_directory_does_not_change_the_type_check(
    files: Path, shadow: str
) -> None:
    # red4/13: mypy searched the caller's working directory, so an empty types.py there made
    # a missing TypedDict key pass (ok, exit 0); a fresh process, so the mypy worker starts here
    (files / "typo.py").write_text(
        "w = get_weather(city='Oslo')\nprint(w['temp'])\n", encoding="utf-8"
    )
    (files / shadow).write_text("", encoding="utf-8")
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "codeact_verify", "check", "typo.py", "--tools", "tools.py"],
        capture_output=True,
        text=True,
        cwd=files,
        env={**os.environ, "CODEACT_VERIFY_DAEMON": "off"},
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "CV702" in proc.stdout


def test_a_first_mypy_cache_build_is_announced_on_a_terminal(tmp_path: Path) -> None:
    # The first type check of an installation builds mypy's cache of the standard library
    # (10-20 s); on a terminal `check` says so instead of sitting silent. Piped: nothing.
    import os
    import pty
    import subprocess
    import sys

    prog = tmp_path / "p.py"
    prog.write_text("print(1 + 1)\n")
    env = {**os.environ, "CODEACT_VERIFY_MYPY_CACHE": str(tmp_path / "mc"),
           "CODEACT_VERIFY_DAEMON": "off"}  # fmt: skip
    command = [sys.executable, "-m", "codeact_verify", "check", str(prog)]

    def on_a_terminal() -> str:
        master, slave = pty.openpty()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        out, _ = proc.communicate(timeout=300)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        assert proc.returncode == 0 and b": ok" in out
        return b"".join(chunks).decode()

    assert "building mypy's cache" in on_a_terminal()
    assert "building mypy's cache" not in on_a_terminal()  # built: nothing to say
    piped = subprocess.run(
        command, env={**env, "CODEACT_VERIFY_MYPY_CACHE": str(tmp_path / "mc2")},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert piped.returncode == 0 and piped.stderr == ""

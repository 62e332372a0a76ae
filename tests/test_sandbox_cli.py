"""`codeact-verify run --unverified` and `build-guest`: output shape and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sandbox_support import ensure_loaded

from codeact_verify.cli import main

TOOLS = '''
def get_weather(city: str) -> dict:
    """Weather for a city."""
    if city == "Nowhere":
        raise ValueError("unknown city")
    return {"city": city, "temp": 21.5}
'''


@pytest.fixture
def files(tmp_path: Path) -> Path:
    ensure_loaded()
    (tmp_path / "tools.py").write_text(TOOLS)
    return tmp_path


def run_cli(files: Path, program: str, *extra: str, capsys) -> tuple[int, dict]:
    (files / "prog.py").write_text(program)
    code = main(
        [
            "run",
            str(files / "prog.py"),
            "--tools",
            str(files / "tools.py"),
            "--unverified",
            "--json",
            *extra,
        ]
    )
    return code, json.loads(capsys.readouterr().out)


def test_run_ok(files: Path, capsys) -> None:
    code, out = run_cli(files, "print(get_weather('Paris')['temp'])", capsys=capsys)
    assert code == 0
    assert out["ok"] and out["stdout"] == "21.5\n" and out["error"] is None
    assert out["tool_calls"] == [
        {"name": "get_weather", "arguments": {"city": "Paris"}, "ok": True}
    ]
    assert out["diagnostics"] == [] and "duration_ms" in out


@pytest.mark.parametrize(
    ("program", "kind", "extra"),
    [
        ("get_weather('Nowhere')", "tool", ()),
        ("1/0", "runtime", ()),
        ("while True:\n    pass", "timeout", ("--timeout", "0.3")),
        ("x = 'a' * (200 * 1024 * 1024)", "memory", ("--memory", "64")),
        ("def f(:\n", "syntax", ()),
    ],
)
def test_run_failures_exit_3(files: Path, capsys, program: str, kind: str, extra) -> None:
    code, out = run_cli(files, program, *extra, capsys=capsys)
    assert code == 3
    assert out["error"]["kind"] == kind


def test_mount_and_domain_flags(files: Path, capsys, tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "x.txt").write_text("from host")
    code, out = run_cli(
        files,
        "print(read_text('/data/x.txt'))",
        "--mount",
        f"{data}:/data:ro",
        "--allow-domain",
        "api.example.com",
        capsys=capsys,
    )
    assert code == 0 and out["stdout"] == "from host\n"


def test_usage_errors_exit_2(files: Path, capsys) -> None:
    assert main(["run", str(files / "missing.py"), "--unverified"]) == 2
    (files / "p.py").write_text("print(1)")
    assert main(["run", str(files / "p.py"), "--unverified", "--mount", "bad"]) == 2
    assert main(["run", str(files / "p.py"), "--unverified", "--allow-domain", "ftp://x"]) == 2
    capsys.readouterr()
    # limits are checked by argparse, named as typed (not as the library's Limits fields)
    for option, value in (("--timeout", "-1"), ("--timeout", "nan"), ("--memory", "0")):
        with pytest.raises(SystemExit) as exc:
            main(["run", str(files / "p.py"), "--unverified", option, value])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert f"argument {option}: must be" in err and "Limits" not in err


def test_build_guest_up_to_date(capsys) -> None:
    ensure_loaded()
    assert main(["build-guest", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["built"] is False and Path(info["compiled"]).is_file()


def test_run_error_names_file_and_line(files: Path, capsys) -> None:
    # Human output: `file:line: error [kind]: message` and the line, as `check` prints its
    # diagnostics (editors and CI annotators read this form).
    prog = files / "prog.py"
    prog.write_text("y = [1, 2]\nprint(y[5])\n")
    code = main(["run", str(prog), "--tools", str(files / "tools.py"), "--unverified"])
    err = capsys.readouterr().err
    assert code == 3
    assert f"{prog}:2: error [runtime]: IndexError" in err
    assert "    print(y[5])" in err


def test_run_error_without_line_names_file(files: Path, capsys) -> None:
    prog = files / "prog.py"
    prog.write_text("def f(:\n")
    code = main(["run", str(prog), "--tools", str(files / "tools.py"), "--unverified"])
    err = capsys.readouterr().err
    assert code == 3 and f"{prog}:" in err and "error [syntax]" in err


def test_run_rejection_is_reported_once(files: Path, capsys) -> None:
    # A rejected program's diagnostics are printed in full (as `check` prints them), and not a
    # second time as a one-line `error [rejected]` summary.
    prog = files / "prog.py"
    prog.write_text("import os\nprint(os.getcwd())\n")
    code = main(["run", str(prog), "--tools", str(files / "tools.py")])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{prog}:1:8: error CV108 [import]" in err
    assert err.count("CV108") == 1 and "error [rejected]" not in err


def test_run_exits_after_its_timeout_while_a_tool_still_runs(tmp_path: Path) -> None:
    # A sync tool past the time limit keeps its thread (Python cannot kill one); the command
    # reports the timeout and exits, instead of joining that thread at interpreter exit.
    import subprocess
    import sys

    ensure_loaded()
    (tmp_path / "tools.py").write_text(
        "import time\n\ndef slow_tool(x: int) -> int:\n"
        '    """Sleeps a minute."""\n    time.sleep(60)\n    return x\n'
    )
    (tmp_path / "slow.py").write_text("print('before')\nprint(slow_tool(x=1))\n")
    done = subprocess.run(
        [sys.executable, "-m", "codeact_verify", "run", "slow.py", "--tools", "tools.py",
         "--timeout", "1"],
        cwd=tmp_path, capture_output=True, text=True, timeout=45,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stdout == "before\n"
    assert "error [timeout]" in done.stderr and "slow_tool" in done.stderr

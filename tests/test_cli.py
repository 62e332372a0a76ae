"""The command as a whole: --version, help text for every option, a closed stdout."""

from __future__ import annotations

import argparse
import importlib.metadata
import subprocess
import sys

import pytest

import codeact_verify
from codeact_verify.cli import SUBCOMMANDS, build_parser, main


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.strip() == f"codeact-verify {codeact_verify.__version__}"
    assert codeact_verify.__version__ == importlib.metadata.version("codeact-verify")


@pytest.mark.parametrize("command", [c.replace("_", "-") for c in SUBCOMMANDS])
def test_every_option_has_help_text(command: str) -> None:
    sub = _subparsers(build_parser())[command]
    undocumented = [
        "/".join(a.option_strings or [a.dest])
        for a in sub._actions
        if not isinstance(a, argparse._HelpAction) and not (a.help or "").strip()
    ]
    assert not undocumented, f"{command}: options without help text: {undocumented}"
    assert sub.description, f"{command} has no description"


def test_closed_stdout_gives_no_traceback() -> None:
    # `codeact-verify check --json ... | head -0`: the reader is gone before anything is written.
    proc = subprocess.Popen(
        [sys.executable, "-m", "codeact_verify", "check", "-", "--json", "--no-types"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stdin is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stdin.write(b"print(eval('1'))\n" * 2000)  # a big report: many diagnostics
    proc.stdin.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=300)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code == 141


@pytest.mark.parametrize("command", [c.replace("_", "-") for c in SUBCOMMANDS])
def test_help_shows_no_markdown_backticks(command: str) -> None:
    # The module docstrings double as the `--help` descriptions; a terminal shows `x` as noise.
    sub = _subparsers(build_parser())[command]
    assert "`" not in sub.format_help()
    assert "`" not in build_parser().format_help()


def test_a_subcommand_loads_only_its_own_module(tmp_path) -> None:
    # A one-shot `check` builds only check's parser: demo/serve/mcp (asyncio, HTTP) stay unloaded.
    prog = tmp_path / "p.py"
    prog.write_text("print(1 + 1)\n")
    script = (
        "import sys\n"
        "from codeact_verify.cli import run_args\n"
        f"code = run_args(['check', {str(prog)!r}, '--no-types'])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('codeact_verify.cli.'))\n"
        "print(code, loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()[-1]
    assert out.startswith("0 ")
    for other in ("demo", "serve", "mcp", "fuzz", "bench"):
        assert f"codeact_verify.cli.{other}'" not in out, out
    assert "codeact_verify.cli.check'" in out


def test_unknown_subcommand_still_lists_every_choice(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["chek"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'chek'" in err and "build-guest" in err and "serve" in err


def test_an_input_error_names_its_command(tmp_path, capsys) -> None:
    # `codeact-verify mcp: error: ...`, as every other command's usage errors read.
    assert main(["mcp", "--tools", str(tmp_path / "missing.py")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("codeact-verify mcp: error: tools file not found")

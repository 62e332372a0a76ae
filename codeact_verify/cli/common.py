"""What `check` and `run` share: the program argument, the tools file, the grammar, `--json`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import CodeActError
from ..tools import ToolSpec, load_tools_file, tool_specs


def add_program_arguments(p: argparse.ArgumentParser, verb: str) -> None:
    """PROGRAM.py (or '-'), --tools TOOLS.py, --grammar NAME_OR_PATH, --json."""
    p.add_argument("program", metavar="PROGRAM.py", help=f"the program to {verb} ('-' for stdin)")
    p.add_argument("--tools", metavar="TOOLS.py", help="file whose public functions are the tools")
    p.add_argument(
        "--grammar",
        default="default",
        metavar="NAME_OR_PATH",
        help="grammar profile name or TOML path (default: %(default)s)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def read_program(name: str) -> tuple[bytes, str]:
    """The program's bytes (the verifier decodes them) and a name to show in messages."""
    if name == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    path = Path(name)
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise CodeActError(f"cannot read program {name}: {exc.strerror or exc}") from None


def load_specs(path: str | None) -> dict[str, ToolSpec]:
    """The tools of a --tools file (none without one)."""
    return tool_specs(load_tools_file(path)) if path else {}


def usage_error(command: str, message: Any) -> int:
    print(f"codeact-verify {command}: error: {message}", file=sys.stderr)
    return 2

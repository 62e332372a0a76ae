"""`codeact-verify check PROGRAM.py --tools TOOLS.py [--grammar NAME_OR_PATH] [--json]`.

Verifies a program without running it. Exit codes: 0 accepted, 1 rejected, 2 usage or input
error (unreadable program, bad tools file, invalid grammar). `-` reads the program from stdin.
`--json` prints one object: {"ok", "diagnostics": [...], "effects": [...]}.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import CodeActError
from ..grammar import load_grammar
from ..tools import load_tools_file, tool_specs
from ..verifier import verify

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check",
        help="verify a program without running it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("program", metavar="PROGRAM.py", help="the program to check ('-' for stdin)")
    p.add_argument("--tools", metavar="TOOLS.py", help="file whose public functions are the tools")
    p.add_argument(
        "--grammar",
        default="default",
        metavar="NAME_OR_PATH",
        help="grammar profile name or TOML path (default: %(default)s)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--no-types", action="store_true", help="skip the mypy pass (faster, fewer checks)"
    )
    p.set_defaults(func=run)


def _read_program(name: str) -> tuple[bytes, str]:
    if name == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    path = Path(name)
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise CodeActError(f"cannot read program {name}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace) -> int:
    try:
        code, filename = _read_program(args.program)
        grammar = load_grammar(args.grammar)
        specs = tool_specs(load_tools_file(args.tools)) if args.tools else {}
    except CodeActError as exc:
        print(f"codeact-verify check: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = verify(code, specs, grammar=grammar, types=not args.no_types)
    if args.json:
        print(report.to_json())
    else:
        print(report.render_for_human(filename))
        for effect in report.effects:
            print(f"  may call {effect.describe()}")
    return EXIT_OK if report.ok else EXIT_REJECTED

"""`codeact-verify check PROGRAM.py --tools TOOLS.py [--grammar NAME_OR_PATH] [--json]`.

Verifies a program without running it. Exit codes: 0 accepted, 1 rejected, 2 usage or input
error (unreadable program, bad tools file, invalid grammar, or a program that calls tools while
no `--tools` file was given). `-` reads the program from stdin.
`--json` prints one object: {"ok", "diagnostics": [...], "effects": [...]}.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from typing import Any

from ..errors import CodeActError
from ..grammar import load_grammar
from ..verifier import verify
from .common import (
    add_program_arguments,
    missing_tools_message,
    open_tools,
    read_program,
    usage_error,
)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check",
        help="verify a program without running it",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_program_arguments(p, "check")
    p.add_argument(
        "--no-types", action="store_true", help="skip the mypy pass (faster, fewer checks)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with ExitStack() as stack:
        try:
            code, filename = read_program(args.program)
            grammar = load_grammar(args.grammar)
            load = getattr(args, "specs_loader", None)  # the daemon's cache of tools files
            specs = stack.enter_context(open_tools(args.tools, args.mcp, load=load))
        except CodeActError as exc:
            return usage_error("check", exc)
        report = verify(code, specs, grammar=grammar, types=not args.no_types)
    missing = missing_tools_message(report, args.tools or args.mcp)
    if missing:
        return usage_error("check", missing)
    if args.json:
        print(report.to_json())
    else:
        print(report.render_for_human(filename))
        if report.ok:  # a rejected program calls nothing: it never runs
            for effect in report.effects:
                print(f"  may call {effect.describe()}")
    return EXIT_OK if report.ok else EXIT_REJECTED

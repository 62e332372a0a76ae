"""`codeact-verify bench`: the agent-level and sandbox-level benchmarks (`codeact_verify.bench`)."""

from __future__ import annotations

import argparse
from typing import Any

HELP = "run the benchmarks: print tables, write a Markdown report and PNG plots"


def add_parser(subparsers: Any) -> None:
    from ..bench import __main__ as bench_main

    parser = subparsers.add_parser("bench", help=HELP, description=HELP)
    bench_main.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..bench import __main__ as bench_main

    argv = list(getattr(args, "argv", []))
    argv = argv[argv.index("bench") + 1 :] if "bench" in argv else []
    return int(bench_main.run(args, argv))

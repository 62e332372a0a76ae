"""The `codeact-verify` command. Each subcommand lives in its own module of this package.

A subcommand module exposes `add_parser(subparsers)` (which registers its parser and sets
`func=run` on it) and `run(args) -> int`. Exit codes follow docs/DESIGN.md: 0 success, 1 rejected
by the verifier (or a fuzz finding), 2 usage or input error, 3 the program failed in the sandbox
(for `fuzz`: the campaign ran no example), 141 stdout was closed by its reader.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import CodeActError

# Module names under codeact_verify.cli, in the order `--help` lists them.
SUBCOMMANDS: list[str] = ["check", "run", "build_guest", "demo", "serve", "mcp", "bench", "fuzz"]

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, as argparse does, on stderr
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="codeact-verify",
        description=(
            "Verify CodeAct programs before they run, then run them in a WebAssembly sandbox."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="print the version"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv  # as typed, for reports that quote their command (bench)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows up here, not as a traceback at exit
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except CodeActError as exc:
        print(f"codeact-verify: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("codeact-verify: interrupted", file=sys.stderr)
        return 130
    finally:
        # The command is done: spare the interpreter's last collection over mypy's in-memory
        # build (about a second at exit after a type check). atexit handlers still run.
        gc.freeze()


def _stdout_closed() -> int:
    """`codeact-verify run --json | head`: the reader left. Python's documented recipe: point
    stdout at /dev/null so the interpreter's final flush cannot fail again, and exit quietly
    with 128 + SIGPIPE, as a command killed by the signal would."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (captured in tests)
        pass
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

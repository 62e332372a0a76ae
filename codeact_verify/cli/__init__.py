"""The `codeact-verify` command. Each subcommand lives in its own module of this package.

A subcommand module exposes `add_parser(subparsers)` (which registers its parser and sets
`func=run` on it) and `run(args) -> int`. Exit codes follow docs/DESIGN.md: 0 success, 1 rejected
by the verifier (or a fuzz finding), 2 usage or input error, 3 the program failed in the sandbox
(for `fuzz`: the campaign ran no example), 141 stdout was closed by its reader.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from .. import __version__
from ..errors import CodeActError

TYPE_CHECKING = False  # not `typing`: a `check` through the daemon imports almost nothing
if TYPE_CHECKING:  # argparse loads in build_parser, typing never at run time
    import argparse
    from typing import Any

# Module names under codeact_verify.cli, in the order `--help` lists them.
SUBCOMMANDS: list[str] = [
    "check", "run", "daemon", "build_guest", "demo", "serve", "mcp", "bench", "fuzz",
]  # fmt: skip

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def format_help(self) -> str:
            # The texts are written once for the module docs and the README, where `x` marks
            # code; a terminal shows the backticks as noise.
            return super().format_help().replace("`", "")

        def error(self, message: str) -> None:  # usage errors exit 2, as argparse does
            self.print_usage(sys.stderr)
            self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")

    return _Parser


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with ``only`` (a subcommand as typed, e.g. ``build-guest``)
    just that subcommand's parser: a one-shot `check` need not import what `demo` or `serve`
    need (asyncio, the HTTP stack), about a fifth of its start-up."""
    _Parser = _parser_class()
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
    module = (only or "").replace("-", "_")
    for name in [module] if module in SUBCOMMANDS else SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
    return parser


_LEAVE_AT_ONCE: list[bool] = []


def leave_at_once() -> None:
    """Called by a command whose run left a thread behind (a tool still running after the time
    limit: Python cannot kill a thread). The command-line process then exits as soon as its
    output is written, instead of joining that thread at interpreter exit (the tool's own
    time). Called through :func:`main` by a library user, it changes nothing."""
    _LEAVE_AT_ONCE.append(True)


def _note_a_first_mypy_cache_build() -> None:
    """On a terminal, say why the first type check of an installation takes a while: the mypy
    worker builds its cache of the standard library's types (once; see mypy_cache.py)."""
    if not sys.stderr.isatty():
        return
    from ..mypy_cache import MANIFEST, cache_dir

    root, _why = cache_dir()
    if root is not None and not any(root.glob(f"*/{MANIFEST}")):
        print(
            "codeact-verify: building mypy's cache of the standard library's types "
            "(once per installation; 10-20 s)...",
            file=sys.stderr,
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """The command line. Called without ``argv`` (the installed command, ``python -m``), a
    `check` goes through a running warm-checker daemon first (see `codeact-verify daemon`)."""
    from_command_line = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if from_command_line and argv[:1] == ["check"]:
            from .warm.client import check as check_via_daemon

            code = check_via_daemon(argv)
            if code is not None:
                sys.stdout.flush()
                return code
            if "--no-types" not in argv:
                # in-process: the mypy worker warms up on the other core while this process
                # loads the verifier and the tools
                from ..mypy_process import prestart

                prestart()
                _note_a_first_mypy_cache_build()
        code = run_args(argv)
        if from_command_line and _LEAVE_AT_ONCE:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        return code
    except BrokenPipeError:
        return _stdout_closed()
    finally:
        # The command is done: spare the interpreter's last collection over mypy's in-memory
        # build (about a second at exit after a type check). atexit handlers still run.
        gc.freeze()


def run_args(
    argv: Sequence[str], *, specs_loader: Callable[[str | None], dict[str, Any]] | None = None
) -> int:
    """Parse and run one command in this process (what the daemon runs for a client, with its
    cache of loaded tools files as ``specs_loader``)."""
    parser = build_parser(only=argv[0] if argv else None)
    args = parser.parse_args(list(argv))
    args.argv = list(argv)  # as typed, for reports that quote their command (bench)
    if specs_loader is not None:
        args.specs_loader = specs_loader
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
        command = getattr(args, "command", None)  # named as usage_error names it
        where = f"codeact-verify {command}" if command else "codeact-verify"
        print(f"{where}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("codeact-verify: interrupted", file=sys.stderr)
        return 130


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

"""`codeact-verify run PROGRAM.py --tools TOOLS.py`: verify, transpile, run in the sandbox.

Exit codes: 0 ran to the end, 1 rejected by the verifier, 2 usage or input error (including a
program that calls tools while no `--tools` file was given), 3 the program failed (exception,
limit hit, tool error). `--unverified` skips the verifier and runs the
program in the sandbox alone (for testing containment).
"""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import ExitStack
from typing import Any

from ..errors import CodeActError
from ..grammar import load_grammar
from . import leave_at_once
from .common import (
    add_program_arguments,
    missing_tools_message,
    open_tools,
    positive_float,
    positive_int,
    read_program,
    usage_error,
)

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="verify a program, then run it in the WebAssembly sandbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_program_arguments(p, "run")
    p.add_argument(
        "--timeout",
        type=positive_float,
        default=10.0,
        metavar="S",
        help="wall-clock limit in seconds (default: %(default)s)",
    )
    p.add_argument(
        "--memory",
        type=positive_int,
        default=256,
        metavar="MB",
        help="memory limit in MiB (default: %(default)s)",
    )
    p.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="HOST_DIR:GUEST_DIR[:ro|:rw]",
        help="expose a host directory to the program (read-only unless :rw)",
    )
    p.add_argument(
        "--allow-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="let the HTTP helper reach DOMAIN (*.example.com wildcards; "
        "http://HOST opts in to plain http)",
    )
    p.add_argument(
        "--output-dir",
        metavar="DIR",
        help="host directory mounted read-write at /output; new files are artifacts",
    )
    p.add_argument(
        "--unverified",
        action="store_true",
        help="skip the verifier: run in the sandbox alone (testing containment)",
    )
    p.add_argument(
        "--approve",
        action="append",
        default=[],
        metavar="TOOL",
        help='let the program call TOOL although its approval_mode is "always_require" '
        "(otherwise such a call is refused: error kind denied)",
    )
    p.set_defaults(func=run)


def _sandbox(args: argparse.Namespace) -> Any:
    from ..host import Limits, Mount, NetworkPolicy, Sandbox

    limits = Limits(timeout_s=args.timeout, memory_mb=args.memory)
    mounts = [Mount.parse(m) for m in args.mount]
    network = NetworkPolicy(args.allow_domain) if args.allow_domain else None
    return Sandbox(
        limits=limits, mounts=mounts, network=network, output_dir=args.output_dir, pool_size=0
    )


def run(args: argparse.Namespace) -> int:
    from ..executor import execute_sync

    try:
        raw, filename = read_program(args.program)
        code = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return usage_error("run", f"{args.program} is not UTF-8 text: {exc}")
    except CodeActError as exc:
        return usage_error("run", exc)
    with ExitStack() as stack:
        try:
            grammar = load_grammar(args.grammar)
            specs = stack.enter_context(open_tools(args.tools, args.mcp))
            sandbox = _sandbox(args)
        except (ValueError, CodeActError) as exc:
            return usage_error("run", exc)
        try:
            execution = execute_sync(
                code,
                specs,
                grammar=grammar,
                sandbox=sandbox,
                verified=not args.unverified,
                approved_tools=args.approve,
            )
        finally:
            sandbox.close()
    out = execution.to_dict()
    if execution.result is not None and execution.result.timings.get("abandoned"):
        leave_at_once()  # a tool still runs past the time limit: do not wait for it at exit
    rejected = execution.report is not None and not execution.report.ok
    if rejected and execution.report is not None:
        missing = missing_tools_message(execution.report, args.tools or args.mcp)
        if missing:
            return usage_error("run", missing)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(out.get("stdout") or "")
        if execution.final_answer is not None:  # given with final_answer(text)
            sys.stdout.write(execution.final_answer.rstrip("\n") + "\n")
        sys.stderr.write(out.get("stderr") or "")
        if rejected and execution.report is not None:
            print(execution.report.render_for_human(filename), file=sys.stderr)
        error = out.get("error")
        if error and not rejected:  # a rejection's diagnostics were just printed in full
            # file:line: as `check` prints diagnostics (and editors and CI annotators read)
            line = error.get("line")
            where = f"{filename}:{line}:" if line else f"{filename}:"
            print(f"{where} error [{error['kind']}]: {error['message']}", file=sys.stderr)
            source_lines = code.splitlines()
            if isinstance(line, int) and 1 <= line <= len(source_lines):
                print(f"    {source_lines[line - 1]}", file=sys.stderr)
    if out.get("ok"):
        return EXIT_OK
    return EXIT_REJECTED if rejected else EXIT_FAILED

"""`codeact-verify run PROGRAM.py --tools TOOLS.py`: verify, transpile, run in the sandbox.

Exit codes: 0 ran to the end, 1 rejected by the verifier, 2 usage or input error, 3 the program
failed (exception, limit hit, tool error). `--unverified` skips the verifier and runs the
program in the sandbox alone (for testing containment).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import CodeActError
from ..tools import ToolSpec, load_tools_file, tool_specs

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run",
        help="verify a program, then run it in the WebAssembly sandbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("program", metavar="PROGRAM.py", help="the program to run ('-' for stdin)")
    p.add_argument("--tools", metavar="TOOLS.py", help="file whose public functions are the tools")
    p.add_argument(
        "--grammar",
        default="default",
        metavar="NAME_OR_PATH",
        help="grammar profile name or TOML path (default: %(default)s)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="wall-clock limit in seconds (default: %(default)s)",
    )
    p.add_argument(
        "--memory",
        type=int,
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
    p.set_defaults(func=run)


def _usage(message: str) -> int:
    print(f"codeact-verify run: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _sandbox(args: argparse.Namespace) -> Any:
    from ..host import Limits, Mount, NetworkPolicy, Sandbox

    limits = Limits(timeout_s=args.timeout, memory_mb=args.memory)
    mounts = [Mount.parse(m) for m in args.mount]
    network = NetworkPolicy(args.allow_domain) if args.allow_domain else None
    return Sandbox(
        limits=limits, mounts=mounts, network=network, output_dir=args.output_dir, pool_size=0
    )


def execute(
    code: str, specs: dict[str, ToolSpec], sandbox: Any, *, grammar: str, verified: bool
) -> tuple[dict[str, Any], bool]:
    """Run `code`; returns the `--json` object and whether the verifier rejected it.

    The one place where the command joins the parts: verified runs go through
    `codeact_verify.executor` (verify -> transpile -> sandbox); `--unverified` runs use the
    sandbox alone, with the grammar's runtime policy when that grammar can be loaded.
    """
    if verified:
        from ..executor import execute_sync

        execution = execute_sync(code, specs, grammar=grammar, sandbox=sandbox)
        rejected = execution.report is not None and not execution.report.ok
        return execution.to_dict(), rejected
    policy = None
    try:
        from ..grammar import load_grammar

        policy = load_grammar(grammar).runtime_policy()
    except (ImportError, CodeActError):
        if grammar != "default":
            raise
    result = sandbox.run_sync(code, specs, policy=policy)
    out = result.to_dict()
    out["tool_calls"] = [
        {"name": c.name, "arguments": c.arguments, "ok": c.ok} for c in result.tool_calls
    ]
    out["diagnostics"] = []
    return out, False


def run(args: argparse.Namespace) -> int:
    try:
        code = sys.stdin.read() if args.program == "-" else Path(args.program).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _usage(f"cannot read {args.program}: {exc}")
    try:
        specs = tool_specs(load_tools_file(args.tools)) if args.tools else {}
        sandbox = _sandbox(args)
    except (ValueError, CodeActError) as exc:
        return _usage(str(exc))
    try:
        try:
            out, rejected = execute(
                code, specs, sandbox, grammar=args.grammar, verified=not args.unverified
            )
        except ImportError as exc:
            return _usage(f"the verifier is not available ({exc}); use --unverified")
    finally:
        sandbox.close()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(out.get("stdout") or "")
        sys.stderr.write(out.get("stderr") or "")
        for diag in out.get("diagnostics") or []:
            print(
                f"{args.program}:{diag.get('line')}:{diag.get('col')}: {diag.get('code')} "
                f"{diag.get('message')}",
                file=sys.stderr,
            )
        error = out.get("error")
        if error:
            where = f" (line {error['line']})" if error.get("line") else ""
            print(f"error [{error['kind']}]{where}: {error['message']}", file=sys.stderr)
    if out.get("ok"):
        return EXIT_OK
    return EXIT_REJECTED if rejected else EXIT_FAILED

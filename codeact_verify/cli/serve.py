"""`codeact-verify serve --tools TOOLS.py`: the verification service over HTTP (loopback)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import positive_float, positive_int

DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve POST /verify and POST /execute over HTTP",
        description=(
            "Serve the verifier and the sandbox over HTTP for agent loops in other languages: "
            "POST /verify, POST /execute, GET /openapi.json. Listens on 127.0.0.1 by default."
        ),
    )
    add_codeact_arguments(
        parser,
        approval_help='blocks needing approval run only when the request says "approved": true',
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s; anything but loopback lets others "
        "run code)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host header name to accept besides the loopback names (repeatable)",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an Origin to accept besides loopback ones, e.g. https://app.example (repeatable)",
    )
    parser.add_argument(
        "--token-env",
        default=None,
        metavar="VAR",
        help="require 'Authorization: Bearer $VAR' (required on a non-loopback --host)",
    )
    parser.add_argument(
        "--max-concurrent", type=int, default=8, metavar="N",
        help="requests verified or run at once (default: %(default)s)",
    )
    parser.add_argument(
        "--queue", type=int, default=64, metavar="N",
        help="requests that may wait for a slot; then 503 + Retry-After (default: %(default)s)",
    )
    parser.set_defaults(func=run)


def add_codeact_arguments(parser: argparse.ArgumentParser, *, approval_help: str) -> None:
    """The options `build_codeact` reads (tools, grammar, limits, mounts, domains, approval, run
    log), shared by `serve` and `mcp`."""
    parser.add_argument("--tools", required=True, metavar="TOOLS.py", help="file of tool functions")
    parser.add_argument(
        "--grammar",
        default="default",
        metavar="NAME_OR_PATH",
        help="grammar profile name or TOML path (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        metavar="S",
        help="wall-clock limit per program in seconds (default: the sandbox's, 10)",
    )
    parser.add_argument(
        "--memory",
        type=positive_int,
        default=None,
        metavar="MB",
        help="memory limit per program in MiB (default: the sandbox's, 256)",
    )
    parser.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="HOST_DIR:GUEST_DIR[:ro|:rw]",
        help="expose a host directory to programs (read-only unless :rw; repeatable)",
    )
    parser.add_argument(
        "--allow-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="let the HTTP helper reach DOMAIN (*.example.com wildcards; repeatable)",
    )
    parser.add_argument(
        "--approval-mode",
        choices=("never_require", "always_require"),
        default="never_require",
        help=approval_help,
    )
    parser.add_argument(
        "--run-log",
        default=None,
        metavar="FILE.jsonl",
        help="append one JSON object per execution (code, report, tool calls, outcome)",
    )


def build_codeact(args: argparse.Namespace) -> Any:
    from ..codeact import CodeAct
    from ..host import Limits
    from ..tools import load_tools_file

    limit_args: dict[str, Any] = {}
    if args.timeout is not None:
        limit_args["timeout_s"] = args.timeout
    if args.memory is not None:
        limit_args["memory_mb"] = args.memory
    return CodeAct(
        tools=load_tools_file(args.tools),
        approval_mode=args.approval_mode,
        grammar=args.grammar,
        limits=Limits(**limit_args) if limit_args else None,
        mounts=args.mount,
        allowed_domains=args.allow_domain,
        run_log=args.run_log,
    )


def front_door(args: argparse.Namespace) -> Any:
    """The `FrontDoor` the flags ask for; raises CodeActError for a setup that must not start."""
    import os

    from ..adapters.serve import LOOPBACK_HOSTS, FrontDoor
    from ..errors import CodeActError

    token = None
    if args.token_env:
        token = os.environ.get(args.token_env)
        if not token:
            raise CodeActError(f"--token-env {args.token_env}: that variable is empty or unset")
    loopback = args.host in LOOPBACK
    if not loopback and token is None:
        raise CodeActError(
            f"--host {args.host} is not loopback: anyone who can reach it could run code; "
            "set a token with --token-env VAR"
        )
    hosts = list(LOOPBACK_HOSTS) + list(args.allow_host)
    if not loopback and args.host not in ("0.0.0.0", "::"):
        hosts.append(args.host)
    if args.max_concurrent < 1 or args.queue < 0:
        raise CodeActError("--max-concurrent must be at least 1 and --queue at least 0")
    return FrontDoor(
        allowed_hosts=tuple(hosts),
        allowed_origins=tuple(LOOPBACK_HOSTS) + tuple(args.allow_origin),
        token=token,
        max_concurrent=args.max_concurrent,
        max_queue=args.queue,
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..adapters.serve import create_app

    door = front_door(args)
    codeact = build_codeact(args)
    codeact.warm_up()
    print(
        f"codeact-verify serve: http://{args.host}:{args.port} "
        f"(tools: {', '.join(codeact.tools) or 'none'})",
        file=sys.stderr,
    )
    try:
        uvicorn.run(
            create_app(codeact, door), host=args.host, port=args.port, log_level="warning"
        )
    finally:
        codeact.close()
    return 0

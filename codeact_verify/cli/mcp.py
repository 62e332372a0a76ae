"""`codeact-verify mcp --tools TOOLS.py`: verified CodeAct as an MCP server (stdio by default)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .serve import LOOPBACK, add_codeact_arguments

DEFAULT_PORT = 8000


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "mcp",
        help="serve execute_code and verify as an MCP server (stdio, or --http)",
        description=(
            "Serve verified CodeAct to any MCP client: the tools `execute_code` (verify, then run "
            "in the sandbox) and `verify` (check only). Speaks MCP over stdin/stdout by default; "
            "--http serves streamable HTTP at http://HOST:PORT/mcp (127.0.0.1 by default)."
        ),
    )
    add_codeact_arguments(
        parser,
        approval_help="blocks that need approval are denied (an MCP tool call cannot ask a person)",
    )
    parser.add_argument("--http", action="store_true", help="streamable HTTP instead of stdio")
    parser.add_argument("--host", default="127.0.0.1", help="with --http (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="with --http (default: %(default)s)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..adapters.mcp_server import create_mcp_server
    from .serve import build_codeact

    codeact = build_codeact(args)
    codeact.warm_up()
    server = create_mcp_server(codeact)
    names = ", ".join(codeact.tools) or "none"
    try:
        if args.http:
            if args.host not in LOOPBACK:
                print(
                    f"warning: listening on {args.host}, not loopback; "
                    "anyone who can reach it can run code",
                    file=sys.stderr,
                )
            print(
                f"codeact-verify mcp: http://{args.host}:{args.port}/mcp (tools: {names})",
                file=sys.stderr,
            )
            server.run("streamable-http", host=args.host, port=args.port)
        else:
            print(f"codeact-verify mcp: stdio (tools: {names})", file=sys.stderr)
            server.run("stdio")
    finally:
        codeact.close()
    return 0

"""What `check` and `run` share: the program argument, the tools file, the grammar, `--json`."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from ..diagnostics import Report
from ..errors import CodeActError
from ..tools import ToolSpec, load_tools_file, tool_specs

# Without --tools, these say the program calls something only a tools file could define.
NEEDS_TOOLS_RULES = frozenset({"unknown-name", "unknown-tool", "tool-name-literal"})


def add_program_arguments(p: argparse.ArgumentParser, verb: str) -> None:
    """PROGRAM.py (or '-'), --tools TOOLS.py, --mcp SERVER, --grammar NAME_OR_PATH, --json."""
    p.add_argument("program", metavar="PROGRAM.py", help=f"the program to {verb} ('-' for stdin)")
    p.add_argument(
        "--tools",
        metavar="TOOLS.py",
        help="file whose public functions are the tools (needed when the program calls a tool)",
    )
    p.add_argument(
        "--mcp",
        action="append",
        default=[],
        metavar="SERVER",
        help="an MCP server whose tools are tools too: a command line to start over stdio "
        "(e.g. 'python weather_server.py') or the http(s):// URL of a streamable-HTTP endpoint; "
        "repeatable, and combines with --tools",
    )
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


@contextmanager
def open_tools(
    tools: str | None,
    servers: list[str] | None = None,
    *,
    load: Callable[[str | None], dict[str, ToolSpec]] | None = None,
) -> Iterator[dict[str, ToolSpec]]:
    """The tools of a --tools file and of each --mcp server, by name; the MCP connections stay
    open until the block ends (a run's tool calls go to the servers). A server that cannot be
    started or reached, or two tools with one name, is a CodeActError (a usage error).
    ``load``: how the tools file is loaded (the daemon passes its cache; default `load_specs`)."""
    specs = dict((load or load_specs)(tools))
    with ExitStack() as stack:
        for server in servers or []:
            for name, spec in stack.enter_context(connect_mcp(server)).specs.items():
                if name in specs:
                    raise CodeActError(
                        f"two tools are named {name!r} (the second from --mcp {server!r})"
                    )
                specs[name] = spec
        yield specs


def connect_mcp(server: str) -> Any:
    """An open `MCPTools` for one --mcp value: an http(s):// URL, else a command line (stdio)."""
    from ..adapters.mcp_client import MCPTools

    if server.startswith(("http://", "https://")):
        return MCPTools.http(server)
    try:
        argv = shlex.split(server)
    except ValueError as exc:
        raise CodeActError(f"--mcp {server!r} is not a command line: {exc}") from None
    if not argv:
        raise CodeActError("--mcp needs a command line or an http(s):// URL")
    return MCPTools.stdio(argv[0], argv[1:])


def missing_tools_message(report: Report, tools: Any) -> str | None:
    """Why a program checked without `--tools` needs them, or None.

    Without a tools file a program that calls no tool is checked as usual. One that calls a tool
    (`call_tool`, `call_tools`, or a name it never defines) would be rejected for every call, which
    says nothing about the program: that is a usage error naming `--tools` instead.
    """
    if tools:
        return None
    found = [d for d in report.diagnostics if d.rule in NEEDS_TOOLS_RULES]
    if not found:
        return None
    lines = report.source.splitlines()
    where = []
    for d in found[:3]:
        text = lines[d.line - 1] if 1 <= d.line <= len(lines) else ""
        end = d.end_col if d.end_line == d.line and d.end_col and d.end_col > d.col else None
        span = text[d.col : end].strip() if end else ""
        where.append(f"`{span}` at line {d.line}" if span else f"line {d.line}")
    more = f" and {len(found) - 3} more" if len(found) > 3 else ""
    return (
        f"the program calls tools or names it does not define ({', '.join(where)}{more}), "
        "and no tools were given: pass --tools TOOLS.py (the file whose functions are the tools) "
        "or --mcp SERVER"
    )


def usage_error(command: str, message: Any) -> int:
    print(f"codeact-verify {command}: error: {message}", file=sys.stderr)
    return 2


def positive_float(text: str) -> float:
    """argparse type of a limit in seconds: a finite number above 0."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type of a limit in MiB: a whole number above 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a whole number above 0, got {text!r}")
    return value

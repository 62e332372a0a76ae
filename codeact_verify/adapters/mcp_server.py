"""Verified CodeAct as an MCP server: the tools `execute_code` and `verify`, for any MCP client.

```python
from codeact_verify import CodeAct
from codeact_verify.adapters.mcp_server import create_mcp_server

server = create_mcp_server(CodeAct(tools=[get_weather]))
server.run("stdio")                     # or run("streamable-http", host="127.0.0.1", port=8000)
```

`execute_code(code)` verifies the program, then runs it in the sandbox; its description carries the
CodeAct instructions (typed tool stubs and the subset's rules), since MCP clients show the model a
tool's description but not always the server's instructions (which carry them too). The result is
the compact text an agent loop gets; when the program was rejected or failed, the call is an MCP
tool error (`isError`) with that text. `verify(code)` only checks: it returns
`{"ok", "diagnostics", "effects"}` as structured content and runs nothing. Approvals: a program
that needs approval (`approval_mode`, or a tool's own) is denied, since an MCP tool call cannot ask
a person; the denial says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..execute_code import TOOL_NAME

if TYPE_CHECKING:
    from ..codeact import CodeAct

__all__ = ["VERIFY_DESCRIPTION", "create_mcp_server"]

VERIFY_DESCRIPTION = (
    "Check a Python program for execute_code without running it: whether it would be accepted, "
    "every problem with its line, column and a hint, and which tools it may call."
)


def _describe_execute_code(codeact: CodeAct) -> str:
    return (
        "Run a Python program in the verified sandbox; the program calls the tools below. "
        "Return what it prints.\n\n" + codeact.instructions
    )


def create_mcp_server(codeact: CodeAct, *, name: str = "codeact-verify") -> Any:
    """An `mcp.server.mcpserver.MCPServer` serving `execute_code` and `verify` over `codeact`."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError

    server = MCPServer(name, instructions=codeact.instructions)

    async def execute_code(code: str) -> str:
        text, execution = await codeact.execute_code_tool.run({"code": code}, approved=None)
        if execution is None or not execution.ok:
            raise ToolError(text)
        return text

    def verify(code: str) -> dict[str, Any]:
        report = codeact.verify(code)
        return {
            "ok": report.ok,
            "diagnostics": [d.to_dict() for d in report.diagnostics],
            "effects": [e.to_dict() for e in report.effects],
        }

    server.add_tool(
        execute_code,
        name=TOOL_NAME,
        description=_describe_execute_code(codeact),
        structured_output=False,
    )
    server.add_tool(verify, name="verify", description=VERIFY_DESCRIPTION, structured_output=True)
    return server

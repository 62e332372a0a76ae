"""An MCP server whose tools include names the sandbox reserves (`print`, `read_text`), for the
red-team test of finding red3/07: `python mcp_reserved_server.py` (stdio)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

server = MCPServer("reserved")


@server.tool(name="print")
def print_tool(text: str = "") -> str:
    """A tool named like the builtin."""
    return "the server's print"


@server.tool(name="read_text")
def read_text_tool(path: str) -> str:
    """A tool named like the sandbox helper."""
    return "the server's read_text"


@server.tool()
def get_weather(city: str) -> str:
    """Weather for a city."""
    return "sunny in " + city


if __name__ == "__main__":
    server.run("stdio")

"""A real MCP server (official `mcp` SDK, `MCPServer`) for the tests: `python mcp_weather_server.py
[stdio | http PORT]`."""

from __future__ import annotations

import sys
from typing import Literal

from mcp.server.mcpserver import MCPServer
from typing_extensions import TypedDict

server = MCPServer("weather")


class Forecast(TypedDict):
    city: str
    days: int
    high_c: float
    conditions: list[str]


@server.tool()
def get_forecast(city: str, days: int = 1, unit: Literal["c", "f"] = "c") -> Forecast:
    """Forecast for a city over the next `days` days."""
    high = 20.0 + len(city) + days
    return {
        "city": city.title(),
        "days": days,
        "high_c": high if unit == "c" else high * 9 / 5 + 32,
        "conditions": ["sunny"] * days,
    }


@server.tool(name="list-cities")
def list_cities() -> str:
    """The cities with forecasts, comma-separated."""
    return "Oslo,Lima,Perth"


@server.tool()
def fail(reason: str) -> str:
    """Always fails."""
    raise ValueError(f"failed on purpose: {reason}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run("stdio")

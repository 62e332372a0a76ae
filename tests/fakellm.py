"""Test fixture: the scripted OpenAI-compatible server (codeact_verify.demo.scripted_server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest

from codeact_verify.demo.scripted_server import (
    ScriptedServer,
    TurnSource,
    call_code,
    call_tool_turn,
    last_tool_result,
    say,
)

__all__ = [
    "ScriptedServer", "call_code", "call_tool_turn", "fakellm", "last_tool_result", "say",
]

Scripts = Mapping[str, Sequence[TurnSource]] | Sequence[TurnSource]


@pytest.fixture
def fakellm() -> Iterator[Callable[[Scripts], ScriptedServer]]:
    """Factory: `server = fakellm([call_code("print(1)"), say("done")])`; stopped afterwards."""
    servers: list[ScriptedServer] = []

    def start(scripts: Scripts) -> ScriptedServer:
        server = ScriptedServer(scripts).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def tool_messages(server: ScriptedServer) -> list[Any]:
    """The tool results the model saw in the last request."""
    return [m["content"] for m in server.requests[-1]["messages"] if m.get("role") == "tool"]

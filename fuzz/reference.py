"""Plain-CPython reference execution of a CodeAct program (no sandbox, no verifier).

This is the oracle for "the transpiler keeps meaning": the original program runs under the host
interpreter with a reference ``call_tool`` / ``call_tools`` / ``ToolError`` and the typed tool
names bound to the real functions, and its stdout is compared with the sandbox's. It must only be
fed programs the verifier accepted (it runs them with real builtins) or trusted corpus programs.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class ReferenceToolError(Exception):
    """The reference ``ToolError``: what a guest program catches when a tool fails."""

    def __init__(self, tool: str, message: str) -> None:
        super().__init__(f"{tool}: {message}")
        self.tool = tool
        self.message = message


@dataclass(frozen=True)
class ReferenceResult:
    ok: bool
    stdout: str
    error_type: str | None
    error_message: str | None


def _roundtrip(value: Any) -> Any:
    # The sandbox passes tool results through JSON; do the same so types match (tuples -> lists).
    return json.loads(json.dumps(value))


def reference_globals(tools: Mapping[str, Callable[..., Any]]) -> dict[str, Any]:
    """Globals for a program: typed tool names, call_tool, call_tools and ToolError."""

    def call(name: str, /, *args: Any, **kwargs: Any) -> Any:
        if name not in tools:
            raise ReferenceToolError(name, f"unknown tool {name!r}")
        try:
            return _roundtrip(tools[name](*args, **kwargs))
        except Exception as exc:  # a tool's own failure becomes ToolError, as in the sandbox
            raise ReferenceToolError(name, str(exc)) from None

    def call_tools(calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        return [call(name, **kwargs) for name, kwargs in calls]

    env: dict[str, Any] = {"__name__": "__main__"}
    for name in tools:
        env[name] = (lambda n: lambda *a, **k: call(n, *a, **k))(name)
    env["call_tool"] = call
    env["call_tools"] = call_tools
    env["ToolError"] = ReferenceToolError
    return env


def run_reference(code: str, tools: Mapping[str, Callable[..., Any]]) -> ReferenceResult:
    """Run ``code`` in plain CPython; capture stdout and the final exception, if any."""
    out = io.StringIO()
    env = reference_globals(tools)
    try:
        compiled = compile(code, "<program>", "exec")
        with contextlib.redirect_stdout(out):
            exec(compiled, env)
    except Exception as exc:
        return ReferenceResult(False, out.getvalue(), type(exc).__name__, str(exc))
    return ReferenceResult(True, out.getvalue(), None, None)

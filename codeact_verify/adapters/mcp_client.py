"""The tools of an MCP server as CodeAct tools: listed, typed from their JSON schemas, verified.

```python
from codeact_verify import CodeAct
from codeact_verify.adapters.mcp_client import MCPTools

with MCPTools.stdio("python", ["weather_server.py"]) as weather:   # or MCPTools.http(URL)
    codeact = CodeAct(tools=weather.specs)
    codeact.execute_sync('print(get_forecast(city="Oslo", days=3)["high_c"])')
```

The connection (official `mcp` SDK `Client`, stdio or streamable HTTP) lives on its own event loop
in a background thread, so the tools work from `CodeAct.execute` (async) and `execute_sync` alike;
the sandbox's tool calls cross to that loop. Each MCP tool becomes a `ToolSpec` whose stub comes
from its `inputSchema` (and `outputSchema` for the result; without one the result is `Any`), so a
program is checked against an MCP tool exactly like against a Python one. A result is the
`structuredContent` when the server sends one, else the text content (JSON-decoded when it is
JSON); a result with `isError` raises, which the program sees as `ToolError`.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from ..errors import CodeActError, ToolSpecError
from ..tools import RESERVED_NAMES, ApprovalMode, ToolSpec
from .mcp_tools import python_name, tool_spec_from_json_schema

__all__ = ["MCPToolError", "MCPTools"]

DEFAULT_TIMEOUT_S = 30.0


class MCPToolError(RuntimeError):
    """An MCP tool reported an error (`isError`) or the call failed."""


def _result_value(result: Any) -> Any:
    if getattr(result, "is_error", False):
        text = " ".join(getattr(c, "text", "") for c in result.content if hasattr(c, "text"))
        raise MCPToolError(text.strip() or "the MCP tool reported an error")
    structured = getattr(result, "structured_content", None)
    if structured is not None:
        return structured
    texts = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    if len(texts) == 1:
        try:
            return json.loads(texts[0])
        except ValueError:
            return texts[0]
    if texts:
        return "\n".join(texts)
    return None


def _why(exc: BaseException) -> str:
    """`Type: message` of what went wrong, looking inside the SDK's task groups: "ExceptionGroup:
    unhandled errors in a TaskGroup (1 sub-exception)" tells a person nothing."""
    leaves: list[BaseException] = []

    def walk(e: BaseException) -> None:
        if isinstance(e, BaseExceptionGroup):
            for sub in e.exceptions:
                walk(sub)
        else:
            leaves.append(e)

    walk(exc)
    return "; ".join(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__ for e in leaves)


class MCPTools:
    """A live connection to one MCP server and its tools as `ToolSpec`s (`specs`).

    Use as a context manager (or call `close()`): it owns a background thread and the server
    process (stdio). `prefix` is put before every tool name (e.g. "weather_"); names that are
    not Python identifiers are made into ones ("get-forecast" -> "get_forecast"). A tool whose
    parameters cannot be named from Python is left out and listed in `skipped`.
    """

    def __init__(
        self,
        target: Any,
        *,
        prefix: str = "",
        include: Sequence[str] | None = None,
        approval_mode: ApprovalMode | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.target = target
        self.prefix = prefix
        self.include = None if include is None else set(include)
        self.approval_mode: ApprovalMode | None = approval_mode
        self.timeout_s = timeout_s
        self.specs: dict[str, ToolSpec] = {}
        self.skipped: dict[str, str] = {}  # MCP tool name -> why it was left out
        self.server_name: str | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._client: Any = None
        self._closed = False
        self._stop: asyncio.Event | None = None
        self._ready: Future[None] = Future()
        self._thread.start()
        self._main = self._submit(self._serve())
        try:
            self._ready.result(timeout_s)
        except BaseException as exc:
            self.close()
            if isinstance(exc, CodeActError):
                raise
            raise CodeActError(
                f"cannot connect to the MCP server {self.describe()}: {_why(exc)}"
            ) from exc

    # --- constructors -----------------------------------------------------------------------
    @classmethod
    def stdio(
        cls,
        command: str,
        args: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        **kwargs: Any,
    ) -> MCPTools:
        """Start `command args...` and talk MCP over its stdin/stdout."""
        from mcp import StdioServerParameters

        params = StdioServerParameters(
            command=command, args=list(args), env=dict(env) if env is not None else None, cwd=cwd
        )
        return cls(params, **kwargs)

    @classmethod
    def http(cls, url: str, **kwargs: Any) -> MCPTools:
        """Connect to a streamable-HTTP MCP endpoint (e.g. http://127.0.0.1:8000/mcp)."""
        return cls(url, **kwargs)

    def describe(self) -> str:
        target = self.target
        command = getattr(target, "command", None)
        if command is not None:
            return "stdio: " + " ".join([command, *getattr(target, "args", [])])
        return str(target)

    # --- the connection, on the background loop ----------------------------------------------
    def _submit(self, coro: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _serve(self) -> None:
        """Open the connection, list the tools, and hold the connection until `close()`.

        One task enters and leaves the SDK's `Client` (its cancel scopes need that)."""
        from mcp import Client

        self._stop = asyncio.Event()
        try:
            async with Client(self.target, read_timeout_seconds=self.timeout_s) as client:
                self._client = client
                await self._list_tools()
                self._ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not self._ready.done():
                self._ready.set_exception(exc)
                return
            raise
        finally:
            self._client = None

    async def _list_tools(self) -> None:
        info = self._client.server_info
        self.server_name = getattr(info, "name", None)
        tools: list[Any] = []
        cursor = None
        while True:
            page = await self._client.list_tools(cursor=cursor)
            tools += page.tools
            cursor = getattr(page, "next_cursor", None)
            if not cursor:
                break
        taken: set[str] = set()
        for tool in tools:
            if self.include is not None and tool.name not in self.include:
                continue
            name = python_name(self.prefix + tool.name)
            try:
                if name in self.specs:
                    raise ToolSpecError(f"two MCP tools map to the Python name {name!r}")
                if name in RESERVED_NAMES:  # `print`, `call_tool`, `read_text`...: the sandbox's
                    raise ToolSpecError(f"tool name {name!r} is reserved by the sandbox")
                self.specs[name] = tool_spec_from_json_schema(
                    name,
                    tool.input_schema,
                    func=self._caller(tool.name),
                    description=tool.description or "",
                    output_schema=tool.output_schema,
                    approval_mode=self.approval_mode,
                    taken_names=taken,
                )
            except ToolSpecError as exc:
                self.skipped[tool.name] = str(exc)

    def _caller(self, mcp_name: str) -> Any:
        def call(**arguments: Any) -> Any:
            if self._closed:
                raise MCPToolError(f"the MCP connection for {mcp_name!r} is closed")
            future = self._submit(self._client.call_tool(mcp_name, arguments))
            try:
                result = future.result(self.timeout_s)
            except TimeoutError as exc:
                future.cancel()
                raise MCPToolError(f"{mcp_name}: no answer within {self.timeout_s:g} s") from exc
            return _result_value(result)

        call.__name__ = python_name(mcp_name)
        return call

    def call(self, name: str, **arguments: Any) -> Any:
        """Call a tool by its Python name, from the host (not the sandbox)."""
        spec = self.specs.get(name)
        if spec is None:
            raise KeyError(f"no MCP tool named {name!r}")
        return spec.func(**arguments)

    # --- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        try:
            self._main.result(self.timeout_s)
        except BaseException:  # the server may be gone already; shutting down regardless
            self._main.cancel()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(self.timeout_s)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> MCPTools:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

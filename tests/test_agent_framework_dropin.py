"""The reference provider's public API, exercised against ours with only the import changed.

Written as for `agent_framework_hyperlight` (1.0.0b261022): constructors and keywords, input
forms for file mounts and allowed domains, the management methods, approval mode, run-scoped
tools, serializable state, the result content (text / data / error), and an `Agent` end to end
with a scripted chat client, modelled on the reference's own tests
(python/packages/hyperlight/tests/hyperlight/test_hyperlight_codeact.py). Where that file uses
the private `_registry` hook and a fake sandbox, these tests run the real sandbox instead.
To run them against the reference:
`DROPIN_TARGET=reference pytest tests/test_agent_framework_dropin.py` (the tests that run code
need its sandbox, i.e. a working hypervisor).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import pytest

pytest.importorskip("agent_framework")

from agent_framework import (
    Agent,
    BaseChatClient,
    ChatResponse,
    ChatResponseUpdate,
    Content,
    FunctionInvocationLayer,
    FunctionTool,
    Message,
    ResponseStream,
    tool,
)

# The one line a user changes. DROPIN_TARGET=reference runs this file against the reference
# (pip install agent-framework-hyperlight==1.0.0b261022; its sandbox needs a working hypervisor).
if os.environ.get("DROPIN_TARGET") == "reference":
    from agent_framework_hyperlight import (  # type: ignore[import-not-found]
        AllowedDomain,
        FileMount,
        HyperlightCodeActProvider,
        HyperlightExecuteCodeTool,
    )
else:
    from codeact_verify.agent_framework import AllowedDomain, FileMount
    from codeact_verify.agent_framework import CodeActProvider as HyperlightCodeActProvider
    from codeact_verify.agent_framework import ExecuteCodeTool as HyperlightExecuteCodeTool


@tool(approval_mode="never_require")
def compute(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool(approval_mode="always_require")
def dangerous_compute(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


@tool(name="compute", approval_mode="always_require")
def replacement_compute(a: int, b: int) -> int:
    """Subtract two integers."""
    return a - b


ADD = 'total = call_tool("compute", a=20, b=22)\nprint(total)'


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def close(obj: Any) -> None:
    """Release sandboxes (our objects hold a CodeAct; the reference's a registry)."""
    codeact = getattr(obj, "codeact", None)
    if codeact is not None:
        codeact.close()
        return
    inner = getattr(obj, "_execute_code_tool", obj)
    registry_close = getattr(getattr(inner, "_registry", None), "close", None)
    if callable(registry_close):
        registry_close()


def decode(item: Content) -> bytes:
    assert item.uri is not None and item.uri.startswith("data:")
    return base64.b64decode(item.uri.split(",", 1)[1])


class FakeSessionContext:
    """The reference tests' stand-in for SessionContext (records what the provider adds)."""

    def __init__(self, *, tools: list[Any] | None = None) -> None:
        self.options: dict[str, Any] = {}
        if tools is not None:
            self.options["tools"] = tools
        self.instructions: list[tuple[str, str]] = []
        self.tools: list[tuple[str, list[Any]]] = []

    def extend_instructions(self, source_id: str, instructions: str) -> None:
        self.instructions.append((source_id, instructions))

    def extend_tools(self, source_id: str, tools: list[Any]) -> None:
        self.tools.append((source_id, tools))


# --- constructors, tools, approval mode -------------------------------------------------------
def test_execute_code_tool_is_a_function_tool_named_execute_code() -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute])
    assert isinstance(execute_code, FunctionTool)
    assert execute_code.name == "execute_code"
    assert execute_code.parameters()["required"] == ["code"]
    assert "compute" in execute_code.description
    close(execute_code)


def test_execute_code_tool_updates_approval_with_managed_tools() -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute])
    assert execute_code.approval_mode == "never_require"
    execute_code.add_tools([dangerous_compute])
    assert execute_code.approval_mode == "always_require"
    execute_code.remove_tool("dangerous_compute")
    assert execute_code.approval_mode == "never_require"
    close(execute_code)


def test_provider_approval_mode_always_require_is_the_tools_mode() -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute], approval_mode="always_require")
    assert execute_code.approval_mode == "always_require"
    close(execute_code)


def test_execute_code_tool_replaces_tools_with_the_same_name() -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute])
    execute_code.add_tools(replacement_compute)
    tools = execute_code.get_tools()
    assert len(tools) == 1
    assert tools[0] is replacement_compute
    assert execute_code.approval_mode == "always_require"
    close(execute_code)


def test_tools_accept_plain_callables_and_clear() -> None:
    def greet(name: str) -> str:
        """Say hello."""
        return f"hello {name}"

    execute_code = HyperlightExecuteCodeTool(tools=greet)
    (wrapped,) = execute_code.get_tools()
    assert isinstance(wrapped, FunctionTool) and wrapped.name == "greet"
    with pytest.raises(KeyError):
        execute_code.remove_tool("missing")
    execute_code.clear_tools()
    assert execute_code.get_tools() == []
    close(execute_code)


def test_all_reference_keywords_are_accepted() -> None:
    provider = HyperlightCodeActProvider(
        "my_source",
        tools=[compute],
        tool_description_format={"compute": "json"},
        approval_mode="never_require",
        workspace_root=None,
        file_mounts=None,
        allowed_domains=None,
        max_output_files=3,
        max_output_file_bytes=1000,
        max_output_total_bytes=2000,
        backend="wasm",
        module="python_guest.path",
        module_path=None,
    )
    assert provider.source_id == "my_source"
    close(provider)
    execute_code = HyperlightExecuteCodeTool(
        tools=[compute],
        tool_description_format={"compute": "json"},
        max_output_files=3,
        max_output_file_bytes=1000,
        max_output_total_bytes=2000,
        backend="wasm",
        module="python_guest.path",
        module_path=None,
    )
    state = execute_code.create_run_tool().build_serializable_state()
    assert state["max_output_files"] == 3
    assert state["max_output_file_bytes"] == 1000
    assert state["max_output_total_bytes"] == 2000
    assert state["tool_description_format"] == {"compute": "json"}
    assert state["backend"] == "wasm" and state["module"] == "python_guest.path"
    close(execute_code)


@pytest.mark.parametrize("value", [0, -1])
def test_output_limits_must_be_positive(value: int) -> None:
    with pytest.raises(ValueError):
        HyperlightExecuteCodeTool(max_output_files=value)
    with pytest.raises(TypeError):
        HyperlightExecuteCodeTool(max_output_total_bytes=True)  # type: ignore[arg-type]


# --- file mounts ------------------------------------------------------------------------------
def test_execute_code_tool_accepts_string_and_tuple_file_mounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shorthand_file = tmp_path / "notes.txt"
    shorthand_file.write_text("hello", encoding="utf-8")
    explicit_file = tmp_path / "data.json"
    explicit_file.write_text('{"hello": "world"}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    execute_code = HyperlightExecuteCodeTool()
    execute_code.add_file_mounts("notes.txt")
    execute_code.add_file_mounts((explicit_file, "data/data.json"))

    assert execute_code.get_file_mounts() == [
        FileMount(shorthand_file.resolve(), "/input/notes.txt"),
        FileMount(explicit_file.resolve(), "/input/data/data.json"),
    ]
    close(execute_code)


@pytest.mark.parametrize(
    "form",
    ["string", "list_of_strings", "pair", "file_mount", "mixed_list"],
)
def test_constructor_file_mount_forms(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "x.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    value: Any = {
        "string": "notes.txt",
        "list_of_strings": ["notes.txt"],
        "pair": (tmp_path / "x.json", "data/x.json"),
        "file_mount": FileMount(str(tmp_path / "x.json"), "data/x.json"),
        "mixed_list": ["notes.txt", (str(tmp_path / "x.json"), "/input/data/x.json")],
    }[form]
    provider = HyperlightCodeActProvider(file_mounts=value)
    paths = [m.mount_path for m in provider.get_file_mounts()]
    expected = {
        "string": ["/input/notes.txt"],
        "list_of_strings": ["/input/notes.txt"],
        "pair": ["/input/data/x.json"],
        "file_mount": ["/input/data/x.json"],
        "mixed_list": ["/input/notes.txt", "/input/data/x.json"],
    }[form]
    assert paths == expected
    close(provider)


def test_file_mount_paths_must_stay_under_input(tmp_path: Path) -> None:
    execute_code = HyperlightExecuteCodeTool()
    with pytest.raises(ValueError):
        execute_code.add_file_mounts((tmp_path, "/input/../escape"))
    with pytest.raises(ValueError):
        execute_code.add_file_mounts((tmp_path, "/input"))
    with pytest.raises(FileNotFoundError):
        execute_code.add_file_mounts(str(tmp_path / "does-not-exist.txt"))
    with pytest.raises(FileNotFoundError):
        HyperlightExecuteCodeTool(workspace_root=tmp_path / "missing")
    close(execute_code)


def test_provider_delegates_file_mounts_and_allowed_domains_to_internal_tool(
    tmp_path: Path,
) -> None:
    provider = HyperlightCodeActProvider()

    provider.add_file_mounts((tmp_path, "reports/output.txt"))
    assert provider.get_file_mounts() == [
        FileMount(tmp_path.resolve(), "/input/reports/output.txt")
    ]
    provider.remove_file_mount("/input/reports/output.txt")
    assert provider.get_file_mounts() == []
    provider.add_file_mounts((tmp_path, "reports/output.txt"))
    provider.clear_file_mounts()
    assert provider.get_file_mounts() == []

    provider.add_allowed_domains([("api.example.com", "get"), "github.com"])
    assert provider.get_allowed_domains() == [
        AllowedDomain("api.example.com", ("GET",)),
        AllowedDomain("github.com", None),
    ]
    provider.remove_allowed_domain("github.com")
    assert provider.get_allowed_domains() == [AllowedDomain("api.example.com", ("GET",))]
    provider.clear_allowed_domains()
    assert provider.get_allowed_domains() == []
    with pytest.raises(KeyError):
        provider.remove_allowed_domain("github.com")
    with pytest.raises(KeyError):
        provider.remove_file_mount("/input/nothing")
    close(provider)


# --- allowed domains --------------------------------------------------------------------------
def test_allowed_domains_use_structured_entries_and_replace_by_target() -> None:
    execute_code = HyperlightExecuteCodeTool()
    execute_code.add_allowed_domains(["https://api.example.com/v1", ("github.com", "get")])
    execute_code.add_allowed_domains([
        AllowedDomain("api.example.com", ("post", "get")),
        ("github.com", ["head", "get"]),
    ])
    assert execute_code.get_allowed_domains() == [
        AllowedDomain("api.example.com", ("GET", "POST")),
        AllowedDomain("github.com", ("GET", "HEAD")),
    ]
    close(execute_code)


def test_a_bare_pair_is_one_domain_with_its_methods() -> None:
    provider = HyperlightCodeActProvider(allowed_domains=("api.github.com", "GET"))
    assert provider.get_allowed_domains() == [AllowedDomain("api.github.com", ("GET",))]
    provider.add_allowed_domains(AllowedDomain("example.org"))
    assert AllowedDomain("example.org", None) in provider.get_allowed_domains()
    close(provider)


def test_bad_allowed_domain_entries_raise_value_error() -> None:
    execute_code = HyperlightExecuteCodeTool()
    for bad in [" ", ("example.com", []), ("example.com", " ")]:
        with pytest.raises(ValueError):
            execute_code.add_allowed_domains(bad)  # type: ignore[arg-type]
    assert execute_code.get_allowed_domains() == []
    close(execute_code)


# --- what the model sees ----------------------------------------------------------------------
def test_description_lists_tools_inputs_output_and_domains(tmp_path: Path) -> None:
    workspace_root = tmp_path / "workspace"
    workspace_root.mkdir()
    (workspace_root / "notes.txt").write_text("hello", encoding="utf-8")
    mount_file = tmp_path / "data.json"
    mount_file.write_text('{"hello": "world"}', encoding="utf-8")

    execute_code = HyperlightExecuteCodeTool(
        tools=[compute],
        workspace_root=workspace_root,
        file_mounts=[FileMount(str(mount_file), "data/data.json")],
        allowed_domains=[
            AllowedDomain("https://api.example.com/v1", ("get", "post")), "github.com"
        ],
    )
    description = execute_code.description
    assert "call_tool(" in description
    assert "compute" in description
    assert "/input/data/data.json" in description
    assert "/output" in description
    assert "api.example.com" in description
    assert "GET, POST" in description
    assert "github.com" in description
    assert execute_code.to_dict()["description"] == description
    close(execute_code)


def test_description_without_filesystem_or_network_does_not_mention_them() -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute])
    assert "/input" not in execute_code.description
    assert "/output" not in execute_code.description
    assert "HTTP" not in execute_code.description
    close(execute_code)


def test_build_instructions_depends_on_tool_visibility(tmp_path: Path) -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute], file_mounts=[(tmp_path, "dir")])
    visible = execute_code.build_instructions(tools_visible_to_model=True)
    hidden = execute_code.build_instructions(tools_visible_to_model=False)
    assert "execute_code" in visible and "execute_code" in hidden
    assert visible != hidden
    assert "/output" in hidden
    close(execute_code)


# --- run-scoped tools and state ---------------------------------------------------------------
def test_provider_injects_run_scoped_execute_code_tool() -> None:
    provider = HyperlightCodeActProvider(tools=[compute])
    context = FakeSessionContext(tools=[dangerous_compute])
    state: dict[str, Any] = {}

    run(provider.before_run(agent=object(), session=None, context=cast(Any, context), state=state))

    assert context.options["tools"] == [dangerous_compute]
    assert len(context.instructions) == 1
    assert len(context.tools) == 1
    run_tool = context.tools[0][1][0]
    assert isinstance(run_tool, HyperlightExecuteCodeTool)
    assert run_tool.approval_mode == "never_require"
    assert [t.name for t in run_tool.get_tools()] == ["compute"]
    assert "dangerous_compute" not in context.instructions[0][1]
    assert state[provider.source_id]["tool_names"] == ["compute"]
    assert state[provider.source_id]["approval_mode"] == "never_require"
    json.dumps(state)

    provider.remove_tool("compute")
    assert [t.name for t in run_tool.get_tools()] == ["compute"]
    close(provider)


def test_create_run_tool_snapshots_the_configuration(tmp_path: Path) -> None:
    execute_code = HyperlightExecuteCodeTool(
        tools=[compute, dangerous_compute],
        file_mounts=[(tmp_path, "dir")],
        allowed_domains=[("api.example.com", ["GET"])],
    )
    run_tool = execute_code.create_run_tool()
    assert run_tool is not execute_code
    assert run_tool.approval_mode == "always_require"
    execute_code.clear_tools()
    execute_code.clear_file_mounts()
    execute_code.clear_allowed_domains()
    assert [t.name for t in run_tool.get_tools()] == ["compute", "dangerous_compute"]
    assert [m.mount_path for m in run_tool.get_file_mounts()] == ["/input/dir"]
    assert run_tool.get_allowed_domains() == [AllowedDomain("api.example.com", ("GET",))]
    close(execute_code)


def test_build_serializable_state_is_json(tmp_path: Path) -> None:
    execute_code = HyperlightExecuteCodeTool(
        tools=[dangerous_compute],
        workspace_root=tmp_path,
        file_mounts=[(tmp_path, "more")],
        allowed_domains=[("api.github.com", "GET")],
    )
    state = json.loads(json.dumps(execute_code.build_serializable_state()))
    assert state["approval_mode"] == "always_require"
    assert state["tool_names"] == ["dangerous_compute"]
    assert state["filesystem_enabled"] is True
    assert state["workspace_root"] == str(tmp_path.resolve())
    assert state["file_mounts"] == [
        {"host_path": str(tmp_path.resolve()), "mount_path": "/input/more"}
    ]
    assert state["network_enabled"] is True
    assert state["allowed_domains"] == [{"target": "api.github.com", "methods": ["GET"]}]
    for key in ("backend", "module", "module_path", "max_output_files",
                "max_output_file_bytes", "max_output_total_bytes", "tool_description_format"):
        assert key in state
    close(execute_code)


# --- results ----------------------------------------------------------------------------------
def test_execute_code_tool_executes_with_structured_content() -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute])
    result = run(execute_code.invoke(arguments={"code": ADD}))
    assert result[0].type == "text"
    assert result[0].text == "42\n"
    close(execute_code)


def test_execute_code_tool_reads_inputs_and_returns_output_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.txt").write_text("hello from the host", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    execute_code = HyperlightExecuteCodeTool(file_mounts="notes.txt")
    code = (
        'text = read_text("/input/notes.txt")\n'
        'write_text("/output/report.txt", text.upper())\n'
        'write_json("/output/data.json", {"n": len(text)})\n'
        'print("done")\n'
    )
    result = run(execute_code.invoke(arguments={"code": code}))
    assert result[0].type == "text" and result[0].text == "done\n"
    files = {item.additional_properties["path"]: item for item in result if item.type == "data"}
    assert set(files) == {"/output/report.txt", "/output/data.json"}
    assert files["/output/report.txt"].media_type == "text/plain"
    assert decode(files["/output/report.txt"]) == b"HELLO FROM THE HOST"
    assert files["/output/data.json"].media_type == "application/json"
    assert json.loads(decode(files["/output/data.json"])) == {"n": 19}
    assert not any(item.type == "error" for item in result)

    # The next run starts with an empty /output, and sees the mounted file's new contents.
    (tmp_path / "notes.txt").write_text("changed", encoding="utf-8")
    again = run(execute_code.invoke(
        arguments={"code": 'print(read_text("/input/notes.txt"), list_dir("/output"))'}
    ))
    assert again[0].text == "changed []\n"
    assert not any(item.type == "data" for item in again)
    close(execute_code)


def test_output_files_respect_the_limits(tmp_path: Path) -> None:
    execute_code = HyperlightExecuteCodeTool(
        file_mounts=[(tmp_path, "dir")], max_output_files=2, max_output_file_bytes=10,
    )
    code = (
        'write_text("/output/a.txt", "small")\n'
        'write_text("/output/b.txt", "x" * 50)\n'
        'print("wrote")\n'
    )
    result = run(execute_code.invoke(arguments={"code": code}))
    data = [item for item in result if item.type == "data"]
    errors = [item for item in result if item.type == "error"]
    assert [d.additional_properties["path"] for d in data] == ["/output/a.txt"]
    assert errors and "per-file" in str(errors[0].error_details)

    three = 'for n in ["a", "b", "c"]:\n    write_text("/output/" + n + ".txt", n)\n'
    result = run(execute_code.invoke(arguments={"code": three}))
    errors = [item for item in result if item.type == "error"]
    assert errors and "2" in str(errors[0].error_details)
    close(execute_code)


def test_execute_code_tool_failure_returns_error_content() -> None:
    execute_code = HyperlightExecuteCodeTool()
    result = run(execute_code.invoke(arguments={"code": "x = 1 // 0\n"}))
    assert result[0].type == "error"
    assert "ZeroDivisionError" in str(result[0].error_details)
    close(execute_code)


def test_printed_output_comes_before_the_error() -> None:
    execute_code = HyperlightExecuteCodeTool()
    result = run(execute_code.invoke(arguments={"code": 'print("partial")\nx = 1 // 0\n'}))
    assert [item.type for item in result] == ["text", "error"]
    assert result[0].text == "partial\n"
    close(execute_code)


# --- an Agent end to end ----------------------------------------------------------------------
class FakeCodeActChatClient(FunctionInvocationLayer[Any], BaseChatClient[Any]):
    """The reference tests' scripted client: one execute_code call, then an answer."""

    def __init__(self, code: str = ADD) -> None:
        FunctionInvocationLayer.__init__(self)
        BaseChatClient.__init__(self)
        self.call_count = 0
        self.code = code
        self.seen: list[Content] = []
        self.options: list[Mapping[str, Any]] = []

    def _inner_get_response(
        self, *, messages: Sequence[Message], stream: bool, options: Mapping[str, Any],
        **kwargs: Any,
    ) -> Awaitable[ChatResponse] | ResponseStream[ChatResponseUpdate, ChatResponse]:
        assert not stream

        async def respond() -> ChatResponse:
            self.call_count += 1
            self.options.append(dict(options))
            if self.call_count == 1:
                return ChatResponse(messages=Message(role="assistant", contents=[
                    Content.from_function_call(
                        call_id="execute_code_call", name="execute_code",
                        arguments={"code": self.code},
                    )
                ]))
            self.seen = [
                c for m in messages for c in m.contents if c.type == "function_result"
            ]
            text = next(
                (i.text for r in self.seen for i in r.items or [] if i.type == "text"), ""
            )
            return ChatResponse(messages=Message(
                role="assistant", contents=[f"The sandbox returned {str(text).strip()}."]
            ))

        return respond()


def test_agent_runs_codeact_end_to_end() -> None:
    client = FakeCodeActChatClient()
    provider = HyperlightCodeActProvider(tools=[compute])
    agent = Agent(client=client, context_providers=[provider])
    response = run(agent.run("Use the sandbox to add 20 and 22."))
    assert response.text == "The sandbox returned 42."
    assert client.call_count == 2
    (result,) = client.seen
    assert result.call_id == "execute_code_call"
    tools = client.options[0]["tools"]
    assert [t.name for t in tools] == ["execute_code"]
    close(provider)


def test_agent_with_the_standalone_tool() -> None:
    execute_code = HyperlightExecuteCodeTool(tools=[compute])
    client = FakeCodeActChatClient()
    agent = Agent(
        client=client,
        tools=[execute_code],
        instructions=execute_code.build_instructions(tools_visible_to_model=False),
    )
    response = run(agent.run("Add 20 and 22."))
    assert response.text == "The sandbox returned 42."
    close(execute_code)


def test_agent_files_reach_the_model(tmp_path: Path) -> None:
    code = 'write_text("/output/answer.txt", "42")\nprint("see file")\n'
    client = FakeCodeActChatClient(code)
    provider = HyperlightCodeActProvider(workspace_root=tmp_path)
    run(Agent(client=client, context_providers=[provider]).run("write the answer to a file"))
    (result,) = client.seen
    data = [i for i in result.items or [] if i.type == "data"]
    assert [d.additional_properties["path"] for d in data] == ["/output/answer.txt"]
    assert decode(data[0]) == b"42"
    close(provider)


def test_agent_asks_for_approval_and_runs_when_approved() -> None:
    code = 'print(call_tool("dangerous_compute", a=6, b=7))'
    client = FakeCodeActChatClient(code)
    provider = HyperlightCodeActProvider(tools=[compute, dangerous_compute])
    agent = Agent(client=client, context_providers=[provider])
    session = agent.create_session()

    async def go() -> Any:
        first = await agent.run("multiply", session=session)
        (request,) = first.user_input_requests
        assert request.function_call.name == "execute_code"
        answer = Message(role="user", contents=[request.to_function_approval_response(True)])
        return await agent.run(answer, session=session)

    response = run(go())
    assert response.text == "The sandbox returned 42."
    close(provider)


def test_agent_approval_denied_runs_nothing() -> None:
    calls: list[int] = []

    @tool(approval_mode="always_require")
    def record(n: int) -> int:
        """Record a number."""
        calls.append(n)
        return n

    client = FakeCodeActChatClient('print(call_tool("record", n=1))')
    provider = HyperlightCodeActProvider(tools=[record])
    agent = Agent(client=client, context_providers=[provider])
    session = agent.create_session()

    async def go() -> Any:
        first = await agent.run("record", session=session)
        (request,) = first.user_input_requests
        answer = Message(role="user", contents=[request.to_function_approval_response(False)])
        return await agent.run(answer, session=session)

    run(go())
    assert calls == []
    close(provider)

"""Approvals: always_require, per-tool approval modes known from effects, sync/async callbacks."""

from __future__ import annotations

import asyncio

import pytest

from codeact_verify.approval import ApprovalDecision, ApprovalRequest
from codeact_verify.codeact import CodeAct
from codeact_verify.tools import ToolSpec

SENT: list[tuple[str, str]] = []
ASKED: list[str] = []


def get_weather(city: str) -> dict[str, float]:
    """Weather for a city."""
    ASKED.append(city)
    return {"temperature_c": 10.0}


def send_message(to: str, text: str) -> bool:
    """Send a message."""
    SENT.append((to, text))
    return True


WEATHER_ONLY = 'w = get_weather(city="Oslo")\nprint(w["temperature_c"])\n'
SENDS = (
    'w = get_weather(city="Oslo")\n'
    'for who in ["ann", "bob"]:\n'
    '    send_message(to=who, text="hi")\n'
    'print("sent")\n'
)


@pytest.fixture(autouse=True)
def _clear() -> None:
    SENT.clear()
    ASKED.clear()


def make(**kwargs: object) -> CodeAct:
    tools = [
        ToolSpec.from_callable(get_weather),
        ToolSpec.from_callable(send_message, approval_mode="always_require"),
    ]
    return CodeAct(tools=tools, **kwargs)  # type: ignore[arg-type]


def test_never_require_runs_without_asking_when_no_tool_needs_approval() -> None:
    requests: list[ApprovalRequest] = []
    with make(approval_callback=lambda r: requests.append(r) or True) as codeact:
        result = codeact.execute_sync(WEATHER_ONLY)
    assert result.ok, result.error
    assert result.stdout.strip() == "10.0"
    assert requests == []


def test_always_require_asks_with_code_and_effects_then_runs() -> None:
    requests: list[ApprovalRequest] = []

    def approve(request: ApprovalRequest) -> bool:
        requests.append(request)
        return True

    with make(approval_mode="always_require", approval_callback=approve) as codeact:
        result = codeact.execute_sync(WEATHER_ONLY)
    assert result.ok, result.error
    (request,) = requests
    assert request.code == WEATHER_ONLY
    assert [e.tool for e in request.effects] == ["get_weather"]
    assert "always_require" in request.reasons[0]
    text = request.render()
    assert "get_weather: line 1" in text and '1 | w = get_weather(city="Oslo")' in text


def test_denial_runs_nothing_and_tells_the_model() -> None:
    with make(approval_mode="always_require", approval_callback=lambda r: False) as codeact:
        text, execution = asyncio.run(codeact.execute_code_tool.run({"code": WEATHER_ONLY}))
    assert execution is not None and execution.error.kind == "denied"
    assert execution.tool_calls == [] and ASKED == []
    assert text.startswith("Approval denied, so nothing ran")


def test_per_tool_approval_is_asked_only_when_the_code_may_call_that_tool() -> None:
    requests: list[ApprovalRequest] = []

    def deny(request: ApprovalRequest) -> ApprovalDecision:
        requests.append(request)
        return ApprovalDecision(False, "not today")

    with make(approval_callback=deny) as codeact:
        assert codeact.execute_sync(WEATHER_ONLY).ok
        assert requests == []
        denied = codeact.execute_sync(SENDS)
    assert denied.error.kind == "denied"
    assert "not today" in denied.error.message
    (request,) = requests
    assert request.tools_requiring_approval == ("send_message",)
    effect = {e.tool: e for e in request.effects}["send_message"]
    assert effect.in_loop
    assert "send_message: line 3 (in a loop)" in request.render()
    # nothing ran: not even the get_weather call that comes before send_message
    assert SENT == [] and ASKED == ["Oslo"]


def test_async_callback_approves_per_tool_block() -> None:
    async def approve(request: ApprovalRequest) -> bool:
        await asyncio.sleep(0)
        return True

    with make(approval_callback=approve) as codeact:
        result = codeact.execute_sync(SENDS)
    assert result.ok, result.error
    assert SENT == [("ann", "hi"), ("bob", "hi")]


def test_no_callback_means_denied() -> None:
    with make(approval_mode="always_require") as codeact:
        result = codeact.execute_sync(WEATHER_ONLY)
    assert result.error.kind == "denied"
    assert "no approver is configured" in result.error.message


def test_host_approval_skips_the_callback() -> None:
    def fail(request: ApprovalRequest) -> bool:
        raise AssertionError("must not be asked")

    with make(approval_mode="always_require", approval_callback=fail) as codeact:
        assert codeact.execute_sync(WEATHER_ONLY, approved=True).ok
        assert codeact.execute_sync(WEATHER_ONLY, approved=False).error.kind == "denied"


def test_rejected_code_is_never_offered_for_approval() -> None:
    asked: list[ApprovalRequest] = []
    with make(approval_mode="always_require", approval_callback=asked.append) as codeact:
        result = codeact.execute_sync('send_message(to="x")\nimport os\n')
    assert result.error.kind == "rejected"
    assert asked == [] and SENT == []


def test_execute_sync_starts_an_event_loop_only_to_ask_an_async_callback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A block that needs no approval runs without an event loop (none to start and close per
    call); an async callback is still awaited (in a loop of its own) when a block needs it."""
    loops: list[object] = []
    real_new_event_loop = asyncio.new_event_loop

    def counted() -> asyncio.AbstractEventLoop:
        loop = real_new_event_loop()
        loops.append(loop)
        return loop

    monkeypatch.setattr(asyncio, "new_event_loop", counted)
    monkeypatch.setattr(asyncio.events, "new_event_loop", counted)
    requests: list[ApprovalRequest] = []

    async def approve(request: ApprovalRequest) -> bool:
        requests.append(request)
        await asyncio.sleep(0)
        return True

    with make(approval_callback=approve) as codeact:
        assert codeact.execute_sync(WEATHER_ONLY).ok
        assert loops == [] and requests == []
        result = codeact.execute_sync(SENDS)
    assert result.ok, result.error
    assert len(loops) == 1 and [r.tools_requiring_approval for r in requests] == [("send_message",)]
    assert SENT == [("ann", "hi"), ("bob", "hi")]
    assert "approval_ms" in result.timings


def test_execute_sync_inside_an_event_loop_is_refused() -> None:
    async def inside() -> None:
        with make() as codeact, pytest.raises(Exception, match="inside an event loop"):
            codeact.execute_sync(WEATHER_ONLY)

    asyncio.run(inside())

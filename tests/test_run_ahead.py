"""Work done while mypy checks a program (executor `_Steps.prepare`, `Sandbox.run_ahead`).

The type check runs in its own process, so the host prepares the run meanwhile (the transpile
and the restricted transform), and a program that names no tool and no file or HTTP helper may
start in the sandbox then. What must hold, whatever the timing:

- a program the check rejects is never seen to have run: no stdout, no tool call, no file; the
  caller gets the rejection at once (an endless loop is stopped, not waited for);
- a run ahead reaches nothing outside the guest: a tool call or HTTP request stops it before
  anything is called, and the program runs again, normally, once accepted;
- nothing runs ahead where it could have an effect or needs a human first: an output directory,
  a writable mount, a gate that may ask about a tool-free program (`always_require`), or
  `run_ahead=False`;
- a transform made ahead serves only exactly the program, tools and policy it was made for.
"""

from __future__ import annotations

import asyncio
import copy
import time
from pathlib import Path
from typing import Any

import pytest
from test_sandbox_support import POLICY, make_sandbox, ready_sandbox

from codeact_verify import CodeAct, executor
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import Limits, Mount, Sandbox
from codeact_verify.host.bridge import RunBridge
from codeact_verify.host.trap import RunAbandoned
from codeact_verify.tools import tool_specs
from codeact_verify.typecheck import remember_findings


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


@pytest.fixture(autouse=True)
def _check_every_time() -> Any:
    # a remembered type-check answer skips mypy, and with it the work done meanwhile
    previous = remember_findings(False)
    yield
    remember_findings(previous)


CALLS: list[str] = []


def get_weather(city: str) -> dict[str, float | str]:
    """The weather in a city."""
    CALLS.append(city)
    return {"city": city, "temp": 21.5}


SPECS = tool_specs([get_weather])


class Spy:
    """Records what `Sandbox.run_ahead` gave back, to show a run really started ahead."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started: list[Any] = []
        original = Sandbox.run_ahead

        def run_ahead(sb: Sandbox, *args: Any, **kwargs: Any) -> Any:
            ahead = original(sb, *args, **kwargs)
            self.started.append(ahead)
            return ahead

        monkeypatch.setattr(Sandbox, "run_ahead", run_ahead)


def _settled(sb: Sandbox, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if sb._inflight == 0 and sb._stuck == 0:
            return True
        time.sleep(0.01)
    return False


# -- an accepted program -------------------------------------------------------------------------
def test_a_tool_free_program_runs_ahead_and_its_result_is_the_runs() -> None:
    sb = ready_sandbox()
    try:
        program = "total = 0\nfor i in range(1000):\n    total += i\nprint(total)\n"
        ahead = executor.execute_sync(program, SPECS, sandbox=sb)
        strict = executor.execute_sync(program, SPECS, sandbox=sb, run_ahead=False)
        assert ahead.ok and ahead.stdout == strict.stdout == "499500\n"
        assert ahead.timings.get("ran_ahead") == 1.0
        assert "ran_ahead" not in strict.timings
        assert _settled(sb)
    finally:
        sb.close()


def test_the_async_path_runs_ahead_too() -> None:
    sb = ready_sandbox()
    try:
        result = asyncio.run(executor.execute("print(6 * 7)", SPECS, sandbox=sb))
        assert result.ok and result.stdout == "42\n"
        assert result.timings.get("ran_ahead") == 1.0
        assert _settled(sb)
    finally:
        sb.close()


def test_a_program_naming_a_tool_does_not_run_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    sb = ready_sandbox()
    CALLS.clear()
    try:
        result = executor.execute_sync(
            "w = get_weather(city='Oslo')\nprint(w['temp'])\n", SPECS, sandbox=sb
        )
        assert result.ok and result.stdout == "21.5\n" and CALLS == ["Oslo"]
        assert spy.started == [None]
        assert "ran_ahead" not in result.timings
    finally:
        sb.close()


# -- a rejected program --------------------------------------------------------------------------
def test_a_program_the_types_reject_is_never_seen_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    sb = ready_sandbox()
    try:
        result = executor.execute_sync('print("leak")\nz: int = "a"\n', SPECS, sandbox=sb)
        assert not result.ok and result.rejected
        assert "CV706" in result.error.message
        assert result.stdout == "" and result.tool_calls == []
        assert len(spy.started) == 1 and spy.started[0] is not None  # it did start ahead
        assert _settled(sb)
    finally:
        sb.close()


def test_an_endless_rejected_program_is_stopped_not_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = Spy(monkeypatch)
    sb = ready_sandbox(limits=Limits(timeout_s=20.0))
    try:
        t0 = time.monotonic()
        result = executor.execute_sync('y: int = "a"\nwhile True:\n    pass\n', SPECS, sandbox=sb)
        assert result.rejected and time.monotonic() - t0 < 5.0
        assert spy.started and spy.started[0] is not None
        assert _settled(sb, timeout=5.0)  # the guest was stopped, its runner thread is free
        ok = sb.run_sync("print(1)", policy=POLICY)  # and the sandbox goes on
        assert ok.ok and ok.stdout == "1\n"
    finally:
        sb.close()


def test_the_async_path_stops_a_rejected_run_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    sb = ready_sandbox(limits=Limits(timeout_s=20.0))
    try:
        program = 'print("leak")\ny: int = "a"\nwhile True:\n    pass\n'
        result = asyncio.run(executor.execute(program, SPECS, sandbox=sb))
        assert result.rejected and result.stdout == ""
        assert spy.started and spy.started[0] is not None
        assert _settled(sb)
    finally:
        sb.close()


# -- a run ahead reaches nothing outside the guest ---------------------------------------------
def test_a_tool_call_in_a_run_ahead_stops_it_before_the_tool_runs() -> None:
    CALLS.clear()
    sb = make_sandbox()
    bridge = RunBridge(SPECS, sb.limits, None, time.monotonic() + 5, None, sb._tools)
    bridge.ahead = True
    with pytest.raises(RunAbandoned):
        bridge.call_tool("get_weather", '{"city": "Oslo"}')
    with pytest.raises(RunAbandoned):
        bridge.call_tools('[["get_weather", {"city": "Oslo"}]]')
    with pytest.raises(RunAbandoned):
        bridge.http_request('{"method": "GET", "url": "http://127.0.0.1:9/"}')
    assert bridge.spoiled and CALLS == [] and bridge.records == []
    # the same bridge, not ahead: the call goes through (the legitimate case)
    bridge.ahead = False
    ok, _payload = bridge.call_tool("get_weather", '{"city": "Oslo"}')
    assert ok and CALLS == ["Oslo"]
    sb.close()


def test_a_spoiled_run_ahead_gives_no_result_and_the_program_runs_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A program that reaches the host without naming a tool cannot pass the verifier; to show
    # the path anyway, the run ahead's bridge treats output as a host call it may not make.
    sb = ready_sandbox()
    original = RunBridge.emit_output

    def emit(self: RunBridge, to_stderr: bool, text: str) -> None:
        self._check_ahead("output")
        original(self, to_stderr, text)

    monkeypatch.setattr(RunBridge, "emit_output", emit)
    try:
        ahead = sb.run_ahead("print('again')", {}, POLICY)
        assert ahead is not None
        assert ahead.result() is None  # spoiled: the caller runs it as usual
        again = sb.run_sync("print('again')", policy=POLICY)
        assert again.ok and again.stdout == "again\n"
        assert _settled(sb)
    finally:
        sb.close()


# -- where nothing runs ahead --------------------------------------------------------------------
def test_no_run_ahead_with_an_output_directory_or_a_writable_mount(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    rw = tmp_path / "rw"
    rw.mkdir()
    ro = tmp_path / "ro"
    ro.mkdir()
    for kwargs in ({"output_dir": out}, {"mounts": [Mount(rw, "/rw", read_only=False)]}):
        sb = ready_sandbox(**kwargs)
        try:
            assert sb.run_ahead("print(1)", {}, POLICY) is None
            assert _settled(sb)
        finally:
            sb.close()
    sb = ready_sandbox(mounts=[Mount(ro, "/ro", read_only=True)])  # reading has no effect
    try:
        ahead = sb.run_ahead("print(1)", {}, POLICY)
        assert ahead is not None
        result = ahead.result()
        assert result is not None and result.stdout == "1\n"
    finally:
        sb.close()


def test_no_run_ahead_for_helpers_or_without_a_ready_instance() -> None:
    sb = ready_sandbox()
    try:
        for program in ("print(read_text('/x'))", "print(http_get('http://a'))",
                        "call_tool('get_weather', city='x')", "get_weather('x')"):
            assert sb.run_ahead(program, SPECS, POLICY) is None, program
    finally:
        sb.close()
    cold = make_sandbox(pool_size=0)  # no instance waiting: the run makes its own afterwards
    try:
        assert cold.run_ahead("print(1)", {}, POLICY) is None
    finally:
        cold.close()


def test_nothing_runs_ahead_of_an_approval_for_every_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spy = Spy(monkeypatch)
    asked: list[str] = []

    def deny(request: Any) -> bool:
        asked.append(request.code)
        return False

    with CodeAct(
        tools=[get_weather], approval_mode="always_require", approval_callback=deny
    ) as ca:
        result = ca.execute_sync("print('before approval')")
    assert asked == ["print('before approval')"]
    assert result.error.kind == "denied" and result.stdout == ""
    assert spy.started == []  # not even started


def test_codeact_runs_ahead_by_default_and_not_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch)
    with CodeAct(tools=[get_weather]) as ca:
        ca.sandbox().warm_up()
        ca.sandbox().wait_ready()
        first = ca.execute_sync("print(2 + 2)")
    with CodeAct(tools=[get_weather], run_ahead=False) as ca:
        second = ca.execute_sync("print(2 + 2)")
    assert first.stdout == second.stdout == "4\n"
    assert first.timings.get("ran_ahead") == 1.0 and "ran_ahead" not in second.timings
    assert len(spy.started) == 1


# -- a transform made ahead serves exactly its inputs ------------------------------------------
def test_a_prepared_transform_is_not_used_for_another_policy_or_tool_set() -> None:
    sb = make_sandbox()
    try:
        program = "print('abc'.upper())"
        strict = copy.deepcopy(POLICY)
        strict.setdefault("attributes", {})
        strict["attributes"] = {**strict["attributes"], "deny": ["upper"]}
        sb.prepare(program, {}, POLICY)  # made for a policy that allows .upper()
        refused = sb.run_sync(program, {}, policy=strict)
        assert not refused.ok and "upper" in (refused.error.message or "")
        sb.prepare(program, {}, POLICY)
        allowed = sb.run_sync(program, {}, policy=POLICY)
        assert allowed.ok and allowed.stdout == "ABC\n"
        assert allowed.timings["host_restricted"] == 1.0
        # made without tools, run with one: `get_weather` shadows nothing it was not told of
        sb.prepare("print(get_weather('x')['temp'])", {}, POLICY)
        with_tool = sb.run_sync("print(get_weather('x')['temp'])", SPECS, policy=POLICY)
        assert with_tool.ok and with_tool.stdout == "21.5\n"
    finally:
        sb.close()

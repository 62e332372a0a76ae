"""Every string crossing the guest/host boundary is capped and valid UTF-8; timeouts tell the
truth (issue 10, items 4, 7 and 12). Each test hits one limit and checks the next run works."""

from __future__ import annotations

import json
import os
import threading
import time
from types import SimpleNamespace

import pytest
from test_sandbox_support import Limits, make_sandbox, run

from codeact_verify.host.bridge import RunBridge
from codeact_verify.host.result import clip_text, exception_text
from codeact_verify.host.sandbox import _guest_error
from codeact_verify.tools import tool_specs


def get_weather(city: str) -> dict[str, str]:
    """Weather."""
    return {"city": city}


def fs_name() -> str:
    """A file name decoded like os.listdir does for non-UTF-8 bytes."""
    return os.fsdecode(b"report-\xff.csv")


def loud() -> str:
    """Fails with a huge message."""
    raise ValueError("B" * 5_000_000)


class _BadStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no")


def odd() -> str:
    """Fails with an exception whose str() fails."""
    raise _BadStr()


def huge() -> str:
    """50 MB."""
    return "z" * 50_000_000


def slow() -> str:
    """Blocks past any short time limit."""
    time.sleep(1.5)
    return "late"


def works(sb) -> None:  # type: ignore[no-untyped-def]
    r = run(sb, "print('fine')")
    assert r.ok and r.stdout == "fine\n", r.error


# -- item 4: uncapped strings -------------------------------------------------------------
def test_a_60_mb_error_message_is_cut_in_the_guest() -> None:
    with make_sandbox() as sb:
        r = run(sb, 'n = int("60000000")\nraise ValueError("A" * n)\n')
        assert r.error is not None and r.error.kind == "runtime" and r.error.line == 2
        assert len(r.error.message.encode()) <= Limits().max_message_bytes
        assert r.error.message.startswith("ValueError: AAAA")
        assert "more characters cut: the limit is 8192 bytes" in r.error.message
        works(sb)


def test_the_message_limit_is_configurable() -> None:
    with make_sandbox(limits=Limits(max_message_bytes=300)) as sb:
        r = run(sb, "raise KeyError('k' * 10000)\n")
        assert r.error is not None and len(r.error.message.encode()) <= 300


def test_a_tools_huge_error_message_is_cut_on_the_host() -> None:
    with make_sandbox() as sb:
        r = run(sb, "try:\n    loud()\nexcept ToolError as e:\n    print(len(e.message))\n", [loud])
        assert r.ok, r.error
        assert int(r.stdout) <= Limits().max_message_bytes
        call = r.tool_calls[0]
        assert not call.ok and call.error is not None and len(call.error) <= 8192


def test_an_exception_whose_str_fails_is_still_a_tool_error() -> None:
    with make_sandbox() as sb:
        r = run(sb, "try:\n    odd()\nexcept ToolError as e:\n    print(e.message)\n", [odd])
        assert r.ok and r.stdout == "_BadStr\n", r


def test_a_50_mb_result_is_a_size_error_and_logged_as_failed() -> None:
    with make_sandbox() as sb:
        r = run(sb, "huge()\n", [huge])
        assert r.error is not None and r.error.kind == "size", r.error
        assert "exceeds 4194304 bytes" in r.error.message
        assert [c.ok for c in r.tool_calls] == [False]
        works(sb)


def test_oversized_arguments_are_refused_on_the_host_too() -> None:
    specs = tool_specs([get_weather])
    bridge = RunBridge(specs, Limits(max_arg_bytes=100), None, time.monotonic() + 5, None, None)
    ok, text = bridge.call_tool("get_weather", json.dumps({"city": "x" * 500}))
    assert not ok and json.loads(text)["kind"] == "size"
    ok, text = bridge.call_tool("n" * 5000, "{}")
    assert not ok and json.loads(text)["kind"] == "size"
    assert bridge.records == []


def test_the_host_checks_the_guests_outcome_again() -> None:
    outcome = SimpleNamespace(message="m" * 100_000 + "\ud800", line="7")
    setattr(outcome, "error-kind", "made-up")
    error = _guest_error(outcome, Limits())
    assert error.kind == "runtime" and error.line is None
    assert len(error.message.encode("utf-8")) <= 8192


def test_clip_text_keeps_short_text_and_cleans_surrogates() -> None:
    assert clip_text("hello", 100) == "hello"
    assert clip_text("caf\u00e9", 100) == "caf\u00e9"
    assert clip_text("x\udcff", 100) == "x\\udcff"
    assert len(clip_text("\u00e9" * 1000, 200).encode()) <= 200
    assert exception_text(ValueError("v" * 10**6), 200).startswith("ValueError: vvv")


# -- item 12: lone surrogates -------------------------------------------------------------
def test_a_lone_surrogate_argument_is_a_catchable_error_and_nothing_crosses() -> None:
    program = (
        'try:\n    get_weather(city="Paris" + "\\ud800")\n'
        "except ValueError as e:\n    print('caught')\n"
    )
    with make_sandbox() as sb:
        r = run(sb, program, [get_weather])
        assert r.ok and r.stdout == "caught\n", r.error
        assert r.tool_calls == []
        uncaught = run(sb, 'get_weather(city="Paris" + "\\ud800")\n', [get_weather])
        assert uncaught.error is not None and uncaught.error.kind == "runtime"
        assert uncaught.error.line == 1 and "lone surrogate" in uncaught.error.message
        works(sb)


def test_a_lone_surrogate_result_is_a_tool_error_the_program_catches() -> None:
    program = "try:\n    fs_name()\nexcept ToolError as e:\n    print('caught', e.tool)\n"
    with make_sandbox() as sb:
        r = run(sb, program, [fs_name])
        assert r.ok and r.stdout == "caught fs_name\n", r.error
        (call,) = r.tool_calls
        assert call.ok is False and "lone surrogate" in (call.error or "")
        works(sb)


def test_an_escaped_surrogate_from_the_guest_is_refused_on_the_host() -> None:
    called: list[str] = []

    def record(city: str) -> str:
        """Records."""
        called.append(city)
        return city

    bridge = RunBridge(tool_specs([record]), Limits(), None, time.monotonic() + 5, None, None)
    ok, text = bridge.call_tool("record", '{"city": "Paris\\ud800"}')
    assert not ok and "lone surrogate" in json.loads(text)["message"] and called == []
    ok, text = bridge.call_tool("record", '{"city": "\\ud83d\\ude00 \\\\ud800"}')  # a pair
    assert ok and called == ["\U0001f600 \\ud800"]


def test_a_lone_surrogate_in_an_error_message_crosses_cleaned() -> None:
    with make_sandbox() as sb:
        r = run(sb, 'raise ValueError("bad \\udcff name")\n')
        assert r.error is not None and r.error.kind == "runtime"
        assert r.error.message == "ValueError: bad \\udcff name"
        r.error.message.encode("utf-8")


# -- item 7: timeouts tell the truth ------------------------------------------------------
def test_an_endless_loop_times_out_on_its_line_without_blaming_a_tool() -> None:
    with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
        r = run(sb, "n = 0\nwhile True:\n    n += 1\n")
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert r.error.message == "time limit of 0.5 s exceeded"
        assert r.error.line == 2
        works(sb)


def test_a_timeout_inside_a_function_names_the_loop_in_it() -> None:
    program = "def spin(k):\n    total = 0\n    for i in range(10**12):\n        total += k\n"
    program += "    return total\n\nprint(spin(3))\n"
    with make_sandbox(limits=Limits(timeout_s=0.4)) as sb:
        r = run(sb, program)
        assert r.error is not None and r.error.kind == "timeout" and r.error.line == 3


def test_deep_recursion_without_loops_times_out_with_a_line() -> None:
    program = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(60)\n"
    with make_sandbox(limits=Limits(timeout_s=0.4)) as sb:
        r = run(sb, program)
        assert r.error is not None and r.error.kind == "timeout" and r.error.line == 1


def test_a_loop_inside_one_builtin_call_is_stopped_by_the_backstop() -> None:
    with make_sandbox(limits=Limits(timeout_s=0.3)) as sb:
        r = run(sb, "print(sum(range(10**14)))\n")
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert "tool" not in r.error.message
        works(sb)


def test_a_timeout_during_a_blocking_tool_says_which() -> None:
    with make_sandbox(limits=Limits(timeout_s=0.3)) as sb:
        r = run(sb, "print('before')\nslow()\n", [slow])
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert "a tool call (slow) was still running" in r.error.message
        assert r.stdout == "before\n"
        # the call's one site names the line, and the log says the call never finished
        assert r.error.line == 2
        assert [c.name for c in r.tool_calls] == ["slow"]
        call = r.tool_calls[0]
        assert not call.ok and call.error is not None and "still running" in call.error
        assert call.duration_ms >= 200


@pytest.mark.parametrize(
    "program",
    [
        "print('before')\nif len('ab') > 5:\n    slow()\nslow()\n",
        # red7/23: one direct call, but the call that hangs is another way in
        "f = slow\nif len('ab') > 5:\n    slow()\nf()\n",
        "if len('ab') > 5:\n    slow()\nr = [g() for g in [slow]]\n",
        "if len('ab') > 5:\n    slow()\nfor name in ['slow']:\n    call_tool(name)\n",
    ],
    ids=["two-lines", "alias", "as-value", "computed-name"],
)
def test_a_blocking_tool_reachable_from_two_places_names_no_line(program: str) -> None:
    # which call hangs is not known on the host: no line rather than a wrong one
    with make_sandbox(limits=Limits(timeout_s=0.3)) as sb:
        r = run(sb, program, [slow])
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert r.error.line is None
        assert [c.name for c in r.tool_calls] == ["slow"] and not r.tool_calls[0].ok


def echo(text: str) -> str:
    """Returns its argument."""
    return text


def test_the_tool_call_log_has_a_total_budget() -> None:
    # Red-team finding (2026-11-30): each call's arguments are capped, a loop of calls was not:
    # a 6-line loop put 217 MB into the result's tool-call log. Past the log's budget an entry
    # keeps its name, outcome and timing, and says what was left out; the calls still work.
    program = "s = 'x' * 40000\nn = 0\nfor i in range(60):\n    n += len(echo(text=s))\nprint(n)\n"
    with make_sandbox(limits=Limits(max_log_bytes=1 << 20)) as sb:
        r = run(sb, program, [echo])
        assert r.ok and r.stdout == f"{60 * 40000}\n", r.error
        assert len(r.tool_calls) == 60 and all(c.ok for c in r.tool_calls)
        logged = len(json.dumps([c.to_dict() for c in r.tool_calls]))
        assert logged < (1 << 20) + 60 * 400, logged
        last = r.tool_calls[-1]
        assert "omitted" in last.arguments and "max_log_bytes" in last.arguments["omitted"]
        assert r.tool_calls[0].arguments == {"text": "x" * 40000}  # within the budget: kept


_GAVE_UP = threading.Event()


def late(x: int) -> int:
    """Returns as soon as the caller has stopped waiting (the test says so), well before the
    guest's epoch backstop (limit + 0.5 s)."""
    _GAVE_UP.wait(5)
    return x


def test_a_tool_returning_after_the_caller_gave_up_ends_the_program(tmp_path) -> None:
    # red7/21: the abandoned run's tool returned its value and the program went on, writing a
    # file into the output directory, which the next run then reported as its own artifact
    program = "v = late(x=1)\nwrite_text('/output/leak.txt', 'from run 1')\nprint(v)\n"
    _GAVE_UP.clear()
    with make_sandbox(limits=Limits(timeout_s=0.6), output_dir=tmp_path) as sb:
        r = run(sb, program, [late])
        _GAVE_UP.set()
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert [(c.name, c.ok) for c in r.tool_calls] == [("late", False)]
        time.sleep(0.5)  # the tool has returned; the guest would have written by now
        assert os.listdir(tmp_path) == []
        r2 = run(sb, "print('second')\n")
        assert r2.ok and r2.stdout == "second\n" and r2.artifacts == []

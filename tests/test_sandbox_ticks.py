"""The time limit's ticks (sandbox/runtime/ticks.py) and the run paths that make a run cheap.

`for` loops iterate through `_tick_iter_` (no call in the loop body); `while` loops and
functions keep a `_tick_()` call. The wrapped loops must behave exactly like plain ones, and a
run past its deadline must still stop on the program's own line, also where no single loop is
long (nested short loops) or where the iterable grows while it is walked.
"""

from __future__ import annotations

import ast
import concurrent.futures
import contextlib
import io
import threading
import time
from typing import Any

import pytest
from test_sandbox_support import POLICY, Limits, make_sandbox, run

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.guest.runtime.ticks import (
    TICK_ITER_NAME,
    TICK_NAME,
    TICKED_NAME,
    add_ticks,
    make_ticked,
    make_ticks,
)
from codeact_verify.host import Sandbox


class _Late(BaseException):
    pass


def _exec(program: str, ticked: bool, deadline: float | None = None) -> str:
    tree = ast.parse(program)
    if ticked:
        add_ticks(tree)
    code = compile(tree, "<program>", "exec")
    tick, tick_iter = make_ticks(deadline, time.time, _Late)
    ticked = make_ticked(deadline, time.time, _Late)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {TICK_NAME: tick, TICK_ITER_NAME: tick_iter, TICKED_NAME: ticked})
    return out.getvalue()


SAME = [
    "out = []\nfor i in range(5000):\n    out.append(i)\nprint(len(out), sum(out))",
    "l = [1, 2, 3]\nfor x in l:\n    if len(l) < 3000:\n        l.append(x + 1)\nprint(len(l), x)",
    "def g():\n    for i in range(2500):\n        yield i\nt = 0\nfor x in g():\n"
    "    t += x\nprint(t)",
    "g = iter(range(3000))\nfor x in g:\n    if x == 1500:\n        break\nprint(next(g))\n"
    "for y in g:\n    pass\nprint(y)",
    "d = {i: i for i in range(1500)}\nt = 0\nfor k, v in d.items():\n    t += k * v\nprint(t)",
    "for a in []:\n    print(a)\nelse:\n    print('else')",
    "for c in 'h\u00e9llo' * 300:\n    pass\nprint(c)",
    "it = iter([1, 2, 3])\nfor i in it:\n    for j in it:\n        print(i, j)",
    "def f():\n    for x in range(3):\n        try:\n            raise ValueError(x)\n"
    "        except ValueError as e:\n            yield e.args[0]\nprint(list(f()))",
    "for i in range(2999):\n    if i == 2500:\n        break\nelse:\n    print('no')\nprint(i)",
    # long ranges are walked as sub-ranges: every shape of range prints the same
    "t = []\nfor i in range(3, 5003, 7):\n    t.append(i)\nprint(len(t), t[0], t[-1], sum(t))",
    "t = []\nfor i in range(5000, -5000, -3):\n    t.append(i)\nprint(len(t), t[-1], sum(t))",
    "for n in (999, 1000, 1001, 2000, 2001, 0):\n    c = 0\n    for i in range(n):\n"
    "        c += 1\n    print(n, c)",
    "for i in range(10**30, 10**30 + 5000):\n    pass\nprint(i - 10**30)",
    "for i in range(10**40):\n    if i == 2500:\n        break\nprint(i)",
    "r = range(4000)\nfor i in r:\n    for j in r:\n        break\nprint(i, j, len(r))",
    "for i in range(-1, -3001, -1):\n    pass\nelse:\n    print('done', i)",
]


@pytest.mark.parametrize("program", SAME)
def test_a_ticked_program_prints_what_the_plain_one_prints(program: str) -> None:
    assert _exec(program, True) == _exec(program, False)


def test_a_for_loop_body_has_no_tick_call() -> None:
    tree = add_ticks(ast.parse("for i in range(10):\n    x = i\nwhile x:\n    x -= 1\n"))
    text = ast.unparse(tree)
    assert "for i in _tick_iter_(range(10)):\n    x = i" in text
    assert "while x:\n    _tick_()" in text


# (program, the lines it may stop on: a generator's loop and the loop walking it both tick)
LATE = [
    ("n = 0\nwhile True:\n    n += 1\n", 2),
    ("def spin(k):\n    t = 0\n    for i in range(10**12):\n        t += k\n    return t\n"
     "print(spin(3))\n", 3),
    ("x = 0\nfor a in range(1000):\n    for b in range(1000):\n        for c in range(1000):\n"
     "            x += 1\n", 4),
    ("l = [1]\nfor x in l:\n    l.append(x)\n", 2),
    ("def g():\n    i = 0\n    while True:\n        yield i\n        i += 1\nfor x in g():\n"
     "    pass\n", (3, 6)),
]


@pytest.mark.parametrize(("program", "line"), LATE)
def test_past_the_deadline_the_program_stops_on_its_line(
    program: str, line: int | tuple[int, ...]
) -> None:
    with pytest.raises(_Late) as info:
        _exec(program, True, time.time() + 0.05)
    tb: Any = info.value.__traceback__
    found = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<program>":
            found = tb.tb_lineno
        tb = tb.tb_next
    assert found in (line if isinstance(line, tuple) else (line,))


# -- in the guest -----------------------------------------------------------------------------
needs_guest = pytest.mark.skipif(
    bool(sandbox_unavailable()), reason=sandbox_unavailable() or "sandbox unavailable"
)


@needs_guest
@pytest.mark.parametrize(("program", "line"), LATE[2:4])
def test_in_the_guest_short_nested_loops_and_growing_lists_time_out_on_their_line(
    program: str, line: int
) -> None:
    with make_sandbox(limits=Limits(timeout_s=0.4)) as sb:
        r = run(sb, program)
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert r.error.line == line


def slow() -> str:
    """Blocks past any short time limit."""
    time.sleep(1.5)
    return "late"


def count(n: int) -> int:
    """Returns n."""
    return n


@needs_guest
def test_guest_code_never_runs_on_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # An exception raised asynchronously in the thread running the guest (a signal handler on
    # the main thread, PyThreadState_SetAsyncExc on any thread) lands at the entry of a ctypes
    # callback and crashed the process (red14/67, red15/70): the guest runs on the sandbox's
    # own threads only, whoever calls, with or without tools.
    threads: list[threading.Thread] = []
    real = Sandbox._run_began

    def run_began(self: Sandbox, job: Any) -> Any:
        threads.append(threading.current_thread())
        return real(self, job)

    made_on: list[threading.Thread] = []
    real_new = Sandbox._new_instance

    def new_instance(self: Sandbox, warm: bool = True) -> Any:
        made_on.append(threading.current_thread())
        return real_new(self, warm)

    monkeypatch.setattr(Sandbox, "_run_began", run_began)
    monkeypatch.setattr(Sandbox, "_new_instance", new_instance)
    with make_sandbox() as sb:
        for program in ("print(1)", "print(count(n=2))", "print(call_tool('count', n=3))"):
            r = run(sb, program, [slow, count])
            assert r.ok, r.error
            assert threads[-1] is not threading.main_thread()
            with concurrent.futures.ThreadPoolExecutor(1) as other:
                caller = other.submit(threading.current_thread).result()
                r = other.submit(run, sb, program, [slow, count]).result()
            assert r.ok and threads[-1] is not caller
        assert len(threads) == 6
        # each cold instance (pool_size=0) was made off the caller's thread too, and so is
        # warm_up's fill with its dry runs
        assert made_on and threading.main_thread() not in made_on
        sb.pool_size = 1
        sb.warm_up()
        assert made_on[-1] is not threading.main_thread()


@needs_guest
def test_a_policy_changed_in_place_between_runs_is_the_one_that_runs() -> None:
    policy = {**POLICY, "builtins": list(POLICY["builtins"])}
    with make_sandbox() as sb:
        r = run(sb, "print(len('ab'))", policy=policy)
        assert r.ok and r.stdout == "2\n", r.error
        policy["builtins"].remove("len")  # the config text must not be reused
        r = run(sb, "print(len('ab'))", policy=policy)
        assert r.error is not None and "NameError" in r.error.message
        # equal in Python (True == 1) but not to the guest, which allows classes only for True
        program = "class A:\n    x = 1\nprint(A.x)\n"
        policy["classes"] = True
        r = run(sb, program, policy=policy)
        assert r.ok and r.stdout == "1\n", r.error
        policy["classes"] = 1
        r = run(sb, program, policy=policy)
        assert not r.ok, r.stdout


@needs_guest
def test_the_exact_type_check_still_refuses_a_bool_for_an_int() -> None:
    with make_sandbox() as sb:
        r = run(sb, "print(count(n=True))", [count])
        assert r.error is not None and "parameter 'n' expects int, got bool" in r.error.message
        r = run(sb, "print(count(n=4))", [count])
        assert r.ok and r.stdout == "4\n"


# red4/11: every pass of these loops does milliseconds of built-in work (a count over an 8 MB
# string). With a clock read every 1000th pass they never reached one before the epoch
# backstop, which stopped them without a line, blaming "a single built-in call". The chunk
# between clock reads now shrinks when a chunk takes long.
_BIG = "s = 'y'\nfor i in range(23):\n    s = s + s\nn = 0\n"
SLOW_ITEMS = [
    (_BIG + "while True:\n    n = n + s.count('z')\n", 5),
    (_BIG + "for j in range(10**9):\n    n = n + s.count('z')\n", 5),
    (_BIG + "for j in iter(int, 1):\n    n = n + s.count('z')\n", 5),
    (_BIG + "n = sum(s.count('z') for j in range(10**9))\n", 5),
    # a fast loop first (its chunks grow to the largest) does not hand the slow loop after it
    # a long first chunk: each loop starts small
    (_BIG + "for k in range(10**5):\n    n = n + k\nfor j in range(10**9):\n"
     "    n = n + s.count('z')\n", 7),
    (_BIG + "for k in iter(list(range(10**5))):\n    n = n + k\n"
     "for j in iter(int, 1):\n    n = n + s.count('z')\n", 7),
    (_BIG + "m = sum(k for k in range(10**5))\nn = sum(s.count('z') for j in range(10**9))\n", 6),
]


@needs_guest
@pytest.mark.parametrize(("program", "line"), SLOW_ITEMS)
def test_a_loop_of_slow_built_in_passes_times_out_on_its_line(program: str, line: int) -> None:
    with make_sandbox(limits=Limits(timeout_s=1.0)) as sb:
        r = run(sb, program)
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert r.error.line == line, r.error
        assert "built-in call" not in r.error.message


def test_the_clock_is_read_less_often_in_a_fast_loop_and_more_often_in_a_slow_one() -> None:
    reads: list[float] = []

    def now() -> float:
        reads.append(time.time())
        return reads[-1]

    tick, _ = make_ticks(None, now, _Late)
    for _ in range(100_000):
        tick()
    fast = len(reads)
    assert fast < 100_000 // 500  # about one read per TICK_CHUNK ticks once warmed up
    reads.clear()
    # (a new run's ticker: a chunk already handed out is not cut short, so a loop that turns
    # slow after a fast start reads the clock at the end of its current chunk)
    tick, _ = make_ticks(None, now, _Late)
    for _ in range(40):
        tick()
        time.sleep(0.004)  # 4 ms a pass: the chunk shrinks to a single tick
    assert len(reads) >= 20

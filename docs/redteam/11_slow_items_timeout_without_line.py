# ruff: noqa
# Finding 11 (MINOR, wrong diagnosis of a timeout; the time limit itself holds): a `while` loop
# (or a `for` over a range) whose every iteration does a few ms of C-level work never reaches a
# clock read before the epoch backstop: `_tick_()` reads the clock every 1000th tick, and a
# `for` over a long range every 1000 items, so 1000 x 5 ms = 5 s pass between clock reads. The
# backstop stops the run 0.5 s after the deadline, with no line and a message blaming "a single
# built-in call", although the program was in an ordinary loop on a known line.
# Layer: sandbox/runtime/ticks.py (clock read per TICK_CHUNK ticks, not per elapsed time).
#
#   $ CODEACT_VERIFY_CACHE=.guest-cache .venv/bin/python docs/redteam/11_slow_items_timeout_without_line.py
#   expected: kind timeout, line 5 (the while) / line 5 (the for)
#   actual (main e81deca): kind timeout, line None, "most likely in a single built-in call ..."
# FIXED (session 4): the clock read adapts: chunks shrink when one takes long (ticks._clock);
# regression test: tests/test_sandbox_ticks.py::test_a_loop_of_slow_built_in_passes_times_out_on_its_line
from codeact_verify.executor import execute_sync
from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox

BIG = "s = 'y'\nfor i in range(23):\n    s = s + s\nn = 0\n"
PROGRAMS = {
    "while": BIG + "while True:\n    n = n + s.count('z')\n",
    "for": BIG + "for j in range(10**9):\n    n = n + s.count('z')\n",
}
with Sandbox(limits=Limits(timeout_s=1.0)) as sb:
    for name, code in PROGRAMS.items():
        r = execute_sync(code, {}, sandbox=sb).result
        print(name, r.error.kind if r.error else None, "line", r.error.line if r.error else None)
        print("   ", r.error.message if r.error else "")

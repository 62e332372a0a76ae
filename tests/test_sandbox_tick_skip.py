"""The guest makes a run's tick functions only when the compiled text can name them.

`guest._may_tick`: when the code is the host's restricted text and that (ASCII) text holds no
"_tick", the run's `_tick_`, `_tick_iter_` and `_ticked_` are not made. That rests on the
host's transform: every loop, function and comprehension gets its tick in the text, and a text
without one has nothing that loops. These tests hold the transform to that, and show that a
run whose text has ticks still stops at its deadline on its own line, while a loop-free run
still works (and a loop-free run that takes long is still stopped).
"""

from __future__ import annotations

import pytest
from test_sandbox_support import Limits, make_sandbox

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host.precompile import restrict_on_host

LOOPING = {
    "for": "for i in range(3):\n    print(i)\n",
    "while": "n = 0\nwhile n < 3:\n    n = n + 1\n",
    "def": "def f():\n    return 1\n",
    "lambda_in_comprehension": "print([x for x in range(3)])\n",
    "generator": "print(sum(x for x in range(3)))\n",
    "set_comprehension": "print({x for x in 'ab'})\n",
    "dict_comprehension": "print({k: 1 for k in 'ab'})\n",
    "nested_in_if": "if True:\n    for c in 'ab':\n        print(c)\n",
    "in_try": "try:\n    while False:\n        pass\nexcept ValueError:\n    pass\n",
}

LOOP_FREE = {
    "print": "print(1 + 1)\n",
    "assign": "x = 2\ny = x * 3\nprint(x, y)\n",
    "if": "x = 3\nif x > 2:\n    print('big')\nelse:\n    print('small')\n",
}


@pytest.mark.parametrize("name", sorted(LOOPING))
def test_a_text_with_something_that_loops_names_a_tick(name: str) -> None:
    sent = restrict_on_host(LOOPING[name], known_globals=frozenset())
    assert sent is not None
    assert "_tick" in sent["source"]


@pytest.mark.parametrize("name", sorted(LOOP_FREE))
def test_a_loop_free_text_names_no_tick(name: str) -> None:
    sent = restrict_on_host(LOOP_FREE[name], known_globals=frozenset())
    assert sent is not None
    assert "_tick" not in sent["source"]


@pytest.fixture(scope="module")
def sandbox():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    sb = make_sandbox(limits=Limits(timeout_s=1.0))
    yield sb
    sb.close()


@pytest.mark.parametrize("name", sorted(LOOP_FREE))
def test_loop_free_programs_run(sandbox, name: str) -> None:  # type: ignore[no-untyped-def]
    result = sandbox.run_sync(LOOP_FREE[name])
    assert result.ok, result.error
    assert result.timings["host_restricted"] == 1.0


def test_a_loop_still_stops_at_its_deadline_on_its_line(sandbox) -> None:  # type: ignore[no-untyped-def]
    result = sandbox.run_sync("x = 1\nwhile True:\n    x = x + 1\n")
    assert result.error is not None and result.error.kind == "timeout"
    assert result.error.line in (2, 3)


def test_a_loop_free_long_run_is_still_stopped(sandbox) -> None:  # type: ignore[no-untyped-def]
    # no loop in the text (no tick): one long builtin call, stopped by the epoch backstop
    result = sandbox.run_sync("print(sum(range(10 ** 12)))\n")
    assert result.error is not None and result.error.kind == "timeout"

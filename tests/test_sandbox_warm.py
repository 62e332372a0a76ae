"""The ready pool's warm instances and the cheaper run path keep every protection.

- prepare() runs the runtime's own dry-run program (guest.py: DRY_RUN_PROGRAM) through the run
  path before the instance is handed out: the caller's program then sees none of its names,
  none of its output, no tool call and no sticky outcome of it;
- `print` is the program's builtin (guards.sandbox_print) instead of RestrictedPython's
  `_print._call_print` hook: same output, same refusals, and nothing of the runtime is
  reachable through it;
- the end-of-run check of the program's builtins compares against the config's snapshot.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import sandbox as host_sandbox
from codeact_verify.host.precompile import restrict_on_host
from codeact_verify.tools import tool_specs

GUEST = Path(__file__).resolve().parents[1] / "sandbox" / "guest.py"
DRY_RUN_NAMES = ("scale", "data", "total", "words", "n", "out", "exc")
# WARM_UP_PROGRAM's own (compiled at build time, run by prepare() in its own globals)
WARM_UP_NAMES = ("f", "counts", "label", "rest", "i", "json")


def echo(text: str) -> str:
    """Echo."""
    return text


@pytest.fixture(scope="module")
def pooled():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    with host_sandbox.Sandbox(pool_size=1) as sb:
        sb.warm_up()
        sb.run_sync("print(0)", tool_specs([echo]))  # the next instances prepare this config
        yield sb


@pytest.fixture(scope="module")
def both():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    fast = host_sandbox.Sandbox(pool_size=0)
    slow = host_sandbox.Sandbox(pool_size=0)
    slow.host_restrict = False
    yield fast, slow
    fast.close()
    slow.close()


def _pooled_run(sb, program: str):  # type: ignore[no-untyped-def]
    """`program` on an instance from the pool that prepared (and dry-ran) this very config.
    On a busy machine a refill started for an earlier config (the timed-out run below is
    abandoned and recycled late) can be the one waiting in the pool; such a run is not the
    path under test, so it is run again on the next instance, which was made for this config."""
    for _ in range(5):
        assert sb.wait_ready()
        result = sb.run_sync(program, tool_specs([echo]))
        if result.timings["from_pool"] == 1.0 and result.timings["config_prepared"] == 1.0:
            return result
    raise AssertionError(f"no pooled, prepared run in 5 tries: {result.timings}")


def test_the_dry_run_program_names_what_the_test_checks() -> None:
    source = GUEST.read_text(encoding="utf-8")
    program = re.search(r'DRY_RUN_PROGRAM = """(.*?)"""', source, re.S)
    assert program is not None
    for name in DRY_RUN_NAMES:
        assert re.search(rf"\b{name}\b", program.group(1)), name
    assert "for _ in range(DRY_RUNS):" in source and "self._dry_run(cfg)" in source


def test_the_warm_up_program_is_compiled_at_build_time_not_per_instance() -> None:
    # RestrictedPython's compile of WARM_UP_PROGRAM in every prepare() was about 40% of making
    # a pooled instance (python -m codeact_verify.bench.sandbox --baseline-commit 53d6d13)
    import ast

    tree = ast.parse(GUEST.read_text(encoding="utf-8"))
    assigned = {
        t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
        if isinstance(t, ast.Name)
    }  # fmt: skip
    assert "WARM_UP_CODE" in assigned
    world = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "WitWorld")
    prepare = next(n for n in world.body if isinstance(n, ast.FunctionDef) and n.name == "prepare")
    called = {
        n.func.attr for n in ast.walk(prepare)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }  # fmt: skip
    assert "compile_program" not in called


@pytest.mark.parametrize("name", DRY_RUN_NAMES + WARM_UP_NAMES)
def test_a_pooled_run_sees_nothing_of_the_dry_runs_or_the_warm_up(pooled, name: str) -> None:  # type: ignore[no-untyped-def]
    result = _pooled_run(pooled, f"print({name})")
    assert not result.ok and result.stdout == "" and result.tool_calls == []
    assert result.error is not None and result.error.kind == "runtime"
    assert f"NameError: name '{name}' is not defined" in result.error.message


def test_a_pooled_run_starts_from_reset_state(pooled) -> None:  # type: ignore[no-untyped-def]
    result = _pooled_run(pooled, "print(echo('a'))\nprint(len([1, 2]))")
    assert result.ok, result.error
    assert result.stdout == "a\n2\n" and result.stderr == ""  # none of the dry runs' output
    assert [c.name for c in result.tool_calls] == ["echo"]
    # the time limit still holds and names the program's own line (ticks made for this run)
    assert pooled.wait_ready()
    pooled.limits = host_sandbox.Limits(timeout_s=0.3)
    try:
        timed = pooled.run_sync("n = 0\nwhile True:\n    n += 1\n", tool_specs([echo]))
    finally:
        pooled.limits = host_sandbox.Limits()
        pooled.run_sync("print(0)", tool_specs([echo]))  # the next instance: default config
    assert timed.error is not None and timed.error.kind == "timeout"
    assert timed.error.line == 2  # the `while` line


def test_print_is_a_plain_builtin_call_in_the_restricted_text() -> None:
    restricted = restrict_on_host("def f(x):\n    print(x)\nf(1)\nprint(2, end='')\n")
    assert restricted is not None
    assert "_print" not in restricted["source"] and "_call_print" not in restricted["source"]
    assert "print(x)" in restricted["source"]


PRINT_PROGRAMS = {
    "plain": "print(1 + 1)\nprint('a', 'b', sep='-', end='!\\n')\nprint()",
    "as_value": "p = print\np(1, 2)\nitems = list(map(print, [3, 4]))\nprint(items)",
    "in_function": "def f(x):\n    print(x * 2)\n    return x\nprint(f(3))",
    "sep_none": "print(1, 2, sep=None, end=None)",
    "bad_file": "print(1, file=3)",
    "bad_sep": "print(1, sep=5)",
    "bad_end": "print(1, end=[])",
    "dunder_of_print": "print(print.__globals__)",
    "getattr_of_print": "print(getattr(print, '__globals__', 'refused'))",
    "getattr_code": "print(getattr(print, '__code__', 'refused'))",
    "type_of_print": "print(type(print))",
}


@pytest.mark.parametrize("name", sorted(PRINT_PROGRAMS))
def test_print_behaves_alike_on_both_transforms(both, name: str) -> None:  # type: ignore[no-untyped-def]
    fast, slow = both
    program = PRINT_PROGRAMS[name]
    a = fast.run_sync(program)
    b = slow.run_sync(program)
    outcome_a = (a.ok, a.stdout, a.error and (a.error.kind, a.error.message, a.error.line))
    outcome_b = (b.ok, b.stdout, b.error and (b.error.kind, b.error.message, b.error.line))
    assert outcome_a == outcome_b


def test_print_output_and_refusals(both) -> None:  # type: ignore[no-untyped-def]
    fast, _ = both
    ok = fast.run_sync(PRINT_PROGRAMS["plain"] + "\n" + PRINT_PROGRAMS["as_value"])
    assert ok.ok and ok.stdout == "2\na-b!\n\n1 2\n3\n4\n[None, None]\n"
    for name, needle in (
        ("bad_file", "print(file=...) must be sys.stdout or sys.stderr"),
        ("bad_sep", "sep must be None or a string"),
        ("bad_end", "end must be None or a string"),
        ("type_of_print", "type() of this value is not allowed"),
    ):
        result = fast.run_sync(PRINT_PROGRAMS[name])
        assert result.error is not None and needle in result.error.message, name
    # nothing of the runtime through the builtin: no dunder, no code object, no globals
    dunder = fast.run_sync(PRINT_PROGRAMS["dunder_of_print"])
    assert dunder.error is not None and dunder.error.kind in ("syntax", "rejected", "runtime")
    assert "__globals__" in dunder.error.message
    for name in ("getattr_of_print", "getattr_code"):
        result = fast.run_sync(PRINT_PROGRAMS[name])
        assert not result.ok or result.stdout == "refused\n", name
        assert "<module" not in result.stdout and "code object" not in result.stdout


def test_the_output_cap_still_stops_a_printing_loop(both) -> None:  # type: ignore[no-untyped-def]
    fast, _ = both
    result = fast.run_sync("while True:\n    print('x' * 1000)\n")
    assert result.error is not None and result.error.kind == "output"
    assert "output truncated" in result.stdout


def test_the_pool_thread_does_not_preempt_the_caller(pooled) -> None:  # type: ignore[no-untyped-def]
    """The pool thread is a batch thread on Linux (host/sandbox.py: _background_thread), and
    it still refills the pool."""
    import os

    policy = pooled._filler.submit(lambda: os.sched_getscheduler(0)).result()
    if hasattr(os, "SCHED_BATCH"):
        assert policy == os.SCHED_BATCH
    assert pooled.wait_ready()
    result = _pooled_run(pooled, "print(3)")
    assert result.ok and result.stdout == "3\n"
    assert pooled.wait_ready()


def test_a_pooled_instance_made_for_other_mounts_or_limits_is_not_used(tmp_path: Path) -> None:
    # red7/25: an instance fixes its preopens and memory cap when it is made; after the caller
    # changed `mounts` or `limits`, the ready one (made before) served the next run: it read
    # the old mount's files and had the old memory cap
    from codeact_verify.host import Limits
    from codeact_verify.host.mounts import Mount

    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    alice.mkdir()
    bob.mkdir()
    (alice / "secret.txt").write_text("alice's secret")
    (bob / "notes.txt").write_text("bob's notes")
    with host_sandbox.Sandbox(pool_size=1, mounts=[Mount(alice, "/data")]) as sb:
        assert sb.run_sync("print(list_dir('/data'))").stdout == "['secret.txt']\n"
        assert sb.wait_ready()
        sb.mounts = [Mount(bob, "/data")]
        r = sb.run_sync("print(list_dir('/data'))\n")
        assert r.ok and r.stdout == "['notes.txt']\n", (r.stdout, r.error)
        assert sb.wait_ready()
        sb.limits = Limits(memory_mb=64)
        r = sb.run_sync("b = bytearray(150 * 1024 * 1024)\nprint(len(b))\n")
        assert r.error is not None and r.error.kind == "memory", (r.stdout, r.error)
        assert sb.wait_ready()
        r = sb.run_sync("print(list_dir('/data'))\n")  # the refill follows the new values
        assert r.ok and r.stdout == "['notes.txt']\n" and r.timings["from_pool"] == 1.0

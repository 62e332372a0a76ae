"""The speed paths keep the sandbox's behaviour: the host-side restricted transform, the
fixed-signature host-function trampolines, the per-tool argument binders and the plain-JSON
result copy each give the same results as the general paths they shortcut."""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import bridge as host_bridge
from codeact_verify.host import fastcall
from codeact_verify.host import sandbox as host_sandbox
from codeact_verify.host.precompile import restrict_on_host
from codeact_verify.tools import to_jsonable, tool_specs

CORPUS = Path(__file__).parent / "corpus"

PROGRAMS = {
    "print": "print(1+1)",
    "slices": (
        "x = list(range(10))\n"
        "print(x[1:], x[::2], x[2:8:3], x[:-1])\n"
        "m = [[1, 2], [3, 4]]\n"
        "print(m[0][1:], 'abc'[1:2], f'{x[1:3]}')\n"
        "x[1:3] = [9]\n"
        "del x[:2]\n"
        "print(x)\n"
    ),
    "augassign_match": (
        "d = {'a': 1}\n"
        "d['a'] += 2\n"
        "n: int = 3\n"
        "match d:\n"
        "    case {'a': v}:\n"
        "        print(v, n)\n"
        "print('{0[a]}'.format(d))\n"
    ),
    "error_line_7": (
        "def f(x):\n"
        "    if x > 1:\n"
        "        return x\n"
        "    elif x > 0:\n"
        "        return -x\n"
        "    return (\n"
        "        1 / x)\n"
        "print(f(2), f(0.5))\n"
        "f(0)\n"
    ),
    "error_in_loop": "total = 0\nfor i in range(3):\n    total += i\n\nprint(total)\n[1][5]\n",
    "tool_error": "try:\n    boom()\nexcept ToolError as e:\n    print('caught', e.tool)\nboom()\n",
    "refused_dunder": "print(().__class__)\n",
    "syntax": "def f(:\n    pass\n",
    "denied_attr": "g = (i for i in [1])\nprint(g.gi_frame)\n",
    "docstring": 'def f():\n    """one\n    two"""\n    return 1 / 0\n\n\nf()\n',
}


def boom() -> int:
    """Always fails."""
    raise ValueError("nope")


def echo(text: str, times: int = 1) -> str:
    """Echo."""
    return text * times


@pytest.fixture(scope="module")
def sandboxes():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    fast = host_sandbox.Sandbox(pool_size=0)
    slow = host_sandbox.Sandbox(pool_size=0)
    slow.host_restrict = False
    yield fast, slow
    fast.close()
    slow.close()


def _outcome(result: Any) -> tuple[Any, ...]:
    err = result.error
    return (result.ok, result.stdout, err and (err.kind, err.message, err.line))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_host_restricted_runs_like_guest_restricted(name: str, sandboxes) -> None:  # type: ignore[no-untyped-def]
    fast, slow = sandboxes
    specs = tool_specs([boom, echo])
    program = PROGRAMS[name]
    a = fast.run_sync(program, specs)
    b = slow.run_sync(program, specs)
    assert _outcome(a) == _outcome(b)
    assert b.timings["host_restricted"] == 0.0
    # the host path is taken exactly when RestrictedPython accepts the program
    accepted = restrict_on_host(program) is not None
    assert a.timings["host_restricted"] == (1.0 if accepted else 0.0)


def test_error_lines_are_the_programs_own(sandboxes) -> None:  # type: ignore[no-untyped-def]
    fast, _ = sandboxes
    r = fast.run_sync(PROGRAMS["error_line_7"])
    assert r.timings["host_restricted"] == 1.0
    assert r.error is not None and r.error.kind == "runtime" and r.error.line == 7
    r = fast.run_sync(PROGRAMS["docstring"])
    assert r.error is not None and r.error.line == 4


def test_corpus_programs_run_alike() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    from codeact_verify.grammar import load_grammar
    from codeact_verify.tools import load_tools_file
    from codeact_verify.transpile import transpile

    specs = tool_specs(load_tools_file(CORPUS / "tools.py"))
    policy = load_grammar("default").runtime_policy()
    with host_sandbox.Sandbox(pool_size=0) as fast, host_sandbox.Sandbox(pool_size=0) as slow:
        slow.host_restrict = False
        for path in sorted((CORPUS / "accept").glob("*.py")):
            code = transpile(path.read_text(encoding="utf-8"), specs).code
            a = fast.run_sync(code, specs, policy)
            b = slow.run_sync(code, specs, policy)
            assert a.timings["host_restricted"] == 1.0, path.name
            if "ToolError" not in code and "random" not in code and "uuid" not in code:
                assert _outcome(a) == _outcome(b), path.name


def test_a_restricted_text_for_another_program_is_ignored(
    sandboxes, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    fast, _ = sandboxes

    def forged(program: str, **_: Any) -> dict[str, Any]:
        return {"source": "print('forged')", "lines": [0, 1], "digest": "0" * 64}

    monkeypatch.setattr(host_sandbox, "restrict_on_host", forged)
    r = fast.run_sync("print('mine')")
    assert r.stdout == "mine\n"
    assert r.timings["host_restricted"] == 0.0


def test_restrict_on_host_shapes() -> None:
    out = restrict_on_host("x = [1, 2, 3]\nprint(x[1:], x[::2])\n")
    assert out is not None
    assert "_slice_(1, None, None)" in out["source"]
    assert "_slice_(None, None, 2)" in out["source"]
    ast.parse(out["source"])  # plain source now
    # every line of the new text maps to a program line (0: lines the transform added)
    assert len(out["lines"]) == out["source"].count("\n") + 2
    assert set(out["lines"]) <= {0, 1, 2}
    # stores and deletes keep real slices (valid source)
    out = restrict_on_host("x = [1, 2]\nx[0:1] = [5]\ndel x[:1]\n")
    assert out is not None and "_slice_" not in out["source"]
    # what RestrictedPython refuses, and syntax errors, are left to the guest (exact messages)
    assert restrict_on_host("print(().__class__)") is None
    assert restrict_on_host("def f(:\n") is None


def test_fast_trampolines_are_in_use() -> None:
    assert fastcall.AVAILABLE  # wasmtime-py 50: the fixed-signature path is taken


def test_fast_trampolines_carry_unicode(sandboxes) -> None:  # type: ignore[no-untyped-def]
    fast, _ = sandboxes
    specs = tool_specs([echo])
    r = fast.run_sync("s = echo('héllo ☃ 𝄞', times=2)\nprint(s)\nprint('ünï', file=None)\n", specs)
    assert r.ok, r.error
    assert r.stdout == "héllo ☃ 𝄞héllo ☃ 𝄞\nünï\n"
    assert r.tool_calls[0].result == "héllo ☃ 𝄞héllo ☃ 𝄞"


def test_the_run_export_goes_through_the_c_api_and_lifts_every_field(sandboxes) -> None:  # type: ignore[no-untyped-def]
    fast, _ = sandboxes
    r = fast.run_sync("print('a')\nx = [1][3]\n", {})
    assert fast._load().fast_run is True  # the shape was checked and the direct call taken
    assert (r.ok, r.stdout, r.error.kind, r.error.line) == (False, "a\n", "runtime", 2)
    assert r.error.message == "IndexError: list index out of range"
    assert r.timings["guest_exec_ms"] > 0.0  # the stats string came back
    r = fast.run_sync("print('ünï ☃')\n", {})
    assert r.ok and r.error is None and r.stdout == "ünï ☃\n"


def test_an_export_of_another_shape_takes_the_generic_call() -> None:
    import wasmtime
    from wasmtime.component import Component, Linker

    from codeact_verify.bench.crossing import PING_WAT

    engine = wasmtime.Engine()
    linker = Linker(engine)
    with linker.root() as root:
        root.add_func("ping", lambda _store: None)
    store = wasmtime.Store(engine)
    func = linker.instantiate(store, Component(engine, PING_WAT)).get_func(store, "run")
    call = fastcall.ExportCall(func, store, 3)
    assert call.fast is False
    one = fastcall.ExportCall(func, store, 1)
    assert one.fast is False  # a u32 parameter, not a string
    assert one(store, 3) is None  # wasmtime-py's own call ran the export


# The per-tool binder's shortcut (keywords only) is tested against inspect.Signature.bind,
# with the general path, in tests/test_binding.py.


@pytest.mark.parametrize(
    "value",
    [
        None, True, 3, "s", 1.5, [1, (2, 3)], {"a": {"b": [None, 1.0]}}, (1,),
        {1: "int key"}, math.inf, float("nan"), {"a": {1, 2}}, object(),
    ],
)
def test_plain_json_copy_matches_to_jsonable(value: Any) -> None:
    def outcome(f: Any) -> tuple[str, Any]:
        try:
            return "ok", f(value)
        except TypeError as exc:
            return "err", str(exc)

    assert outcome(host_bridge._jsonable) == outcome(to_jsonable)


def test_prepared_config_is_used_only_for_the_same_config() -> None:
    """A pooled instance parses the last run's config ahead; a run with another config (other
    tools, other policy) gets its own, so nothing of the previous run's setup carries over."""
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    with host_sandbox.Sandbox(pool_size=1) as sb:
        sb.warm_up()
        first = sb.run_sync("print(echo('a'))", tool_specs([echo]))
        assert first.ok and first.stdout == "a\n"
        assert sb.wait_ready()
        same = sb.run_sync("print(echo('b', times=2))", tool_specs([echo]))
        assert same.ok and same.stdout == "bb\n"
        assert same.timings["from_pool"] == 1.0 and same.timings["config_prepared"] == 1.0
        assert sb.wait_ready()
        other = sb.run_sync("print(echo('c'))", tool_specs([boom]))
        assert other.timings["from_pool"] == 1.0 and other.timings["config_prepared"] == 0.0
        assert other.error is not None and other.error.kind == "runtime"
        assert "echo" in other.error.message  # NameError: the old tool is gone
        assert sb.wait_ready()
        policy = dict(host_sandbox.default_policy())
        policy["modules"] = {"math": policy["modules"]["math"]}
        narrowed = sb.run_sync("import json\nprint(1)", tool_specs([boom]), policy)
        assert narrowed.timings["config_prepared"] == 0.0
        assert narrowed.error is not None

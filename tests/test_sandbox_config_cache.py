"""The run config's text is made once per config (`Sandbox._config_text`) and made anew when
any part of it changes: the tools (another spec, even under the same name), the policy, the
limits, the mounts or the output directory. The cached text is always the text a fresh build
gives, so a run never sees another config's tools or limits.
"""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import sandbox as host_sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.host.mounts import OUTPUT_GUEST_DIR, Mount
from codeact_verify.tools import tool_specs


def echo(text: str) -> str:
    """Echo."""
    return text


def echo_twice(text: str, times: int = 2) -> str:
    """Echo, `times` times."""
    return text * times


def _expected(sb: host_sandbox.Sandbox, tools: dict, policy: dict) -> dict:  # type: ignore[type-arg]
    """The config as a fresh `json.dumps` of every part would give it."""
    return {
        "tools": host_sandbox._tool_config(tools),
        "policy": policy,
        "limits": sb.limits.guest_config(),
        "mounts": [{"guest": m.guest_dir, "read_only": m.read_only} for m in sb._all_mounts()],
        "output_dir": OUTPUT_GUEST_DIR if sb.output_dir is not None else None,
    }


def _check(sb: host_sandbox.Sandbox, tools: dict, policy: dict) -> str:  # type: ignore[type-arg]
    text = sb._config_text(tools, sb._policy_text(policy))
    assert json.loads(text) == _expected(sb, tools, policy)
    return text


def test_same_config_gives_the_same_text_object(tmp_path: Path) -> None:
    with host_sandbox.Sandbox(pool_size=0) as sb:
        tools = tool_specs([echo])
        policy = host_sandbox.default_policy()
        first = _check(sb, tools, policy)
        assert sb._config_text(tools, sb._policy_text(policy)) is first  # cached
        equal = sb._policy_text(copy.deepcopy(policy))
        assert sb._config_text(dict(tools), equal) is first  # equal parts


def test_a_run_without_a_policy_uses_a_private_copy_of_the_default() -> None:
    snapshot, text = host_sandbox._default_policy_snapshot()
    assert snapshot == host_sandbox.default_policy()
    assert snapshot is not host_sandbox.default_policy()
    assert json.loads(text) == host_sandbox.default_policy()
    for key, value in host_sandbox.default_policy().items():  # nothing shared, at any depth
        if isinstance(value, dict | list):
            assert snapshot[key] is not value


def test_every_part_of_the_config_invalidates_it(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    with host_sandbox.Sandbox(pool_size=0) as sb:
        tools = tool_specs([echo])
        policy = copy.deepcopy(host_sandbox.default_policy())
        texts = [_check(sb, tools, policy)]

        # another spec under the same name (a changed tool): new text with its parameters
        renamed = tool_specs([echo_twice])
        same_name = {"echo": renamed["echo_twice"]}
        texts.append(_check(sb, same_name, policy))
        assert json.loads(texts[-1])["tools"]["echo"]["param_names"] == ["text", "times"]
        texts.append(_check(sb, {}, policy))  # no tools
        texts.append(_check(sb, tools, policy))  # back to the first tools

        narrowed = copy.deepcopy(policy)
        narrowed["builtins"] = [b for b in narrowed["builtins"] if b != "len"]
        texts.append(_check(sb, tools, narrowed))
        assert "len" not in json.loads(texts[-1])["policy"]["builtins"]
        narrowed["builtins"].append("len")  # the same dict changed in place: noticed
        texts.append(_check(sb, tools, narrowed))

        sb.limits = Limits(timeout_s=3.0, output_bytes=1000)
        texts.append(_check(sb, tools, narrowed))
        assert json.loads(texts[-1])["limits"]["output_bytes"] == 1000

        sb.mounts.append(Mount(tmp_path / "in", "/input"))
        texts.append(_check(sb, tools, narrowed))
        assert json.loads(texts[-1])["mounts"] == [{"guest": "/input", "read_only": True}]

        sb.output_dir = tmp_path / "out"
        sb.output_dir.mkdir()
        texts.append(_check(sb, tools, narrowed))
        assert json.loads(texts[-1])["output_dir"] == OUTPUT_GUEST_DIR
        for before, after in itertools.pairwise(texts):
            assert before != after


@pytest.fixture(scope="module")
def sandbox():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    with host_sandbox.Sandbox(pool_size=1) as sb:
        sb.warm_up()
        yield sb


def test_a_run_sees_its_own_tools_and_limits(sandbox: host_sandbox.Sandbox) -> None:
    first = sandbox.run_sync("print(echo('a'))", tool_specs([echo]))
    assert first.ok and first.stdout == "a\n"
    # the same name, another tool: its new keyword reaches it through the guest's stub
    changed = {"echo": tool_specs([echo_twice])["echo_twice"]}
    second = sandbox.run_sync("print(echo('b', times=3))", changed)
    assert second.ok, second.error
    assert second.stdout == "bbb\n"
    # and back: the old stub refuses the keyword again
    third = sandbox.run_sync("print(echo('c', times=3))", tool_specs([echo]))
    assert not third.ok and third.error is not None
    old = sandbox.limits
    try:
        sandbox.limits = Limits(output_bytes=300)
        capped = sandbox.run_sync("print('x' * 1000)", tool_specs([echo]))
        assert capped.error is not None and capped.error.kind == "output"
    finally:
        sandbox.limits = old
    again = sandbox.run_sync("print('x' * 1000)", tool_specs([echo]))
    assert again.ok and len(again.stdout) == 1001

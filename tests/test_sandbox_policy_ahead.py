"""The default policy is parsed when the guest is built, and a run takes it only when its config
carries exactly that text as its own top-level policy (guest.py: `_parse_config`)."""

from __future__ import annotations

import json

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import build
from codeact_verify.host import sandbox as host_sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.host.policy import default_policy_text

STRICT = {"builtins": ["print"]}  # no modules: `import json` is refused


@pytest.fixture(scope="module")
def cold():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    with host_sandbox.Sandbox(pool_size=0) as sb:
        yield sb


def _raw_run(sb, config: str, program: str):  # type: ignore[no-untyped-def]
    """`program` on a new instance with exactly this config text (no host in between)."""
    inst = sb._new_instance(warm=False)
    outcome = inst.run(inst.store, program, config, "")
    kind = getattr(outcome, "error-kind")
    return outcome.ok, kind, outcome.message, json.loads(outcome.stats or "{}")


def _config(first: str, policy_text: str) -> str:
    limits = json.dumps(Limits().guest_config())
    return (
        '{"tools": {}, ' + first + '"policy": ' + policy_text + ', "limits": ' + limits
        + ', "mounts": [], "output_dir": null}'
    )  # fmt: skip


def test_a_run_given_no_policy_takes_the_one_made_at_build_time(cold) -> None:  # type: ignore[no-untyped-def]
    result = cold.run_sync("import json\nprint(json.dumps([1]))")
    assert result.ok and result.stdout == "[1]\n"
    assert result.timings["policy_ahead"] == 1.0
    refused = cold.run_sync("import os\nprint(1)")
    assert not refused.ok and refused.timings["policy_ahead"] == 1.0


def test_another_policy_is_parsed_and_enforced(cold) -> None:  # type: ignore[no-untyped-def]
    result = cold.run_sync("import json\nprint(1)", policy=STRICT)
    assert not result.ok and result.stdout == ""
    assert result.timings["policy_ahead"] == 0.0


def test_the_default_text_elsewhere_in_the_config_does_not_replace_its_policy(cold) -> None:  # type: ignore[no-untyped-def]
    # the default policy's exact entry nested before the config's own (strict) policy: the
    # entry found first is the nested one, so the config is parsed in full and STRICT holds
    nested = '"extra": {"policy": ' + default_policy_text() + "}, "
    config = _config(nested, json.dumps(STRICT))
    own = config.find('"policy": ' + json.dumps(STRICT))
    assert 0 <= config.find('"policy": ' + default_policy_text()) < own
    program = "import json\nprint(1)"
    ok, kind, message, stats = _raw_run(cold, config, program)
    assert not ok and stats.get("policy_ahead") is False, (kind, message)
    ok, kind, message, stats = _raw_run(cold, _config("", default_policy_text()), program)
    assert ok and stats.get("policy_ahead") is True, (kind, message)


def test_a_policy_that_is_the_marker_itself_fails_closed(cold) -> None:  # type: ignore[no-untyped-def]
    ok, kind, message, _ = _raw_run(cold, _config("", '"cv:default-policy"'), "print(1)")
    assert not ok and kind == "runtime", message


def test_the_default_policy_text_is_in_the_guest_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = build.cache_key()
    monkeypatch.setattr(build, "default_policy_text", lambda: default_policy_text() + " ")
    assert build.cache_key() != key


def test_a_marker_policy_fails_closed_even_with_the_default_text_elsewhere(cold) -> None:  # type: ignore[no-untyped-def]
    # red-team finding (helper 49): the default entry nested first and the config's own policy
    # the marker string: the swap made the top-level policy read as the marker, and the run got
    # the default policy instead of failing
    nested = '"extra": {"policy": ' + default_policy_text() + "}, "
    ok, kind, message, stats = _raw_run(
        cold, _config(nested, '"cv:default-policy"'), "import json\nprint(1)"
    )
    assert not ok and kind == "runtime" and not stats.get("policy_ahead"), message


def test_the_host_refuses_a_policy_that_is_not_a_dict(cold) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match="policy must be a dict"):
        cold.run_sync("print(1)", policy="cv:default-policy")  # type: ignore[arg-type]

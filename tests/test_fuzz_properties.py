"""The fuzz properties as plain Hypothesis tests (a short run each; campaigns run them longer)."""

from __future__ import annotations

import queue
import time
from pathlib import Path
from typing import Any

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.fuzz.findings import Finding, load_findings, save_finding
from codeact_verify.fuzz.properties import CONTEXT, check_outside, check_total, hypothesis_test

pytest.importorskip(
    "codeact_verify.verifier", reason="the verifier (VERIFY-RULES) is not built yet"
)


@pytest.mark.parametrize("name", ["total", "stable", "outside"])
def test_static_property(name: str) -> None:
    hypothesis_test(name, max_examples=30)()


@pytest.mark.parametrize("name", ["contained", "meaning"])
def test_sandbox_property(name: str) -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    try:
        hypothesis_test(name, max_examples=15)()
    finally:
        CONTEXT.close()


def test_checks_report_real_problems() -> None:
    # the oracle side of the checks: an outside program that is accepted is a finding
    assert check_outside(CONTEXT, "import os\nos.system('id')\n", "import os") is None
    assert check_total(CONTEXT, b"\x00\xff# coding: utf-7\n") is None


def test_findings_roundtrip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = Finding("total", "raised", "boom", b"\x00\xffbytes", {"k": 1})
    g = Finding("outside", "accepted-outside-grammar", "x", "print(1)\n", {"what": "t"})
    save_finding(f, tmp_path)
    save_finding(g, tmp_path)
    loaded = {x.property: x for _, x in load_findings(tmp_path)}
    assert loaded["total"].input == b"\x00\xffbytes"
    assert loaded["outside"].input == "print(1)\n"
    assert loaded["outside"].extra == {"what": "t"}


@pytest.mark.parametrize("types", [True, False])
def test_a_worker_warms_the_type_checker_before_its_first_example(
    types: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A cold mypy start inside the first timed `verify` made `fuzz --minutes 0.5` on a busy
    machine report a flaky `total/check-crashed` finding with no input (and exit 1)."""
    from codeact_verify import typecheck
    from codeact_verify.fuzz import campaign

    events: list[str] = []

    def warm_up(specs: Any = None, modules: Any = ()) -> None:
        events.append("warm_up:" + ",".join(sorted(specs or {})))

    def run_batch(index: int, cfg: Any, ctx: Any, db: Any, name: str, batch: int) -> Any:
        events.append(f"batch:{name}")
        return ("progress", index, {}, {}, None)

    monkeypatch.setattr(typecheck, "warm_up", warm_up)
    monkeypatch.setattr(campaign, "_run_batch", run_batch)
    out: queue.Queue[Any] = queue.Queue()
    cfg = campaign.CampaignConfig(
        properties=("total",), database=str(tmp_path / "db"), types=types, replay=True
    )
    campaign._worker(0, cfg, ("total",), time.monotonic() + 60, out, str(tmp_path))
    if types:
        tools = "echo,get_exchange_rate,get_weather,list_scores,lookup_user,send_message"
        assert events == [f"warm_up:{tools}", "batch:total"]
    else:
        assert events == ["batch:total"]

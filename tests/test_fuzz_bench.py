"""`python -m codeact_verify.bench.fuzz --baseline-commit REV`: an older commit's campaign beside
today's in one run, and what it prints without git history. (No timings are asserted.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from codeact_verify.bench import fuzz as bench
from codeact_verify.bench import fuzz_baseline

CHECKOUT = (fuzz_baseline.REPO / ".git").exists()


@pytest.mark.skipif(not CHECKOUT, reason="needs this project's git history")
def test_a_commit_is_timed_beside_today_in_one_run(capsys: pytest.CaptureFixture[str]) -> None:
    rc = bench.main(
        [
            "--baseline-commit", "HEAD", "--property", "outside", "--seconds", "1",
            "--rounds", "2", "--ceiling",
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert rc == 0, err
    head = fuzz_baseline.resolve("HEAD")
    assert f"baseline ({head[:7]})" in out
    # the baseline worker ran the unpacked tree's campaign, not this checkout's
    ran = re.search(rf"baseline \({head[:7]}\) runs (\S+)", err)
    assert ran and not ran.group(1).startswith(str(fuzz_baseline.REPO)), err
    assert ran.group(1).endswith("fuzz/campaign.py")
    # baseline, today, ratio, then today without its checks and that against the baseline
    cols = r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x\s+([\d.]+)\s+([\d.]+)x$"
    row = re.search(r"^outside" + cols, out, re.M)
    assert row, out
    assert float(row.group(1)) > 0 and float(row.group(2)) > 0 and float(row.group(4)) > 0
    assert re.search(r"^all \(sum\)" + cols, out, re.M)
    assert "no check = today, no check" in out


def test_count_only_generates_and_counts_without_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    """The --ceiling worker's campaign: examples are generated and counted as the campaign
    counts them, and no property's check runs (a check that raises would fail the test)."""
    from codeact_verify.bench import fuzz_driver
    from codeact_verify.fuzz import properties as P

    monkeypatch.setattr(P, "run_check", P.run_check)  # restored after the test

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("a check ran")

    for name in ("check_outside", "check_total", "check_stable_accepted"):
        monkeypatch.setattr(P, name, never)
    fuzz_driver.count_only(P)
    ctx = P.Context(types=False)
    try:
        for name in ("outside", "total"):
            P.hypothesis_test(name, ctx, max_examples=10, seed=7)()
            assert ctx.examples[name] > 0
    finally:
        ctx.close()


def test_the_table_without_a_baseline_keeps_the_no_check_column(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rates = {"outside": {"today": 300.0, "nc": 450.0}, "total": {"today": 100.0, "nc": 300.0}}
    fuzz_baseline.print_table(rates, None, "today", "nc")
    out = capsys.readouterr().out
    assert re.search(r"^property\s+today ex/s\s+no check ex/s$", out, re.M), out
    assert re.search(r"^outside\s+300\.0\s+450\.0$", out, re.M), out
    assert re.search(r"^all \(sum\)\s+400\.0\s+750\.0$", out, re.M), out
    fuzz_baseline.print_table(rates, "today", "nc")  # a baseline, no ceiling: as before
    out = capsys.readouterr().out
    assert re.search(r"^outside\s+300\.0\s+450\.0\s+1\.50x$", out, re.M), out


def test_without_git_history_only_today_is_printed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As from a pip-installed package: a clear message, today's column alone, exit 0."""
    monkeypatch.setattr(fuzz_baseline, "REPO", tmp_path)
    rc = bench.main(
        ["--baseline-commit", "9faeb51", "--property", "outside", "--seconds", "1", "--rounds", "1"]
    )
    out, err = capsys.readouterr()
    assert rc == 0
    assert "no baseline column" in err and "not a git checkout" in err
    assert "baseline ex/s" not in out
    assert re.search(r"^outside\s+[\d.]+$", out, re.M), out


@pytest.mark.skipif(not CHECKOUT, reason="needs this project's git history")
def test_an_unknown_commit_is_a_clear_message() -> None:
    with pytest.raises(fuzz_baseline.BaselineUnavailable, match="rev-parse"):
        fuzz_baseline.resolve("no-such-commit-anywhere")

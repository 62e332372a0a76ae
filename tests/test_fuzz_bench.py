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
        ["--baseline-commit", "HEAD", "--property", "outside", "--seconds", "1", "--rounds", "2"]
    )
    out, err = capsys.readouterr()
    assert rc == 0, err
    head = fuzz_baseline.resolve("HEAD")
    assert f"baseline ({head[:7]})" in out
    # the baseline worker ran the unpacked tree's campaign, not this checkout's
    ran = re.search(rf"baseline \({head[:7]}\) runs (\S+)", err)
    assert ran and not ran.group(1).startswith(str(fuzz_baseline.REPO)), err
    assert ran.group(1).endswith("fuzz/campaign.py")
    row = re.search(r"^outside\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x$", out, re.M)
    assert row, out
    assert float(row.group(1)) > 0 and float(row.group(2)) > 0
    assert re.search(r"^all \(sum\)\s+[\d.]+\s+[\d.]+\s+[\d.]+x$", out, re.M)


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

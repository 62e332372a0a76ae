"""`python -m codeact_verify.bench.sandbox --baseline-commit REV`: an older commit's guest beside
today's, in one process. (No timings are asserted.)"""

from __future__ import annotations

import pytest

from codeact_verify.bench import fuzz_baseline
from codeact_verify.bench import sandbox as bench
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host.build import ensure_guest, guest_source_dir

CHECKOUT = (fuzz_baseline.REPO / ".git").exists()


@pytest.mark.skipif(not CHECKOUT, reason="needs this project's git history")
def test_a_commit_s_guest_is_timed_beside_today_s(capsys: pytest.CaptureFixture[str]) -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    assert bench.main(["--baseline-commit", "HEAD", "--runs", "4"]) == 0
    out = capsys.readouterr().out
    head = fuzz_baseline.resolve("HEAD")
    assert f"baseline = {head[:7]}" in out
    rows = {line[:30].strip(): line[30:].split() for line in out.splitlines()[3:]}
    assert set(rows) == set(bench.AGAINST_CASES)
    for values in rows.values():
        assert len(values) == 5 and all(float(v.rstrip("x")) > 0 for v in values)


def test_an_unknown_commit_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.against("no-such-commit-anywhere", runs=4) == 2
    assert "no baseline:" in capsys.readouterr().out


def test_the_guest_of_the_same_sources_is_the_same_cache_entry() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    default = ensure_guest(progress=None)
    given = ensure_guest(progress=None, source=guest_source_dir())
    assert given.key == default.key and given.compiled == default.compiled and not given.built


def test_the_hand_off_is_timed_on_a_pool_of_the_sandbox_s_kind_and_the_pool_goes() -> None:
    import threading

    before = {t.name for t in threading.enumerate()}
    for pause in (0.0, 0.001):
        times = bench.handoff_us(5, pause_s=pause)
        assert len(times) == 5 and all(t > 0 for t in times)
    left = {t.name for t in threading.enumerate()} - before
    assert not any(name.startswith("codeact-bench-handoff") for name in left)

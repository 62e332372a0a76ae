"""`python -m codeact_verify.bench.crossing` on a small scale: every row is measured, the floor
guest's rows included, and the last line compares ours with the floor. (No timings asserted.)"""

from __future__ import annotations

import re

import pytest

from codeact_verify.bench import crossing
from codeact_verify.fuzz.campaign import sandbox_unavailable


def test_floor_rows_time_the_bare_guests_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The floor guest's program times its own loop of calls; a program that fails there is
    an error, not a number."""
    for trivial in (True, False):
        values = crossing.guest_rounds(crossing.floor_guest(trivial), 50, n_rounds=2)
        assert len(values) == 2 and all(v > 0 for v in values)
    go = crossing.floor_guest(False)
    # the wrong keyword: the tool raises in the guest
    monkeypatch.setattr(crossing, "FLOOR_PROGRAM", "get_weather(town='x')\nprint({n})\n")
    with pytest.raises(RuntimeError, match="floor bench program failed"):
        go(3)


@pytest.mark.skipif(sandbox_unavailable() is not None, reason="sandbox unavailable")
def test_the_table_has_every_row_and_the_ratio_to_the_floor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert crossing.main(["--calls", "400"]) == 0
    out = capsys.readouterr().out
    for row in (
        "empty host call, fastcall trampoline",
        "in guest: tool call, real host bridge",
        "floor guest: tool call, no-op tool",
        "floor guest: tool call, same tool",
    ):
        assert re.search(rf"^{re.escape(row)}\s+[\d.]+\s+[\d.]+$", out, re.M), out
    assert re.search(r"^ours / floor, same tool: [\d.]+x \(", out, re.M), out

"""A short run of the standing load and fault test of `serve` (the full one is
`codeact-verify bench --serve`): 8 clients mixing good programs, bad input, endless loops,
memory bombs and faulty tools against a real server on 127.0.0.1; nothing may be lost."""

from __future__ import annotations

from codeact_verify.bench.serve import _well_formed, run_bench


def test_serve_survives_a_short_load_and_fault_run() -> None:
    lines: list[str] = []
    result = run_bench(
        seconds=6, clients=8, throughput_seconds=1, corrupt_cache=False, log=lines.append
    )
    report = "\n".join(result.lines)
    assert result.server_alive, report
    assert result.tally.sent > 0 and result.tally.lost == 0, report
    assert result.tally.malformed == 0 and result.tally.unexpected == 0, report
    assert result.health.lost == 0 and result.health.answered > 0, report
    assert result.ok, report
    kinds = {key.split(" -> ")[1] for key in result.tally.answers}
    assert "200:ok" in kinds and "403" in kinds, report


def test_the_bench_counts_a_malformed_answer_as_lost() -> None:
    assert _well_formed("/execute", 200, {"ok": True, "stdout": "", "tool_calls": []}) is None
    good = {"ok": True, "stdout": "", "tool_calls": [], "error": None}
    assert _well_formed("/execute", 200, good) == "ok"
    assert _well_formed("/execute", 500, {"detail": "oops"}) is None
    assert _well_formed("/verify", 200, {"ok": 1, "diagnostics": [], "effects": []}) is None
    assert _well_formed("/verify", 403, {"error": {"type": "forbidden_host", "message": "m"}})

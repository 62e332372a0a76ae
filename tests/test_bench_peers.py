"""The sandbox-level benchmark on a small scale: outcomes, skipped peers, the table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeact_verify.bench.peers import (
    BASELINE,
    BareWasmGuest,
    CodeActVerify,
    PlainExec,
    Restricted,
    Runner,
    p90,
    peer_table,
    run_peer_bench,
)


class _Missing(Runner):
    name = "missing-peer"

    def start(self) -> None:
        raise ImportError("no module named missing_peer", name="missing_peer")


def test_p90_nearest_rank() -> None:
    assert p90([float(i) for i in range(1, 11)]) == 9.0
    assert p90([5.0]) == 5.0


def test_outcomes_and_table() -> None:
    bench = run_peer_bench(
        1, runners=[CodeActVerify(pool_size=1), PlainExec(), Restricted(), _Missing()]
    )
    outcome = {(c.runner, c.program): c.outcome.kind for c in bench.cells if c.outcome}
    for program in ("print", "3 tool calls", "100 tool calls", "CPU-bound loop"):
        assert outcome[(BASELINE, program)] == "ok"
        assert outcome[("CPython exec (unsafe)", program)] == "ok"
        assert outcome[("RestrictedPython", program)] == "ok"
    assert outcome[(BASELINE, "rejected escape")] == "rejected"
    assert outcome[("CPython exec (unsafe)", "rejected escape")] == "escaped"
    assert outcome[("RestrictedPython", "rejected escape")] == "rejected"
    assert "missing-peer" in bench.skipped and "not installed" in bench.skipped["missing-peer"]
    text = peer_table(bench)
    assert "x ours" in text and "skipped missing-peer: not installed" in text
    assert all(c.times_ms for c in bench.cells)


def test_bare_guest_floor_runs_every_program_without_guards() -> None:
    """The floor guest (built with componentize-py into the cache on first use) runs the same
    programs with the same tools and has no protection at all: the escape gets through."""
    bench = run_peer_bench(1, runners=[BareWasmGuest(), PlainExec()])
    assert not bench.skipped, bench.skipped
    outcome = {(c.runner, c.program): c.outcome.kind for c in bench.cells if c.outcome}
    for program in ("print", "3 tool calls", "100 tool calls", "CPU-bound loop"):
        assert outcome[(BareWasmGuest.name, program)] == "ok"
    assert outcome[(BareWasmGuest.name, "rejected escape")] == "escaped"
    text = peer_table(bench)
    assert "x exec" in text and "bare wasm guest (floor)" in text


def test_peers_plot_marks_outcomes_on_one_scale(tmp_path: Path) -> None:
    from codeact_verify.bench.peers import Cell, Outcome, PeerBench
    from codeact_verify.bench.report import OUTCOME_STYLE, peer_bars, peers_plot

    bench = PeerBench(repeats=1)
    for runner, ms, kind in (
        (BASELINE, 6.0, "rejected"),
        ("CPython exec (unsafe)", 0.5, "escaped"),
        ("smolagents LocalPythonExecutor", 0.4, "error"),
    ):
        bench.cells.append(Cell(runner, "rejected escape", [ms], Outcome(kind)))
    bench.cells.append(Cell(BASELINE, "print", [12.0], Outcome("ok")))
    bench.cells.append(Cell("CPython exec (unsafe)", "print", [0.02], Outcome("ok")))
    bars = {(b.program, b.runner): b for b in peer_bars(bench)}
    escaped = bars[("rejected escape", "CPython exec (unsafe)")]
    assert escaped.color == OUTCOME_STYLE["escaped"][0] != OUTCOME_STYLE["ok"][0]
    assert "ESCAPED" in escaped.label and "0.083x ours" in escaped.label
    assert "rejected before running" in bars[("rejected escape", BASELINE)].label
    assert bars[("print", "CPython exec (unsafe)")].label == "0.02 ms  (0.0017x ours)"
    pytest.importorskip("matplotlib")
    peers_plot(bench, tmp_path / "peers.png")
    assert (tmp_path / "peers.png").read_bytes()[:4] == b"\x89PNG"

"""`python -m codeact_verify.bench.verify --split`: every stage of a CodeAct run is counted."""

from __future__ import annotations

import pytest

from codeact_verify import executor
from codeact_verify import typecheck as typecheck_module
from codeact_verify.bench import verify as bench_verify
from codeact_verify.mypy_process import MypyProcess


def test_split_accounts_for_every_stage_and_restores_what_it_timed() -> None:
    originals = (
        MypyProcess.request,
        MypyProcess.answer,
        executor._Steps.prepare,
        typecheck_module.typecheck,
        executor.check,
        executor.transpile_to_run,
    )
    remembering = typecheck_module._remember
    results = bench_verify.split(repeat=2)
    assert [label for label, _ in results] == list(bench_verify.SPLIT_PROGRAMS)
    for _, stages in results:
        mypy = stages["type check: mypy worker (waited for)"]
        assert mypy > 0 and stages["sandbox run (after the verdict)"] > 0
        # the run is prepared (and a tool-free one started) while mypy checks
        assert stages["while mypy checks: prepare, run ahead"] > 0
        # (an indented row is a detail of the row above it, not a stage)
        parts = sum(v for k, v in stages.items() if not k.startswith(("total", " ")))
        assert 0 < stages["  of which mypy in the worker"] <= mypy + stages[
            "while mypy checks: prepare, run ahead"
        ]
        # each run's parts add up to its total; the median of two runs is their mean, so the
        # medians add up too
        assert parts == pytest.approx(stages["total (CodeAct.execute_sync)"], rel=1e-9)
    assert originals == (
        MypyProcess.request,
        MypyProcess.answer,
        executor._Steps.prepare,
        typecheck_module.typecheck,
        executor.check,
        executor.transpile_to_run,
    )
    assert typecheck_module._remember == remembering


def test_against_runs_both_checkouts_and_prints_each_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pathlib import Path

    here = str(Path(bench_verify.__file__).resolve().parents[2])
    bench_verify.against(here, repeat=2, rounds=1)
    lines = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in lines[2:]]
    assert [int(r[0]) for r in rows] == [10, 10, 50, 50, 200, 200]
    assert all(float(r[-1]) > 0 and float(r[-2]) >= 0 for r in rows)


def test_shortcuts_takes_turns_and_puts_the_worker_back() -> None:
    worker = typecheck_module._worker
    remembering = typecheck_module._remember
    results = bench_verify.shortcuts(repeat=1)
    assert [label for label, _, _ in results] == list(bench_verify.SPLIT_PROGRAMS)
    for _, medians, _paired in results:
        assert set(medians) == {"with", "without"}
        assert all(v > 0 and t >= v for v, t in medians.values())
    assert typecheck_module._worker is worker
    assert typecheck_module._remember == remembering


def test_ahead_takes_turns_three_ways_and_puts_prepare_back() -> None:
    prepare = executor._Steps.prepare
    remembering = typecheck_module._remember
    results = bench_verify.ahead(repeat=1)
    assert [label for label, _, _ in results] == list(bench_verify.AHEAD_PROGRAMS)
    for _, medians, paired in results:
        assert set(medians) == set(bench_verify.AHEAD_WAYS) and all(
            v > 0 for v in medians.values()
        )
        assert paired["after the verdict"] == 0.0
    assert executor._Steps.prepare is prepare
    assert typecheck_module._remember == remembering


def test_placement_times_the_host_waiting_and_busy() -> None:
    where = bench_verify.placement(repeat=2, busy_s=0.002, idle_s=0.001)
    assert where["checks"] == 2 and where["busy_for_ms"] == 2
    # the host stayed busy for 2 ms before it read the answer: the round trip cannot be less
    assert where["busy_ms"] >= 2 > 0 < where["waiting_ms"]
    assert where["worker_waiting_ms"] > 0 and where["worker_busy_ms"] > 0
    assert 0 <= where["same_cpu_waiting"] <= 2 and 0 <= where["same_cpu_busy"] <= 2

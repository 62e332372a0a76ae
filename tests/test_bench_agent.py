"""The agent-level benchmark end to end on a few tasks (quick): scripted server, real HTTP,
real verifier and sandbox, both strategies, the misuse case, the report files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeact_verify.bench.agent import (
    AgentBench,
    LatencyModel,
    StrategyRun,
    misuse_table,
    ratio_table,
    run_agent_bench,
    task_table,
)
from codeact_verify.bench.tasks import ALL_TASKS

PICKED = [t for t in ALL_TASKS if t.id in ("order-manager", "reorder-needed", "escalation")]


def test_latency_model_arithmetic() -> None:
    model = LatencyModel(ttft_s=0.5, prefill_tps=1000.0, decode_tps=50.0)
    assert model.turn_seconds(2000, 100) == pytest.approx(0.5 + 2.0 + 2.0)
    assert "tok/s" in model.describe()


def test_e2e_adds_modeled_time_unless_slept() -> None:
    run = StrategyRun(
        task="t",
        strategy="codeact",
        answer="",
        missing=[],
        turns=2,
        prompt_tokens=10,
        completion_tokens=5,
        wall_ms=100.0,
        modeled_ms=900.0,
        ours_ms=50.0,
        tool_calls=1,
        emails=0,
    )
    assert run.e2e_ms == 1000.0
    assert run.ours_share == pytest.approx(0.05)
    run.sleep = True
    assert run.e2e_ms == 100.0


@pytest.fixture(scope="module")
def bench() -> AgentBench:
    return run_agent_bench(PICKED)


def test_every_strategy_answers_every_task_correctly(bench: AgentBench) -> None:
    assert len(bench.runs) == 3 * len(PICKED)
    for run in bench.runs:
        assert run.ok, (run.task, run.strategy, run.missing)
        assert run.prompt_tokens > 0 and run.completion_tokens > 0
        assert run.e2e_ms > run.wall_ms
    by = {(r.task, r.strategy): r for r in bench.runs}
    for task in PICKED:
        assert by[(task.id, "codeact")].turns == 2
        assert by[(task.id, "tools")].turns == len(task.classic_turns) + 1
        assert by[(task.id, "tools")].tool_calls == task.classic_tool_calls
        assert by[(task.id, "codeact")].ours_ms > 0
        assert by[(task.id, "final")].turns == 1  # one-turn answers: no second model turn
        assert by[(task.id, "final")].answer != task.codeact_answer  # the program's own text
    # the same side effects either way
    assert by[("escalation", "codeact")].emails == by[("escalation", "tools")].emails == 3
    assert by[("escalation", "final")].emails == 3


def test_every_task_has_a_one_turn_program() -> None:
    from codeact_verify.bench.tasks.final import FINAL_PROGRAMS

    assert set(FINAL_PROGRAMS) == {t.id for t in ALL_TASKS}
    assert all("final_answer(" in p for p in FINAL_PROGRAMS.values())


def test_one_turn_answers_are_checked_against_the_facts() -> None:
    from codeact_verify.bench import agent

    task = PICKED[0]
    wrong = {task.id: 'final_answer("I do not know")\n'}
    old = dict(agent.FINAL_PROGRAMS)
    agent.FINAL_PROGRAMS.update(wrong)
    try:
        bench = run_agent_bench([task], misuse=False)
    finally:
        agent.FINAL_PROGRAMS.clear()
        agent.FINAL_PROGRAMS.update(old)
    final = next(r for r in bench.runs if r.strategy == "final")
    assert not final.ok and final.missing


def test_codeact_uses_fewer_tokens_on_multi_step_tasks(bench: AgentBench) -> None:
    by = {(r.task, r.strategy): r for r in bench.runs}
    for task_id in ("reorder-needed", "escalation"):
        assert by[(task_id, "codeact")].total_tokens < by[(task_id, "tools")].total_tokens


def test_misuse_caught_before_running_vs_at_run_time(bench: AgentBench) -> None:
    verified, unverified = bench.misuse
    assert verified.strategy == "codeact" and unverified.strategy == "unverified"
    assert verified.ok and unverified.ok
    assert verified.first_error == "rejected"
    assert unverified.first_error == "runtime"
    assert verified.emails == 2  # nothing ran before the fix
    assert unverified.emails == 3  # the first customer got the email twice
    assert unverified.tool_calls > verified.tool_calls


def test_tables_render(bench: AgentBench) -> None:
    text = task_table(bench)
    assert "TOTAL (3 tasks)" in text and "y/y/y" in text
    assert all(t.id in text for t in PICKED)
    assert "total tokens" in ratio_table(bench) and "one-turn" in ratio_table(bench)
    assert "sandbox only" in misuse_table(bench)


def test_report_files(bench: AgentBench, tmp_path: Path) -> None:
    from codeact_verify.bench.report import write_outputs

    written = write_outputs(tmp_path, bench, None, command="python -m bench", quick=True)
    names = {p.name for p in written}
    assert {"report.md", "results.json", "agent_tokens.png", "agent_time.png"} <= names
    report = (tmp_path / "report.md").read_text()
    assert "Latency model" in report and "cl100k" in report
    assert (tmp_path / "agent_time.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_bench_help(capsys: pytest.CaptureFixture[str]) -> None:
    from codeact_verify.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["bench", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--quick" in out and "--base-url" in out and "--out" in out


def test_report_without_matplotlib_says_plots_need_the_extra(
    bench: AgentBench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from codeact_verify.bench.report import write_outputs

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` raises ImportError
    written = write_outputs(tmp_path, bench, None, command="codeact-verify bench", quick=True)
    assert {p.name for p in written} == {"report.md", "results.json"}
    err = capsys.readouterr().err
    assert "plots skipped" in err and "codeact-verify[bench]" in err


def test_cli_bench_passes_its_own_arguments_to_the_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from codeact_verify.bench import __main__ as bench_main
    from codeact_verify.cli import main

    seen = {}
    monkeypatch.setattr(bench_main, "run", lambda args, argv: seen.setdefault("argv", argv) and 0)
    assert main(["bench", "--quick", "--out", str(tmp_path)]) == 0
    assert seen["argv"] == ["--quick", "--out", str(tmp_path)]

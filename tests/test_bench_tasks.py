"""The benchmark's tasks: reference answers, transcripts and programs agree (quick).

Each task's expected facts come from its reference solution (the tools called directly). The
final answers of both transcripts must state them, every classic tool call must succeed, and the
CodeAct program must state them too when it runs for real (verifier + sandbox).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from codeact_verify.bench.tasks import ALL_TASKS, KINDS, MISUSE, TOOLS, Task
from codeact_verify.bench.tasks import tools as task_tools
from codeact_verify.bench.tasks.model import missing_facts, near, numbers_in

IDS = [t.id for t in ALL_TASKS]


def test_at_least_twenty_tasks_of_every_kind() -> None:
    assert len(ALL_TASKS) >= 20
    assert len(set(IDS)) == len(IDS)
    assert {t.kind for t in ALL_TASKS} == set(KINDS)
    assert len({t.prompt for t in ALL_TASKS}) == len(ALL_TASKS)
    # a scripted server picks the script whose key appears in the first user message
    for a in ALL_TASKS:
        assert not any(a.prompt in b.prompt for b in ALL_TASKS if b is not a)


@pytest.mark.parametrize("task", ALL_TASKS, ids=IDS)
def test_final_answers_state_the_expected_facts(task: Task) -> None:
    assert task.facts(), "a task without facts checks nothing"
    assert task.check(task.codeact_answer) == []
    assert task.check(task.classic_answer) == []


@pytest.mark.parametrize("task", ALL_TASKS, ids=IDS)
def test_classic_transcript_calls_succeed(task: Task) -> None:
    names = {f.__name__ for f in TOOLS}
    task_tools.reset_outbox()
    assert task.classic_turns
    for turn in task.classic_turns:
        assert turn, "an empty tool-calling turn"
        for call in turn:
            assert call.name in names
            getattr(task_tools, call.name)(**call.arguments)
    if "send_email" in task.side_effects:
        assert task_tools.OUTBOX
    task_tools.reset_outbox()


def test_checker_rejects_wrong_answers() -> None:
    task = ALL_TASKS[0]
    assert task.check("I could not find that order.") != []
    assert missing_facts("total 826.99 USD", [826.99, "USD"]) == []
    assert missing_facts("total 826.90 USD", [826.99]) == ["826.99"]
    assert missing_facts("1,978.00 USD", [1978.0]) == []
    assert numbers_in("T-501 costs 3.5 and 1,200") == [501.0, 3.5, 1200.0]
    assert missing_facts("high: 3, low: 2", [near("high", 3), near("low", 2)]) == []
    assert missing_facts("high: 2, low: 3", [near("high", 3)]) != []
    assert missing_facts("3 days", [near("day", 3)]) == []


def test_misuse_case_is_a_real_misuse() -> None:
    assert MISUSE.first_program != MISUSE.fixed_program
    assert "rate['rate']" in MISUSE.first_program
    assert MISUSE.check(MISUSE.final_answer) == []
    assert isinstance(task_tools.get_exchange_rate("USD", "EUR"), float)


@pytest.fixture(scope="module")
def codeact():  # type: ignore[no-untyped-def]
    from codeact_verify.codeact import CodeAct

    with CodeAct(tools=TOOLS) as ca:
        yield ca


@pytest.mark.parametrize("task", ALL_TASKS, ids=IDS)
def test_codeact_program_runs_for_real_and_answers(task: Task, codeact) -> None:  # type: ignore[no-untyped-def]
    task_tools.reset_outbox()
    execution = codeact.execute_sync(task.program)
    report = execution.report
    assert report is not None and report.ok, report.render_for_human() if report else None
    assert execution.ok, execution.error
    assert task.check(execution.stdout) == [], execution.stdout
    if "send_email" in task.side_effects:
        assert task_tools.OUTBOX
    task_tools.reset_outbox()


def test_misuse_first_program_rejected_before_anything_runs(codeact) -> None:  # type: ignore[no-untyped-def]
    task_tools.reset_outbox()
    execution = codeact.execute_sync(MISUSE.first_program)
    assert execution.rejected
    assert execution.tool_calls == []
    assert task_tools.OUTBOX == []
    assert any(d.rule == "types" for d in execution.report.diagnostics)
    fixed = codeact.execute_sync(MISUSE.fixed_program)
    assert fixed.ok, fixed.error
    assert MISUSE.check(fixed.stdout) == []
    assert len(task_tools.OUTBOX) == 2
    task_tools.reset_outbox()

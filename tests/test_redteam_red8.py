"""Red team red8: the type check's warm mypy worker (findings in docs/redteam/26_*).

Each test states the behaviour the project promises and is marked xfail(strict=True) while the
finding stands: it fails now for the stated reason, and passes (turning the xfail into an error)
once the finding is fixed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from codeact_verify import mypy_worker


def _fresh_names(check: int, count: int) -> str:
    """A program the grammar accepts that binds ``count`` module-level names no earlier check
    used (one chained assignment: two syntax nodes a name)."""
    return "=".join(f"v{check}_{i}" for i in range(count)) + f" = 0\nprint(v{check}_0)\n"


@pytest.mark.xfail(
    strict=True,
    reason="red8/26 mypy's fine-grained dependency map (FineGrainedBuildManager.deps) only "
    "grows: every name a checked program binds stays in the warm worker until it is replaced",
)
def test_the_worker_forgets_the_names_of_earlier_programs(tmp_path: Path) -> None:
    (tmp_path / "w").mkdir()
    engine = mypy_worker.Engine(tmp_path / "w", ["json"])
    engine.check("import json\nx = 1\n")
    manager = engine.server.fine_grained_manager
    assert manager is not None
    engine.check(_fresh_names(0, 100))
    settled = len(manager.deps)
    for check in range(1, 41):
        assert engine.check(_fresh_names(check, 500)) == []
    # 40 programs of 500 fresh names each: the map holds every one of them (20 000 more
    # entries), though only the last program is in the build
    assert len(manager.deps) - settled < 2_000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_grown_past_its_mark_is_replaced_and_checks_go_on() -> None:
    # red8/26: the worker's memory grows with every fresh name (the map above); it is replaced
    # once its address space passes the budget's mark, so it never reaches its limit (where the
    # check that crossed it, anyone's, failed with CV799)
    import dataclasses

    from codeact_verify.mypy_process import Budget, MypyProcess

    proc = MypyProcess(Budget(), warm_modules=("json",))
    try:
        assert proc.check({}, "print(1)\n") == []
        assert proc.proc is not None
        pid = proc.proc.pid

        def vmsize() -> int:
            status = Path(f"/proc/{pid}/status").read_text()
            return int(status.split("VmSize:")[1].split()[0]) * 1024

        proc.budget = dataclasses.replace(proc.budget, recycle_bytes=vmsize() + (24 << 20))
        for check in range(200):
            assert proc.check({}, _fresh_names(check, 2900)) == []
            if proc.recycled:
                break
        assert proc.recycled == 1, "the worker never passed its mark"
        assert proc.proc is not None and proc.proc.pid != pid
        # the new worker answers the next program in full
        found = proc.check({}, "x: int = 'a'\nprint(x)\n")
        assert [m.get("code") for m in found] == ["assignment"], found
    finally:
        proc.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.xfail(
    strict=True,
    reason="red8/26 the warm worker's memory grows by about 1 MB per checked program that "
    "binds ~2900 fresh names (bounded only by replacing the worker at its mark, tested above)",
)
def test_the_worker_memory_does_not_grow_with_each_program() -> None:
    from codeact_verify import typecheck
    from codeact_verify.verifier import verify

    previous = typecheck.remember_findings(False)
    try:
        assert verify("print(1)\n").ok
        worker = typecheck._worker
        assert worker is not None and worker.proc is not None
        pid = worker.proc.pid

        def vmsize_mb() -> int:
            status = Path(f"/proc/{pid}/status").read_text()
            return int(status.split("VmSize:")[1].split()[0]) // 1024

        for check in range(10):  # the allocator's first growth is not the finding
            assert verify(_fresh_names(900 + check, 2900)).ok
        start = vmsize_mb()
        for check in range(150):
            assert verify(_fresh_names(check, 2900)).ok
        assert typecheck._worker is worker and worker.proc is not None
        assert worker.proc.pid == pid  # the same worker throughout (no failure replaced it)
        # measured: +140 to +160 MB over these 150 checks (about 1 MB a check, linear)
        assert vmsize_mb() - start < 64
    finally:
        typecheck.remember_findings(previous)

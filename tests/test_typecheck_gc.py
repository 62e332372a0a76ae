"""The mypy worker collects garbage between checks (mypy_worker.Collector), and that changes no
verdict: the same programs get the same findings from a worker left to mypy's own collections."""

from __future__ import annotations

import gc
import weakref

import pytest

from codeact_verify import mypy_worker
from codeact_verify.bench.verify import worker_with
from codeact_verify.mypy_process import MypyProcess


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cycle collector frees it


def _garbage(n: int) -> list[weakref.ref[_Node]]:
    return [weakref.ref(_Node()) for _ in range(n)]


@pytest.fixture
def no_automatic_gc():
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def test_garbage_is_collected_between_checks_once_the_mark_is_passed(no_automatic_gc):
    collector = mypy_worker.Collector(every=100)
    refs = _garbage(300)
    assert all(r() is not None for r in refs)
    collector.between_checks()
    assert collector.collections == 1
    assert all(r() is None for r in refs)


def test_below_the_mark_nothing_is_collected(no_automatic_gc):
    collector = mypy_worker.Collector(every=10**9)
    refs = _garbage(50)
    collector.between_checks()
    assert collector.collections == 0
    assert all(r() is not None for r in refs)
    gc.collect()


def test_the_warm_up_is_frozen_and_auto_leaves_it_to_mypy(monkeypatch, no_automatic_gc):
    before = gc.get_freeze_count()
    monkeypatch.setenv(mypy_worker.GC_ENV, "auto")
    off = mypy_worker.Collector(every=10)
    off.warmed()
    assert gc.get_freeze_count() == before
    refs = _garbage(50)
    off.between_checks()
    assert off.collections == 0 and all(r() is not None for r in refs)
    gc.collect()
    monkeypatch.delenv(mypy_worker.GC_ENV)
    on = mypy_worker.Collector(every=10)
    try:
        on.warmed()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
    refs = _garbage(50)
    on.between_checks()
    assert on.collections == 1 and all(r() is None for r in refs)


PROGRAMS = (
    "print(1 + {n})\n",
    "x{n}: int = 'a'\n",
    "def f{n}(xs: list[int]) -> dict[str, int]:\n    return {{str(x): x for x in xs}}\n"
    "print(f{n}([1, 2]).get('1') + 1)\n",
    "import json\nd: list[int] = json.loads('[{n}]')\nprint(d[0] + 'x')\n",
    "class C{n}:\n    def m(self) -> int:\n        return {n}\nprint(C{n}().m().upper())\n",
)


def _worker(mode: str) -> MypyProcess:
    process = worker_with(mypy_worker.GC_ENV, mode)
    process.check({}, "x = 1\n")
    return process


def _key(message: dict) -> tuple:
    return (message.get("line"), message.get("column"), message.get("code"), message.get("message"))


def test_a_worker_collecting_between_checks_finds_what_mypys_own_collections_find():
    """Enough checks for several collections between them (a check leaves ~100-200 objects
    pending; the mark is 3,000), with and without errors: the findings are equal check by
    check."""
    shipped, auto = _worker(""), _worker("auto")
    try:
        found = 0
        for n in range(150):
            program = PROGRAMS[n % len(PROGRAMS)].format(n=n)
            a = [_key(m) for m in shipped.check({}, program)]
            b = [_key(m) for m in auto.check({}, program)]
            assert a == b, program
            found += bool(a)
        assert found == 120  # every program but the print is rejected by mypy
        assert shipped.collections >= 3 and auto.collections == 0
    finally:
        shipped.stop()
        auto.stop()


def test_the_bench_prints_both_ways(capsys):
    from codeact_verify.bench import mypy_gc

    assert mypy_gc.main(["--checks", "8"]) == 0
    out = capsys.readouterr().out
    assert "between checks (shipped)" in out and "mypy's own (auto)" in out
    assert "x mean vs auto" in out

"""Types: real mypy in a warm, budgeted worker, findings at the model's own lines and columns."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import TypedDict

import pytest

from codeact_verify import mypy_process
from codeact_verify import typecheck as typecheck_module
from codeact_verify.diagnostics import Diagnostic
from codeact_verify.toolcheck import check_tool_calls, example_specs
from codeact_verify.tools import ToolSpec, load_tools_file, tool_specs
from codeact_verify.typecheck import CODES, typecheck

SPECS = example_specs()
CORPUS = Path(__file__).parent / "corpus"


def errors(code: str, specs: dict[str, ToolSpec] | None = None) -> list[Diagnostic]:
    return [d for d in typecheck(code, SPECS if specs is None else specs)]


def test_float_result_indexed_like_a_dict() -> None:
    code = 'r = call_tool("get_exchange_rate", base="USD", quote="EUR")["rate"]\nprint(r)\n'
    (d,) = errors(code)
    assert (d.code, d.rule, d.severity) == ("CV702", "types", "error")
    assert "float" in d.message and "not indexable" in d.message
    assert (d.line, d.col, d.end_line, d.end_col) == (1, 4, 1, 67)


def test_direct_call_float_result_indexed() -> None:
    (d,) = errors('r = get_exchange_rate(base="USD", quote="EUR")["rate"]\n')
    assert d.code == "CV702" and (d.line, d.col) == (1, 4)


def test_wrong_argument_type_through_call_tool_maps_to_the_model_column() -> None:
    code = 'w = call_tool("get_weather", city=3)\n'
    (d,) = errors(code)
    assert d.code == "CV701"
    assert (d.line, d.col, d.end_col) == (1, code.index("3"), code.index("3") + 1)


def test_non_ascii_line_columns() -> None:
    code = 'é = "日本"; w = call_tool("get_weather", city=3)\n'
    (d,) = errors(code)
    assert (d.line, d.col) == (1, code.index("3"))


def test_typed_dict_key_typo_inside_a_helper_function() -> None:
    code = "def helper(c):\n    w = get_weather(city=c)\n    return w['temp']\nprint(helper('x'))\n"
    (d,) = errors(code)
    assert d.code == "CV702" and "temp" in d.message and (d.line, d.col) == (3, 13)  # the key


def test_undefined_name() -> None:
    (d,) = errors("x = undefined_name + 1\n")
    assert d.code == "CV703" and (d.line, d.col, d.end_col) == (1, 4, 18)


def test_optional_tool_result_used_without_check_is_an_error() -> None:
    # the verdict rule: None is the tool's declared answer, not an imprecision
    (d,) = errors('p = lookup(name="x")\nprint(p.upper())\n')
    assert (d.code, d.severity, d.line) == ("CV704", "error", 2)
    assert d.hint and "None" in d.hint
    (d,) = errors('print(call_tool("lookup", name="x").upper())\n')
    assert (d.code, d.severity) == ("CV704", "error")
    assert errors('p = lookup(name="x")\nif p is not None:\n    print(p.upper())\n') == []


def test_re_match_without_check_is_only_a_warning() -> None:
    found = errors('import re\nm = re.match("a", "b")\nprint(m.group(0))\n')
    assert [(d.code, d.severity) for d in found] == [("CV704", "warning")]


@pytest.mark.parametrize(
    "code",
    [
        # redefinition with a new type, empty collections, untyped helpers
        'x = "3"\nx = int(x)\nres = []\nfor i in range(3):\n'
        '    res.append(get_weather(city=str(i))["temperature_c"])\nprint(sum(res))\n',
        "totals = {}\ntotals['a'] = 1\nprint(totals)\n",
        # a TypedDict result where the model annotates a plain dict
        'def show(w: dict) -> str:\n    return str(w)\nprint(show(get_weather(city="a")))\n',
        "def count(ws: list[dict]) -> int:\n    return len(ws)\n"
        'print(count([get_weather(city="a")]))\n',
        # tool errors, batches, helpers the sandbox provides
        'try:\n    w = get_weather(city="a")\n'
        "except ToolError as e:\n    print(e.tool, e.message)\n",
        'rs = call_tools([("get_weather", {"city": "a"})])\nprint(rs[0])\n',
        'r = http_get("https://example.com")\nprint(r["status"], r["text"][:10])\n',
        # the program's own function named like a tool shadows the stub
        "def get_weather(c):\n    return c * 2\nprint(get_weather(3) + 1)\n",
        # the TypedDict names of the stubs may be used in annotations
        "def temp(w: _Weather) -> float:\n    return w['temperature_c']\n",
        'from typing import Any\nx: dict[str, Any] = get_weather(city="a")\n',
    ],
)
def test_legitimate_programs_pass(code: str) -> None:
    assert errors(code) == []


def test_type_ignore_and_mypy_comments_do_not_switch_checks_off() -> None:
    code = '# mypy: ignore-errors\nw = call_tool("get_weather", city=3)  # type: ignore\n'
    assert [d.code for d in errors(code)] == ["CV701"]


def test_unparsable_input_gives_no_type_diagnostics() -> None:
    assert errors("def f(:\n") == []
    assert errors("x = 1\x00\n") == []
    assert errors("x = '\udcff'\n") == []
    assert errors("# -*- coding: latin-1 -*-\nx: int = 'é'\n")[0].line == 2
    (d,) = errors("x = 1\x0c\ny = 'a\x1cb'; z: int = y\n")  # not line breaks for Python
    assert (d.line, d.col) == (2, 20)


def test_mypy_only_errors_are_reported_as_other() -> None:
    (d,) = errors("return 5\n")
    assert d.code == "CV709" and d.line == 1


def test_known_diagnostics_are_not_reported_twice() -> None:
    code = 'w = call_tool("get_weather", city=3)\n'
    known = check_tool_calls(code, SPECS)
    assert [d.code for d in known] == ["CV607"]
    assert typecheck(code, SPECS, known=known) == []


def test_same_size_programs_back_to_back_are_not_served_from_a_stale_cache() -> None:
    # identical size, written within the same second: mypy's mtime+size check would say "same"
    bad = "x: int = 'a'\n"
    good = "x: int = 123\n"
    assert len(bad) == len(good)
    for _ in range(3):
        assert [d.code for d in errors(bad)] == ["CV706"]
        assert errors(good) == []


class _Row(TypedDict):
    id: int
    label: str


def _rows(limit: int = 10) -> list[_Row]:
    """Rows."""
    return []


def test_changing_the_tool_set_changes_the_stubs() -> None:
    other = tool_specs([ToolSpec.from_callable(_rows, name="rows")])
    assert errors("r = rows(limit=2)\nprint(r[0]['label'].upper())\n", other) == []
    assert [d.code for d in errors("r = rows(limit=2)\nprint(r[0]['nope'])\n", other)] == ["CV702"]
    # the first tool set's names are not visible under the second, and come back after
    assert [d.code for d in errors('get_weather(city="x")\n', other)] == ["CV703"]
    assert errors('get_weather(city="x")\n') == []
    assert [d.code for d in errors("rows()\n")] == ["CV703"]


def test_thread_safe() -> None:
    results: list[list[str]] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        code = f"x{i}: int = 'a'\n" if i % 2 else f"x{i}: int = {i}\n"
        found = [d.code for d in errors(code)]
        with lock:
            results.append(found if i % 2 else [*found, "ok"])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(tuple, results)) == sorted([("CV706",)] * 4 + [("ok",)] * 4)


def _failed(found: list[Diagnostic]) -> Diagnostic:
    (d,) = found
    assert (d.code, d.severity) == ("CV799", "error")
    assert "the type checker failed, not the program" in d.message
    return d


def test_mypy_raising_rejects_the_program_and_the_next_check_recovers() -> None:
    # mypy folds Final constants itself and raises OverflowError on this one
    d = _failed(errors("from typing import Final\nBIG: Final = 10 ** 400 / 3\n"))
    assert "OverflowError" in d.message
    assert [d.code for d in errors("x: int = 'a'\n")] == ["CV706"]


def test_stubs_that_do_not_compile_reject_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typecheck_module, "stubs_module", lambda specs: "def f(:\n")
    d = _failed(errors("x = 1\n"))
    assert "stubs are not valid Python" in d.message


def test_stubs_that_do_not_type_check_reject_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    # e.g. a tool whose annotation renders as a name the stub module does not define
    text = "def odd(x: NotDefinedAnywhere) -> int: ...\n"
    monkeypatch.setattr(typecheck_module, "stubs_module", lambda specs: text)
    d = _failed(errors("x = 1\n"))
    assert "stubs do not type-check" in d.message


def test_over_the_time_budget_rejects_the_program() -> None:
    budget = typecheck_module.Budget(seconds=0.0005)
    d = _failed(typecheck("x = 1\n" * 50, SPECS, budget=budget))
    assert "time budget" in d.message
    assert errors("x = 1\n") == []  # a new worker serves the next program


def test_over_the_memory_budget_rejects_the_program() -> None:
    # mypy folds 'a' * 10**9 (1 GB); the worker's address space is capped at 600 MiB here
    budget = typecheck_module.Budget(memory_bytes=600 << 20)
    program = "from typing import Final\nX: Final = 'a' * 10 ** 9\n"
    d = _failed(typecheck(program, SPECS, budget=budget))
    assert "memory budget" in d.message
    assert errors("x: int = 'a'\n")[0].code == "CV706"


def test_a_worker_that_dies_rejects_the_program(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dead = tmp_path / "dead_worker.py"
    dead.write_text("import sys\nsys.exit(3)\n", encoding="utf-8")
    typecheck_module._reset_engine()
    monkeypatch.setattr(mypy_process, "_WORKER", dead)
    d = _failed(errors("x = 1\n"))
    assert "stopped" in d.message
    monkeypatch.undo()
    assert errors("x = 1\n") == []


def test_an_internal_bug_rejects_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> object:
        raise RuntimeError("mypy fell over")

    monkeypatch.setattr(typecheck_module, "_stubs_for", boom)
    typecheck_module._stub_cache.clear()
    typecheck_module._results.clear()
    d = _failed(errors("x = 1\n"))
    assert "mypy fell over" in d.message


def test_every_code_is_documented() -> None:
    used = set(typecheck_module._CODES.values()) | {
        typecheck_module.OPTIONAL_CODE,
        typecheck_module.OTHER_CODE,
        typecheck_module.UNAVAILABLE_CODE,
    }
    assert used <= set(CODES)


@pytest.mark.parametrize("path", sorted((CORPUS / "accept").glob("*.py")), ids=lambda p: p.stem)
def test_realistic_corpus_programs_type_check_clean(path: Path) -> None:
    specs = tool_specs(load_tools_file(CORPUS / "tools.py"))
    assert errors(path.read_text(encoding="utf-8"), specs) == []


def test_a_parse_that_fails_only_here_rejects_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    def deep(code: str) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(typecheck_module, "parse", deep)
    _failed(errors("x = 1\n"))


def test_verify_never_accepts_after_the_checker_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    from codeact_verify.verifier import verify

    monkeypatch.setattr(typecheck_module, "stubs_module", lambda specs: "def f(:\n")
    report = verify('print("fine")\n', SPECS)
    assert not report.ok
    assert [d.code for d in report.errors] == ["CV799"]


def test_call_tools_pair_values_are_type_checked() -> None:
    (d,) = errors('rs = call_tools([("get_weather", {"city": c}) for c in [1, 2]])\n')
    assert (d.code, d.severity) == ("CV701", "error")
    assert d.message.startswith("get_weather (call_tools):")
    assert d.hint == "'city' takes a str, not an int"
    assert errors('rs = call_tools([("get_weather", {"city": c}) for c in ["a"]])\n') == []
    # a str variable into a Literal parameter depends on the data: a warning, as for a call
    (w,) = errors('rs = call_tools([("get_weather", {"city": "a", "units": u}) for u in ["c"]])\n')
    assert w.severity == "warning"


def test_findings_are_remembered_per_exact_program_and_tools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    previous = typecheck_module.remember_findings(True)  # a bench run in this process may be off
    try:
        _remembered_per_exact_program(monkeypatch)
    finally:
        typecheck_module.remember_findings(previous)


def _remembered_per_exact_program(monkeypatch: pytest.MonkeyPatch) -> None:
    code = "y_remembered: int = 'a'\n"
    first = errors(code)
    assert [d.code for d in first] == ["CV706"]
    calls: list[str] = []
    real = typecheck_module._typecheck

    def counting(code: str, *args: object) -> list[Diagnostic]:
        calls.append(code)
        return real(code, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(typecheck_module, "_typecheck", counting)
    assert errors(code) == first and calls == []  # the same program and tools: remembered
    # another tool set, another strictness, other known diagnostics: checked again
    other = tool_specs([ToolSpec.from_callable(_rows, name="rows")])
    assert [d.code for d in errors(code, other)] == ["CV706"] and len(calls) == 1
    assert [d.code for d in typecheck(code, SPECS, strict=True)] == ["CV706"]
    assert len(calls) == 2
    (known,) = first
    assert typecheck(code, SPECS, known=[known]) == [] and len(calls) == 3


def test_a_checker_failure_is_never_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    code = f"z_{uuid.uuid4().hex} = 1\n"  # never checked before in this process
    budget = typecheck_module.Budget(seconds=0.0005)
    # 500 lines (still short enough to be remembered): mypy never checks them in 0.5 ms
    _failed(typecheck(code * 500, SPECS, budget=budget))
    assert typecheck(code * 500, SPECS) == []  # checked again, not the remembered failure


def test_the_worker_gets_each_stub_module_once() -> None:
    assert [d.code for d in errors("w_once0: int = 'a'\n")] == ["CV706"]  # strict and lenient
    worker = typecheck_module._worker
    assert worker is not None and len(worker.sent) >= 2
    sent: list[dict[str, object]] = []
    real = worker._send

    def recording(obj: dict[str, object]) -> None:
        sent.append(obj)
        real(obj)

    worker._send = recording  # type: ignore[method-assign]
    try:
        assert [d.code for d in errors("w_once1: int = 'a'\n")] == ["CV706"]
        assert errors("w_once2: int = 1\n") == []
    finally:
        del worker._send
    assert len(sent) == 3 and all(request["stubs"] == {} for request in sent)


def test_a_tool_named_in_another_unicode_form_is_checked() -> None:
    # red5/16: Python reads `ｇet_exchange_rate` (a fullwidth g) as `get_exchange_rate` (NFKC),
    # but only the stub names spelt as such in the text were imported: mypy said "not defined"
    # (a correct program rejected with a misleading message)
    (d,) = errors('r = \uff47et_exchange_rate(base="USD", quote="EUR")["rate"]\n')
    assert d.code == "CV702" and d.line == 1 and "float" in d.message
    assert errors('r = \uff47et_exchange_rate(base="USD", quote="EUR")\nprint(r + 1.0)\n') == []


def test_a_wrong_type_for_an_optional_parameter_is_an_error() -> None:
    # red5/17: any message with `| None"` counted as "about None" (a CV704 warning), so an int
    # passed where a tool takes `str | None` was accepted, with the hint "check for None first"
    specs = tool_specs(load_tools_file(Path(__file__).parent / "corpus" / "tools.py"))
    found = errors(
        'n = get_inventory(sku="a")\n'
        't = create_ticket(title="x", priority="low", assignee=n)\n',
        specs,
    )
    assert [(d.code, d.severity, d.line) for d in found] == [("CV701", "error", 2)]
    assert errors(
        'n = get_inventory(sku="a")\n'
        't = create_ticket(title="x", priority="low", assignee=str(n))\n'
        'u = lookup_user(user_id=n)\n'
        'print(list_orders(customer_id=1, status=None), t, u)\n',
        specs,
    ) == []
    # a value that may be None is still the None rule's business (a warning unless a tool's
    # declared None result)
    (d,) = errors("import re\nm = re.match('a', 'b')\nprint(m.group(0))\n", specs)
    assert (d.code, d.severity) == ("CV704", "warning")

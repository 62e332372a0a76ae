"""The type check's shortcuts change no verdict: every program the project has gets the
byte-identical report with them and without them. The shortcuts: the mypy worker's module search
kept between checks (mypy_worker.FixedSearch; ``CODEACT_VERIFY_MYPY_REUSE=off`` is plain mypy,
everything searched afresh on every check) and the check sent to the worker before the rules
run (typecheck.send_ahead; ``AHEAD_MAX_CHARS = 0`` sends it after them, as before).
Real mypy, real worker processes.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from codeact_verify import mypy_worker

TESTS = Path(__file__).parent
CORPUS = TESTS / "corpus"

# The tool sets the programs below are written against (by name, built in the child process).
_REPORTS = r"""
import json, sys
from pathlib import Path
from typing import TypedDict
from codeact_verify.toolcheck import example_specs
from codeact_verify.tools import load_tools_file, tool_specs
from codeact_verify.verdict import example_tools
from codeact_verify.verifier import verify
from codeact_verify import typecheck

class Weather(TypedDict):
    city: str
    temperature: float

def get_weather(city: str, units: str = "c") -> Weather:
    '''The weather in a city.'''
    return {"city": city, "temperature": 20.0}

def get_template(kind: str = "plain") -> str:
    '''A text template.'''
    return "{0}"

typecheck.remember_findings(False)
if sys.argv[1] == "plain":
    typecheck.AHEAD_MAX_CHARS = 0
sets = {
    "rules": tool_specs([get_weather, get_template]),
    "example": example_specs(),
    "verdict": tool_specs(example_tools()),
}
jobs = json.loads(sys.stdin.read())
out = {}
for tools, programs in jobs:
    specs = sets[tools] if tools in sets else tool_specs(load_tools_file(Path(tools)))
    for i, program in enumerate(programs):
        report = verify(program, specs)
        out[f"{tools}:{i}"] = report.to_json()
print(json.dumps({"reports": out}))
"""


#: ``from M import name`` (mypy asks whether ``M.name`` is a module: the search kept between
#: checks answers), right and wrong, the same names twice, a name that is a submodule
FROM_IMPORTS = [
    "from datetime import date, timedelta\nprint(date(2024, 1, 1) + timedelta(days=1))\n",
    "from datetime import date\nd: str = date.today()\n",
    "from collections import Counter, defaultdict\nc = Counter('ab')\nc.nope()\n",
    "from json import dumps, loads\nprint(loads(1), dumps({}))\n",
    "from math import sqrt\nfrom math import sqrt as s\nprint(sqrt('x') + s(2))\n",
    "from statistics import mean\nx = mean(['a'])\nprint(x + 1)\n",
    "from collections import abc\nprint(abc.Mapping)\n",
    "from itertools import nope\nprint(nope)\n",
    "from decimal import Decimal\nprint(Decimal('1.5') + 1.5)\n",
]


def _strings(path: Path) -> list[str]:
    """Every multi-line string literal of a test module that parses as Python: the programs
    its tests check."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
            try:
                ast.parse(node.value)
            except (SyntaxError, ValueError):
                continue
            out.append(node.value)
    return sorted(set(out))


def _jobs() -> list[tuple[str, list[str]]]:
    from codeact_verify.rules import REGISTRY
    from codeact_verify.verdict import EXAMPLES

    def files(*globs: Path) -> list[str]:
        return [p.read_text(encoding="utf-8") for p in globs]

    examples = [code for rule in REGISTRY.values() for code in (*rule.VALID, *rule.INVALID)]
    type_tests = [
        s
        for name in (
            "test_typecheck.py",
            "test_verdict.py",
            "test_corpus_verdict.py",
            "test_typecheck_cache.py",
            "test_verify.py",
        )
        for s in _strings(TESTS / name)
    ]
    return [
        (str(CORPUS / "tools.py"), files(*sorted((CORPUS / "accept").glob("*.py")))),
        (
            str(CORPUS / "verdict" / "tools.py"),
            files(*sorted((CORPUS / "verdict" / "accept").glob("*.py")))
            + files(*sorted((CORPUS / "verdict" / "reject").glob("*.py"))),
        ),
        ("rules", examples),
        ("example", type_tests),
        ("verdict", [e.code for e in EXAMPLES] + type_tests),
        ("example", FROM_IMPORTS),
    ]


def _reports(tmp_path: Path, how: str, jobs: list[tuple[str, list[str]]]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEACT_VERIFY_MYPY")}
    env.update(CODEACT_VERIFY_DAEMON="off", CODEACT_VERIFY_MYPY_CACHE=str(tmp_path / "mc"))
    env[mypy_worker.REUSE_ENV] = "off" if how == "plain" else ""
    proc = subprocess.run(
        [sys.executable, "-c", _REPORTS, how],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_every_program_gets_the_same_report_with_the_shortcuts_and_without(
    tmp_path: Path,
) -> None:
    jobs = _jobs()
    assert sum(len(programs) for _, programs in jobs) > 300
    # the reuse is on by default for this mypy (else this test compares plain with plain)
    assert mypy_worker.FixedSearch.make() is not None
    plain = _reports(tmp_path, "plain", jobs)
    kept = _reports(tmp_path, "shortcuts", jobs)
    assert kept["reports"] == plain["reports"]
    reports = [json.loads(r) for r in plain["reports"].values()]
    rejected = [r for r in reports if not r["ok"]]
    typed = [r for r in rejected if any(d["code"].startswith("CV7") for d in r["diagnostics"])]
    assert len(rejected) > 100 and len(typed) > 30  # the type check had plenty to find
    # programs that import names from modules (what the kept search makes cheaper) are in
    assert sum(p.startswith("from ") or "\nfrom " in p for _, ps in jobs for p in ps) >= 20


def test_switched_off_by_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(mypy_worker.REUSE_ENV, "off")
    assert mypy_worker.FixedSearch.make() is None
    monkeypatch.setenv(mypy_worker.REUSE_ENV, "")
    assert mypy_worker.FixedSearch.make() is not None


def test_another_mypy_version_searches_afresh(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(mypy_worker, "FIXED_SEARCH_VERSIONS", ("0.0.",))
    assert mypy_worker.FixedSearch.make() is None


def test_a_new_tool_set_is_found_after_the_search_was_kept() -> None:
    """The work directory (where each new tool set's stub module is written) is searched afresh
    on every check: a tool whose result type changed gives the new verdict in the same worker,
    after checks that filled the kept typeshed listing."""
    from codeact_verify import typecheck as typecheck_module
    from codeact_verify.tools import tool_specs

    def v1(city: str) -> dict:  # type: ignore[type-arg]
        """Weather."""
        return {}

    def v2(city: str) -> float:
        """Temperature."""
        return 1.0

    v1.__name__ = v2.__name__ = "get_weather"
    program = (
        'from datetime import date\nw = get_weather(city="Oslo")\nprint(w["temp"], date.today())\n'
    )
    previous = typecheck_module.remember_findings(False)
    try:
        for _ in range(2):
            assert typecheck_module.typecheck(program, tool_specs([v1])) == []
            found = typecheck_module.typecheck(program, tool_specs([v2]))
            assert [(d.code, d.severity) for d in found] == [("CV702", "error")]
    finally:
        typecheck_module.remember_findings(previous)


# --- the check sent ahead of the rules (typecheck.send_ahead) --------------------------------

TYPE_ERROR = 'x = 1.5\nprint(x["temp"])\n'  # CV702


def _counting_send_ahead(monkeypatch) -> list[object]:  # type: ignore[no-untyped-def]
    from codeact_verify import typecheck as typecheck_module

    sent: list[object] = []
    real = typecheck_module.send_ahead

    def send_ahead(*args, **kwargs):  # type: ignore[no-untyped-def]
        ahead = real(*args, **kwargs)
        sent.append(ahead)
        return ahead

    monkeypatch.setattr(typecheck_module, "send_ahead", send_ahead)
    monkeypatch.setattr(typecheck_module, "_remember", False)
    return sent


def test_a_program_the_rules_reject_leaves_no_answer_behind(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The rules reject it (no type check wanted): the answer sent ahead is read and dropped,
    so the next program gets its own findings, not the previous program's."""
    from codeact_verify.rules import REGISTRY
    from codeact_verify.toolcheck import example_specs
    from codeact_verify.verifier import verify

    specs = example_specs()
    sent = _counting_send_ahead(monkeypatch)
    rejected = [
        code
        for rule in REGISTRY.values()
        if rule.code[:3] in ("CV0", "CV1") and not rule.TYPES
        for code in rule.INVALID
        if "import" not in code
    ][:8]
    assert len(rejected) == 8
    for program in rejected:
        report = verify(program, specs)
        assert not report.ok and not any(d.code.startswith("CV7") for d in report.diagnostics)
        typed = verify(TYPE_ERROR, specs)
        assert [d.code for d in typed.errors] == ["CV702"]
        assert verify('print("fine")\n', specs).ok
    assert sum(a is not None for a in sent) >= 3 * 8


def test_the_worker_dying_after_the_check_was_sent_rejects_the_program(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from codeact_verify import typecheck as typecheck_module
    from codeact_verify.toolcheck import example_specs
    from codeact_verify.verifier import verify

    specs = example_specs()
    assert verify('print("warm")\n', specs).ok
    real = typecheck_module.send_ahead
    killed: list[int] = []

    def send_then_kill(*args, **kwargs):  # type: ignore[no-untyped-def]
        ahead = real(*args, **kwargs)
        assert ahead is not None
        ahead.worker.proc.kill()
        killed.append(1)
        return ahead

    monkeypatch.setattr(typecheck_module, "send_ahead", send_then_kill)
    monkeypatch.setattr(typecheck_module, "_remember", False)
    report = verify('print("fine")\n', specs)
    assert killed and not report.ok
    assert [d.code for d in report.errors] == ["CV799"]  # fail closed
    monkeypatch.setattr(typecheck_module, "send_ahead", real)
    assert verify('print("fine")\n', specs).ok  # a new worker checks the next one
    assert [d.code for d in verify(TYPE_ERROR, specs).errors] == ["CV702"]


def test_a_failure_in_the_rules_lets_other_checks_run(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    from codeact_verify import typecheck as typecheck_module
    from codeact_verify import verifier
    from codeact_verify.toolcheck import example_specs

    specs = example_specs()
    sent = _counting_send_ahead(monkeypatch)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in a check")

    monkeypatch.setattr(verifier, "check_tool_calls", broken)
    report = verifier.verify('print("fine")\n', specs)
    assert [d.code for d in report.errors] == ["CV999"] and sent and sent[0] is not None
    found: list[object] = []
    other = threading.Thread(
        target=lambda: found.append(typecheck_module.typecheck(TYPE_ERROR, specs)), daemon=True
    )
    other.start()
    other.join(60)  # the lock was released: another thread's check is not stuck behind it
    assert not other.is_alive() and [d.code for d in found[0]] == ["CV702"]  # type: ignore[union-attr]

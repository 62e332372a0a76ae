"""The mypy worker's module search kept between checks (mypy_worker.FixedSearch) changes no
verdict: every program the project has gets the byte-identical report with it and without it
(``CODEACT_VERIFY_MYPY_REUSE=off``: plain mypy, everything searched afresh on every check).
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


def test_every_program_gets_the_same_report_with_the_search_kept_and_without(
    tmp_path: Path,
) -> None:
    jobs = _jobs()
    assert sum(len(programs) for _, programs in jobs) > 300
    # the reuse is on by default for this mypy (else this test compares plain with plain)
    assert mypy_worker.FixedSearch.make() is not None
    plain = _reports(tmp_path, "plain", jobs)
    kept = _reports(tmp_path, "kept", jobs)
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


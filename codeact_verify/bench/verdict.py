"""The verdict, measured: `python -m codeact_verify.bench.verdict [--no-dos] [--dos-only]`.

Also `codeact-verify bench --verdict-only`. Needs a source checkout (the corpus lives in tests/).

Corpus: ``tests/corpus/verdict`` (tools annotated loosely: ``dict``, ``dict[str, Any]``,
``dict[str, float | str]``, ``list[dict]``, ``X | None``, a pydantic model, TypedDicts, a str
Enum, Literals).
``accept/`` holds natural programs that run correctly (tests/test_corpus_verdict.py runs each in
CPython and in the sandbox and compares the output); ``reject/`` holds definite misuses, each
naming the code it must get on its first line (``# expect: CV607 ...``).

Prints, for the verdict rule (the default) and, as the baseline in the same run, mypy's default
strictness (every mypy error rejects: a grammar with ``[types] strict = true``):

- false-rejection rate: accepted programs the verifier rejects;
- catch rate: misuses rejected with the expected code as an error, and with a hint (the fix).

Then the checker's denial-of-service cases (issue 10 item 5): seconds to a verdict through the
whole verifier, and through the type check alone (no CV004 guard in front: the worker's budget is
what stops it), plus this process's peak RSS (the host must stay unharmed). Run it under
``ulimit -v 4194304`` to see the 4 GiB case. Nothing is asserted: numbers only.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from codeact_verify.grammar import load_grammar
from codeact_verify.tools import ToolSpec, load_tools_file, tool_specs
from codeact_verify.typecheck import typecheck
from codeact_verify.verifier import verify

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus" / "verdict"
EXPECT = re.compile(r"^# expect: (CV\d{3})")

DOS: dict[str, str] = {
    "28 doublings of a Final str": "from typing import Final\na0: Final = 'aaaaaaaa'\n"
    + "".join(f"a{i + 1}: Final = a{i} + a{i}\n" for i in range(28)),
    "if True: N: Final = 40; M: Final = 2 ** 2 ** N": "from typing import Final\nif True:\n"
    "    N: Final = 40\n    M: Final = 2 ** 2 ** N\n",
    "BIG: Final = 10 ** 400 / 3 (mypy raises)": "from typing import Final\n"
    "BIG: Final = 10 ** 400 / 3\n",
    "x: Final = 'a' * 10 ** 9 (1 GB fold)": "from typing import Final\nx: Final = 'a' * 10 ** 9\n",
}


def _specs() -> dict[str, ToolSpec]:
    return tool_specs(load_tools_file(CORPUS / "tools.py"))


def corpus(strict: bool, specs: dict[str, ToolSpec]) -> dict[str, Any]:
    grammar = replace(load_grammar("default"), strict_types=strict)
    accept = sorted((CORPUS / "accept").glob("*.py"))
    reject = sorted((CORPUS / "reject").glob("*.py"))
    false_rejections: list[str] = []
    for path in accept:
        if not verify(path.read_text(encoding="utf-8"), specs, grammar=grammar).ok:
            false_rejections.append(path.stem)
    caught, with_hint, missed = 0, 0, []
    for path in reject:
        code = path.read_text(encoding="utf-8")
        match = EXPECT.match(code)
        want = match.group(1) if match else "?"
        report = verify(code, specs, grammar=grammar)
        hits = [d for d in report.diagnostics if d.code == want and d.severity == "error"]
        if not report.ok and hits:
            caught += 1
            with_hint += bool(hits[0].hint)
        else:
            missed.append(path.stem)
    return {
        "accept": len(accept),
        "false_rejections": false_rejections,
        "reject": len(reject),
        "caught": caught,
        "with_hint": with_hint,
        "missed": missed,
    }


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "0/0"


def print_corpus() -> None:
    specs = _specs()
    verify("print(1)\n", specs)  # warm
    print(f"corpus: {CORPUS.relative_to(ROOT)}")
    print(f"{'rule':34} {'false rejections':>18} {'caught':>14} {'caught w/ hint':>15}")
    for label, strict in (("verdict rule (default)", False), ("mypy default strictness", True)):
        r = corpus(strict, specs)
        print(
            f"{label:34} {_pct(len(r['false_rejections']), r['accept']):>18} "
            f"{_pct(r['caught'], r['reject']):>14} {_pct(r['with_hint'], r['reject']):>15}"
        )
        if r["false_rejections"]:
            print(f"  rejected: {', '.join(r['false_rejections'])}")
        if r["missed"]:
            print(f"  missed: {', '.join(r['missed'])}")


def print_latency(repeats: int = 5) -> None:
    """Median verify time of the accepted programs: clean ones need one mypy run, programs
    with a data-dependent finding two (strict, then lenient)."""
    specs = _specs()
    groups: dict[str, list[float]] = {"clean": [], "with warnings": []}
    for path in sorted((CORPUS / "accept").glob("*.py")):
        code = path.read_text(encoding="utf-8")
        report = verify(code, specs)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            verify(code, specs)
            times.append((time.perf_counter() - start) * 1000)
        groups["with warnings" if report.diagnostics else "clean"].append(statistics.median(times))
    for label, values in groups.items():
        if values:
            print(
                f"verify + types, accepted programs {label:13}: {len(values):2} programs, "
                f"median {statistics.median(values):.1f} ms"
            )


def print_dos() -> None:
    specs = _specs()
    typecheck("x = 1\n", specs)  # start the worker outside the timings
    print(f"{'denial-of-service case':48} {'verify':>16} {'typecheck alone':>24}")
    for label, program in DOS.items():
        start = time.perf_counter()
        report = verify(program, specs)
        v_s = time.perf_counter() - start
        codes = ",".join(sorted({d.code for d in report.diagnostics if d.severity == "error"}))
        start = time.perf_counter()
        found = typecheck(program, specs)
        t_s = time.perf_counter() - start
        t_codes = ",".join(sorted({d.code for d in found if d.severity == "error"})) or "ok"
        verdict = "rejected" if not report.ok else "ACCEPTED"
        why = next((d.message for d in found if d.code == "CV799"), "")
        why = why.split("not the program: ", 1)[-1][:60]
        print(f"{label:48} {verdict} {codes:6} {v_s:5.2f}s {t_codes:>8} {t_s:6.2f}s  {why}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    shown = "unlimited" if limit == resource.RLIM_INFINITY else f"{limit / (1 << 30):.1f} GiB"
    print(f"host peak RSS {peak:.0f} MiB; address-space limit of this process: {shown}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-dos", action="store_true", help="skip the denial-of-service cases")
    parser.add_argument("--dos-only", action="store_true", help="only the denial-of-service cases")
    args = parser.parse_args(argv)
    from codeact_verify.typecheck import remember_findings

    remember_findings(False)  # every timed verify runs mypy (no remembered findings)
    if not CORPUS.is_dir():
        print(f"the verdict corpus is not here ({CORPUS}): run from a source checkout")
        return 2
    if not args.dos_only:
        print_corpus()
        print_latency()
    if not args.no_dos:
        print_dos()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

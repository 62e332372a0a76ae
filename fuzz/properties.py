"""The properties a campaign checks, each a plain check plus a Hypothesis test around it.

1. ``total``     verify is total and bounded: any text or bytes gives a report within a bound.
2. ``contained`` anything accepted cannot escape: accepted programs (generated inside the grammar,
                 and mutated published escapes) run in the sandbox under the escape oracle.
3. ``meaning``   the transpiler keeps meaning: for accepted programs without tool side effects,
                 sandbox stdout equals plain CPython stdout of the original (reference call_tool).
4. ``stable``    rejection is stable under harmless change: a rejected escape stays rejected under
                 meaning-preserving mutations; an accepted program stays accepted when renamed or
                 reformatted.
5. ``outside``   everything just outside the grammar (one construct, builtin, import, module
                 attribute, dunder) is rejected.

``canary`` is not a property of the verifier but a self-test of the campaign machinery (not run
by default): it is falsified by a planted condition (an accepted ``x = N`` with N >= 1000), so a
fleet can check that a failure found by one runner reaches the shared example database and is
replayed by another (``codeact-verify fuzz --property canary``, then ``--replay``).

A check returns a ``Finding`` or None. ``hypothesis_test(name, ...)`` wraps a check into a test
that raises ``FindingError``; Hypothesis then shrinks the input and the last finding recorded
(``LAST_FINDING``) is the shrunk one.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase

from . import tools as fuzz_tools
from .adversarial import adversarial_inputs
from .findings import Finding
from .grammar_view import load_view
from .mutations import HARMLESS_MUTATIONS, escape_mutants, mutate
from .programs import inside_programs, outside_programs

PROPERTIES = ("total", "contained", "meaning", "stable", "outside")
SANDBOX_PROPERTIES = ("contained", "meaning")
SELF_TEST_PROPERTIES = ("canary",)
#: The smallest planted value the canary property falls over (what shrinking must reach).
CANARY_THRESHOLD = 1000


class FindingError(AssertionError):
    """Raised inside a Hypothesis test when a check finds something."""


@dataclass
class Context:
    """Per-process state shared by the checks: tool specs, oracle, counters."""

    grammar: str = "default"
    bound_s: float = 10.0
    types: bool = True
    examples: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    current_input_file: str | None = None
    _specs: Any = None
    _oracle: Any = None
    _policy: Any = None
    #: accepts() takes the cheap exact path (rules first, mypy only when they accept, verdicts
    #: remembered); False: every verdict is a full verify (the A/B baseline of bench/fuzz.py).
    fast_verdicts: bool = True
    _verdicts: dict[str, bool] = field(default_factory=dict)
    _programs: int = 0
    _thread: concurrent.futures.ThreadPoolExecutor | None = None

    @property
    def specs(self) -> Any:
        if self._specs is None:
            from codeact_verify.tools import tool_specs

            self._specs = tool_specs(list(fuzz_tools.TOOLS))
        return self._specs

    @property
    def view(self) -> Any:
        return load_view(self.grammar)

    @property
    def policy(self) -> dict[str, Any]:
        if self._policy is None:
            from codeact_verify.grammar import load_grammar

            self._policy = load_grammar(self.grammar).runtime_policy()
        return self._policy

    @property
    def oracle(self) -> Any:
        if self._oracle is None:
            from .oracle import EscapeOracle

            self._oracle = EscapeOracle()
        return self._oracle

    def warm_up(self) -> None:
        """Start the type checker before the first example. Its cold start (the mypy worker and
        the standard library: seconds, more on a busy machine) would otherwise land inside the
        first timed ``verify`` and can push it over ``bound_s``: a "slow" finding that does not
        repeat, which Hypothesis reports as flaky."""
        if self.types:
            from codeact_verify import typecheck

            typecheck.warm_up(self.specs)

    def verify(self, code: str | bytes) -> Any:
        from codeact_verify.verifier import verify

        report = verify(code, self.specs, grammar=self.grammar, types=self.types)
        for d in report.diagnostics:
            self.rules[d.rule] += 1
        return report

    def run_if_accepted(self, code: str, *, rules_first: bool = True) -> Any:
        """The oracle's run (`OracleRun`) of ``code`` when the verifier accepts it, else None:
        the same verdict as `accepts` (``rules_first=True``) or as `verify` (False: every rule
        counted, as `meaning` does), and the same run as transpiling and running it after the
        verdict, the way `executor.execute` runs an accepted program.

        With the type check on, the run is started while mypy checks the program in its own
        process (`typecheck.while_checking`), once every other check has passed: the program
        is transpiled there (the verifier's own tree taken, as `execute` does) and the oracle
        runs it on a thread of the Context's own, so the type check keeps its time budget
        whatever the run takes. The run always ends before this returns; a program mypy then
        rejects has its run thrown away unread (its canary events included). What the
        transpiler raises is raised here, for an accepted program, as before.

        Runs alternate between the two routes a real run takes (`_program`): the tree handed
        over to the host's restricted transform, and the text parsed again (a host without
        `host_restrict`, a report without its tree)."""
        started: list[concurrent.futures.Future[Any]] = []
        failed: list[Exception] = []

        def meanwhile(checked: Any, so_far: tuple[Any, ...]) -> None:
            if any(d.severity == "error" for d in so_far):
                return
            if not (checked.serves(code, self.specs) and checked.index is not None):
                return
            try:
                program = self._program(code, checked)
            except Exception as exc:  # raised below if the program is accepted
                failed.append(exc)
                return
            started.append(self._runner().submit(self._run, program))

        ok, report = self._verdict(code, rules_first=rules_first, meanwhile=meanwhile)
        # (one thread runs every oracle run, one at a time: even a run left behind by an
        # interrupt ends before the next one starts, so each run's canary check is its own)
        run = started[0].result() if started else None
        if not ok:
            return None
        if failed:
            raise failed[0]
        if run is not None:
            return run
        # a remembered verdict (no report) or no type check: transpiled and run after it
        program = report.program if report is not None else None
        return self._run_now(self._program(code, program))

    def _program(self, code: str, checked: Any) -> str:
        """``code`` transpiled for the oracle's run as `executor.execute` transpiles it: every
        other program from the verifier's tree (``checked``), handed over to the host's
        restricted transform, the others from the text, parsed again."""
        from codeact_verify.executor import transpile_to_run

        self._programs += 1
        tree = checked if self._programs % 2 else None
        return transpile_to_run(code, self.specs, tree, self.oracle.sandbox)

    def _run(self, program: str) -> Any:
        return self.oracle.run(program, self.specs, self.policy)

    def _run_now(self, program: str) -> Any:
        """The oracle's run of ``program``, on the same one thread as the runs started during a
        check: one run at a time, even after an interrupt left one behind."""
        return self._runner().submit(self._run, program).result()

    def _runner(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._thread is None:
            self._thread = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="codeact-fuzz-oracle"
            )
        return self._thread

    def _remember(self, code: str, ok: bool) -> None:
        if len(self._verdicts) >= 4096:
            self._verdicts.clear()
        self._verdicts[code] = ok

    def accepts(self, code: str) -> bool:
        """`verify(code).ok`, computed as cheaply as exactly possible, for checks that need only
        the verdict: the grammar and tool rules run first (about 1 ms) and only a program they
        accept pays for the type check (mypy adds diagnostics, never removes one, so a program
        rejected without types is rejected with them). Verdicts are remembered per program text
        (the tools, grammar and settings are fixed for a Context). The ``total`` property keeps
        calling ``verify`` itself: it checks the whole verifier, types included."""
        return self._verdict(code)[0]

    def _verdict(
        self, code: str, *, rules_first: bool = True, meanwhile: Any = None
    ) -> tuple[bool, Any]:
        """(ok, the full report, or None when the verdict came without one: remembered, or
        the rules alone rejected it). ``rules_first``: the cheap exact path of `accepts`
        (with ``fast_verdicts``); False: one full `verify`, every rule counted. ``meanwhile``:
        work for `typecheck.while_checking` during the full verify."""
        fast = rules_first and self.fast_verdicts
        if fast:
            known = self._verdicts.get(code)
            if known is not None:
                return known, None
            if self.types:
                from codeact_verify.verifier import verify

                if not verify(code, self.specs, grammar=self.grammar, types=False).ok:
                    self._remember(code, False)
                    return False, None
        if meanwhile is None:
            report = self.verify(code)
        else:
            from codeact_verify.typecheck import while_checking

            with while_checking(meanwhile):
                report = self.verify(code)
        if fast:
            self._remember(code, report.ok)
        return bool(report.ok), report

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
        if self._oracle is not None:
            self._oracle.close()
            self._oracle = None


CONTEXT = Context()
LAST_FINDING: dict[str, Finding] = {}


# -- checks -------------------------------------------------------------------------------------
def check_total(ctx: Context, data: str | bytes) -> Finding | None:
    ctx.examples["total"] += 1
    if ctx.current_input_file:
        with open(ctx.current_input_file, "wb") as fh:  # read by the parent if this hangs
            fh.write(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    started = time.perf_counter()
    try:
        report = ctx.verify(data)
    except Exception as exc:
        return Finding("total", "raised", f"verify raised {type(exc).__name__}: {exc}", data)
    elapsed = time.perf_counter() - started
    from codeact_verify.diagnostics import Report

    if not isinstance(report, Report):
        return Finding("total", "not-a-report", f"verify returned {type(report).__name__}", data)
    if elapsed > ctx.bound_s:
        return Finding(
            "total", "slow", f"verify took {elapsed:.2f} s (bound {ctx.bound_s} s)", data
        )
    if not report.ok and not report.diagnostics:
        return Finding("total", "silent-rejection", "rejected without any diagnostic", data)
    return None


def check_contained(ctx: Context, code: str, origin: str = "") -> Finding | None:
    ctx.examples["contained"] += 1
    run = ctx.run_if_accepted(code)
    if run is None:
        return None
    if run.events:
        return Finding("contained", "escape", "; ".join(run.events), code, {"origin": origin})
    return None


def check_meaning(ctx: Context, code: str) -> Finding | None:
    ctx.examples["meaning"] += 1
    run = ctx.run_if_accepted(code, rules_first=False)
    if run is None:
        return None
    from .reference import run_reference

    tools = {f.__name__: f for f in fuzz_tools.TOOLS if f.__name__ in fuzz_tools.PURE_TOOLS}
    ref = run_reference(code, tools)
    if run.result is None:
        return Finding("meaning", "host-error", "; ".join(run.events), code)
    got = run.result
    if got.error is not None and got.error.kind in ("timeout", "memory", "output", "limit"):
        return None  # resource limits are not meaning
    if (got.ok, got.stdout) != (ref.ok, ref.stdout):
        detail = {
            "sandbox": {
                "ok": got.ok,
                "stdout": got.stdout,
                "error": got.error and got.error.to_dict(),
            },
            "cpython": {
                "ok": ref.ok,
                "stdout": ref.stdout,
                "error": ref.error_type,
                "message": ref.error_message,
            },
        }
        why = got.error.message if got.error is not None else "different stdout"
        why = re.sub(r"\b[Ll]ine \d+", "line N", why)
        return Finding(
            "meaning", "output-differs", f"sandbox and CPython disagree: {why}", code, detail
        )
    return None


def check_stable_escape(
    ctx: Context, seed_code: str, mutant: str, mutations: tuple[str, ...], seed: str
) -> Finding | None:
    ctx.examples["stable"] += 1
    if ctx.accepts(seed_code):
        return None  # the seed itself is accepted: test_corpus reports that
    if ctx.accepts(mutant):
        return Finding(
            "stable",
            "escape-variant-accepted",
            f"{seed} rejected, but accepted after {', '.join(mutations)}",
            mutant,
            {"seed": seed, "mutations": list(mutations)},
        )
    return None


def check_stable_accepted(
    ctx: Context, code: str, rng_seed: int, names: list[str]
) -> Finding | None:
    ctx.examples["stable"] += 1
    if not ctx.accepts(code):
        return None
    mutant, applied = mutate(code, names, random.Random(rng_seed), HARMLESS_MUTATIONS)
    if not applied:
        return None
    after = ctx.verify(mutant)
    if not after.ok:
        codes = sorted({d.code for d in after.diagnostics})
        return Finding(
            "stable",
            "harmless-change-rejected",
            f"accepted program rejected after {', '.join(applied)}: {codes}",
            mutant,
            {"original": code, "mutations": applied},
        )
    return None


def check_outside(ctx: Context, code: str, what: str) -> Finding | None:
    ctx.examples["outside"] += 1
    if ctx.accepts(code):
        return Finding(
            "outside",
            "accepted-outside-grammar",
            f"accepted a program with {what}",
            code,
            {"what": what},
        )
    return None


def check_canary(ctx: Context, n: int) -> Finding | None:
    """The planted self-test: an accepted ``x = N`` with N >= CANARY_THRESHOLD is a 'finding'."""
    ctx.examples["canary"] += 1
    code = f"x = {n}\nprint(x)\n"
    if n >= CANARY_THRESHOLD and ctx.accepts(code):
        return Finding(
            "canary",
            "planted",
            f"x = {n} accepted (planted self-test failure, threshold {CANARY_THRESHOLD})",
            code,
        )
    return None


# -- Hypothesis tests ---------------------------------------------------------------------------
def _raise(finding: Finding | None) -> None:
    if finding is not None:
        LAST_FINDING[finding.property] = finding
        raise FindingError(f"{finding.kind}: {finding.detail}")


#: Built strategies per (property, grammar): building one is per-process setup, not per batch
#: (hypothesmith's ``from_grammar`` alone compiles a LALR parser for Python: seconds).
_STRATEGIES: dict[tuple[str, str], st.SearchStrategy[Any]] = {}


def strategies(name: str, ctx: Context) -> st.SearchStrategy[Any]:
    """The inputs of property ``name`` under ``ctx``'s grammar (built once per process)."""
    key = (name, ctx.grammar)
    built = _STRATEGIES.get(key)
    if built is None:
        built = _STRATEGIES[key] = _build_strategies(name, ctx)
    return built


def _build_strategies(name: str, ctx: Context) -> st.SearchStrategy[Any]:
    view = ctx.view
    pure = fuzz_tools.PURE_TOOLS
    if name == "total":
        return st.one_of(
            adversarial_inputs(),
            inside_programs(view, pure + fuzz_tools.EFFECT_TOOLS),
            outside_programs(view, pure).map(lambda o: o.code),
            escape_mutants().map(lambda m: m.code),
        )
    if name == "contained":
        return st.one_of(
            inside_programs(view, pure + fuzz_tools.EFFECT_TOOLS).map(lambda c: (c, "grammar")),
            escape_mutants().map(lambda m: (m.code, f"{m.seed} + {','.join(m.mutations)}")),
        )
    if name == "meaning":
        return inside_programs(view, pure)
    if name == "stable":
        return st.one_of(
            escape_mutants().map(lambda m: ("escape", m)),
            st.tuples(
                inside_programs(view, pure),
                st.integers(0, 2**32 - 1),
                st.lists(st.sampled_from(sorted(HARMLESS_MUTATIONS)), min_size=1, max_size=2),
            ).map(lambda t: ("accepted", t)),
        )
    if name == "outside":
        return outside_programs(view, pure)
    if name == "canary":
        return st.integers(0, 10**6)
    raise KeyError(name)


def run_check(name: str, ctx: Context, example: Any) -> Finding | None:
    if name == "total":
        return check_total(ctx, example)
    if name == "contained":
        code, origin = example
        return check_contained(ctx, code, origin)
    if name == "meaning":
        return check_meaning(ctx, example)
    if name == "stable":
        kind, value = example
        if kind == "escape":
            from .mutations import escape_seeds

            seed = next(s for s in escape_seeds() if s.name == value.seed)
            assert seed.text is not None
            return check_stable_escape(ctx, seed.text, value.code, value.mutations, value.seed)
        code, rng_seed, names = value
        return check_stable_accepted(ctx, code, rng_seed, names)
    if name == "outside":
        return check_outside(ctx, example.code, example.what)
    if name == "canary":
        return check_canary(ctx, example)
    raise KeyError(name)


def hypothesis_test(
    name: str,
    ctx: Context | None = None,
    *,
    max_examples: int = 50,
    database: ExampleDatabase | None = None,
    replay: bool = False,
    seed: int | None = None,
) -> Callable[[], None]:
    """A zero-argument Hypothesis test for one property (pytest or HypoFuzz can drive it).

    ``replay=True`` only replays what the example database holds for this property (no new
    examples): how one runner re-checks the failures another runner found. ``seed`` fixes the
    generation (the database stays on).
    """
    ctx = ctx or CONTEXT
    phases = (
        [Phase.explicit, Phase.reuse]
        if replay
        else [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]
    )

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=database,
        suppress_health_check=list(HealthCheck),
        phases=phases,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(example=strategies(name, ctx))
    def test(example: Any) -> None:
        _raise(run_check(name, ctx, example))

    test.__name__ = f"test_fuzz_{name}"
    # One database key per property and grammar: the test body is the same function for every
    # property, so Hypothesis' default key (a digest of its source) would mix their examples.
    # Independent of the code's source, so runners on different checkouts share a key.
    key = hashlib.sha384(f"codeact-verify fuzz/{name}/{ctx.grammar}".encode()).digest()
    test._hypothesis_internal_database_key = key  # type: ignore[attr-defined]
    if seed is not None:
        # Hypothesis' own @seed also switches the example database off, so nothing a seeded
        # campaign found would be saved or shared: set the seed alone.
        test._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    return test


def recheck(finding: Finding, ctx: Context | None = None) -> Finding | None:
    """Re-run the property on a saved finding's input (None: the bug is gone)."""
    ctx = ctx or CONTEXT
    value = finding.input
    if finding.property == "total":
        return check_total(ctx, value)
    text = value.decode("utf-8", "surrogatepass") if isinstance(value, bytes) else value
    if finding.property == "contained":
        return check_contained(ctx, text, str(finding.extra.get("origin", "")))
    if finding.property == "meaning":
        return check_meaning(ctx, text)
    if finding.property == "outside":
        return check_outside(ctx, text, str(finding.extra.get("what", "")))
    if finding.property == "canary":
        match = re.match(r"x = (\d+)", text)
        return check_canary(ctx, int(match.group(1))) if match else None
    if finding.property == "stable":
        ok = ctx.verify(text).ok
        if finding.kind == "escape-variant-accepted" and ok:
            return finding
        if finding.kind == "harmless-change-rejected" and not ok:
            original = str(finding.extra.get("original", ""))
            return finding if ctx.verify(original).ok else None
        return None
    raise KeyError(finding.property)

# ruff: noqa
# Finding red8/26 (MEDIUM, checker availability; NOT fixed). See 26_worker_memory_grows_with_every_name.md.
#
# The warm mypy worker keeps one fine-grained build for its whole life. mypy's fine-grained
# manager only ever ADDS to its dependency map (FineGrainedBuildManager.deps, update_deps()):
# every name a checked program binds leaves an entry ("<cv_program.v3_17>" -> {...}) that is
# never removed when the next program replaces the module. So the worker's memory grows by
# about 1 MB per checked program that binds ~2900 fresh names (any program the grammar accepts:
# `v0_0=v0_1=...=v0_2899 = 0`), linearly and for ever; it is only given back when a check fails
# and the worker is replaced. Near the worker's RLIMIT_AS (3 GiB) whichever program is checked
# next gets MemoryError: CV799, a fail-closed rejection of a program that may be correct and
# may belong to another caller (serve / CodeAct share one worker per process).
#
#   $ export CODEACT_VERIFY_DAEMON=off
#   $ python docs/redteam/26_worker_memory_grows_with_every_name.py            # growth
#   $ python docs/redteam/26_worker_memory_grows_with_every_name.py victim     # CV799 (slow)
#   $ python docs/redteam/26_worker_memory_grows_with_every_name.py toolsets   # tool sets
#
# measured (main 556e1f7 + my ee4320f, 2 busy cores), growth mode, 300 checks of 2900 names:
#   start VmSize 74 MB; 50: 158; 100: 205; 150: 253; 200: 292; 250: 352; 300: 397 MB
#   (5.4 s per 50 checks at first, 8.8 s per 50 at the end)
# victim mode (budget 130 MB so it finishes in minutes; 40 fresh names a check): the victim,
# all of tests/corpus/accept in one program, fresh: CV701 CV701 CV709; after 1510 small checks
# of the attacker: "CV799 the type checker failed, not the program: the type checker went over
# its memory budget".
import sys
from pathlib import Path

from codeact_verify import typecheck
from codeact_verify.mypy_process import Budget
from codeact_verify.tools import load_tools_file, tool_specs
from codeact_verify.verifier import verify

ROOT = Path(__file__).resolve().parents[2]
typecheck.remember_findings(False)  # every check reaches mypy (as distinct programs do anyway)


def fresh(check: int, count: int) -> str:
    return "=".join(f"v{check}_{i}" for i in range(count)) + f" = 0\nprint(v{check}_0)\n"


def vmsize_mb() -> int:
    w = typecheck._worker
    assert w is not None and w.proc is not None
    status = Path(f"/proc/{w.proc.pid}/status").read_text()
    return int(status.split("VmSize:")[1].split()[0]) // 1024


if sys.argv[1:] == ["victim"]:
    specs = tool_specs(load_tools_file(ROOT / "tests/corpus/tools.py"))
    victim = "".join(p.read_text() for p in sorted((ROOT / "tests/corpus/accept").glob("*.py")))
    budget = Budget(memory_bytes=130 << 20)
    base = typecheck.typecheck(victim, specs, budget=budget)
    print("victim on a fresh worker:", [d.code for d in base])
    for c in range(100_000):
        mine = typecheck.typecheck(fresh(c, 40), {}, budget=budget)
        if mine:
            print("the attacker's own check failed first at", c, mine[0].message)
            break
        if c % 5 == 4:
            found = typecheck.typecheck(victim, specs, budget=budget)
            if found != base:
                print(f"after {c + 1} checks of other programs the victim gets:",
                      [(d.code, d.message) for d in found])
                break
elif sys.argv[1:] == ["toolsets"]:
    # 200 tool sets of 30 tools, differing in one parameter name (measured: 74 -> 192 MB)

    def tool_set(k: int) -> dict:
        fns = []
        for j in range(30):
            ns: dict = {}
            exec(
                f"def t{j}(city: str, n{k}: int = 0) -> dict[str, float]:\n"
                f"    'Tool {j} v{k}.'\n    return {{}}\n",
                ns,
            )
            fns.append(ns[f"t{j}"])
        return tool_specs(fns)

    assert verify("print(1)\n").ok
    print("start VmSize", vmsize_mb(), "MB")
    for k in range(200):
        assert verify('print(t0(city="a")["x"] + 1)\n', tool_set(k)).ok
        if k % 50 == 49:
            print(k + 1, "tool sets: VmSize", vmsize_mb(), "MB")
else:
    assert verify("print(1)\n").ok
    print("start VmSize", vmsize_mb(), "MB")
    for c in range(300):
        assert verify(fresh(c, 2900)).ok
        if c % 50 == 49:
            print(c + 1, "checks: VmSize", vmsize_mb(), "MB")

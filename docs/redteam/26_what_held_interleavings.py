# ruff: noqa
# red8, what held (see 26_worker_memory_grows_with_every_name.md): 6 threads verify two programs
# against two tool sets that share a tool name (each pair has its own expected report) while a
# thread SIGKILLs the mypy worker 6 times and another sends a program over the time budget.
# Measured: checks 360, wrong (not CV799) 0, CV799 from kills 3; the slow program CV799 twice.
#   CODEACT_VERIFY_DAEMON=off .venv/bin/python docs/redteam/26_what_held_interleavings.py
import os, random, signal, threading, time
from codeact_verify import verify, typecheck
from codeact_verify.tools import tool_specs
typecheck.remember_findings(False)
def a(city: str) -> float:
    """T."""
    return 1.0
def b(city: str) -> dict:
    """W."""
    return {}
a.__name__ = b.__name__ = "get_weather"
S1, S2 = tool_specs([a]), tool_specs([b])
P = 'w = get_weather(city="x")\nprint(w["temp"])\n'
Q = 'w = get_weather(city="x")\nprint(w + 1.5)\n'
SLOW = "x = [1, 2, 3]\ny = max(map(abs, (max(map(abs, (x for v1 in x))) for v2 in x)))\nprint(y)\n"
def sig(r): return tuple((d.code, d.severity, d.line) for d in r.diagnostics)
expect = {}
for name, prog in (("P", P), ("Q", Q)):
    for sn, s in (("S1", S1), ("S2", S2)):
        expect[(name, sn)] = sig(verify(prog, s))
print(expect)
bad = []; n = [0]; cv799 = [0]
def worker(seed):
    rnd = random.Random(seed)
    for _ in range(60):
        name = rnd.choice("PQ"); sn = rnd.choice(["S1", "S2"])
        r = verify({"P": P, "Q": Q}[name], {"S1": S1, "S2": S2}[sn])
        got = sig(r); n[0] += 1
        if got != expect[(name, sn)]:
            if any(c == "CV799" for c, _, _ in got): cv799[0] += 1
            else: bad.append((name, sn, got))
def killer():
    for _ in range(6):
        time.sleep(random.uniform(0.3, 1.5))
        w = typecheck._worker
        if w is not None and w.proc is not None:
            try: os.kill(w.proc.pid, signal.SIGKILL)
            except ProcessLookupError: pass
def slow():
    for _ in range(2):
        print("slow", [d.code for d in verify(SLOW).diagnostics], flush=True)
ts = [threading.Thread(target=worker, args=(i,)) for i in range(6)] + [threading.Thread(target=killer), threading.Thread(target=slow)]
for t in ts: t.start()
for t in ts: t.join()
print("checks", n[0], "wrong (not CV799)", len(bad), bad[:3], "CV799 from kills", cv799[0])

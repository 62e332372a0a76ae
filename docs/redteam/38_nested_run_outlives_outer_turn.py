# ruff: noqa
"""red10/38: a run started by a tool of the same sandbox's run skips the output lock
(CALLING_RUN: "it runs inside the outer run's turn"), but nothing ties its life to that turn.
The outer run times out while its tool (and so the nested run) still runs; the outer caller
gets its answer and the turn is released; the nested run goes on with a full time limit of
its own and writes /output files while the next run holds the turn: the next run reports
them as its artifacts (red9/31 again), and the outer run, whose program made them, never does."""
import time
from codeact_verify.host import Sandbox, Limits

sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), output_dir="/tmp/red10_38_out")

def slow(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"

def delegate(code: str) -> str:
    """Runs a sub-program in the same sandbox (e.g. an agent-as-tool)."""
    r = sb.run_sync(code, [slow])
    print(f"  nested run ended at {time.monotonic()-t0:.2f}s: ok={r.ok}")
    return repr(r.ok)

t0 = time.monotonic()
a = sb.run_sync("slow(s=0.5)\nprint(delegate(code=\"slow(s=0.9)\\nwrite_text('/output/from_a.txt', 'A')\\n\"))\n", [delegate, slow])
print(f"A answered at {time.monotonic()-t0:.2f}s: ok={a.ok} kind={a.error and a.error.kind} artifacts={[x.path for x in a.artifacts]}")
c = sb.run_sync("print(slow(s=0.8))\n", [slow])
print(f"C answered at {time.monotonic()-t0:.2f}s: ok={c.ok} artifacts={[x.path for x in c.artifacts]}")
sb.close()

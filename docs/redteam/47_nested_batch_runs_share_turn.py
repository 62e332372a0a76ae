# ruff: noqa
"""red11/47: a nested run joins the outer run's turn instead of taking the directory's lock.
Two nested runs started at once by one outer run (a call_tools batch of a sync tool, or an
async tool that gathers two runs) both join the same turn and run at the same time on one
output directory: each reports the other's files as its artifacts (red9/31 again, inside a turn)."""
import shutil, time
from codeact_verify.host import Sandbox, Limits

OUT = "/tmp/red11_47_out"
shutil.rmtree(OUT, ignore_errors=True)
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=5.0), output_dir=OUT)
results = {}

def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"

def delegate(name: str) -> str:
    """Runs a sub-program in the same sandbox (an agent-as-tool) that writes one file."""
    r = sb.run_sync(f"pause(s=0.3)\nwrite_text('/output/{name}.txt', '{name}')\npause(s=0.3)\n", [pause])
    results[name] = sorted(a.path for a in r.artifacts)
    return repr(r.ok)

outer = sb.run_sync(
    "print(call_tools([('delegate', {'name': 'x'}), ('delegate', {'name': 'y'})]))\n",
    [delegate, pause],
)
print("outer ok:", outer.ok, outer.error, sorted(a.path for a in outer.artifacts))
print("nested x artifacts:", results.get("x"))
print("nested y artifacts:", results.get("y"))
sb.close()

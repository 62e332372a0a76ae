# ruff: noqa
import tempfile, time, os
from pathlib import Path
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.tools import tool_specs

def slow(x: int) -> int:
    """Returns a little after the run's time limit (and the caller's 0.25 s grace)."""
    time.sleep(0.5 + 0.32)
    return x

out = Path(tempfile.mkdtemp())
with Sandbox(pool_size=1, limits=Limits(timeout_s=0.5), output_dir=out) as sb:
    r1 = sb.run_sync("v = slow(x=1)\nwrite_text('/output/leak.txt', 'from run 1')\nprint(v)\n", tool_specs([slow]))
    t = time.time()
    print("run1", r1.error.kind if r1.error else None, r1.error.line if r1.error else None, [(c.name, c.ok) for c in r1.tool_calls], [a.path for a in r1.artifacts], r1.stdout)
    print("files right after run1:", os.listdir(out))
    sb.limits = Limits(timeout_s=5.0)
    r2 = sb.run_sync("n = 0\nwhile n < 500000:\n    n += 1\nprint('run2', n)\n")
    print("run2", round(time.time()-t,2), r2.ok, r2.error, r2.stdout, [a.path for a in r2.artifacts])
    print("files after run2:", os.listdir(out))

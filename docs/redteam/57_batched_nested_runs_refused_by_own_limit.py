"""red12/57: since red11/47 the nested runs of one outer turn run one at a time, but each
nested run's time limit still counts from when it was asked for (its wait included). A batch
of sub-agents (call_tools) whose runs each fit their own limit comfortably now fails: the
later ones spend their limit waiting for their siblings and are refused as 'not run', though
the outer run has plenty of time left."""

import tempfile
import time
from pathlib import Path

from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox

tmp = Path(tempfile.mkdtemp())
got = {}


def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"


with Sandbox(pool_size=0, limits=Limits(timeout_s=3), output_dir=tmp) as sb:

    def delegate(name: str) -> str:
        """Runs a sub-task (about 1 s)."""
        t = time.monotonic()
        r = sb.run_sync(f"pause(s=1.0)\nwrite_text('/output/{name}.txt', '{name}')\n", [pause])
        msg = r.error.message[:90] if r.error else None
        got[name] = (r.ok, msg, round(time.monotonic() - t, 2))
        return repr(r.ok)

    # the outer run may take 30 s; each sub-run needs ~1 s of its 3 s
    outer = Sandbox(pool_size=0, limits=Limits(timeout_s=30), output_dir=tmp)
    with outer:
        calls = ", ".join(f"('delegate', {{'name': 'n{i}'}})" for i in range(4))
        t0 = time.monotonic()
        r = outer.run_sync(f"print(call_tools([{calls}]))\n", [delegate])
        print("outer ok:", r.ok, r.stdout.strip(), round(time.monotonic() - t0, 2), "s")
for k in sorted(got):
    print(k, got[k])

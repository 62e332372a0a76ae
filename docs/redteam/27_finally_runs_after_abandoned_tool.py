# ruff: noqa
"""red9/27: after the caller gave up on a run whose sync tool blocked, the tool's late return
raises the sticky timeout in the guest -- but the program's `finally:` still runs and writes a
file into /output after the caller was told the run timed out (and that nothing ran after)."""
import os, tempfile, time
from pathlib import Path
from codeact_verify import CodeAct
from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.tools import tool_specs

def slow(x: int) -> int:
    """A network call: returns 0.37 s after the 0.5 s limit (inside the 0.25-0.5 s window
    between the caller giving up and the epoch backstop)."""
    time.sleep(0.5 + 0.37)
    return x

prog = (
    "try:\n"
    "    v = slow(x=1)\n"
    "finally:\n"
    "    write_text('/output/leak.txt', 'written after the caller had its timeout')\n"
)
print("verifier accepts it:", CodeAct(tools=[slow]).verify(prog).ok)
out = Path(tempfile.mkdtemp())
with Sandbox(pool_size=1, limits=Limits(timeout_s=0.5), output_dir=out) as sb:
    t = time.time()
    r = sb.run_sync(prog, tool_specs([slow]))
    print(f"run returned after {time.time() - t:.2f} s:", r.error.kind, "-", r.error.message)
    print("artifacts:", [a.path for a in r.artifacts], " files now:", os.listdir(out))
    time.sleep(0.6)
    print("files 0.6 s later:", os.listdir(out))

# ruff: noqa
"""red9/29: the sandbox's 8 tool threads (batches, inline sync calls) are held by batch calls
whose tool never returns; one program with 8 such calls starves every later batch on that
sandbox (a CodeAct's sandbox is shared by all its executions): fast tools that never started
are reported as "did not finish before the run's time limit", and each run waits its whole limit."""
import threading, time
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.tools import tool_specs

gate = threading.Event()

def fetch(url: str) -> str:
    """A network call that never returns (here: until the end of the script)."""
    gate.wait(60)
    return url

def get(city: str) -> str:
    """Fast."""
    return city.upper()

specs = tool_specs([fetch, get])
with Sandbox(pool_size=1, limits=Limits(timeout_s=2.0)) as sb:
    t = time.time()
    r1 = sb.run_sync("print(call_tools([('fetch', {'url': str(i)}) for i in range(8)]))\n", specs)
    print(f"run 1 ({time.time() - t:.2f} s):", r1.error)
    for i in range(2):
        t = time.time()
        r2 = sb.run_sync("print(call_tools([('get', {'city': 'a'}), ('get', {'city': 'b'})]))\n", specs)
        print(f"later run {i + 2} ({time.time() - t:.2f} s): ok={r2.ok}", r2.error,
              [(c.name, c.ok) for c in r2.tool_calls])
    gate.set()

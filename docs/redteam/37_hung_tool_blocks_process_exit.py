# ruff: noqa
"""red10/37: a sync tool that outlives its run is "left to finish in the background", but the
runner (and tool) threads are concurrent.futures threads, which the interpreter joins at exit
(concurrent.futures.thread._python_exit): the caller has its timeout result at the time limit,
and then the process cannot exit until the tool returns (never, for a call without a timeout).
A CLI, a test run, a serverless handler that ends: all hang."""
import threading, time
from codeact_verify.host import Sandbox, Limits

def fetch(url: str) -> str:
    """A network call without a timeout."""
    threading.Event().wait(3600)
    return url

t0 = time.monotonic()
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=0.5))
r = sb.run_sync("print(fetch(url='x'))\n", [fetch])
print(f"result after {time.monotonic()-t0:.1f}s:", r.ok, r.error.kind if r.error else None)
sb.close()
print("closed; now the interpreter exits ...", flush=True)

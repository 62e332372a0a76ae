# ruff: noqa
"""red9/32: a program whose tools are all async runs inline on a sync caller's thread
(`run_sync`, `execute_sync`, `codeact-verify run`); each async call runs under `asyncio.run()`.
An async tool that wraps a blocking client in `asyncio.to_thread` (the usual way) and whose call
never returns: at the deadline the task is cancelled, but `asyncio.run()` then waits for the
loop's default executor thread -- the caller is held until the network call returns (forever
on Python 3.11; 300 s on 3.12+), then gets a timeout "in a single built-in call"."""
import asyncio, threading, time
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.tools import tool_specs

def blocking_fetch(url):
    time.sleep(12)  # a network call that never returns (here: 12 s)
    return url

async def fetch(url: str) -> str:
    """Fetches a URL."""
    return await asyncio.to_thread(blocking_fetch, url)

with Sandbox(pool_size=0, limits=Limits(timeout_s=0.5)) as sb:
    t = time.time()
    r = sb.run_sync("print(fetch(url='x'))\n", tool_specs([fetch]))
    print(f"time limit 0.5 s; run_sync returned after {time.time() - t:.2f} s:", r.error)

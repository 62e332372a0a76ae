# ruff: noqa
"""red10/41: red9/32's fix says "a program that calls async tools runs on a runner thread, not
the caller's (an async tool can block its loop)". That holds for Sandbox.run_sync, but the sync
entry points with an async tool (CodeAct.execute_sync, execute_code_tool.call_sync, serve, the
OpenAI adapter) go through run_detached(execute(...)) -> `await Sandbox.run(...)`, and
RunBridge._run_async schedules the tool on *that* loop -- the caller's thread. An async tool
that blocks inside `async def` (a sync client called by mistake: requests.get, time.sleep,
a sync DB driver) blocks the caller's loop, so the caller's `asyncio.wait(..., timeout)` cannot
fire: the caller is held for the whole blocking call, far past the time limit."""
import time
from codeact_verify import CodeAct
from codeact_verify.host import Limits

async def fetch(url: str) -> str:
    """An async tool that calls a blocking client by mistake."""
    time.sleep(6)  # e.g. requests.get(url) inside async def
    return url

ca = CodeAct(tools=[fetch], approval_mode="never_require", limits=Limits(timeout_s=1.0))
t = time.monotonic()
r = ca.execute_sync("print(fetch(url='x'))\n")
print(f"time limit 1.0 s; execute_sync returned after {time.monotonic() - t:.2f} s: "
      f"ok={r.ok} error={r.error and r.error.kind}: {r.error and r.error.message}")
ca.close()

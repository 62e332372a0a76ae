# ruff: noqa
"""red9/30: SandboxPool keeps 4 sandboxes (one per configuration) and closes the oldest when a
5th is made -- even while a run of another thread is inside it. That run's next batch fails with
`host error: RuntimeError: cannot schedule new futures after shutdown`."""
import threading, time
from codeact_verify import CodeAct
from codeact_verify.host.limits import Limits

started, go = threading.Event(), threading.Event()

def lookup(q: str) -> str:
    """Slow lookup."""
    started.set()
    go.wait(5)
    return q

def get(city: str) -> str:
    """Weather."""
    return city.upper()

prog = "v = lookup(q='x')\nprint(call_tools([('get', {'city': c}) for c in ['a', 'b']]))\n"
ca = CodeAct(tools=[lookup, get], approval_mode="never_require", limits=Limits(timeout_s=10.0))
res = {}
t = threading.Thread(target=lambda: res.setdefault("r", ca.execute_sync(prog)))
t.start()
started.wait(10)
other = ca.snapshot()  # e.g. Agent Framework's run-scoped copy, with other limits / mounts
for i in range(4):
    other.limits = Limits(timeout_s=3.0 + i)
    other.sandbox()
go.set()
t.join()
r = res["r"]
print("the first thread's run:", r.ok, r.error)
print("same program again:", ca.execute_sync(prog).ok)
ca.close()

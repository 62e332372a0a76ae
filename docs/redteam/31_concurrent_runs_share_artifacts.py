# ruff: noqa
"""red9/31: two executions of one CodeAct (output_dir=True) that overlap in time each diff the
shared output directory around themselves: a file run A writes is also reported as run B's
artifact (B's result carries A's file, e.g. to another user's agent turn)."""
import threading
from codeact_verify import CodeAct

started, go = threading.Event(), threading.Event()

def lookup(q: str) -> str:
    """Slow lookup."""
    started.set()
    go.wait(5)
    return q

ca = CodeAct(tools=[lookup], approval_mode="never_require", output_dir=True)
res = {}
t = threading.Thread(target=lambda: res.setdefault("b", ca.execute_sync("print(lookup(q='b'))\n")))
t.start()
started.wait(10)
a = ca.execute_sync("write_text('/output/a_secret.txt', 'only for A')\n")
go.set()
t.join()
print("run A artifacts:", [x.path for x in a.artifacts])
print("run B artifacts:", [(x.path, x.data if hasattr(x, 'data') else None) for x in res["b"].artifacts])
ca.close()

# ruff: noqa
"""red10/36: the output lock of red9/31 is per Sandbox, but the output directory of
output_dir=True is per SandboxPool, shared by every sandbox of the pool (one per mounts /
domains / limits) and by every snapshot(). A snapshot with one more allowed domain (or other
limits) runs on another Sandbox with another lock and the same /output: the runs overlap and
each reports the other's files, as in red9/31."""
import threading
from codeact_verify import CodeAct

started, go = threading.Event(), threading.Event()

def lookup(q: str) -> str:
    """Slow lookup."""
    started.set()
    go.wait(5)
    return q

ca = CodeAct(tools=[lookup], approval_mode="never_require", output_dir=True)
other = ca.snapshot()           # e.g. a run-scoped copy for another session
other.add_allowed_domains(["example.com"])  # ... with one more domain: another Sandbox, same /output
res = {}
t = threading.Thread(target=lambda: res.setdefault("b", ca.execute_sync("print(lookup(q='b'))\n")))
t.start()
started.wait(10)
a = other.execute_sync("write_text('/output/a_secret.txt', 'only for A')\n")
go.set()
t.join()
print("same sandbox?", ca.sandbox() is other.sandbox(), "same output dir?", ca.output_path() == other.output_path())
print("run A artifacts:", [x.path for x in a.artifacts])
print("run B artifacts:", [x.path for x in res["b"].artifacts])
ca.close()

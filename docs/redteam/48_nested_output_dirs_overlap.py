# ruff: noqa
"""red11/48: the turn is per real path, but artifacts are collected recursively. Two sandboxes
whose output directories nest (one is a subdirectory of the other: /tmp/o and /tmp/o/sub, e.g.
a per-user directory under a shared one) take different locks and run at the same time; the run
on the parent reports the child's files as its own artifacts."""
import shutil, threading, time
from codeact_verify.host import Sandbox, Limits

shutil.rmtree("/tmp/red11_48", ignore_errors=True)
parent = Sandbox(pool_size=0, limits=Limits(timeout_s=5.0), output_dir="/tmp/red11_48")
child = Sandbox(pool_size=0, limits=Limits(timeout_s=5.0), output_dir="/tmp/red11_48/sub")
out = {}

def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"

t = threading.Thread(target=lambda: out.setdefault("parent", parent.run_sync(
    "pause(s=0.8)\nwrite_text('/output/p.txt', 'p')\n", [pause])))
t.start()
time.sleep(0.2)
c = child.run_sync("write_text('/output/secret.txt', 'user B data')\n", [pause])
t.join()
p = out["parent"]
print("child  artifacts:", [a.path for a in c.artifacts])
print("parent artifacts:", [a.path for a in p.artifacts])
parent.close(); child.close()

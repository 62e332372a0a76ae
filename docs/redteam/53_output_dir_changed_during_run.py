# ruff: noqa
"""red11/53: `Sandbox.output_dir` may be changed on a live sandbox (`_made_with` drops pooled
instances made for the old one), but a run reads `self.output_dir` again at its end:
`_finish` diffs the *new* directory against the snapshot of the *old* one. A run under way when
the caller switches the sandbox to the next user's directory reports every file there (another
user's, written under another turn) as its own artifacts, contents included; its own file is
not reported."""
import os, shutil, threading, time
from codeact_verify.host import Sandbox, Limits

base = "/tmp/red11_53"
shutil.rmtree(base, ignore_errors=True)
os.makedirs(f"{base}/alice"); os.makedirs(f"{base}/bob")
open(f"{base}/bob/bob_private.txt", "w").write("bob's data")
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=5.0), output_dir=f"{base}/alice")
entered = threading.Event()

def pause(s: float) -> str:
    """Waits."""
    entered.set()
    time.sleep(s)
    return "ok"

out = {}
t = threading.Thread(target=lambda: out.setdefault("a", sb.run_sync(
    "pause(s=0.5)\nwrite_text('/output/alice.txt', 'a')\n", [pause])))
t.start(); entered.wait(5)
sb.output_dir = type(sb.output_dir)(f"{base}/bob")   # the next session's directory
t.join()
r = out["a"]
print("alice's run artifacts:", [(a.path, a.host_path) for a in r.artifacts])
print("alice dir:", os.listdir(f"{base}/alice"))
sb.close()

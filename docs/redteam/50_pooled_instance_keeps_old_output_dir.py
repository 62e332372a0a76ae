# ruff: noqa
"""red11/50: the turn's key is the output directory's real path *when the run starts*, but a
pooled instance's /output preopen was resolved when the instance was made (wasi_config:
`host_dir.resolve()`), and `_made_with` compares the unresolved Mount. After the path changes
meaning (a relative output_dir and the process's cwd changes; an output_dir that is a symlink
re-pointed, e.g. /srv/out/current), the run takes the lock of, and snapshots, the new
directory while its guest writes into the old one: its files are missing from its artifacts,
and it writes into a directory whose turn another run may hold (and report those files)."""
import os, shutil, threading, time
from codeact_verify.host import Sandbox, Limits

base = "/tmp/red11_50"
shutil.rmtree(base, ignore_errors=True)
os.makedirs(f"{base}/A"); os.makedirs(f"{base}/B")
os.symlink(f"{base}/A", f"{base}/current")

sb = Sandbox(pool_size=1, limits=Limits(timeout_s=5.0), output_dir=f"{base}/current")
sb.warm_up(); sb.wait_ready()
# the deployment moves `current` to B; another sandbox works on A with its own output dir
os.unlink(f"{base}/current"); os.symlink(f"{base}/B", f"{base}/current")
other = Sandbox(pool_size=0, limits=Limits(timeout_s=5.0), output_dir=f"{base}/A")

def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"

out = {}
t = threading.Thread(target=lambda: out.setdefault("other", other.run_sync(
    "pause(s=0.6)\nwrite_text('/output/other.txt', 'o')\n", [pause])))
t.start(); time.sleep(0.2)
r = sb.run_sync("write_text('/output/mine.txt', 'm')\n")
t.join()
print("run on current(->B): ok", r.ok, "artifacts", [a.path for a in r.artifacts])
print("other run on A:       artifacts", [a.path for a in out["other"].artifacts])
print("A holds", sorted(os.listdir(f"{base}/A")), " B holds", sorted(os.listdir(f"{base}/B")))
sb.close(); other.close()

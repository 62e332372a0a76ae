# ruff: noqa
"""red10/43: a run abandoned at its deadline inside a sync tool keeps its whole guest store --
all the linear memory its program grew -- until the tool returns (the guest is on that thread's
stack). Up to RUNNER_THREADS = 32 such runs per Sandbox, each up to Limits.memory_mb (256 MB by
default): 8 GB per sandbox, and a CodeAct's pool retires sandboxes (not closing them) and makes
new ones, each with its own budget of 32. Here 8 runs of 150 MB each."""
import resource, threading, time
from codeact_verify.host import Sandbox, Limits

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024

gate = threading.Event()

def slow_api(q: str) -> str:
    """A call that hangs (no timeout)."""
    gate.wait(120)
    return q

prog = "data = bytearray(150 * 1024 * 1024)\nfor i in range(0, len(data), 4096):\n    data[i] = 1\nprint(slow_api(q='x'))\n"
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.5, memory_mb=256))
print("RSS before:", rss_mb(), "MB")
threads = [threading.Thread(target=sb.run_sync, args=(prog, [slow_api])) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print("8 runs answered (timeout); stuck runs:", sb._stuck, "RSS now:", rss_mb(), "MB")
gate.set()
time.sleep(1.0)
import gc; gc.collect(); time.sleep(0.5)
print("tools returned; stuck runs:", sb._stuck, "RSS:", rss_mb(), "MB")
sb.close()

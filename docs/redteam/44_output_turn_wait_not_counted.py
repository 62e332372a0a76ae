# ruff: noqa
"""red10/44: a run that waits for its output turn (red9/31) waits up to its whole time limit
for it and then gets a *fresh* full time limit to run: its caller is held up to twice the time
limit plus graces. A run queued for a runner thread, by contrast, has its deadline set before it
queues (the wait counts). Here, time limit 1 s: B's caller waits ~2.3 s for a timeout."""
import threading, time
from codeact_verify.host import Sandbox, Limits
import tempfile

sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), output_dir=tempfile.mkdtemp())

def slow(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"

a = threading.Thread(target=sb.run_sync, args=("print(slow(s=0.9))\n", [slow]))
a.start()
time.sleep(0.1)
t = time.monotonic()
b = sb.run_sync("print(slow(s=3.0))\n", [slow])
print(f"time limit 1.0 s; B's caller answered after {time.monotonic() - t:.2f} s: ok={b.ok} error={b.error and b.error.message}")
a.join()
sb.close()

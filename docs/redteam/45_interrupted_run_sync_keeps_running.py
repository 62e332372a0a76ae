# ruff: noqa
"""red10/45: red9/28's fix stops the guest of a *cancelled* `Sandbox.run` (await). A sync caller
interrupted while it waits in `run_sync` -- Ctrl-C (KeyboardInterrupt), a `signal.alarm`
handler that raises (the usual sync timeout), any exception from a signal handler -- leaves
through `future.result()` without `_stop`: the run is not abandoned, its switch not thrown, so
the guest goes on calling tools and writing files for the rest of its time limit after the
caller has its exception (and after the output turn was released)."""
import signal, tempfile, time, os
from codeact_verify.host import Sandbox, Limits

events = []
out = tempfile.mkdtemp()

def step(i: int) -> int:
    """One step of a long job."""
    time.sleep(0.3)
    events.append((round(time.monotonic() - t0, 2), f"tool step {i}"))
    return i

class Deadline(Exception):
    pass

def on_alarm(*_):
    raise Deadline

signal.signal(signal.SIGALRM, on_alarm)
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=10), output_dir=out)
t0 = time.monotonic()
signal.setitimer(signal.ITIMER_REAL, 0.5)
try:
    sb.run_sync("for i in range(8):\n    step(i=i)\nwrite_text('/output/late.txt', 'x')\n", [step])
except Deadline:
    events.append((round(time.monotonic() - t0, 2), "caller: interrupted, gave up"))
time.sleep(3.0)
for e in events:
    print(e)
print("late file written:", os.path.exists(os.path.join(out, "late.txt")))
sb.close()

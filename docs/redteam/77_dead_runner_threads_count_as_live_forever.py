"""red16/77: runner threads that die at their start still count against the pool's 32: after 32
such deaths every run of the sandbox is "not started", for good.

The death here is a `threading.settrace` hook raising in each new `codeact-run` thread: what
an asynchronous exception aimed at the caller does on CPython 3.11 when the caller is starting
that thread in `DaemonThreadPool.submit` (see red16/76).
Run: CODEACT_VERIFY_CACHE=... python \
    docs/redteam/77_dead_runner_threads_count_as_live_forever.py
"""

import threading
import time

from codeact_verify.host import Limits, Sandbox

sb = Sandbox(pool_size=0, limits=Limits(timeout_s=0.2))


class CallTimeout(Exception):
    pass


kill = True

def tracer(frame, event, arg):
    if kill and threading.current_thread().name.startswith("codeact-run"):
        raise CallTimeout
    return None


threading.settrace(tracer)
kinds = []
for _ in range(34):
    r = sb.run_sync("print(1)")
    kinds.append(r.ok)
kill = False
threading.settrace(None)
time.sleep(0.5)
r = sb.run_sync("print(2)")
print("during:", sum(kinds), "ok of 34; after the exceptions stopped:", r.ok,
      r.error and r.error.message[:90])
threads = sb._runner._threads
print("runner threads counted", len(threads), "alive", sum(t.is_alive() for t in threads))

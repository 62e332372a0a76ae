"""red14/68: an interrupt after a new mypy worker was started and before its warm-up request was
written leaves a worker that will never answer; the next check waits start_seconds (120 s) for
it. The wrapper around `MypyProcess._send` only times the genuine SIGINT (it lands while the
warm-up request is being built, before it is written)."""

import os
import signal
import time

import codeact_verify.mypy_process as mp
from codeact_verify import verify
from codeact_verify.typecheck import DEFAULT_BUDGET, _get_worker, remember_findings

remember_findings(False)
print(verify("print(1)", {}).ok)  # the worker is up
_get_worker(DEFAULT_BUDGET).stop()  # as after an abandoned check: the next one spawns anew
real_send = mp.MypyProcess._send
fire = {"on": True}


def send(self, obj):  # type: ignore[no-untyped-def]
    if fire["on"] and "modules" in obj:  # the warm-up request of the new worker
        fire["on"] = False
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands before it is written
        time.sleep(0.05)
    return real_send(self, obj)


mp.MypyProcess._send = send  # type: ignore[method-assign]
try:
    verify('print("A")\n', {})
except KeyboardInterrupt:
    print("A: interrupted while the new worker was being started")
mp.MypyProcess._send = real_send  # type: ignore[method-assign]
t = time.monotonic()
r = verify('print("B")\n', {})
print("B:", r.ok, f"took {time.monotonic() - t:.1f} s")

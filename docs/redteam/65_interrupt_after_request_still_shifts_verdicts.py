"""red14/65: the red13/60 fix guards request() and answer() separately; an interrupt that lands
between them (request() has returned, answer() has not entered its try) still leaves mypy's
answer in the pipe, and every later verdict is shifted by one.

The wrapper around `MypyProcess.request` only times the interrupt (it lands as the real
`request` returns); the signal and its exception are genuine."""

import os
import signal
import time

import codeact_verify.mypy_process as mp
from codeact_verify import executor
from codeact_verify.host import Limits, Sandbox
from codeact_verify.typecheck import remember_findings

remember_findings(False)
sb = Sandbox(limits=Limits(timeout_s=5))
sb.warm_up()
sb.wait_ready()
executor.execute_sync("print(1)", {}, sandbox=sb)  # the worker is up

real_request = mp.MypyProcess.request
fire = {"on": False}


def request(self, stubs, program):  # type: ignore[no-untyped-def]
    since = real_request(self, stubs, program)  # sent: mypy is checking it now
    if fire["on"]:
        fire["on"] = False
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands as request() returns
        time.sleep(0.05)
    return since


mp.MypyProcess.request = request  # type: ignore[method-assign]
fire["on"] = True
try:
    executor.execute_sync('print("A")\n', {}, sandbox=sb)
except KeyboardInterrupt:
    print("A: interrupted")
mp.MypyProcess.request = real_request  # type: ignore[method-assign]

r = executor.execute_sync('print("B RAN")\ny: int = "not an int"\n', {}, sandbox=sb)
print("B (ill-typed):", "ok" if r.ok else "rejected", repr(r.stdout))
r = executor.execute_sync('print("C")\n', {}, sandbox=sb)
print("C (fine):", "ok" if r.ok else "rejected", repr(r.stdout), r.error)
sb.close()

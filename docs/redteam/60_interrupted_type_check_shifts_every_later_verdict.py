"""red13/60: an exception raised while the type check waits for mypy's answer (Ctrl-C in a
notebook, a SIGALRM harness timeout) leaves that answer unread in the worker's pipe. The next
check sends its program and reads the *previous* program's answer: an ill-typed program is
accepted and runs, and every later verdict is shifted by one.

The `_receive` wrapper only times the interrupt (it lands while the real `_receive` waits in
`select`); the signal and its exception are genuine."""

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

original = mp.MypyProcess._receive
fire = {"on": False}


def receive(self, seconds, what, since=None):  # type: ignore[no-untyped-def]
    if fire["on"] and what == "on this program":
        fire["on"] = False
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while waiting for mypy
        time.sleep(0.05)
    return original(self, seconds, what, since)


mp.MypyProcess._receive = receive

fire["on"] = True
try:
    executor.execute_sync('print("A")\n', {}, sandbox=sb)
except KeyboardInterrupt:
    print("A: interrupted (the user pressed Ctrl-C)")

bad = 'print("B RAN")\ny: int = "not an int"\n'
r = executor.execute_sync(bad, {}, sandbox=sb)
print("B (ill-typed):", "ok" if r.ok else "rejected", repr(r.stdout))
r = executor.execute_sync(bad, {}, sandbox=sb, run_ahead=False)
print("B again:", "ok" if r.ok else "rejected", repr(r.stdout))
sb.close()

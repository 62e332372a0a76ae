"""red15/73: after an interrupted run (Ctrl-C, a SIGALRM harness timeout), the instance made
for it is often freed later ON THE MAIN THREAD (the wasmtime Store's `Managed.__del__`,
~0.5 ms); an interrupt landing then runs its handler inside `__del__`, where Python ignores
exceptions: it is printed as "Exception ignored in: <function Managed.__del__ ...>" and lost,
and the run it was meant to stop goes on to its own time limit. Here: 80 harness timeouts,
about 1 lost (the caller got the run's `timeout` result 3 s later instead of its exception)."""

import random
import signal
import time

from codeact_verify.host import Limits, Sandbox


class HarnessTimeout(Exception):
    pass


def on_alarm(*_: object) -> None:
    raise HarnessTimeout()


signal.signal(signal.SIGALRM, on_alarm)
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3))
sb.warm_up()
random.seed(2)
delivered = lost = 0
for _ in range(80):
    signal.setitimer(signal.ITIMER_REAL, random.uniform(0.0005, 0.03))
    try:
        sb.run_sync("x = 0\nwhile True:\n    x += 1\n")
        lost += 1  # the harness timeout never reached us: the run went on for 3 s
    except HarnessTimeout:
        delivered += 1
signal.setitimer(signal.ITIMER_REAL, 0)
time.sleep(0.5)
print("delivered", delivered, "lost", lost)  # e.g. delivered 79 lost 1
sb.close()

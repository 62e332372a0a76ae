"""red14/66, without any wrapper: a real SIGALRM (a harness timeout) at a random moment 5-80 ms
into `execute_sync` of a rejected endless loop, each on a fresh sandbox (its first run ahead
starts a runner thread). Counts the tries after which the rejected loop still burns a core."""

import os
import random
import resource
import signal
import time

from codeact_verify import executor
from codeact_verify.host import Limits, Sandbox
from codeact_verify.typecheck import remember_findings

remember_findings(False)


class HarnessTimeout(Exception):
    pass


def on_alarm(*_: object) -> None:
    raise HarnessTimeout()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


signal.signal(signal.SIGALRM, on_alarm)
random.seed(7)
executor.execute_sync("print(1)", {}, sandbox=Sandbox(pool_size=0))  # mypy is up
hits = 0
N = int(os.environ.get("N", "80"))
for i in range(N):
    sb = Sandbox(limits=Limits(timeout_s=3))
    sb.warm_up()
    sb.wait_ready()
    delay = random.uniform(0.005, 0.08)
    signal.setitimer(signal.ITIMER_REAL, delay)
    try:
        executor.execute_sync(f'y: int = "a{i}"\nwhile True:\n    pass\n', {}, sandbox=sb)
    except HarnessTimeout:
        pass
    signal.setitimer(signal.ITIMER_REAL, 0)
    time.sleep(0.2)
    c0 = cpu()
    time.sleep(0.4)
    if cpu() - c0 > 0.2:
        hits += 1
        print("orphan burning at try", i, "delay", round(delay, 4), flush=True)
        time.sleep(3)
    sb.close()
print("tries", N, "orphans", hits)

"""red14/66: a signal handler's exception that lands inside `DaemonThreadPool.submit` after the
run ahead's job was queued (`Thread.start()` waits for a new runner thread) leaves a job nobody
owns: the program is rejected (CV799) but its guest runs on to its time limit.

The wrapper around the sandbox's `_runner.submit` only times the alarm (it lands after the real
`submit` queued the job); the signal and its exception are genuine."""

import os
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
    raise HarnessTimeout("this execution took too long")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


signal.signal(signal.SIGALRM, on_alarm)
sb = Sandbox(limits=Limits(timeout_s=6))
sb.warm_up()
sb.wait_ready()
executor.execute_sync("print(1)", {}, sandbox=sb, run_ahead=False)  # mypy is up (ran inline)
sb.wait_ready()
real_submit = sb._runner.submit


def submit(*args, **kwargs):  # type: ignore[no-untyped-def]
    future = real_submit(*args, **kwargs)  # the job is queued: a new runner thread starts
    os.kill(os.getpid(), signal.SIGALRM)  # the alarm lands as Thread.start() waits
    time.sleep(0.01)
    return future


sb._runner.submit = submit  # type: ignore[method-assign]
bad = 'y: int = "not an int"\nwhile True:\n    pass\n'
try:
    r = executor.execute_sync(bad, {}, sandbox=sb)
    print("result", r.ok, r.error)
except HarnessTimeout:
    print("HarnessTimeout reached the caller")
sb._runner.submit = real_submit  # type: ignore[method-assign]
c0 = cpu()
time.sleep(2.0)
print(f"CPU used in the 2 s after the caller gave up: {cpu() - c0:.2f} s inflight {sb._inflight}")
r = executor.execute_sync("print('next')", {}, sandbox=sb)
print("next run:", r.ok, repr(r.stdout))
sb.close()

"""red13/61: `typecheck._work_meanwhile` swallows every Exception of the hook, including one
raised by a signal handler (a SIGALRM harness timeout). When it lands after `Sandbox.run_ahead`
started the run and before `_Steps.prepare` stored it in `self.ahead`, the RunAhead is orphaned:
nobody cancels it (the program is rejected, yet its endless loop runs on to its time limit),
nobody ends it (`_inflight` stays 1 for ever, so `close()` never stops the threads), and the
harness's timeout is lost (the execution goes on and returns normally).

The wrapper only places the signal in that window (a few bytecodes wide in real life)."""

import os
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


signal.signal(signal.SIGALRM, on_alarm)
original = Sandbox.run_ahead


def run_ahead(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    ahead = original(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGALRM)  # the harness's alarm lands here
    time.sleep(0.01)
    return ahead


Sandbox.run_ahead = run_ahead  # type: ignore[method-assign]
sb = Sandbox(limits=Limits(timeout_s=6))
sb.warm_up()
sb.wait_ready()
t0 = time.monotonic()
try:
    r = executor.execute_sync('y: int = "a"\nwhile True:\n    pass\n', {}, sandbox=sb)
    print("no HarnessTimeout; result:", "rejected" if r.rejected else r.ok)
except HarnessTimeout:
    print("HarnessTimeout raised (expected)")
cpu = time.process_time()
time.sleep(1.0)
print("1 s after the rejection: inflight", sb._inflight,
      "CPU used meanwhile %.2f s (the rejected loop runs on)" % (time.process_time() - cpu))
sb.close()
time.sleep(6.0)
print("after close and the time limit: inflight", sb._inflight, "(threads never stopped)")

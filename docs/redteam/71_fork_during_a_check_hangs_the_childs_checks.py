"""red15/71: a process forked while another thread is inside a type check (the usual
`multiprocessing` start method on Linux before Python 3.14 is fork) can never type-check: the
child inherits `typecheck._lock` held by a thread that does not exist there, and its first
check -- every `executor.execute_sync` / `CodeAct.execute_sync` of a verified program --
waits for it forever (no budget applies: the wait is before the worker is asked). The module
already means to be fork-safe (`_get_worker` drops a parent's worker when `os.getpid()`
changed), but the lock is not reset after a fork (no `os.register_at_fork`)."""

import os
import signal
import threading
import time

from codeact_verify import executor
from codeact_verify.host import Sandbox
from codeact_verify.typecheck import typecheck

typecheck("x = 1\n", {})  # the worker is up
stop = False


def agent_turns() -> None:  # e.g. a server thread verifying programs
    i = 0
    while not stop:
        i += 1
        typecheck(f"y = {i}\nprint(y + 1)\n", {})


threading.Thread(target=agent_turns, daemon=True).start()
time.sleep(0.5)
pid = os.fork()  # e.g. multiprocessing.Process(...).start() with the fork start method
if pid == 0:
    signal.alarm(20)  # the child gives up after 20 s: SIGALRM kills it (status -14)
    t0 = time.monotonic()
    r = executor.execute_sync("print(1)", {}, sandbox=Sandbox(pool_size=0))
    print(f"child ran in {time.monotonic() - t0:.1f} s:", r.ok, flush=True)
    os._exit(0)
_, status = os.waitpid(pid, 0)
stop = True
print("child exit status:", os.waitstatus_to_exitcode(status))  # -14: hung for 20 s

"""red14/67: Ctrl-C (or any Python signal handler that raises) while a program runs inline on
the main thread crashes the host process (segfault / heap corruption): the KeyboardInterrupt is
raised inside the stop switch's ctypes callback (`stop._on_deadline`), before its `try`, and
wasmtime then reads out-parameters the callback never wrote.

Through the executor: a tool-free program that does not run ahead (pool_size=0, or
run_ahead=False, or no ready instance) runs inline on the caller's thread."""

import os
import signal
import threading
import time

from codeact_verify import executor
from codeact_verify.host import Limits, Sandbox

sb = Sandbox(limits=Limits(timeout_s=5), pool_size=0)  # no ready instance: nothing runs ahead
executor.execute_sync("print(1)", {}, sandbox=sb)  # mypy and the guest are up
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()  # the user: Ctrl-C
t = time.monotonic()
try:
    r = executor.execute_sync("x = 0\nwhile True:\n    x += 1\n", {}, sandbox=sb)
    print(f"returned after {time.monotonic() - t:.1f} s:", r.ok, r.error)
except KeyboardInterrupt:
    print(f"KeyboardInterrupt after {time.monotonic() - t:.1f} s")
sb.close()

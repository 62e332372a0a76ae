"""red15/70: an asynchronous exception (``PyThreadState_SetAsyncExc``, what thread-timeout
libraries such as func_timeout and stopit raise in the timed thread) aimed at a NON-main thread
that runs a tool-free program inline (`Sandbox._inline`: run_sync off the main thread, hence
`executor.execute_sync` in a web server's worker thread) crashes the host process or is lost:
the exception fires at the first bytecode of the stop switch's ctypes callback
(`stop._on_deadline`), before its `try`, exactly as a signal handler did on the main thread
(red14/67). The red14/67 fix only moved guest code off the MAIN thread.

Run it a few times: exit 139 (SIGSEGV) / 134 ("free(): invalid pointer"), or the exception is
printed as "Exception ignored on calling ctypes callback function" and lost (the run goes on to
its own time limit and the caller gets `timeout`, not its exception)."""

import ctypes
import threading
import time

from codeact_verify.host import Limits, Sandbox


class CallTimeout(Exception):
    """What a thread-timeout helper raises in the timed thread."""


def raise_in(thread: threading.Thread, exc: type[BaseException]) -> None:
    # the mechanism of func_timeout / stopit.ThreadingTimeout / many harnesses
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exc))


sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3.0))
sb.warm_up()
out: dict[str, object] = {}


def worker() -> None:  # e.g. a request handler thread with a per-call timeout
    try:
        r = sb.run_sync("x = 0\nwhile True:\n    x += 1\n")
        out["result"] = (r.ok, r.error and r.error.kind)
    except CallTimeout:
        out["result"] = "CallTimeout delivered"


t = threading.Thread(target=worker)
t.start()
time.sleep(0.5)
raise_in(t, CallTimeout)  # the helper's timeout fires
t.join(10)
# expected: "CallTimeout delivered"; got: a crash, or (False, "timeout")
print("caller got:", out.get("result"))

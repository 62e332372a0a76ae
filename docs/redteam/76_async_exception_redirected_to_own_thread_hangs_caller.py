"""red16/76: an asynchronous exception meant for the caller of `run_sync` lands in the sandbox's
own thread as it starts (CPython 3.11); that thread dies before it posts a result and the
caller waits forever in `_on_own_thread` (`ready.wait()` has no timeout).

Natural form: a thread-timeout helper (`PyThreadState_SetAsyncExc`, as `func_timeout` does)
interrupting `run_sync` on a sandbox without a ready instance; about 1 in 60 tries here.
Run: CODEACT_VERIFY_CACHE=... python \
    docs/redteam/76_async_exception_redirected_to_own_thread_hangs_caller.py
"""

import ctypes
import random
import threading
import time

from codeact_verify.host import Limits, Sandbox


class CallTimeout(Exception):
    pass


sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3))  # every run makes its instance
sb.run_sync("print(1)")


def victim(box: list[int]) -> None:
    try:
        while True:
            sb.run_sync("print(1)")
    except CallTimeout:
        box.append(1)


for attempt in range(1, 301):
    box: list[int] = []
    th = threading.Thread(target=victim, args=(box,), daemon=True)
    th.start()
    time.sleep(random.uniform(0.0005, 0.03))
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(th.ident), ctypes.py_object(CallTimeout)
    )
    th.join(10)
    if th.is_alive():
        print(f"try {attempt}: the caller never got its CallTimeout and still waits after 10 s "
              f"(sandbox inflight={sb._inflight}); its run's time limit is 3 s", flush=True)
        break
else:
    print("not hit in 300 tries")

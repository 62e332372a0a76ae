"""red16/74: in a forked child the reaper thread does not exist: stores let go of there pile up.

Run: CODEACT_VERIFY_CACHE=... python \
    docs/redteam/74_forked_child_never_frees_reaped_stores.py
"""

import os
import time

from codeact_verify.host import Sandbox
from codeact_verify.host.sandbox import _reaped


def rss_mb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20


def churn(tag: str) -> None:
    before = rss_mb()
    for _ in range(8):  # a sandbox per request, say (CodeAct with its own Sandbox)
        sb = Sandbox(pool_size=2)
        sb.warm_up()
        sb.close()  # its ready instances go to `_Instance.__del__` -> `_reaped`
    time.sleep(1.0)
    queued = _reaped.qsize()
    print(f"{tag}: stores still queued {queued}, rss {before} -> {rss_mb()} MB", flush=True)


Sandbox(pool_size=0).run_sync("print(1)")  # the parent imported and used the library
pid = os.fork()  # multiprocessing's fork start method, gunicorn --preload, ...
if pid == 0:
    churn("child")
    os._exit(0)
os.waitpid(pid, 0)
churn("parent")

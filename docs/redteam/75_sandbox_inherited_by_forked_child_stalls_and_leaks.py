"""red16/75: a Sandbox inherited by a forked child: its first run waits out its time limit and is
not run, and every later run leaks its instance (the pool thread does not exist in the child).

Run: CODEACT_VERIFY_CACHE=... python \
    docs/redteam/75_sandbox_inherited_by_forked_child_stalls_and_leaks.py
"""

import os
import time

from codeact_verify.host import Limits, Sandbox

sb = Sandbox(pool_size=1, limits=Limits(timeout_s=3))  # module level, as in a worker module
sb.warm_up()
sb.run_sync("print(1)")
sb.run_sync("print(1)")


def rss_mb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20


def many(tag: str) -> None:
    before, ok, pooled = rss_mb(), 0, 0
    for _ in range(20):
        r = sb.run_sync("print(2)")
        ok += r.ok
        pooled += int(r.timings.get("from_pool", 0))
    time.sleep(0.5)
    print(f"{tag}: ok {ok}/20, from the pool {pooled}, rss {before} -> {rss_mb()} MB, "
          f"instances waiting for the pool thread {sb._filler._work_queue.qsize()}", flush=True)


pid = os.fork()  # multiprocessing (fork) worker, gunicorn --preload worker, ...
if pid == 0:
    started = time.monotonic()
    first = sb.run_sync("print('first')")
    print(f"child's first run after {time.monotonic() - started:.1f} s: ok={first.ok} "
          f"{first.error}", flush=True)
    many("child")
    os._exit(0)
os.waitpid(pid, 0)
many("parent")

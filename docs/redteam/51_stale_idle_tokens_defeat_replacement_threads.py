# ruff: noqa
"""red11/51: DaemonThreadPool counts idle threads with a semaphore that every finished call
releases, also when the thread goes straight on to a call already queued (it is not idle).
After one batch larger than the pool (16 quick calls on 8 tool threads) the semaphore holds 8
stale tokens. When tools later hang (held threads), ToolThreads raises max_workers for
replacements, but `submit` takes a stale token instead of starting the replacement thread:
the next run's quick tool waits in the queue behind the held threads until its time limit
(red9/29 again, the replacement threads never start)."""
import threading, time
from codeact_verify.host import Sandbox, Limits

sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.5))
release = threading.Event()

def quick(i: int) -> int:
    """Returns at once (a little work)."""
    time.sleep(0.02)
    return i

def hang(i: int) -> int:
    """A network call without a timeout."""
    release.wait(60)
    return i

batch16 = "print(len(call_tools([('quick', {'i': i}) for i in range(16)])))\n"
r1 = sb.run_sync(batch16, [quick])
print("run 1 (16 quick calls):", r1.ok, r1.stdout.strip(), "| idle tokens:", sb._tools._idle._value,
      "threads:", len(sb._tools._threads))
r2 = sb.run_sync("print(call_tools([('hang', {'i': i}) for i in range(8)]))\n", [hang])
print("run 2 (8 hanging calls):", r2.ok, r2.error and r2.error.kind, "| held:", sb._tools.held,
      "max_workers:", sb._tools._max_workers, "threads:", len(sb._tools._threads))
t0 = time.monotonic()
r3 = sb.run_sync("print(call_tools([('quick', {'i': 1})]))\n", [quick])
print(f"run 3 (1 quick call): ok={r3.ok} {r3.stdout.strip()!r} in {time.monotonic()-t0:.2f}s",
      [(c.name, c.error) for c in r3.tool_calls])
release.set()
sb.close()

# ruff: noqa
"""red11/52: a nested run joins the outer turn in `_OutputHold.__init__` (`adopt`), but its
stop only works once `started(job)` has set `hold.job`: between the two (`_start`: host-side
restriction of the program, taking or making an instance, the output snapshot), `Turn.end`'s
stop is a no-op. A sub-run that a tool starts in the background (a thread carrying the tool's
context, or `asyncio.create_task(asyncio.to_thread(...))`) and that is still being set up when
the outer program ends is never stopped: the turn is released 0.2 s later, the sub-run goes
on, with the outer run's deadline, writing /output files while the next run holds the turn:
the next run reports them (red10/38 and red10/46 again, through the set-up window)."""
import contextvars, shutil, threading, time
from codeact_verify.host import Sandbox, Limits

OUT = "/tmp/red11_52_out"
shutil.rmtree(OUT, ignore_errors=True)
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3.0), output_dir=OUT)
t0 = time.monotonic()

def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"

SUB = "x = 0\n" * 20000 + "pause(s=0.5)\nwrite_text('/output/from_a_subrun.txt', 'A')\n"

def spawn(task: str) -> str:
    """Starts a sub-agent in the background and returns at once."""
    def sub():
        r = sb.run_sync(SUB, [pause])
        print(f"  sub-run ended at {time.monotonic()-t0:.2f}s ok={r.ok} kind={r.error and r.error.kind}")
    threading.Thread(target=contextvars.copy_context().run, args=(sub,)).start()
    return "started"

a = sb.run_sync("print(spawn(task='t'))\n", [spawn])
print(f"A answered at {time.monotonic()-t0:.2f}s ok={a.ok} artifacts={[x.path for x in a.artifacts]}")
c = sb.run_sync("pause(s=1.0)\nprint('C')\n", [pause])
print(f"C answered at {time.monotonic()-t0:.2f}s ok={c.ok} artifacts={[x.path for x in c.artifacts]}")
time.sleep(0.5)
sb.close()

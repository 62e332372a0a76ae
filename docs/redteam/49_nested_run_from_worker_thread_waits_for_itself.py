# ruff: noqa
"""red11/49: a nested run is recognised only through the context variable HELD. A tool that
starts the sub-run on a thread of its own (concurrent.futures.ThreadPoolExecutor, threading.Thread:
neither copies the context) is not nested: the sub-run waits for the directory's lock, which the
outer run holds while it waits for that very tool. Both wait until the outer run's time limit;
the outer caller gets `timeout`, and the sub-run then runs on its own turn after the caller has
its answer."""
import concurrent.futures, shutil, time
from codeact_verify.host import Sandbox, Limits

OUT = "/tmp/red11_49_out"
shutil.rmtree(OUT, ignore_errors=True)
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=2.0), output_dir=OUT)
pool = concurrent.futures.ThreadPoolExecutor(2)
t0 = time.monotonic()

def delegate(name: str) -> str:
    """Runs a sub-program (an agent-as-tool) on the tool's own worker pool."""
    fut = pool.submit(sb.run_sync, f"write_text('/output/{name}.txt', '{name}')\n")
    r = fut.result()
    print(f"  sub-run answered at {time.monotonic()-t0:.2f}s ok={r.ok} kind={r.error and r.error.kind}")
    return repr(r.ok)

outer = sb.run_sync("print(delegate(name='x'))\n", [delegate])
print(f"outer answered at {time.monotonic()-t0:.2f}s ok={outer.ok} kind={outer.error and outer.error.kind} "
      f"artifacts={[a.path for a in outer.artifacts]}")
time.sleep(1.0)
import os; print("files in the directory afterwards:", sorted(os.listdir(OUT)))
sb.close(); pool.shutdown()

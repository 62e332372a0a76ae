# ruff: noqa
"""red11/55: `Sandbox.run_sync` takes the directory's lock in `hold.take()` and only then
enters the `try` whose `finally` lets it go; `take` itself makes the `Turn` after `acquire`
returned. An exception raised between the two (KeyboardInterrupt, or an exception from a signal
handler -- an alarm-based timeout -- which Python delivers at any bytecode) leaves the lock taken
for good: every later run on that directory, of every sandbox and the Agent Framework adapter
(which waits with no limit at all), is refused as busy or waits forever.
The signal is simulated here at the exact bytecode (a trace function raising when `take`
returns), as a real SIGINT at that moment would."""
import shutil, sys, time
from codeact_verify.host import Sandbox, Limits
from codeact_verify.host.sandbox import _OutputHold

OUT = "/tmp/red11_55_out"
shutil.rmtree(OUT, ignore_errors=True)
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), output_dir=OUT)

def tracer(frame, event, arg):
    if event == "call" and frame.f_code is _OutputHold.take.__code__:
        def on_return(frame, event, arg):
            if event == "return":
                sys.settrace(None)
                raise KeyboardInterrupt  # Ctrl-C arrives just as take() returns True
            return on_return
        return on_return
    return None

sys.settrace(tracer)
try:
    sb.run_sync("print(1)\n")
except KeyboardInterrupt:
    print("first run interrupted (Ctrl-C)")
sys.settrace(None)
t0 = time.monotonic()
r = sb.run_sync("print(2)\n")
print(f"next run: ok={r.ok} kind={r.error and r.error.kind} after {time.monotonic()-t0:.2f}s: {r.error and r.error.message[:90]}")
other = Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), output_dir=OUT)
r = other.run_sync("print(3)\n")
print(f"another sandbox on the directory: ok={r.ok} kind={r.error and r.error.kind}")
sb.close(); other.close()

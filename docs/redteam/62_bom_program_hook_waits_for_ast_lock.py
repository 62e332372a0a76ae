"""red13/62: `_Steps.prepare` (the hook run while mypy checks, with the type checker's lock
held) must never wait for the `ast` lock. It checks `checked.tree`, but not that the checked
program is of `self.code`: for a program that starts with a BOM the verifier checks the text
without it, so `transpile(self.code, ..., program=checked)` finds no checked program of that
text and parses under `with AST_LOCK:` -- blocking, with `typecheck._lock` held and mypy's
budget running. Another thread holding the `ast` lock (a large restricted transform on a serve
worker, here 7 s to make it plain) then stalls every type check of the process, and past the
budget the check fails (CV799) and the mypy worker is killed (the BOM program itself then
fails in the guest anyway: see 63).

The `request` wrapper only starts the lock holder at a known moment."""

import threading
import time

import codeact_verify.mypy_process as mp
from codeact_verify import executor
from codeact_verify.astlock import AST_LOCK
from codeact_verify.host import Limits, Sandbox
from codeact_verify.typecheck import remember_findings

remember_findings(False)
sb = Sandbox(limits=Limits(timeout_s=5))
sb.warm_up()
sb.wait_ready()
executor.execute_sync("print(1)", {}, sandbox=sb)


def hold() -> None:
    with AST_LOCK:  # another thread's long transform
        time.sleep(7.0)


original = mp.MypyProcess.request


def request(self, stubs, program):  # type: ignore[no-untyped-def]
    since = original(self, stubs, program)
    threading.Thread(target=hold, daemon=True).start()
    time.sleep(0.02)
    return since


mp.MypyProcess.request = request  # type: ignore[method-assign]
for code in ['print("plain")\n', '\ufeffprint("bom")\n']:
    t0 = time.monotonic()
    r = executor.execute_sync(code, {}, sandbox=sb)
    error = r.error.message[:110] if r.error else None
    print(repr(code), r.ok, repr(r.stdout), error, f"{time.monotonic() - t0:.1f} s")
    time.sleep(7.5)
sb.close()

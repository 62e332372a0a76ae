# ruff: noqa
import sys, time, tracemalloc
from codeact_verify.host import precompile
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
orig = precompile._left_as_is
N = int(sys.argv[1])
prog = "x = 1\n" + "\n" * N + "print(x)\n"
for mode in ("as_is", "unparse"):
    precompile._left_as_is = orig if mode == "as_is" else (lambda *a: False)
    with Sandbox(pool_size=0, limits=Limits(timeout_s=float(sys.argv[2]))) as sb:
        t = time.time()
        r = sb.run_sync(prog)
        print(mode, N, r.ok, repr(r.stdout), r.error.kind if r.error else None, (r.error.message[:120] if r.error else ""), r.timings.get("host_restricted"), round(time.time() - t, 2), "s")

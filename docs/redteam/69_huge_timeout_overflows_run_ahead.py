"""red14/69: Limits(timeout_s=1e10) passes validation (finite, positive); a tool-free program
runs inline and works with run_ahead=False; its run ahead (still running when mypy answers)
waits with `future.result(timeout=~1e10)`, which raises OverflowError out of execute_sync."""

from codeact_verify import executor
from codeact_verify.host import Limits, Sandbox
from codeact_verify.typecheck import remember_findings

remember_findings(False)
sb = Sandbox(limits=Limits(timeout_s=1e10))
sb.warm_up()
sb.wait_ready()
for run_ahead in (False, True):
    sb.wait_ready()
    try:
        r = executor.execute_sync(
            "s = 0\nfor i in range(3_000_000):\n    s += i\nprint(s)\n",
            {},
            sandbox=sb,
            run_ahead=run_ahead,
        )
        print("run_ahead", run_ahead, r.ok, repr(r.stdout), r.timings.get("ran_ahead"))
    except OverflowError as exc:
        print("run_ahead", run_ahead, "OverflowError:", exc)
sb.close()

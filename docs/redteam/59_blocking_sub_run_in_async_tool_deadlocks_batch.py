"""red12/59: an outer async run's batch holds two async tools; one awaits a sub-run (sb.run),
the other calls sb.run_sync from inside `async def` (a blocking call on the loop, a pattern the
sandbox otherwise tolerates). Since nested runs take Turn.children one at a time, the blocking
one waits for the lock on the loop thread, while the awaited one can only let the lock go on
that loop: both sub-runs fail and the outer run loses its whole time limit."""

import asyncio
import tempfile
import time
from pathlib import Path

from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox

tmp = Path(tempfile.mkdtemp())
got = {}


def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"


async def main():
    with Sandbox(pool_size=0, limits=Limits(timeout_s=6), output_dir=tmp) as sb:

        async def a_async() -> str:
            """Sub-run, awaited."""
            t = time.monotonic()
            r = await sb.run("pause(s=0.3)\nwrite_text('/output/a.txt', 'a')\n", [pause])
            got["a"] = (r.ok, round(time.monotonic() - t, 2))
            return repr(r.ok)

        async def b_blocking() -> str:
            """Sub-run, called with run_sync from async code."""
            await asyncio.sleep(0.05)
            t = time.monotonic()
            r = sb.run_sync("write_text('/output/b.txt', 'b')\n")
            got["b"] = (r.ok, r.error and r.error.message[:80], round(time.monotonic() - t, 2))
            return repr(r.ok)

        t = time.monotonic()
        prog = "print(call_tools([('a_async', {}), ('b_blocking', {})]))\n"
        r = await sb.run(prog, [a_async, b_blocking])
        msg = r.error and r.error.message[:80]
        print("outer", r.ok, r.stdout.strip(), msg, round(time.monotonic() - t, 2))
        print(got)


asyncio.run(main())

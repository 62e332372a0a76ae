"""red12/58: when a turn ends, Turn.close() stops only the runs nested *directly* in it. A run
nested two deep (a tool of a nested run starts another run on the directory) lives in the
nested run's own turn, which stays active: it keeps running and writing after the outer turn
was let go, and the next run on the directory reports its files."""

import asyncio
import tempfile
import time
from pathlib import Path

from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox

tmp = Path(tempfile.mkdtemp())


def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"


async def main() -> None:
    with Sandbox(pool_size=0, limits=Limits(timeout_s=10), output_dir=tmp) as sb:

        def level2() -> str:
            """Runs the grandchild program."""
            prog = "pause(s=1.5)\nwrite_text('/output/late.txt', 'from the grandchild')\n"
            r = sb.run_sync(prog, [pause])
            return repr(r.ok)

        def level1() -> str:
            """Runs the child program."""
            r = sb.run_sync("print(level2())\n", [level2])
            return repr(r.ok)

        try:  # the outer run's caller gives up after 0.8 s
            await asyncio.wait_for(sb.run("print(level1())\n", [level1]), 0.8)
        except TimeoutError:
            print("outer run cancelled at 0.8 s; its turn is let go")
        t = time.monotonic()
        nxt = await sb.run("pause(s=2.5)\nprint('next run wrote nothing')\n", [pause])
        print("next run ok:", nxt.ok, "took", round(time.monotonic() - t, 2), "s")
        print("next run's artifacts:", [a.path for a in nxt.artifacts])


asyncio.run(main())

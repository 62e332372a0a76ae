# ruff: noqa
"""red10/46: CALLING_RUN (the nested-run exemption from the output turn) is set in the context
an async tool runs in, and every task that tool creates copies it: a background task the tool
schedules keeps "I am inside a run of sb" forever. A run it starts later, after the outer run
ended, skips the output turn and overlaps whatever run holds it: that run reports its files."""
import asyncio, tempfile, time
from codeact_verify.host import Sandbox, Limits
from codeact_verify.host.bridge import CALLING_RUN
sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3), output_dir=tempfile.mkdtemp())
bg = []
async def later():
    await asyncio.sleep(0.3)
    print("background task sees CALLING_RUN is sb:", CALLING_RUN.get() is sb)
    r = await sb.run("write_text('/output/bg.txt', 'x')\n")
    print("background run ok:", r.ok)
async def schedule() -> str:
    """Schedules a follow-up job."""
    bg.append(asyncio.get_running_loop().create_task(later()))
    return "scheduled"
async def slow() -> str:
    """Waits."""
    await asyncio.sleep(1.0)
    return "done"
async def main():
    r = await sb.run("print(schedule())\n", [schedule]); print("A ok", r.ok)
    b = await sb.run("print(slow())\n", [slow])
    print("B artifacts:", [x.path for x in b.artifacts])
    await asyncio.gather(*bg)
asyncio.run(main())
sb.close()

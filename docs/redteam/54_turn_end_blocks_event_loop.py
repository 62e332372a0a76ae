# ruff: noqa
"""red11/54: `Turn.end` waits for the nested runs it stopped with `time.sleep` polling, up to
0.2 s, and it is called from `Sandbox.run`'s `finally` (and the adapter's) on the caller's event
loop thread. A nested *async* run on the same loop can only `leave` the turn from its own
`finally`, on that same loop, which is blocked: so the wait always runs its full 0.2 s, and the
whole event loop (every other client of a server, every other agent) stands still meanwhile."""
import asyncio, shutil, time
from codeact_verify.host import Sandbox, Limits

OUT = "/tmp/red11_54_out"
shutil.rmtree(OUT, ignore_errors=True)
sb = Sandbox(pool_size=2, limits=Limits(timeout_s=3.0), output_dir=OUT)
tasks = []

async def pause(s: float) -> str:
    """Waits."""
    await asyncio.sleep(s)
    return "ok"

async def spawn(task: str) -> str:
    """Starts a sub-agent in the background and returns at once."""
    tasks.append(asyncio.create_task(sb.run("pause(s=2.0)\n", [pause])))
    await asyncio.sleep(0.1)  # the sub-run is under way
    return "started"

async def heartbeat(gaps):
    last = time.monotonic()
    while True:
        await asyncio.sleep(0.005)
        now = time.monotonic(); gaps.append(now - last); last = now

async def main():
    sb.warm_up()
    gaps = []
    hb = asyncio.create_task(heartbeat(gaps))
    await asyncio.sleep(0.1)
    gaps.clear()
    r = await sb.run("print(spawn(task='t'))\n", [spawn, pause])
    await asyncio.sleep(0.1)
    hb.cancel()
    sub = await tasks[0]
    print(f"outer ok={r.ok}; sub-run stopped: kind={sub.error and sub.error.kind}")
    print(f"longest stall of the event loop: {max(gaps)*1000:.0f} ms")

asyncio.run(main())
sb.close()

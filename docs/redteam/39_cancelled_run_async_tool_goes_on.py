# ruff: noqa
"""red10/39: red9/28's fix stops a cancelled Sandbox.run's guest, but not the async tool it is
waiting in. That tool runs as a task on the caller's own loop (run_coroutine_threadsafe) and
nothing cancels it when the caller is cancelled: it goes on for the rest of the run's time limit
(the runner thread's `_wait` cancels it only at the deadline), doing whatever it does after its
first await -- sending the e-mail, the payment, the file -- after the caller was told the run
was cancelled. (A run that simply times out inside an async tool, by contrast, has the task
cancelled at the deadline.)"""
import asyncio, time
from codeact_verify.host import Sandbox, Limits

events = []

async def send_mail(to: str) -> str:
    """Sends an e-mail after looking the address up."""
    await asyncio.sleep(1.0)  # the lookup
    events.append((round(time.monotonic() - t0, 2), f"mail sent to {to}"))
    return "sent"

async def main():
    global t0
    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=10))
    t0 = time.monotonic()
    try:
        await asyncio.wait_for(sb.run("print(send_mail(to='boss'))\n", [send_mail]), 0.3)
    except (asyncio.TimeoutError, TimeoutError):
        events.append((round(time.monotonic() - t0, 2), "caller: run cancelled"))
    await asyncio.sleep(2.0)  # the application goes on (a server's loop keeps running)
    for e in events:
        print(e)
    sb.close()

asyncio.run(main())

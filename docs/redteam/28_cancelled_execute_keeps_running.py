# ruff: noqa
"""red9/28: cancelling `await codeact.execute(...)` (asyncio.wait_for, a framework timeout, a
client that went away) leaves the guest running until its own time limit, with full tool access:
it calls tools after the caller was cancelled, and the /output file it writes is reported as an
artifact of the *next* run."""
import asyncio, os, threading, time
from codeact_verify import CodeAct
from codeact_verify.host.limits import Limits

sent = []
started = threading.Event()

def lookup(q: str) -> str:
    """A slow lookup (1 s)."""
    started.set()
    time.sleep(1.0)
    return q

def send_email(to: str) -> str:
    """Sends an email."""
    sent.append((round(time.time() - T0, 2), to))
    return "sent"

prog = "v = lookup(q='x')\nprint(send_email(to='boss'))\nwrite_text('/output/late.txt', 'x')\n"
ca = CodeAct(tools=[lookup, send_email], approval_mode="never_require", output_dir=True,
             limits=Limits(timeout_s=10.0))
ca.warm_up()

async def main():
    global T0
    T0 = time.time()
    try:
        await asyncio.wait_for(ca.execute(prog), 0.5)
    except asyncio.TimeoutError:
        print(f"cancelled at {time.time() - T0:.2f} s; emails sent so far: {sent}")
    r = await ca.execute("n = 0\nwhile n < 2000000:\n    n += 1\nprint('second run')\n")
    print(f"second run done at {time.time() - T0:.2f} s; ok={r.ok}; its artifacts:",
          [a.path for a in r.artifacts])
    print("emails sent (time, to):", sent)

asyncio.run(main())
ca.close()

# ruff: noqa
"""red9/35: a read of a named pipe (FIFO) in a mounted directory blocks inside wasmtime's WASI
host code, where neither the epoch deadline nor the bridge's `active` flag reaches it. A program
that names no tool runs inline: `run_sync` never returns (here: killed after 8 s by a watchdog
thread that opens the pipe's other end). With a tool named, the caller returns after
deadline + 0.25 + 5 s with "the guest did not stop in time" and a runner thread is lost."""
import os, tempfile, threading, time
from pathlib import Path
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.host.mounts import Mount

d = Path(tempfile.mkdtemp())
os.mkfifo(d / "pipe")  # e.g. a project or home directory that holds a named pipe

def watchdog():
    time.sleep(8)
    fd = os.open(d / "pipe", os.O_WRONLY | os.O_NONBLOCK)  # lets the reader see EOF
    os.close(fd)

threading.Thread(target=watchdog, daemon=True).start()
with Sandbox(pool_size=0, limits=Limits(timeout_s=0.5), mounts=[Mount(d, "/data", read_only=True)]) as sb:
    t = time.time()
    r = sb.run_sync("print(read_text('/data/pipe'))\n")
    print(f"time limit 0.5 s; run_sync returned after {time.time() - t:.2f} s (only because the "
          f"watchdog opened the pipe): ok={r.ok} error={r.error}")

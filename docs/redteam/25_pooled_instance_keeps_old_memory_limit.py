# ruff: noqa
# Finding 25b: a pooled instance keeps the memory limit it was made with.
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
prog = "s = 'x' * (150 * 1024 * 1024)\nprint(len(s))\n"
for pool in (1, 0):
    with Sandbox(limits=Limits(memory_mb=256), pool_size=pool) as sb:
        sb.run_sync("print(1)"); sb.wait_ready()
        sb.limits = Limits(memory_mb=64)  # the next runs: 64 MB
        r = sb.run_sync(prog)
        print(f"pool_size={pool}: memory_mb=64 run ->", r.ok, r.stdout.strip(), r.error.kind if r.error else None)

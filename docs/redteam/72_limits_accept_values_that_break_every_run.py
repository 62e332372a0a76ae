"""red15/72: `Limits` validation (positive, finite, timeout at most a week) still accepts
values that break every run: a float where an int is meant (`memory_mb=64.5`: each run raises
TypeError out of `run_sync`/`execute_sync` instead of returning a result) and an integer past
what the guest can take (`recursion=10**20`: each run ends `runtime`, "the sandbox runtime
failed", whatever the program). The caller learns of it at run time, not at construction."""

from codeact_verify import executor
from codeact_verify.host import Limits, Sandbox

for bad in (dict(memory_mb=64.5), dict(recursion=10**20)):
    limits = Limits(**bad)  # accepted: expected a ValueError here
    sb = Sandbox(pool_size=0, limits=limits)
    try:
        r = executor.execute_sync("print('hi')", {}, sandbox=sb).result
        print(bad, "->", r.ok, r.error and (r.error.kind, r.error.message))
    except Exception as exc:
        print(bad, "-> raised", type(exc).__name__, exc)
    sb.close()
# {'memory_mb': 64.5} -> raised TypeError unsupported operand type(s) for <<: 'float' and 'int'
# {'recursion': 100000000000000000000} -> False ('runtime', 'the sandbox runtime failed')

# ruff: noqa
import time
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
BIG = "s = 'y'\nfor i in range(24):\n    s = s + s\nn = 0\n"
progs = {
 "short_range": BIG + "for j in range(1000):\n    n = n + s.count('z')\n",
 "tuple": BIG + "for j in tuple(range(1000)):\n    n = n + s.count('z')\n",
 "long_range_ref": BIG + "for j in range(10**9):\n    n = n + s.count('z')\n",
}
with Sandbox(pool_size=0, limits=Limits(timeout_s=1.0)) as sb:
    for n,p in progs.items():
        t=time.time()
        r = sb.run_sync(p)
        print(n, r.ok, r.error.kind if r.error else None, r.error.line if r.error else None, (r.error.message[:90] if r.error else ""), round(time.time()-t,2))

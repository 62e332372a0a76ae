# ruff: noqa
import time
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
BIG = "s = 'y'\nfor i in range(24):\n    s = s + s\nn = 0\n"
progs = {
 "list": BIG + "for j in list(range(1000)):\n    n = n + s.count('z')\n",
 "comprehension": BIG + "x = [s.count('z') for j in range(1000)]\n",
 "str_1000": BIG + "for c in 'a' * 1000:\n    n = n + s.count('z')\n",
 "nested_short": BIG + "for i in range(40):\n    for j in range(40):\n        n = n + s.count('z')\n",
 "dict": BIG + "d = dict.fromkeys(range(1000))\nfor k in d:\n    n = n + s.count('z')\n",
}
with Sandbox(pool_size=0, limits=Limits(timeout_s=1.0)) as sb:
    for n,p in progs.items():
        t=time.time()
        r = sb.run_sync(p)
        print(n, r.ok, r.error.kind if r.error else None, "line", r.error.line if r.error else None, round(time.time()-t,2))

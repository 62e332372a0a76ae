# ruff: noqa
import time
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.limits import Limits
from codeact_verify.executor import execute_sync
from codeact_verify.tools import tool_specs

def slow(city: str) -> str:
    """Blocks past any short time limit."""
    time.sleep(1.5)
    return "late"

def fast(city: str) -> str:
    """Quick."""
    return "ok"

specs = tool_specs([slow, fast])
progs = {
 "alias": "f = slow\nif len('ab') > 5:\n    slow(city='a')\nf(city='b')\n",
 "dynamic": "if len('ab') > 5:\n    slow(city='a')\nfor name in ['fast', 'slow']:\n    call_tool(name, city='b')\n",
 "map": "if len('ab') > 5:\n    slow(city='a')\nr = list(map(slow, ['x']))\n",
 "transpiled": "# c\n\nx = call_tool('fast', city='a')\n\n\nprint(x)\ny = call_tool(\n  'slow',\n  city='b')\n",
}
for verified in (True, False):
  with Sandbox(limits=Limits(timeout_s=0.5)) as sb:
    for n,p in progs.items():
        ex = execute_sync(p, specs, sandbox=sb, verified=verified)
        r = ex.result
        if r is None:
            print(verified, n, "REJECTED", [ (d.code, d.line, d.message[:80]) for d in ex.report.diagnostics if d.severity=="error"][:3]); continue
        print(verified, n, r.error.kind if r.error else None, "line", r.error.line if r.error else None, [ (c.name, c.ok) for c in r.tool_calls], (r.error.message[:100] if r.error else ""))

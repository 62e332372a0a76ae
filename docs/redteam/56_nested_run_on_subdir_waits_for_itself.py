"""red12/56: a tool of a run on OUT starts a run of another sandbox on OUT/sub (a per-task
sub-directory of the agent's output directory). The sub-run is not recognised as nested (the
keys differ), so it waits in the registry for the outer turn -- held by its own caller -- for
its whole time limit, then is refused; the outer run loses that time too."""

import tempfile
import time
from pathlib import Path

from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox

tmp = Path(tempfile.mkdtemp())
(tmp / "sub").mkdir()
got = {}
with (
    Sandbox(pool_size=0, limits=Limits(timeout_s=8), output_dir=tmp) as outer_sb,
    Sandbox(pool_size=0, limits=Limits(timeout_s=3), output_dir=tmp / "sub") as sub_sb,
):

    def delegate(name: str) -> str:
        """Runs a sub-task that writes into its own sub-directory."""
        t = time.monotonic()
        r = sub_sb.run_sync(f"write_text('/output/{name}.txt', 'x')\nprint('sub done')\n")
        got["sub"] = (r.ok, r.error and r.error.message[:110], round(time.monotonic() - t, 2))
        return repr(r.ok)

    t0 = time.monotonic()
    r = outer_sb.run_sync("print(delegate(name='a'))\n", [delegate])
    print("outer ok:", r.ok, r.stdout.strip(), r.error, "in", round(time.monotonic() - t0, 2), "s")
    print("sub-run (ok, error, seconds):", got.get("sub"))

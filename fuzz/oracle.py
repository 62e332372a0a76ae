"""The escape oracle: run an accepted program in the sandbox and record every forbidden event.

Canaries: a secret in the host process environment, a secret file outside every mount (with a
symlink to it planted inside the read-only mount), and a watch on the canary directory. Events:
a canary secret in stdout, stderr or any tool call's arguments; the canary file changed or a new
file next to it; a refusal by the guest's runtime guard or audit hook (error kind ``rejected``:
the verifier let through something the runtime had to stop); a call of an unregistered tool; the
host itself failing (anything but a structured ``ExecutionResult``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codeact_verify.host import ExecutionResult, Limits, Mount, Sandbox
from codeact_verify.tools import ToolSpec

CANARY_ENV = "CODEACT_FUZZ_CANARY"
GUEST_MOUNT = "/data"


@dataclass
class OracleRun:
    result: ExecutionResult | None
    events: list[str] = field(default_factory=list)


class EscapeOracle:
    """A sandbox plus canaries; reuse it across many runs (``close()`` at the end)."""

    #: one run in this many takes a pooled instance (the first run among them)
    POOLED_EVERY = 8

    def __init__(self, timeout_s: float = 5.0, memory_mb: int = 128) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="codeact-fuzz-"))
        self.canary_dir = self.root / "outside"
        self.canary_dir.mkdir()
        self.file_secret = "FILECANARY" + secrets.token_hex(8)
        self.canary_file = self.canary_dir / "secret.txt"
        self.canary_file.write_text(self.file_secret)
        self.mount_dir = self.root / "mounted"
        self.mount_dir.mkdir()
        (self.mount_dir / "data.txt").write_text("hello\n")
        try:
            (self.mount_dir / "escape").symlink_to(self.canary_file)
        except OSError:
            pass
        self.env_secret = "ENVCANARY" + secrets.token_hex(8)
        os.environ[CANARY_ENV] = self.env_secret
        self._baseline = self._canary_state()
        # Two sandboxes, alike but for their pools. Most runs take an instance made for the
        # run (the path of back-to-back runs, when the pool thread has not refilled yet, and
        # of `pool_size=0`); one in `POOLED_EVERY` takes a pooled one (made ahead, its dry runs
        # done, the run's config parsed ahead: the path of an agent's next program). Refilling
        # a pool after every run would cost more CPU than the runs themselves (a warm
        # instance about 13 ms to make; a fuzz program's run on a fresh one about 12 ms, on a
        # pooled one 4.5), which a campaign's workers need for their examples.
        self.sandbox = self._sandbox(timeout_s, memory_mb, pool_size=0)
        self.pooled = self._sandbox(timeout_s, memory_mb, pool_size=1)
        self.runs = 0

    def _sandbox(self, timeout_s: float, memory_mb: int, pool_size: int) -> Sandbox:
        return Sandbox(
            # the whole tool-call log: the oracle reads every argument for the canary
            limits=Limits(
                timeout_s=timeout_s,
                memory_mb=memory_mb,
                output_bytes=1 << 16,
                max_log_bytes=1 << 30,
            ),
            mounts=[Mount(self.mount_dir, GUEST_MOUNT, read_only=True)],
            pool_size=pool_size,
        )

    def _canary_state(self) -> tuple[Any, ...]:
        entries = sorted(p.name for p in self.canary_dir.iterdir())
        st = self.canary_file.stat()
        return (entries, st.st_mtime_ns, st.st_size, self.canary_file.read_text())

    def _leaks(self, text: str) -> list[str]:
        out = []
        if self.env_secret in text:
            out.append("host environment canary reached the program")
        if self.file_secret in text:
            out.append("canary file outside the mounts was read")
        return out

    def run(
        self, program: str, specs: Mapping[str, ToolSpec], policy: dict[str, Any] | None = None
    ) -> OracleRun:
        self.runs += 1
        sandbox = self.pooled if self.runs % self.POOLED_EVERY == 1 else self.sandbox
        try:
            result = sandbox.run_sync(program, specs, policy)
        except Exception as exc:  # the host must always answer with a result
            return OracleRun(None, [f"host error: {type(exc).__name__}: {exc}"])
        events: list[str] = []
        for where, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            events += [f"{e} ({where})" for e in self._leaks(text)]
        for call in result.tool_calls:
            if call.name not in specs:
                events.append(f"call of unregistered tool {call.name!r}")
            events += [
                f"{e} (tool arguments)"
                for e in self._leaks(json.dumps(call.arguments, default=str))
            ]
        if result.error is not None and result.error.kind == "rejected":
            events.append(f"runtime guard refusal: {result.error.message}")
        state = self._canary_state()
        if state != self._baseline:
            events.append("canary directory outside the mounts changed")
            self._baseline = state
        return OracleRun(result, events)

    def close(self) -> None:
        self.sandbox.close()
        self.pooled.close()
        os.environ.pop(CANARY_ENV, None)
        shutil.rmtree(self.root, ignore_errors=True)

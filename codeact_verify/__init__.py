"""codeact-verify: check a CodeAct program before it runs, then run it in a WebAssembly sandbox.

The small public face::

    from codeact_verify import CodeAct, verify

    codeact = CodeAct(tools=[get_weather], approval_mode="never_require")
    report = codeact.verify(code)          # static only
    result = await codeact.execute(code)   # verify -> transpile -> sandbox

Each layer can be used alone: `verify` (codeact_verify.verifier), `transpile`
(codeact_verify.transpile), `Sandbox` (codeact_verify.host), `execute` (codeact_verify.executor).
Names are imported lazily, so `import codeact_verify` stays cheap (mypy and wasmtime load on use).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not `typing` (about 10 ms): `codeact-verify check` via the daemon
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "CodeAct": "codeact",
    "verify": "verifier",
    "transpile": "transpile",
    "execute": "executor",
    "execute_sync": "executor",
    "Execution": "executor",
    "Report": "diagnostics",
    "Diagnostic": "diagnostics",
    "Effect": "diagnostics",
    "CallSite": "diagnostics",
    "ToolSpec": "tools",
    "load_grammar": "grammar",
    "Grammar": "grammar",
    "Sandbox": "host",
    "Limits": "host",
    "Mount": "host",
    "NetworkPolicy": "host",
    "ExecutionResult": "host",
    "ExecutionError": "host",
    "CodeActError": "errors",
    "GrammarError": "errors",
    "ToolSpecError": "errors",
    "GuestBuildError": "errors",
    "SandboxError": "errors",
    "ApprovalDenied": "errors",
}

__all__ = [
    "ApprovalDenied",
    "CallSite",
    "CodeAct",
    "CodeActError",
    "Diagnostic",
    "Effect",
    "Execution",
    "ExecutionError",
    "ExecutionResult",
    "Grammar",
    "GrammarError",
    "GuestBuildError",
    "Limits",
    "Mount",
    "NetworkPolicy",
    "Report",
    "Sandbox",
    "SandboxError",
    "ToolSpec",
    "ToolSpecError",
    "execute",
    "execute_sync",
    "load_grammar",
    "transpile",
    "verify",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codeact_verify' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:  # pragma: no cover
    from .codeact import CodeAct
    from .diagnostics import CallSite, Diagnostic, Effect, Report
    from .errors import (
        ApprovalDenied,
        CodeActError,
        GrammarError,
        GuestBuildError,
        SandboxError,
        ToolSpecError,
    )
    from .executor import Execution, execute, execute_sync
    from .grammar import Grammar, load_grammar
    from .host import ExecutionError, ExecutionResult, Limits, Mount, NetworkPolicy, Sandbox
    from .tools import ToolSpec
    from .transpile import transpile
    from .verifier import verify

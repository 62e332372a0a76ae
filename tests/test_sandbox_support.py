"""Shared helpers for the sandbox tests (no tests here).

The guest is built once per cache (user cache dir, or $CODEACT_VERIFY_CACHE) and loaded once per
process; each test module makes its own `Sandbox` objects, which are cheap.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from codeact_verify.host import Limits, Sandbox
from codeact_verify.host.engine import loaded_guest
from codeact_verify.tools import ToolSpec, tool_specs

# A small policy so the tests do not depend on the grammar files.
POLICY: dict[str, Any] = {
    "builtins": [
        "abs", "all", "any", "bool", "dict", "enumerate", "Exception", "float", "getattr",
        "hasattr", "int", "isinstance", "len", "list", "max", "min", "print", "range", "repr",
        "set", "sorted", "str", "sum", "tuple", "type", "ValueError", "TypeError", "KeyError",
        "PermissionError", "OSError", "ConnectionError", "RecursionError", "MemoryError",
        "BaseException", "zip", "True", "False", "None", "object", "iter", "next",
    ],
    "modules": {
        "json": {"allow": None, "deny": []},
        "math": {"allow": None, "deny": []},
        "collections": {"allow": None, "deny": []},
        "operator": {"allow": None, "deny": ["attrgetter", "methodcaller"]},
        "string": {"allow": ["ascii_letters", "digits"], "deny": []},
        "typing": {"allow": None, "deny": []},
        "re": {"allow": None, "deny": []},
    },
}


def ensure_loaded() -> None:
    loaded_guest()


def specs(*tools: Any) -> dict[str, ToolSpec]:
    return tool_specs(list(tools))


def make_sandbox(**kwargs: Any) -> Sandbox:
    ensure_loaded()
    kwargs.setdefault("pool_size", 0)
    return Sandbox(**kwargs)


def run(sb: Sandbox, program: str, tools: Any = (), policy: dict[str, Any] | None = None):
    return sb.run_sync(program, specs(*tools) if not isinstance(tools, dict) else tools,
                       policy=policy or POLICY)


def host_files(*roots: Path) -> set[str]:
    out: set[str] = set()
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                out.add(os.path.join(dirpath, name))
    return out


__all__ = ["POLICY", "Limits", "host_files", "make_sandbox", "run", "specs"]


def ready_sandbox(pool_size: int = 1, **kwargs: Any) -> Sandbox:
    """A sandbox whose ready pool is full (a run can start ahead of its type check)."""
    sb = make_sandbox(pool_size=pool_size, **kwargs)
    sb.warm_up()
    assert sb.wait_ready()
    return sb


def run_child(code: str, timeout: float = 90.0) -> Any:
    """``code`` (dedented) in a new Python process: for crashes, signals and forks."""
    import subprocess
    import sys
    import textwrap

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )

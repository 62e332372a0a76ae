"""The public names of each stdlib module the sandbox bundles, as the GUEST's Python sees them.

The verifier runs on the host's Python (3.11 or newer) and the guest on its own (3.14): a
module's names differ between them (3.14's `calendar` exports `IntEnum`). So the names come from
the guest: a program run inside the guest lists each bundled module's public names and asks the
guest's own attribute guard about each one; the answer (allowed, or refused and why) is checked
in as `grammars/guest_stdlib.json`. The grammar (`codeact_verify/grammar.py`) builds every
module's allowed names from that file, the verifier and the guest's policy
(`Grammar.runtime_policy()`) both use them, and `tests/test_guest_stdlib_names.py` fails when the
file and the guest disagree.

Regenerate after changing the guest or its guards: `python -m codeact_verify.host.stdlib_names`.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from typing import Any

from ..grammar import GUEST_NAMES_FILE
from .limits import Limits
from .sandbox import Sandbox

_BUILTINS = ["dir", "getattr", "len", "print", "sorted", "str", "AttributeError", "TypeError"]
_REASON = re.compile(r"\((.*)\)$")


def bundled_modules() -> list[str]:
    """The stdlib modules the guest runtime bundles (sandbox/runtime/stdlib.py)."""
    stdlib = importlib.import_module("codeact_verify.guest.runtime.stdlib")
    return sorted(stdlib.BUNDLED)


def _program(modules: list[str]) -> str:
    lines = []
    names = {}
    for i, module in enumerate(modules):
        alias = f"m{i}"
        lines.append(f"import {module} as {alias}")
        names[module] = alias
    lines.append("import json as out_json")
    table = ", ".join(f"({m!r}, {a})" for m, a in names.items())
    lines.append(f"mods = [{table}]")
    lines.append(
        """
for name, mod in mods:
    allowed = []
    refused = {}
    for attr in dir(mod):
        if attr.startswith("_"):
            continue
        try:
            getattr(mod, attr)
            allowed.append(attr)
        except (AttributeError, TypeError) as e:
            refused[attr] = str(e)
    print(out_json.dumps([name, allowed, refused]))
"""
    )
    return "\n".join(lines) + "\n"


def guest_stdlib_names(sandbox: Sandbox | None = None) -> dict[str, Any]:
    """Ask the guest: {"modules": {module: {"allowed": [...], "refused": {name: why}}}}."""
    modules = bundled_modules()
    policy = {
        "builtins": _BUILTINS,
        "modules": {m: {"allow": None, "deny": []} for m in modules},
        "attributes": {"deny_private": True, "deny": [], "deny_prefixes": []},
    }
    own = sandbox is None
    sb = sandbox or Sandbox(limits=Limits(output_bytes=1 << 20, timeout_s=60.0), pool_size=0)
    try:
        result = sb.run_sync(_program(modules), (), policy=policy)
    finally:
        if own:
            sb.close()
    if not result.ok:
        raise RuntimeError(f"the guest could not list its stdlib names: {result.error}")
    out: dict[str, Any] = {}
    for line in result.stdout.splitlines():
        name, allowed, refused = json.loads(line)
        reasons = {}
        for attr, message in sorted(refused.items()):
            match = _REASON.search(message)
            reasons[attr] = match.group(1) if match else message
        out[name] = {"allowed": sorted(allowed), "refused": reasons}
    return {"modules": out}


def main() -> int:
    data = guest_stdlib_names()
    GUEST_NAMES_FILE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GUEST_NAMES_FILE} ({len(data['modules'])} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["bundled_modules", "guest_stdlib_names"]

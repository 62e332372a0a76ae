"""The floor for the sandbox benches: a bare componentize-py guest without the runtime's guards.

The guest is a tiny WIT world with one import (`call-tool`, the same shape as the real guest's)
and one export `run(code) -> string` that only `exec`s the code with plain builtins and the
tools as small JSON stubs, and returns what it printed. No RestrictedPython, no audit hook, no
limits, no output streaming. It runs on the same engine (`host.engine.shared_engine`, the same
wasmtime `Config`) and its `call-tool` goes through the same fixed-signature trampoline
(`host.fastcall`), so the difference to the real guest is the runtime and its guards, and the
difference to CPython `exec` is WebAssembly and componentize-py.

It is built with componentize-py at bench time into the cache (`floor/<key>` beside the real
guest's entry), keyed by its source and the tool versions, like `host.build` does for the guest.
It is a yardstick only: never use it to run untrusted code.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from codeact_verify.errors import GuestBuildError
from codeact_verify.host import build

WIT = """\
package codeact:floor@0.1.0;

world floor {
  import call-tool: func(name: string, arguments: string) -> result<string, string>;
  export run: func(code: string, tools: string) -> string;
}
"""

GUEST = '''\
import io
import json
import sys

import wit_world


def _stub(name):
    def tool(**kwargs):
        return json.loads(wit_world.call_tool(name, json.dumps(kwargs)))

    tool.__name__ = name
    return tool


class WitWorld(wit_world.WitWorld):
    def run(self, code: str, tools: str) -> str:
        out = io.StringIO()
        sys.stdout = out
        scope = {name: _stub(name) for name in json.loads(tools)}
        try:
            exec(code, scope)
        except Exception as exc:
            out.write(f"error: {type(exc).__name__}: {exc}")
        finally:
            sys.stdout = sys.__stdout__
        return out.getvalue()
'''

FORMAT = "1"


def floor_key() -> str:
    digest = hashlib.sha256()
    for part in (WIT, GUEST, FORMAT, json.dumps(build._versions(), sort_keys=True)):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def ensure_floor_guest(progress: Callable[[str], None] | None = None) -> Path:
    """The compiled (serialised) floor component, built into the cache on first use."""
    key = floor_key()
    directory = build.cache_root() / "floor" / key[:24]
    compiled = directory / "floor.cwasm"
    if compiled.is_file():
        return compiled
    with build._lock(build.cache_root() / "floor" / ".build.lock"):
        if compiled.is_file():
            return compiled
        if progress is not None:
            progress(f"floor guest: building it (once) -> {directory}")
        directory.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=directory.parent, prefix=".build-") as tmp:
            stage = Path(tmp) / "stage"
            (stage / "wit").mkdir(parents=True)
            (stage / "wit" / "world.wit").write_text(WIT)
            (stage / "floor_guest.py").write_text(GUEST)
            out = Path(tmp) / "entry"
            out.mkdir()
            launcher = (
                "import sys; from componentize_py import script; "
                "sys.argv[0] = 'componentize-py'; sys.exit(script())"
            )
            cmd = [
                sys.executable, "-c", launcher, "-d", str(stage / "wit"), "-w", "floor",
                "componentize", "floor_guest", "-p", str(stage), "-o", str(out / "floor.wasm"),
            ]  # fmt: skip
            env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
            proc = subprocess.run(cmd, cwd=stage, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                tail = (proc.stderr or proc.stdout or "").strip()[-2000:]
                raise GuestBuildError(f"componentize-py failed for the floor guest:\n{tail}")
            from wasmtime.component import Component

            from codeact_verify.host.engine import shared_engine

            component = Component.from_file(shared_engine(), str(out / "floor.wasm"))
            (out / "floor.cwasm").write_bytes(bytes(component.serialize()))
            if directory.exists():
                shutil.rmtree(directory)
            os.replace(out, directory)
    return compiled


class FloorGuest:
    """The bare guest, loaded: `instance()` makes a fresh store and instance (as every real
    run gets), `run(instance, code)` returns what the code printed."""

    def __init__(self, tools: Mapping[str, Callable[..., Any]]) -> None:
        import wasmtime
        from wasmtime.component import Component, Linker, Variant

        from codeact_verify.host.engine import shared_engine
        from codeact_verify.host.fastcall import add_fast_func

        self._wasmtime = wasmtime
        self.tools = dict(tools)
        self.tool_names = json.dumps(sorted(self.tools))
        self.engine = shared_engine()
        self.component = Component.deserialize_file(self.engine, str(ensure_floor_guest()))
        self.linker = Linker(self.engine)
        self.linker.add_wasip2()

        def call_tool(name: str, arguments: str) -> tuple[bool, str]:
            try:
                return True, json.dumps(self.tools[name](**json.loads(arguments)))
            except Exception as exc:
                return False, f"{type(exc).__name__}: {exc}"

        with self.linker.root() as root:
            if not add_fast_func(root, "call-tool", ("string", "string"), True, call_tool):

                def generic(_store: Any, name: str, arguments: str) -> Any:
                    ok, payload = call_tool(name, arguments)
                    return Variant("ok" if ok else "err", payload)

                root.add_func("call-tool", generic)

    def instance(self) -> tuple[Any, Any]:
        wasmtime = self._wasmtime
        store = wasmtime.Store(self.engine)
        store.set_wasi(wasmtime.WasiConfig())
        store.set_epoch_deadline(1_000_000)
        inst = self.linker.instantiate(store, self.component)
        return store, inst.get_func(store, "run")

    def run(self, instance: tuple[Any, Any], code: str) -> str:
        store, run = instance
        return str(run(store, code, self.tool_names))

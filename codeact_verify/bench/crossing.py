"""Where a tool call's time goes: the floor under `bench/sandbox.py`'s per-call overhead.

    .venv/bin/python bench/crossing.py [--calls N]

Rows (µs per call, median of 7 rounds, p90 beside):
- an empty host-function round trip from WebAssembly (a minimal component written in WAT: a
  core loop calling an imported `ping: func()`), with wasmtime-py's generic `add_func` and
  with the fixed-signature trampoline (`codeact_verify.host.fastcall`): the crossing itself;
- the host bridge (`RunBridge.call_tool`: limits, JSON in and out, the tool, the record),
  natively;
- the guest's side of a call (stub: bind and check arguments, JSON out, count, JSON in) run
  natively on the host with the crossing stubbed out; in the guest the same Python runs on
  CPython compiled to WebAssembly, several times slower (see the CPU-loop row of
  bench/sandbox.py for the factor measured in the same conditions);
- a program in the guest making 1000 tool calls, from the guest's exec time: once with the
  host's side of `call-tool` answering at once (what is left is the guest's Python plus the
  crossing, strings both ways), once with the real bridge;
- the same 1000 calls in the floor guest (`bench/floor.py`: a bare componentize-py guest whose
  tool stub is `json.loads(call_tool(name, json.dumps(kwargs)))` and whose host side is
  `json.dumps(tool(**json.loads(arguments)))`, no checks on either side), timed by the guest's
  own clock around the loop: once with a tool that returns at once, once with the same tool.
  That is what any tool call costs on this stack (CPython compiled to WebAssembly, wasmtime-py,
  componentize-py); the last line compares ours with it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import statistics
import sys
import time
import types
from collections.abc import Callable
from typing import Any

import wasmtime
from wasmtime.component import Component, Linker

from codeact_verify.host.bridge import RunBridge
from codeact_verify.host.fastcall import add_fast_func
from codeact_verify.host.limits import Limits
from codeact_verify.tools import tool_specs

PING_WAT = """
(component
  (import "ping" (func $ping))
  (core func $ping_lowered (canon lower (func $ping)))
  (core module $m
    (import "host" "ping" (func $ping))
    (func (export "run") (param $n i32)
      (block $done
        (loop $again
          (br_if $done (i32.eqz (local.get $n)))
          (call $ping)
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $again)))))
  (core instance $i (instantiate $m (with "host" (instance (export "ping" (func $ping_lowered))))))
  (func (export "run") (param "n" u32) (canon lift (core func $i "run")))
)
"""


def get_weather(city: str) -> dict[str, Any]:
    """A cheap tool."""
    return {"city": city, "temp": 21.5}


def rounds(fn: Callable[[int], None], calls: int, n_rounds: int = 7) -> list[float]:
    out = []
    for _ in range(n_rounds):
        t0 = time.perf_counter()
        fn(calls)
        out.append((time.perf_counter() - t0) * 1e6 / calls)
    return out


def crossing(fast: bool) -> Callable[[int], None]:
    engine = wasmtime.Engine()
    component = Component(engine, PING_WAT)
    linker = Linker(engine)
    with linker.root() as root:
        if fast:
            add_fast_func(root, "ping", (), False, lambda: None)
        else:
            root.add_func("ping", lambda _store: None)
    store = wasmtime.Store(engine)
    run = linker.instantiate(store, component).get_func(store, "run")
    assert run is not None

    def go(n: int) -> None:
        run(store, n)

    return go


def host_bridge() -> Callable[[int], None]:
    specs = tool_specs([get_weather])
    pool = concurrent.futures.ThreadPoolExecutor(1)
    limits = Limits(max_tool_calls=10**9)

    def go(n: int) -> None:
        bridge = RunBridge(specs, limits, None, time.monotonic() + 600, None, pool)
        for _ in range(n):
            bridge.call_tool("get_weather", '{"city": "x"}')

    return go


def guest_side() -> Callable[[int], None]:
    """The guest runtime's call path, natively, with the WIT import replaced by a constant."""
    from codeact_verify.host.build import guest_source_dir

    sandbox_dir = guest_source_dir()  # sandbox/, installed as codeact_verify.guest
    fake_world = types.ModuleType("wit_world")
    fake_world.call_tool = lambda name, args: '{"city": "x", "temp": 21.5}'  # type: ignore[attr-defined]
    fake_types = types.ModuleType("componentize_py_types")

    class Err(Exception):
        pass

    fake_types.Err = Err  # type: ignore[attr-defined]
    fake_types.Ok = type("Ok", (), {})  # type: ignore[attr-defined]
    saved = {k: sys.modules.get(k) for k in ("wit_world", "componentize_py_types")}
    sys.modules["wit_world"] = fake_world
    sys.modules["componentize_py_types"] = fake_types
    sys.path.insert(0, str(sandbox_dir))
    try:
        from runtime.bridge import TOOLS, make_stub  # type: ignore[import-not-found]
        from runtime.state import STATE  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(sandbox_dir))
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    spec = tool_specs([get_weather])["get_weather"]
    STATE.reset({"max_tool_calls": 10**9, "max_arg_bytes": 1 << 20})
    TOOLS.reset(
        {
            "get_weather": {
                "param_names": list(spec.param_names),
                "params": [list(p) for p in spec.params],
                "parameters": spec.parameters,
            }
        }
    )
    stub = make_stub("get_weather", TOOLS.specs["get_weather"])

    def go(n: int) -> None:
        for _ in range(n):
            stub(city="x")

    return go


def in_guest(trivial_host: bool) -> Callable[[int], None]:
    """Tool calls made by a program in the guest (ready pool), µs per call from the guest's
    own exec time; with `trivial_host` the host's side of call-tool answers at once (no
    limits, JSON, tool or record), which leaves the guest's Python and the crossing."""
    from codeact_verify.host import Sandbox

    sandbox = Sandbox(pool_size=1)
    sandbox.warm_up()
    specs = tool_specs([get_weather])
    real = RunBridge.call_tool

    def go(n: int) -> None:
        program = f"for i in range({n}):\n    get_weather(city='x')\n"
        sandbox.wait_ready()
        if trivial_host:
            RunBridge.call_tool = lambda self, name, arguments: (True, "1")  # type: ignore[method-assign]
        try:
            result = sandbox.run_sync(program, specs)
        finally:
            RunBridge.call_tool = real  # type: ignore[method-assign]
        if not result.ok:
            raise RuntimeError(f"bench program failed: {result.error}")
        # report through the shared list: the guest's exec time, not the whole run
        _GUEST_MS.append(result.timings["guest_exec_ms"])

    return go


_GUEST_MS: list[float] = []

FLOOR_PROGRAM = """\
import time
started = time.perf_counter()
for i in range({n}):
    get_weather(city='x')
print((time.perf_counter() - started) * 1000.0)
"""


def floor_guest(trivial_tool: bool) -> Callable[[int], None]:
    """Tool calls made by a program in the floor guest, µs per call from the guest's clock
    around the loop (each round on a fresh instance, as every real run gets one); with
    `trivial_tool` the tool returns a constant at once."""
    from codeact_verify.bench.floor import FloorGuest, ensure_floor_guest

    ensure_floor_guest(progress=lambda line: print(line, file=sys.stderr, flush=True))
    floor = FloorGuest({"get_weather": (lambda city: 1) if trivial_tool else get_weather})

    def go(n: int) -> None:
        printed = floor.run(floor.instance(), FLOOR_PROGRAM.format(n=n))
        try:
            _GUEST_MS.append(float(printed))
        except ValueError:
            raise RuntimeError(f"floor bench program failed: {printed[:500]}") from None

    return go


def guest_rounds(fn: Callable[[int], None], calls: int, n_rounds: int = 7) -> list[float]:
    _GUEST_MS.clear()
    for _ in range(n_rounds):
        fn(calls)
    return [ms * 1000.0 / calls for ms in _GUEST_MS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args(argv)
    n = args.calls
    rows = [
        ("empty host call, wasmtime-py add_func", rounds(crossing(False), n)),
        ("empty host call, fastcall trampoline", rounds(crossing(True), n)),
        ("host bridge call_tool (native)", rounds(host_bridge(), n // 4)),
        ("guest call path (native CPython)", rounds(guest_side(), n // 4)),
        ("in guest: tool call, no-op host side", guest_rounds(in_guest(True), 1000)),
        ("in guest: tool call, real host bridge", guest_rounds(in_guest(False), 1000)),
        ("floor guest: tool call, no-op tool", guest_rounds(floor_guest(True), 1000)),
        ("floor guest: tool call, same tool", guest_rounds(floor_guest(False), 1000)),
    ]
    print(f"tool-call cost breakdown: {n} calls per round, 7 rounds, µs per call")
    header = f"{'part':<40} {'p50':>8} {'p90':>8}"
    print(header)
    print("-" * len(header))
    for name, values in rows:
        p90 = sorted(values)[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
        print(f"{name:<40} {statistics.median(values):8.2f} {p90:8.2f}")
    medians = {name: statistics.median(values) for name, values in rows}
    ours = medians["in guest: tool call, real host bridge"]
    floor = medians["floor guest: tool call, same tool"]
    print(
        f"ours / floor, same tool: {ours / floor:.2f}x "
        f"({ours:.1f} vs {floor:.1f} µs; issue 12's target: 20 µs a call)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does a wasmtime setting move the floor? The bare guest's CPU loop (bench/floor.py) under
several engine configurations, compiled in this process and run alternately with CPython `exec`
of the same loop, medians and the ratio to `exec`.

    .venv/bin/python -m codeact_verify.bench.engine_config [--rounds 7]

Each configuration compiles the floor component anew (tens of seconds each on a small machine).
The sandbox's own engine is `speed` with epoch interruption (host/engine.py); epoch
interruption is required for the time limit, so "no epoch" is shown only as a bound.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections.abc import Callable

PROGRAM = "total = 0\nfor i in range(100000):\n    total += i * i % 7\nprint(total)\n"
CONFIGS = {
    "speed, epoch (the sandbox's)": ("speed", True),
    "speed_and_size, epoch": ("speed_and_size", True),
    "speed, no epoch (bound only)": ("speed", False),
}


def _runner(opt_level: str, epoch: bool) -> Callable[[], float]:
    import wasmtime
    from wasmtime.component import Component, Linker

    from codeact_verify.bench.floor import ensure_floor_guest
    from codeact_verify.host.fastcall import add_fast_func

    wasm = ensure_floor_guest().with_name("floor.wasm")
    config = wasmtime.Config()
    config.epoch_interruption = epoch
    config.cranelift_opt_level = opt_level
    engine = wasmtime.Engine(config)
    component = Component.from_file(engine, str(wasm))
    linker = Linker(engine)
    linker.add_wasip2()
    with linker.root() as root:
        add_fast_func(root, "call-tool", ("string", "string"), True, lambda n, a: (True, "1"))
    expected = str(sum(i * i % 7 for i in range(100000)))

    def run() -> float:
        store = wasmtime.Store(engine)
        store.set_wasi(wasmtime.WasiConfig())
        if epoch:
            store.set_epoch_deadline(1 << 40)
        func = linker.instantiate(store, component).get_func(store, "run")
        t0 = time.perf_counter()
        out = func(store, PROGRAM, "[]")
        ms = (time.perf_counter() - t0) * 1000
        if str(out).strip() != expected:
            raise RuntimeError(f"floor guest printed {out!r}")
        return ms

    return run


def _native() -> float:
    code = compile(PROGRAM, "<native>", "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        t0 = time.perf_counter()
        exec(code, {})
        return (time.perf_counter() - t0) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    runners = {name: _runner(*cfg) for name, cfg in CONFIGS.items()}
    times: dict[str, list[float]] = {name: [] for name in runners}
    native: list[float] = []
    for _ in range(args.rounds):
        for name, run in runners.items():
            times[name].append(run())
        native.append(_native())
    base = statistics.median(native)
    print(f"floor CPU loop, {args.rounds} rounds, alternating; CPython exec median {base:.1f} ms")
    print(f"{'engine config':<32} {'median ms':>10} {'x exec':>7}")
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:<32} {med:>10.1f} {med / base:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

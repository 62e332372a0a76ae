"""One-shot `codeact-verify check` from the command line: in-process (cold) vs the warm daemon.

    .venv/bin/python -m codeact_verify.bench.check_cli [--repeats 10]
    codeact-verify bench --check-cli [--repeats 10]

Every timed run is a new process, as a script or an editor plugin would start it. In one run,
interleaved round by round: the interpreter's own start (`python -c pass`, the floor of any
one-shot command); `check --no-types` and `check` with the daemon off
(``CODEACT_VERIFY_DAEMON=off``: the verifier loads and a mypy worker starts each time, loading
the standard library's types from mypy's persisted cache); the same with that cache switched off
(``CODEACT_VERIFY_MYPY_CACHE=off``: mypy builds them from typeshed each time); `check` through a
daemon started for this bench in a private directory (stopped at the end). The program is 10
lines calling two tools; the tools file is the reference provider's weather tool and one more.
The outputs of the daemon, the in-process run and the in-process run without mypy's cache are
compared every round: a difference is an error (exit 1).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

TOOLS = '''
def get_weather(city: str) -> dict[str, float | str]:
    """Current weather for a city."""
    return {"city": city, "temperature_c": 20.0}


def get_exchange_rate(base: str, quote: str) -> float:
    """Units of `quote` per unit of `base`."""
    return 1.1
'''
PROGRAM = """\
cities = ["Paris", "London", "Tokyo"]
temps = []
for city in cities:
    w = get_weather(city=city)
    temps.append(float(w["temperature_c"]))
best = max(temps) if temps else 0.0
rate = get_exchange_rate(base="EUR", quote="USD")
print(f"warmest {best:.1f}, rate {rate}")
print(sorted(temps, key=lambda t: -t))
print(len(temps))
"""


def _command() -> list[str]:
    script = Path(sys.executable).with_name("codeact-verify")
    return [str(script)] if script.exists() else [sys.executable, "-m", "codeact_verify"]


def _timed(args: list[str], env: dict[str, str], cwd: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, timeout=600)
    return (time.perf_counter() - started) * 1000, proc.returncode, proc.stdout + proc.stderr


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--repeats", type=int, default=10, help="timed runs per row (10)")
    args = ap.parse_args(argv)
    work = tempfile.mkdtemp(prefix="cvb-")
    os.chmod(work, 0o700)
    Path(work, "tools.py").write_text(TOOLS, encoding="utf-8")
    Path(work, "program.py").write_text(PROGRAM, encoding="utf-8")
    env = dict(os.environ, CODEACT_VERIFY_DAEMON_DIR=os.path.join(work, "d"))
    env.pop("CODEACT_VERIFY_DAEMON", None)
    off = dict(env, CODEACT_VERIFY_DAEMON="off")
    no_cache = dict(off, CODEACT_VERIFY_MYPY_CACHE="off")
    cv = _command()
    check = [*cv, "check", "program.py", "--tools", "tools.py"]
    rows: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c pass (interpreter start)": ([sys.executable, "-c", "pass"], env),
        "check --no-types, in-process": ([*check, "--no-types"], off),
        "check, in-process (cold mypy)": (check, off),
        "check, in-process, no mypy cache": (check, no_cache),
        "check, through the daemon": (check, env),
    }
    times: dict[str, list[float]] = {name: [] for name in rows}
    try:
        started = subprocess.run(
            [*cv, "daemon", "start"], env=env, cwd=work, capture_output=True, timeout=600
        )
        if started.returncode != 0:
            print(f"the daemon did not start: {started.stderr.decode()}", file=sys.stderr)
            return 1
        for command, environ in rows.values():  # one untimed run each (disk caches)
            _timed(command, environ, work)
        for _ in range(args.repeats):
            outputs: dict[str, tuple[int, bytes]] = {}
            for name, (command, environ) in rows.items():
                ms, code, output = _timed(command, environ, work)
                times[name].append(ms)
                outputs[name] = (code, output)
            cold = outputs["check, in-process (cold mypy)"]
            if outputs["check, through the daemon"] != cold:
                print("the daemon's answer differs from the in-process check", file=sys.stderr)
                return 1
            if outputs["check, in-process, no mypy cache"] != cold:
                print("the answer without mypy's cache differs", file=sys.stderr)
                return 1
    finally:
        subprocess.run([*cv, "daemon", "stop"], env=env, cwd=work, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    cold = statistics.median(times["check, in-process (cold mypy)"])
    print(f"one-shot `codeact-verify check` (10 lines, 2 tools), {args.repeats} runs each, ms")
    print(f"{'what':<36} {'median':>8} {'p90':>8} {'vs in-process':>14}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<36} {median:>8.0f} {_p90(values):>8.0f} {cold / median:>13.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

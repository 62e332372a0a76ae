"""A standing load and fault test of `codeact-verify serve` on 127.0.0.1, bounded in time.

```
python -m codeact_verify.bench.serve [--seconds 60] [--clients 8] [--throughput-seconds 10]
                                     [--no-corrupt-cache] [--json]
codeact-verify bench --serve [--seconds 60] ...
```

1. Copies the guest cache, corrupts the copy (`guest.cwasm`) and starts the server on it: the
   server must notice (SHA-256) and rebuild before it answers (skipped with
   `--no-corrupt-cache`, since the rebuild takes a minute on a small machine).
2. For `--seconds`, `--clients` threads send a mix: verify and execute of good programs, bad
   input (not JSON, a wrong content type, a foreign Host, a body over the limit), endless
   loops, memory bombs, a tool that raises, one that hangs past the time limit, one that
   returns 50 MB, and a program that makes the guest trap (its stack exhausted). A prober
   reads `/health` all along.
3. Then `--clients` clients send only verifications, then only executions, for
   `--throughput-seconds` each: requests per second per core, p50 and p99.

It prints requests sent, answered and lost (no answer, or an answer that is not the
documented JSON), the answers by kind, latencies, the server's peak RSS, and exits 1 when
anything was lost, an answer was malformed, or the server died.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS = '''
import time
from typing import TypedDict


class Weather(TypedDict):
    city: str
    temperature_c: float


def get_weather(city: str) -> Weather:
    """The weather in a city."""
    return {"city": city, "temperature_c": 21.5}


def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(reason)


def hang() -> str:
    """Blocks for longer than the time limit."""
    time.sleep(TIMEOUT_S * 3)
    return "late"


def blob() -> str:
    """A 50 MB result."""
    return "z" * 50_000_000
'''

TIMEOUT_S = 2.0
MEMORY_MB = 64
BODY_LIMIT = 1024 * 1024

# (name, weight, endpoint, body, expected answers): an answer is "status" or "status:kind"
_GOOD = 'w = get_weather(city="Oslo{n}")\nprint(w["city"], w["temperature_c"])\n'
MIX: list[tuple[str, int, str, Any, set[str]]] = [
    ("verify", 4, "/verify", {"code": _GOOD}, {"200:ok"}),
    ("execute", 4, "/execute", {"code": _GOOD}, {"200:ok"}),
    ("rejected", 1, "/execute", {"code": "import os\nprint(os.getcwd())\n"}, {"200:rejected"}),
    ("not JSON", 1, "/execute", b"{not json", {"400"}),
    ("wrong content type", 1, "/verify", "text", {"415"}),
    ("foreign Host", 1, "/execute", "host", {"403"}),
    ("body over limit", 1, "/verify", "big", {"413"}),
    ("endless loop", 1, "/execute", {"code": "n = 0\nwhile True:\n    n += 1\n"}, {"200:timeout"}),
    (
        "memory bomb",
        1,
        "/execute",
        {"code": 'parts = []\nwhile True:\n    parts.append("x" * 1_000_000)\n'},
        {"200:memory"},
    ),
    (
        "tool raises",
        1,
        "/execute",
        {"code": 'try:\n    explode(reason="no")\nexcept ToolError as e:\n    print(e.message)\n'
         'explode(reason="again")\n'},
        {"200:tool"},
    ),
    ("tool hangs", 1, "/execute", {"code": "print(hang())\n"}, {"200:timeout"}),
    # making 50 MB can take the tool itself past the 2 s limit on a busy machine
    (
        "tool returns 50 MB",
        1,
        "/execute",
        {"code": "print(len(blob()))\n"},
        {"200:size", "200:timeout"},
    ),
    (
        "guest traps",
        1,
        "/execute",
        {"code": "x: list = []\nfor i in range(300000):\n    x = [x]\nprint(x == x[0])\n"},
        {"200:limit", "200:timeout"},  # building 300000 levels can take 2 s on a busy machine
    ),
]


@dataclass
class Tally:
    sent: int = 0
    answered: int = 0
    lost: int = 0
    malformed: int = 0
    unexpected: int = 0
    latencies: list[float] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, problem: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(problem)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(
    port: int, method: str, path: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def _well_formed(path: str, status: int, data: Any) -> str | None:
    """The answer's kind ("ok", an error kind, or an HTTP error type), or None if malformed."""
    if not isinstance(data, dict):
        return None
    if status != 200:
        error = data.get("error")
        ok = isinstance(error, dict) and isinstance(error.get("type"), str)
        return error["type"] if ok and isinstance(error.get("message"), str) else None
    if path == "/verify":
        keys = isinstance(data.get("diagnostics"), list) and isinstance(data.get("effects"), list)
        if not keys or type(data.get("ok")) is not bool:
            return None
        return "ok" if data["ok"] else "rejected"
    if type(data.get("ok")) is not bool or not isinstance(data.get("stdout"), str):
        return None
    if not isinstance(data.get("tool_calls"), list) or "error" not in data:
        return None
    error = data.get("error")
    if data["ok"]:
        return "ok" if error is None else None
    if not isinstance(error, dict) or not isinstance(error.get("kind"), str):
        return None
    return str(error["kind"])


def _one(port: int, tally: Tally, name: str, path: str, body: Any, expected: set[str], n: int,
         timeout: float) -> None:
    headers = {"Content-Type": "application/json"}
    if body == "text":
        payload: bytes = b"code=print(1)"
        headers["Content-Type"] = "text/plain"
    elif body == "host":
        payload = json.dumps({"code": "print(1)\n"}).encode()
        headers["Host"] = "evil.example"
    elif body == "big":
        payload = json.dumps({"code": "x = 1\n" * (BODY_LIMIT // 6 + 10)}).encode()
    elif isinstance(body, bytes):
        payload = body
    else:
        payload = json.dumps({"code": body["code"].replace("{n}", str(n))}).encode()
    started = time.perf_counter()
    with tally.lock:
        tally.sent += 1
    try:
        status, raw = _request(port, "POST", path, payload, headers, timeout)
    except (OSError, http.client.HTTPException) as exc:
        with tally.lock:
            tally.lost += 1
            tally.note(f"{name}: no answer ({type(exc).__name__}: {exc})")
        return
    elapsed = time.perf_counter() - started
    try:
        kind = _well_formed(path, status, json.loads(raw))
    except ValueError:
        kind = None
    with tally.lock:
        tally.latencies.append(elapsed)
        if kind is None:
            tally.malformed += 1
            tally.lost += 1
            tally.note(f"{name}: malformed answer {status} {raw[:200]!r}")
            return
        tally.answered += 1
        answer = f"{status}:{kind}" if status == 200 else str(status)
        tally.answers[f"{name} -> {answer}"] += 1
        if answer not in expected and status != 503:
            tally.unexpected += 1
            tally.note(f"{name}: expected {sorted(expected)}, got {answer}: {raw[:300]!r}")


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _clients(count: int, seconds: float, work: Callable[[int, int], None]) -> None:
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            work(i, n)
            n += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _rss_mb(pid: int, field: str = "VmHWM") -> float:
    """The process's peak (VmHWM) or current (VmRSS) resident memory in MB (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _corrupt_cache_copy(target: Path) -> str:
    """Copy the guest cache into `target` and corrupt the compiled guest in the copy."""
    from ..host.build import cache_root, ensure_guest

    artifacts = ensure_guest(progress=None)
    guest_dir = target / "guest" / artifacts.directory.name
    shutil.copytree(artifacts.directory, guest_dir)
    compiled = guest_dir / "guest.cwasm"
    data = bytearray(compiled.read_bytes())
    for i in range(1000, min(len(data), 200_000), 997):
        data[i] ^= 0xFF
    compiled.write_bytes(bytes(data))
    return f"corrupted {compiled.name} in a copy of {cache_root()}"


def start_server(
    workdir: Path, *, corrupt_cache: bool, clients: int, log: Callable[[str], None]
) -> tuple[subprocess.Popen[str], int, float]:
    tools = workdir / "bench_tools.py"
    tools.write_text(f"TIMEOUT_S = {TIMEOUT_S}\n" + TOOLS)
    env = dict(os.environ)
    if corrupt_cache:
        cache = workdir / "cache"
        log(_corrupt_cache_copy(cache))
        env["CODEACT_VERIFY_CACHE"] = str(cache)
    port = _free_port()
    cmd = [
        sys.executable, "-m", "codeact_verify", "serve", "--tools", str(tools),
        "--port", str(port), "--timeout", str(TIMEOUT_S), "--memory", str(MEMORY_MB),
        "--max-concurrent", str(clients), "--queue", str(8 * clients),
    ]
    with (workdir / "server.stderr").open("w") as errors:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=errors, text=True, env=env
        )
    started = time.monotonic()
    while True:
        try:
            status, _ = _request(port, "GET", "/health", None, {}, 2.0)
            if status == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(
                "the server exited at start:\n" + (workdir / "server.stderr").read_text()[-2000:]
            )
        if time.monotonic() - started > 600:
            proc.kill()
            raise RuntimeError("the server did not start within 600 s")
        time.sleep(0.1)
    return proc, port, time.monotonic() - started


@dataclass
class Throughput:
    endpoint: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    per_core: float
    lost: int


def _throughput(port: int, path: str, clients: int, seconds: float, cores: int) -> Throughput:
    tally = Tally()
    expected = {"200:ok"}

    def work(i: int, n: int) -> None:
        _one(port, tally, path, path, {"code": _GOOD}, expected, i * 1_000_000 + n, 60.0)

    started = time.monotonic()
    _clients(clients, seconds, work)
    elapsed = time.monotonic() - started
    return Throughput(
        path.strip("/"),
        tally.answered,
        elapsed,
        _percentile(tally.latencies, 0.5) * 1000,
        _percentile(tally.latencies, 0.99) * 1000,
        tally.answered / elapsed / cores,
        tally.lost + tally.unexpected,
    )


@dataclass
class BenchResult:
    ok: bool
    start_s: float
    tally: Tally
    health: Tally
    throughput: list[Throughput]
    peak_rss_mb: float
    rss_end_mb: float
    server_alive: bool
    cores: int
    lines: list[str]


def run_bench(
    *,
    seconds: float = 60.0,
    clients: int = 8,
    throughput_seconds: float = 10.0,
    corrupt_cache: bool = True,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> BenchResult:
    rng = random.Random(seed)
    weights = [w for _, w, *_ in MIX]
    cores = _cores()
    with tempfile.TemporaryDirectory(prefix="cv-serve-bench-") as tmp:
        workdir = Path(tmp)
        proc, port, start_s = start_server(
            workdir, corrupt_cache=corrupt_cache, clients=clients, log=log
        )
        log(f"server up on 127.0.0.1:{port} after {start_s:.1f} s")
        tally = Tally()
        health = Tally()
        done = threading.Event()

        def probe() -> None:
            while not done.is_set():
                started = time.perf_counter()
                health.sent += 1
                try:
                    status, raw = _request(port, "GET", "/health", None, {}, 10.0)
                    assert status == 200 and json.loads(raw)["ok"] is True
                except (OSError, http.client.HTTPException, AssertionError, ValueError) as exc:
                    health.lost += 1
                    health.note(f"/health: {type(exc).__name__}: {exc}")
                else:
                    health.answered += 1
                    health.latencies.append(time.perf_counter() - started)
                time.sleep(0.1)

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        picks = [rng.choices(range(len(MIX)), weights)[0] for _ in range(100_000)]

        def work(i: int, n: int) -> None:
            name, _, path, body, expected = MIX[picks[(i * 7919 + n) % len(picks)]]
            _one(port, tally, name, path, body, expected, i * 1_000_000 + n, 120.0)

        log(f"load and faults: {clients} clients for {seconds:g} s ...")
        _clients(clients, seconds, work)
        done.set()
        prober.join()
        alive_after_load = proc.poll() is None
        throughput: list[Throughput] = []
        if alive_after_load and throughput_seconds > 0:
            for path in ("/verify", "/execute"):
                log(f"throughput: {clients} clients, {path} only, {throughput_seconds:g} s ...")
                throughput.append(_throughput(port, path, clients, throughput_seconds, cores))
        peak = _rss_mb(proc.pid)
        rss_end = _rss_mb(proc.pid, "VmRSS")
        alive = proc.poll() is None
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    lost = tally.lost + health.lost + sum(t.lost for t in throughput)
    ok = alive and lost == 0 and tally.malformed == 0 and tally.unexpected == 0
    result = BenchResult(ok, start_s, tally, health, throughput, peak, rss_end, alive, cores, [])
    result.lines = format_result(result, seconds, clients)
    return result


def format_result(r: BenchResult, seconds: float, clients: int) -> list[str]:
    t = r.tally
    lines = [
        f"serve load and fault test: {clients} clients, {seconds:g} s, {r.cores} cores, "
        f"time limit {TIMEOUT_S:g} s, memory {MEMORY_MB} MiB",
        f"server start (incl. any guest rebuild): {r.start_s:.1f} s",
        f"requests: sent {t.sent}, answered {t.answered}, lost {t.lost} "
        f"(malformed {t.malformed}), unexpected kind {t.unexpected}",
        f"latency: p50 {_percentile(t.latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {_percentile(t.latencies, 0.99) * 1000:.1f} ms, "
        f"max {max(t.latencies, default=0) * 1000:.1f} ms",
        f"/health under load: {r.health.answered}/{r.health.sent} answered, "
        f"p50 {_percentile(r.health.latencies, 0.5) * 1000:.1f} ms, "
        f"max {max(r.health.latencies, default=0) * 1000:.1f} ms",
        f"server RSS: peak {r.peak_rss_mb:.0f} MB, at the end {r.rss_end_mb:.0f} MB; "
        f"alive at the end: {r.server_alive}",
        "answers:",
    ]
    lines += [f"  {key}: {count}" for key, count in sorted(t.answers.items())]
    for tp in r.throughput:
        lines.append(
            f"{tp.endpoint}: {tp.requests} in {tp.seconds:.1f} s with {clients} clients = "
            f"{tp.requests / tp.seconds:.1f}/s, {tp.per_core:.1f}/s per core; "
            f"p50 {tp.p50_ms:.1f} ms, p99 {tp.p99_ms:.1f} ms; lost {tp.lost}"
        )
    for problem in t.problems + r.health.problems:
        lines.append(f"problem: {problem}")
    lines.append("result: " + ("PASS (nothing lost, no crash)" if r.ok else "FAIL"))
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=60.0, help="load phase length (60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument(
        "--throughput-seconds", type=float, default=10.0,
        help="length of each throughput phase, verify then execute (10)",
    )
    parser.add_argument(
        "--no-corrupt-cache", action="store_true",
        help="start on the normal guest cache (skips the corrupted-cache rebuild)",
    )
    parser.add_argument("--json", action="store_true", help="also print the numbers as JSON")


def run(args: argparse.Namespace) -> int:
    result = run_bench(
        seconds=args.seconds,
        clients=args.clients,
        throughput_seconds=args.throughput_seconds,
        corrupt_cache=not args.no_corrupt_cache,
    )
    print("\n".join(result.lines))
    if args.json:
        t = result.tally
        print(json.dumps({
            "ok": result.ok, "sent": t.sent, "answered": t.answered, "lost": t.lost,
            "p50_ms": _percentile(t.latencies, 0.5) * 1000,
            "p99_ms": _percentile(t.latencies, 0.99) * 1000,
            "peak_rss_mb": result.peak_rss_mb,
            "throughput": [tp.__dict__ for tp in result.throughput],
        }))
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeact_verify.bench.serve")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

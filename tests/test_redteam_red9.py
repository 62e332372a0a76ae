"""Red-team findings red9/27-35 (docs/redteam/27_*.md ... 35_*.md): the run lifecycle.

Each test failed because of its finding (they were `xfail`, strict) and passes with its fix.
They avoid timing races: the slow tools wait for events the test sets at the moment that
matters, not for fixed sleeps.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from codeact_verify import CodeAct
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.tools import tool_specs


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


def _wait_for(predicate, timeout: float = 3.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


# --- red9/27: `finally` runs after the abandoned tool returns ---------------------------------
def test_a_finally_block_writes_nothing_after_an_abandoned_run(tmp_path: Path) -> None:
    returned = threading.Event()

    def slow(x: int) -> int:
        """Returns right after the caller gave up waiting."""
        returned.wait(5)
        return x

    program = "try:\n    v = slow(x=1)\nfinally:\n    write_text('/output/leak.txt', 'late')\n"
    with Sandbox(pool_size=0, limits=Limits(timeout_s=0.3), output_dir=tmp_path) as sb:
        r = sb.run_sync(program, tool_specs([slow]))
        returned.set()
        assert r.error is not None and r.error.kind == "timeout"
        _wait_for(lambda: (tmp_path / "leak.txt").exists(), 1.5)
        assert not (tmp_path / "leak.txt").exists()


# --- red9/28: a cancelled execute() keeps running, calling tools and writing files ------------
def test_a_cancelled_execute_calls_no_tool_afterwards() -> None:
    cancelled = threading.Event()
    started = threading.Event()
    sent: list[str] = []

    def lookup(q: str) -> str:
        """Slow lookup (returns once the caller was cancelled)."""
        started.set()
        cancelled.wait(5)
        return q

    def send_email(to: str) -> str:
        """Sends an email."""
        sent.append(to)
        return "sent"

    program = "v = lookup(q='x')\nprint(send_email(to='boss'))\n"
    with CodeAct(
        tools=[lookup, send_email], approval_mode="never_require", limits=Limits(timeout_s=10)
    ) as ca:

        async def main() -> None:
            task = asyncio.ensure_future(ca.execute(program))
            while not started.is_set():  # the guest is in its first tool call
                await asyncio.sleep(0.01)
            task.cancel()  # e.g. asyncio.wait_for / a framework's own timeout
            with pytest.raises(asyncio.CancelledError):
                await task
            cancelled.set()

        asyncio.run(main())
        _wait_for(lambda: bool(sent), 2.0)
        assert sent == []


# --- red9/29: hung batch calls hold the 8 tool threads: every later batch times out -----------
def test_hung_batch_calls_do_not_starve_later_batches() -> None:
    gate = threading.Event()

    def fetch(url: str) -> str:
        """A network call that never returns (until the test ends)."""
        gate.wait(30)
        return url

    def get(city: str) -> str:
        """Fast."""
        return city.upper()

    specs = tool_specs([fetch, get])
    try:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=0.3)) as sb:
            sb.run_sync("call_tools([('fetch', {'url': str(i)}) for i in range(8)])\n", specs)
            r = sb.run_sync("print(call_tools([('get', {'city': 'a'})]))\n", specs)
            assert r.ok, r.error
    finally:
        gate.set()


# --- red9/30: the sandbox pool closes a sandbox while a run is in it ---------------------------
def test_the_pool_does_not_close_a_sandbox_in_use() -> None:
    go = threading.Event()
    started = threading.Event()

    def lookup(q: str) -> str:
        """Slow lookup."""
        started.set()
        go.wait(5)
        return q

    def get(city: str) -> str:
        """Fast."""
        return city.upper()

    program = "v = lookup(q='x')\nprint(call_tools([('get', {'city': 'a'})]))\n"
    with CodeAct(
        tools=[lookup, get], approval_mode="never_require", limits=Limits(timeout_s=10)
    ) as ca:
        out: dict[str, object] = {}
        t = threading.Thread(target=lambda: out.setdefault("r", ca.execute_sync(program)))
        t.start()
        assert started.wait(10)
        other = ca.snapshot()  # e.g. Agent Framework's run-scoped copy
        for i in range(4):
            other.limits = Limits(timeout_s=3.0 + i)
            other.sandbox()
        go.set()
        t.join(15)
        r = out["r"]
        assert r.ok, r.error  # type: ignore[attr-defined]


# --- red9/31: concurrent executions of one CodeAct report each other's /output files ----------
def test_concurrent_executions_report_only_their_own_artifacts() -> None:
    go = threading.Event()
    started = threading.Event()

    def lookup(q: str) -> str:
        """Slow lookup."""
        started.set()
        go.wait(5)
        return q

    with CodeAct(tools=[lookup], approval_mode="never_require", output_dir=True) as ca:
        out: dict[str, object] = {}
        t = threading.Thread(
            target=lambda: out.setdefault("b", ca.execute_sync("print(lookup(q='b'))\n"))
        )
        t.start()
        assert started.wait(10)
        a = ca.execute_sync("write_text('/output/a_secret.txt', 'A')\n")
        go.set()
        t.join(10)
        assert [x.path for x in a.artifacts] == ["/output/a_secret.txt"]
        assert [x.path for x in out["b"].artifacts] == []  # type: ignore[attr-defined]


# --- red9/32: an async tool around a blocking call holds a sync caller past the limit ---------
def test_an_async_tool_around_a_blocking_call_does_not_hold_a_sync_caller() -> None:
    import asyncio as _asyncio

    gate = threading.Event()

    def blocking_fetch(url: str) -> str:
        gate.wait(30)  # a network call that never returns (until the test ends)
        return url

    async def fetch(url: str) -> str:
        """An async tool around a blocking client (the usual asyncio.to_thread pattern)."""
        return await _asyncio.to_thread(blocking_fetch, url)

    done = threading.Event()
    try:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=0.3)) as sb:

            def run() -> None:
                sb.run_sync("print(fetch(url='x'))\n", tool_specs([fetch]))
                done.set()

            threading.Thread(target=run, daemon=True).start()
            assert done.wait(3.0), "run_sync still blocked 3 s after a 0.3 s time limit"
    finally:
        gate.set()


def test_serve_answers_at_the_time_limit_despite_a_to_thread_tool() -> None:
    import asyncio as _asyncio
    import json
    import urllib.request

    from codeact_verify.adapters.serve import BackgroundServer, create_app

    gate = threading.Event()

    def blocking_fetch(url: str) -> str:
        gate.wait(30)
        return url

    async def fetch(url: str) -> str:
        """Fetches a URL."""
        return await _asyncio.to_thread(blocking_fetch, url)

    ca = CodeAct(tools=[fetch], approval_mode="never_require", limits=Limits(timeout_s=0.3))
    with BackgroundServer(create_app(ca)) as srv:
        try:
            body = json.dumps({"code": "print(fetch(url='x'))\n"}).encode()
            req = urllib.request.Request(
                srv.url + "/execute", data=body, headers={"Content-Type": "application/json"}
            )
            answer = json.loads(urllib.request.urlopen(req, timeout=3).read())
            assert answer["error"]["kind"] == "timeout"
        finally:
            gate.set()
    ca.close()


def test_an_async_tool_that_blocks_its_loop_does_not_hold_a_sync_caller() -> None:
    # a blocking call made directly inside `async def` (no to_thread) blocks the loop's thread
    gate = threading.Event()

    async def fetch(url: str) -> str:
        """A careless async tool: a blocking call on the event loop's thread."""
        gate.wait(30)
        return url

    done = threading.Event()
    try:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=0.3)) as sb:
            out: list[object] = []

            def run() -> None:
                out.append(sb.run_sync("print(fetch(url='x'))\n", tool_specs([fetch])))
                done.set()

            threading.Thread(target=run, daemon=True).start()
            assert done.wait(3.0), "run_sync still blocked 3 s after a 0.3 s time limit"
            error = out[0].error  # type: ignore[attr-defined]
            assert error is not None and error.kind == "timeout"
            assert "fetch" in error.message
    finally:
        gate.set()


def test_a_sync_caller_of_a_to_thread_tool_gets_the_result_when_it_returns_in_time() -> None:
    # the legitimate case: the same pattern with a call that returns in time works as before
    import asyncio as _asyncio

    def blocking_fetch(url: str) -> str:
        time.sleep(0.05)
        return url.upper()

    async def fetch(url: str) -> str:
        """Fetches a URL."""
        return await _asyncio.to_thread(blocking_fetch, url)

    with Sandbox(pool_size=0, limits=Limits(timeout_s=5)) as sb:
        r = sb.run_sync("print(fetch(url='x'))\n", tool_specs([fetch]))
        assert r.ok and r.stdout == "X\n", r.error
    with CodeAct(tools=[fetch], approval_mode="never_require") as ca:
        ex = ca.execute_sync("print(fetch(url='y'))\n")
        assert ex.ok and ex.stdout == "Y\n", ex.error


# --- red9/33: a trickling HTTP response holds an inline run_sync past the time limit ----------
def test_a_trickling_http_response_does_not_outlive_the_time_limit() -> None:
    import http.server

    from codeact_verify.host.network import NetworkPolicy

    class Trickle(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"0123456789"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for b in body:
                time.sleep(0.25)
                self.wfile.write(bytes([b]))
                self.wfile.flush()

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        policy = NetworkPolicy(allowed_domains=[url])
        with Sandbox(pool_size=0, limits=Limits(timeout_s=0.3), network=policy) as sb:
            t = time.monotonic()
            sb.run_sync(f"r = http_get('{url}/data')\nprint(len(r['text']))\n")
            assert time.monotonic() - t < 1.5
    finally:
        srv.shutdown()


# --- red9/34: an HTTP response that comes back after the caller gave up reaches the guest -----
def test_an_http_response_after_abandonment_does_not_reach_the_guest(tmp_path: Path) -> None:
    import http.server

    from codeact_verify.host.network import NetworkPolicy

    returned = threading.Event()

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"x" * 40
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for b in body:  # a byte every 0.1 s until the caller has its result
                if not returned.is_set():
                    time.sleep(0.1)
                self.wfile.write(bytes([b]))
                self.wfile.flush()

        def log_message(self, *args: object) -> None:
            pass

    def get(city: str) -> str:
        """Any sync tool: the run is not inline."""
        return city

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    program = (
        "if len('x') == 2:\n    get(city='a')\n"
        f"r = http_get('{url}/x')\n"
        "write_text('/output/leak.txt', r['text'])\n"
    )
    policy = NetworkPolicy(allowed_domains=[url])
    try:
        with Sandbox(
            pool_size=0, limits=Limits(timeout_s=0.3), output_dir=tmp_path, network=policy
        ) as sb:
            r = sb.run_sync(program, tool_specs([get]))
            returned.set()
            assert r.error is not None and r.error.kind == "timeout"
            _wait_for(lambda: (tmp_path / "leak.txt").exists(), 1.5)
            assert not (tmp_path / "leak.txt").exists()
    finally:
        srv.shutdown()


# --- red9/35: reading a FIFO in a mount blocks in WASI, past every deadline --------------------
def test_reading_a_fifo_in_a_mount_is_bounded_by_the_time_limit(tmp_path: Path) -> None:
    import os

    from codeact_verify.host.mounts import Mount

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = threading.Event()
    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=0.3), mounts=[Mount(tmp_path, "/data", True)])

    def run() -> None:
        sb.run_sync("print(read_text('/data/pipe'))\n")
        done.set()

    threading.Thread(target=run, daemon=True).start()
    try:
        assert done.wait(3.0), "run_sync still blocked 3 s after a 0.3 s time limit"
    finally:
        if not done.is_set():
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # the reader sees EOF
            done.wait(5)
        sb.close()

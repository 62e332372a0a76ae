"""Red-team findings red10/36-38 (docs/redteam/36_*.md ... 38_*.md): attacks on the run
lifecycle fixes of red9/27-35. Each test fails today because of its finding (xfail, strict)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from codeact_verify import CodeAct
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


# --- red10/36: the output lock is per Sandbox, the output directory per pool -----------------
def test_snapshot_with_other_domains_reports_only_its_own_artifacts() -> None:
    started, go = threading.Event(), threading.Event()

    def lookup(q: str) -> str:
        """Slow lookup."""
        started.set()
        go.wait(5)
        return q

    with CodeAct(tools=[lookup], approval_mode="never_require", output_dir=True) as ca:
        other = ca.snapshot()
        other.add_allowed_domains(["example.com"])  # another Sandbox, the same /output
        out: dict[str, object] = {}
        t = threading.Thread(
            target=lambda: out.setdefault("b", ca.execute_sync("print(lookup(q='b'))\n"))
        )
        t.start()
        assert started.wait(10)
        a = other.execute_sync("write_text('/output/a_secret.txt', 'A')\n")
        go.set()
        t.join(10)
        assert [x.path for x in a.artifacts] == ["/output/a_secret.txt"]
        assert [x.path for x in out["b"].artifacts] == []  # type: ignore[attr-defined]


# --- red10/37: a tool left to finish in the background blocks interpreter exit ----------------
def test_a_hung_tool_does_not_block_interpreter_exit() -> None:
    script = ROOT / "docs" / "redteam" / "37_hung_tool_blocks_process_exit.py"
    try:
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the process did not exit within 20 s of its last run")
    assert proc.returncode == 0, proc.stderr


# --- red10/38: a nested run outlives the outer run's turn ------------------------------------
def test_a_nested_run_does_not_write_into_the_next_run(tmp_path: Path) -> None:
    release_nested = threading.Event()
    nested_done = threading.Event()
    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3.0), output_dir=tmp_path / "out")

    def gate() -> str:
        """Waits until the test lets the nested run go on."""
        release_nested.wait(10)
        return "ok"

    def slow(s: float) -> str:
        """Waits."""
        time.sleep(s)
        return "ok"

    def delegate(code: str) -> str:
        """Runs a sub-program in the same sandbox."""
        try:
            return repr(sb.run_sync(code, [gate]).ok)
        finally:
            nested_done.set()

    try:
        nested = "gate()\nwrite_text('/output/from_a.txt', 'A')\n"
        outer = f"slow(s=2.0)\nprint(delegate(code={nested!r}))\n"
        a = sb.run_sync(outer, [delegate, slow])  # times out inside delegate
        # either A's caller gives up first (timeout), or the nested run's caller does at the
        # same moment (its deadline is A's) and A ends within its grace with the nested
        # run's failure; what matters is that the nested run writes nothing into C's turn
        assert (a.error is not None and a.error.kind == "timeout") or a.stdout == "False\n"
        c: dict[str, object] = {}
        t = threading.Thread(
            target=lambda: c.setdefault("r", sb.run_sync("print(slow(s=1.0))\n", [slow]))
        )
        t.start()
        time.sleep(0.3)  # C holds the turn now
        release_nested.set()  # the nested run writes its file
        t.join(10)
        assert nested_done.wait(10)
        assert [x.path for x in c["r"].artifacts] == []  # type: ignore[attr-defined]
    finally:
        release_nested.set()
        sb.close()


# --- red10/39: a cancelled run's async tool goes on -------------------------------------------
def _tool_work_after_a_cancel(after_cancel: Callable[[], object] | None = None) -> list[str]:
    """Run a program whose async tool sleeps, cancel the caller once the tool has begun (then
    call ``after_cancel``), let the loop go on: what the tool did after the cancel."""
    import asyncio

    entered = threading.Event()
    after: list[str] = []

    async def send_mail(to: str) -> str:
        """Sends an e-mail after a lookup."""
        entered.set()
        await asyncio.sleep(0.8)
        after.append(to)
        return "sent"

    async def main() -> None:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=10)) as sb:
            task = asyncio.ensure_future(sb.run("print(send_mail(to='boss'))\n", [send_mail]))
            while not entered.is_set():
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            if after_cancel is not None:
                after_cancel()
            await asyncio.sleep(1.5)  # the loop goes on, as a server's does

    asyncio.run(main())
    return after


def test_a_cancelled_run_cancels_its_async_tool() -> None:
    assert _tool_work_after_a_cancel() == []


# --- red10/40: HTTP headers that trickle in hold the runner thread -----------------------------
def test_http_header_trickle_does_not_hold_the_runner() -> None:
    import socketserver

    from codeact_verify.host.network import NetworkPolicy

    stop = threading.Event()

    class Trickle(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 40 + b"\r\nContent-Length: 2\r\n\r\nok"
            try:
                for b in head:
                    if stop.is_set():
                        return
                    self.request.sendall(bytes([b]))
                    time.sleep(0.1)
            except OSError:
                pass

    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Trickle)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    policy = NetworkPolicy(allowed_domains=[url])
    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=0.5), network=policy)
    try:
        t = time.monotonic()
        r = sb.run_sync(f"print(http_get('{url}/x')['status'])\n")
        assert r.error is not None and r.error.kind == "timeout"
        while sb._stuck and time.monotonic() - t < 2.5:
            time.sleep(0.05)
        assert sb._stuck == 0, "the runner thread is still held by the HTTP request"
    finally:
        stop.set()
        sb.close()
        srv.shutdown()
        srv.server_close()


# --- red10/41: a blocking async tool holds execute_sync past the time limit ---------------------
def test_a_blocking_async_tool_does_not_hold_execute_sync() -> None:
    gate = threading.Event()

    async def fetch(url: str) -> str:
        """An async tool that calls a blocking client by mistake."""
        gate.wait(5)
        return url

    ca = CodeAct(tools=[fetch], approval_mode="never_require", limits=Limits(timeout_s=0.5))
    try:
        t = time.monotonic()
        r = ca.execute_sync("print(fetch(url='x'))\n")
        took = time.monotonic() - t
        assert r.error is not None and r.error.kind == "timeout"
        assert took < 2.5, f"execute_sync returned after {took:.1f} s (time limit 0.5 s)"
    finally:
        gate.set()
        ca.close()


# --- red10/42: a nested run through the Agent Framework adapter waits for the outer one --------
def test_a_nested_adapter_run_does_not_wait_for_the_outer_one(tmp_path: Path) -> None:
    import asyncio

    pytest.importorskip("agent_framework")
    from codeact_verify.adapters.agent_framework import ExecuteCodeTool

    (tmp_path / "a.txt").write_text("hi")
    holder: dict[str, ExecuteCodeTool] = {}

    async def sub_task(code: str) -> str:
        """Runs a sub-program through the same CodeAct."""
        return str(await holder["run"]._run_code(code))

    async def main() -> str:
        tool = ExecuteCodeTool(
            tools=[sub_task],
            workspace_root=tmp_path,
            approval_mode="never_require",
            limits=Limits(timeout_s=1.0),
        )
        holder["run"] = tool.create_run_tool()
        out = await tool._run_code("print(sub_task(code='print(41 + 1)'))\n")
        return repr([c.to_dict() for c in out])

    text = asyncio.run(main())
    assert "timeout" not in text, text


# --- red10/43: runs left stuck in a tool keep their guest memory --------------------------------
def _rss_mb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
@pytest.mark.xfail(strict=True, reason="red10/43: an abandoned run's store keeps its memory")
def test_stuck_runs_do_not_keep_their_guest_memory() -> None:
    gate = threading.Event()

    def slow_api(q: str) -> str:
        """A call that hangs."""
        gate.wait(60)
        return q

    prog = (
        "data = bytearray(80 * 1024 * 1024)\n"
        "for i in range(0, len(data), 4096):\n    data[i] = 1\n"
        "print(slow_api(q='x'))\n"
    )
    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.5, memory_mb=128))
    try:
        before = _rss_mb()
        threads = [threading.Thread(target=sb.run_sync, args=(prog, [slow_api])) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sb._stuck == 3
        grown = _rss_mb() - before
        assert grown < 100, f"3 abandoned runs still hold {grown} MB"
    finally:
        gate.set()
        sb.close()


# --- red10/44: waiting for the output turn does not count against the time limit ---------------
def test_waiting_for_the_output_turn_counts_against_the_limit(tmp_path: Path) -> None:
    gate_a, gate_b = threading.Event(), threading.Event()
    started = threading.Event()

    def hold_a() -> str:
        """Holds run A's turn."""
        started.set()
        gate_a.wait(0.9)
        return "a"

    def hang_b() -> str:
        """Never returns in time."""
        gate_b.wait(10)
        return "b"

    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), output_dir=tmp_path / "out")
    try:
        a = threading.Thread(target=sb.run_sync, args=("print(hold_a())\n", [hold_a]))
        a.start()
        assert started.wait(10)
        t = time.monotonic()
        b = sb.run_sync("print(hang_b())\n", [hang_b])
        took = time.monotonic() - t
        assert b.error is not None and b.error.kind == "timeout"
        assert took < 1.6, f"the caller waited {took:.2f} s for a 1 s time limit"
    finally:
        gate_a.set()
        gate_b.set()
        sb.close()


# --- red10/45: an interrupted run_sync leaves its guest running --------------------------------
@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="needs setitimer")
def test_an_interrupted_run_sync_stops_its_guest(tmp_path: Path) -> None:
    import signal

    calls: list[int] = []

    def step(i: int) -> int:
        """One step of a long job."""
        time.sleep(0.2)
        calls.append(i)
        return i

    class Interrupted(Exception):
        pass

    def on_alarm(*_: object) -> None:
        raise Interrupted

    old = signal.signal(signal.SIGALRM, on_alarm)
    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=10), output_dir=tmp_path / "out")
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.6)
        with pytest.raises(Interrupted):
            sb.run_sync("for i in range(10):\n    step(i=i)\n", [step])
        at_interrupt = len(calls)
        time.sleep(1.0)
        assert len(calls) <= at_interrupt + 1, f"{len(calls) - at_interrupt} calls after"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        sb.close()


# --- red10/46: CALLING_RUN leaks into tasks an async tool creates -------------------------------
def test_a_background_task_of_a_tool_does_not_skip_the_turn(tmp_path: Path) -> None:
    import asyncio

    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3), output_dir=tmp_path / "out")
    bg: list[asyncio.Task[None]] = []

    async def later() -> None:
        await asyncio.sleep(0.3)
        await sb.run("write_text('/output/bg.txt', 'x')\n")

    async def schedule() -> str:
        """Schedules a follow-up job."""
        bg.append(asyncio.get_running_loop().create_task(later()))
        return "scheduled"

    async def slow() -> str:
        """Waits."""
        await asyncio.sleep(1.0)
        return "done"

    async def main() -> list[str]:
        await sb.run("print(schedule())\n", [schedule])
        b = await sb.run("print(slow())\n", [slow])
        await asyncio.gather(*bg)
        return [x.path for x in b.artifacts]

    try:
        assert asyncio.run(main()) == []
    finally:
        sb.close()


def test_a_run_cancelled_while_its_async_tool_is_being_submitted_cancels_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the race behind an occasional failure of the test above under load: the loop started
    # the tool and the caller was cancelled before the runner thread recorded how to cancel
    # it, so `abandon` found nothing to cancel and the tool ran to its end
    import asyncio

    from codeact_verify.host import bridge as bridge_module

    cancelled = threading.Event()
    real_submit = asyncio.run_coroutine_threadsafe

    def late_record(coro, loop):  # type: ignore[no-untyped-def]
        future = real_submit(coro, loop)
        cancelled.wait(5)  # the caller is cancelled before the bridge records the future
        return future

    monkeypatch.setattr(bridge_module.asyncio, "run_coroutine_threadsafe", late_record)
    assert _tool_work_after_a_cancel(cancelled.set) == []

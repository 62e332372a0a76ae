"""`serve`: POST /verify and POST /execute over real HTTP; malformed requests get a clear 4xx."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import httpx
import pytest

from codeact_verify.adapters.serve import BackgroundServer, create_app
from codeact_verify.codeact import CodeAct
from codeact_verify.demo.tools import get_weather


@pytest.fixture(scope="module")
def url() -> str:
    codeact = CodeAct(tools=[get_weather])
    with BackgroundServer(create_app(codeact)) as server:
        yield server.url
    codeact.close()


def post(url: str, path: str, body: Any, **kwargs: Any) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = kwargs.pop("headers", {"Content-Type": "application/json"})
    return httpx.post(url + path, content=content, headers=headers, timeout=30, **kwargs)


def test_verify_accepts_and_rejects(url: str) -> None:
    ok = post(url, "/verify", {"code": 'print(get_weather(city="Oslo")["city"])\n'})
    assert ok.status_code == 200 and ok.json()["ok"] is True
    assert ok.json()["effects"][0]["tool"] == "get_weather"
    bad = post(url, "/verify", {"code": "import os\n"})
    assert bad.status_code == 200
    body = bad.json()
    assert body["ok"] is False
    assert {"line", "col", "hint", "code", "rule"} <= set(body["diagnostics"][0])


def test_execute_runs_and_reports(url: str) -> None:
    response = post(url, "/execute", {"code": 'print(get_weather(city="Paris")["conditions"])\n'})
    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True and body["stdout"] == "sunny\n" and body["error"] is None
    assert body["tool_calls"][0] == {
        "name": "get_weather", "arguments": {"city": "Paris"}, "ok": True
    }


def test_execute_rejected_runs_nothing(url: str) -> None:
    body = post(url, "/execute", {"code": 'get_weather(city="x")\nopen("/etc/passwd")\n'}).json()
    assert body["ok"] is False and body["error"]["kind"] == "rejected"
    assert body["tool_calls"] == [] and body["diagnostics"]


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        (b"{oops", 400, "invalid_json"),
        (b"[1]", 400, "invalid_body"),
        ({}, 422, "invalid_field"),
        ({"code": 1}, 422, "invalid_field"),
        ({"code": "print(1)", "extra": True}, 422, "invalid_field"),
    ],
)
def test_malformed_requests_get_4xx_with_a_clear_body(
    url: str, body: Any, status: int, kind: str
) -> None:
    for path in ("/verify", "/execute"):
        response = post(url, path, body)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["type"] == kind and error["message"]


def test_wrong_media_type_method_and_path(url: str) -> None:
    response = post(url, "/verify", b"code=1", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["error"]["type"] == "unsupported_media_type"
    assert httpx.get(url + "/verify").status_code == 405
    missing = httpx.get(url + "/nope")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found"


def test_oversized_body_is_413(url: str) -> None:
    response = post(url, "/execute", {"code": "x = 1\n" * 300_000})
    assert response.status_code == 413


def test_execute_approved_must_be_bool(url: str) -> None:
    response = post(url, "/execute", {"code": "print(1)", "approved": "yes"})
    assert response.status_code == 422


def test_openapi_and_instructions(url: str) -> None:
    schema = httpx.get(url + "/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/verify", "/execute"} <= set(schema["paths"])
    with urllib.request.urlopen(url + "/instructions", timeout=10) as reply:
        assert "def get_weather(city: str) -> Weather:" in reply.read().decode()
    try:
        urllib.request.urlopen(url + "/health", timeout=10).close()
    except urllib.error.URLError as exc:  # pragma: no cover
        raise AssertionError(exc) from exc


def test_serve_command_over_http(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import socket
    import subprocess
    import sys
    import time

    tools = tmp_path / "tools.py"
    tools.write_text('def double(x: int) -> int:\n    """Twice x."""\n    return 2 * x\n')
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "codeact_verify", "serve", "--tools", str(tools),
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        body = post(base, "/execute", {"code": "print(double(x=21))\n"}).json()
        assert body["stdout"] == "42\n", body
        assert post(base, "/verify", {"code": 'double(x="a")\n'}).json()["ok"] is False
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_serve_command_bad_tools_file_is_a_usage_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from codeact_verify.cli import main

    assert main(["serve", "--tools", str(tmp_path / "missing.py")]) == 2


# -- the front door (issue 10, item 6) ----------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "evil.example"}, 403),
        ({"Host": "evil.example:8765"}, 403),
        ({"Host": "127.0.0.1.evil.example"}, 403),
        ({"Host": "localhost:8765"}, 200),
        ({"Host": "[::1]:8765"}, 200),
        ({"Origin": "http://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": "http://localhost.evil.example:80"}, 403),
        ({"Origin": "http://localhost:3000"}, 200),
        ({"Origin": "http://127.0.0.1"}, 200),
    ],
)
def test_host_and_origin_must_be_on_the_allow_list(
    url: str, headers: dict[str, str], status: int
) -> None:
    for method, path in (("POST", "/verify"), ("POST", "/execute"), ("GET", "/instructions")):
        response = httpx.request(
            method,
            url + path,
            content=json.dumps({"code": "print(1)\n"}).encode(),
            headers={"Content-Type": "application/json", **headers},
            timeout=30,
        )
        assert response.status_code == status, (path, response.text)
        if status == 403:
            assert response.json()["error"]["type"] in ("forbidden_host", "forbidden_origin")


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        (None, 415),
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("text/json", 415),
        ("application/json; charset=utf-8", 200),
        ("Application/JSON", 200),
    ],
)
def test_only_application_json_is_accepted(
    url: str, content_type: str | None, status: int
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = post(url, "/verify", {"code": "print(1)\n"}, headers=headers)
    assert response.status_code == status, response.text


def test_the_body_limit_holds_while_reading_a_chunked_body() -> None:
    """The answer comes while the body is still open: the server never waits for the end."""
    import socket
    from urllib.parse import urlsplit

    from codeact_verify.adapters.serve import FrontDoor

    codeact = CodeAct(tools=[get_weather])
    app = create_app(codeact, FrontDoor(max_body_bytes=4096))
    with BackgroundServer(app) as server:
        parts = urlsplit(server.url)
        with socket.create_connection((parts.hostname, parts.port), timeout=20) as sock:
            head = (
                "POST /verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            chunk = b" " * 5000
            sock.sendall(head.encode() + b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            # ... and the body never ends (no terminating 0-size chunk)
            reply = ""
            while "}}" not in reply:
                data = sock.recv(65536)
                if not data:
                    break
                reply += data.decode("latin-1")
        assert reply.startswith("HTTP/1.1 413"), reply
        assert '"too_large"' in reply
        ok = post(server.url, "/verify", {"code": "print(1)\n"})
        assert ok.status_code == 200
    codeact.close()


def test_a_bearer_token_guards_everything_but_health() -> None:
    from codeact_verify.adapters.serve import FrontDoor

    codeact = CodeAct(tools=[get_weather])
    with BackgroundServer(create_app(codeact, FrontDoor(token="s3cret"))) as server:
        base = server.url
        missing = post(base, "/verify", {"code": "print(1)\n"})
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        wrong = post(
            base, "/verify", {"code": "print(1)\n"},
            headers={"Content-Type": "application/json", "Authorization": "Bearer nope"},
        )
        assert wrong.status_code == 401
        right = post(
            base, "/verify", {"code": "print(1)\n"},
            headers={"Content-Type": "application/json", "Authorization": "Bearer s3cret"},
        )
        assert right.status_code == 200 and right.json()["ok"] is True
        assert httpx.get(base + "/instructions").status_code == 401
        health = httpx.get(base + "/health")
        assert health.status_code == 200 and "tools" not in health.json()
    codeact.close()


def test_a_full_queue_answers_503_with_retry_after_and_health_still_answers() -> None:
    import threading

    from codeact_verify.adapters.serve import FrontDoor

    release = threading.Event()

    def hold() -> str:
        """Waits until the test lets go."""
        release.wait(20)
        return "done"

    codeact = CodeAct(tools=[hold])
    app = create_app(codeact, FrontDoor(max_concurrent=1, max_queue=1))
    with BackgroundServer(app) as server:
        base = server.url
        results: list[httpx.Response] = []
        threads = [
            threading.Thread(
                target=lambda: results.append(post(base, "/execute", {"code": "print(hold())\n"}))
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while httpx.get(base + "/health").json()["busy"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        full = post(base, "/verify", {"code": "print(1)\n"})
        assert full.status_code == 503 and full.headers["retry-after"] == "1"
        assert full.json()["error"]["type"] == "busy"
        assert httpx.get(base + "/health").status_code == 200
        release.set()
        for thread in threads:
            thread.join(30)
        assert [r.json()["stdout"] for r in results] == ["done\n", "done\n"]
        assert post(base, "/verify", {"code": "print(1)\n"}).status_code == 200
    codeact.close()


def test_24_concurrent_endless_loops_each_time_out_on_their_line() -> None:
    import concurrent.futures

    from codeact_verify.host import Limits

    codeact = CodeAct(tools=[get_weather], limits=Limits(timeout_s=1))
    with BackgroundServer(create_app(codeact)) as server:
        with concurrent.futures.ThreadPoolExecutor(24) as pool:
            bodies = list(
                pool.map(
                    lambda _: post(
                        server.url, "/execute", {"code": "n = 0\nwhile True:\n    n += 1\n"}
                    ).json(),
                    range(24),
                )
            )
    codeact.close()
    errors = [b["error"] for b in bodies]
    assert all(e["kind"] == "timeout" for e in errors), errors
    assert all(e["message"] == "time limit of 1 s exceeded" for e in errors), errors
    assert all(e["line"] == 2 for e in errors), errors


def test_serve_refuses_a_non_loopback_address_without_a_token(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from codeact_verify.cli import main

    tools = tmp_path / "tools.py"
    tools.write_text('def double(x: int) -> int:\n    """Twice x."""\n    return 2 * x\n')
    assert main(["serve", "--tools", str(tools), "--host", "0.0.0.0"]) == 2
    monkeypatch.delenv("CV_TEST_TOKEN", raising=False)
    assert main(["serve", "--tools", str(tools), "--token-env", "CV_TEST_TOKEN"]) == 2


def test_front_door_flags_build_the_allow_lists(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from codeact_verify.cli.serve import front_door

    monkeypatch.setenv("CV_TEST_TOKEN", "t0ken")
    args = argparse.Namespace(
        host="192.0.2.7", token_env="CV_TEST_TOKEN", allow_host=["agents.internal"],
        allow_origin=["https://app.example"], max_concurrent=2, queue=3,
    )
    door = front_door(args)
    assert door.token == "t0ken" and door.max_concurrent == 2 and door.max_queue == 3
    assert door.host_ok("192.0.2.7:8765") and door.host_ok("agents.internal")
    assert door.host_ok("localhost") and not door.host_ok("evil.example")
    assert door.origin_ok("https://app.example") and not door.origin_ok("http://app.example")
    assert door.origin_ok(None) and door.token_ok("Bearer t0ken") and not door.token_ok(None)

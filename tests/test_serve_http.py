"""`serve`: POST /verify and POST /execute over real HTTP; malformed requests get a clear 4xx."""

from __future__ import annotations

import json
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

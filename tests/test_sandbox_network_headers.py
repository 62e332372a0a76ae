"""Request headers a program may not set (domain fronting, smuggling, header injection), and
credentials on a redirect, tested against a real HTTP server on 127.0.0.1 that echoes what it
received."""

from __future__ import annotations

import http.server
import json
import threading
import time

import pytest
from test_sandbox_support import make_sandbox, run

from codeact_verify.host import NetworkPolicy
from codeact_verify.host.network import check_headers, perform


@pytest.fixture(scope="module")
def echo():
    """A server that answers with the method, path and headers it received."""
    hits: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _reply(self) -> None:
            got = {k.lower(): v for k, v in self.headers.items()}
            hits.append(got)
            if self.path.startswith("/to-other-origin"):
                # 127.0.0.1 and localhost are two origins on the same server
                self.send_response(302)
                self.send_header("Location", f"http://localhost:{port}/landed")
                self.end_headers()
                return
            if self.path.startswith("/same-origin"):
                self.send_response(302)
                self.send_header("Location", "/landed")
                self.end_headers()
                return
            body = json.dumps({"method": self.command, "path": self.path, "headers": got})
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _reply

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield port, hits
    srv.shutdown()
    srv.server_close()


def _policy(port: int, **kwargs) -> NetworkPolicy:
    return NetworkPolicy([f"http://127.0.0.1:{port}", f"http://localhost:{port}"], **kwargs)


@pytest.mark.parametrize(
    "name",
    [
        "Host", "host", "HOST", "Connection", "Transfer-Encoding", "Content-Length", "Upgrade",
        "TE", "Trailer", "Keep-Alive", "Proxy-Authorization", "Proxy-Connection", "Forwarded",
        "X-Forwarded-For", "X-Forwarded-Host", "Via", "X-HTTP-Method-Override", "Expect",
    ],
)
def test_routing_and_framing_headers_refused_before_sending(echo, name: str) -> None:
    port, hits = echo
    before = len(hits)
    with make_sandbox(network=_policy(port)) as sb:
        program = (
            f"http_get('http://127.0.0.1:{port}/x', headers={{{name!r}: 'evil.example.org'}})"
        )
        r = run(sb, program)
    assert r.error is not None and r.error.kind == "runtime"
    assert "PermissionError" in r.error.message and "set by the host" in r.error.message
    assert r.error.line == 1
    assert len(hits) == before  # nothing reached the server


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({"X-A": "v\r\nHost: evil.example.org"}, "control character"),
        ({"X-A": "v\nX-B: 1"}, "control character"),
        ({"X-A": "v\x00"}, "control character"),
        ({"X A": "v"}, "not a valid HTTP header name"),
        ({"X-A\r\nHost": "v"}, "not a valid HTTP header name"),
        ({"": "v"}, "not a valid HTTP header name"),
        ({"X-A:": "v"}, "not a valid HTTP header name"),
        ({"X-Ä": "v"}, "not a valid HTTP header name"),
    ],
)
def test_header_injection_refused(echo, headers: dict[str, str], why: str) -> None:
    port, hits = echo
    before = len(hits)
    with make_sandbox(network=_policy(port)) as sb:
        program = (
            "try:\n"
            f"    http_get('http://127.0.0.1:{port}/x', headers={headers!r})\n"
            "except PermissionError as e:\n"
            "    print('refused:', e)\n"
        )
        r = run(sb, program)
    assert r.ok, r.error
    assert r.stdout.startswith("refused:") and why in r.stdout
    assert len(hits) == before


def test_legitimate_headers_still_sent(echo) -> None:
    port, _ = echo
    with make_sandbox(network=_policy(port)) as sb:
        program = (
            "import json\n"
            f"r = http_request('POST', 'http://127.0.0.1:{port}/p', json={{'a': 1}},\n"
            "                 headers={'Accept': 'application/json', 'X-Trace-Id': 'abc 123',\n"
            "                          'Authorization': 'Bearer t0k\\ten'})\n"
            "h = json.loads(r['text'])['headers']\n"
            "print(h['host'], h['accept'], h['x-trace-id'], h['authorization'])\n"
            "print(h['content-type'], h['content-length'])\n"
        )
        r = run(sb, program)
    assert r.ok, r.error
    assert r.stdout == (
        f"127.0.0.1:{port} application/json abc 123 Bearer t0k\ten\napplication/json 8\n"
    )


def test_url_with_control_characters_refused(echo) -> None:
    port, hits = echo
    before = len(hits)
    with make_sandbox(network=_policy(port)) as sb:
        url = f"http://127.0.0.1:{port}/x HTTP/1.1\r\nHost: evil.example.org\r\n\r\n"
        r = run(sb, f"http_get({url!r})")
    assert r.error is not None and "PermissionError" in r.error.message
    assert "control character" in r.error.message
    assert len(hits) == before


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example.org:80@127.0.0.1:{port}/x",
        "http://user:pw@127.0.0.1:{port}/x",
        "http://evil.example.org\\@127.0.0.1:{port}/x",
    ],
)
def test_user_info_in_url_refused(echo, url: str) -> None:
    port, hits = echo
    before = len(hits)
    ok, text = perform(
        _policy(port), {"method": "GET", "url": url.format(port=port)}, time.monotonic() + 10
    )
    assert not ok and json.loads(text)["kind"] == "denied"
    assert "user info" in json.loads(text)["message"]
    assert len(hits) == before


def test_credentials_dropped_on_cross_origin_redirect(echo) -> None:
    port, _ = echo
    deadline = time.monotonic() + 10
    request = {
        "method": "GET",
        "url": f"http://127.0.0.1:{port}/to-other-origin",
        "headers": {"Authorization": "Bearer secret", "Cookie": "s=1", "X-Keep": "yes"},
    }
    ok, text = perform(_policy(port), request, deadline)
    assert ok, text
    landed = json.loads(json.loads(text)["text"])
    assert landed["path"] == "/landed"
    assert landed["headers"]["host"] == f"localhost:{port}"
    assert "authorization" not in landed["headers"] and "cookie" not in landed["headers"]
    assert landed["headers"]["x-keep"] == "yes"
    # the same origin keeps them
    request["url"] = f"http://127.0.0.1:{port}/same-origin"
    ok, text = perform(_policy(port), request, deadline)
    landed = json.loads(json.loads(text)["text"])
    assert landed["path"] == "/landed" and landed["headers"]["authorization"] == "Bearer secret"


def test_redirect_to_a_domain_off_the_list_is_denied(echo) -> None:
    port, hits = echo
    only_ip = NetworkPolicy([f"http://127.0.0.1:{port}"])
    before = len(hits)
    ok, text = perform(
        only_ip, {"method": "GET", "url": f"http://127.0.0.1:{port}/to-other-origin"},
        time.monotonic() + 10,
    )
    assert not ok and json.loads(text)["kind"] == "denied"
    assert "'localhost'" in json.loads(text)["message"]
    assert len(hits) == before + 1  # the redirect was not followed


def test_check_headers_shapes() -> None:
    assert check_headers(None) == ({}, None)
    assert check_headers({"Accept": "x"}) == ({"Accept": "x"}, None)
    assert check_headers(["Host", "x"])[0] is None
    assert check_headers({"Accept": 1})[0] is None
    headers, why = check_headers({"Accept": "a", "accept": "b"})
    assert headers is None and why is not None and "twice" in why
    headers, why = check_headers({f"X-{i}": "v" for i in range(100)})
    assert headers is None and why is not None and "too many" in why

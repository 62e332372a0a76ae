"""The network allow-list, tested against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading

import pytest
from test_sandbox_support import make_sandbox, run

from codeact_verify.host import NetworkPolicy
from codeact_verify.host.network import DomainRule


@pytest.fixture(scope="module")
def server():
    hits: list[tuple[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _reply(self) -> None:
            hits.append((self.command, self.path))
            if self.path.startswith("/redirect-out"):
                self.send_response(302)
                self.send_header("Location", "http://evil.example.org/steal")
                self.end_headers()
                return
            if self.path.startswith("/redirect-in"):
                self.send_response(302)
                self.send_header("Location", "/hello")
                self.end_headers()
                return
            if self.path.startswith("/big"):
                body = b"z" * 50000
            else:
                length = int(self.headers.get("Content-Length") or 0)
                sent = self.rfile.read(length).decode() if length else ""
                body = json.dumps(
                    {"path": self.path, "method": self.command, "sent": sent, "greeting": "hällo"}
                ).encode()
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_DELETE = _reply

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], hits
    srv.shutdown()
    srv.server_close()


def sandbox_for(*domains: str, **kwargs):
    return make_sandbox(network=NetworkPolicy(list(domains), **kwargs))


def test_allowed_http_get_and_post(server) -> None:
    port, hits = server
    with sandbox_for(f"http://127.0.0.1:{port}") as sb:
        program = (
            "import json\n"
            f"r = http_get('http://127.0.0.1:{port}/hello')\n"
            "print(r['status'], json.loads(r['text'])['greeting'])\n"
            f"p = http_request('POST', 'http://127.0.0.1:{port}/p', json={{'a': 1}})\n"
            "print(json.loads(p['text'])['sent'])\n"
            f"print(http_get('http://127.0.0.1:{port}/missing')['status'])\n"
        )
        r = run(sb, program)
        assert r.ok, r.error
        assert r.stdout == '200 hällo\n{"a": 1}\n404\n'
        assert ("GET", "/hello") in hits and ("POST", "/p") in hits


def test_http_needs_explicit_opt_in(server) -> None:
    port, hits = server
    before = len(hits)
    with sandbox_for("127.0.0.1") as sb:  # https only
        r = run(sb, f"http_get('http://127.0.0.1:{port}/hello')")
        assert r.error is not None and r.error.kind == "runtime"
        assert "PermissionError" in r.error.message and "http" in r.error.message
    assert len(hits) == before


def test_domain_not_on_list_names_the_domain(server) -> None:
    port, _ = server
    with sandbox_for(f"http://127.0.0.1:{port}") as sb:
        r = run(sb, "http_get('https://api.other.example/x')")
        assert r.error is not None and "'api.other.example'" in r.error.message
        assert "allow-list" in r.error.message


def test_redirects_rechecked(server) -> None:
    port, _ = server
    with sandbox_for(f"http://127.0.0.1:{port}") as sb:
        ok = run(sb, f"print(http_get('http://127.0.0.1:{port}/redirect-in')['url'])")
        assert ok.ok and ok.stdout.strip().endswith("/hello")
        bad = run(sb, f"http_get('http://127.0.0.1:{port}/redirect-out')")
        assert bad.error is not None and "evil.example.org" in bad.error.message


def test_methods_limited(server) -> None:
    port, hits = server
    before = len(hits)
    with sandbox_for(f"http://127.0.0.1:{port}", methods=["GET"]) as sb:
        r = run(sb, f"http_request('DELETE', 'http://127.0.0.1:{port}/x')")
        assert r.error is not None and "method DELETE" in r.error.message
    assert len(hits) == before


def test_response_size_capped(server) -> None:
    port, _ = server
    with sandbox_for(f"http://127.0.0.1:{port}", max_response_bytes=1000) as sb:
        r = run(sb, f"http_get('http://127.0.0.1:{port}/big')")
        assert r.error is not None and r.error.kind == "limit"


def test_network_failure_is_connection_error() -> None:
    with sandbox_for("http://127.0.0.1:1") as sb:
        r = run(
            sb,
            "try:\n    http_get('http://127.0.0.1:1/')\nexcept ConnectionError as e:\n"
            "    print('failed')\n",
        )
        assert r.ok and r.stdout == "failed\n"


@pytest.mark.parametrize(
    ("rule", "host", "port", "ok"),
    [
        ("api.example.com", "api.example.com", None, True),
        ("api.example.com", "x.api.example.com", None, False),
        ("*.example.com", "a.example.com", None, True),
        ("*.example.com", "a.b.example.com", None, True),
        ("*.example.com", "example.com", None, False),
        ("*.example.com", "badexample.com", None, False),
        ("127.0.0.1:8080", "127.0.0.1", 8080, True),
        ("127.0.0.1:8080", "127.0.0.1", 8081, False),
    ],
)
def test_rule_matching(rule: str, host: str, port: int | None, ok: bool) -> None:
    assert DomainRule.parse(rule).matches_host(host, port) is ok


def test_policy_check() -> None:
    policy = NetworkPolicy(["api.example.com", "http://local.test"], methods=["GET", "POST"])
    assert policy.check("GET", "https://api.example.com/v1") is None
    assert "https only" in (policy.check("GET", "http://api.example.com/") or "")
    assert policy.check("GET", "http://local.test/") is None
    assert "method PUT" in (policy.check("PUT", "https://api.example.com/") or "")
    assert "not an http(s) URL" in (policy.check("GET", "file:///etc/passwd") or "")
    for bad in ["https://a.com/path", "ftp://x.com", "*", "a b"]:
        with pytest.raises(ValueError):
            DomainRule.parse(bad)

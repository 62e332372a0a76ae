"""The network allow-list and the HTTP requests the host performs for the guest.

The guest has no sockets. Its `http_get`/`http_request` helpers ask the host, which performs
the request only if the target is allowed: exact names (`api.example.com`) or wildcards
(`*.example.com`, which match subdomains, not the bare domain), optionally limited to some
HTTP methods; https only, unless an entry opts in to http (`http://127.0.0.1:8080`). Every
redirect is checked again; the response size and time are capped.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class DomainRule:
    """One allow-list entry."""

    pattern: str  # "api.example.com" or "*.example.com"
    port: int | None = None
    allow_http: bool = False
    methods: frozenset[str] | None = None  # None: any method

    @classmethod
    def parse(cls, text: str, methods: Sequence[str] | None = None) -> DomainRule:
        """`[http://|https://]NAME[:PORT]`; `http://` opts this target in to plain http."""
        raw = text.strip()
        allow_http = False
        if "://" in raw:
            scheme, raw = raw.split("://", 1)
            if scheme not in ("http", "https"):
                raise ValueError(f"allowed domain {text!r}: scheme must be http or https")
            allow_http = scheme == "http"
        raw = raw.rstrip("/")
        if "/" in raw or not raw:
            raise ValueError(f"allowed domain {text!r} must be a host name, not a URL path")
        port = None
        if raw.count(":") == 1:
            raw, port_text = raw.split(":")
            if not port_text.isdigit():
                raise ValueError(f"allowed domain {text!r}: bad port {port_text!r}")
            port = int(port_text)
        name = raw.lower().rstrip(".")
        label = name[2:] if name.startswith("*.") else name
        if not label or "*" in label or " " in label:
            raise ValueError(f"allowed domain {text!r} is not a host name or *.wildcard")
        meths = None
        if methods:
            meths = frozenset(m.upper() for m in methods)
            bad = meths - _METHODS
            if bad:
                raise ValueError(f"allowed domain {text!r}: unknown HTTP method(s) {sorted(bad)}")
        return cls(name, port, allow_http, meths)

    def matches_host(self, host: str, port: int | None) -> bool:
        if self.port is not None and port != self.port:
            return False
        if self.pattern.startswith("*."):
            return host.endswith(self.pattern[1:]) and host != self.pattern[2:]
        return host == self.pattern


@dataclass(frozen=True)
class NetworkPolicy:
    """Which targets the program may reach through the host's HTTP helper."""

    allowed_domains: Sequence[str | DomainRule] = ()
    methods: Sequence[str] | None = None  # applies to string entries
    timeout_s: float = 10.0
    max_response_bytes: int = 4 << 20
    max_redirects: int = 5
    rules: tuple[DomainRule, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rules = tuple(
            entry if isinstance(entry, DomainRule) else DomainRule.parse(entry, self.methods)
            for entry in self.allowed_domains
        )
        object.__setattr__(self, "rules", rules)

    def check(self, method: str, url: str) -> str | None:
        """None if allowed, else a message naming the domain and why not."""
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        if scheme not in ("http", "https") or not host:
            return f"URL {url!r} is not an http(s) URL with a host"
        try:
            port = parts.port
        except ValueError:
            return f"URL {url!r} has a bad port"
        candidates = [r for r in self.rules if r.matches_host(host, port)]
        if not candidates:
            allowed = ", ".join(r.pattern for r in self.rules) or "none"
            return f"domain {host!r} is not on the allow-list (allowed: {allowed})"
        if scheme == "http" and not any(r.allow_http for r in candidates):
            return f"plain http to {host!r} is not allowed (https only unless opted in)"
        if not any(r.methods is None or method in r.methods for r in candidates):
            return f"method {method} to {host!r} is not allowed"
        return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _err(kind: str, message: str) -> tuple[bool, str]:
    return False, json.dumps({"kind": kind, "message": message})


def perform(
    policy: NetworkPolicy | None, request: dict[str, Any], deadline: float
) -> tuple[bool, str]:
    """Perform one guest HTTP request; (ok, JSON payload) as the WIT import returns it."""
    method = str(request.get("method") or "GET").upper()
    url = str(request.get("url") or "")
    if policy is None or not policy.rules:
        host = urllib.parse.urlsplit(url).hostname or url
        return _err("denied", f"network access is off: domain {host!r} is not allowed")
    if method not in _METHODS:
        return _err("denied", f"HTTP method {method!r} is not supported")
    headers = {str(k): str(v) for k, v in (request.get("headers") or {}).items()}
    body = request.get("body")
    data = body.encode("utf-8") if isinstance(body, str) else None
    asked = request.get("timeout")
    for _ in range(policy.max_redirects + 1):
        problem = policy.check(method, url)
        if problem:
            return _err("denied", problem)
        remaining = deadline - time.monotonic()
        timeout = min(policy.timeout_s, remaining, float(asked) if asked else policy.timeout_s)
        if timeout <= 0:
            return _err("timeout", "the run's time limit was reached during an HTTP request")
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            resp = _OPENER.open(req, timeout=timeout)
        except urllib.error.HTTPError as exc:
            resp = exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            return _err("network", f"{method} {url} failed: {reason}")
        with resp:
            status = resp.status if hasattr(resp, "status") else resp.code
            if status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                url = urllib.parse.urljoin(url, resp.headers["Location"])
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                continue
            try:
                raw = resp.read(policy.max_response_bytes + 1)
            except OSError as exc:
                return _err("network", f"{method} {url} failed while reading: {exc}")
            if len(raw) > policy.max_response_bytes:
                return _err(
                    "limit",
                    f"HTTP response from {url} exceeds {policy.max_response_bytes} bytes",
                )
            charset = resp.headers.get_content_charset() or "utf-8"
            payload = {
                "status": status,
                "headers": {k.lower(): v for k, v in resp.headers.items()},
                "text": raw.decode(charset, "replace"),
                "url": url,
            }
            return True, json.dumps(payload)
    return _err("network", f"too many redirects (more than {policy.max_redirects})")

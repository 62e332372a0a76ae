"""The network allow-list and the HTTP requests the host performs for the guest.

The guest has no sockets. Its `http_get`/`http_request` helpers ask the host, which performs
the request only if the target is allowed: exact names (`api.example.com`) or wildcards
(`*.example.com`, which match subdomains, not the bare domain), optionally limited to some
HTTP methods; https only, unless an entry opts in to http (`http://127.0.0.1:8080`). Every
redirect is checked again; the response size and time are capped.

The program's request headers are checked first (`check_headers`): a name must be an HTTP token
and a value must hold no control character (no CR/LF header injection), and the headers that
route or frame a request are the host's alone (`Host`, which would let an allow-listed
connection front for another site; `Connection`, `Transfer-Encoding`, `Content-Length` and the
other hop-by-hop headers; `Forwarded`, `X-Forwarded-*`, the method overrides that would slip
past a method allow-list): such a request is refused (`denied`) before anything is sent. A
redirect to another origin drops the program's credentials (`Authorization`, `Cookie`).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# Headers the host sets or that change where or how a request goes: never the program's.
_HOST_ONLY_HEADERS = frozenset(
    {
        "host", "connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
        "content-length", "expect", "forwarded", "via", "x-real-ip", "x-original-url",
        "x-rewrite-url", "x-http-method", "x-http-method-override", "x-method-override",
    }
)
_HOST_ONLY_PREFIXES = ("proxy-", "x-forwarded-")
# RFC 9110 token characters: what a header name may be made of.
_TOKEN = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Dropped when a redirect leaves the origin the program addressed.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie"})
_MAX_HEADERS = 64


def check_headers(headers: Any) -> tuple[dict[str, str] | None, str | None]:
    """The program's request headers as a dict, or None and why they are refused."""
    if headers is None:
        return {}, None
    if not isinstance(headers, dict):
        return None, "request headers must be a JSON object of strings"
    if len(headers) > _MAX_HEADERS:
        return None, f"too many request headers ({len(headers)}; at most {_MAX_HEADERS})"
    out: dict[str, str] = {}
    seen: set[str] = set()
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            return None, "request headers must be a JSON object of strings"
        shown = repr(name[:64])
        if not name or not set(name) <= _TOKEN:
            return None, f"request header name {shown} is not a valid HTTP header name"
        low = name.lower()
        if low in _HOST_ONLY_HEADERS or low.startswith(_HOST_ONLY_PREFIXES):
            return None, (
                f"request header {shown} is set by the host, not the program (it routes or "
                "frames the request)"
            )
        if low in seen:
            return None, f"request header {shown} is given twice"
        if any((c < " " and c != "\t") or c == "\x7f" for c in value):
            return None, f"request header {shown} has a control character (CR, LF, ...) in it"
        seen.add(low)
        out[name] = value
    return out, None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower().rstrip("."), port


class AllowedDomain(NamedTuple):
    """One allow-list entry as Agent Framework's Hyperlight provider spells it.

    `target` is a host name (`api.example.com`, `*.example.com`, `host:port`; a leading
    `http://` opts in to plain http); `methods` limits the HTTP methods (None: any method).
    """

    target: str
    methods: tuple[str, ...] | None = None


AllowedDomainInput = str | tuple[str, str | Sequence[str]] | AllowedDomain


def normalize_target(target: str) -> str:
    """`https://API.example.com/v1` -> `api.example.com`; `http://` is kept (it opts in to http)."""
    if not isinstance(target, str) or not target.strip():
        raise ValueError("allowed domain entries must be non-empty strings")
    raw = target.strip()
    scheme = ""
    if "://" in raw:
        scheme, raw = raw.split("://", 1)
        scheme = scheme.lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"allowed domain {target!r}: scheme must be http or https")
    host = raw.split("/", 1)[0].strip().lower()
    if not host:
        raise ValueError(f"could not read a host name from allowed domain {target!r}")
    return f"http://{host}" if scheme == "http" else host


def _normalize_methods(methods: str | Sequence[str] | None, target: str) -> tuple[str, ...] | None:
    if methods is None:
        return None
    items = [methods] if isinstance(methods, str) else list(methods)
    if not all(isinstance(m, str) and m.strip() for m in items):
        raise ValueError(f"allowed domain {target!r}: HTTP methods must be non-empty strings")
    names = {m.strip().upper() for m in items}
    if not names:
        raise ValueError(f"allowed domain {target!r}: methods must not be empty when given")
    bad = names - _METHODS
    if bad:
        raise ValueError(f"allowed domain {target!r}: unknown HTTP method(s) {sorted(bad)}")
    return tuple(sorted(names))


def is_domain_pair(value: Any) -> bool:
    """`("api.github.com", "GET")` or `("api.github.com", ["GET", "POST"])`: one entry, not two."""
    if not isinstance(value, tuple) or isinstance(value, AllowedDomain) or len(value) != 2:
        return False
    target, methods = value
    if not isinstance(target, str):
        return False
    return isinstance(methods, str | list | tuple | frozenset | set)


def normalize_allowed_domain(entry: Any) -> AllowedDomain:
    """A string, a `(target, methods)` pair or an `AllowedDomain`, checked and normalized."""
    if isinstance(entry, DomainRule):
        scheme = "http://" if entry.allow_http else ""
        port = f":{entry.port}" if entry.port is not None else ""
        methods = tuple(sorted(entry.methods)) if entry.methods else None
        return AllowedDomain(f"{scheme}{entry.pattern}{port}", methods)
    if isinstance(entry, str):
        target, methods = entry, None
    elif isinstance(entry, AllowedDomain) or is_domain_pair(entry):
        target, methods = entry[0], entry[1]
    else:
        raise ValueError(
            f"cannot use {entry!r} as an allowed domain; use a string, a (target, methods) pair "
            "or AllowedDomain(target, methods)"
        )
    normalized = AllowedDomain(normalize_target(target), _normalize_methods(methods, target))
    DomainRule.parse(normalized.target, normalized.methods)  # fail now, not at run time
    return normalized


def normalize_allowed_domains(value: Any) -> list[AllowedDomain]:
    """One entry (string, pair, `AllowedDomain`) or a sequence of them."""
    if value is None:
        return []
    if isinstance(value, str | AllowedDomain | DomainRule) or is_domain_pair(value):
        return [normalize_allowed_domain(value)]
    if not isinstance(value, Sequence | set | frozenset):
        raise ValueError(f"cannot use {value!r} as allowed domains")
    return [normalize_allowed_domain(entry) for entry in value]


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

    allowed_domains: Sequence[str | DomainRule | AllowedDomain] = ()
    methods: Sequence[str] | None = None  # applies to string entries
    timeout_s: float = 10.0
    max_response_bytes: int = 4 << 20
    max_redirects: int = 5
    rules: tuple[DomainRule, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rules = tuple(_rule(entry, self.methods) for entry in self.allowed_domains)
        object.__setattr__(self, "rules", rules)

    def check(self, method: str, url: str) -> str | None:
        """None if allowed, else a message naming the domain and why not."""
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        if scheme not in ("http", "https") or not host:
            return f"URL {url!r} is not an http(s) URL with a host"
        if "@" in parts.netloc or "\\" in parts.netloc:
            # user info (`user:pass@host`): the connection's host string would differ from the
            # host checked here
            return f"URL {url[:200]!r} has user info (`name@`) or a backslash before its host"
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


def _rule(entry: Any, methods: Sequence[str] | None) -> DomainRule:
    if isinstance(entry, DomainRule):
        return entry
    if isinstance(entry, str):
        return DomainRule.parse(entry, methods)
    domain = normalize_allowed_domain(entry)
    return DomainRule.parse(domain.target, domain.methods)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# -- the run's deadline over a whole request ---------------------------------------------------
# A socket timeout bounds each read, not the request: a server that sends its status line,
# headers or body a byte at a time held the run's thread for as long as it liked (red9/33,
# red10/40). So each request's sockets are watched: at the run's deadline a timer shuts them
# down, the blocked read fails at once, and `perform` answers `timeout`.
class _Watch:
    """The sockets one request opened (on this thread), shut down when `expire` runs."""

    def __init__(self) -> None:
        self.sockets: list[socket.socket] = []
        self.expired = False
        self._guard = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self._guard:
            self.sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def expire(self) -> None:
        with self._guard:
            self.expired = True
            sockets = list(self.sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


_watching = threading.local()


def _watched(sock: Any) -> None:
    watch = getattr(_watching, "current", None)
    if watch is not None and isinstance(sock, socket.socket):
        watch.add(sock)


class _WatchedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self.sock)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: Any) -> Any:
        return self.do_open(_WatchedHTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: Any) -> Any:
        return self.do_open(_WatchedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _NoRedirect(), _HTTPHandler(), _HTTPSHandler()
)


def _err(kind: str, message: str) -> tuple[bool, str]:
    return False, json.dumps({"kind": kind, "message": message})


def perform(
    policy: NetworkPolicy | None, request: dict[str, Any], deadline: float
) -> tuple[bool, str]:
    """Perform one guest HTTP request; (ok, JSON payload) as the WIT import returns it. No
    longer than the run's deadline, whatever the server's pace (see `_Watch`)."""
    watch = _Watch()
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), watch.expire)
    timer.daemon = True
    timer.start()
    outer = getattr(_watching, "current", None)
    _watching.current = watch
    try:
        outcome = _perform(policy, request, deadline)
    finally:
        _watching.current = outer
        timer.cancel()
    if watch.expired:  # what was read may be cut short: never handed over as a response
        return _err("timeout", "the run's time limit was reached during an HTTP request")
    return outcome


def _perform(
    policy: NetworkPolicy | None, request: dict[str, Any], deadline: float
) -> tuple[bool, str]:
    method = str(request.get("method") or "GET").upper()
    url = str(request.get("url") or "")
    if policy is None or not policy.rules:
        host = urllib.parse.urlsplit(url).hostname or url
        return _err("denied", f"network access is off: domain {host!r} is not allowed")
    if method not in _METHODS:
        return _err("denied", f"HTTP method {method!r} is not supported")
    if any(c <= " " or c == "\x7f" for c in url):
        return _err("denied", f"URL {url[:200]!r} has a space or control character")
    headers, problem = check_headers(request.get("headers"))
    if headers is None:
        return _err("denied", problem or "request headers refused")
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
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            return _err("network", f"{method} {url} failed: {reason}")
        with resp:
            status = resp.status if hasattr(resp, "status") else resp.code
            if status in (301, 302, 303, 307, 308) and resp.headers.get("Location"):
                target = urllib.parse.urljoin(url, resp.headers["Location"])
                if _origin(target) != _origin(url):  # credentials stay with their origin
                    headers = {
                        k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS
                    }
                url = target
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                continue
            try:
                raw = resp.read(policy.max_response_bytes + 1)
            except (OSError, http.client.HTTPException) as exc:
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

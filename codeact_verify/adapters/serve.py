"""A pre-execution verification service for agent loops in other languages (ASGI, Starlette).

- `POST /verify`  `{"code": str}` -> the verifier's report `{"ok", "diagnostics", "effects"}`.
- `POST /execute` `{"code": str, "approved"?: bool}` -> the `run --json` shape
  `{"ok", "stdout", "error", "tool_calls", "diagnostics", ...}`; a rejected program has
  `error.kind == "rejected"` and nothing ran. Program outcomes are 200; only malformed requests
  get a 4xx, always with a JSON body `{"error": {"type", "message"}}`.
- The front door (`FrontDoor`): a `Host` or `Origin` off the allow-list (loopback names by
  default) is 403, a missing bearer token (when one is set) 401, a content type other than
  `application/json` 415, a body over the limit 413 (counted while reading); when
  `max_concurrent` requests are at work and `max_queue` wait, the answer is 503 with
  `Retry-After`. The type check and the run happen off the event loop, so `/health` answers
  under load.
- `GET /openapi.json` the OpenAPI schema; `GET /instructions` the model instructions as text;
  `GET /health`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hmac
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..astlock import AST_LOCK
from ..execute_code import BadArguments, parse_arguments

if TYPE_CHECKING:
    from ..codeact import CodeAct

MAX_BODY_BYTES = 1024 * 1024

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"type": {"type": "string"}, "message": {"type": "string"}},
            "required": ["type", "message"],
        }
    },
}
_DIAGNOSTIC = {
    "type": "object",
    "properties": {
        k: {"type": t}
        for k, t in [
            ("code", "string"),
            ("rule", "string"),
            ("severity", "string"),
            ("message", "string"),
            ("line", "integer"),
            ("col", "integer"),
            ("end_line", "integer"),
            ("end_col", "integer"),
            ("hint", ["string", "null"]),
        ]
    },
}
_REPORT = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "diagnostics": {"type": "array", "items": _DIAGNOSTIC},
        "effects": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["ok", "diagnostics", "effects"],
}
_EXECUTION = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "stdout": {"type": "string"},
        "stderr": {"type": "string"},
        "error": {
            "type": ["object", "null"],
            "properties": {
                "kind": {"type": "string"},
                "message": {"type": "string"},
                "line": {"type": ["integer", "null"]},
            },
        },
        "tool_calls": {"type": "array", "items": {"type": "object"}},
        "diagnostics": {"type": "array", "items": _DIAGNOSTIC},
        "effects": {"type": "array", "items": {"type": "object"}},
        "duration_ms": {"type": "number"},
    },
    "required": ["ok", "stdout", "error", "tool_calls", "diagnostics", "duration_ms"],
}


def _body_schema(approved: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"code": {"type": "string", "description": "The Python program."}}
    if approved:
        props["approved"] = {
            "type": "boolean",
            "description": "The host already approved this exact code (when approval is needed).",
        }
    return {
        "type": "object",
        "properties": props,
        "required": ["code"],
        "additionalProperties": False,
    }


def _operation(summary: str, body: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    bad = {"description": "Malformed request", "content": {"application/json": {"schema": _ERROR}}}
    return {
        "post": {
            "summary": summary,
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": result}}},
                "400": bad,
                "413": bad,
                "401": bad,
                "403": bad,
                "415": bad,
                "422": bad,
                "503": bad,
            },
        }
    }


def openapi_schema() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "codeact-verify", "version": "0.1.0"},
        "paths": {
            "/verify": _operation(
                "Verify a program (static only; nothing runs)", _body_schema(False), _REPORT
            ),
            "/execute": _operation(
                "Verify, then run the program in the sandbox", _body_schema(True), _EXECUTION
            ),
            "/instructions": {
                "get": {
                    "summary": "The instructions for the model",
                    "responses": {
                        "200": {
                            "description": "text",
                            "content": {"text/plain": {"schema": {"type": "string"}}},
                        }
                    },
                }
            },
            "/health": {
                "get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}
            },
        },
    }


def _clean_strings(value: Any) -> Any:
    """A copy of `value` whose strings can be encoded as UTF-8 (a lone surrogate, e.g. from
    `os.fsdecode`, is written as the text `\\udcff`)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("ascii", "replace")
        return value
    if isinstance(value, dict):
        return {_clean_strings(k): _clean_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_strings(v) for v in value]
    return value


class _JSON(JSONResponse):
    """A JSON response that never fails on a string UTF-8 cannot encode."""

    def render(self, content: Any) -> bytes:
        try:
            return json.dumps(content, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (UnicodeEncodeError, ValueError):
            cleaned = _clean_strings(content)
            return json.dumps(cleaned, ensure_ascii=False, default=str).encode("utf-8")


def _error(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return _JSON({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)


# -- the front door: Host, Origin, token, content type, body size, concurrency ----------------
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _host_name(value: str) -> str:
    """The host part of a Host header or an origin's authority, lower case, without the port."""
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8765
        end = value.find("]")
        return value[1:end] if end > 0 else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


@dataclass(frozen=True)
class FrontDoor:
    """Who may talk to the service and how much at once.

    - `allowed_hosts`: names the `Host` header may carry (any port); loopback by default,
      so a page that rebinds its DNS name to 127.0.0.1 is refused.
    - `allowed_origins`: a request carrying `Origin` (every browser fetch) is served only for
      these: `http://NAME` or `http://NAME:PORT` / `https://...`, or a bare host name meaning any
      scheme and port. Loopback names by default; requests without `Origin` (curl, SDKs) pass.
    - `token`: when set, every request except `GET /health` needs `Authorization: Bearer TOKEN`.
    - `max_concurrent` requests verify or run at once; up to `max_queue` more wait; beyond
      that the answer is 503 with `Retry-After`.
    - `max_body_bytes`: the request body limit, enforced while reading.
    """

    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    allowed_origins: tuple[str, ...] = LOOPBACK_HOSTS
    token: str | None = None
    max_concurrent: int = 8
    max_queue: int = 64
    max_body_bytes: int = MAX_BODY_BYTES
    retry_after_s: int = 1

    def __post_init__(self) -> None:
        if self.max_concurrent < 1 or self.max_queue < 0 or self.max_body_bytes < 1:
            raise ValueError("max_concurrent >= 1, max_queue >= 0 and max_body_bytes >= 1")
        if self.token is not None and not self.token:
            raise ValueError("the token must not be empty")

    def host_ok(self, host: str | None) -> bool:
        if not host:
            return False
        name = _host_name(host)
        return any(name == _host_name(allowed) for allowed in self.allowed_hosts)

    def origin_ok(self, origin: str | None) -> bool:
        if origin is None:
            return True
        origin = origin.strip().lower()
        scheme, sep, authority = origin.partition("://")
        if not sep or scheme not in ("http", "https") or not authority or "/" in authority:
            return False  # "null", file://, a malformed value
        for allowed in self.allowed_origins:
            allowed = allowed.strip().lower().rstrip("/")
            if "://" in allowed:
                any_port = allowed.count(":") == 1 and origin.startswith(allowed + ":")
                if origin == allowed or any_port:
                    return True
            elif _host_name(authority) == _host_name(allowed):
                return True
        return False

    def token_ok(self, header: str | None) -> bool:
        if self.token is None:
            return True
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[7:].strip().encode(), self.token.encode())


class _Gate:
    """At most `slots` requests at work and `queue` waiting (one event loop: no lock needed)."""

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots
        self.limit = slots + queue
        self.admitted = 0
        self._sem: asyncio.Semaphore | None = None

    def try_admit(self) -> bool:
        if self.admitted >= self.limit:
            return False
        self.admitted += 1
        return True

    async def run(self, work: Any) -> Any:
        """Await `work()` in a slot; the caller was admitted."""
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.slots)
        try:
            async with self._sem:
                return await work()
        finally:
            self.admitted -= 1


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it grows past `limit` (never read to the end first)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_request(
    request: Request, *, allow_approved: bool, max_code_bytes: int, max_body_bytes: int
) -> tuple[str, bool | None] | JSONResponse:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        return _error(415, "unsupported_media_type", "send the body as application/json")
    too_large = _error(413, "too_large", f"the body is over {max_body_bytes} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_body_bytes:
        return too_large
    raw = await _read_body(request, max_body_bytes)
    if raw is None:
        return too_large
    try:
        body = json.loads(raw)
    except ValueError as exc:
        return _error(400, "invalid_json", f"the body is not valid JSON: {str(exc)[:200]}")
    if not isinstance(body, dict):
        return _error(400, "invalid_body", 'the body must be a JSON object like {"code": "..."}')
    approved = None
    if allow_approved and "approved" in body:
        approved = body.pop("approved")
        if not isinstance(approved, bool):
            return _error(422, "invalid_field", "`approved` must be true or false")
    code = body.get("code")
    if isinstance(code, str):
        try:
            code.encode("utf-8")
        except UnicodeEncodeError:
            return _error(422, "invalid_field", "`code` holds a lone surrogate (not valid Unicode)")
    parsed = parse_arguments(body, max_code_bytes=max_code_bytes)
    if isinstance(parsed, BadArguments):
        message = parsed.message.removeprefix("Error: ").replace("execute_code", "this endpoint")
        status = 413 if "limit is" in message else 422
        return _error(status, "invalid_field", message)
    return parsed, approved


def _verify(codeact: CodeAct, code: str) -> Any:
    with AST_LOCK:  # the verifier parses with `ast`, not safe on two threads at once (3.11)
        return codeact.verify(code)


def create_app(codeact: CodeAct, door: FrontDoor | None = None) -> _Guarded:
    """The ASGI app serving `codeact` (its tools, grammar, limits and approval settings),
    behind `door` (loopback Host/Origin only, no token, 8 at work + 64 queued by default)."""
    door = door or FrontDoor()
    gate = _Gate(door.max_concurrent, door.max_queue)
    # The type check (mypy, in process) and everything else that blocks run off the event
    # loop, so /health and the 4xx/503 answers stay fast while programs are checked and run.
    workers = concurrent.futures.ThreadPoolExecutor(
        door.max_concurrent, thread_name_prefix="codeact-serve"
    )

    def busy() -> JSONResponse:
        return _error(
            503,
            "busy",
            f"{door.max_concurrent} requests at work and {door.max_queue} waiting; retry later",
            headers={"Retry-After": str(door.retry_after_s)},
        )

    async def admitted(
        request: Request, allow_approved: bool, job: Callable[[str, bool], Any]
    ) -> Any:
        """Read the request, take a place at the gate, run `job(code, approved)` on a worker
        thread (never on the event loop); a Response when the request is refused."""
        got = await _read_request(
            request,
            allow_approved=allow_approved,
            max_code_bytes=codeact.max_code_bytes,
            max_body_bytes=door.max_body_bytes,
        )
        if isinstance(got, Response):
            return got
        code, approved = got
        if not gate.try_admit():
            return busy()
        loop = asyncio.get_running_loop()

        async def work() -> Any:
            return await loop.run_in_executor(workers, job, code, approved)

        return await gate.run(work)

    async def verify(request: Request) -> Response:
        report = await admitted(request, False, lambda code, _: _verify(codeact, code))
        return report if isinstance(report, Response) else _JSON(report.to_dict())

    async def execute(request: Request) -> Response:
        def verify_and_run(code: str, approved: bool) -> Any:
            # everything on a worker thread with its own event loop (async tools run there):
            # taking or making a guest instance, the host's restricted transform, the run
            report = _verify(codeact, code)
            # the blocking path: async tools run on the run's own thread, so neither one that
            # blocks its loop nor a stuck to_thread call holds this worker's answer (red10/41)
            return codeact.execute_sync(code, approved=approved, report=report)

        execution = await admitted(request, True, verify_and_run)
        return execution if isinstance(execution, Response) else _JSON(execution.to_dict())

    async def openapi(request: Request) -> Response:
        return _JSON(openapi_schema())

    async def instructions(request: Request) -> Response:
        return PlainTextResponse(codeact.instructions)

    async def health(request: Request) -> Response:
        body: dict[str, Any] = {"ok": True, "busy": gate.admitted}
        if door.token_ok(request.headers.get("authorization")):
            body["tools"] = list(codeact.tools)
        return _JSON(body)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kinds = {404: "not_found", 405: "method_not_allowed"}
        return _error(exc.status_code, kinds.get(exc.status_code, "http_error"), str(exc.detail))

    app = Starlette(
        routes=[
            Route("/verify", verify, methods=["POST"]),
            Route("/execute", execute, methods=["POST"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            Route("/instructions", instructions, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error},
    )
    return _Guarded(app, door, workers)


class _Guarded:
    """ASGI wrapper: refuses a foreign Host or Origin (403) and a missing token (401) before
    the app sees the request; everything else goes to the app."""

    def __init__(self, app: Starlette, door: FrontDoor, workers: Any) -> None:
        self.app = app
        self.door = door
        self.workers = workers
        self.routes = app.routes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        headers = Headers(scope=scope)
        door = self.door
        response: Response | None = None
        if not door.host_ok(headers.get("host")):
            response = _error(403, "forbidden_host", "this Host is not on the allow-list")
        elif not door.origin_ok(headers.get("origin")):
            response = _error(403, "forbidden_origin", "this Origin is not on the allow-list")
        elif scope.get("path") != "/health" and not door.token_ok(headers.get("authorization")):
            response = _error(
                401,
                "unauthorized",
                "send Authorization: Bearer TOKEN",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BackgroundServer:
    """Runs an ASGI app with uvicorn in a thread (port 0 picks a free port); for tests and demos."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self._server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(target=self._server.run, name="codeact-serve", daemon=True)

    @property
    def url(self) -> str:
        sock = self._server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

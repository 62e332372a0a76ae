"""A compact agent loop over Chat Completions tool calling, for any OpenAI-compatible endpoint.

```python
from codeact_verify import CodeAct
from codeact_verify.openai import CodeActAgent

agent = CodeActAgent(CodeAct(tools=[get_weather]), model="gpt-4o-mini")  # key from OPENAI_API_KEY
run = await agent.run("Get the weather for Seattle and Amsterdam and compare them.")
print(run.answer, run.turns, run.usage)
```

The model gets one tool, `execute_code`, and the CodeAct instructions as the system prompt.
Whatever the model sends (bad JSON, a missing or non-string `code`, extra fields, an oversized
program, an unknown tool), it gets a clear tool result back and the loop goes on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..aio import run_detached
from ..errors import CodeActError
from ..execute_code import TOOL_NAME

if TYPE_CHECKING:
    from ..codeact import CodeAct
    from ..executor import Execution

__all__ = ["DEFAULT_MAX_TURNS", "AgentRun", "CodeActAgent", "assistant_message"]

DEFAULT_MAX_TURNS = 8

EventHandler = Callable[[str, dict[str, Any]], None]


@dataclass
class AgentRun:
    """What one task took: the answer, the transcript, the executions, turns, tokens and time."""

    answer: str | None
    messages: list[dict[str, Any]]
    turns: int
    executions: list[Execution] = field(default_factory=list)
    tool_results: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    )
    duration_ms: float = 0.0
    stop_reason: str = "answer"  # "answer", "final_answer" (given by a program) or "max_turns"


def assistant_message(message: Any) -> dict[str, Any]:
    """A Chat Completions response message as the dict to send back in `messages`."""
    out: dict[str, Any] = {"role": "assistant", "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": call.function.arguments},
            }
            for call in message.tool_calls
        ]
    return out


class CodeActAgent:
    """An agent loop: the model writes programs, CodeAct verifies and runs them."""

    def __init__(
        self,
        codeact: CodeAct,
        *,
        model: str,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        client: Any | None = None,
        system_prompt: str | None = None,
        max_turns: int = DEFAULT_MAX_TURNS,
        temperature: float | None = None,
        on_event: EventHandler | None = None,
    ) -> None:
        self.codeact = codeact
        self.model = model
        self.max_turns = max_turns
        self.temperature = temperature
        self.system_prompt = system_prompt
        self.on_event = on_event
        self._own_client = client is None
        if client is None:
            import openai

            key = api_key or os.environ.get(api_key_env)
            if not key:
                if base_url is None:
                    raise CodeActError(
                        f"no API key: set the {api_key_env} environment variable "
                        "(or pass api_key= / base_url= for a local endpoint)"
                    )
                key = "unused"
            client = openai.AsyncOpenAI(base_url=base_url, api_key=key, max_retries=0)
        self.client = client

    def _emit(self, kind: str, **data: Any) -> None:
        if self.on_event is not None:
            self.on_event(kind, data)

    def _system(self) -> str:
        text = self.codeact.instructions
        if self.system_prompt:
            text = self.system_prompt.rstrip() + "\n\n" + text
        return text

    async def _tool_result(self, call: Any, run: AgentRun) -> tuple[str, str | None]:
        """The tool message's text, and the final answer when the program gave one that ends
        the loop (one-turn answers)."""
        name = call.function.name
        if name != TOOL_NAME:
            return f"Error: there is no tool named {name!r}; the only tool is {TOOL_NAME}.", None
        text, execution = await self.codeact.execute_code_tool.run(call.function.arguments)
        if execution is not None:
            run.executions.append(execution)
            self._emit("execution", execution=execution, text=text)
        else:
            self._emit("bad_arguments", text=text, arguments=call.function.arguments)
        return text, self.codeact.final_answer(execution)

    async def run(self, task: str, history: list[dict[str, Any]] | None = None) -> AgentRun:
        """Run the loop on `task` until the model answers without a tool call (or max_turns).

        With `CodeAct(one_turn_answers=True)`, a program that ends with `final_answer(text)`
        ends the loop too: `text` is the answer (appended as the assistant's message, so the
        transcript reads as if the model had said it) and no further model turn is taken.
        """
        started = time.perf_counter()
        messages: list[dict[str, Any]] = [{"role": "system", "content": self._system()}]
        messages += list(history or [])
        messages.append({"role": "user", "content": task})
        run = AgentRun(answer=None, messages=messages, turns=0)
        tools = [self.codeact.execute_code_tool.openai_tool()]
        while run.turns < self.max_turns:
            kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "tools": tools}
            if self.temperature is not None:
                kwargs["temperature"] = self.temperature
            response = await self.client.chat.completions.create(**kwargs)
            run.turns += 1
            if response.usage is not None:
                run.usage["prompt_tokens"] += response.usage.prompt_tokens or 0
                run.usage["completion_tokens"] += response.usage.completion_tokens or 0
                run.usage["total_tokens"] += response.usage.total_tokens or 0
            message = response.choices[0].message
            messages.append(assistant_message(message))
            self._emit("model", turn=run.turns, message=messages[-1])
            if not message.tool_calls:
                run.answer = message.content or ""
                break
            final: str | None = None
            for call in message.tool_calls:
                text, answer = await self._tool_result(call, run)
                run.tool_results.append(text)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": text})
                if final is None:
                    final = answer
            if final is not None:  # one-turn answer: the program gave the reply
                run.answer = final
                run.stop_reason = "final_answer"
                messages.append({"role": "assistant", "content": final})
                self._emit("final_answer", turn=run.turns, answer=final)
                break
        else:
            run.stop_reason = "max_turns"
        run.duration_ms = (time.perf_counter() - started) * 1000
        return run

    def run_sync(self, task: str, history: list[dict[str, Any]] | None = None) -> AgentRun:
        async def _go() -> AgentRun:
            try:
                return await self.run(task, history)
            finally:
                await self.aclose()

        return run_detached(_go())

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.close()


async def run_task(
    task: str,
    codeact: CodeAct,
    *,
    model: str,
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    max_turns: int = DEFAULT_MAX_TURNS,
    on_event: EventHandler | None = None,
) -> AgentRun:
    """One task with a fresh client (closed afterwards)."""
    agent = CodeActAgent(
        codeact,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        max_turns=max_turns,
        on_event=on_event,
    )
    try:
        return await agent.run(task)
    finally:
        await agent.aclose()

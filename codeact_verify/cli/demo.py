"""`codeact-verify demo`: the reference example end to end, with no API key.

"Get the weather for Seattle and Amsterdam and compare them." A scripted model (a local
OpenAI-compatible server on 127.0.0.1) writes the program; the verifier's report and effects are
shown; the program runs in the sandbox; the tool calls, the answer, the turn count, the tokens, the
time and the instructions' token count are printed. `--base-url/--model/--api-key-env` run the
same task against a real model; `--show-rejection` adds a round where the first program misuses a
tool and is rejected before anything runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import textwrap
import time
from typing import Any, TextIO

TASK = "Get the weather for Seattle and Amsterdam and compare them."

PROGRAM = """\
weather = {}
for city in ["Seattle", "Amsterdam"]:
    weather[city] = call_tool("get_weather", city=city)
for w in weather.values():
    print(f"{w['city']}: {w['temperature_c']} °C, {w['humidity']}% humidity, {w['conditions']}")
s, a = weather["Seattle"], weather["Amsterdam"]
diff = s["temperature_c"] - a["temperature_c"]
warmer = "Seattle" if diff > 0 else "Amsterdam"
print(f"{warmer} is warmer by {abs(diff)} °C")
"""

BAD_PROGRAM = """\
weather = {}
for city in ["Seattle", "Amsterdam"]:
    weather[city] = call_tool("get_weather", location=city)
print(weather)
"""


def _answer(messages: list[dict[str, Any]]) -> dict[str, Any]:
    from ..demo.scripted_server import last_tool_result, say

    lines = [ln for ln in last_tool_result(messages).splitlines() if ln.strip()]
    if not lines:
        return say("I could not get the weather.")
    body = "\n".join(f"- {ln}" for ln in lines[:-1])
    return say(f"Here is the weather:\n{body}\nIn short: {lines[-1]}.")


def demo_script(show_rejection: bool = False) -> list[Any]:
    """The scripted model's turns for the demo task."""
    from ..demo.scripted_server import call_code

    turns: list[Any] = []
    if show_rejection:
        turns.append(call_code(BAD_PROGRAM))
    turns += [call_code(PROGRAM), _answer]
    return turns


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the weather example end to end (scripted model, no API key)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--show-rejection",
        action="store_true",
        help="first program misuses a tool and is rejected; the fix runs",
    )
    parser.add_argument("--base-url", default=None, help="OpenAI-compatible endpoint (real model)")
    parser.add_argument("--model", default=None, help="model name for --base-url / OpenAI")
    parser.add_argument(
        "--api-key-env",
        default="OPENAI_API_KEY",
        metavar="VAR",
        help="environment variable holding the API key",
    )
    parser.add_argument("--task", default=TASK, help="the user's request (real model)")
    parser.add_argument(
        "--max-turns",
        type=int,
        default=6,
        metavar="N",
        help="stop after N model turns (default: %(default)s)",
    )
    parser.set_defaults(func=run)


class _Printer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        p = self.p
        if kind == "model":
            message = data["message"]
            p(f"\n── model turn {data['turn']} " + "─" * 40)
            for call in message.get("tool_calls") or ():
                fn = call["function"]
                try:
                    code = json.loads(fn["arguments"]).get("code")
                except (ValueError, AttributeError):
                    code = None
                if fn["name"] == "execute_code" and isinstance(code, str):
                    p("execute_code:")
                    for n, line in enumerate(code.splitlines(), 1):
                        p(f"  {n:>2} | {line}")
                else:
                    p(f"tool call {fn['name']}({fn['arguments']})")
            if not message.get("tool_calls"):
                p("answer:\n" + textwrap.indent(message.get("content") or "", "  "))
        elif kind == "execution":
            self.execution(data["execution"])
        elif kind == "bad_arguments":
            p("tool result: " + data["text"])

    def execution(self, execution: Any) -> None:
        p = self.p
        report = execution.report
        if report is not None:
            if report.ok:
                p(f"verifier: accepted ({execution.timings.get('verify_ms', 0):.1f} ms)")
            else:
                p("verifier: REJECTED — nothing ran")
                p(textwrap.indent(report.render_for_human("program.py"), "  "))
            if report.effects:
                p("effects: " + "; ".join(e.describe() for e in report.effects))
        if execution.error is not None and execution.error.kind == "rejected":
            return
        if execution.error is not None and execution.error.kind == "denied":
            p("approval: denied — nothing ran")
            return
        p(
            f"sandbox: {'ok' if execution.ok else 'failed'} "
            f"({execution.timings.get('sandbox_ms', execution.duration_ms):.1f} ms)"
        )
        for call in execution.tool_calls:
            result = json.dumps(call.result if call.ok else call.error, ensure_ascii=False)
            p(f"  tool {call.name}({json.dumps(call.arguments, ensure_ascii=False)}) -> {result}")
        if execution.stdout:
            p("stdout:\n" + textwrap.indent(execution.stdout.rstrip("\n"), "  "))
        if execution.error is not None:
            err = execution.error
            p(f"error: {err.kind} (line {err.line}): {err.message}")

    def p(self, text: str) -> None:
        print(text, file=self.out)


def instructions_line(codeact: Any) -> str:
    """What the model is told, in cl100k tokens, as the README quotes it: the instructions plus
    the execute_code description (what the reference provider's 533 counts), then the whole
    tool definition as JSON (name, description and parameter schema) for scale."""
    from ..demo.tokens import count_tokens

    tool = codeact.execute_code_tool
    instructions = count_tokens(codeact.instructions)
    description = count_tokens(tool.description)
    definition = count_tokens(json.dumps(tool.openai_tool()))
    return (
        f"instructions: {instructions} tokens + {description} for the execute_code description "
        f"= {instructions + description} (cl100k; the whole execute_code tool definition as "
        f"JSON: {definition})"
    )


async def run_demo(
    *,
    show_rejection: bool = False,
    base_url: str | None = None,
    model: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    task: str = TASK,
    max_turns: int = 6,
    out: TextIO | None = None,
) -> Any:
    """Run the demo; returns the `AgentRun`. Prints to `out` (stdout by default)."""
    import sys

    from ..codeact import CodeAct
    from ..demo.scripted_server import ScriptedServer
    from ..demo.tools import SIX_TOOLS
    from ..openai import CodeActAgent

    out = out or sys.stdout
    printer = _Printer(out)
    scripted = base_url is None and model is None
    server = ScriptedServer({TASK: demo_script(show_rejection)}) if scripted else None
    codeact = CodeAct(tools=SIX_TOOLS)
    printer.p(f"task: {task if not scripted else TASK}")
    printer.p(
        f"model: {'scripted (local OpenAI-compatible server)' if scripted else model} · "
        f"tools: {', '.join(codeact.tools)}"
    )
    printer.p(instructions_line(codeact))
    t0 = time.perf_counter()
    codeact.warm_up()
    printer.p(f"warm-up (type checker, sandbox guest): {(time.perf_counter() - t0) * 1000:.0f} ms")
    try:
        if server is not None:
            server.start()
        agent = CodeActAgent(
            codeact,
            model=model or "scripted",
            base_url=server.base_url if server is not None else base_url,
            api_key_env=api_key_env,
            max_turns=max_turns,
            on_event=printer,
        )
        started = time.perf_counter()
        try:
            run = await agent.run(TASK if scripted else task)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            await agent.aclose()
    finally:
        if server is not None:
            server.stop()
        codeact.close()
    usage = run.usage
    printer.p("\n── summary " + "─" * 45)
    printer.p(
        f"turns: {run.turns} · executions: {len(run.executions)} · "
        f"tool calls: {sum(len(e.tool_calls) for e in run.executions)}"
    )
    printer.p(
        f"tokens: {usage['prompt_tokens']} prompt + {usage['completion_tokens']} completion = "
        f"{usage['total_tokens']}"
    )
    printer.p(f"time: {elapsed:.0f} ms (model, verifier and sandbox; after warm-up)")
    printer.p(instructions_line(codeact))
    return run


def run(args: argparse.Namespace) -> int:
    import sys

    if args.base_url and not args.model:
        print("codeact-verify demo: --base-url needs --model", file=sys.stderr)
        return 2
    agent_run = asyncio.run(
        run_demo(
            show_rejection=args.show_rejection,
            base_url=args.base_url,
            model=args.model,
            api_key_env=args.api_key_env,
            task=args.task,
            max_turns=args.max_turns,
        )
    )
    return 0 if agent_run.answer else 3

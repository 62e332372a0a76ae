"""`codeact-verify bench` (or `python -m codeact_verify.bench`): benchmarks, tables, a report.

```
python -m codeact_verify.bench [--quick] [--out DIR] [--base-url URL --model NAME] [--sleep]
                [--agent-only | --peers-only | --verdict-only] [--repeats N]
```
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_OUT = "bench-results"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument(
        "--out", type=Path, default=Path(DEFAULT_OUT), help=f"report directory ({DEFAULT_OUT})"
    )
    parser.add_argument(
        "--base-url",
        help="run the agent tasks against this OpenAI-compatible endpoint instead of the "
        "scripted transcripts (real model; nothing is modeled)",
    )
    parser.add_argument("--model", help="model name for --base-url")
    parser.add_argument(
        "--api-key-env",
        default="OPENAI_API_KEY",
        help="environment variable holding the API key for --base-url (OPENAI_API_KEY)",
    )
    parser.add_argument(
        "--sleep",
        action="store_true",
        help="sleep the modeled model time instead of adding it (slow: minutes)",
    )
    parser.add_argument("--repeats", type=int, help="timed runs per sandbox-level cell")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--agent-only", action="store_true", help="skip the sandbox-level bench")
    only.add_argument("--peers-only", action="store_true", help="skip the agent-level bench")
    only.add_argument(
        "--verdict-only",
        action="store_true",
        help="only the verdict bench: false-rejection and catch rates on tests/corpus/verdict, "
        "the checker's denial-of-service cases (codeact_verify.bench.verdict); needs a source "
        "checkout, where the corpus is",
    )
    only.add_argument(
        "--check-cli",
        action="store_true",
        help="only one-shot `check` from the command line: in-process vs the warm daemon "
        "(codeact_verify.bench.check_cli)",
    )
    only.add_argument(
        "--serve",
        action="store_true",
        help="only the load and fault test of `serve` (codeact_verify.bench.serve)",
    )
    serve = parser.add_argument_group("--serve")
    serve.add_argument("--seconds", type=float, default=60.0, help="load phase length (60)")
    serve.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    serve.add_argument(
        "--throughput-seconds", type=float, default=10.0,
        help="each throughput phase, verify then execute (10)",
    )
    serve.add_argument(
        "--no-corrupt-cache", action="store_true", help="skip the corrupted-cache start"
    )


def run(args: argparse.Namespace, argv: Sequence[str] | None = None) -> int:
    from codeact_verify.bench.agent import misuse_table, ratio_table, run_agent_bench, task_table
    from codeact_verify.bench.peers import peer_table, run_peer_bench
    from codeact_verify.bench.report import machine, write_outputs

    if args.serve:
        from codeact_verify.bench import serve as serve_bench

        args.json = False
        return serve_bench.run(args)
    if args.check_cli:
        from codeact_verify.bench.check_cli import main as check_cli_main

        return check_cli_main(["--repeats", str(args.repeats or 10)])
    if args.verdict_only:
        from codeact_verify.bench.verdict import main as verdict_main

        return verdict_main([])
    if args.model and not args.base_url:
        print("error: --model needs --base-url", file=sys.stderr)
        return 2
    shown = list(argv) if argv is not None else sys.argv[1:]
    command = "codeact-verify bench " + " ".join(shlex.quote(a) for a in shown)
    print(f"machine: {machine()}")
    agent = peers = None

    def progress(what: str) -> None:
        print(f"  ... {what}", file=sys.stderr, flush=True)

    if not args.peers_only:
        print("\n== Agent level: CodeAct vs classic tool calling ==")
        agent = run_agent_bench(
            sleep=args.sleep,
            base_url=args.base_url,
            model=args.model,
            api_key=os.environ.get(args.api_key_env) if args.base_url else None,
            progress=progress,
        )
        print(f"source: {agent.source}")
        if agent.latency is not None:
            print(f"latency model: {agent.latency.describe()}")
        print(task_table(agent))
        print()
        print(ratio_table(agent))
        if agent.misuse:
            print("\nmisuse (float result indexed like a dict):")
            print(misuse_table(agent))
        failed = [r for r in agent.runs + agent.misuse if not r.ok]
        for r in failed:
            print(f"WRONG ANSWER {r.task} ({r.strategy}): missing {', '.join(r.missing)}")
    if not args.agent_only:
        print("\n== Sandbox level: the same programs through each sandbox ==")
        repeats = args.repeats or (3 if args.quick else 20)
        peers = run_peer_bench(repeats, progress=progress)
        print(peer_table(peers))
    written = write_outputs(args.out, agent, peers, command=command, quick=args.quick)
    print(f"\nwrote {', '.join(str(p) for p in written)}")
    if agent is not None and any(not r.ok for r in agent.runs + agent.misuse):
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m codeact_verify.bench", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args, argv)


if __name__ == "__main__":
    sys.exit(main())

"""Run properties for N minutes across worker processes, with progress and saved findings.

Each worker runs Hypothesis tests in batches (a fresh seed per batch) until the deadline and
sends counters to the parent, which prints examples/s, findings and rule coverage. A falsified
test has already been shrunk by Hypothesis; its last recorded finding is saved. The example
database is a directory by default (``.hypothesis/codeact-fuzz``); pass ``redis://host:port/db``
to share one across machines (Hypothesis' RedisExampleDatabase): a failure that one runner finds
is saved there under the property's key, and every runner replays the database's examples for a
property before generating new ones (``replay=True`` does only that, then stops).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import re
import sys
import tempfile
import time
import unittest
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from .findings import Finding, save_finding
from .properties import LAST_FINDING, PROPERTIES, Context, FindingError, hypothesis_test

DEFAULT_DATABASE = ".hypothesis/codeact-fuzz"


class DatabaseError(RuntimeError):
    """The example database cannot be opened or reached."""


def open_database(spec: str | None, *, check: bool = False) -> ExampleDatabase:
    """A directory path (default) or ``redis://host:port/db`` for a fleet of runners.

    ``check=True`` contacts a Redis server once, so a wrong address is a clear error up front
    rather than a crash in every worker.
    """
    spec = spec or DEFAULT_DATABASE
    if spec.startswith(("redis://", "rediss://", "unix://")):
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase

        try:
            client = redis.Redis.from_url(spec, socket_connect_timeout=5)
            if check:
                client.ping()
        except (ValueError, redis.RedisError) as exc:
            raise DatabaseError(f"example database {spec}: {type(exc).__name__}: {exc}") from exc
        return RedisExampleDatabase(client)
    return DirectoryBasedExampleDatabase(spec)


@dataclass
class CampaignConfig:
    minutes: float = 1.0
    workers: int = 1
    properties: tuple[str, ...] = PROPERTIES
    seed: int = 0
    grammar: str = "default"
    database: str | None = None
    findings_dir: Path | None = None
    batch: int = 25
    bound_s: float = 10.0
    types: bool = True
    replay: bool = False  # only replay the database's examples (no generation), then stop


@dataclass
class CampaignSummary:
    examples: Counter[str] = field(default_factory=Counter)
    rules: Counter[str] = field(default_factory=Counter)
    findings: list[tuple[Path, Finding]] = field(default_factory=list)
    seconds: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # workers that failed outside any example

    @property
    def total(self) -> int:
        return sum(self.examples.values())


def sandbox_unavailable() -> str | None:
    """Why the sandbox properties cannot run here (None when they can)."""
    try:
        from codeact_verify.host import ensure_guest

        ensure_guest()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _worker(
    index: int, cfg: CampaignConfig, props: Sequence[str], deadline: float, out: Any, state_dir: str
) -> None:
    ctx = Context(grammar=cfg.grammar, bound_s=cfg.bound_s, types=cfg.types)
    ctx.current_input_file = os.path.join(state_dir, f"worker-{index}.current")
    batch = 0
    try:
        db = open_database(cfg.database)
        warming = time.monotonic()
        ctx.warm_up()  # the checker's cold start is not any example's time, nor the campaign's
        deadline += time.monotonic() - warming
        if cfg.replay:  # each property once, on what the database holds, then stop
            for name in props:
                out.put(_run_batch(index, cfg, ctx, db, name, 0))
            return
        while time.monotonic() < deadline:
            for name in props:
                if time.monotonic() >= deadline:
                    break
                batch += 1
                out.put(_run_batch(index, cfg, ctx, db, name, batch))
    except BaseException as exc:  # report it: a campaign whose workers all died ran nothing
        out.put(("error", index, {}, dict(ctx.rules), f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        ctx.close()
        out.put(("done", index, {}, dict(ctx.rules), None))


def _run_batch(
    index: int, cfg: CampaignConfig, ctx: Context, db: ExampleDatabase, name: str, batch: int
) -> tuple[str, int, dict[str, int], dict[str, int], dict[str, Any] | None]:
    """One Hypothesis run of one property; the progress message for the parent."""
    seed = hash((cfg.seed, index, batch)) & 0xFFFFFFFF
    test = hypothesis_test(
        name, ctx, max_examples=cfg.batch, database=db, replay=cfg.replay, seed=seed
    )
    LAST_FINDING.pop(name, None)
    before = Counter(ctx.examples)
    found: dict[str, Any] | None = None
    try:
        test()
    except FindingError:
        f = LAST_FINDING.get(name)
        if f is not None:
            f.grammar = cfg.grammar
            found = f.to_dict()
    except unittest.SkipTest:  # replay only, and the database holds nothing for this property
        if not cfg.replay:
            raise
    except Exception as exc:  # a crash in a check is itself worth reporting
        found = Finding(name, "check-crashed", f"{type(exc).__name__}: {exc}", "").to_dict()
    delta = Counter(ctx.examples)
    delta.subtract(before)
    return ("progress", index, dict(+delta), dict(ctx.rules), found)


def run_campaign(
    cfg: CampaignConfig,
    progress: TextIO | None = None,
    on_finding: Callable[[Path, Finding], None] | None = None,
) -> CampaignSummary:
    progress = progress if progress is not None else sys.stderr
    summary = CampaignSummary()
    props = list(cfg.properties)
    reason = sandbox_unavailable() if any(p in ("contained", "meaning") for p in props) else None
    if reason:
        for p in ("contained", "meaning"):
            if p in props:
                props.remove(p)
                summary.skipped[p] = f"sandbox unavailable: {reason}"
                print(f"fuzz: skipping {p}: sandbox unavailable: {reason}", file=progress)
    if not props:
        return summary
    workers = max(1, cfg.workers)
    # spread properties over workers (each worker cycles through its share)
    shares = [props[i::workers] or props for i in range(workers)]
    started = time.monotonic()
    deadline = started + cfg.minutes * 60.0
    ctx_mp = mp.get_context("spawn")
    out = ctx_mp.Queue()
    state_dir = tempfile.mkdtemp(prefix="codeact-fuzz-state-")
    procs = [
        ctx_mp.Process(
            target=_worker, args=(i, cfg, shares[i], deadline, out, state_dir), daemon=True
        )
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    alive = set(range(workers))
    last_print = started
    rules_per_worker: dict[int, dict[str, int]] = {}
    grace = 120.0
    seen: set[tuple[str, str, str]] = set()
    while alive:
        try:
            kind, index, delta, rules, found = out.get(timeout=1.0)
        except queue.Empty:
            kind = None
        now = time.monotonic()
        if kind == "error":
            summary.errors.append(f"worker {index}: {found}")
            print(f"fuzz: worker {index} failed: {found}", file=progress)
        elif kind is not None:
            summary.examples.update(delta)
            rules_per_worker[index] = rules
            if found is not None and _key(found) not in seen:  # one file per root cause
                seen.add(_key(found))
                f = Finding.from_dict(found)
                path = save_finding(f, cfg.findings_dir)
                summary.findings.append((path, f))
                print(
                    f"fuzz: FINDING [{f.property}/{f.kind}] {f.detail[:200]} -> {path}",
                    file=progress,
                )
                if on_finding:
                    on_finding(path, f)
            if kind == "done":
                alive.discard(index)
        for i in list(alive):
            if not procs[i].is_alive():
                alive.discard(i)
                if procs[i].exitcode:
                    summary.errors.append(f"worker {i} exited with code {procs[i].exitcode}")
        if now > deadline + grace:  # a worker is stuck inside one example: that is a finding
            for i in list(alive):
                procs[i].terminate()
                current = Path(state_dir) / f"worker-{i}.current"
                data = current.read_bytes() if current.exists() else b""
                f = Finding(
                    "total", "hang", f"worker {i} stuck for {grace:.0f} s past the deadline", data
                )
                summary.findings.append((save_finding(f, cfg.findings_dir), f))
                alive.discard(i)
        if now - last_print >= 5.0 or not alive:
            last_print = now
            summary.rules = Counter()
            for r in rules_per_worker.values():
                summary.rules.update(r)
            elapsed = max(now - started, 1e-9)
            per = " ".join(f"{k}={v}" for k, v in sorted(summary.examples.items()))
            print(
                f"[{elapsed:6.0f}s] {summary.total} examples ({summary.total / elapsed:.1f}/s) | "
                f"findings {len(summary.findings)} | "
                f"rules hit {len(summary.rules)}{_rule_total()} | {per}",
                file=progress,
                flush=True,
            )
    for p in procs:
        p.join(timeout=5)
    summary.seconds = time.monotonic() - started
    return summary


def _key(found: dict[str, Any]) -> tuple[str, str, str]:
    detail = re.sub(r"\b[Ll]ine \d+", "line N", str(found.get("detail", "")))
    return (str(found.get("property")), str(found.get("kind")), detail)


def _rule_total() -> str:
    try:
        from codeact_verify import rules

        names = getattr(rules, "RULE_NAMES", None) or getattr(rules, "RULES", None)
        return f"/{len(names)}" if names else ""
    except Exception:
        return ""

"""Fuzz examples/s of an older commit's campaign beside today's, alternating, in one run.

    .venv/bin/python -m codeact_verify.bench.fuzz --baseline-commit 9faeb51 [--seconds 10]
                                                  [--rounds 4] [--property NAME ...] [--ceiling]

The commit is unpacked from this checkout's git history (``git archive``) into a temporary
directory. Each tree runs in its own worker process (``fuzz_driver.py``: the same venv, the tree's
own packages first), which warms up outside the timings (imports, the mypy worker, and the old
tree's own sandbox guest, built once into ``<cache>/baseline-<commit>``). Then, per property, the
parent asks the two workers in turn (A B, B A, ...) to run that tree's campaign batches for
``--seconds / --rounds`` each, so both columns see the same machine load. Each slot gets its own
seeds, the same for both trees. Examples/s is per worker (one process), Hypothesis included.

``--ceiling`` adds a third worker, today's tree with every property's check replaced by a count
(``fuzz_driver.py --no-check``): the generators, Hypothesis' engine and the database alone. Its
column is the most examples/s today's campaign could reach if verifying, type-checking and
running cost nothing, and its ratio to the baseline is the bound on any speed-up of the checks.

Without git history (a pip-installed package) or with an unknown commit it says why and prints
today's column alone (exit 0).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from codeact_verify.fuzz.properties import PROPERTIES

DRIVER = Path(__file__).with_name("fuzz_driver.py")
REPO = Path(__file__).resolve().parents[2]


class BaselineUnavailable(RuntimeError):
    """The baseline tree cannot be unpacked (no git, no such commit)."""


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BaselineUnavailable(f"git is not usable here: {exc}") from exc
    if done.returncode != 0:
        raise BaselineUnavailable(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip()


def resolve(rev: str) -> str:
    """The full hash of REV in this checkout's history."""
    if not (REPO / ".git").exists() or not (REPO / "fuzz" / "campaign.py").exists():
        raise BaselineUnavailable(
            f"{REPO} is not a git checkout of this project (a pip-installed package has no history)"
        )
    return _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")


def unpack(
    commit: str, dest: Path, *paths: str, expect: str = "fuzz/campaign.py"
) -> Path:
    """`git archive COMMIT [PATHS...]` extracted under DEST; the tree's root. Raises
    `BaselineUnavailable` when git fails or the tree has no file ``expect``."""
    proc = subprocess.Popen(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if paths else None,
    )
    assert proc.stdout is not None
    try:
        with proc.stdout, tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            tar.extractall(dest, filter="data")
    except tarfile.TarError as exc:  # nothing came out: an unknown path in that commit
        proc.wait()
        raise BaselineUnavailable(f"commit {commit[:12]} has no {expect}") from exc
    if proc.wait() != 0:
        raise BaselineUnavailable(f"git archive {commit} failed")
    if not (dest / expect).is_file():
        raise BaselineUnavailable(f"commit {commit[:12]} has no {expect}")
    return dest


def today_label() -> str:
    try:
        head = _git("rev-parse", "--short=7", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
        return head + ("+changes" if dirty else "")
    except BaselineUnavailable:
        return "installed"


@dataclass
class Worker:
    """One tree's fuzz_driver process."""

    label: str
    root: Path | None
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    proc: subprocess.Popen[str] | None = None
    no_check: bool = False  # every check replaced by a count (fuzz_driver.count_only)

    def start(self) -> None:
        argv = [sys.executable, str(DRIVER)]
        if self.root is not None:
            argv += ["--root", str(self.root)]
        if self.no_check:
            argv.append("--no-check")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=self.env
        )

    def ask(self, **msg: Any) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.label} worker exited (code {self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    pipe.close()


def _cache_root() -> Path:
    from codeact_verify.host.build import cache_root

    return Path(cache_root())


def measure(
    workers: list[Worker], props: list[str], seconds: float, rounds: int, log: TextIO
) -> dict[str, dict[str, float]]:
    """Examples/s per property per worker label, the workers taking turns (A B, B A, ...)."""
    rounds = max(1, rounds)
    slot = seconds / rounds
    rates: dict[str, dict[str, float]] = {}
    seed = 0
    for name in props:
        examples = dict.fromkeys((w.label for w in workers), 0)
        walls = dict.fromkeys((w.label for w in workers), 0.0)
        for r in range(rounds):
            seed += 1
            for w in workers if r % 2 == 0 else workers[::-1]:
                got = w.ask(cmd="run", property=name, seconds=slot, seed=seed)
                examples[w.label] += int(got["examples"])
                walls[w.label] += float(got["wall"])
        rates[name] = {k: examples[k] / walls[k] if walls[k] else 0.0 for k in examples}
        print(
            f"  {name}: " + ", ".join(f"{k} {v:.1f} ex/s" for k, v in rates[name].items()),
            file=log,
            flush=True,
        )
    return rates


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "inf"


def print_table(
    rates: dict[str, dict[str, float]], base: str | None, today: str, ceiling: str | None = None
) -> None:
    """One row per property and the sum: the baseline (when there is one), today, and with
    `ceiling` today's campaign without its checks (and its ratio to the baseline: the bound)."""
    Column = tuple[str, int, Callable[[dict[str, float]], str]]
    columns: list[Column] = []
    if base is not None:
        columns.append(("baseline ex/s", 14, lambda r: f"{r[base]:.1f}"))
    columns.append(("today ex/s", 11, lambda r: f"{r[today]:.1f}"))
    if base is not None:
        columns.append(("ratio", 7, lambda r: _ratio(r[today], r[base])))
    if ceiling is not None:
        columns.append(("no check ex/s", 14, lambda r: f"{r[ceiling]:.1f}"))
        if base is not None:
            columns.append(("bound", 7, lambda r: _ratio(r[ceiling], r[base])))
    labels = list(next(iter(rates.values()), {}))
    total = {k: sum(r[k] for r in rates.values()) for k in labels}
    print(f"{'property':<12}" + "".join(f" {head:>{width}}" for head, width, _ in columns))
    for name, r in {**rates, "all (sum)": total}.items():
        print(f"{name:<12}" + "".join(f" {cell(r):>{width}}" for _, width, cell in columns))


def baseline_ab(args: argparse.Namespace) -> int:
    props = list(args.property or PROPERTIES)
    log = sys.stderr
    today = f"today ({today_label()})"
    tmp = tempfile.TemporaryDirectory(prefix="codeact-fuzz-baseline-")
    workers: list[Worker] = []
    base_label: str | None = None
    ceiling: str | None = None
    try:
        try:
            commit = resolve(args.baseline_commit)
            old = unpack(commit, Path(tmp.name) / "tree")
            base_label = f"baseline ({commit[:7]})"
            env = dict(os.environ)
            env["CODEACT_VERIFY_CACHE"] = str(_cache_root() / f"baseline-{commit[:12]}")
            workers.append(Worker(base_label, old, env))
        except BaselineUnavailable as exc:
            print(f"bench.fuzz: no baseline column: {exc}", file=log)
        is_checkout = (REPO / ".git").exists() and (REPO / "fuzz").is_dir()
        workers.append(Worker(today, REPO if is_checkout else None))
        if args.ceiling:
            ceiling = "today, no check"
            workers.append(Worker(ceiling, REPO if is_checkout else None, no_check=True))
        for w in list(workers):  # start-up, and the old tree's guest build, are not timed
            print(f"bench.fuzz: starting {w.label} (imports, mypy, sandbox guest)", file=log)
            w.start()
            try:
                warm = w.ask(cmd="warm", properties=props)
            except RuntimeError as exc:
                if w.label != base_label:
                    raise
                print(f"bench.fuzz: no baseline column: {exc} (see its error above)", file=log)
                w.stop()
                workers.remove(w)
                base_label = None
                continue
            print(f"bench.fuzz: {w.label} runs {warm['file']}", file=log)
            why = warm["sandbox"]
            if why:
                print(f"bench.fuzz: {w.label}: sandbox unavailable: {why}", file=log)
                props = [p for p in props if p not in ("contained", "meaning")]
        load0 = os.getloadavg()
        rates = measure(workers, props, args.seconds, args.rounds, log)
        load1 = os.getloadavg()
    finally:
        for w in workers:
            w.stop()
        tmp.cleanup()
    print(
        f"examples/s per worker (one process each), generation included; {args.rounds} "
        f"alternating rounds of {args.seconds / max(1, args.rounds):.1f} s per property and tree; "
        f"load average {load0[0]:.2f} at start, {load1[0]:.2f} at end"
    )
    if base_label:
        print(f"baseline = {base_label}, today = {today}")
    if ceiling:
        print(
            f"no check = {ceiling}: today's campaign with every check replaced by a count "
            "(generators, Hypothesis, the database); bound = no check / baseline"
        )
    print_table(rates, base_label, today, ceiling)
    return 0

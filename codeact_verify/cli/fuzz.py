"""`codeact-verify fuzz`: run a Hypothesis fuzz campaign against the verifier (and the sandbox).

    codeact-verify fuzz --minutes 5 --workers 2 [--property NAME] [--seed S] [--grammar G]
                        [--database DIR|redis://HOST:PORT/DB] [--replay] [--findings DIR]

Prints progress (examples/s, findings, rules hit), a summary, and exits 1 when something was
found (each finding is shrunk and saved as a JSON file, replayed by the regression tests), and 3
when the campaign ran no example at all (a worker failed, or the time was too short): a CI job
must not pass on a campaign that tested nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_NOTHING_RAN = 3

PROPERTY_HELP = {
    "total": "verify is total and bounded on any text or bytes",
    "contained": "accepted programs cannot escape the sandbox (escape oracle)",
    "meaning": "sandbox output equals plain CPython output (transpiler keeps meaning)",
    "stable": "verdicts survive renaming, reformatting and meaning-preserving mutation",
    "outside": "one construct/builtin/import/attribute outside the grammar is rejected",
    "canary": "self-test of the campaign and its database (a planted failure; not run by default)",
}


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "fuzz",
        help="run a fuzz campaign that hunts for verifier escapes",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--minutes", type=float, default=1.0, help="campaign length (default 1)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument(
        "--property",
        action="append",
        choices=sorted(PROPERTY_HELP),
        help="property to fuzz (repeatable; default all): "
        + "; ".join(f"{k}: {v}" for k, v in PROPERTY_HELP.items()),
    )
    p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    p.add_argument("--grammar", default="default", help="grammar profile name or path")
    p.add_argument(
        "--database",
        default=None,
        help="Hypothesis example database: a directory (default .hypothesis/codeact-fuzz) "
        "or redis://HOST:PORT/DB shared by a fleet (needs the redis package)",
    )
    p.add_argument(
        "--replay",
        action="store_true",
        help="only replay the failures the database holds (no new examples), then stop: how a "
        "runner re-checks what the fleet found",
    )
    p.add_argument(
        "--findings",
        type=Path,
        default=None,
        help="where findings are saved (default: fuzz/findings in a checkout, ./fuzz-findings "
        "from an installed package)",
    )
    p.add_argument("--batch", type=int, default=25, help="examples per Hypothesis run (default 25)")
    p.add_argument("--bound", type=float, default=10.0, help="seconds verify may take (default 10)")
    p.add_argument("--no-types", action="store_true", help="skip the mypy pass (faster)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..fuzz.campaign import CampaignConfig, DatabaseError, open_database, run_campaign
    from ..fuzz.properties import PROPERTIES

    if args.minutes <= 0 or args.workers < 1 or args.batch < 1:
        print(
            "codeact-verify fuzz: --minutes, --workers and --batch must be positive",
            file=sys.stderr,
        )
        return 2
    props = tuple(dict.fromkeys(args.property)) if args.property else PROPERTIES
    try:
        open_database(args.database, check=True)
    except DatabaseError as exc:
        print(f"codeact-verify fuzz: {exc}", file=sys.stderr)
        return 2
    cfg = CampaignConfig(
        minutes=args.minutes,
        workers=args.workers,
        properties=props,
        seed=args.seed,
        grammar=args.grammar,
        database=args.database,
        findings_dir=args.findings,
        batch=args.batch,
        bound_s=args.bound,
        types=not args.no_types,
        replay=args.replay,
    )
    print(
        f"fuzz: grammar {cfg.grammar!r}, properties {', '.join(props)}, {cfg.workers} worker(s), "
        f"{cfg.minutes:g} min, seed {cfg.seed}",
        file=sys.stderr,
    )
    summary = run_campaign(cfg)
    print("\nsummary", file=sys.stdout)
    print(f"  time        {summary.seconds:.1f} s", file=sys.stdout)
    rate = summary.total / summary.seconds if summary.seconds else 0.0
    print(f"  examples    {summary.total} ({rate:.1f}/s)", file=sys.stdout)
    for name in props:
        n = summary.examples.get(name, 0)
        note = summary.skipped.get(name, "")
        print(f"    {name:<10} {n:>7}  {note}", file=sys.stdout)
    print(
        f"  rules hit   {len(summary.rules)}: {', '.join(sorted(summary.rules))}", file=sys.stdout
    )
    print(f"  findings    {len(summary.findings)}", file=sys.stdout)
    for path, f in summary.findings:
        print(f"    [{f.property}/{f.kind}] {f.detail[:160]}\n      {path}", file=sys.stdout)
    for error in summary.errors:
        print(f"  error       {error}", file=sys.stdout)
    if summary.findings:
        return 1
    if summary.total == 0 and not cfg.replay:  # a replay of an empty database has nothing to run
        why = "; ".join(summary.errors) or "no example finished in the time given"
        print(f"codeact-verify fuzz: error: the campaign ran no example ({why})", file=sys.stderr)
        return EXIT_NOTHING_RAN
    if summary.errors:
        print("codeact-verify fuzz: error: a worker failed (see above)", file=sys.stderr)
        return EXIT_NOTHING_RAN
    return 0

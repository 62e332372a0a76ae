"""`codeact-verify bench`: the agent-level and sandbox-level benchmarks (see bench/).

The benchmarks live in the top-level `bench/` package of the source tree (they are not part of
the installed library); this command finds it next to the package in a checkout or editable
install, or on `sys.path`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

HELP = "run the benchmarks: print tables, write a Markdown report and PNG plots"


def _bench_main() -> ModuleType | None:
    try:
        return importlib.import_module("bench.__main__")
    except ImportError:
        pass
    root = Path(__file__).resolve().parents[2]
    if (root / "bench" / "__main__.py").is_file():
        sys.path.insert(0, str(root))
        return importlib.import_module("bench.__main__")
    return None


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("bench", help=HELP, description=HELP)
    module = _bench_main()
    if module is not None:
        module.add_arguments(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module = _bench_main()
    if module is None:
        print(
            "codeact-verify: error: the bench/ package is not available (run from a source "
            "checkout of codeact-verify)",
            file=sys.stderr,
        )
        return 2
    argv = sys.argv[sys.argv.index("bench") + 1 :] if "bench" in sys.argv else []
    return int(module.run(args, argv))

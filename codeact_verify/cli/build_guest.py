"""`codeact-verify build-guest`: build (or check) the sandbox's WebAssembly guest component.

The guest is also built automatically on first use; this command does it ahead of time (for
CI or an image) and prints where the cache entry lives.
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "build-guest",
        help="build the sandbox guest component into the cache",
        description=__doc__,
    )
    p.add_argument("--force", action="store_true", help="rebuild even if the cache is valid")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..host.build import ensure_guest

    artifacts = ensure_guest(force=args.force)
    info = {
        "key": artifacts.key,
        "directory": str(artifacts.directory),
        "wasm": str(artifacts.wasm),
        "compiled": str(artifacts.compiled),
        "built": artifacts.built,
        "build_seconds": round(artifacts.build_seconds, 2),
    }
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        state = f"built in {artifacts.build_seconds:.1f} s" if artifacts.built else "up to date"
        print(f"sandbox guest {state}: {artifacts.directory}")
    return 0

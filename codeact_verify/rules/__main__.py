"""`python -m codeact_verify.rules --docs [--write]`: docs/rules.md from the rule registry."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .docs import render_docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codeact_verify.rules")
    parser.add_argument("--docs", action="store_true", help="print docs/rules.md")
    parser.add_argument("--write", metavar="PATH", help="write the docs to PATH instead")
    args = parser.parse_args(argv)
    text = render_docs()
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    elif args.docs:
        sys.stdout.write(text)
    else:
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())

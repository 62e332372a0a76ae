"""The README's Python blocks run as written, in order, in one namespace (like a notebook).

A block that cannot run here (it needs a model endpoint, or it is a program for the sandbox,
not host Python) is marked by a `<!-- not-run: reason -->` comment on the line above it; those
must still parse, and there are few of them. Links to files in the repository must resolve.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(?P<reason>.+?)\s*-->")
MAX_NOT_RUN = 3


@dataclass
class Block:
    line: int  # 1-based line of the first code line
    code: str
    not_run: str | None  # the reason, when marked


def python_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            j = i + 1
            while lines[j].strip() != "```":
                j += 1
            above = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
            marked = NOT_RUN.fullmatch(above.strip())  # the comment alone on its line
            blocks.append(
                Block(i + 2, "\n".join(lines[i + 1 : j]) + "\n", marked and marked["reason"])
            )
            i = j
        i += 1
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_readme_has_runnable_blocks_and_few_exceptions() -> None:
    assert len([b for b in BLOCKS if b.not_run is None]) >= 5
    skipped = [b for b in BLOCKS if b.not_run is not None]
    assert len(skipped) <= MAX_NOT_RUN, [(b.line, b.not_run) for b in skipped]
    for block in skipped:
        ast.parse(block.code, filename=f"README.md:{block.line}")  # still valid Python


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    namespace: dict[str, Any] = {"__name__": "readme"}
    try:
        for block in BLOCKS:
            if block.not_run is None:
                compiled = compile(block.code, f"README.md:{block.line}", "exec")
                exec(compiled, namespace)
    finally:
        for value in list(namespace.values()):
            close = getattr(value, "close", None)
            if callable(close) and type(value).__module__.startswith("codeact_verify"):
                close()
    assert namespace["result"].ok, namespace["result"].error
    assert namespace["report"].ok


def test_readme_convention_finds_its_markers() -> None:
    text = (
        "x\n<!-- not-run: needs a model -->\n```python\nawait f()\n```\n"
        "```python\nprint(1)\n```\n"
    )
    first, second = python_blocks(text)
    assert (first.not_run, first.code, first.line) == ("needs a model", "await f()\n", 4)
    assert second.not_run is None


def test_repository_links_resolve() -> None:
    text = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" not in target:
            assert (ROOT / target).exists(), f"README links to missing {target}"
    cited = set(re.findall(r"[\w/]*DESIGN\.md", text))
    for path in ROOT.joinpath("codeact_verify").rglob("*.py"):
        cited |= set(re.findall(r"[\w/]*DESIGN\.md", path.read_text(encoding="utf-8")))
    assert cited, "DESIGN.md is cited somewhere"
    for name in cited:
        assert (ROOT / name).exists(), f"{name} is cited but not in the repository"

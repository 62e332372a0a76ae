"""The corpora: realistic CodeAct programs must pass clean, published escapes must be rejected."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from codeact_verify.fuzz.reference import run_reference
from codeact_verify.tools import load_tools_file, tool_specs
from codeact_verify.verifier import verify

CORPUS = Path(__file__).parent / "corpus"
ACCEPT = sorted((CORPUS / "accept").glob("*.py"))
EXPECTED = sorted((CORPUS / "expected").glob("*.txt"))
ESCAPES_DIR = Path(str(files("codeact_verify.fuzz"))) / "corpus" / "escapes"
ESCAPES = sorted(ESCAPES_DIR.glob("*.py"))
# A citation is a URL, a CVE id, a GHSA id or a PYSEC id.
CITATION = re.compile(r"https?://|CVE-\d{4}-\d+|GHSA-[0-9a-z]{4}-|PYSEC-\d{4}-\d+")


@pytest.fixture(scope="module")
def specs():  # type: ignore[no-untyped-def]
    return tool_specs(load_tools_file(CORPUS / "tools.py"))


def test_corpus_sizes() -> None:
    assert len(ACCEPT) >= 30
    assert len(ESCAPES) >= 40


@pytest.mark.parametrize("path", ACCEPT, ids=[p.stem for p in ACCEPT])
def test_accept_program_passes_clean(path: Path, specs) -> None:  # type: ignore[no-untyped-def]
    code = path.read_text(encoding="utf-8")
    assert code.startswith("# "), "first line must say what the program does"
    report = verify(code, specs)
    assert list(report.diagnostics) == [], report.render_for_human()
    assert report.ok


@pytest.mark.parametrize("path", ESCAPES, ids=[p.stem for p in ESCAPES])
def test_escape_is_rejected(path: Path, specs) -> None:  # type: ignore[no-untyped-def]
    raw = path.read_bytes()  # bytes: some escapes depend on their coding cookie
    first = raw.split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# Source:") and CITATION.search(first), "cite the escape's source"
    report = verify(raw, specs)
    assert not report.ok, f"{path.name} was accepted"
    assert report.diagnostics, "a rejection names at least one problem"


def test_escape_readme_lists_every_escape() -> None:
    readme = (ESCAPES_DIR.parent / "README.md").read_text(encoding="utf-8")
    missing = [p.name for p in ESCAPES if p.name not in readme]
    assert missing == []


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_expected_stdout_under_reference_cpython(path: Path) -> None:
    # The fake tools are deterministic, so the corpus has fixed outputs; the sandbox tests and
    # the fuzz meaning property compare against the same reference runtime.
    tools = {f.__name__: f for f in load_tools_file(CORPUS / "tools.py")}
    code = (CORPUS / "accept" / f"{path.stem}.py").read_text(encoding="utf-8")
    result = run_reference(code, tools)
    assert result.ok, result.error_message
    assert result.stdout == path.read_text(encoding="utf-8")

"""Every saved fuzz finding is a regression test (strict xfail while its status is "open")."""

from __future__ import annotations

import pytest

from codeact_verify.fuzz.findings import load_findings
from codeact_verify.fuzz.properties import CONTEXT, recheck

FINDINGS = load_findings()


@pytest.mark.parametrize(
    "path,finding",
    [
        pytest.param(
            p,
            f,
            marks=[pytest.mark.xfail(strict=True, reason=f"open finding: {f.detail[:80]}")]
            if f.status == "open"
            else [],
            id=p.stem,
        )
        for p, f in FINDINGS
    ],
)
def test_finding_stays_fixed(path, finding) -> None:  # type: ignore[no-untyped-def]
    CONTEXT.grammar = finding.grammar
    try:
        again = recheck(finding, CONTEXT)
    finally:
        CONTEXT.grammar = "default"
    assert again is None, f"{path.name}: {again.detail if again else ''}"


def test_findings_directory_is_package_data() -> None:
    from codeact_verify.fuzz.findings import default_findings_dir

    assert (default_findings_dir() / "README.md").is_file()


def test_an_installed_package_saves_findings_in_the_working_directory(
    tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """`codeact-verify fuzz` from a plain `pip install` wrote its findings into site-packages."""
    from codeact_verify.fuzz import findings

    installed = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "codeact_verify"
    monkeypatch.setattr(findings, "default_findings_dir", lambda: installed / "fuzz" / "findings")
    monkeypatch.chdir(tmp_path)
    saved = findings.save_finding(findings.Finding("total", "slow", "a test", "x = 1\n"))
    assert saved.parent == tmp_path / "fuzz-findings"
    assert not (installed / "fuzz" / "findings").exists()

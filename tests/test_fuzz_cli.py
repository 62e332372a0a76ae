"""`codeact-verify fuzz`: a real (tiny) campaign through the CLI."""

from __future__ import annotations

import pytest

from codeact_verify.cli import main

pytest.importorskip(
    "codeact_verify.verifier", reason="the verifier (VERIFY-RULES) is not built yet"
)


def test_fuzz_cli_short_campaign(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(
        [
            "fuzz",
            "--minutes",
            "0.1",
            "--workers",
            "1",
            "--property",
            "outside",
            "--seed",
            "3",
            "--batch",
            "5",
            "--database",
            str(tmp_path / "db"),
            "--findings",
            str(tmp_path / "findings"),
        ]
    )
    out = capsys.readouterr()
    assert "examples" in out.out and "/s)" in out.out
    assert "examples (" in out.err  # progress line with examples/s
    assert code in (0, 1)
    assert (code == 1) == any((tmp_path / "findings").glob("*.json"))


def test_fuzz_cli_usage_errors(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exc:
        main(["fuzz", "--property", "nope"])
    assert exc.value.code == 2
    assert main(["fuzz", "--minutes", "0"]) == 2

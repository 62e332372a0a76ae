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


def test_fuzz_cli_campaign_that_ran_nothing_fails(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    # The deadline passes before the worker process has started: no example runs, and a CI job
    # must not read that as "nothing found".
    code = main(
        [
            "fuzz",
            "--minutes",
            "0.00001",
            "--property",
            "outside",
            "--database",
            str(tmp_path / "db"),
            "--findings",
            str(tmp_path / "findings"),
        ]
    )
    out = capsys.readouterr()
    assert code == 3
    assert "ran no example" in out.err


def test_fuzz_dependencies_are_in_the_default_install() -> None:
    # `pip install codeact-verify` must be enough to fuzz: every third-party module the fuzz
    # package imports is a main dependency, not a dev extra (hypothesmith was once dev-only).
    import ast
    import importlib.metadata as md
    import re
    import sys
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}
    dists = md.packages_distributions()
    missing = set()
    for path in (root / "fuzz").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "codeact_verify":
                    continue
                for dist in dists.get(top, [top]):
                    if dist.lower().replace("_", "-") not in declared:
                        missing.add((path.name, top, dist))
    assert not missing, f"fuzz imports packages outside the main dependencies: {sorted(missing)}"

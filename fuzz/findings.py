"""Findings: what a property found, saved as one JSON file each under ``findings/``.

A saved finding is a regression test (``tests/test_fuzz_findings.py``): while its ``status`` is
``"open"`` the test is an expected failure (strict), so fixing the bug makes the suite say so;
set ``"status": "fixed"`` and it must keep passing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any


@dataclass
class Finding:
    property: str
    kind: str
    detail: str
    input: str | bytes
    extra: dict[str, Any] = field(default_factory=dict)
    grammar: str = "default"
    status: str = "open"

    @property
    def digest(self) -> str:
        raw = (
            self.input
            if isinstance(self.input, bytes)
            else self.input.encode("utf-8", "surrogatepass")
        )
        return hashlib.sha256(self.property.encode() + b"\0" + raw).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "property": self.property,
            "kind": self.kind,
            "detail": self.detail,
            "grammar": self.grammar,
            "status": self.status,
            "extra": self.extra,
            "found_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        if isinstance(self.input, bytes):
            out["input_b64"] = base64.b64encode(self.input).decode()
        else:
            try:
                self.input.encode("utf-8")
                out["input"] = self.input
            except UnicodeEncodeError:
                out["input_b64"] = base64.b64encode(
                    self.input.encode("utf-8", "surrogatepass")
                ).decode()
                out["input_is_text"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        if "input" in data:
            value: str | bytes = data["input"]
        else:
            raw = base64.b64decode(data["input_b64"])
            value = raw.decode("utf-8", "surrogatepass") if data.get("input_is_text") else raw
        return cls(
            data["property"],
            data["kind"],
            data["detail"],
            value,
            data.get("extra") or {},
            data.get("grammar", "default"),
            data.get("status", "open"),
        )


def default_findings_dir() -> Path:
    return Path(str(files("codeact_verify.fuzz"))) / "findings"


def default_save_dir() -> Path:
    """Where a campaign saves new findings: the package's ``findings/`` in a source checkout
    (an editable install), where the test suite replays them; ``./fuzz-findings`` when the package
    is installed (a plain ``pip install``), never into site-packages."""
    package = default_findings_dir()
    if any(part in ("site-packages", "dist-packages") for part in package.parts):
        return Path.cwd() / "fuzz-findings"
    return package


def save_finding(finding: Finding, directory: Path | None = None) -> Path:
    directory = directory or default_save_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{finding.property}-{finding.kind}-{finding.digest}.json"
    if not path.exists():
        path.write_text(
            json.dumps(finding.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return path


def load_findings(directory: Path | None = None) -> list[tuple[Path, Finding]]:
    directory = directory or default_findings_dir()
    return [
        (p, Finding.from_dict(json.loads(p.read_text(encoding="utf-8"))))
        for p in sorted(directory.glob("*.json"))
    ]

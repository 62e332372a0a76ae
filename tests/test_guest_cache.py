"""The guest cache keeps the newest few entries, so two checkouts or versions on one machine do
not rebuild each other's guest away (each build took 25-140 s)."""

from __future__ import annotations

import os
from pathlib import Path

from codeact_verify.host.build import KEEP_ENTRIES, _prune


def test_prune_keeps_the_newest_entries_and_the_current_one(tmp_path: Path) -> None:
    entries = []
    for i in range(KEEP_ENTRIES + 3):
        d = tmp_path / f"entry{i}"
        d.mkdir()
        os.utime(d, (1_000_000 + i, 1_000_000 + i))
        entries.append(d)
    (tmp_path / ".build.lock").mkdir()  # dot-entries are the cache's own, never pruned
    current = entries[0]  # the oldest by mtime, but the one just built
    _prune(current)
    left = sorted(p.name for p in tmp_path.iterdir())
    newest = [d.name for d in entries[-(KEEP_ENTRIES - 1) :]]
    assert left == sorted([".build.lock", current.name, *newest])

# ruff: noqa
# Finding 05 (HIGH, host DoS): schema `pattern`s are matched on the HOST with Python's `re`,
# which backtracks and holds the GIL: a tool whose author wrote a common sloppy pattern
# (`Field(pattern=r"^([a-z0-9]+-?)+$")`, a slug) freezes the whole host process for hours on a
# 60-byte program. The tool's own validator (pydantic-core, Rust regex) is linear; the hazard is
# ours. Two places:
#  a) the verifier's literal-argument check (toolcheck -> SchemaChecker._string -> re.search):
#     no time limit at all; through `serve` /verify or /execute, every request, /health and the
#     event loop freeze (the GIL is held by the regex, so other threads do not run either);
#  b) an MCP tool's host-side argument check (`jsonschema`, Python re) for the keywords the
#     guest's checker does not evaluate (patternProperties, additionalProperties' pattern
#     match; also oneOf's later branches, not, if/then): the run's time limit does not stop it.
# Layer beaten: verifier availability and host availability (the guest's own regex is bounded
# by its time limit; these two run on the host).
#
#   $ .venv/bin/python docs/redteam/05_redos_on_the_host.py 24
#   expected: a CV607 rejection in milliseconds, for any length
#   actual (main 10a659e), 2 busy cores:  n=16 0.13 s, 20 0.34 s, 22 1.11 s, 24 2.91 s (doubling
#     per character: n=60 is ~10**10 s); a heartbeat thread got 1 beat in 2.5 s (GIL held).
#   MCP (b), `tool_spec_from_json_schema` with patternProperties {"^([a-z0-9]+-?)+$": ...} and
#     `tag_issue(labels={"aaaaaaaaaaaaaaaaaaaaaaaaa!": "x"})`: the run took 5.4 s against a
#     10 s limit that did not apply, with 2 of 53 heartbeats; 30 characters: minutes.
# Fix (red3): codeact_verify/linear_regex.py matches patterns with pydantic-core's Rust engine
# (linear, and the engine pydantic validates Python tools with on the host); the verifier's
# checker and the MCP jsonschema validator (pattern, patternProperties, additionalProperties)
# use it; a pattern Rust does not compile is left to the guest / the server. Not fixed:
# jsonschema's unevaluatedProperties and draft-3 keywords still use `re` (rare in MCP schemas).
import sys
import threading
import time
from typing import Annotated

from pydantic import Field

from codeact_verify import verify


def set_slug(slug: Annotated[str, Field(pattern=r"^([a-z0-9]+-?)+$")]) -> str:
    """Set the page's slug (lowercase words joined by dashes)."""
    return slug


n = int(sys.argv[1]) if len(sys.argv) > 1 else 24
beats: list[float] = []


def heartbeat() -> None:
    while True:
        beats.append(time.time())
        time.sleep(0.1)


threading.Thread(target=heartbeat, daemon=True).start()
time.sleep(0.3)
t = time.time()
report = verify(f'print(set_slug(slug="{"a" * n}!"))', [set_slug], types=False)
took = time.time() - t
print(n, report.ok, [d.code for d in report.diagnostics], f"{took:.2f} s",
      "heartbeats:", sum(1 for b in beats if t < b < t + took), "of", int(took * 10))

"""Schema `pattern`s matched on the host in linear time (pydantic-core's Rust regex engine).

The host matches tool schemas' patterns against values a program chose: the verifier checks
literal arguments (`toolcheck`), and an MCP tool's arguments are validated with `jsonschema`
before they go to the server (`adapters.mcp_tools`). Python's `re` backtracks and holds the
GIL while it does: a tool's sloppy pattern such as ``^([a-z0-9]+-?)+$`` against a 40-character
value runs for hours and freezes the whole host process, whatever the run's time limit
(red-team finding red3/05). Rust's engine never backtracks, and it is the engine pydantic
validates Python tools' arguments with on the host, so its verdict is the host's.

A pattern Rust's engine does not compile (lookarounds, backreferences) is not matched here
(`linear_pattern` gives None): callers leave that check to the guest (which has a time limit)
or to the tool itself.
"""

from __future__ import annotations

import functools
from typing import Any


class LinearPattern:
    """One compiled pattern; `search(text)` is `re.search(pattern, text) is not None` in
    Rust's dialect (`$` matches only at the very end, not also before a final newline)."""

    __slots__ = ("_validator", "pattern")

    def __init__(self, pattern: str, validator: Any) -> None:
        self.pattern = pattern
        self._validator = validator

    def search(self, text: str) -> bool:
        from pydantic_core import ValidationError

        try:
            self._validator.validate_python(text)
        except ValidationError:
            return False
        return True


def linear_pattern(pattern: object) -> LinearPattern | None:
    """``pattern`` compiled by Rust's engine, or None when it is not a str or Rust's engine
    does not compile it."""
    return _compile(pattern) if isinstance(pattern, str) else None


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> LinearPattern | None:
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        schema = core_schema.str_schema(pattern=pattern, regex_engine="rust-regex")
        return LinearPattern(pattern, SchemaValidator(schema))
    except (SchemaError, ValueError, TypeError):
        return None

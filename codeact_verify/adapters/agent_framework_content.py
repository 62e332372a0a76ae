"""Agent Framework result content for an execution, as `agent_framework_hyperlight` returns it.

A list of `Content` items: the printed text, one `data` item per file the program wrote under
`/output` (within the output caps), and an `error` item on failure (the verifier's diagnostics
when the code was rejected).
"""

from __future__ import annotations

import contextlib
import mimetypes
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from agent_framework import Content

from ..execute_code import render_result

if TYPE_CHECKING:
    from ..executor import Execution

DEFAULT_MAX_OUTPUT_FILES = 20
DEFAULT_MAX_OUTPUT_FILE_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_OUTPUT_TOTAL_BYTES = 20 * 1024 * 1024


def error_item(message: str, details: str) -> Content:
    return Content.from_error(message=message, error_details=details)


def _output_files(
    execution: Execution, max_files: int, max_file_bytes: int, max_total_bytes: int
) -> tuple[list[Content], list[Content]]:
    """One `data` item per file the program wrote to `/output`, within the limits; and the
    error items for files left out."""
    items: list[Content] = []
    errors: list[Content] = []
    total = 0
    for artifact in execution.artifacts:
        if len(items) >= max_files:
            errors.append(error_item("Execution error", (
                f"the program wrote more than {max_files} files to /output; "
                f"{artifact.path} and later files were left out")))
            break
        path = Path(artifact.host_path)
        try:
            size = path.stat().st_size
            if size > max_file_bytes:
                errors.append(error_item("Execution error", (
                    f"output file {artifact.path!r} exceeds the {max_file_bytes}-byte per-file "
                    "output limit; it was left out")))
                continue
            if total + size > max_total_bytes:
                errors.append(error_item("Execution error", (
                    f"output files exceed the {max_total_bytes}-byte cumulative output limit; "
                    f"{artifact.path!r} was left out")))
                continue
            data = path.read_bytes()[: max_file_bytes + 1]
        except OSError as exc:
            errors.append(error_item("Execution error", f"could not read {artifact.path!r}: {exc}"))
            continue
        total += len(data)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        items.append(Content.from_data(
            data=data, media_type=media_type, additional_properties={"path": artifact.path}
        ))
    return items, errors


def clear_directory(directory: Path | None) -> None:
    if directory is None or not directory.is_dir():
        return
    for child in directory.iterdir():
        with contextlib.suppress(OSError):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


def execution_contents(
    execution: Execution | None,
    message: str | None = None,
    *,
    max_output_files: int = DEFAULT_MAX_OUTPUT_FILES,
    max_output_file_bytes: int = DEFAULT_MAX_OUTPUT_FILE_BYTES,
    max_output_total_bytes: int = DEFAULT_MAX_OUTPUT_TOTAL_BYTES,
) -> list[Content]:
    """The reference's result content: the printed text, one `data` item per `/output` file,
    and an `error` item (message "Execution error" or "Rejected by the verifier", details)."""
    if execution is None:  # unusable arguments: nothing ran
        return [error_item("Execution error", message or "nothing ran")]
    outputs: list[Content] = []
    error = execution.error
    stdout = execution.stdout.replace("\r\n", "\n")
    if stdout and (error is None or error.kind not in ("rejected", "denied")):
        outputs.append(Content.from_text(stdout))
    files, file_errors = _output_files(
        execution, max_output_files, max_output_file_bytes, max_output_total_bytes
    )
    outputs += files
    if error is None:
        if not outputs:
            outputs.append(Content.from_text("Code executed successfully without output."))
        return outputs + file_errors
    if error.kind == "rejected":
        report = execution.report
        diagnostics = [d.to_dict() for d in report.diagnostics] if report else []
        outputs.append(Content.from_error(
            message="Rejected by the verifier; nothing ran",
            error_code="rejected",
            error_details=render_result(execution),
            additional_properties={"diagnostics": diagnostics},
        ))
        return outputs
    details = render_result(execution) if error.kind == "denied" else (
        f"{error.kind}" + (f" at line {error.line}" if error.line else "") + f": {error.message}"
    )
    outputs.append(Content.from_error(
        message="Execution error", error_code=error.kind, error_details=details
    ))
    return outputs + file_errors

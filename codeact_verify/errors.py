"""The typed error hierarchy. Every error the library raises on purpose is a `CodeActError`."""

from __future__ import annotations


class CodeActError(Exception):
    """Base class of every error raised by codeact-verify on purpose."""


class GrammarError(CodeActError):
    """A grammar profile is missing or invalid; the message names the offending key."""

    def __init__(self, message: str, *, key: str | None = None, source: str | None = None) -> None:
        where = f"{source}: " if source else ""
        at = f"[{key}] " if key else ""
        super().__init__(f"{where}{at}{message}")
        self.key = key
        self.source = source


class ToolSpecError(CodeActError):
    """A tool cannot be described: unsupported annotation, duplicate name, bad tools file."""


class GuestBuildError(CodeActError):
    """The sandbox guest component could not be built or loaded."""


class SandboxError(CodeActError):
    """The sandbox host failed (not the program running inside it)."""


class ApprovalDenied(CodeActError):
    """A code block needed approval and the approver said no."""

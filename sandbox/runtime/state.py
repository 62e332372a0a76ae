"""Per-run state of the guest, and the limit errors that stay recorded once hit.

A limit error is "sticky": the program may catch the exception, but the run's outcome still
reports the limit, so a program cannot hide that it went over a limit. The first one is also
sent to the host at once (the `record-sticky` import), so a trap that ends the guest later
(stack exhausted, memory, the epoch deadline) cannot erase it either.
"""

from .caps import MESSAGE_BYTES, clip

try:
    import wit_world
except ImportError:  # imported on the host (its tests read the guest runtime): no guest
    wit_world = None


class SandboxLimit(BaseException):
    """A limit was hit. Derives from BaseException so `except Exception` does not swallow it."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class State:
    def __init__(self):
        self.reset({})

    def reset(self, limits):
        self.limits = limits
        self.sticky = None  # (kind, message) of the first limit hit
        self.tool_calls = 0
        self.http_requests = 0
        self.written_bytes = 0
        self.written_files = 0
        self.final_answer = None  # the text given to final_answer(), if the program gave one

    def hit(self, kind, message):
        if self.sticky is None:
            self.sticky = (kind, message)
            _tell_host(kind, message, self.limits)
        return SandboxLimit(kind, message)


def _tell_host(kind, message, limits):
    """Send the sticky outcome to the host now (a WIT string: clipped, valid UTF-8)."""
    if wit_world is None:
        return
    try:
        cap = int(limits.get("max_message_bytes") or MESSAGE_BYTES)
        wit_world.record_sticky(clip(kind, 64), clip(message, cap))
    except Exception:  # e.g. a host without the import's context (the pool's warm-up)
        pass


STATE = State()


class FinalAnswer(BaseException):
    """Raised by final_answer() to end the program; the run counts as finished, not failed.

    A BaseException, so `except Exception` in the program does not swallow it."""

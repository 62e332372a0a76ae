"""Captured stdout/stderr with a byte cap shared by both; past the cap a visible marker is
added and the program is stopped with an `output` error.

Output is streamed to the host as it is written (the `emit-output` import), one crossing per
write (print() makes one write), so what was printed before a limit stopped the guest reaches
the result. Before a run starts (the ready pool's warm-up) nothing is sent.
"""

import wit_world

from .state import STATE


class CappedOutput:
    def __init__(self):
        self.used = 0
        self.cap = 65536
        self.truncated = False
        self.streaming = False

    def reset(self, cap, streaming=True):
        self.used = 0
        self.cap = cap
        self.truncated = False
        self.streaming = streaming

    def _emit(self, stream, text):
        if self.streaming and text:
            if not text.isascii():  # a lone surrogate cannot cross as a WIT string
                text = text.encode("utf-8", "replace").decode("utf-8")
            wit_world.emit_output(stream == "stderr", text)

    def write(self, stream, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self.truncated:
            raise STATE.hit("output", f"output limit of {self.cap} bytes exceeded")
        data = text.encode("utf-8", "surrogatepass")
        room = self.cap - self.used
        if len(data) <= room:
            self.used += len(data)
            self._emit(stream, text)
            return len(text)
        keep = data[:room].decode("utf-8", "ignore")
        self.used = self.cap
        self.truncated = True
        self._emit(stream, keep + f"\n[... output truncated: limit of {self.cap} bytes ...]\n")
        raise STATE.hit("output", f"output limit of {self.cap} bytes exceeded")


OUTPUT = CappedOutput()


class Stream:
    """A file-like object for sys.stdout / sys.stderr and print(file=...)."""

    def __init__(self, name):
        self.name = name

    def write(self, text):
        return OUTPUT.write(self.name, text)

    def flush(self):
        return None

    def isatty(self):
        return False

    def writable(self):
        return True


STDOUT = Stream("stdout")
STDERR = Stream("stderr")

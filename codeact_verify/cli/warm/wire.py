"""The daemon's framing: named byte fields, no JSON, so the client imports nothing for it.

A message is ``CVD1\\n`` then fields ``NAME LENGTH\\n<LENGTH bytes>`` and ``end 0\\n``. A name is
ASCII letters; a name may repeat (``arg``). Anything else is a :class:`WireError`: the reader
never trusts a length beyond :data:`MAX_MESSAGE` bytes in total.
"""

from __future__ import annotations

MAGIC = b"CVD1\n"
END = b"end 0\n"
#: Largest message either side accepts (a program, its output): 64 MiB.
MAX_MESSAGE = 64 << 20


class WireError(Exception):
    """A message that does not follow the framing."""


Fields = list[tuple[str, bytes]]


def encode(fields: Fields) -> bytes:
    parts = [MAGIC]
    for name, value in fields:
        if not name.isascii() or not name.isalpha() or name == "end":
            raise WireError(f"bad field name {name!r}")
        parts.append(f"{name} {len(value)}\n".encode("ascii"))
        parts.append(value)
    parts.append(END)
    return b"".join(parts)


def decode(data: bytes) -> Fields | None:
    """The fields of one complete message, None when more bytes are needed."""
    if len(data) < len(MAGIC):
        return None if MAGIC.startswith(data) else _bad("not a CVD1 message")
    if not data.startswith(MAGIC):
        _bad("not a CVD1 message")
    pos = len(MAGIC)
    fields: Fields = []
    while True:
        newline = data.find(b"\n", pos, pos + 40)
        if newline < 0:
            if len(data) - pos >= 40:
                _bad("a field header is too long")
            return None
        header = data[pos:newline].split(b" ")
        if len(header) != 2 or not header[0].isalpha() or not header[1].isdigit():
            _bad("a bad field header")
        name, size = header[0].decode("ascii"), int(header[1])
        if size > MAX_MESSAGE:
            _bad("a field over the size limit")
        if name == "end":
            return fields
        start = newline + 1
        if len(data) < start + size:
            return None
        fields.append((name, data[start : start + size]))
        pos = start + size


def _bad(why: str) -> None:
    raise WireError(why)


def read_message(sock: object, limit: int = MAX_MESSAGE) -> Fields:
    """Read one message from a connected socket (its timeout applies to each read)."""
    buffer = b""
    while True:
        found = decode(buffer)
        if found is not None:
            return found
        chunk = sock.recv(1 << 16)  # type: ignore[attr-defined]
        if not chunk:
            raise WireError("the connection closed in the middle of a message")
        buffer += chunk
        if len(buffer) > limit + 4096:
            raise WireError("a message over the size limit")


def field(fields: Fields, name: str, default: bytes | None = None) -> bytes | None:
    for key, value in fields:
        if key == name:
            return value
    return default

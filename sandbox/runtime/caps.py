"""Every string that leaves the guest goes through here: capped in bytes, and made valid UTF-8.

A WIT string must be valid UTF-8, so a lone surrogate (e.g. "\\ud800") cannot cross: lowering
it would trap the whole guest. Text the runtime writes itself (an error message, the outcome)
is cleaned (a lone surrogate becomes the six characters `\\ud800`); a value the program sends to
a tool is refused with a catchable ValueError instead, since the tool would get something else
than the program wrote. Sizes past a cap are the `size` error kind, except error messages,
which are cut with a visible marker and keep their own kind.
"""

MESSAGE_BYTES = 8192  # default cap of an error message (Limits.max_message_bytes)


def valid_utf8(text):
    """True when `text` can cross as a WIT string (no lone surrogate)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def first_surrogate(text):
    """The index of the first lone surrogate in `text`, or -1."""
    if valid_utf8(text):
        return -1
    for i, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            return i
    return -1


def clip(text, limit):
    """`text` as at most about `limit` UTF-8 bytes of valid UTF-8, with a marker when cut."""
    if type(text) is not str:
        text = "<not a str>"
    if len(text) <= limit // 4 and text.isascii():
        return text
    if len(text) <= limit:
        data = text.encode("utf-8", "backslashreplace")
        if len(data) <= limit:
            return data.decode("utf-8")
    room = max(0, limit - 96)  # what is kept; the marker fits in the rest
    head = text[:room].encode("utf-8", "backslashreplace")[:room].decode("utf-8", "ignore")
    cut = len(text) - len(head)
    return head + f" [... {cut} more characters cut: the limit is {limit} bytes ...]"

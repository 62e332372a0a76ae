"""Adversarial source text: encodings, BOMs, coding cookies, NUL bytes, continuations,
indentation tricks, very deep nesting, very long lines, and arbitrary Python (hypothesmith).

``verify`` must return a report for every one of these, quickly, without raising.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from hypothesis import strategies as st

from .mutations import escape_seeds

BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"+/v8-")
CODECS = (
    "utf-8",
    "utf8",
    "UTF-8",
    "latin-1",
    "iso-8859-15",
    "cp1252",
    "utf-7",
    "utf_7",
    "utf-16",
    "unicode_escape",
    "raw_unicode_escape",
    "punycode",
    "rot13",
    "idna",
    "shift_jis",
    "ascii",
    "no-such-codec",
    "",
)
COOKIE_FORMS = (
    "# -*- coding: {c} -*-\n",
    "# coding: {c}\n",
    "#coding={c}\n",
    "# vim: set fileencoding={c} :\n",
    "\x0c# coding: {c}\n",
)
SNIPPETS = (
    "x = 1\nprint(x)\n",
    "print(open('/etc/passwd').read())\n",
    "import os\n",
    "s = 'a'\n#+AAo-import os\n",
    "#\\u000aimport os\n",
    "t = get_weather(city='Paris')\nprint(t)\n",
    # issue 10's classes: classes built without `class`, attribute-forwarding wrappers, methods
    # of data types replaced by the program, code run inside the runtime's trusted blocks
    "T = type(int)\nS = T('S', (str,), {})\n",
    "import calendar\nF = calendar.IntEnum('F', {'A': 1})\n",
    "import typing\nP = typing.NamedTuple('P', [('x', int)])\n",
    "import functools\nimport statistics\nprint(functools.GenericAlias(statistics, ()).sys)\n",
    "import statistics\nprint(type(list[int])(statistics, ()).sys)\n",
    "import collections\nq = collections.Counter()\nq.items = lambda: [('a', 'x')]\n",
    "import collections\nd = collections.OrderedDict(k=1)\nd.get = print\n"
    "match d:\n    case {'k': v}:\n        print(v)\n",
    "import collections\nP = collections.namedtuple('P', 'x y', rename=type(1)(0))\n",
)


@lru_cache(maxsize=1)
def _small_program() -> st.SearchStrategy[str]:
    seeds = [s.text for s in escape_seeds() if s.text is not None]
    return st.sampled_from(list(SNIPPETS) + seeds)


# Strategies built once (not per draw): a draw of a prebuilt strategy is the cheap part.
_BOOLEANS = st.booleans()
_CODECS = st.sampled_from(CODECS)
_COOKIE_FORMS = st.sampled_from(COOKIE_FORMS)
_BOMS = st.sampled_from((b"", *BOMS))
_ENCODINGS = st.sampled_from(("utf-8", "latin-1", "utf-16", "utf-7", "unicode_escape"))
_BYTE_TRICKS = st.sampled_from(
    ("nul", "invalid", "surrogate", "cr", "mixed", "formfeed", "bom_mid", "ctrl")
)
_INVALID_UTF8 = st.sampled_from((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"))
_CONTROL = st.integers(1, 31)
_LAYOUTS = st.sampled_from(
    (
        "continuation",
        "tabs",
        "nest_parens",
        "nest_lists",
        "nest_if",
        "long_line",
        "long_string",
        "many_lines",
        "unicode_space",
        "nest_lambda",
        "nest_fstring",
        "semicolons",
    )
)
_SIZES = st.integers(1, 400)
_CONTINUATIONS = st.integers(1, 50)


@st.composite
def cookie_programs(draw: Callable) -> bytes:
    """A coding cookie on line 1 or 2 (possibly after a BOM), then code in some encoding."""
    codec = draw(_CODECS)
    cookie = draw(_COOKIE_FORMS).format(c=codec)
    first = "#!/usr/bin/env python3\n" if draw(_BOOLEANS) else ""
    body = draw(_small_program())
    text = first + cookie + body
    bom = draw(_BOMS)
    enc = draw(_ENCODINGS)
    try:
        raw = text.encode(enc)
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    return bom + raw


@st.composite
def byte_tricks(draw: Callable) -> bytes:
    """NUL bytes, invalid UTF-8, lone surrogates, CR-only and mixed line ends, form feeds."""
    base = draw(_small_program()).encode("utf-8", "surrogatepass")
    trick = draw(_BYTE_TRICKS)
    at = draw(st.integers(0, len(base)))
    inject = {
        "nul": b"\x00",
        "invalid": draw(_INVALID_UTF8),
        "surrogate": "\ud800".encode("utf-8", "surrogatepass"),
        "cr": b"\r",
        "mixed": b"\r\n\r",
        "formfeed": b"\x0c",
        "bom_mid": b"\xef\xbb\xbf",
        "ctrl": bytes([draw(_CONTROL)]),
    }[trick]
    return base[:at] + inject + base[at:]


@st.composite
def layout_tricks(draw: Callable) -> str:
    """Continuations, semicolons, tabs vs spaces, unicode spaces, deep nesting, long lines."""
    kind = draw(_LAYOUTS)
    n = draw(_SIZES)
    if kind == "continuation":
        return "x = \\\n" * draw(_CONTINUATIONS) + "1\nprint(x)\n"
    if kind == "tabs":
        return "if True:\n\tx = 1\n        print(x)\n"
    if kind == "nest_parens":
        return "x = " + "(" * n + "1" + ")" * n + "\n"
    if kind == "nest_lists":
        return "x = " + "[" * n + "]" * n + "\n"
    if kind == "nest_if":
        depth = min(n, 120)
        return "".join("    " * i + "if True:\n" for i in range(depth)) + "    " * depth + "pass\n"
    if kind == "long_line":
        return "x = " + " + ".join(["1"] * n * 50) + "\n"
    if kind == "long_string":
        return "s = '" + "a" * (n * 5000) + "'\n"
    if kind == "many_lines":
        return "x = 1\n" * (n * 50)
    if kind == "unicode_space":
        return "x\u00a0=\u20281\nprint(x)\n"
    if kind == "nest_lambda":
        return "f = " + "lambda: " * n + "1\n"
    if kind == "nest_fstring":
        depth = min(n, 8)
        inner = "1"
        for _ in range(depth):
            inner = 'f"{' + inner + '}"'
        return f"x = {inner}\n"
    return "; ".join(["x = 1"] * n) + "\n"


def arbitrary_python() -> st.SearchStrategy[str]:
    """Syntactically valid Python from the full grammar (hypothesmith)."""
    import hypothesmith

    return hypothesmith.from_grammar()


def adversarial_inputs() -> st.SearchStrategy[str | bytes]:
    return st.one_of(
        cookie_programs(),
        byte_tricks(),
        layout_tricks(),
        arbitrary_python(),
        st.text(max_size=300),
        st.binary(max_size=300),
    )

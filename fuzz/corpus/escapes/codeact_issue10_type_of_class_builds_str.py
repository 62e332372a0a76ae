# Source: codeact-verify issue 10 (red-team review, round two), item 1: type(int) is the metaclass `type`, which built a str subclass whose __eq__ passed a Literal check — primitive: https://docs.python.org/3/library/functions.html#type
from typing import Any
T: Any = type(int)
u = "_"
S = T("S", (str,), {u + u + "eq" + u + u: lambda self, other: True, u + u + "hash" + u + u: lambda self: 0})
print(get_weather(city="Oslo", units=S("kelvin")))

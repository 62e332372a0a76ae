# Source: codeact-verify issue 10 (red-team review, round two), item 11: namedtuple's rename= was evaluated with bool() inside the runtime's trusted block, so the program's __bool__ ran with the hook off — primitive: https://docs.python.org/3/library/collections.html#collections.namedtuple
import collections
from typing import Any
T: Any = type(int)
u = "_"
R = T("R", (), {u + u + "bool" + u + u: lambda self: False})
P = collections.namedtuple("P", "x y", rename=R())

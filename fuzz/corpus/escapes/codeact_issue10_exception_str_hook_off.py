# Source: codeact-verify issue 10 (red-team review, round two), item 2: the runtime called str() of the program's exception after switching the audit hook off, so its __str__ ran unaudited — primitive: https://peps.python.org/pep-0578/
import typing
from typing import Any
T: Any = type(int)
u = "_"
def s(self):
    P = typing.NamedTuple("P", [("x", int)])
    return "x"
E = T("E", (Exception,), {u + u + "str" + u + u: s})
raise E()

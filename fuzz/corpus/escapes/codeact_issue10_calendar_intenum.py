# Source: codeact-verify issue 10 (red-team review, round two), item 13: 3.14's calendar exports IntEnum (the host's 3.11 calendar does not); its functional API built a class with a program-defined __str__ — primitive: https://docs.python.org/3/library/enum.html#functional-api
import calendar
u = "_"
def f(self):
    return "ran"
F = calendar.IntEnum("F", {"A": 1, u + u + "str" + u + u: f})
print(str(F.A))

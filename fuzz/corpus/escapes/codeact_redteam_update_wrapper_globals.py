# Source: codeact-verify red-team review, 2026-11-25 (functools.update_wrapper merges a stdlib module's __globals__, real builtins included, into the program's globals; the audit hook could then be switched off) — primitive: https://docs.python.org/3/library/functools.html#functools.update_wrapper
import functools
import typing
sys = None
def w():
    pass
functools.update_wrapper(w, typing.cast, assigned=(), updated=("__globals__",))
def g():
    return getattr(sys, "modules")
print(g())

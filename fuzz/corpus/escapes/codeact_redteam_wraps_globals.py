# Source: codeact-verify red-team review, 2026-11-25 (the same primitive as a decorator: functools.wraps(..., updated=("__globals__",))) — primitive: https://docs.python.org/3/library/functools.html#functools.update_wrapper
import functools
import statistics
sys = 0
@functools.wraps(statistics.mean, assigned=(), updated=("__globals__",))
def w():
    pass
def g():
    return getattr(sys, "modules")
print(type(g()), len(g()))

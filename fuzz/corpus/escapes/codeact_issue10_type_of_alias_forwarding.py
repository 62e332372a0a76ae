# Source: codeact-verify issue 10 (red-team review, round two), item 9 (the same wrapper reached through type() of a list[int] alias) — primitive: https://docs.python.org/3/library/stdtypes.html#types-genericalias
import statistics
A = type(list[int])
print(A(statistics, ()).sys)

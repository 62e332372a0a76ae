# Source: codeact-verify issue 10 (red-team review, round two), item 9: GenericAlias forwards attribute reads to its origin, so A(statistics).sys reached sys and A(sys).modules the runtime's audit module — primitive: https://docs.python.org/3/library/types.html#types.GenericAlias
import functools
import statistics
A = lambda o: functools.GenericAlias(o, ())
s = A(statistics).sys
audit = A(s).modules["runtime.audit"]
print(audit)

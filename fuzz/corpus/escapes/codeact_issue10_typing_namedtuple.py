# Source: codeact-verify issue 10 (red-team review, round two), item 14: typing.NamedTuple's functional form builds a class (and compiles code); the verifier passed it and the sandbox refused it — primitive: https://docs.python.org/3/library/typing.html#typing.NamedTuple
import typing
P = typing.NamedTuple("P", [("x", int)])
print(P(1))

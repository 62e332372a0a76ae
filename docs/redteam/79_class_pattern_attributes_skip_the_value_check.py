"""Low / informational: the full pipeline (verifier + guest) ACCEPTS a program that obtains
`collections.abc.Callable` (a class the policy never lists: only `typing.Callable`, an alias,
is allowed) as a value. typing's alias forwards a failing attribute read to its origin; the
AttributeError's `.obj` is that origin, and a `match` class pattern's keyword attribute is read
with a plain getattr (no `_resolved` check). No escalation found from this class (it lets
class patterns read non-underscore attributes of any callable unguarded), but it is the same
unguarded path as 01 and a value the guards claim never reaches the program.
"""
from codeact_verify import CodeAct

PROGRAM = '''
import typing
try:
    print(getattr(typing.Callable, "nope"))
except AttributeError as e:
    match e:
        case AttributeError(obj=o, name=n):
            print("got", o, "via", n)
'''
with CodeAct(tools=[]) as ca:
    print("verifier ok:", ca.verify(PROGRAM).ok)
    ex = ca.execute_sync(PROGRAM)
    print("run:", ex.ok, ex.stdout, ex.error)

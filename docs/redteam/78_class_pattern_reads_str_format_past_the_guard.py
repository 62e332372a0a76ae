"""Guest layer: a match class pattern binds the real bound `str.format` / `str.format_map`,
skipping guarded_getattr's `format` special case (and `_resolved`), so the template walks
dunder attributes with no guard. The verifier refuses it (CV110 'taken from a match
subject'), so this needs the verifier off (`verified=False`, `run --unverified`), where the
guest's own docs promise format walks go only through the guards.
"""
from codeact_verify import CodeAct
from codeact_verify.executor import execute_sync

PROGRAM = '''
template = "{0.__class__.__mro__} {0.__class__.__base__.__subclasses__}"
match template:
    case str(format=fmt):
        print(fmt(0))
'''
with CodeAct(tools=[]) as ca:
    print("verifier:", ca.verify(PROGRAM).ok)
    ex = execute_sync(PROGRAM, ca.tools, grammar=ca.grammar, sandbox=ca.sandbox(), verified=False)
    print("guest:", ex.ok, ex.stdout, ex.error)

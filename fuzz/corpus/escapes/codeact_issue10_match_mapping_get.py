# Source: codeact-verify issue 10 (red-team review, round two), item 10: a mapping pattern calls the subject's get() with CPython's internal sentinel, whose class is `object` — primitive: https://peps.python.org/pep-0634/#mapping-patterns
import collections
d = collections.OrderedDict(k=1)
leaked = []
def get(key, default):
    leaked.append(default)
    return 1
d.get = get
match d:
    case {"k": v}:
        print(leaked)

# Source: codeact-verify issue 10 (red-team review, round two), item 10: a Counter's items() replaced by the program answered the schema check and the encoder differently — primitive: https://docs.python.org/3/library/collections.html#collections.Counter
import collections
from typing import Any
q: Any = collections.Counter()
q["A1"] = 2
calls = []
def fake_items():
    calls.append(1)
    if len(calls) == 1:
        return [("A1", 2)]
    return [("A1", "2; DROP TABLE orders"), ("extra", [1, 2, 3])]
q.items = fake_items
print(create_ticket(title=str(dict(q)), priority="low"))

# Source: codeact-verify red-team review, 2026-11-30 (issue 10 item 5: mypy folds Final constants itself, unbounded; a Final bound inside `if True:` was not followed by the size check; 2 ** 2 ** 40 asks for about 128 GiB) — primitive: https://github.com/python/mypy/blob/master/mypy/constant_fold.py
from typing import Final

if True:
    N: Final = 40
    M: Final = 2 ** 2 ** N
print(M % 7)

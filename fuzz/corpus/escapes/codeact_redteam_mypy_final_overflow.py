# Source: codeact-verify red-team review, 2026-11-30 (issue 10 item 5: mypy folds Final constants itself, unbounded; 10 ** 400 / 3 makes mypy raise OverflowError; the type check then failed open, as a warning) — primitive: https://github.com/python/mypy/blob/master/mypy/constant_fold.py
from typing import Final

BIG: Final = 10 ** 400 / 3
print(BIG)

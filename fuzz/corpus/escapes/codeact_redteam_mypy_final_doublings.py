# Source: codeact-verify red-team review, 2026-11-30 (issue 10 item 5: mypy folds Final constants itself, unbounded; 28 doublings of a Final str took 4.2 s and 1.1 GB in the type check and were accepted) — primitive: https://github.com/python/mypy/blob/master/mypy/constant_fold.py
from typing import Final

a0: Final = 'aaaaaaaa'
a1: Final = a0 + a0
a2: Final = a1 + a1
a3: Final = a2 + a2
a4: Final = a3 + a3
a5: Final = a4 + a4
a6: Final = a5 + a5
a7: Final = a6 + a6
a8: Final = a7 + a7
a9: Final = a8 + a8
a10: Final = a9 + a9
a11: Final = a10 + a10
a12: Final = a11 + a11
a13: Final = a12 + a12
a14: Final = a13 + a13
a15: Final = a14 + a14
a16: Final = a15 + a15
a17: Final = a16 + a16
a18: Final = a17 + a17
a19: Final = a18 + a18
a20: Final = a19 + a19
a21: Final = a20 + a20
a22: Final = a21 + a21
a23: Final = a22 + a22
a24: Final = a23 + a23
a25: Final = a24 + a24
a26: Final = a25 + a25
a27: Final = a26 + a26
a28: Final = a27 + a27
print(len(a28))

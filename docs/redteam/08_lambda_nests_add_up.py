# ruff: noqa
# Finding 08 (MEDIUM, verifier cost -> service stall): the static bound on calls taking lambdas
# (MAX_LAMBDA_CALL_NESTING = 3, red-team finding 03's fix) limits each nest's depth, not their
# number: 32 statements of 3-deep `max(map(lambda ...))` (this 1.6 KB file) spend mypy's whole
# 8 s budget (CV799); a few fewer are accepted after several seconds. Through `serve`, /verify
# and /execute run the verifier under the process-wide AST_LOCK (adapters/serve.py `_verify`:
# `with AST_LOCK: return codeact.verify(code)`), so every other request's verify and every run's
# restricted transform wait behind it: one client re-sending this keeps the service stalled.
# Layer beaten: verifier availability / serve.
#
#   $ codeact-verify check docs/redteam/08_lambda_nests_add_up.py      -> CV799 after ~8 s (main)
#   serve (main 10a659e): /execute of print(2) alone 0.16 s; while a 20-statement variant is
#   being verified (4.8 s): 4.53 s.
# Fix (red3): a total budget: each call taking a lambda costs 8 ** (depth - 1) units, at most
# 1000 per program (CV004 in milliseconds; ~13 three-deep nests, or 100 statements of
# `sorted(filter(lambda ...), key=lambda ...)`, still fit).
# NOT fixed (adapters/serve.py, reported): `_verify` holds AST_LOCK for the whole verify,
# mypy included, although every parse inside verify takes the lock itself (syntax.parse);
# holding it only there would let one slow verify stop blocking the others' runs.
x = [1, 2, 3]
y0 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y1 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y2 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y3 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y4 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y5 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y6 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y7 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y8 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y9 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y10 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y11 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y12 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y13 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y14 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y15 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y16 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y17 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y18 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y19 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y20 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y21 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y22 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y23 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y24 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y25 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y26 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y27 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y28 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y29 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y30 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))
y31 = max(map(lambda a2: max(map(lambda a1: max(map(lambda a0: x, x)), x)), x))

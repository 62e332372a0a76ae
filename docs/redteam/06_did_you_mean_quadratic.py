# ruff: noqa
# Finding 06 (MEDIUM, verifier cost): the undefined-name rule (CV104) computes a "did you mean"
# hint (difflib.get_close_matches against every name the program defines) for EVERY undefined
# name occurrence, before the report is capped at 50 diagnostics (finding 10's fix capped the
# output, not this work). A 24 KB program of 1200 defined and 1200 undefined names costs 16 s of
# CPU; through `serve`, verify runs under the global AST_LOCK (serve.py `_verify`), so every other
# request's verify and every run's restricted transform wait behind it.
# Layer beaten: verifier availability.
#
#   $ .venv/bin/python docs/redteam/06_did_you_mean_quadratic.py
#   expected: a CV104 rejection in well under a second
#   actual (main 10a659e): 24023 bytes, 15.91 s, 51 diagnostics (k=700: 7.35 s)
# Fix (red3): hints memoised per name and computed for the first 20 distinct names only
# (UnknownNameRule.MAX_HINTED_NAMES); the rest get the rule's general hint. Now 0.2 s.
import time

from codeact_verify import verify

k = 1200
code = (
    "[" + ",".join(f"x{i:04d}xxxx" for i in range(k)) + f"] = range({k})\n"
    "print(" + ",".join(f"y{i:04d}xxxx" for i in range(k)) + ")\n"
)
t = time.time()
report = verify(code, [], types=True)
print(len(code.encode()), "bytes", f"{time.time() - t:.2f} s", len(report.diagnostics),
      "diagnostics", report.diagnostics[0].code)

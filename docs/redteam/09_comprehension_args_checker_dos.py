# ruff: noqa
# Finding 09 (MEDIUM, verifier availability; NOT fixed): finding 03's static bound (and red3/08's
# total) counts only calls taking a *lambda*; mypy re-infers generator expressions and
# comprehensions passed to overloaded calls the same way, and a type error makes it try every
# overload at every level. This 3-level program (88 bytes) spends mypy's whole budget:
#
#   $ codeact-verify check docs/redteam/09_comprehension_args_checker_dos.py
#   error CV799 ... the program was not checked            (10.75 s, main 10a659e and red3)
#   measured (warm worker, 2 busy cores), `max(map(abs, (<inner> for v in x)))` nested:
#     depth 1 0.07 s, depth 2 3.02 s, depth 3 10.75 s (CV799); with list comprehensions
#     `max(map(abs, [<inner> for v in x]))` depth 2: 2.86 s; `max(max(<inner>) for v in x)`
#     depth 3: 6.19 s.
# Through `serve`, each such request holds the process-wide AST_LOCK for the whole check
# (adapters/serve.py `_verify`), stalling every other request (see finding 08).
# Suggested fix: count GeneratorExp/ListComp/SetComp/DictComp arguments like lambdas in
# rules/source.py `_takes_lambda` (with a depth limit of 2 for them), and in serve hold
# AST_LOCK only around the parses (syntax.parse already takes it), with more than one mypy
# worker so one slow check does not queue the rest.
x = [1, 2, 3]
y = max(map(abs, (max(map(abs, (max(map(abs, (x for v0 in x))) for v1 in x))) for v2 in x)))
print(y)

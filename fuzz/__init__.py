"""Fuzz campaigns that hunt for verifier escapes (installed as ``codeact_verify.fuzz``).

Strategies (``programs``, ``mutations``, ``adversarial``) feed properties (``properties``), each
a plain Hypothesis test; ``campaign`` runs them for N minutes across worker processes and saves
shrunk findings under ``findings/``; ``corpus/escapes`` holds the published escapes they mutate.
"""

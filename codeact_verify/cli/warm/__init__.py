"""The warm checker: a per-user daemon that keeps the verifier and mypy loaded for `check`.

`codeact-verify daemon start` runs :mod:`.server` in the background; a `check` from the command
line then goes through :mod:`.client` (which imports almost nothing) over a Unix socket in a
private per-user directory (:mod:`.paths`), framed by :mod:`.wire`. Any trouble (no daemon, a
stale socket, another version, a broken answer) and `check` runs in-process as before.
"""

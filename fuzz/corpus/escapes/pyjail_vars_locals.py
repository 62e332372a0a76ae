# Source: https://github.com/kiwamizamurai/cctf/blob/main/.claude/skills/pyjail/reference/bypass.md (pyjail bypass techniques) (namespace introspection)
scope = vars()
print(locals(), scope)

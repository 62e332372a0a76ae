# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (no calls, no exec/eval: decorators)
@print
@set
@open
@input
def a():
    pass

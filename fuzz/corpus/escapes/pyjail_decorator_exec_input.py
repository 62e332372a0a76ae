# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (no function calls: decorators)
@exec
@input
def a():
    pass

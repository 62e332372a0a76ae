# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (no builtins: del __builtins__; exec(input()))
del __builtins__
exec(input())

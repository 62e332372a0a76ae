# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (bypass parsers using comments and encodings)
# -*- coding: utf_7 -*-
def f(x):
    return x
    #+AAo-print(open("/etc/passwd").read())

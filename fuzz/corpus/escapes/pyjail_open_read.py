# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (read a file)
print(*open("/etc/passwd"))

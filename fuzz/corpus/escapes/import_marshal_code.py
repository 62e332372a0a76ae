# Source: https://github.com/salvatore-abello/python-ctf-cheatsheet/blob/main/pyjails/README.md (bytecode tricks need code objects: marshal)
import marshal
code = marshal.loads(b"\xe3")
print(code)

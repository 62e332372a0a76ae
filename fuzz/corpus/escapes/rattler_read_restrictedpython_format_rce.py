# Source: UIUCTF 2023 rattler-read write-up (https://github.com/nikosChalk/ctf-writeups/blob/master/uiuctf23/pyjail/rattler-read/writeup/README.md)
fmt = "{0.__self__.__builtins__[__import__]}"
loader = fmt.format(print)
print(loader)

# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (builtins from a defined function)
env = (lambda: 0).__globals__
env["__builtins__"]["exec"]("import os")

# Source: https://github.com/lmfit/asteval/issues/32 (arbitrary code execution via type() building classes)
Evil = type("Evil", (), {"run": lambda self: 1})
print(Evil().run())

# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (payload moved into a default argument)
def helper(base=().__class__.__base__):
    return base.__subclasses__()

print(helper())

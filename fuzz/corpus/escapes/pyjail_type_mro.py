# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (subclasses via type(x).__mro__)
print(type(1).__mro__[-1].__subclasses__())

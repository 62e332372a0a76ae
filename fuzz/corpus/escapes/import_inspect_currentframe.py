# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (frames via inspect)
import inspect
print(inspect.currentframe().f_back.f_globals)

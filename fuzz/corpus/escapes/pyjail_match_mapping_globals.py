# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (match class pattern reads __globals__ of a tool stub)
match get_weather:
    case object(__globals__={"__builtins__": b}):
        print(b)

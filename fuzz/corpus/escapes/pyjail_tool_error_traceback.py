# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (frames via __traceback__), adapted to call_tool errors
try:
    call_tool("get_weather", city="Atlantis")
except ToolError as err:
    print(err.__traceback__.tb_frame.f_globals)

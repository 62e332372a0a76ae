# Source: https://shirajuki.js.org/blog/pyjail-cheatsheet/ (Shirajuki/shirajuki.github.io src/routes/blog/pyjail-cheatsheet.md) (frames via exceptions' __traceback__)
try:
    1 / 0
except ZeroDivisionError as e:
    frame = e.__traceback__.tb_frame.f_back
    print(frame.f_globals)

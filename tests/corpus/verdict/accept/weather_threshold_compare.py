# Which cities are above 10 C
for c in ["Seattle", "Oslo", "Cairo"]:
    t = get_weather(city=c)["temperature_c"]
    if t > 10:
        print(c, "is warm")
    else:
        print(c, "is cold")

# Cities where it rains or snows
wet = []
for c in ["Seattle", "Paris", "Oslo", "Amsterdam"]:
    w = get_weather(city=c)
    if w["conditions"] in ("rain", "snow"):
        wet.append(c)
print(", ".join(wet))

# A helper function over a loosely typed result
def describe(city):
    w = get_weather(city=city)
    return f"{city}: {w['temperature_c']:.1f} C ({w['conditions']})"

for c in ["Seattle", "Cairo"]:
    print(describe(c))

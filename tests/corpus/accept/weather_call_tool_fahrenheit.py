# Fetch weather through call_tool in Fahrenheit and flag hot, humid places.
for city in ["Cairo", "Madrid", "Berlin"]:
    w = call_tool("get_weather", city=city, units="f")
    hot = w["temperature"] > 60
    humid = w["humidity"] > 70
    flags = [name for name, on in [("hot", hot), ("humid", humid)] if on]
    print(f"{city}: {w['temperature']} F, {w['conditions']}, flags={flags}")

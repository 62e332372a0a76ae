# Convert each temperature to Fahrenheit
for city in ["Paris", "Oslo"]:
    w = call_tool("get_weather", city=city)
    f = w["temperature_c"] * 9 / 5 + 32
    print(f"{city}: {f:.1f} F, {w['conditions']}")

# The warmest of several cities
temps = {}
for city in ["Seattle", "Paris", "Oslo", "Cairo"]:
    temps[city] = call_tool("get_weather", city=city)["temperature_c"]
warmest = max(temps, key=temps.get)
print(f"warmest: {warmest} at {temps[warmest]} C")

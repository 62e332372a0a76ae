# Compare the current temperature in several cities and report the warmest one.
cities = ["Paris", "London", "Tokyo", "Sydney"]
readings = []
for city in cities:
    w = get_weather(city=city)
    readings.append((city, w["temperature"]))
warmest = max(readings, key=lambda r: r[1])
for city, temp in sorted(readings, key=lambda r: r[1], reverse=True):
    print(f"{city:<8} {temp:5.1f} C")
print(f"Warmest: {warmest[0]} at {warmest[1]:.1f} C")

# Cities sorted by temperature
reports = [get_weather(city=c) for c in ["Cairo", "Oslo", "Seattle"]]
reports.sort(key=lambda r: r["temperature_c"])
print([r["city"] for r in reports])

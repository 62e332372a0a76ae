# Many cities in one batch
cities = ["Seattle", "Paris", "Cairo"]
results = call_tools([("get_weather", {"city": c}) for c in cities])
for r in results:
    print(r["city"], r["temperature_c"])

# Look up weather for a list that includes an unknown city and keep going on tool errors.
cities = ["Paris", "Atlantis", "Tokyo"]
ok: dict[str, float] = {}
failed: list[str] = []
for city in cities:
    try:
        ok[city] = get_weather(city=city)["temperature"]
    except ToolError as e:
        failed.append(city)
        print(f"could not get {city}: {e}")
print("ok:", ok)
print("failed:", failed)

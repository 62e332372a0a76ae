# Retry a failing lookup with a bounded while loop and a fallback city.
attempts = 0
candidates = ["Gotham", "Metropolis", "Paris"]
found = ""
while attempts < len(candidates):
    city = candidates[attempts]
    attempts += 1
    try:
        found = get_weather(city=city)["city"]
        break
    except ToolError:
        print(f"attempt {attempts}: {city} failed")
else:
    print("all attempts failed")
if found:
    print(f"got weather for {found} after {attempts} attempts")

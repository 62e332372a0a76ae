# Correct misspelled city names with difflib before asking for the weather.
import difflib

known = ["Paris", "London", "Tokyo", "New York", "Sydney", "Berlin", "Madrid", "Cairo"]
for typed in ["Pariss", "Lndon", "Tokio", "Zzzz"]:
    matches = difflib.get_close_matches(typed, known, n=1, cutoff=0.6)
    if not matches:
        print(f"{typed}: no match")
        continue
    city = matches[0]
    w = get_weather(city=city)
    ratio = difflib.SequenceMatcher(None, typed, city).ratio()
    print(f"{typed} -> {city} ({ratio:.2f}): {w['temperature']} C")

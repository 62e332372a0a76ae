# Fetch the weather of many cities in one concurrent batch and summarise the conditions.
from collections import Counter

cities = ["Paris", "London", "Tokyo", "New York", "Sydney", "Berlin"]
results = call_tools([("get_weather", {"city": c}) for c in cities])
conditions = Counter(r["conditions"] for r in results)
for condition, count in conditions.most_common():
    print(f"{condition}: {count}")
print("cities checked:", len(results))

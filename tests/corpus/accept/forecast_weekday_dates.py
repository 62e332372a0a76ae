# Turn forecast dates into weekday names with datetime and group them by conditions.
import datetime
from collections import defaultdict

by_condition: dict[str, list[str]] = defaultdict(list)
for day in get_forecast(city="Berlin", days=5):
    date = datetime.date.fromisoformat(day["date"])
    by_condition[day["conditions"]].append(date.strftime("%A"))
for condition in sorted(by_condition):
    print(f"{condition}: {', '.join(by_condition[condition])}")

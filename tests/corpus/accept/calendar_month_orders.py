# Count orders per weekday for May 2024 with the calendar module.
import calendar
import datetime
from collections import Counter

days, n_days = calendar.monthrange(2024, 5)
weekdays: Counter[str] = Counter()
for customer_id in range(1, 8):
    for order in list_orders(customer_id=customer_id):
        d = datetime.date.fromisoformat(order["created"])
        weekdays[calendar.day_name[d.weekday()]] += 1
print(f"May 2024 starts on {calendar.day_name[days]} and has {n_days} days")
for name in calendar.day_name:
    print(f"{name:<10} {'#' * weekdays[name]}")

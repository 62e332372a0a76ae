# Report order counts and revenue by status for a few customers.
from collections import Counter, defaultdict

counts: Counter[str] = Counter()
revenue: defaultdict[str, float] = defaultdict(float)
for customer_id in [3, 5, 8, 13]:
    for order in list_orders(customer_id=customer_id):
        counts[order["status"]] += 1
        revenue[order["status"]] += order["total"]
for status in ["pending", "shipped", "delivered"]:
    print(f"{status:<10} {counts[status]:>3} orders {revenue[status]:>10.2f}")

# How many orders in each status
from collections import Counter
counts = Counter(get_order(order_id=f"A{i}")["status"] for i in range(12))
print(sorted(counts.items()))

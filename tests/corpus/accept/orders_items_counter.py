# Count the most ordered SKUs across customers and check their inventory.
from collections import Counter

items: Counter[str] = Counter()
for customer_id in [2, 4, 6, 8, 10]:
    for order in call_tool("list_orders", customer_id=customer_id):
        items.update(order["items"])
for sku, n in items.most_common(3):
    try:
        stock = get_inventory(sku=sku)
    except ToolError:
        stock = -1
    status = "OUT" if stock == 0 else ("unknown" if stock < 0 else str(stock))
    print(f"{sku}: ordered {n} times, stock {status}")

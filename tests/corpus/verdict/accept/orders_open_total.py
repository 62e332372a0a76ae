# Sum of open orders
orders = [call_tool("get_order", order_id=f"A{i}") for i in range(1, 10)]
open_total = sum(o["total"] for o in orders if o["status"] == "open")
print(round(open_total, 2))

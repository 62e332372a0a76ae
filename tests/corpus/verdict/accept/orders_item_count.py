# Items per order, most first
orders = [get_order(order_id=f"A{i}") for i in range(5)]
orders.sort(key=lambda o: len(o["items"]), reverse=True)
print([(o["id"], len(o["items"])) for o in orders])

# Status and total of a few orders
for oid in ["A1", "A2", "A3"]:
    o = get_order(order_id=oid)
    print(o["id"], o["status"], o["total"])

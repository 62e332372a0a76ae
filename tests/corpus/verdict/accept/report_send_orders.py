# Email a summary of open orders
open_ids = [o["id"] for o in (get_order(order_id=f"A{i}") for i in range(6)) if o["status"] == "open"]
print(call_tool("send_report", to="ops@example.com", subject="Open orders", body=", ".join(open_ids)))

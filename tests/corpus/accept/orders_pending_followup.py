# Find pending orders older than a cutoff date and open tickets for them.
import datetime

cutoff = datetime.date(2024, 5, 15)
opened = []
for customer_id in range(1, 6):
    for order in list_orders(customer_id=customer_id, status="pending"):
        created = datetime.date.fromisoformat(order["created"])
        if created < cutoff:
            age = (cutoff - created).days
            ticket = create_ticket(title=f"Order {order['order_id']} pending {age} days", priority="high")
            opened.append(ticket["ticket_id"])
print(f"opened {len(opened)} tickets: {opened}")

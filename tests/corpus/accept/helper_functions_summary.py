# Use small typed helper functions to summarise a customer's account.
from typing import Any


def money(x: float) -> str:
    return f"${x:,.2f}"


def summarise(orders: list[Any]) -> dict[str, Any]:
    totals = [o["total"] for o in orders]
    return {
        "count": len(orders),
        "sum": sum(totals),
        "largest": max(totals) if totals else 0.0,
    }


user = lookup_user(user_id=21)
if user is not None:
    s = summarise(list_orders(customer_id=user["user_id"]))
    print(f"{user['name']}: {s['count']} orders, {money(s['sum'])}, largest {money(s['largest'])}")

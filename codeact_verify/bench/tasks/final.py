"""One-turn versions of the CodeAct programs: each ends with `final_answer(text)`, so the text is
the reply and the model takes no second turn (`CodeAct(one_turn_answers=True)`).

Same tools and logic as each task's `program`; the printed report becomes the answer the program
gives. The answers are checked against the same facts as every other strategy.
"""

from __future__ import annotations

FINAL_PROGRAMS: dict[str, str] = {
    "order-manager": """\
order = call_tool("get_order", order_id="O1017")
customer = call_tool("get_customer", customer_id=order["customer_id"])
manager = call_tool("get_employee", employee_id=customer["account_manager"])
final_answer(f"Order O1017 was placed by {customer['name']} ({customer['customer_id']}). "
             f"Account manager: {manager['name']} <{manager['email']}>.")
""",
    "customer-weather": """\
customer = call_tool("get_customer", customer_id="C007")
w = call_tool("get_weather", city=customer["city"], date="2024-06-14")
final_answer(f"{customer['name']} (C007) is in {customer['city']}. Forecast for 2024-06-14: "
             f"{w['condition']}, {w['temp_c']} °C, {w['precipitation_mm']} mm precipitation.")
""",
    "supplier-price": """\
product = call_tool("search_products", query="Trail Backpack")[0]
supplier = call_tool("get_supplier", supplier_id=product["supplier_id"])
rate = call_tool("get_exchange_rate", base="USD", quote=supplier["currency"])
final_answer(f"{product['name']} is supplied by {supplier['name']} ({supplier['country']}), "
             f"lead time {supplier['lead_time_days']} days. {product['unit_price']} USD = "
             f"{product['unit_price'] * rate:.2f} {supplier['currency']}.")
""",
    "order-total-eur": """\
order = get_order(order_id="O1023")
product = get_product(product_id=order["product_id"])
rate = get_exchange_rate(base="USD", quote="EUR")
usd = product["unit_price"] * order["quantity"]
final_answer(f"Order O1023: {order['quantity']} x {product['name']} = {usd:.2f} USD "
             f"= {usd * rate:.2f} EUR (rate {rate}).")
""",
    "open-tickets-products": """\
customer = [c for c in call_tool("find_customers") if c["name"] == "Chen Wei"][0]
lines = [f"Open tickets of Chen Wei ({customer['customer_id']}):"]
for t in call_tool("list_tickets", customer_id=customer["customer_id"], status="open"):
    product = call_tool("get_product", product_id=t["product_id"])
    lines.append(f"- {t['ticket_id']} ({t['priority']}): {t['subject']}, {product['name']}")
final_answer("\\n".join(lines))
""",
    "customer-spend": """\
total = 0.0
for o in call_tool("list_orders", customer_id="C001", status="shipped"):
    total += call_tool("get_product", product_id=o["product_id"])["unit_price"] * o["quantity"]
rate = call_tool("get_exchange_rate", base="USD", quote="GBP")
final_answer(f"C001 has spent {total:.2f} USD on shipped orders ({total * rate:.2f} GBP).")
""",
    "outdoor-stock": """\
from collections import Counter

totals: Counter[str] = Counter()
for product in call_tool("search_products", category="outdoor"):
    for level in call_tool("get_stock", product_id=product["product_id"]):
        totals[level["warehouse"]] += level["on_hand"]
warehouse, units = totals.most_common(1)[0]
final_answer(f"{warehouse} holds the most outdoor stock: {units} units.")
""",
    "farthest-gold": """\
distances = []
for c in call_tool("find_customers", tier="gold"):
    km = call_tool("get_distance_km", origin="Berlin", destination=c["city"])
    distances.append((km, c["name"], c["city"]))
km, name, city = max(distances)
final_answer(f"{name} in {city} is the gold customer farthest from Berlin: {km} km.")
""",
    "chair-quantity-stats": """\
import statistics

q = [o["quantity"] for o in list_orders(product_id="P104") if o["status"] != "cancelled"]
final_answer(f"Ergonomic Chair (P104): {len(q)} non-cancelled orders, {sum(q)} units, "
             f"mean {statistics.mean(q):.2f}, median {statistics.median(q)}.")
""",
    "reorder-needed": """\
low = []
for product in call_tool("search_products", query=""):
    for level in call_tool("get_stock", product_id=product["product_id"]):
        if level["on_hand"] < level["reorder_level"]:
            low.append(f"- {product['name']}: {level['warehouse']} "
                       f"({level['on_hand']} < {level['reorder_level']})")
final_answer(f"{len(low)} warehouse slots are below reorder level:\\n" + "\\n".join(low))
""",
    "weekly-rain": """\
from datetime import date, timedelta

start = date(2024, 6, 10)
days = [call_tool("get_weather", city="Osaka", date=(start + timedelta(days=i)).isoformat())
        for i in range(7)]
wet = [f"{w['date']} ({w['precipitation_mm']} mm, {w['condition']})"
       for w in days if w["precipitation_mm"] > 5]
total = round(sum(w["precipitation_mm"] for w in days), 1)
final_answer(f"Over 5 mm in Osaka on: {', '.join(wet)}. Week total: {total} mm.")
""",
    "monthly-revenue": """\
from collections import defaultdict

orders = [o for o in call_tool("list_orders", status="shipped") if o["date"] < "2024-04-01"]
prices = {pid: call_tool("get_product", product_id=pid)["unit_price"]
          for pid in {o["product_id"] for o in orders}}
revenue: defaultdict[str, float] = defaultdict(float)
for o in orders:
    revenue[o["date"][:7]] += prices[o["product_id"]] * o["quantity"]
months = "; ".join(f"{m}: {revenue[m]:,.2f} USD" for m in sorted(revenue))
final_answer(f"Shipped revenue, Q1 2024: {months}. Q1 total: {sum(revenue.values()):,.2f} USD.")
""",
    "frequent-customers": """\
from collections import Counter

counts = Counter(o["customer_id"] for o in call_tool("list_orders", since="2024-01-01"))
lines = [f"- {call_tool('get_customer', customer_id=cid)['name']} ({cid}): {n} orders"
         for cid, n in counts.most_common() if n >= 4]
final_answer("Customers with at least 4 orders in 2024:\\n" + "\\n".join(lines))
""",
    "return-rate-by-category": """\
from collections import Counter

orders = [o for o in call_tool("list_orders") if o["status"] in ("shipped", "returned")]
category = {pid: call_tool("get_product", product_id=pid)["category"]
            for pid in {o["product_id"] for o in orders}}
total = Counter(category[o["product_id"]] for o in orders)
returned = Counter(category[o["product_id"]] for o in orders if o["status"] == "returned")
final_answer("Return rates:\\n" + "\\n".join(
    f"- {c}: {returned[c]} of {total[c]} = {100 * returned[c] / total[c]:.1f}%"
    for c in sorted(total)))
""",
    "gold-ticket-priorities": """\
from collections import Counter

counts: Counter[str] = Counter()
for c in call_tool("find_customers", tier="gold"):
    tickets = call_tool("list_tickets", customer_id=c["customer_id"], status="open")
    counts.update(t["priority"] for t in tickets)
final_answer(f"Open tickets of gold customers: high: {counts['high']}, medium: "
             f"{counts['medium']}, low: {counts['low']}; total {sum(counts.values())}.")
""",
    "office-price-list": """\
eur = get_exchange_rate(base="USD", quote="EUR")
jpy = get_exchange_rate(base="USD", quote="JPY")
rows = ["| product | USD | EUR | JPY |", "|---|---:|---:|---:|"]
for p in search_products(category="office"):
    usd = p["unit_price"]
    rows.append(f"| {p['name']} | {usd:.2f} | {usd * eur:.2f} | {round(usd * jpy)} |")
final_answer("\\n".join(rows))
""",
    "supplier-catalog": """\
from collections import defaultdict

by_supplier: defaultdict[str, list[float]] = defaultdict(list)
for p in call_tool("search_products"):
    by_supplier[p["supplier_id"]].append(p["unit_price"])
lines = []
for sid in sorted(by_supplier):
    s = call_tool("get_supplier", supplier_id=sid)
    rate = call_tool("get_exchange_rate", base="USD", quote=s["currency"])
    prices = by_supplier[sid]
    lines.append(f"- {s['name']} ({s['country']}): {len(prices)} products, "
                 f"average {sum(prices) / len(prices) * rate:,.2f} {s['currency']}")
final_answer("\\n".join(lines))
""",
    "stock-report-electronics": """\
lines = ["# Electronics stock report", "", "| product | on hand | below reorder |",
         "|---|---:|---|"]
for p in call_tool("search_products", category="electronics"):
    levels = call_tool("get_stock", product_id=p["product_id"])
    total = sum(s["on_hand"] for s in levels)
    low = [f"{s['warehouse']} ({s['on_hand']}/{s['reorder_level']})"
           for s in levels if s["on_hand"] < s["reorder_level"]]
    lines.append(f"| {p['name']} | {total} | {', '.join(low) or '-'} |")
final_answer("\\n".join(lines))
""",
    "pending-notify-austin": """\
sent = []
for c in call_tool("find_customers", city="Austin", tier="silver"):
    orders = call_tool("list_orders", customer_id=c["customer_id"], status="pending")
    lines = []
    total = 0.0
    for o in orders:
        p = call_tool("get_product", product_id=o["product_id"])
        amount = p["unit_price"] * o["quantity"]
        total += amount
        lines.append(f"- {o['order_id']}: {o['quantity']} x {p['name']} ({amount:.2f} USD)")
    body = (f"Hello {c['name']},\\n\\nyour pending orders:\\n" + "\\n".join(lines)
            + f"\\n\\nTotal: {total:.2f} USD\\n")
    call_tool("send_email", to=c["email"], subject="Your pending orders", body=body)
    sent.append(f"- {c['name']} ({c['email']}): {len(orders)} pending orders, {total:.2f} USD")
final_answer("I emailed:\\n" + "\\n".join(sent))
""",
    "customer-brief": """\
from collections import Counter

c = get_customer(customer_id="C011")
orders = list_orders(customer_id="C011")
spend = sum(get_product(product_id=o["product_id"])["unit_price"] * o["quantity"]
            for o in orders if o["status"] == "shipped")
by = ", ".join(f"{n} {s}" for s, n in Counter(o["status"] for o in orders).items())
tickets = "; ".join(f"{x['ticket_id']} [{x['priority']}] {x['subject']}"
                    for x in list_tickets(customer_id="C011", status="open"))
final_answer(f"{c['name']} (C011), {c['tier']} tier, {c['city']}, since {c['signup_date']}. "
             f"Manager: {get_employee(employee_id=c['account_manager'])['name']}. "
             f"Orders: {len(orders)} ({by}); shipped spend {spend:,.2f} USD. "
             f"Open tickets: {tickets}.")
""",
    "escalation": """\
sent = []
for x in call_tool("list_tickets", status="open"):
    if x["priority"] != "high" or x["opened"] >= "2024-06-01":
        continue
    customer = call_tool("get_customer", customer_id=x["customer_id"])
    manager = call_tool("get_employee", employee_id=customer["account_manager"])
    product = call_tool("get_product", product_id=x["product_id"])
    body = (f"Hi {manager['name']},\\n\\nticket {x['ticket_id']} from {customer['name']} "
            f"({customer['tier']}) about the {product['name']} has been open since "
            f"{x['opened']}: {x['subject']}. Please follow up today.\\n")
    call_tool("send_email", to=manager["email"], subject=f"Escalation: {x['ticket_id']}",
              body=body)
    sent.append(f"- {x['ticket_id']} ({customer['name']}, {product['name']}) to {manager['email']}")
final_answer(f"I sent {len(sent)} escalation emails:\\n" + "\\n".join(sent))
""",
    "delivery-plan": """\
import math
from datetime import date, timedelta

order = call_tool("get_order", order_id="O1034")
customer = call_tool("get_customer", customer_id=order["customer_id"])
km = call_tool("get_distance_km", origin=order["warehouse"], destination=customer["city"])
days = math.ceil(km / 800)
arrival = (date(2024, 6, 12) + timedelta(days=days)).isoformat()
w = call_tool("get_weather", city=customer["city"], date=arrival)
final_answer(f"O1034: {order['warehouse']} to {customer['name']} in {customer['city']}, "
             f"{km} km, {days} days; arrives {arrival}. Forecast: {w['condition']}, "
             f"{w['temp_c']} °C, {w['precipitation_mm']} mm.")
""",
    "weekly-digest": """\
from collections import defaultdict

week = [o for o in call_tool("list_orders", since="2024-06-03") if o["date"] <= "2024-06-09"]
value: defaultdict[str, float] = defaultdict(float)
for o in week:
    p = call_tool("get_product", product_id=o["product_id"])
    value[p["name"]] += p["unit_price"] * o["quantity"]
top = max(value, key=lambda name: value[name])
units = sum(o["quantity"] for o in week)
body = (f"Orders 2024-06-03 to 2024-06-09: {len(week)} orders, {units} units, "
        f"{sum(value.values()):,.2f} USD.\\nTop product by value: {top} "
        f"({value[top]:,.2f} USD).\\n")
call_tool("send_email", to="sam.okafor@corp.example", subject="Weekly order digest", body=body)
final_answer("I sent the digest to sam.okafor@corp.example:\\n" + body)
""",
}

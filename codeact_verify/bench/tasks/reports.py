"""Report generation: gather, compute, write a formatted report, sometimes send it."""

from __future__ import annotations

import datetime
import math

from codeact_verify.bench.tasks import tools as t
from codeact_verify.bench.tasks.model import ANSWERS, Fact, Task, call, near


def _stock_report() -> list[Fact]:
    facts: list[Fact] = []
    for p in t.search_products(category="electronics"):
        levels = t.get_stock(p["product_id"])
        facts += [p["name"], sum(s["on_hand"] for s in levels)]
    return facts


def _pending_totals(city: str) -> list[tuple[str, str, float]]:
    out = []
    for c in t.find_customers(city=city, tier="silver"):
        total = sum(
            t.get_product(o["product_id"])["unit_price"] * o["quantity"]
            for o in t.list_orders(customer_id=c["customer_id"], status="pending")
        )
        out.append((c["name"], c["email"], round(total, 2)))
    return out


def _pending_notify() -> list[Fact]:
    facts: list[Fact] = []
    for name, email, total in _pending_totals("Austin"):
        facts += [name, email, total]
    return facts


def _customer_brief() -> list[Fact]:
    c = t.get_customer("C011")
    manager = t.get_employee(c["account_manager"])
    orders = t.list_orders(customer_id="C011")
    spend = sum(
        t.get_product(o["product_id"])["unit_price"] * o["quantity"]
        for o in orders
        if o["status"] == "shipped"
    )
    tickets = t.list_tickets(customer_id="C011", status="open")
    return [
        c["name"],
        manager["name"],
        len(orders),
        round(spend, 2),
        *(x["ticket_id"] for x in tickets),
    ]


def _escalations() -> list[tuple[str, str, str]]:
    out = []
    for x in t.list_tickets(status="open"):
        if x["priority"] == "high" and x["opened"] < "2024-06-01":
            customer = t.get_customer(x["customer_id"])
            manager = t.get_employee(customer["account_manager"])
            out.append((x["ticket_id"], customer["name"], manager["email"]))
    return out


def _escalation() -> list[Fact]:
    rows = _escalations()
    return [len(rows), *(v for row in rows for v in row)]


def _delivery_plan() -> list[Fact]:
    order = t.get_order("O1034")
    customer = t.get_customer(order["customer_id"])
    km = t.get_distance_km(order["warehouse"], customer["city"])
    days = math.ceil(km / 800)
    arrival = (datetime.date(2024, 6, 12) + datetime.timedelta(days=days)).isoformat()
    weather = t.get_weather(customer["city"], arrival)
    return [customer["city"], km, near("day", days), arrival, weather["condition"]]


def _weekly_digest() -> list[Fact]:
    week = [o for o in t.list_orders(since="2024-06-03") if o["date"] <= "2024-06-09"]
    value: dict[str, float] = {}
    for o in week:
        p = t.get_product(o["product_id"])
        value[p["name"]] = value.get(p["name"], 0.0) + p["unit_price"] * o["quantity"]
    top = max(value, key=lambda k: value[k])
    return [
        near("orders", len(week)),
        near("units", sum(o["quantity"] for o in week)),
        round(sum(value.values()), 2),
        top,
    ]


TASKS = [
    Task(
        id="stock-report-electronics",
        kind="report",
        prompt="Write a short stock report for the electronics category: for each product the "
        "total units on hand, and any warehouse that is below its reorder level.",
        solve=_stock_report,
        program="""\
lines = ["# Electronics stock report", "", "| product | on hand | below reorder |",
         "|---|---:|---|"]
for p in call_tool("search_products", category="electronics"):
    levels = call_tool("get_stock", product_id=p["product_id"])
    total = sum(s["on_hand"] for s in levels)
    low = [f"{s['warehouse']} ({s['on_hand']}/{s['reorder_level']})"
           for s in levels if s["on_hand"] < s["reorder_level"]]
    lines.append(f"| {p['name']} | {total} | {', '.join(low) or '-'} |")
print("\\n".join(lines))
""",
        codeact_answer=ANSWERS["stock-report-electronics"],
        classic_turns=(
            (call("search_products", category="electronics"),),
            tuple(call("get_stock", product_id=f"P{n}") for n in range(100, 104)),
        ),
        classic_answer=ANSWERS["stock-report-electronics"],
    ),
    Task(
        id="pending-notify-austin",
        kind="report",
        prompt="Email every silver-tier customer in Austin a summary of their pending orders "
        "(items and total in USD), then tell me who was emailed and their totals.",
        solve=_pending_notify,
        side_effects=("send_email",),
        program="""\
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
    receipt = call_tool("send_email", to=c["email"], subject="Your pending orders", body=body)
    print(f"{c['name']} <{c['email']}>: {len(orders)} orders, {total:.2f} USD, "
          f"{receipt['status']} {receipt['message_id']}")
""",
        codeact_answer=ANSWERS["pending-notify-austin"],
        classic_turns=(
            (call("find_customers", city="Austin", tier="silver"),),
            (
                call("list_orders", customer_id="C004", status="pending"),
                call("list_orders", customer_id="C009", status="pending"),
            ),
            (
                call("get_product", product_id="P100"),
                call("get_product", product_id="P108"),
                call("get_product", product_id="P104"),
                call("get_product", product_id="P109"),
            ),
            (
                call(
                    "send_email",
                    to="dana.brooks@example.com",
                    subject="Your pending orders",
                    body="Hello Dana Brooks,\n\nyour pending orders:\n"
                    "- O1029: 2 x Noise-Cancelling Headphones (498.00 USD)\n"
                    "- O1032: 3 x Chef's Knife (223.50 USD)\n\nTotal: 721.50 USD\n",
                ),
                call(
                    "send_email",
                    to="isabel.ruiz@example.com",
                    subject="Your pending orders",
                    body="Hello Isabel Ruiz,\n\nyour pending orders:\n"
                    "- O1031: 1 x Ergonomic Chair (319.00 USD)\n"
                    "- O1035: 2 x Trail Backpack (238.00 USD)\n\nTotal: 557.00 USD\n",
                ),
            ),
        ),
        classic_answer=ANSWERS["pending-notify-austin"],
    ),
    Task(
        id="customer-brief",
        kind="report",
        prompt="Prepare a short account brief on customer C011 for their account manager: "
        "profile, manager, orders by status, total spend on shipped orders (USD), open tickets.",
        solve=_customer_brief,
        program="""\
from collections import Counter

c = get_customer(customer_id="C011")
manager = get_employee(employee_id=c["account_manager"])
orders = list_orders(customer_id="C011")
tickets = list_tickets(customer_id="C011", status="open")
spend = 0.0
for o in orders:
    if o["status"] == "shipped":
        spend += get_product(product_id=o["product_id"])["unit_price"] * o["quantity"]
by_status = Counter(o["status"] for o in orders)
print(f"## {c['name']} ({c['customer_id']}) -- {c['tier']} tier, {c['city']}, "
      f"customer since {c['signup_date']}")
print(f"Account manager: {manager['name']} <{manager['email']}>")
print(f"Orders: {len(orders)} ({', '.join(f'{n} {s}' for s, n in by_status.items())})")
print(f"Shipped spend: {spend:,.2f} USD")
for x in tickets:
    print(f"Open ticket {x['ticket_id']} [{x['priority']}] {x['subject']} (since {x['opened']})")
""",
        codeact_answer=ANSWERS["customer-brief"],
        classic_turns=(
            (
                call("get_customer", customer_id="C011"),
                call("list_orders", customer_id="C011"),
                call("list_tickets", customer_id="C011", status="open"),
            ),
            (
                call("get_employee", employee_id="E02"),
                call("get_product", product_id="P102"),
                call("get_product", product_id="P105"),
            ),
        ),
        classic_answer=ANSWERS["customer-brief"],
    ),
    Task(
        id="escalation",
        kind="report",
        prompt="Escalate every open high-priority ticket opened before 2024-06-01: email the "
        "customer's account manager with the ticket details, then summarise what you sent.",
        solve=_escalation,
        side_effects=("send_email",),
        program="""\
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
    sent.append(f"{x['ticket_id']} ({customer['name']}, {product['name']}) -> {manager['email']}")
print(len(sent), "escalations sent:")
print("\\n".join(sent))
""",
        codeact_answer=ANSWERS["escalation"],
        classic_turns=(
            (call("list_tickets", status="open"),),
            (
                call("get_customer", customer_id="C003"),
                call("get_customer", customer_id="C011"),
                call("get_customer", customer_id="C001"),
                call("get_product", product_id="P100"),
                call("get_product", product_id="P102"),
            ),
            (
                call("get_employee", employee_id="E03"),
                call("get_employee", employee_id="E02"),
                call("get_employee", employee_id="E01"),
            ),
            (
                call(
                    "send_email",
                    to="yuki.tanaka@corp.example",
                    subject="Escalation: T-501",
                    body="Hi Yuki Tanaka,\n\nticket T-501 from Chen Wei (gold) about the "
                    "Noise-Cancelling Headphones has been open since 2024-03-02: Left ear cup "
                    "crackles. Please follow up today.\n",
                ),
                call(
                    "send_email",
                    to="oliver.grant@corp.example",
                    subject="Escalation: T-504",
                    body="Hi Oliver Grant,\n\nticket T-504 from Kofi Mensah (gold) about the 4K "
                    "Monitor has been open since 2024-04-18: Dead pixels on delivery. Please "
                    "follow up today.\n",
                ),
                call(
                    "send_email",
                    to="miriam.vogel@corp.example",
                    subject="Escalation: T-508",
                    body="Hi Miriam Vogel,\n\nticket T-508 from Ada Fischer (gold) about the 4K "
                    "Monitor has been open since 2024-05-20: Monitor will not wake. Please "
                    "follow up today.\n",
                ),
            ),
        ),
        classic_answer=ANSWERS["escalation"],
    ),
    Task(
        id="delivery-plan",
        kind="report",
        prompt="Order O1034 leaves its warehouse on 2024-06-12 and our trucks cover 800 km a day. "
        "How far is the trip, how many days will it take, on what date does it arrive, and what "
        "is the weather forecast at the destination that day?",
        solve=_delivery_plan,
        program="""\
import math
from datetime import date, timedelta

order = call_tool("get_order", order_id="O1034")
customer = call_tool("get_customer", customer_id=order["customer_id"])
km = call_tool("get_distance_km", origin=order["warehouse"], destination=customer["city"])
days = math.ceil(km / 800)
arrival = (date(2024, 6, 12) + timedelta(days=days)).isoformat()
weather = call_tool("get_weather", city=customer["city"], date=arrival)
print(f"{order['warehouse']} -> {customer['city']} ({customer['name']}): {km} km, {days} days")
print(f"arrives {arrival}; forecast {weather['condition']}, {weather['temp_c']} °C, "
      f"{weather['precipitation_mm']} mm")
""",
        codeact_answer=ANSWERS["delivery-plan"],
        classic_turns=(
            (call("get_order", order_id="O1034"),),
            (call("get_customer", customer_id="C012"),),
            (call("get_distance_km", origin="Berlin", destination="Lisbon"),),
            (call("get_weather", city="Lisbon", date="2024-06-15"),),
        ),
        classic_answer=ANSWERS["delivery-plan"],
    ),
    Task(
        id="weekly-digest",
        kind="report",
        prompt="Send Sam Okafor (sam.okafor@corp.example) a digest of the orders placed from "
        "2024-06-03 to 2024-06-09: number of orders, units, total value in USD, and the top "
        "product by value. Then tell me what it said.",
        solve=_weekly_digest,
        side_effects=("send_email",),
        program="""\
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
print(body)
""",
        codeact_answer=ANSWERS["weekly-digest"],
        classic_turns=(
            (call("list_orders", since="2024-06-03"),),
            (
                call("get_product", product_id="P101"),
                call("get_product", product_id="P100"),
                call("get_product", product_id="P105"),
                call("get_product", product_id="P104"),
                call("get_product", product_id="P108"),
            ),
            (
                call(
                    "send_email",
                    to="sam.okafor@corp.example",
                    subject="Weekly order digest",
                    body="Orders 2024-06-03 to 2024-06-09: 6 orders, 10 units, 1,978.00 USD.\n"
                    "Top product by value: Standing Desk (549.00 USD).\n",
                ),
            ),
        ),
        classic_answer=ANSWERS["weekly-digest"],
    ),
]

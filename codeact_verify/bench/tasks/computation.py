"""Light computation over a handful of tool results: sums, extremes, statistics, thresholds."""

from __future__ import annotations

import datetime
import statistics

from codeact_verify.bench.tasks import tools as t
from codeact_verify.bench.tasks.model import ANSWERS, Fact, Task, call

_WEEK = [(datetime.date(2024, 6, 10) + datetime.timedelta(days=i)).isoformat() for i in range(7)]


def _customer_spend() -> list[Fact]:
    total = sum(
        t.get_product(o["product_id"])["unit_price"] * o["quantity"]
        for o in t.list_orders(customer_id="C001", status="shipped")
    )
    return [round(total, 2), round(total * t.get_exchange_rate("USD", "GBP"), 2)]


def _outdoor_stock() -> list[Fact]:
    totals: dict[str, int] = {}
    for p in t.search_products(category="outdoor"):
        for s in t.get_stock(p["product_id"]):
            totals[s["warehouse"]] = totals.get(s["warehouse"], 0) + s["on_hand"]
    best = max(totals, key=lambda w: totals[w])
    return [best, totals[best]]


def _farthest_gold() -> list[Fact]:
    far = max(t.find_customers(tier="gold"), key=lambda c: t.get_distance_km("Berlin", c["city"]))
    return [far["name"], far["city"], t.get_distance_km("Berlin", far["city"])]


def _chair_stats() -> list[Fact]:
    qs = [o["quantity"] for o in t.list_orders(product_id="P104") if o["status"] != "cancelled"]
    return [sum(qs), round(statistics.mean(qs), 2), statistics.median(qs)]


def _reorder_needed() -> list[Fact]:
    facts: list[Fact] = []
    for p in t.search_products():
        for s in t.get_stock(p["product_id"]):
            if s["on_hand"] < s["reorder_level"]:
                facts.append(p["name"])
    return [len(facts), *dict.fromkeys(facts)]


def _weekly_rain() -> list[Fact]:
    days = [t.get_weather("Osaka", d) for d in _WEEK]
    wet: list[Fact] = [w["date"] for w in days if w["precipitation_mm"] > 5]
    return [*wet, round(sum(w["precipitation_mm"] for w in days), 1)]


TASKS = [
    Task(
        id="customer-spend",
        kind="computation",
        prompt="How much has customer C001 spent on shipped orders so far, in USD and in GBP?",
        solve=_customer_spend,
        program="""\
orders = call_tool("list_orders", customer_id="C001", status="shipped")
total = 0.0
for o in orders:
    product = call_tool("get_product", product_id=o["product_id"])
    line = product["unit_price"] * o["quantity"]
    total += line
    print(f"{o['order_id']} {o['date']}: {o['quantity']} x {product['name']} = {line:.2f} USD")
rate = call_tool("get_exchange_rate", base="USD", quote="GBP")
print(f"Total: {total:.2f} USD = {total * rate:.2f} GBP")
""",
        codeact_answer=ANSWERS["customer-spend"],
        classic_turns=(
            (call("list_orders", customer_id="C001", status="shipped"),),
            (
                call("get_product", product_id="P100"),
                call("get_product", product_id="P103"),
                call("get_product", product_id="P102"),
                call("get_exchange_rate", base="USD", quote="GBP"),
            ),
        ),
        classic_answer=ANSWERS["customer-spend"],
    ),
    Task(
        id="outdoor-stock",
        kind="computation",
        prompt="Across all our outdoor products, which warehouse holds the most units in total, "
        "and how many?",
        solve=_outdoor_stock,
        program="""\
from collections import Counter

totals: Counter[str] = Counter()
for product in call_tool("search_products", category="outdoor"):
    for level in call_tool("get_stock", product_id=product["product_id"]):
        totals[level["warehouse"]] += level["on_hand"]
for warehouse, units in totals.most_common():
    print(f"{warehouse}: {units} units")
""",
        codeact_answer=ANSWERS["outdoor-stock"],
        classic_turns=(
            (call("search_products", category="outdoor"),),
            (
                call("get_stock", product_id="P109"),
                call("get_stock", product_id="P110"),
                call("get_stock", product_id="P111"),
            ),
        ),
        classic_answer=ANSWERS["outdoor-stock"],
    ),
    Task(
        id="farthest-gold",
        kind="computation",
        prompt="Which of our gold customers lives farthest from the Berlin warehouse, and how far "
        "away is that?",
        solve=_farthest_gold,
        program="""\
gold = call_tool("find_customers", tier="gold")
distances = []
for c in gold:
    km = call_tool("get_distance_km", origin="Berlin", destination=c["city"])
    distances.append((km, c["name"], c["city"]))
for km, name, city in sorted(distances, reverse=True):
    print(f"{name} ({city}): {km} km")
""",
        codeact_answer=ANSWERS["farthest-gold"],
        classic_turns=(
            (call("find_customers", tier="gold"),),
            (
                call("get_distance_km", origin="Berlin", destination="Berlin"),
                call("get_distance_km", origin="Berlin", destination="Osaka"),
                call("get_distance_km", origin="Berlin", destination="Austin"),
                call("get_distance_km", origin="Berlin", destination="London"),
            ),
        ),
        classic_answer=ANSWERS["farthest-gold"],
    ),
    Task(
        id="chair-quantity-stats",
        kind="computation",
        prompt="For the Ergonomic Chair (P104), excluding cancelled orders: how many units were "
        "ordered in total, and what are the mean and median quantity per order?",
        solve=_chair_stats,
        program="""\
import statistics

orders = list_orders(product_id="P104")
quantities = [o["quantity"] for o in orders if o["status"] != "cancelled"]
print("orders:", [(o["order_id"], o["quantity"], o["status"]) for o in orders])
print("total units:", sum(quantities))
print("mean:", round(statistics.mean(quantities), 2), "median:", statistics.median(quantities))
""",
        codeact_answer=ANSWERS["chair-quantity-stats"],
        classic_turns=((call("list_orders", product_id="P104"),),),
        classic_answer=ANSWERS["chair-quantity-stats"],
    ),
    Task(
        id="reorder-needed",
        kind="computation",
        prompt="Which products are below their reorder level in at least one warehouse? Name the "
        "product and the warehouse(s).",
        solve=_reorder_needed,
        program="""\
low = []
for product in call_tool("search_products", query=""):
    for level in call_tool("get_stock", product_id=product["product_id"]):
        if level["on_hand"] < level["reorder_level"]:
            low.append(f"{product['name']} @ {level['warehouse']}: "
                       f"{level['on_hand']} < {level['reorder_level']}")
print(len(low), "warehouse slots below reorder level:")
print("\\n".join(low))
""",
        codeact_answer=ANSWERS["reorder-needed"],
        classic_turns=(
            (call("search_products", query=""),),
            tuple(call("get_stock", product_id=f"P{n}") for n in range(100, 112)),
        ),
        classic_answer=ANSWERS["reorder-needed"],
    ),
    Task(
        id="weekly-rain",
        kind="computation",
        prompt="On which days from 2024-06-10 to 2024-06-16 is more than 5 mm of rain forecast "
        "in Osaka, and what is the total rainfall for the week?",
        solve=_weekly_rain,
        program="""\
from datetime import date, timedelta

start = date(2024, 6, 10)
days = [call_tool("get_weather", city="Osaka", date=(start + timedelta(days=i)).isoformat())
        for i in range(7)]
for w in days:
    flag = "  <-- over 5 mm" if w["precipitation_mm"] > 5 else ""
    print(f"{w['date']}: {w['condition']}, {w['precipitation_mm']} mm{flag}")
print("week total:", round(sum(w["precipitation_mm"] for w in days), 1), "mm")
""",
        codeact_answer=ANSWERS["weekly-rain"],
        classic_turns=(tuple(call("get_weather", city="Osaka", date=d) for d in _WEEK),),
        classic_answer=ANSWERS["weekly-rain"],
    ),
]

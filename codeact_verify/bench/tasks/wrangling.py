"""Data wrangling: joins, group-bys and reshaping over whole tables of tool results."""

from __future__ import annotations

from collections import Counter

from codeact_verify.bench.tasks import tools as t
from codeact_verify.bench.tasks.model import ANSWERS, Fact, Task, call, near


def _monthly_revenue() -> list[Fact]:
    by_month: dict[str, float] = {}
    for o in t.list_orders(status="shipped"):
        if o["date"] < "2024-04-01":
            price = t.get_product(o["product_id"])["unit_price"]
            by_month[o["date"][:7]] = by_month.get(o["date"][:7], 0.0) + price * o["quantity"]
    return [round(by_month[m], 2) for m in sorted(by_month)]


def _frequent_customers() -> list[Fact]:
    counts = Counter(o["customer_id"] for o in t.list_orders(since="2024-01-01"))
    return [t.get_customer(cid)["name"] for cid, n in counts.items() if n >= 4]


def _return_rate() -> list[Fact]:
    done: Counter[str] = Counter()
    returned: Counter[str] = Counter()
    for o in t.list_orders():
        if o["status"] in ("shipped", "returned"):
            category = t.get_product(o["product_id"])["category"]
            done[category] += 1
            returned[category] += o["status"] == "returned"
    return [round(100 * returned[c] / done[c], 1) for c in sorted(done) if returned[c]]


def _gold_ticket_priorities() -> list[Fact]:
    counts: Counter[str] = Counter()
    for c in t.find_customers(tier="gold"):
        counts.update(x["priority"] for x in t.list_tickets(c["customer_id"], status="open"))
    return [near(p, counts[p]) for p in ("high", "medium", "low")]


def _office_price_list() -> list[Fact]:
    eur, jpy = t.get_exchange_rate("USD", "EUR"), t.get_exchange_rate("USD", "JPY")
    facts: list[Fact] = []
    for p in t.search_products(category="office"):
        facts += [p["name"], round(p["unit_price"] * eur, 2), round(p["unit_price"] * jpy)]
    return facts


def _supplier_catalog() -> list[Fact]:
    facts: list[Fact] = []
    products = t.search_products()
    for sid in sorted({p["supplier_id"] for p in products}):
        s = t.get_supplier(sid)
        prices = [p["unit_price"] for p in products if p["supplier_id"] == sid]
        rate = t.get_exchange_rate("USD", s["currency"])
        facts += [s["name"], round(sum(prices) / len(prices) * rate, 2)]
    return facts


TASKS = [
    Task(
        id="monthly-revenue",
        kind="wrangling",
        prompt="What was our revenue from shipped orders in each month of Q1 2024 (January to "
        "March), in USD?",
        solve=_monthly_revenue,
        program="""\
from collections import defaultdict

orders = [o for o in call_tool("list_orders", status="shipped") if o["date"] < "2024-04-01"]
prices = {pid: call_tool("get_product", product_id=pid)["unit_price"]
          for pid in sorted({o["product_id"] for o in orders})}
revenue: defaultdict[str, float] = defaultdict(float)
for o in orders:
    revenue[o["date"][:7]] += prices[o["product_id"]] * o["quantity"]
for month in sorted(revenue):
    print(f"{month}: {revenue[month]:,.2f} USD")
print(f"Q1 total: {sum(revenue.values()):,.2f} USD")
""",
        codeact_answer=ANSWERS["monthly-revenue"],
        classic_turns=(
            (call("list_orders", status="shipped"),),
            (
                call("get_product", product_id="P100"),
                call("get_product", product_id="P104"),
                call("get_product", product_id="P107"),
                call("get_product", product_id="P109"),
                call("get_product", product_id="P103"),
                call("get_product", product_id="P102"),
                call("get_product", product_id="P106"),
                call("get_product", product_id="P110"),
                call("get_product", product_id="P111"),
                call("get_product", product_id="P101"),
                call("get_product", product_id="P108"),
            ),
        ),
        classic_answer=ANSWERS["monthly-revenue"],
    ),
    Task(
        id="frequent-customers",
        kind="wrangling",
        prompt="Which customers placed at least 4 orders (any status) in 2024? Give their names "
        "and order counts.",
        solve=_frequent_customers,
        program="""\
from collections import Counter

counts = Counter(o["customer_id"] for o in call_tool("list_orders", since="2024-01-01"))
for customer_id, n in counts.most_common():
    if n >= 4:
        customer = call_tool("get_customer", customer_id=customer_id)
        print(f"{customer['name']} ({customer_id}, {customer['city']}): {n} orders")
""",
        codeact_answer=ANSWERS["frequent-customers"],
        classic_turns=(
            (call("list_orders", since="2024-01-01"),),
            (
                call("get_customer", customer_id="C001"),
                call("get_customer", customer_id="C003"),
                call("get_customer", customer_id="C004"),
                call("get_customer", customer_id="C006"),
                call("get_customer", customer_id="C009"),
            ),
        ),
        classic_answer=ANSWERS["frequent-customers"],
    ),
    Task(
        id="return-rate-by-category",
        kind="wrangling",
        prompt="What is the return rate per product category (returned orders as a share of "
        "shipped plus returned orders)?",
        solve=_return_rate,
        program="""\
from collections import Counter

orders = [o for o in call_tool("list_orders") if o["status"] in ("shipped", "returned")]
category = {pid: call_tool("get_product", product_id=pid)["category"]
            for pid in sorted({o["product_id"] for o in orders})}
total = Counter(category[o["product_id"]] for o in orders)
returned = Counter(category[o["product_id"]] for o in orders if o["status"] == "returned")
for cat in sorted(total):
    rate = 100 * returned[cat] / total[cat]
    print(f"{cat}: {returned[cat]}/{total[cat]} returned = {rate:.1f}%")
""",
        codeact_answer=ANSWERS["return-rate-by-category"],
        classic_turns=(
            (call("list_orders"),),
            tuple(call("get_product", product_id=f"P{n}") for n in range(100, 112)),
        ),
        classic_answer=ANSWERS["return-rate-by-category"],
    ),
    Task(
        id="gold-ticket-priorities",
        kind="wrangling",
        prompt="How many open support tickets do our gold customers have, broken down by priority?",
        solve=_gold_ticket_priorities,
        program="""\
from collections import Counter

by_priority: Counter[str] = Counter()
for c in call_tool("find_customers", tier="gold"):
    tickets = call_tool("list_tickets", customer_id=c["customer_id"], status="open")
    by_priority.update(t["priority"] for t in tickets)
    print(c["name"], [t["ticket_id"] for t in tickets])
for priority in ("high", "medium", "low"):
    print(f"{priority}: {by_priority[priority]}")
print("total open:", sum(by_priority.values()))
""",
        codeact_answer=ANSWERS["gold-ticket-priorities"],
        classic_turns=(
            (call("find_customers", tier="gold"),),
            (
                call("list_tickets", customer_id="C001", status="open"),
                call("list_tickets", customer_id="C003", status="open"),
                call("list_tickets", customer_id="C006", status="open"),
                call("list_tickets", customer_id="C011", status="open"),
            ),
        ),
        classic_answer=ANSWERS["gold-ticket-priorities"],
    ),
    Task(
        id="office-price-list",
        kind="wrangling",
        prompt="Give me the price list of our office products in EUR (2 decimals) and JPY "
        "(whole yen).",
        solve=_office_price_list,
        program="""\
eur = get_exchange_rate(base="USD", quote="EUR")
jpy = get_exchange_rate(base="USD", quote="JPY")
print("| product | USD | EUR | JPY |")
print("|---|---:|---:|---:|")
for p in search_products(category="office"):
    usd = p["unit_price"]
    print(f"| {p['name']} | {usd:.2f} | {usd * eur:.2f} | {round(usd * jpy)} |")
""",
        codeact_answer=ANSWERS["office-price-list"],
        classic_turns=(
            (
                call("search_products", category="office"),
                call("get_exchange_rate", base="USD", quote="EUR"),
                call("get_exchange_rate", base="USD", quote="JPY"),
            ),
        ),
        classic_answer=ANSWERS["office-price-list"],
    ),
    Task(
        id="supplier-catalog",
        kind="wrangling",
        prompt="For each supplier: how many of our products do they supply, and what is the "
        "average unit price of those products in the supplier's own currency?",
        solve=_supplier_catalog,
        program="""\
from collections import defaultdict

by_supplier: defaultdict[str, list[float]] = defaultdict(list)
for p in call_tool("search_products"):
    by_supplier[p["supplier_id"]].append(p["unit_price"])
for supplier_id in sorted(by_supplier):
    s = call_tool("get_supplier", supplier_id=supplier_id)
    rate = call_tool("get_exchange_rate", base="USD", quote=s["currency"])
    prices = by_supplier[supplier_id]
    avg = sum(prices) / len(prices) * rate
    print(f"{s['name']} ({s['country']}): {len(prices)} products, "
          f"average {avg:,.2f} {s['currency']}")
""",
        codeact_answer=ANSWERS["supplier-catalog"],
        classic_turns=(
            (call("search_products"),),
            (
                call("get_supplier", supplier_id="S1"),
                call("get_supplier", supplier_id="S2"),
                call("get_supplier", supplier_id="S3"),
                call("get_supplier", supplier_id="S4"),
            ),
            (
                call("get_exchange_rate", base="USD", quote="EUR"),
                call("get_exchange_rate", base="USD", quote="GBP"),
                call("get_exchange_rate", base="USD", quote="JPY"),
                call("get_exchange_rate", base="USD", quote="USD"),
            ),
        ),
        classic_answer=ANSWERS["supplier-catalog"],
    ),
]

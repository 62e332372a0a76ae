"""Chained lookups: each step needs the result of the one before."""

from __future__ import annotations

from codeact_verify.bench.tasks import tools as t
from codeact_verify.bench.tasks.model import ANSWERS, Fact, Task, call


def _order_manager() -> list[Fact]:
    customer = t.get_customer(t.get_order("O1017")["customer_id"])
    manager = t.get_employee(customer["account_manager"])
    return [customer["name"], manager["name"], manager["email"]]


def _customer_weather() -> list[Fact]:
    city = t.get_customer("C007")["city"]
    w = t.get_weather(city, "2024-06-14")
    return [city, w["condition"], w["temp_c"]]


def _supplier_price() -> list[Fact]:
    product = t.search_products("Trail Backpack")[0]
    supplier = t.get_supplier(product["supplier_id"])
    rate = t.get_exchange_rate("USD", supplier["currency"])
    return [supplier["name"], supplier["lead_time_days"], round(product["unit_price"] * rate, 2)]


def _order_total_eur() -> list[Fact]:
    order = t.get_order("O1023")
    product = t.get_product(order["product_id"])
    rate = t.get_exchange_rate("USD", "EUR")
    return [product["name"], round(product["unit_price"] * order["quantity"] * rate, 2)]


def _open_tickets_products() -> list[Fact]:
    customer = next(c for c in t.find_customers() if c["name"] == "Chen Wei")
    facts: list[Fact] = []
    for ticket in t.list_tickets(customer["customer_id"], status="open"):
        facts += [ticket["ticket_id"], t.get_product(ticket["product_id"])["name"]]
    return facts


TASKS = [
    Task(
        id="order-manager",
        kind="lookup",
        prompt="Who placed order O1017, who is that customer's account manager, and what is the "
        "manager's email address?",
        solve=_order_manager,
        program="""\
order = call_tool("get_order", order_id="O1017")
customer = call_tool("get_customer", customer_id=order["customer_id"])
manager = call_tool("get_employee", employee_id=customer["account_manager"])
print(f"Customer: {customer['name']} ({customer['customer_id']})")
print(f"Account manager: {manager['name']} <{manager['email']}>")
""",
        codeact_answer=ANSWERS["order-manager"],
        classic_turns=(
            (call("get_order", order_id="O1017"),),
            (call("get_customer", customer_id="C012"),),
            (call("get_employee", employee_id="E02"),),
        ),
        classic_answer=ANSWERS["order-manager"],
    ),
    Task(
        id="customer-weather",
        kind="lookup",
        prompt="Customer C007 is expecting a delivery on 2024-06-14. What is the weather forecast "
        "for their city on that day?",
        solve=_customer_weather,
        program="""\
customer = call_tool("get_customer", customer_id="C007")
weather = call_tool("get_weather", city=customer["city"], date="2024-06-14")
print(customer["name"], "lives in", customer["city"])
print(f"Forecast for 2024-06-14: {weather['condition']}, {weather['temp_c']} °C, "
      f"{weather['precipitation_mm']} mm precipitation")
""",
        codeact_answer=ANSWERS["customer-weather"],
        classic_turns=(
            (call("get_customer", customer_id="C007"),),
            (call("get_weather", city="Stockholm", date="2024-06-14"),),
        ),
        classic_answer=ANSWERS["customer-weather"],
    ),
    Task(
        id="supplier-price",
        kind="lookup",
        prompt="Who supplies the Trail Backpack, what is their lead time, and what is the "
        "backpack's unit price in the supplier's own currency?",
        solve=_supplier_price,
        program="""\
product = call_tool("search_products", query="Trail Backpack")[0]
supplier = call_tool("get_supplier", supplier_id=product["supplier_id"])
rate = call_tool("get_exchange_rate", base="USD", quote=supplier["currency"])
local_price = round(product["unit_price"] * rate, 2)
print(f"{product['name']} ({product['product_id']}): {product['unit_price']} USD")
print(f"Supplier: {supplier['name']}, {supplier['country']}, lead time "
      f"{supplier['lead_time_days']} days")
print(f"Price in {supplier['currency']}: {local_price}")
""",
        codeact_answer=ANSWERS["supplier-price"],
        classic_turns=(
            (call("search_products", query="Trail Backpack"),),
            (call("get_supplier", supplier_id="S1"),),
            (call("get_exchange_rate", base="USD", quote="EUR"),),
        ),
        classic_answer=ANSWERS["supplier-price"],
    ),
    Task(
        id="order-total-eur",
        kind="lookup",
        prompt="What product was in order O1023, and what did the order cost in EUR?",
        solve=_order_total_eur,
        program="""\
order = get_order(order_id="O1023")
product = get_product(product_id=order["product_id"])
rate = get_exchange_rate(base="USD", quote="EUR")
total_usd = product["unit_price"] * order["quantity"]
print(f"{order['quantity']} x {product['name']} = {total_usd:.2f} USD "
      f"= {total_usd * rate:.2f} EUR (rate {rate})")
""",
        codeact_answer=ANSWERS["order-total-eur"],
        classic_turns=(
            (call("get_order", order_id="O1023"),),
            (
                call("get_product", product_id="P102"),
                call("get_exchange_rate", base="USD", quote="EUR"),
            ),
        ),
        classic_answer=ANSWERS["order-total-eur"],
    ),
    Task(
        id="open-tickets-products",
        kind="lookup",
        prompt="List Chen Wei's open support tickets, with the name of the product each one is "
        "about.",
        solve=_open_tickets_products,
        program="""\
matches = [c for c in call_tool("find_customers") if c["name"] == "Chen Wei"]
customer = matches[0]
tickets = call_tool("list_tickets", customer_id=customer["customer_id"], status="open")
for ticket in tickets:
    product = call_tool("get_product", product_id=ticket["product_id"])
    print(f"{ticket['ticket_id']} ({ticket['priority']}, opened {ticket['opened']}): "
          f"{ticket['subject']} -- {product['name']}")
""",
        codeact_answer=ANSWERS["open-tickets-products"],
        classic_turns=(
            (call("find_customers"),),
            (call("list_tickets", customer_id="C003", status="open"),),
            (
                call("get_product", product_id="P100"),
                call("get_product", product_id="P107"),
                call("get_product", product_id="P110"),
            ),
        ),
        classic_answer=ANSWERS["open-tickets-products"],
    ),
]

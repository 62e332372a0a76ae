"""The fixed tool set of the agent benchmark: a small retail company with deterministic fake data.

Every tool is a plain typed function with a docstring; structured results are TypedDicts, so the
typed stubs the model sees (and the verifier checks against) say exactly what each tool returns.
The data never changes between runs: tasks can state their expected answers.
``send_email`` is the one tool with a side effect; it appends to ``OUTBOX`` (see
``reset_outbox``), which lets the benchmark count duplicate side effects.
"""

import hashlib
from typing import TypedDict


class Customer(TypedDict):
    customer_id: str
    name: str
    email: str
    city: str
    tier: str
    signup_date: str
    account_manager: str


class Product(TypedDict):
    product_id: str
    name: str
    category: str
    unit_price: float
    supplier_id: str
    weight_kg: float


class Order(TypedDict):
    order_id: str
    customer_id: str
    product_id: str
    quantity: int
    date: str
    status: str
    warehouse: str


class StockLevel(TypedDict):
    warehouse: str
    on_hand: int
    reorder_level: int


class Supplier(TypedDict):
    supplier_id: str
    name: str
    country: str
    currency: str
    lead_time_days: int


class Weather(TypedDict):
    city: str
    date: str
    temp_c: float
    condition: str
    precipitation_mm: float


class Employee(TypedDict):
    employee_id: str
    name: str
    email: str
    department: str
    city: str


class Ticket(TypedDict):
    ticket_id: str
    customer_id: str
    product_id: str
    opened: str
    priority: str
    status: str
    subject: str


class EmailReceipt(TypedDict):
    message_id: str
    to: str
    status: str


_CUSTOMERS: list[Customer] = [
    {
        "customer_id": "C001",
        "name": "Ada Fischer",
        "email": "ada.fischer@example.com",
        "city": "Berlin",
        "tier": "gold",
        "signup_date": "2021-03-14",
        "account_manager": "E01",
    },
    {
        "customer_id": "C002",
        "name": "Bruno Costa",
        "email": "bruno.costa@example.com",
        "city": "Lisbon",
        "tier": "silver",
        "signup_date": "2022-07-02",
        "account_manager": "E02",
    },
    {
        "customer_id": "C003",
        "name": "Chen Wei",
        "email": "chen.wei@example.com",
        "city": "Osaka",
        "tier": "gold",
        "signup_date": "2020-11-30",
        "account_manager": "E03",
    },
    {
        "customer_id": "C004",
        "name": "Dana Brooks",
        "email": "dana.brooks@example.com",
        "city": "Austin",
        "tier": "silver",
        "signup_date": "2023-01-09",
        "account_manager": "E04",
    },
    {
        "customer_id": "C005",
        "name": "Emeka Obi",
        "email": "emeka.obi@example.com",
        "city": "London",
        "tier": "bronze",
        "signup_date": "2023-05-21",
        "account_manager": "E02",
    },
    {
        "customer_id": "C006",
        "name": "Farah Haddad",
        "email": "farah.haddad@example.com",
        "city": "Austin",
        "tier": "gold",
        "signup_date": "2019-09-17",
        "account_manager": "E04",
    },
    {
        "customer_id": "C007",
        "name": "Gustav Lind",
        "email": "gustav.lind@example.com",
        "city": "Stockholm",
        "tier": "silver",
        "signup_date": "2022-02-11",
        "account_manager": "E01",
    },
    {
        "customer_id": "C008",
        "name": "Hana Sato",
        "email": "hana.sato@example.com",
        "city": "Osaka",
        "tier": "bronze",
        "signup_date": "2024-01-05",
        "account_manager": "E03",
    },
    {
        "customer_id": "C009",
        "name": "Isabel Ruiz",
        "email": "isabel.ruiz@example.com",
        "city": "Austin",
        "tier": "silver",
        "signup_date": "2021-08-28",
        "account_manager": "E04",
    },
    {
        "customer_id": "C010",
        "name": "Jonas Weber",
        "email": "jonas.weber@example.com",
        "city": "Berlin",
        "tier": "silver",
        "signup_date": "2020-04-03",
        "account_manager": "E01",
    },
    {
        "customer_id": "C011",
        "name": "Kofi Mensah",
        "email": "kofi.mensah@example.com",
        "city": "London",
        "tier": "gold",
        "signup_date": "2018-12-12",
        "account_manager": "E02",
    },
    {
        "customer_id": "C012",
        "name": "Lena Novak",
        "email": "lena.novak@example.com",
        "city": "Lisbon",
        "tier": "bronze",
        "signup_date": "2024-03-19",
        "account_manager": "E02",
    },
]

_PRODUCTS: list[Product] = [
    {
        "product_id": "P100",
        "name": "Noise-Cancelling Headphones",
        "category": "electronics",
        "unit_price": 249.0,
        "supplier_id": "S1",
        "weight_kg": 0.4,
    },
    {
        "product_id": "P101",
        "name": "USB-C Dock",
        "category": "electronics",
        "unit_price": 129.5,
        "supplier_id": "S3",
        "weight_kg": 0.6,
    },
    {
        "product_id": "P102",
        "name": "4K Monitor",
        "category": "electronics",
        "unit_price": 399.99,
        "supplier_id": "S3",
        "weight_kg": 6.2,
    },
    {
        "product_id": "P103",
        "name": "Mechanical Keyboard",
        "category": "electronics",
        "unit_price": 89.0,
        "supplier_id": "S1",
        "weight_kg": 1.1,
    },
    {
        "product_id": "P104",
        "name": "Ergonomic Chair",
        "category": "office",
        "unit_price": 319.0,
        "supplier_id": "S2",
        "weight_kg": 17.5,
    },
    {
        "product_id": "P105",
        "name": "Standing Desk",
        "category": "office",
        "unit_price": 549.0,
        "supplier_id": "S2",
        "weight_kg": 32.0,
    },
    {
        "product_id": "P106",
        "name": "Desk Lamp",
        "category": "office",
        "unit_price": 39.9,
        "supplier_id": "S4",
        "weight_kg": 1.3,
    },
    {
        "product_id": "P107",
        "name": "Espresso Machine",
        "category": "kitchen",
        "unit_price": 459.0,
        "supplier_id": "S4",
        "weight_kg": 9.8,
    },
    {
        "product_id": "P108",
        "name": "Chef's Knife",
        "category": "kitchen",
        "unit_price": 74.5,
        "supplier_id": "S2",
        "weight_kg": 0.3,
    },
    {
        "product_id": "P109",
        "name": "Trail Backpack",
        "category": "outdoor",
        "unit_price": 119.0,
        "supplier_id": "S1",
        "weight_kg": 1.4,
    },
    {
        "product_id": "P110",
        "name": "Camping Stove",
        "category": "outdoor",
        "unit_price": 64.0,
        "supplier_id": "S4",
        "weight_kg": 0.9,
    },
    {
        "product_id": "P111",
        "name": "Two-Person Tent",
        "category": "outdoor",
        "unit_price": 210.0,
        "supplier_id": "S1",
        "weight_kg": 2.7,
    },
]

# (order_id, customer, product, quantity, date, status, warehouse)
_ORDER_ROWS: list[tuple[str, str, str, int, str, str, str]] = [
    ("O1001", "C001", "P100", 1, "2024-01-04", "shipped", "Berlin"),
    ("O1002", "C002", "P104", 2, "2024-01-09", "shipped", "Berlin"),
    ("O1003", "C003", "P107", 1, "2024-01-15", "shipped", "Osaka"),
    ("O1004", "C004", "P109", 3, "2024-01-22", "shipped", "Austin"),
    ("O1005", "C006", "P105", 1, "2024-01-30", "returned", "Austin"),
    ("O1006", "C001", "P103", 2, "2024-02-02", "shipped", "Berlin"),
    ("O1007", "C011", "P102", 2, "2024-02-07", "shipped", "Berlin"),
    ("O1008", "C002", "P106", 4, "2024-02-12", "shipped", "Berlin"),
    ("O1009", "C009", "P110", 2, "2024-02-18", "shipped", "Austin"),
    ("O1010", "C003", "P100", 1, "2024-02-25", "returned", "Osaka"),
    ("O1011", "C007", "P111", 1, "2024-03-01", "shipped", "Berlin"),
    ("O1012", "C006", "P101", 3, "2024-03-06", "shipped", "Austin"),
    ("O1013", "C010", "P104", 1, "2024-03-11", "shipped", "Berlin"),
    ("O1014", "C005", "P108", 2, "2024-03-15", "shipped", "Berlin"),
    ("O1015", "C001", "P102", 1, "2024-03-20", "shipped", "Berlin"),
    ("O1016", "C008", "P109", 1, "2024-03-27", "cancelled", "Osaka"),
    ("O1017", "C012", "P107", 1, "2024-04-02", "shipped", "Berlin"),
    ("O1018", "C004", "P103", 1, "2024-04-08", "shipped", "Austin"),
    ("O1019", "C011", "P105", 2, "2024-04-13", "shipped", "Berlin"),
    ("O1020", "C006", "P104", 4, "2024-04-19", "shipped", "Austin"),
    ("O1021", "C002", "P100", 1, "2024-04-24", "returned", "Berlin"),
    ("O1022", "C003", "P110", 2, "2024-05-02", "shipped", "Osaka"),
    ("O1023", "C007", "P102", 1, "2024-05-07", "shipped", "Berlin"),
    ("O1024", "C009", "P106", 6, "2024-05-13", "shipped", "Austin"),
    ("O1025", "C001", "P107", 1, "2024-05-18", "returned", "Berlin"),
    ("O1026", "C010", "P109", 2, "2024-05-24", "shipped", "Berlin"),
    ("O1027", "C006", "P111", 1, "2024-05-29", "shipped", "Austin"),
    ("O1028", "C011", "P101", 1, "2024-06-03", "pending", "Berlin"),
    ("O1029", "C004", "P100", 2, "2024-06-05", "pending", "Austin"),
    ("O1030", "C003", "P105", 1, "2024-06-06", "pending", "Osaka"),
    ("O1031", "C009", "P104", 1, "2024-06-07", "pending", "Austin"),
    ("O1032", "C004", "P108", 3, "2024-06-08", "pending", "Austin"),
    ("O1033", "C001", "P101", 2, "2024-06-09", "pending", "Berlin"),
    ("O1034", "C012", "P110", 1, "2024-06-10", "pending", "Berlin"),
    ("O1035", "C009", "P109", 2, "2024-06-10", "pending", "Austin"),
    ("O1036", "C005", "P103", 1, "2024-06-11", "cancelled", "Berlin"),
]

_ORDERS: list[Order] = [
    {
        "order_id": o,
        "customer_id": c,
        "product_id": p,
        "quantity": q,
        "date": d,
        "status": s,
        "warehouse": w,
    }
    for (o, c, p, q, d, s, w) in _ORDER_ROWS
]

# product -> [(warehouse, on_hand, reorder_level)]
_STOCK: dict[str, list[tuple[str, int, int]]] = {
    "P100": [("Berlin", 42, 20), ("Austin", 12, 15), ("Osaka", 30, 10)],
    "P101": [("Berlin", 8, 10), ("Austin", 25, 10), ("Osaka", 14, 10)],
    "P102": [("Berlin", 16, 8), ("Austin", 9, 8), ("Osaka", 3, 5)],
    "P103": [("Berlin", 60, 25), ("Austin", 44, 25), ("Osaka", 51, 25)],
    "P104": [("Berlin", 11, 6), ("Austin", 4, 6), ("Osaka", 7, 6)],
    "P105": [("Berlin", 5, 4), ("Austin", 6, 4), ("Osaka", 2, 3)],
    "P106": [("Berlin", 120, 40), ("Austin", 95, 40), ("Osaka", 38, 40)],
    "P107": [("Berlin", 9, 5), ("Austin", 7, 5), ("Osaka", 12, 5)],
    "P108": [("Berlin", 33, 15), ("Austin", 14, 15), ("Osaka", 21, 15)],
    "P109": [("Berlin", 27, 12), ("Austin", 19, 12), ("Osaka", 10, 12)],
    "P110": [("Berlin", 18, 10), ("Austin", 22, 10), ("Osaka", 15, 10)],
    "P111": [("Berlin", 13, 6), ("Austin", 8, 6), ("Osaka", 9, 6)],
}

_SUPPLIERS: list[Supplier] = [
    {
        "supplier_id": "S1",
        "name": "Nordlicht GmbH",
        "country": "Germany",
        "currency": "EUR",
        "lead_time_days": 12,
    },
    {
        "supplier_id": "S2",
        "name": "Thames Office Ltd",
        "country": "United Kingdom",
        "currency": "GBP",
        "lead_time_days": 21,
    },
    {
        "supplier_id": "S3",
        "name": "Kansai Devices KK",
        "country": "Japan",
        "currency": "JPY",
        "lead_time_days": 30,
    },
    {
        "supplier_id": "S4",
        "name": "Lone Star Goods Inc",
        "country": "United States",
        "currency": "USD",
        "lead_time_days": 7,
    },
]

# units of each currency per 1 USD
_PER_USD: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 151.2, "SEK": 10.45}

_EMPLOYEES: list[Employee] = [
    {
        "employee_id": "E01",
        "name": "Miriam Vogel",
        "email": "miriam.vogel@corp.example",
        "department": "accounts",
        "city": "Berlin",
    },
    {
        "employee_id": "E02",
        "name": "Oliver Grant",
        "email": "oliver.grant@corp.example",
        "department": "accounts",
        "city": "London",
    },
    {
        "employee_id": "E03",
        "name": "Yuki Tanaka",
        "email": "yuki.tanaka@corp.example",
        "department": "accounts",
        "city": "Osaka",
    },
    {
        "employee_id": "E04",
        "name": "Rosa Jimenez",
        "email": "rosa.jimenez@corp.example",
        "department": "accounts",
        "city": "Austin",
    },
    {
        "employee_id": "E05",
        "name": "Sam Okafor",
        "email": "sam.okafor@corp.example",
        "department": "support",
        "city": "London",
    },
]

_TICKETS: list[Ticket] = [
    {
        "ticket_id": "T-501",
        "customer_id": "C003",
        "product_id": "P100",
        "opened": "2024-03-02",
        "priority": "high",
        "status": "open",
        "subject": "Left ear cup crackles",
    },
    {
        "ticket_id": "T-502",
        "customer_id": "C001",
        "product_id": "P103",
        "opened": "2024-03-09",
        "priority": "low",
        "status": "closed",
        "subject": "Keycap missing",
    },
    {
        "ticket_id": "T-503",
        "customer_id": "C006",
        "product_id": "P105",
        "opened": "2024-02-04",
        "priority": "high",
        "status": "closed",
        "subject": "Desk motor failure",
    },
    {
        "ticket_id": "T-504",
        "customer_id": "C011",
        "product_id": "P102",
        "opened": "2024-04-18",
        "priority": "high",
        "status": "open",
        "subject": "Dead pixels on delivery",
    },
    {
        "ticket_id": "T-505",
        "customer_id": "C003",
        "product_id": "P107",
        "opened": "2024-04-22",
        "priority": "medium",
        "status": "open",
        "subject": "Steam wand weak",
    },
    {
        "ticket_id": "T-506",
        "customer_id": "C002",
        "product_id": "P104",
        "opened": "2024-05-03",
        "priority": "medium",
        "status": "open",
        "subject": "Armrest loose",
    },
    {
        "ticket_id": "T-507",
        "customer_id": "C006",
        "product_id": "P101",
        "opened": "2024-05-11",
        "priority": "low",
        "status": "open",
        "subject": "Dock firmware question",
    },
    {
        "ticket_id": "T-508",
        "customer_id": "C001",
        "product_id": "P102",
        "opened": "2024-05-20",
        "priority": "high",
        "status": "open",
        "subject": "Monitor will not wake",
    },
    {
        "ticket_id": "T-509",
        "customer_id": "C009",
        "product_id": "P110",
        "opened": "2024-05-27",
        "priority": "medium",
        "status": "closed",
        "subject": "Igniter sticks",
    },
    {
        "ticket_id": "T-510",
        "customer_id": "C003",
        "product_id": "P110",
        "opened": "2024-06-01",
        "priority": "low",
        "status": "open",
        "subject": "Missing pot support",
    },
    {
        "ticket_id": "T-511",
        "customer_id": "C011",
        "product_id": "P105",
        "opened": "2024-06-04",
        "priority": "medium",
        "status": "open",
        "subject": "Wobble at full height",
    },
    {
        "ticket_id": "T-512",
        "customer_id": "C004",
        "product_id": "P109",
        "opened": "2024-06-06",
        "priority": "high",
        "status": "open",
        "subject": "Zip broke on first hike",
    },
]

_CITY_COORDS: dict[str, tuple[float, float]] = {
    "Berlin": (52.52, 13.405),
    "Lisbon": (38.722, -9.139),
    "Osaka": (34.694, 135.502),
    "Austin": (30.267, -97.743),
    "London": (51.507, -0.128),
    "Stockholm": (59.329, 18.069),
}

_CONDITIONS = ["sunny", "partly cloudy", "cloudy", "light rain", "rain", "thunderstorm"]

OUTBOX: list[EmailReceipt] = []


def reset_outbox() -> None:
    """Forget every email sent so far (benchmark bookkeeping, not a tool)."""
    OUTBOX.clear()


def get_customer(customer_id: str) -> Customer:
    """Return one customer by id (e.g. "C001"): name, email, city, tier, account manager id."""
    for c in _CUSTOMERS:
        if c["customer_id"] == customer_id:
            return Customer(**c)
    raise ValueError(f"no customer {customer_id!r}")


def find_customers(city: str | None = None, tier: str | None = None) -> list[Customer]:
    """List customers, optionally only those in a city and/or of a tier (gold, silver, bronze)."""
    return [
        Customer(**c)
        for c in _CUSTOMERS
        if (city is None or c["city"] == city) and (tier is None or c["tier"] == tier)
    ]


def get_order(order_id: str) -> Order:
    """Return one order by id (e.g. "O1001"): customer, product, quantity, date, status."""
    for o in _ORDERS:
        if o["order_id"] == order_id:
            return Order(**o)
    raise ValueError(f"no order {order_id!r}")


def list_orders(
    customer_id: str | None = None,
    status: str | None = None,
    product_id: str | None = None,
    since: str | None = None,
) -> list[Order]:
    """List orders, filtered by customer, status (shipped, pending, returned, cancelled),
    product, and/or date (ISO "YYYY-MM-DD", inclusive). Orders carry no prices: use get_product."""
    return [
        Order(**o)
        for o in _ORDERS
        if (customer_id is None or o["customer_id"] == customer_id)
        and (status is None or o["status"] == status)
        and (product_id is None or o["product_id"] == product_id)
        and (since is None or o["date"] >= since)
    ]


def get_product(product_id: str) -> Product:
    """Return one product by id (e.g. "P100"): name, category, unit price in USD, supplier."""
    for p in _PRODUCTS:
        if p["product_id"] == product_id:
            return Product(**p)
    raise ValueError(f"no product {product_id!r}")


def search_products(query: str = "", category: str | None = None) -> list[Product]:
    """Find products whose name contains query (case-insensitive; "" matches all), optionally
    in one category (electronics, office, kitchen, outdoor)."""
    q = query.lower()
    return [
        Product(**p)
        for p in _PRODUCTS
        if q in p["name"].lower() and (category is None or p["category"] == category)
    ]


def get_stock(product_id: str) -> list[StockLevel]:
    """Stock of a product in each warehouse: units on hand and the reorder level."""
    if product_id not in _STOCK:
        raise ValueError(f"no product {product_id!r}")
    return [StockLevel(warehouse=w, on_hand=n, reorder_level=r) for w, n, r in _STOCK[product_id]]


def get_supplier(supplier_id: str) -> Supplier:
    """Return one supplier by id (e.g. "S1"): name, country, invoicing currency, lead time."""
    for s in _SUPPLIERS:
        if s["supplier_id"] == supplier_id:
            return Supplier(**s)
    raise ValueError(f"no supplier {supplier_id!r}")


def get_exchange_rate(base: str, quote: str) -> float:
    """How many units of the quote currency one unit of the base currency buys (e.g. USD->EUR)."""
    if base not in _PER_USD or quote not in _PER_USD:
        raise ValueError(f"unknown currency pair {base}/{quote}")
    return round(_PER_USD[quote] / _PER_USD[base], 6)


def get_weather(city: str, date: str) -> Weather:
    """Weather forecast for a city on a date (ISO "YYYY-MM-DD"): temperature, condition, rain."""
    if city not in _CITY_COORDS:
        raise ValueError(f"no forecast for {city!r}")
    h = hashlib.sha256(f"{city}|{date}".encode()).digest()
    condition = _CONDITIONS[h[0] % len(_CONDITIONS)]
    rainy = condition in ("light rain", "rain", "thunderstorm")
    precipitation = round((h[1] % 150) / 10 + (2.0 if condition != "light rain" else 0.0), 1)
    return Weather(
        city=city,
        date=date,
        temp_c=round(12 + (h[2] % 180) / 10, 1),
        condition=condition,
        precipitation_mm=precipitation if rainy else 0.0,
    )


def get_employee(employee_id: str) -> Employee:
    """Return one employee by id (e.g. "E01"): name, email, department, city."""
    for e in _EMPLOYEES:
        if e["employee_id"] == employee_id:
            return Employee(**e)
    raise ValueError(f"no employee {employee_id!r}")


def list_tickets(customer_id: str | None = None, status: str | None = None) -> list[Ticket]:
    """List support tickets, optionally for one customer and/or with a status (open, closed)."""
    return [
        Ticket(**t)
        for t in _TICKETS
        if (customer_id is None or t["customer_id"] == customer_id)
        and (status is None or t["status"] == status)
    ]


def get_distance_km(origin: str, destination: str) -> float:
    """Great-circle distance in km between two cities we ship from or to."""
    import math

    for city in (origin, destination):
        if city not in _CITY_COORDS:
            raise ValueError(f"unknown city {city!r}")
    (la1, lo1), (la2, lo2) = _CITY_COORDS[origin], _CITY_COORDS[destination]
    p1, p2 = math.radians(la1), math.radians(la2)
    dp, dl = p2 - p1, math.radians(lo2 - lo1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(a)), 1)


def send_email(to: str, subject: str, body: str) -> EmailReceipt:
    """Send an email (queued for delivery). Returns a receipt with the message id."""
    if "@" not in to:
        raise ValueError(f"not an email address: {to!r}")
    digest = hashlib.sha256(f"{to}|{subject}|{len(OUTBOX)}".encode()).hexdigest()[:10]
    receipt = EmailReceipt(message_id=f"msg-{digest}", to=to, status="queued")
    OUTBOX.append(receipt)
    return receipt


TOOLS = [
    get_customer,
    find_customers,
    get_order,
    list_orders,
    get_product,
    search_products,
    get_stock,
    get_supplier,
    get_exchange_rate,
    get_weather,
    get_employee,
    list_tickets,
    get_distance_km,
    send_email,
]
"""The fixed tool set, in the order the model sees it."""

"""Tools annotated loosely, the way framework samples and cookbooks annotate them.

`dict`, `dict[str, Any]`, `dict[str, float | str]` (the reference provider's own example tool),
`list[dict]`, `X | None` results, a pydantic model, TypedDicts, a str-valued Enum parameter and
`Literal` parameters. Deterministic: every answer is computed from the arguments.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal, TypedDict

from pydantic import BaseModel

_TEMPS = {"Seattle": 11.5, "Amsterdam": 9.0, "Paris": 14.25, "Oslo": -2.5, "Cairo": 31.0}
_CONDITIONS = {"Seattle": "rain", "Amsterdam": "cloudy", "Paris": "sunny", "Oslo": "snow"}


def get_weather(city: str) -> dict[str, float | str]:
    """Current weather for a city: temperature_c (float), conditions (str), city (str)."""
    return {
        "city": city,
        "temperature_c": _TEMPS.get(city, 20.0),
        "conditions": _CONDITIONS.get(city, "clear"),
    }


def get_forecast(city: str, days: int = 3) -> list[dict]:
    """Daily forecast: a list of {"day": int, "high_c": float, "low_c": float}."""
    base = _TEMPS.get(city, 20.0)
    return [
        {"day": d + 1, "high_c": base + d * 1.5, "low_c": base - 4 + d * 0.5} for d in range(days)
    ]


def get_exchange_rate(base: str, quote: str) -> dict[str, float | str]:
    """Exchange rate: {"base": str, "quote": str, "rate": float}."""
    rates = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 151.0, "CHF": 0.88}
    return {"base": base, "quote": quote, "rate": round(rates[quote] / rates[base], 6)}


def convert(amount: float, from_currency: str, to_currency: str) -> float:
    """Convert an amount between currencies."""
    rate = get_exchange_rate(from_currency, to_currency)["rate"]
    assert isinstance(rate, float)
    return round(amount * rate, 2)


_PRODUCTS: list[dict[str, Any]] = [
    {"sku": "B-100", "name": "Python Tricks", "category": "books", "price": 29.5, "rating": 4.6},
    {"sku": "B-200", "name": "Fluent Python", "category": "books", "price": 54.0, "rating": 4.8},
    {"sku": "E-300", "name": "USB-C Hub", "category": "electronics", "price": 39.99, "rating": 4.1},
    {"sku": "E-400", "name": "Headphones", "category": "electronics", "price": 129.0, "rating": 4.4},
    {"sku": "G-500", "name": "Hose Reel", "category": "garden", "price": 45.0, "rating": 3.9},
]


def search_products(
    query: str,
    category: Literal["books", "electronics", "garden"] | None = None,
    max_results: int = 5,
) -> list[dict[str, Any]]:
    """Products matching a query (empty query: all), optionally in one category."""
    q = query.lower()
    found = [
        dict(p)
        for p in _PRODUCTS
        if (not q or q in p["name"].lower() or q in p["category"])
        and (category is None or p["category"] == category)
    ]
    return found[:max_results]


class Warehouse(str, Enum):
    CENTRAL = "central"
    EAST = "east"
    WEST = "west"


def check_inventory(sku: str, warehouse: Warehouse = Warehouse.CENTRAL) -> int:
    """Units of a SKU in stock at a warehouse."""
    assert isinstance(warehouse, Warehouse)  # the model passes values, the tool gets members
    return (sum(map(ord, sku)) * (1 + list(Warehouse).index(warehouse))) % 17


class Order(BaseModel):
    """An order."""

    id: str
    status: Literal["open", "shipped", "cancelled"]
    total: float
    items: list[str]


def get_order(order_id: str) -> Order:
    """An order by id."""
    n = int(order_id.removeprefix("A")) if order_id.removeprefix("A").isdigit() else 0
    statuses: list[Literal["open", "shipped", "cancelled"]] = ["open", "shipped", "cancelled"]
    return Order(
        id=order_id,
        status=statuses[n % 3],
        total=round(19.99 * (n % 4 + 1), 2),
        items=[f"item-{i}" for i in range(n % 3 + 1)],
    )


class User(TypedDict):
    name: str
    email: str
    country: str
    vip: bool


_USERS: list[User] = [
    {"name": "Ada", "email": "ada@example.com", "country": "UK", "vip": True},
    {"name": "Grace", "email": "grace@example.com", "country": "US", "vip": False},
    {"name": "Linus", "email": "linus@example.com", "country": "FI", "vip": False},
    {"name": "Guido", "email": "guido@example.com", "country": "NL", "vip": True},
]


def find_user(email: str) -> User | None:
    """The user with this email, or None when there is none."""
    return next((u for u in _USERS if u["email"] == email), None)


def list_users(country: str | None = None) -> list[User]:
    """All users, or those of one country."""
    return [u for u in _USERS if country is None or u["country"] == country]


def get_stock_price(symbol: str) -> float | None:
    """Last price of a stock, or None for an unknown symbol."""
    return {"AAPL": 189.5, "MSFT": 410.25, "NVDA": 880.0}.get(symbol)


def get_metadata(key: str) -> dict:
    """Metadata for a key: {"key": str, "tags": list[str], "size": int}."""
    return {"key": key, "tags": sorted(set(key.split("-"))), "size": len(key) * 10}


def get_config() -> dict[str, Any]:
    """The service configuration."""
    return {"region": "eu-west", "retries": 3, "timeout_s": 2.5, "features": ["a", "b"]}


def send_report(to: str, subject: str, body: str) -> str:
    """Send a report by email; returns a confirmation."""
    return f"sent {subject!r} to {to} ({len(body)} chars)"

"""A realistic tool set for the CodeAct corpus: typed functions with deterministic fake data.

Every public top-level function here is a tool (this is the file the CLI's ``--tools`` loads).
Results depend only on the arguments, so corpus programs have reproducible output.
"""

from __future__ import annotations

import hashlib
from typing import Literal, TypedDict


class Weather(TypedDict):
    city: str
    temperature: float
    units: str
    conditions: str
    humidity: int


class DayForecast(TypedDict):
    date: str
    high: float
    low: float
    conditions: str


class Flight(TypedDict):
    flight_number: str
    origin: str
    destination: str
    date: str
    departure: str
    price: float
    stops: int


class User(TypedDict):
    user_id: int
    name: str
    email: str
    country: str
    vip: bool


class Order(TypedDict):
    order_id: int
    customer_id: int
    status: str
    total: float
    items: list[str]
    created: str


class Product(TypedDict):
    sku: str
    name: str
    price: float
    rating: float


class Article(TypedDict):
    title: str
    source: str
    published: str
    url: str


class Ticket(TypedDict):
    ticket_id: str
    title: str
    priority: str
    assignee: str | None


class Location(TypedDict):
    address: str
    lat: float
    lon: float


_CITIES = {
    "paris": 14.0,
    "london": 11.5,
    "tokyo": 18.2,
    "new york": 12.7,
    "sydney": 21.3,
    "berlin": 9.8,
    "madrid": 17.4,
    "cairo": 26.1,
}
_CONDITIONS = ("sunny", "cloudy", "rain", "windy", "snow")
_RATES_TO_USD = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "JPY": 0.0067,
    "CHF": 1.13,
    "AUD": 0.66,
    "CAD": 0.73,
}
_STOCKS = {"AAPL": 189.5, "MSFT": 411.2, "GOOG": 142.8, "AMZN": 178.3, "NVDA": 875.0}
_SKUS = {"SKU-100": 42, "SKU-200": 0, "SKU-300": 7, "SKU-400": 150}


def _n(*parts: object) -> int:
    """A stable integer derived from the arguments (the fake data's seed)."""
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big")


def get_weather(city: str, units: Literal["c", "f"] = "c") -> Weather:
    """Current weather for a city. Raises ValueError for an unknown city."""
    key = city.strip().lower()
    if key not in _CITIES:
        raise ValueError(f"unknown city: {city}")
    temp_c = _CITIES[key]
    temperature = temp_c if units == "c" else round(temp_c * 9 / 5 + 32, 1)
    return {
        "city": city,
        "temperature": temperature,
        "units": units,
        "conditions": _CONDITIONS[_n(key) % len(_CONDITIONS)],
        "humidity": 40 + _n(key, "h") % 50,
    }


def get_forecast(city: str, days: int = 3) -> list[DayForecast]:
    """Daily forecast for the next `days` days (1..7), dates as YYYY-MM-DD."""
    key = city.strip().lower()
    if key not in _CITIES:
        raise ValueError(f"unknown city: {city}")
    if not 1 <= days <= 7:
        raise ValueError("days must be between 1 and 7")
    base = _CITIES[key]
    out: list[DayForecast] = []
    for d in range(days):
        swing = (_n(key, d) % 60) / 10 - 3
        out.append(
            {
                "date": f"2024-06-{d + 1:02d}",
                "high": round(base + 4 + swing, 1),
                "low": round(base - 4 + swing, 1),
                "conditions": _CONDITIONS[_n(key, d, "c") % len(_CONDITIONS)],
            }
        )
    return out


def get_exchange_rate(base: str, quote: str) -> float:
    """How many units of `quote` one unit of `base` buys (ISO currency codes)."""
    b, q = base.upper(), quote.upper()
    if b not in _RATES_TO_USD or q not in _RATES_TO_USD:
        raise ValueError(f"unsupported currency pair: {base}/{quote}")
    return round(_RATES_TO_USD[b] / _RATES_TO_USD[q], 6)


def search_flights(origin: str, destination: str, date: str) -> list[Flight]:
    """Flights from `origin` to `destination` (IATA codes) on `date` (YYYY-MM-DD)."""
    if origin.upper() == destination.upper():
        raise ValueError("origin and destination must differ")
    flights: list[Flight] = []
    for i in range(2 + _n(origin, destination) % 3):
        seed = _n(origin, destination, date, i)
        flights.append(
            {
                "flight_number": f"{origin.upper()[:2]}{100 + seed % 900}",
                "origin": origin.upper(),
                "destination": destination.upper(),
                "date": date,
                "departure": f"{6 + seed % 14:02d}:{(seed // 7) % 4 * 15:02d}",
                "price": float(120 + seed % 600),
                "stops": seed % 3,
            }
        )
    return flights


def get_stock_price(symbol: str) -> float:
    """Last traded price of a stock symbol. Raises KeyError for an unknown symbol."""
    s = symbol.upper()
    if s not in _STOCKS:
        raise KeyError(f"unknown symbol: {symbol}")
    return _STOCKS[s]


def lookup_user(user_id: int) -> User | None:
    """The user with this id, or None if there is no such user (ids 1..50 exist)."""
    if not 1 <= user_id <= 50:
        return None
    countries = ("FR", "GB", "JP", "US", "DE")
    return {
        "user_id": user_id,
        "name": f"User {user_id}",
        "email": f"user{user_id}@example.com",
        "country": countries[user_id % len(countries)],
        "vip": user_id % 7 == 0,
    }


def send_email(to: str, subject: str, body: str) -> bool:
    """Send an email; returns True when it was queued (fake: never sends anything)."""
    return "@" in to and bool(subject)


def list_orders(customer_id: int, status: str | None = None) -> list[Order]:
    """Orders of a customer, optionally filtered by status (pending, shipped, delivered)."""
    statuses = ("pending", "shipped", "delivered")
    orders: list[Order] = []
    for i in range(1 + _n(customer_id) % 5):
        seed = _n(customer_id, i)
        order: Order = {
            "order_id": customer_id * 100 + i,
            "customer_id": customer_id,
            "status": statuses[seed % 3],
            "total": round(10 + (seed % 50000) / 100, 2),
            "items": [f"SKU-{100 * (1 + (seed >> k) % 4)}" for k in range(1 + seed % 3)],
            "created": f"2024-05-{1 + seed % 28:02d}",
        }
        if status is None or order["status"] == status:
            orders.append(order)
    return orders


def search_products(query: str, max_results: int = 10) -> list[Product]:
    """Products matching a query, best match first."""
    n = min(max_results, 1 + _n(query) % 6)
    return [
        {
            "sku": f"SKU-{100 * (1 + _n(query, i) % 4)}",
            "name": f"{query.title()} {chr(65 + i)}",
            "price": round(5 + (_n(query, i, "p") % 20000) / 100, 2),
            "rating": round(1 + (_n(query, i, "r") % 40) / 10, 1),
        }
        for i in range(n)
    ]


def get_inventory(sku: str) -> int:
    """Units in stock for a SKU. Raises ValueError for an unknown SKU."""
    if sku not in _SKUS:
        raise ValueError(f"unknown sku: {sku}")
    return _SKUS[sku]


def convert_units(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between km, mi, m, ft, kg and lb."""
    to_si = {"km": 1000.0, "mi": 1609.344, "m": 1.0, "ft": 0.3048, "kg": 1.0, "lb": 0.45359237}
    if from_unit not in to_si or to_unit not in to_si:
        raise ValueError(f"cannot convert {from_unit} to {to_unit}")
    return value * to_si[from_unit] / to_si[to_unit]


def get_news(topic: str, limit: int = 5) -> list[Article]:
    """Recent headlines about a topic, newest first."""
    sources = ("Reuters", "AP", "BBC", "Le Monde")
    return [
        {
            "title": f"{topic.capitalize()} update #{i + 1}",
            "source": sources[_n(topic, i) % len(sources)],
            "published": f"2024-06-{28 - i:02d}T{8 + i:02d}:00:00",
            "url": f"https://news.example.com/{topic.lower().replace(' ', '-')}/{i + 1}",
        }
        for i in range(max(0, min(limit, 10)))
    ]


def create_ticket(
    title: str, priority: Literal["low", "medium", "high"], assignee: str | None = None
) -> Ticket:
    """Open a support ticket and return it."""
    return {
        "ticket_id": f"T-{_n(title) % 100000:05d}",
        "title": title,
        "priority": priority,
        "assignee": assignee,
    }


def geocode(address: str) -> Location:
    """Latitude and longitude of an address."""
    seed = _n(address)
    return {
        "address": address,
        "lat": round(-60 + (seed % 12000) / 100, 4),
        "lon": round(-180 + ((seed >> 8) % 36000) / 100, 4),
    }


def translate(text: str, target_lang: str) -> str:
    """Translate text (fake: tags the text with the target language)."""
    return f"[{target_lang}] {text}"

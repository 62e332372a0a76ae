"""The tools fuzzed programs call: deterministic, side-effect free (except ``send_message``,
which only records), small. A copy of the corpus tools' shapes, kept inside the package so a
campaign runs from an installed wheel.
"""

from __future__ import annotations

from typing import Literal, TypedDict

_CITIES = {"paris": 14.0, "london": 11.5, "tokyo": 18.2, "cairo": 26.1}
_RATES = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067}
SENT: list[dict[str, str]] = []


class Weather(TypedDict):
    city: str
    temperature: float
    conditions: str


class User(TypedDict):
    user_id: int
    name: str
    vip: bool


def get_weather(city: str, units: Literal["c", "f"] = "c") -> Weather:
    """Current weather for a city; ValueError for an unknown city."""
    key = city.lower()
    if key not in _CITIES:
        raise ValueError(f"unknown city: {city}")
    t = _CITIES[key] if units == "c" else round(_CITIES[key] * 9 / 5 + 32, 1)
    return {"city": city, "temperature": t, "conditions": ("sunny", "rain")[len(key) % 2]}


def get_exchange_rate(base: str, quote: str) -> float:
    """Units of `quote` per unit of `base`."""
    if base not in _RATES or quote not in _RATES:
        raise ValueError(f"unsupported pair {base}/{quote}")
    return round(_RATES[base] / _RATES[quote], 6)


def lookup_user(user_id: int) -> User | None:
    """A user, or None for ids outside 1..20."""
    if not 1 <= user_id <= 20:
        return None
    return {"user_id": user_id, "name": f"user{user_id}", "vip": user_id % 5 == 0}


def list_scores(n: int) -> list[int]:
    """`n` deterministic scores (0 <= n <= 50)."""
    if not 0 <= n <= 50:
        raise ValueError("n must be in 0..50")
    return [(i * 37 + 11) % 100 for i in range(n)]


def echo(text: str) -> str:
    """Return the text unchanged (lets a program hand any string to the host)."""
    return text


def send_message(to: str, body: str) -> bool:
    """Record a message (a tool with a side effect)."""
    SENT.append({"to": to, "body": body})
    return True


PURE_TOOLS = ("get_weather", "get_exchange_rate", "lookup_user", "list_scores", "echo")
EFFECT_TOOLS = ("send_message",)
TOOLS = (get_weather, get_exchange_rate, lookup_user, list_scores, echo, send_message)

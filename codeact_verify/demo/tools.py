"""Tools for the demo, with deterministic fake data (no network).

`get_weather` is the reference example's tool; the other five make a set of six typical tools
(str/int/float/TypedDict/optional parameters and results) for measuring the instructions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypedDict

_KNOWN: dict[str, tuple[float, float, str]] = {
    # city: (temperature °C, humidity %, conditions)
    "seattle": (11.0, 82.0, "light rain"),
    "amsterdam": (9.0, 87.0, "overcast"),
    "london": (12.0, 76.0, "cloudy"),
    "paris": (15.0, 64.0, "sunny"),
    "tokyo": (18.0, 58.0, "clear"),
}
_CONDITIONS = ("sunny", "cloudy", "overcast", "light rain", "clear", "windy")


class Weather(TypedDict):
    city: str
    temperature_c: float
    humidity: float
    conditions: str


class DayForecast(TypedDict):
    day: int
    high_c: float
    low_c: float
    conditions: str


class Place(TypedDict):
    name: str
    city: str
    rating: float


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.lower().encode()).digest()[:4], "big")


def _weather(city: str) -> tuple[float, float, str]:
    known = _KNOWN.get(city.strip().lower())
    if known is not None:
        return known
    seed = _seed(city)
    return (float(seed % 30), float(40 + seed % 50), _CONDITIONS[seed % len(_CONDITIONS)])


def get_weather(city: str) -> Weather:
    """Current weather for a city: temperature in °C, relative humidity in %, conditions."""
    if not city.strip():
        raise ValueError("city must not be empty")
    temperature, humidity, conditions = _weather(city)
    return {
        "city": city.strip().title(),
        "temperature_c": temperature,
        "humidity": humidity,
        "conditions": conditions,
    }


def get_forecast(city: str, days: int = 3) -> list[DayForecast]:
    """Daily forecast for the next `days` days (1 to 7)."""
    if not 1 <= days <= 7:
        raise ValueError("days must be between 1 and 7")
    temperature, _, _ = _weather(city)
    seed = _seed(city)
    return [
        {
            "day": i + 1,
            "high_c": temperature + (seed >> i) % 5,
            "low_c": temperature - 3 - (seed >> (i + 3)) % 4,
            "conditions": _CONDITIONS[(seed >> i) % len(_CONDITIONS)],
        }
        for i in range(days)
    ]


def convert_temperature(value: float, to_unit: str = "F") -> float:
    """Convert a Celsius temperature to "F" (Fahrenheit) or "K" (Kelvin)."""
    if to_unit == "F":
        return round(value * 9 / 5 + 32, 1)
    if to_unit == "K":
        return round(value + 273.15, 2)
    raise ValueError('to_unit must be "F" or "K"')


def search_places(query: str, city: str | None = None, limit: int = 3) -> list[Place]:
    """Places matching a query, optionally in one city, best rated first."""
    where = city or "Seattle"
    seed = _seed(query + where)
    places: list[Place] = [
        {
            "name": f"{query.title()} {n}",
            "city": where,
            "rating": round(3 + ((seed >> n) % 20) / 10, 1),
        }
        for n in range(1, 6)
    ]
    places.sort(key=lambda p: -p["rating"])
    return places[: max(0, limit)]


def local_time(city: str) -> str:
    """Local time in a city as "HH:MM" (fixed for the demo)."""
    seed = _seed(city)
    return f"{seed % 24:02d}:{seed % 60:02d}"


def send_message(to: str, text: str) -> bool:
    """Send a short text message; returns True when it was accepted."""
    return bool(to) and len(text) <= 500


DEMO_TOOLS: list[Callable[..., Any]] = [get_weather]
SIX_TOOLS: list[Callable[..., Any]] = [
    get_weather,
    get_forecast,
    convert_temperature,
    search_places,
    local_time,
    send_message,
]

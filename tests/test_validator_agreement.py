"""The guest's validator never refuses what the host's pydantic validation accepts: the guest
checks first so a bad call fails fast and with a clear message, but a program the host would run
must not be stopped by the guest. One exception, on purpose: pydantic matches `Literal[1]` and
int Enums with Python's `True == 1` and `1.0 == 1`; the guest keeps JSON's distinction and refuses
`true` and `1.0` there (a program that sends them has a type error, which mypy reports).
(The other way round the guest may be more lenient, e.g. on
impossible calendar dates: the host's check is the exact one.)"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import json
import uuid
from typing import Annotated, Any, Literal, NotRequired

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field
from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12

from codeact_verify.guest.runtime.schema import SchemaChecker


class Color(str, enum.Enum):  # noqa: UP042
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Row(TypedDict):
    sku: str
    units: NotRequired[int]


@dataclasses.dataclass
class Box:
    w: int
    label: str = ""


class Item(pydantic.BaseModel):
    name: str
    color: Color = Color.RED
    box: Box | None = None


ANNOTATIONS: list[Any] = [
    int, float, str, bool, int | None, Literal["a", "b", 1], Color, Level, list[int],
    dict[str, int], tuple[int, str], tuple[int, ...], set[str], frozenset[int], datetime.date,
    datetime.datetime, datetime.time, uuid.UUID, decimal.Decimal,
    Annotated[int, Field(ge=0, le=5)], Annotated[float, Field(gt=0, lt=1)],
    Annotated[str, Field(min_length=1, max_length=3, pattern=r"^[a-z]+$")],
    Row, Box, Item, dict[int, str], list[Row], Any, object, dict[str, object],
]

TEXT = st.sampled_from(
    ["", "a", "ab", "abcd", "A", "1", "-3", "red", "blue", "sku", "w", "name", "color",
     "2024-01-02", "2024-02-30", "2024-01-02T03:04:05", "2024-01-02T03:04:05Z", "10:00",
     "10:00:00.5+01:00", "12345678-1234-5678-1234-567812345678", "1.50", "units", "box"]
) | st.text(max_size=4)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10) | st.floats(-2, 2) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize("annotation", ANNOTATIONS, ids=[repr(a)[:40] for a in ANNOTATIONS])
@settings(max_examples=60, deadline=None)
@given(value=JSON)
def test_guest_accepts_whatever_the_host_accepts(annotation: Any, value: Any) -> None:
    adapter = pydantic.TypeAdapter(annotation)
    schema = adapter.json_schema()
    text = json.dumps(value)
    try:
        adapter.validate_json(text, strict=True)
    except pydantic.ValidationError:
        return
    if isinstance(value, bool | float) and any(
        type(v) is int for v in (schema.get("enum") or ())
    ):
        return  # the exception above: `true` or `1.0` for an int Enum/Literal member
    problem = SchemaChecker(schema).error(json.loads(text), schema, "value")
    assert problem is None, (schema, value, problem)


@pytest.mark.parametrize(
    ("annotation", "text"),
    [(datetime.datetime, "1"), (datetime.datetime, "-3"), (datetime.datetime, "1.5"),
     (datetime.datetime, "+1"), (datetime.date, "0"), (datetime.date, "86400")],
)  # fmt: skip
def test_a_timestamp_string_the_host_takes_passes_the_guest(annotation: Any, text: str) -> None:
    # Found by the property above: pydantic reads a numeric string as a Unix timestamp.
    adapter = pydantic.TypeAdapter(annotation)
    adapter.validate_json(json.dumps(text), strict=True)  # the host takes it
    schema = adapter.json_schema()
    assert SchemaChecker(schema).error(text, schema, "value") is None


@pytest.mark.parametrize(
    ("annotation", "text"),
    [(datetime.datetime, "soon"), (datetime.datetime, "1e3"), (datetime.date, "1.5"),
     (datetime.date, "2024-1-2"), (datetime.datetime, "12:00")],
)  # fmt: skip
def test_the_guest_still_refuses_what_is_no_date(annotation: Any, text: str) -> None:
    schema = pydantic.TypeAdapter(annotation).json_schema()
    assert SchemaChecker(schema).error(text, schema, "value") is not None

"""ToolSpec: tools as people write them load, with pydantic's schemas, stubs the model reads and
mypy checks, every description the author wrote, and host-side validation and conversion."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import decimal
import enum
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

import pydantic
import pytest
from agent_framework import FunctionInvocationContext
from pydantic import Field

from codeact_verify.errors import ToolSpecError
from codeact_verify.tools import (
    ToolArgumentError,
    ToolSpec,
    load_tools_file,
    stubs_module,
    to_jsonable,
    tool_specs,
)
from codeact_verify.typecheck import typecheck

sys.path.insert(0, str(Path(__file__).parent / "corpus" / "real_tools"))
from frameworks import (
    InjectedState,
    InjectedStore,
    InjectedToolCallId,
    RunContext,
    RunContextWrapper,
    RunnableConfig,
    ToolContext,
)


class LocalRunContext:  # a RunContext of no framework: a parameter like any other
    pass


LocalRunContext.__name__ = "RunContext"


class Opaque:
    pass


class Weather(TypedDict):
    """Weather now."""

    city: str
    temp_c: float


class Point(pydantic.BaseModel):
    x: int
    y: int = 0


def get_weather(city: str, units: Literal["c", "f"] = "c") -> Weather:
    """Current weather for a city."""
    return {"city": city, "temp_c": 10.0}


async def get_rate(base: str, quote: str, *, when: str | None = None) -> float:
    """Exchange rate."""
    await asyncio.sleep(0)
    return 1.1


def move(name: str, /, p: Point, tags: list[str], meta: dict[str, int]) -> list[Point] | None:
    return None


# -- every annotation in one tool set ---------------------------------------------------------
class Category(str, enum.Enum):  # noqa: UP042 (as tool authors write it)
    BOOKS = "books"
    TOYS = "toys"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class EventType(enum.StrEnum):
    STATE_DELTA = "STATE_DELTA"


@dataclasses.dataclass
class Address:
    street: str
    zip_code: str = "00000"


class Owner(pydantic.BaseModel):
    """Who owns the item."""

    name: str = Field(description="Full name")
    category: Category
    address: Address | None = None


class Item(pydantic.BaseModel):
    owner: Owner
    tags: set[str] = set()


class Event(pydantic.BaseModel):
    type: Literal[EventType.STATE_DELTA] = EventType.STATE_DELTA
    at: datetime.datetime


class Row(TypedDict):
    sku: str
    units: int


def catalogue(
    query: Annotated[str, Field(description="Search text", max_length=40)],
    category: Category | None = None,
    priority: Priority = Priority.LOW,
    kind: Literal[EventType.STATE_DELTA, "other"] = "other",
    day: datetime.date = datetime.date(2024, 1, 1),
    at: datetime.datetime | None = None,
    slot: datetime.time | None = None,
    ref: uuid.UUID | None = None,
    price: decimal.Decimal = decimal.Decimal("9.99"),
    pair: tuple[int, str] = (1, "a"),
    many: tuple[float, ...] = (),
    labels: set[str] = frozenset(),  # type: ignore[assignment]
    frozen: frozenset[int] = frozenset(),
    address: Address | None = None,
    item: Item | None = None,
    row: Row | None = None,
    by_id: dict[int, str] | None = None,
    count: Annotated[int, Field(ge=1, le=50, description="How many")] = 10,
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "ABC",
    note: Annotated[str, "Free text for the clerk"] = "",
    anything: object = None,
    extra: dict[str, object] | None = None,
    blob: Any = None,
    context: FunctionInvocationContext | None = None,
) -> Event:
    """Search the catalogue.

    Args:
        category: Only this category.
        priority: How urgent.
        day: The day to search.
    """
    got = {
        "category": type(category).__name__,
        "priority": type(priority).__name__,
        "day": type(day).__name__,
        "item": type(item).__name__,
        "pair": type(pair).__name__,
        "labels": type(labels).__name__,
        "by_id": sorted(by_id) if by_id else None,
        "context": context,
    }
    CALLS.append(got)
    return Event(at=datetime.datetime(2024, 5, 1, 12, 0))


CALLS: list[dict[str, Any]] = []


def numpy_style(a: int, b: str = "x") -> str:
    """Join things.

    Parameters
    ----------
    a : int
        The first thing.
    b : str
        The second thing.

    Returns
    -------
    str
        Both.
    """
    return f"{a}{b}"


def any_keyword(item: str, *more: int, **labels: str) -> dict[int, str]:
    """Tag an item."""
    return {i: item for i in more}


def test_schema_of_scalars_literals_and_optionals() -> None:
    spec = ToolSpec.from_callable(get_weather)
    assert spec.parameters == {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "units": {"enum": ["c", "f"], "type": "string", "default": "c"},
        },
        "required": ["city"],
        "additionalProperties": False,
    }
    assert spec.returns["properties"] == {
        "city": {"title": "City", "type": "string"},
        "temp_c": {"title": "Temp C", "type": "number"},
    }
    assert spec.param_names == ("city", "units")
    assert not spec.is_async
    rate = ToolSpec.from_callable(get_rate)
    assert rate.is_async
    assert rate.parameters["properties"]["when"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert rate.signature_source == (
        "def get_rate(base: str, quote: str, *, when: str | None = None) -> float:"
    )


def test_stub_module_is_valid_python_with_typeddicts_and_pydantic() -> None:
    specs = tool_specs([get_weather, get_rate, move])
    text = stubs_module(specs)
    compile(text, "<stubs>", "exec")
    assert "class Weather(TypedDict):" in text
    assert "class Point(TypedDict):" in text and "y: NotRequired[int]" in text
    assert "def move(name: str, /, p: Point, tags: list[str], meta: dict[str, int])" in text
    assert '"""Current weather for a city."""' in text
    assert "def call_tool(name: str, /, *args: Any, **kwargs: Any) -> Any: ..." in text


def test_every_annotation_loads_with_its_descriptions() -> None:
    spec = ToolSpec.from_callable(catalogue)
    stub = stub_text = stubs_module({"catalogue": spec})
    compile(stub_text, "<stubs>", "exec")
    sig = spec.signature_source
    for shown in (
        "query: str",
        "category: Literal['books', 'toys'] | None = None",
        "priority: Literal[1, 2] = 1",
        "kind: Literal['STATE_DELTA', 'other'] = 'other'",
        "day: str = '2024-01-01'",
        "at: str | None = None",
        "price: float | str = '9.99'",
        "pair: tuple[int, str] = ...",
        "many: tuple[float, ...] | list[float] = ...",
        "labels: list[str] | set[str] = ...",
        "address: Address | None = None",
        "item: Item | None = None",
        "row: Row | None = None",
        "by_id: dict[int, str] | None = None",
        "anything: object = None",
        "extra: dict[str, object] | None = None",
        "blob: Any = None",
        "-> Event:",
    ):
        assert shown in sig, shown
    assert "context" not in sig and "context" not in spec.parameters["properties"]
    assert spec.injected == {"context": None}
    for line in (
        "query: Search text; max 40 chars",
        "category: Only this category.",
        "priority: How urgent.",
        "day: The day to search.; ISO date",
        "count: How many; >= 1, <= 50",
        "code: pattern ^[A-Z]{3}$",
        "note: Free text for the clerk",
    ):
        assert line in spec.stub(), line
    assert "Args:" not in spec.stub()
    # structs: a model with an Enum field, a nested model, a dataclass, field descriptions
    assert "class Owner(TypedDict):" in stub and "name: Full name" in stub
    assert "category: Literal['books', 'toys']" in stub
    assert "class Address(TypedDict):" in stub and "zip_code: NotRequired[str]" in stub
    assert "type: NotRequired[Literal['STATE_DELTA']]" in stub
    assert "tags: NotRequired[list[str]]" in stub
    # the schema is pydantic's
    props = spec.parameters["properties"]
    assert props["day"]["format"] == "date" and props["count"]["maximum"] == 50
    assert "$defs" in spec.parameters and "Owner" in spec.parameters["$defs"]


def test_typed_stubs_check_programs_with_mypy() -> None:
    specs = tool_specs([catalogue])
    good = (
        'e = catalogue("lamp", category="books", day="2024-02-03", item={"owner": '
        '{"name": "Ada", "category": "toys"}}, pair=(2, "b"), labels=["x"], by_id={1: "a"})\n'
        'print(e["at"], e["type"])\n'
    )
    assert [d.code for d in typecheck(good, specs)] == []
    bad = 'e = catalogue("lamp", category="garden")\n'
    found = typecheck(bad, specs)
    assert len(found) == 1 and found[0].code.startswith("CV7"), found  # mypy caught it


def test_docstring_styles_and_keyword_tools() -> None:
    numpy = ToolSpec.from_callable(numpy_style)
    assert "a: The first thing." in numpy.stub() and "b: The second thing." in numpy.stub()
    assert "Returns" in numpy.stub() and "Parameters" not in numpy.stub()
    tagged = ToolSpec.from_callable(any_keyword)
    assert tagged.accepts_any_keyword and tagged.accepts_any_positional
    assert tagged.signature_source == (
        "def any_keyword(item: str, *more: int, **labels: str) -> dict[str, str]:"
    )
    args, kwargs = tagged.call_arguments({"item": "a", "more": [1, 2], "labels": {"c": "r"}})
    assert args == ["a", 1, 2] and kwargs == {"c": "r"}
    assert tagged.result_json(any_keyword(*args, **kwargs)) == {"1": "a", "2": "a"}


def test_host_validates_and_converts_arguments() -> None:
    spec = ToolSpec.from_callable(catalogue)
    args, kwargs = spec.call_arguments(
        '{"query": "lamp", "category": "toys", "priority": 2, "kind": "STATE_DELTA",'
        ' "day": "2024-02-03", "item": {"owner": {"name": "Ada", "category": "books"},'
        ' "tags": ["a", "a"]}, "pair": [3, "c"], "labels": ["x"], "by_id": {"7": "z"},'
        ' "address": {"street": "Main"}}'
    )
    assert args[1] is Category.TOYS and args[2] is Priority.HIGH
    assert args[3] is EventType.STATE_DELTA
    assert args[4] == datetime.date(2024, 2, 3)
    assert args[8] == decimal.Decimal("9.99")  # defaults: the Python value, untouched
    assert args[9] == (3, "c") and args[11] == {"x"}
    assert args[13] == Address(street="Main")
    assert isinstance(args[14], Item) and args[14].owner.category is Category.BOOKS
    assert args[16] == {7: "z"}
    assert args[-1] is None  # the injected context
    result = catalogue(*args, **kwargs)
    assert spec.result_json(result) == {"type": "STATE_DELTA", "at": "2024-05-01T12:00:00"}
    for bad, needle in (
        ('{"query": "x" }'.replace("x", "x" * 41), "at most 40 characters"),
        ('{"query": "x", "category": "garden"}', "category"),
        ('{"query": "x", "count": 0}', "greater than or equal to 1"),
        ('{"query": "x", "count": "3"}', "valid integer"),
        ('{"query": "x", "count": true}', "valid integer"),
        ('{"query": "x", "code": "abc"}', "pattern"),
        ('{"query": "x", "day": "tomorrow"}', "date"),
        ('{"query": "x", "context": 1}', "Extra inputs"),
        ('{"city": "x"}', "query"),
    ):
        with pytest.raises(ToolArgumentError, match=needle):
            spec.call_arguments(bad)


def test_positional_only_parameters_are_called_by_position() -> None:
    def lookup(name: str, /) -> str:
        return name.upper()

    spec = ToolSpec.from_callable(lookup)
    assert spec.signature_source == "def lookup(name: str, /) -> str:"
    args, kwargs = spec.call_arguments({"name": "Ada"})
    assert lookup(*args, **kwargs) == "ADA"


def test_injected_parameters_of_each_framework_are_hidden() -> None:
    def tool(
        a: RunContext[str],
        b: RunContextWrapper[Any],
        c: ToolContext[Any],
        d: RunnableConfig,
        e: Annotated[dict[str, Any], InjectedState],
        f: Annotated[object, InjectedStore()],
        g: Annotated[str, InjectedToolCallId],
        h: Annotated[dict[str, Any], InjectedState("messages")],
        x: int,
        i: FunctionInvocationContext | None = None,
    ) -> int:
        return x

    spec = ToolSpec.from_callable(tool)
    assert spec.param_names == ("x",)
    assert spec.signature_source == "def tool(x: int) -> int:"
    assert set(spec.injected) == set("abcdefghi")

    def other(ctx: LocalRunContext) -> None: ...

    with pytest.raises(ToolSpecError, match="parameter 'ctx'"):
        ToolSpec.from_callable(other)


def test_result_conversion_and_non_json_results() -> None:
    assert to_jsonable({"a": (1, 2.5), "p": Point(x=1)}) == {"a": [1, 2.5], "p": {"x": 1, "y": 0}}
    assert to_jsonable({"s": {1}}) == {"s": [1]}
    assert to_jsonable({"d": datetime.date(2024, 1, 2), "c": Category.TOYS}) == {
        "d": "2024-01-02",
        "c": "toys",
    }
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        to_jsonable({"o": object()})
    with pytest.raises(TypeError, match="JSON cannot represent"):
        to_jsonable(float("nan"))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (lambda *a: None, "tool name '<lambda>'"),
        (42, "not callable"),
    ],
)
def test_undescribable_tools_are_clear_errors(bad: object, message: str) -> None:
    with pytest.raises(ToolSpecError, match=message):
        ToolSpec.from_callable(bad)  # type: ignore[arg-type]


def test_a_type_that_cannot_be_described_is_refused_at_load() -> None:
    def weird(city: str, thing: Opaque) -> None: ...

    def returns_opaque() -> Opaque:
        return Opaque()

    with pytest.raises(ToolSpecError, match=r"tool 'weird': parameter 'thing' has type .*Opaque"):
        ToolSpec.from_callable(weird)
    with pytest.raises(ToolSpecError, match="tool 'returns_opaque': the return type"):
        ToolSpec.from_callable(returns_opaque)


def test_duplicate_and_reserved_names() -> None:
    with pytest.raises(ToolSpecError, match="two tools are named"):
        tool_specs([get_weather, get_weather])

    def call_tools(x: int) -> int:
        return x

    with pytest.raises(ToolSpecError, match="reserved"):
        tool_specs([call_tools])


def test_parameter_named_name_is_fine() -> None:
    def greet(name: str) -> str:
        return name

    assert ToolSpec.from_callable(greet).param_names == ("name",)


def test_load_tools_file(tmp_path: Path) -> None:
    path = tmp_path / "tools.py"
    path.write_text(
        "from json import dumps\n"
        "def b(x: int) -> int:\n    return x\n"
        "def a(y: str) -> str:\n    return y\n"
        "def _private() -> None: ...\n"
    )
    assert [f.__name__ for f in load_tools_file(path)] == ["b", "a"]
    broken = tmp_path / "broken.py"
    broken.write_text("def (:\n")
    with pytest.raises(ToolSpecError, match="cannot load tools file"):
        load_tools_file(broken)
    with pytest.raises(ToolSpecError, match="not found"):
        load_tools_file(tmp_path / "missing.py")


def test_stub_module_is_remembered_per_tool_set_and_never_stale() -> None:
    """`stubs_module` remembers its text per tool set (the same frozen specs, in the same order
    under the same names): a changed tool, an added or removed one, another order or a spec
    rebuilt from a changed function all get their own text, and the verdict follows."""
    from codeact_verify.verifier import verify

    def lookup(city: str) -> float:
        """Temperature."""
        return 1.0

    first = ToolSpec.from_callable(lookup)

    def lookup(city: int) -> float:  # type: ignore[no-redef]  # the same tool, retyped
        """Temperature."""
        return 1.0

    second = ToolSpec.from_callable(lookup)
    other = ToolSpec.from_callable(lookup, name="other")
    assert stubs_module({"lookup": first}) is stubs_module({"lookup": first})  # remembered
    assert "city: str" in stubs_module({"lookup": first})
    assert "city: int" in stubs_module({"lookup": second})
    assert "city: str" in stubs_module({"lookup": first})
    both = stubs_module({"lookup": first, "other": other})
    assert "def other(" in both and both != stubs_module({"lookup": first})
    assert stubs_module({"other": other, "lookup": first}).index("def other(") < (
        stubs_module({"other": other, "lookup": first}).index("def lookup(")
    )
    assert "def call_tool(" not in stubs_module({"lookup": first}, helpers=False)
    assert stubs_module({"lookup": first}, helpers=False) != stubs_module({"lookup": first})
    program = 'print(lookup(city="Oslo") + 1.0)\n'
    assert verify(program, {"lookup": first}).ok
    assert not verify(program, {"lookup": second}).ok  # a str where the new stub wants int
    assert verify(program, {"lookup": first}).ok

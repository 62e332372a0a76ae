"""ToolSpec: schemas, stubs and the tools file loader."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Literal, TypedDict

import pydantic
import pytest

from codeact_verify.errors import ToolSpecError
from codeact_verify.tools import ToolSpec, load_tools_file, stubs_module, to_jsonable, tool_specs


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


def test_schema_of_scalars_literals_and_optionals() -> None:
    spec = ToolSpec.from_callable(get_weather)
    assert spec.parameters == {
        "type": "object",
        "properties": {"city": {"type": "string"}, "units": {"enum": ["c", "f"], "default": "c"}},
        "required": ["city"],
        "additionalProperties": False,
    }
    assert spec.returns["properties"] == {"city": {"type": "string"}, "temp_c": {"type": "number"}}
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


def test_pydantic_arguments_are_coerced() -> None:
    spec = ToolSpec.from_callable(move)
    args = spec.coerce_arguments({"p": {"x": 1}, "tags": []})
    assert args["p"] == Point(x=1)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (lambda *a: None, "tool name '<lambda>'"),
        (print, "cannot be described"),
        (42, "not callable"),
    ],
)
def test_undescribable_tools_are_clear_errors(bad: object, message: str) -> None:
    with pytest.raises(ToolSpecError, match=message):
        ToolSpec.from_callable(bad)  # type: ignore[arg-type]


def test_varargs_and_unsupported_types_are_rejected() -> None:
    def star(*items: str) -> None: ...

    def weird(x: set[int]) -> None: ...

    with pytest.raises(ToolSpecError, match=r"\*args/\*\*kwargs"):
        ToolSpec.from_callable(star)
    with pytest.raises(ToolSpecError, match="unsupported type"):
        ToolSpec.from_callable(weird)


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


def test_to_jsonable_names_the_bad_value() -> None:
    assert to_jsonable({"a": (1, 2.5), "p": Point(x=1)}) == {"a": [1, 2.5], "p": {"x": 1, "y": 0}}
    with pytest.raises(TypeError, match=r"result\['s'\] is a set"):
        to_jsonable({"s": {1}})
    with pytest.raises(TypeError, match="JSON cannot represent"):
        to_jsonable(float("nan"))
    with pytest.raises(TypeError, match="non-string key"):
        to_jsonable({1: 2})


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

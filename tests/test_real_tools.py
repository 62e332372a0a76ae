"""Tool functions copied from public framework samples (tests/corpus/real_tools) load, show the
model every description their authors wrote and none of the injected parameters, pass the
verifier, and run in the sandbox with their arguments converted to the declared types."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.instructions import tool_stubs
from codeact_verify.tools import tool_specs
from codeact_verify.verifier import verify

REAL = Path(__file__).parent / "corpus" / "real_tools"
sys.path.insert(0, str(REAL))
import tools as real  # noqa: E402

# what the authors wrote, tool by tool: docstring Args/Parameters entries, Annotated texts,
# Field(description=...) on parameters and on returned models' fields, and constraints
DESCRIPTIONS = {
    "get_weather": ["location: The location to get the weather for."],
    "get_forecast": [
        "location: The location to get the forecast for.",
        "days: Number of days for forecast",
    ],
    "get_time": ["timezone: IANA time zone, e.g. Europe/Paris"],
    "check_inventory": ["sku: Product SKU; pattern ^[A-Z]{3}-\\d{3}$"],
    "read_file": [
        "path: The path to the file to read.",
        "directory: The directory to read the file from.",
    ],
    "fetch_weather": ["location: The location to fetch the weather for."],
    "get_city_weather": ["temperature_range: Low to high, e.g. 14-20C"],
    "update_recipe": ["A JSON patch to the shared state.", "delta: JSON Patch operations"],
    "get_weather_smol": [
        "Secretly this tool does not care about the location",
        "location: the location",
        "celsius: the temperature",
    ],
    "model_download_counter": [
        "task: The task for which to get the most downloaded model.",
        "limit: How many models to list.",
    ],
    "get_current_weather": [
        "location: The city and state, e.g. San Francisco, CA",
        "format: The temperature unit to use. Infer this from the users location.",
    ],
    "get_n_day_weather_forecast": ["num_days: The number of days to forecast"],
    "search_flights": ["origin: IATA code; min 3 chars, max 3 chars", "date: ISO date"],
    "search_products": ["any other keyword is a filter"],
}
INJECTED = {
    "get_time": {"context"},
    "read_file": {"ctx"},
    "get_order_status": {"ctx"},
    "get_player_name": {"ctx"},
    "roll_dice": {"ctx"},
    "update_recipe": {"ctx"},
    "get_user_info": {"state", "store"},
    "update_notes": {"tool_call_id", "config"},
}


@pytest.fixture(scope="module")
def specs():  # type: ignore[no-untyped-def]
    return tool_specs(real.TOOLS)


def test_at_least_fifteen_real_tools_load_and_cite_their_source(specs) -> None:  # type: ignore[no-untyped-def]
    assert len(specs) >= 15
    source = (REAL / "tools.py").read_text(encoding="utf-8")
    for name in specs:
        head = source[: source.index(f"def {name}(")]
        last = head.rfind("\n\n\n")
        assert "# Source:" in head[last:] or "Source:" in head[head.rfind("# --") :], name


def test_every_description_reaches_the_model(specs) -> None:  # type: ignore[no-untyped-def]
    text = tool_stubs(specs)
    for name, lines in DESCRIPTIONS.items():
        for line in lines:
            assert line in text, (name, line)
    compile("from typing import Any, Literal, TypedDict\n"
            "from typing_extensions import NotRequired\n" + text, "<stubs>", "exec")


def test_no_injected_parameter_is_exposed(specs) -> None:  # type: ignore[no-untyped-def]
    for name, hidden in INJECTED.items():
        spec = specs[name]
        assert set(spec.injected) == hidden, name
        for param in hidden:
            assert param not in spec.parameters["properties"]
            assert f"{param}:" not in spec.signature_source and param not in spec.param_names


PROGRAM = """\
print(get_weather("Paris"))
print(get_forecast(location="Oslo", days=2))
print(get_time("Europe/Paris"))
print(check_inventory("ABC-123", warehouse="east"))
print(read_file("notes.txt"))
print(fetch_weather(location={"lat": 1.5, "long": 2}))
print(get_order_status(order_id="o-1"))
w = get_city_weather("Tokyo")
print(w["temperature_range"], w["conditions"])
print(get_player_name(), roll_dice(sides=8))
e = update_recipe(title="Soup")
print(e["type"], e["delta"][0]["value"])
print(get_weather_smol("Paris", celsius=True))
print(model_download_counter(task="text-classification"))
print(get_user_info(question="who am I"))
print(update_notes(note="buy milk"))
print(get_current_weather(location="Boston, MA", format="fahrenheit"))
print(len(get_n_day_weather_forecast("Boston, MA", "celsius", 3)))
f = search_flights(origin="CDG", destination="JFK", date="2025-03-01")
print(f[0]["got"], f[0]["date"])
print(search_products("lamp", color="red"))
"""

EXPECTED = """\
The weather in Paris is cloudy with a high of 15°C.
2-day forecast for Oslo: sunny
{'timezone': 'Europe/Paris', 'time': '12:00', 'got': 'NoneType'}
{'sku': 'ABC-123', 'warehouse': 'east', 'units': 7, 'got': 'Warehouse'}
<contents of ./notes.txt> ctx=NoneType
sunny at 1.5,2.0 (Location)
{'order_id': 'o-1', 'status': 'shipped', 'got': 'NoneType'}
14-20C Sunny with wind.
Anne (NoneType) 4
STATE_DELTA Soup
The weather is UNGODLY with torrential rains and temperatures below -10°C
text-classification: model-1
who am I: state=NoneType store=NoneType
saved 'buy milk' (NoneType, NoneType)
22 fahrenheit in Boston, MA
3
date 2025-03-01
{'mean': 9.5, 'count': 5}
"""


def test_a_program_calling_each_passes_and_runs(specs) -> None:  # type: ignore[no-untyped-def]
    report = verify(PROGRAM, specs)
    assert report.ok, report.render_for_human()
    # the only finding: **filters keywords cannot be checked before running (a warning)
    assert [d.code for d in report.diagnostics] == ["CV611"]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(reason)
    from test_sandbox_support import make_sandbox

    from codeact_verify.executor import execute_sync

    sandbox = make_sandbox()
    try:
        run = execute_sync(PROGRAM, specs, sandbox=sandbox)  # verified, type-checked, run
    finally:
        sandbox.close()
    assert run.report is not None and run.report.ok, run.report.render_for_human()
    assert run.result.ok, run.result.error
    assert run.result.stdout == EXPECTED

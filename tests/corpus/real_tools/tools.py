"""Tool functions as their authors wrote them in public samples of six frameworks.

Each is adapted (deterministic fake data instead of network calls; framework decorators dropped,
since CodeAct takes plain callables) from the sample cited above it. The annotations, defaults,
docstrings and injected context parameters are kept as written. Every tool returns, along with
its answer, what it received (`got`), so tests can check the host converted the JSON arguments
to the declared types (Enum members, dates, models) and supplied the injected parameters.
"""

from __future__ import annotations

import datetime
import enum
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from agent_framework import FunctionInvocationContext
from pydantic import BaseModel, Field

sys.path.insert(0, str(Path(__file__).parent))
from frameworks import (  # noqa: E402
    BaseStore,
    InjectedState,
    InjectedStore,
    InjectedToolCallId,
    RunContext,
    RunContextWrapper,
    RunnableConfig,
    ToolContext,
)


def _kind(value: Any) -> str:
    return type(value).__name__


# -- Microsoft Agent Framework ----------------------------------------------------------------
# Source: https://github.com/microsoft/agent-framework python/samples/getting_started/agents/
# (get_weather with Annotated[str, Field(description=...)]), also in
# gongxic/learn-agent-framework src/agents/07agent_as_function_tool.py
def get_weather(
    location: Annotated[str, Field(description="The location to get the weather for.")],
) -> str:
    """Get the weather for a given location."""
    return f"The weather in {location} is cloudy with a high of 15°C."


# Source: microsoft/agent-framework python/packages/devui samples (weather agent):
# Annotated[T, "text"] descriptions
def get_forecast(
    location: Annotated[str, "The location to get the forecast for."],
    days: Annotated[int, "Number of days for forecast"] = 3,
) -> str:
    """Get weather forecast for multiple days."""
    return f"{days}-day forecast for {location}: sunny"


# Source: microsoft/agent-framework python/samples/getting_started/middleware
# (function middleware samples take a FunctionInvocationContext in the tool)
def get_time(
    timezone: Annotated[str, Field(description="IANA time zone, e.g. Europe/Paris")] = "UTC",
    context: FunctionInvocationContext | None = None,
) -> dict[str, str]:
    """Current time in a time zone."""
    return {"timezone": timezone, "time": "12:00", "got": _kind(context)}


class Warehouse(str, enum.Enum):
    CENTRAL = "central"
    EAST = "east"


# Source: microsoft/agent-framework python/samples/getting_started/tools (approval sample
# with an Enum default); issue 9 names `warehouse: Warehouse = Warehouse.CENTRAL`
def check_inventory(
    sku: Annotated[str, Field(description="Product SKU", pattern=r"^[A-Z]{3}-\d{3}$")],
    warehouse: Warehouse = Warehouse.CENTRAL,
) -> dict[str, Any]:
    """Units in stock for a product."""
    return {"sku": sku, "warehouse": warehouse.value, "units": 7, "got": _kind(warehouse)}


# -- OpenAI Agents SDK ---------------------------------------------------------------------------
# Source: https://github.com/openai/openai-agents-python docs/tools.md (function tools:
# read_file with a RunContextWrapper first parameter and a Google-style Args section)
def read_file(ctx: RunContextWrapper[Any], path: str, directory: str | None = None) -> str:
    """Read the contents of a file.

    Args:
        path: The path to the file to read.
        directory: The directory to read the file from.
    """
    return f"<contents of {directory or '.'}/{path}> ctx={_kind(ctx)}"


class Location(BaseModel):
    lat: float
    long: float


# Source: openai/openai-agents-python docs/tools.md (fetch_weather(location: Location),
# a pydantic model parameter)
async def fetch_weather(location: Location) -> str:
    """Fetch the weather for a given location.

    Args:
        location: The location to fetch the weather for.
    """
    return f"sunny at {location.lat},{location.long} ({_kind(location)})"


# Source: openai/openai-agents-python examples/basic/tool_context (ToolContext parameter)
def get_order_status(ctx: ToolContext[Any], order_id: str) -> dict[str, str]:
    """Look up an order's status."""
    return {"order_id": order_id, "status": "shipped", "got": _kind(ctx)}


# Source: samade747/openai-sdk-decoded repo/tools/readme.md (returns a pydantic model)
class Weather(BaseModel):
    city: str
    temperature_range: str = Field(description="Low to high, e.g. 14-20C")
    conditions: str


def get_city_weather(city: str) -> Weather:
    """Weather for a city."""
    return Weather(city=city, temperature_range="14-20C", conditions="Sunny with wind.")


# -- pydantic-ai ---------------------------------------------------------------------------------
# Source: https://github.com/pydantic/pydantic-ai docs/tools.md (dice game: get_player_name)
def get_player_name(ctx: RunContext[str]) -> str:
    """Get the player's name."""
    return f"Anne ({_kind(ctx)})"


# Source: pydantic/pydantic-ai docs/tools.md (roll_dice with a RunContext and a default)
def roll_dice(ctx: RunContext[str], sides: int = 6) -> str:
    """Roll a die with the given number of sides."""
    return str(min(4, sides))


class EventType(str, enum.Enum):
    STATE_SNAPSHOT = "STATE_SNAPSHOT"
    STATE_DELTA = "STATE_DELTA"


class StateDeltaEvent(BaseModel):
    """A JSON patch to the shared state."""

    type: Literal[EventType.STATE_DELTA] = EventType.STATE_DELTA
    delta: list[dict[str, Any]] = Field(description="JSON Patch operations")


# Source: pydantic/pydantic-ai examples/pydantic_ai_examples/ag_ui/api/shared_state.py
# (a tool returning an AG-UI event whose type is an Enum member in a Literal)
def update_recipe(ctx: RunContext[Any], title: str) -> StateDeltaEvent:
    """Change the recipe's title."""
    return StateDeltaEvent(delta=[{"op": "replace", "path": "/title", "value": title}])


# -- smolagents ------------------------------------------------------------------------------
# Source: https://github.com/huggingface/smolagents examples/tool_calling_agent_from_any_llm.py
# (also zhcmeng/smolagents examples/tool_calling_agent_ollama.py)
def get_weather_smol(location: str, celsius: bool | None = False) -> str:
    """
    Get weather in the next days at given location.
    Secretly this tool does not care about the location, it hates the weather everywhere.

    Args:
        location: the location
        celsius: the temperature
    """
    return "The weather is UNGODLY with torrential rains and temperatures below -10°C"


# Source: huggingface/smolagents docs/source/en/tutorials/tools.md (model_download_tool,
# NumPy-style variant as written in several community samples)
def model_download_counter(task: str, limit: int = 1) -> str:
    """
    The most downloaded model for a task on the Hugging Face Hub.

    Parameters
    ----------
    task : str
        The task for which to get the most downloaded model.
    limit : int
        How many models to list.
    """
    return f"{task}: model-{limit}"


# -- LangChain / LangGraph ---------------------------------------------------------------------
# Source: https://github.com/langchain-ai/langgraph docs/docs/how-tos/pass-run-time-values-to-tools.md
# (InjectedState and InjectedStore)
def get_user_info(
    question: str,
    state: Annotated[dict[str, Any], InjectedState],
    store: Annotated[BaseStore, InjectedStore()],
) -> str:
    """Answer a question about the current user."""
    return f"{question}: state={_kind(state)} store={_kind(store)}"


# Source: langchain-ai/langchain docs how_to/tool_runtime (InjectedToolCallId, RunnableConfig)
def update_notes(
    note: str,
    tool_call_id: Annotated[str, InjectedToolCallId],
    config: RunnableConfig | None = None,
) -> str:
    """Append a note to the user's notes."""
    return f"saved {note!r} ({_kind(tool_call_id)}, {_kind(config)})"


# -- OpenAI cookbook ---------------------------------------------------------------------------
# Source: https://github.com/openai/openai-cookbook examples/How_to_call_functions_with_chat_models.ipynb
# (get_current_weather with an enum unit, get_n_day_weather_forecast)
def get_current_weather(location: str, format: Literal["celsius", "fahrenheit"]) -> str:
    """Get the current weather.

    Args:
        location: The city and state, e.g. San Francisco, CA
        format: The temperature unit to use. Infer this from the users location.
    """
    return f"22 {format} in {location}"


def get_n_day_weather_forecast(
    location: str, format: Literal["celsius", "fahrenheit"], num_days: int
) -> list[dict[str, Any]]:
    """Get an N-day weather forecast.

    Args:
        location: The city and state, e.g. San Francisco, CA
        format: The temperature unit to use. Infer this from the users location.
        num_days: The number of days to forecast
    """
    return [{"day": i, "high": 20 + i, "unit": format} for i in range(num_days)]


# Source: openai/openai-cookbook examples/Structured_Outputs_Intro.ipynb / function calling with
# dates (a flight search taking a date)
def search_flights(
    origin: Annotated[str, Field(min_length=3, max_length=3, description="IATA code")],
    destination: Annotated[str, Field(min_length=3, max_length=3, description="IATA code")],
    date: datetime.date,
) -> list[dict[str, Any]]:
    """Flights between two airports on a day."""
    return [
        {"flight": f"{origin}{destination}1", "date": date.isoformat(), "got": _kind(date)},
    ]


@dataclass
class Stats:
    mean: float
    count: int


# Source: openai/openai-cookbook examples/Orchestrating_agents.ipynb (plain functions with
# **kwargs-free signatures; here a tool taking **kwargs, as generic "filters" tools do)
def search_products(query: str, **filters: str) -> Stats:
    """Search the catalogue; any other keyword is a filter (e.g. color="red")."""
    return Stats(mean=9.5, count=len(filters) + len(query))


TOOLS = [
    get_weather,
    get_forecast,
    get_time,
    check_inventory,
    read_file,
    fetch_weather,
    get_order_status,
    get_city_weather,
    get_player_name,
    roll_dice,
    update_recipe,
    get_weather_smol,
    model_download_counter,
    get_user_info,
    update_notes,
    get_current_weather,
    get_n_day_weather_forecast,
    search_flights,
    search_products,
]

"""Annotations as the model sees them: typed stub source for any annotation pydantic describes.

Values cross the sandbox boundary as JSON, so the stub shows a type by what the program passes
and gets back: an Enum as a `Literal` of its values, `date`/`datetime`/`time`/`UUID` as `str`
(ISO text), `Decimal` as `float | str` in (a `str` out), a dataclass or pydantic model as a
`TypedDict`, a tuple, set or frozenset result as a `list`, `dict[int, V]` as `dict[str, V]` out.

Also here: which parameters a framework injects (left out of the model's view), and the
`typing.TypedDict` -> `typing_extensions.TypedDict` rewrite pydantic needs on Python < 3.12.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import functools
import inspect
import keyword
import sys
import types
import typing
import uuid
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

import typing_extensions
from typing_extensions import is_typeddict

Role = Literal["param", "result"]

# Framework context types passed by the framework, never by the model: class name -> the
# top-level packages it may come from (matched by name and module: the frameworks are optional).
INJECTED_TYPES: dict[str, tuple[str, ...]] = {
    "FunctionInvocationContext": ("agent_framework",),
    "RunContextWrapper": ("agents",),
    "ToolContext": ("agents",),
    "RunContext": ("pydantic_ai",),
    "RunnableConfig": ("langchain_core", "langchain"),
    "ToolRuntime": ("langchain", "langgraph", "langchain_core"),
}
# `Annotated[..., InjectedState]` markers (LangChain / LangGraph)
INJECTED_MARKERS: dict[str, tuple[str, ...]] = {
    name: ("langgraph", "langchain_core", "langchain")
    for name in ("InjectedState", "InjectedStore", "InjectedToolArg", "InjectedToolCallId")
}

_SCALARS: dict[Any, str] = {str: "str", int: "int", float: "float", bool: "bool", bytes: "str"}
_ISO = (datetime.date, datetime.datetime, datetime.time, uuid.UUID)
_SEQUENCES = {list, typing.List, set, frozenset, tuple}  # noqa: UP006


def unwrap_annotated(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    """(base type, metadata) of `Annotated[base, *metadata]` (nested ones merged)."""
    metadata: tuple[Any, ...] = ()
    while get_origin(tp) is typing.Annotated:
        metadata = tp.__metadata__ + metadata
        tp = tp.__origin__
    return tp, metadata


def is_union(tp: Any) -> bool:
    return get_origin(tp) in (typing.Union, types.UnionType)


def _named_in(cls: Any, table: Mapping[str, tuple[str, ...]]) -> bool:
    for klass in getattr(cls, "__mro__", (cls,)):
        roots = table.get(getattr(klass, "__name__", ""))
        module = str(getattr(klass, "__module__", "") or "")
        if roots and module.split(".")[0] in roots:
            return True
    return False


def is_injected(tp: Any) -> bool:
    """A parameter the framework fills in (its context object or an injected-state marker)."""
    base, metadata = unwrap_annotated(tp)
    for item in metadata:
        if _named_in(item if isinstance(item, type) else type(item), INJECTED_MARKERS):
            return True
    if is_union(base):
        others = [a for a in get_args(base) if a is not type(None)]
        return len(others) == 1 and is_injected(others[0])
    origin = get_origin(base)
    return _named_in(origin if isinstance(origin, type) else base, INJECTED_TYPES)


def is_pydantic_model(tp: Any) -> bool:
    if not isinstance(tp, type):
        return False
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and issubclass(tp, pydantic.BaseModel)


def is_dataclass_type(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def enum_values(tp: type[enum.Enum]) -> list[Any]:
    return [member.value for member in tp]


def plain_value(value: Any) -> Any:
    """An Enum member as its value (also inside Literal arguments and defaults)."""
    return value.value if isinstance(value, enum.Enum) else value


# -- pydantic on Python < 3.12 refuses typing.TypedDict: rebuild such classes ----------------
@functools.cache
def _rebuilt_typeddict(tp: Any) -> Any:
    hints = typing.get_type_hints(tp, include_extras=True)
    required = getattr(tp, "__required_keys__", frozenset(hints))
    fields = {}
    for key, value in hints.items():
        value = for_pydantic(_strip_required(value))
        wrap = typing_extensions.Required if key in required else typing_extensions.NotRequired
        fields[key] = wrap[value]
    new = typing_extensions.TypedDict(tp.__name__, fields)  # type: ignore[operator]
    new.__doc__ = tp.__doc__
    new.__module__ = tp.__module__
    return new


def _strip_required(tp: Any) -> Any:
    while get_origin(tp) in (
        typing_extensions.Required,
        typing_extensions.NotRequired,
        typing_extensions.ReadOnly,
    ):
        tp = get_args(tp)[0]
    return tp


def for_pydantic(tp: Any) -> Any:
    """`tp` with every `typing.TypedDict` replaced by an equivalent pydantic accepts."""
    if sys.version_info >= (3, 12):
        return tp
    if is_typeddict(tp):
        if type(tp).__module__ == "typing":
            return _rebuilt_typeddict(tp)
        return tp
    origin, args = get_origin(tp), get_args(tp)
    if origin is None or not args:
        return tp
    if origin is typing.Annotated:
        return typing.Annotated[(for_pydantic(tp.__origin__), *tp.__metadata__)]  # type: ignore[misc]
    if origin is Literal:
        return tp
    new_args = tuple(a if a is Ellipsis else for_pydantic(a) for a in args)
    if new_args == args:
        return tp
    if is_union(tp):
        return functools.reduce(lambda a, b: a | b, new_args)
    try:
        return origin[new_args] if origin in _SEQUENCES or origin is dict else tp[new_args]
    except TypeError:
        return tp


# -- stub source ------------------------------------------------------------------------------
class StubTypes:
    """Renders annotations as stub source, collecting the TypedDicts (structs) they use.

    ``role`` says which way a value crosses: "param" values are what the program passes (a set
    parameter accepts a list too), "result" values are what it gets back (always JSON data).
    Struct fields use the result form, which is also accepted as input.
    """

    def __init__(self, where: str, fail: Any) -> None:
        self.where = where
        self.fail = fail  # fail(tp) -> exception to raise for a type that cannot be shown
        self.structs: dict[Any, tuple[str, str]] = {}  # type -> (name, source)
        self._names: set[str] = set()

    def source(self, tp: Any, role: Role = "param") -> str:
        tp, _ = unwrap_annotated(tp)
        if tp is Any or tp is inspect.Parameter.empty:
            return "Any"
        if tp is object:
            return "object"
        if tp is None or tp is type(None):
            return "None"
        if tp in _SCALARS:
            return _SCALARS[tp]
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return self._literal(enum_values(tp))
        if tp in _ISO:
            return "str"
        if tp is decimal.Decimal:
            return "float | str" if role == "param" else "str"
        supertype = getattr(tp, "__supertype__", None)  # typing.NewType
        if supertype is not None:
            return self.source(supertype, role)
        origin, args = get_origin(tp), get_args(tp)
        if origin is Literal:
            return self._literal([plain_value(a) for a in args])
        if is_union(tp):
            parts: list[str] = []
            for arg in args:
                text = self.source(arg, role)
                if text not in parts:
                    parts.append(text)
            return " | ".join(parts)
        if tp in (list, set, frozenset, tuple) or origin in (list, set, frozenset, tuple):
            return self._sequence(tp, origin or tp, args, role)
        if origin is not None and _is_abc(origin, ("Sequence", "MutableSequence", "Iterable")):
            return f"list[{self.source(args[0], role) if args else 'Any'}]"
        if tp is dict or origin is dict or (origin is not None and _is_abc(origin, ("Mapping",))):
            return self._mapping(args, role)
        if is_typeddict(tp) or is_pydantic_model(tp) or is_dataclass_type(tp):
            return self._struct(tp)
        raise self.fail(tp)

    def _literal(self, values: list[Any]) -> str:
        shown = [v for v in values if v is None or isinstance(v, str | int | bool)]
        if len(shown) != len(values):
            kinds = sorted({type(v).__name__ for v in values})
            return " | ".join("float" if k == "float" else "Any" for k in kinds)
        return "Literal[" + ", ".join(repr(v) for v in shown) + "]"

    def _sequence(self, tp: Any, origin: Any, args: tuple[Any, ...], role: Role) -> str:
        if origin is tuple:
            if not args:
                items = "Any"
            elif len(args) == 2 and args[1] is Ellipsis:
                items = self.source(args[0], role)
            elif args == ((),):
                items = "Any"
            else:
                if role == "param":
                    return "tuple[" + ", ".join(self.source(a, role) for a in args) + "]"
                items = self.source(typing.Union[args], role)  # noqa: UP007
            if role == "param":
                return f"tuple[{items}, ...] | list[{items}]"
            return f"list[{items}]"
        items = self.source(args[0], role) if args else "Any"
        if origin in (set, frozenset) and role == "param":
            return f"list[{items}] | set[{items}]"
        return f"list[{items}]"

    def _mapping(self, args: tuple[Any, ...], role: Role) -> str:
        if not args:
            return "dict[str, Any]"
        key = self.source(args[0], role)
        if role == "result" or (key not in ("int", "str") and not key.startswith("Literal[")):
            key = "str"
        return f"dict[{key}, {self.source(args[1], 'result' if role == 'result' else role)}]"

    # -- TypedDicts for structured values -------------------------------------------------
    def _struct(self, tp: Any) -> str:
        known = self.structs.get(tp)
        if known is not None:
            return known[0]
        name = tp.__name__
        n = 2
        while name in self._names:
            name = f"{tp.__name__}{n}"
            n += 1
        self._names.add(name)
        self.structs[tp] = (name, "")  # reserved first: recursive types terminate
        fields = struct_fields(tp)
        lines: list[str] = []
        described = [f"{key}: {desc}" for key, (_, _, desc) in fields.items() if desc]
        doc = struct_doc(tp)
        text = "\n".join([doc, *described]).strip() if doc or described else ""
        if text:
            lines.append(f"    {docstring(text, 4)}")
        identifiers = all(k.isidentifier() and not keyword.iskeyword(k) for k in fields)
        entries = []
        for key, (value, required, _) in fields.items():
            shown = self.source(value, "result")
            entries.append((key, shown if required else f"NotRequired[{shown}]"))
        if identifiers:
            head = f"class {name}(TypedDict):"
            lines += [f"    {key}: {shown}" for key, shown in entries]
            if not lines:
                lines.append("    pass")
            source = "\n".join([head, *lines])
        else:
            body = ", ".join(f"{key!r}: {shown}" for key, shown in entries)
            source = f"{name} = TypedDict({name!r}, {{{body}}})"
        self.structs[tp] = (name, source)
        return name

    def struct_sources(self) -> list[str]:
        return [source for _, source in self.structs.values() if source]


def _is_abc(origin: Any, names: tuple[str, ...]) -> bool:
    return getattr(origin, "__module__", "") == "collections.abc" and origin.__name__ in names


def struct_doc(tp: Any) -> str:
    """The class's own docstring (not pydantic's or dataclasses' generated one)."""
    doc = tp.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return ""
    doc = inspect.cleandoc(doc)
    if is_dataclass_type(tp) and doc.startswith(f"{tp.__name__}("):
        return ""  # dataclasses' generated signature
    return doc


def struct_fields(tp: Any) -> dict[str, tuple[Any, bool, str]]:
    """key -> (annotation, required, description) of a TypedDict, pydantic model or dataclass."""
    out: dict[str, tuple[Any, bool, str]] = {}
    if is_pydantic_model(tp):
        for name, field in tp.model_fields.items():
            key = field.alias or name
            annotation = field.annotation
            if field.metadata:
                annotation = typing.Annotated[(annotation, *field.metadata)]  # type: ignore[misc]
            out[key] = (annotation, field.is_required(), field.description or "")
        return out
    hints = typing.get_type_hints(tp, include_extras=True)
    if is_typeddict(tp):
        required = getattr(tp, "__required_keys__", frozenset(hints))
        for key, value in hints.items():
            value = _strip_required(value)
            out[key] = (value, key in required, annotated_description(value))
        return out
    for field in dataclasses.fields(tp):
        value = hints.get(field.name, Any)
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        out[field.name] = (value, required, annotated_description(value))
    return out


def annotated_description(tp: Any) -> str:
    """A description written in the annotation: `Annotated[T, "text"]` or `Field(description=)`."""
    _, metadata = unwrap_annotated(tp)
    for item in metadata:
        text = getattr(item, "description", None)
        if isinstance(text, str) and text.strip() and not isinstance(item, type):
            return text.strip()
    for item in metadata:
        if isinstance(item, str) and item.strip():
            return item.strip()
    return ""


def docstring(doc: str, indent: int) -> str:
    """A docstring literal for `doc`, continuation lines indented (raw when it has
    backslashes, so a pattern reads as written)."""
    pad = " " * indent
    if "\\" in doc and '"""' not in doc and not doc.endswith(("\\", '"')):
        return 'r"""' + doc.replace("\n", "\n" + pad) + '"""'
    doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if doc.endswith('"'):
        doc = doc[:-1] + '\\"'
    pad = " " * indent
    body = doc.replace("\n", "\n" + pad)
    return f'"""{body}"""'

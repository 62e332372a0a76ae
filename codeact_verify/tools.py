"""Tools as the verifier, the stubs and the sandbox see them.

A tool is a plain Python callable (sync or async). Its signature, annotations and docstring are
turned into a `ToolSpec`: a JSON schema of its parameters and result, and a typed stub that the
model reads and mypy checks against. Structured results are described with `TypedDict` (or a
pydantic model, which is shown to the program as the equivalent TypedDict, since results cross the
sandbox boundary as JSON).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import keyword
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from typing_extensions import is_typeddict

from .errors import ToolSpecError

ApprovalMode = Literal["never_require", "always_require"]
APPROVAL_MODES: tuple[str, ...] = ("never_require", "always_require")

_SCALARS: dict[type, tuple[str, str]] = {
    str: ("string", "str"),
    int: ("integer", "int"),
    float: ("number", "float"),
    bool: ("boolean", "bool"),
}


def _is_pydantic_model(tp: Any) -> bool:
    if not isinstance(tp, type):
        return False
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and issubclass(tp, pydantic.BaseModel)


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (typing.Union, types.UnionType)


class _TypeRenderer:
    """Turns annotations into JSON schema and into stub source, collecting the TypedDicts used."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.structs: dict[str, str] = {}  # class name -> class source

    def fail(self, tp: Any) -> ToolSpecError:
        return ToolSpecError(
            f"{self.where}: unsupported type {tp!r}; use str, int, float, bool, None, list[...], "
            "dict[str, ...], Literal[...], Optional/|, TypedDict or a pydantic model"
        )

    def schema(self, tp: Any) -> dict[str, Any]:
        if tp is Any or tp is inspect.Parameter.empty:
            return {}
        if tp is None or tp is type(None):
            return {"type": "null"}
        if tp in _SCALARS:
            return {"type": _SCALARS[tp][0]}
        origin, args = get_origin(tp), get_args(tp)
        if origin is typing.Annotated:
            return self.schema(args[0])
        if origin is Literal:
            return {"enum": list(args)}
        if _is_union(tp):
            return {"anyOf": [self.schema(a) for a in args]}
        if tp is list or origin is list:
            return {"type": "array", "items": self.schema(args[0])} if args else {"type": "array"}
        if tp is dict or origin is dict:
            if args and args[0] is not str:
                raise self.fail(tp)
            out: dict[str, Any] = {"type": "object"}
            if args:
                out["additionalProperties"] = self.schema(args[1])
            return out
        if is_typeddict(tp):
            hints = typing.get_type_hints(tp)
            required = sorted(getattr(tp, "__required_keys__", hints.keys()))
            self.source(tp)
            return {
                "type": "object",
                "title": tp.__name__,
                "properties": {k: self.schema(v) for k, v in hints.items()},
                "required": [k for k in hints if k in required],
            }
        if _is_pydantic_model(tp):
            self.source(tp)
            return tp.model_json_schema()
        raise self.fail(tp)

    def source(self, tp: Any) -> str:
        if tp is Any or tp is inspect.Parameter.empty:
            return "Any"
        if tp is None or tp is type(None):
            return "None"
        if tp in _SCALARS:
            return _SCALARS[tp][1]
        origin, args = get_origin(tp), get_args(tp)
        if origin is typing.Annotated:
            return self.source(args[0])
        if origin is Literal:
            return "Literal[" + ", ".join(repr(a) for a in args) + "]"
        if _is_union(tp):
            return " | ".join(self.source(a) for a in args)
        if tp is list or origin is list:
            return f"list[{self.source(args[0])}]" if args else "list[Any]"
        if tp is dict or origin is dict:
            return f"dict[str, {self.source(args[1])}]" if args else "dict[str, Any]"
        if is_typeddict(tp):
            hints = typing.get_type_hints(tp)
            required = getattr(tp, "__required_keys__", frozenset(hints))
            self._struct(tp.__name__, hints, required, tp)
            return tp.__name__
        if _is_pydantic_model(tp):
            hints = {n: f.annotation for n, f in tp.model_fields.items()}
            required = {n for n, f in tp.model_fields.items() if f.is_required()}
            self._struct(tp.__name__, hints, required, tp)
            return tp.__name__
        raise self.fail(tp)

    def _struct(self, name: str, hints: Mapping[str, Any], required: Any, tp: Any) -> None:
        if name in self.structs:
            return
        self.structs[name] = ""  # reserve first: recursive types terminate
        lines = [f"class {name}(TypedDict):"]
        doc = tp.__dict__.get("__doc__")
        if isinstance(doc, str) and doc.strip():
            lines.append(f"    {_docstring(inspect.cleandoc(doc), 4)}")
        for key, value in hints.items():
            text = self.source(value)
            lines.append(f"    {key}: {text if key in required else f'NotRequired[{text}]'}")
        if len(lines) == 1:
            lines.append("    pass")
        self.structs[name] = "\n".join(lines)


def _docstring(doc: str, indent: int) -> str:
    doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    pad = " " * indent
    body = doc.replace("\n", "\n" + pad)
    return f'"""{body}"""'


def _default_source(value: Any) -> str:
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    return "..."


@dataclass(frozen=True)
class ToolSpec:
    """One tool: what it is called, what it takes, what it returns, and the callable behind it."""

    name: str
    description: str
    func: Callable[..., Any] = field(repr=False, compare=False)
    is_async: bool
    parameters: dict[str, Any] = field(repr=False, compare=False)
    returns: dict[str, Any] = field(repr=False, compare=False)
    param_names: tuple[str, ...]
    approval_mode: ApprovalMode | None = None
    signature_source: str = field(default="", repr=False)
    structs: tuple[str, ...] = field(default=(), repr=False, compare=False)
    pydantic_params: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_callable(
        cls,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        approval_mode: ApprovalMode | None = None,
    ) -> ToolSpec:
        if not callable(func):
            raise ToolSpecError(f"tool {func!r} is not callable")
        tool_name = name or getattr(func, "__name__", None) or ""
        if (
            not tool_name.isidentifier()
            or keyword.iskeyword(tool_name)
            or tool_name.startswith("_")
        ):
            raise ToolSpecError(
                f"tool name {tool_name!r} must be a public Python identifier "
                "(no leading underscore)"
            )
        if approval_mode is None:
            approval_mode = getattr(func, "approval_mode", None)
        if approval_mode is not None and approval_mode not in APPROVAL_MODES:
            raise ToolSpecError(
                f"tool {tool_name!r}: approval_mode must be one of {APPROVAL_MODES}, "
                f"not {approval_mode!r}"
            )
        try:
            sig = inspect.signature(func)
            hints = typing.get_type_hints(func, include_extras=True)
        except (TypeError, ValueError, NameError) as exc:
            raise ToolSpecError(f"tool {tool_name!r}: cannot read its signature: {exc}") from exc
        render = _TypeRenderer(f"tool {tool_name!r}")
        properties: dict[str, Any] = {}
        required: list[str] = []
        params_src: list[str] = []
        pydantic_params: dict[str, Any] = {}
        saw_kw_only = False
        last_positional_only = False
        for param in sig.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise ToolSpecError(
                    f"tool {tool_name!r}: *args/**kwargs cannot be described; "
                    "declare each parameter"
                )
            ann = hints.get(param.name, inspect.Parameter.empty)
            schema = render.schema(ann)
            doc_default = param.default is not param.empty
            if doc_default and _default_source(param.default) != "...":
                schema = {**schema, "default": param.default}
            properties[param.name] = schema
            if not doc_default:
                required.append(param.name)
            if _is_pydantic_model(ann):
                pydantic_params[param.name] = ann
            if last_positional_only and param.kind is not param.POSITIONAL_ONLY:
                params_src.append("/")
            last_positional_only = param.kind is param.POSITIONAL_ONLY
            if param.kind is param.KEYWORD_ONLY and not saw_kw_only:
                params_src.append("*")
                saw_kw_only = True
            text = f"{param.name}: {render.source(ann)}"
            if doc_default:
                text += f" = {_default_source(param.default)}"
            params_src.append(text)
        if last_positional_only:
            params_src.append("/")
        ret = hints.get("return", inspect.Parameter.empty)
        returns = render.schema(ret)
        ret_src = render.source(ret)
        doc = description if description is not None else (inspect.getdoc(func) or "")
        is_async = inspect.iscoroutinefunction(func) or (
            not inspect.isroutine(func) and inspect.iscoroutinefunction(type(func).__call__)
        )
        return cls(
            name=tool_name,
            description=doc.strip(),
            func=func,
            is_async=is_async,
            parameters={
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            },
            returns=returns,
            param_names=tuple(sig.parameters),
            approval_mode=approval_mode,
            signature_source=f"def {tool_name}({', '.join(params_src)}) -> {ret_src}:",
            structs=tuple(s for s in render.structs.values() if s),
            pydantic_params=pydantic_params,
        )

    def stub(self) -> str:
        """The typed stub the model reads: signature line plus docstring."""
        body = _docstring(self.description, 4) if self.description else "..."
        return f"{self.signature_source}\n    {body}"

    def coerce_arguments(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """JSON arguments as the tool wants them (pydantic-model parameters are validated)."""
        out = dict(arguments)
        for key, model in self.pydantic_params.items():
            if key in out and isinstance(out[key], dict):
                out[key] = model.model_validate(out[key])
        return out


def to_jsonable(value: Any, path: str = "result") -> Any:
    """A tool result as plain JSON data; raises TypeError naming where a non-JSON value sits."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise TypeError(f"{path} is {value!r}, which JSON cannot represent")
        return value
    if _is_pydantic_model(type(value)):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value), path)
    if isinstance(value, list | tuple):
        return [to_jsonable(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{path} has a non-string key {k!r}; JSON object keys are strings")
            out[k] = to_jsonable(v, f"{path}[{k!r}]")
        return out
    raise TypeError(f"{path} is a {type(value).__name__}, which is not JSON-serialisable")


ToolLike = Callable[..., Any] | ToolSpec


def tool_specs(tools: Iterable[ToolLike] | Mapping[str, ToolSpec] | None) -> dict[str, ToolSpec]:
    """Specs by name from callables and/or specs. Duplicate names are an error."""
    if tools is None:
        return {}
    if isinstance(tools, Mapping):
        return dict(tools)
    out: dict[str, ToolSpec] = {}
    for tool in tools:
        spec = tool if isinstance(tool, ToolSpec) else ToolSpec.from_callable(tool)
        if spec.name in out:
            raise ToolSpecError(f"two tools are named {spec.name!r}")
        if spec.name in RESERVED_NAMES:
            raise ToolSpecError(f"tool name {spec.name!r} is reserved by the sandbox")
        out[spec.name] = spec
    return out


RESERVED_NAMES = frozenset(
    {
        "call_tool",
        "call_tools",
        "ToolError",
        "read_text",
        "write_text",
        "read_json",
        "write_json",
        "list_dir",
        "http_get",
        "http_request",
        "final_answer",
        "print",
    }
)

HELPERS_STUB = '''\
class ToolError(Exception):
    """A tool failed; catch it with try/except."""
    tool: str
    message: str
class HttpResponse(TypedDict):
    status: int
    headers: dict[str, str]
    text: str
    url: str
def call_tool(name: str, /, *args: Any, **kwargs: Any) -> Any: ...
def call_tools(
    calls: list[tuple[str, dict[str, Any]]], /, *, return_exceptions: bool = ...
) -> list[Any]: ...
def read_text(path: str) -> str: ...
def write_text(path: str, text: str) -> None: ...
def read_json(path: str) -> Any: ...
def write_json(path: str, data: Any) -> None: ...
def list_dir(path: str = ...) -> list[str]: ...
def http_get(
    url: str, *, headers: dict[str, str] | None = ..., timeout: float | None = ...
) -> HttpResponse: ...
def http_request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = ...,
    body: str | None = ...,
    json: Any = ...,
    timeout: float | None = ...,
) -> HttpResponse: ...
def final_answer(text: str) -> NoReturn: ...
'''


def stubs_module(specs: Mapping[str, ToolSpec], *, helpers: bool = True) -> str:
    """A complete stub module (.pyi text): TypedDicts, one def per tool, and the guest helpers."""
    parts = [
        "from typing import Any, Literal, NoReturn, TypedDict",
        "from typing_extensions import NotRequired",
        "",
    ]
    seen: set[str] = set()
    for spec in specs.values():
        for struct in spec.structs:
            if struct not in seen:
                seen.add(struct)
                parts.append(struct)
    if helpers:
        parts.append(HELPERS_STUB)
    parts += [spec.stub() for spec in specs.values()]
    return "\n".join(parts) + "\n"


def load_tools_file(path: str | Path) -> list[Callable[..., Any]]:
    """The public top-level functions defined in a Python file, in definition order."""
    path = Path(path)
    if not path.is_file():
        raise ToolSpecError(f"tools file not found: {path}")
    module_name = f"_codeact_tools_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ToolSpecError(f"cannot load tools file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the file is user input: report, don't crash
        sys.modules.pop(module_name, None)
        raise ToolSpecError(f"cannot load tools file {path}: {type(exc).__name__}: {exc}") from exc
    funcs = [
        value
        for key, value in vars(module).items()
        if not key.startswith("_") and inspect.isfunction(value) and value.__module__ == module_name
    ]
    funcs.sort(key=lambda f: f.__code__.co_firstlineno)
    return funcs

"""Tools as the verifier, the stubs and the sandbox see them.

A tool is a plain Python callable (sync or async), annotated the way people annotate tools for
agent frameworks. Its signature, annotations and docstring become a `ToolSpec`:

- a JSON schema of its parameters and of its result, produced by pydantic's `TypeAdapter` (the
  guest and the verifier check arguments against it with `codeact_verify.guest.runtime.schema`);
- a typed stub the model reads and mypy checks programs against (`tooltypes.StubTypes`), with
  every description the author wrote: docstring `Args:`/`Parameters` entries,
  `Annotated[T, "text"]`, `Field(description=...)`, constraints, and model field descriptions;
- the parameters for the one argument binder (`codeact_verify.guest.runtime.binding`), shared
  by the verifier, the guest and the host;
- host-side validation and conversion (`ToolSpec.call_arguments`: JSON -> Enum members, dates,
  dataclasses, models ...) and result conversion to JSON (`ToolSpec.result_json`).

Parameters a framework injects (Agent Framework's `FunctionInvocationContext`, the OpenAI
Agents SDK's `RunContextWrapper`/`ToolContext`, pydantic-ai's `RunContext`, LangChain's
`RunnableConfig`, LangGraph's `InjectedState`/`InjectedStore`/`InjectedToolArg`/
`InjectedToolCallId`) are left out of the model's view; the host passes the parameter's default,
or None. A type pydantic cannot describe is refused when the tool is loaded (`ToolSpecError`).
"""

from __future__ import annotations

import decimal
import importlib
import importlib.util
import inspect
import json
import keyword
import sys
import threading
import typing
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import ToolSpecError
from .tooldocs import constraint_text, split_docstring
from .tooltypes import (
    StubTypes,
    annotated_description,
    docstring,
    for_pydantic,
    is_injected,
    plain_value,
)

_binding: Any = importlib.import_module("codeact_verify.guest.runtime.binding")
# The sandbox ABI: the helpers' names and signatures (the reserved names and the stub below).
_abi: Any = importlib.import_module("codeact_verify.guest.runtime.abi")

ApprovalMode = Literal["never_require", "always_require"]
APPROVAL_MODES: tuple[str, ...] = ("never_require", "always_require")

_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: _binding.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD: _binding.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.VAR_POSITIONAL: _binding.VAR_POSITIONAL,
    inspect.Parameter.KEYWORD_ONLY: _binding.KEYWORD_ONLY,
    inspect.Parameter.VAR_KEYWORD: _binding.VAR_KEYWORD,
}

Param = tuple[str, str, bool]  # (name, binding kind, has a default)


class ToolArgumentError(TypeError):
    """The host refused a tool call's arguments (they do not fit the tool's parameters)."""


def _default_source(value: Any) -> str:
    value = plain_value(value)
    if value is None or isinstance(value, bool | int | float | str):
        text = repr(value)
        return text if len(text) <= 60 else "..."
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        return repr(iso())
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return repr(str(value))
    return "..."


def _jsonable_default(value: Any) -> Any:
    from pydantic_core import to_jsonable_python

    try:
        out = to_jsonable_python(value)
        json.dumps(out, allow_nan=False)
    except Exception:  # a default that is not JSON data is simply not shown in the schema
        return ...
    return out


def _field_info_default(value: Any) -> tuple[bool, Any]:
    """(has a default, the default) of a `param: T = Field(...)` default."""
    from pydantic.fields import FieldInfo
    from pydantic_core import PydanticUndefined

    assert isinstance(value, FieldInfo)
    if value.default is not PydanticUndefined:
        return True, value.default
    if value.default_factory is not None:
        return True, value.default_factory()  # type: ignore[call-arg]
    return False, None


def _type_name(tp: Any) -> str:
    return getattr(tp, "__qualname__", None) or repr(tp)


@dataclass(frozen=True)
class _Visible:
    name: str
    kind: str
    has_default: bool
    default: Any
    annotation: Any
    description: str


def _read_parameters(
    tool_name: str,
    sig: inspect.Signature,
    hints: Mapping[str, Any],
    arg_docs: Mapping[str, str],
) -> tuple[list[Param], list[_Visible], dict[str, Any], dict[str, Any]]:
    """(all parameters, the visible ones, injected name -> value, defaults for the call)."""
    from pydantic.fields import FieldInfo

    every: list[Param] = []
    visible: list[_Visible] = []
    injected: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for param in sig.parameters.values():
        kind = _KINDS[param.kind]
        annotation = hints.get(param.name, Any)
        has_default = param.default is not param.empty
        default = param.default if has_default else None
        if isinstance(default, FieldInfo):  # `x: int = Field(3, ge=0)`
            annotation = typing.Annotated[annotation, default]
            has_default, default = _field_info_default(default)
        if has_default:
            defaults[param.name] = default
        every.append((param.name, kind, has_default))
        if is_injected(annotation):
            injected[param.name] = default
            continue
        description = annotated_description(annotation) or arg_docs.get(param.name, "")
        visible.append(
            _Visible(param.name, kind, has_default, default, annotation, description)
        )
    return every, visible, injected, defaults


def _arguments_type(tool_name: str, visible: list[_Visible]) -> Any:
    """A TypedDict of the bound arguments as they cross (what pydantic validates on the host)."""
    import pydantic
    import typing_extensions

    fields: dict[str, Any] = {}
    for p in visible:
        annotation = for_pydantic(p.annotation)
        if p.kind == _binding.VAR_POSITIONAL:
            annotation = list[annotation]  # type: ignore[valid-type]
        elif p.kind == _binding.VAR_KEYWORD:
            annotation = dict[str, annotation]  # type: ignore[valid-type]
        required = not p.has_default and p.kind not in (
            _binding.VAR_POSITIONAL,
            _binding.VAR_KEYWORD,
        )
        wrap = typing_extensions.Required if required else typing_extensions.NotRequired
        fields[p.name] = wrap[annotation]
    args_type = typing_extensions.TypedDict(f"{tool_name}_arguments", fields)  # type: ignore[operator]
    args_type.__pydantic_config__ = pydantic.ConfigDict(extra="forbid")  # type: ignore[attr-defined]
    return args_type


def _adapter(tp: Any, what: str) -> Any:
    """pydantic's TypeAdapter for `tp`, or ToolSpecError naming what could not be described."""
    import pydantic

    try:
        adapter = pydantic.TypeAdapter(for_pydantic(tp))
        adapter.json_schema()
    except Exception as exc:  # pydantic raises several kinds; all mean "cannot describe"
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ToolSpecError(
            f"{what} has type {_type_name(tp)}, which cannot be described as JSON: {message}"
        ) from exc
    return adapter


def _pydantic_message(exc: Any) -> str:
    parts = []
    for error in exc.errors(include_url=False)[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()))
        text = error.get("msg", "invalid")
        parts.append(f"parameter {where!r}: {text}" if where else text)
    return "; ".join(parts) or str(exc)


@dataclass(frozen=True)
class ToolSpec:
    """One tool: what it is called, what it takes, what it returns, and the callable behind it.

    ``parameters`` is the JSON schema of the arguments as they cross the sandbox boundary (an
    object with one property per parameter the model sees; ``*args`` as a list and
    ``**kwargs`` as an object under their own names); ``params`` are those parameters for the
    binder; ``injected`` are the framework-injected ones with the value the host passes.
    """

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
    params: tuple[Param, ...] = field(default=(), repr=False)
    injected: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    accepts_any_keyword: bool = False
    accepts_any_positional: bool = False
    doc: str = field(default="", repr=False, compare=False)
    all_params: tuple[Param, ...] = field(default=(), repr=False, compare=False)
    defaults: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    arguments_adapter: Any = field(default=None, repr=False, compare=False)
    result_adapter: Any = field(default=None, repr=False, compare=False)

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
        func_doc = inspect.getdoc(func) or ""
        summary, arg_docs = split_docstring(func_doc)
        if description is not None:
            summary, more = split_docstring(description)
            arg_docs = {**arg_docs, **more}
        every, visible, injected, defaults = _read_parameters(tool_name, sig, hints, arg_docs)
        where = f"tool {tool_name!r}"

        def fail(tp: Any) -> ToolSpecError:
            return ToolSpecError(f"{where}: type {_type_name(tp)} cannot be shown to the model")

        for p in visible:  # each parameter alone first: the error names the one at fault
            _adapter(p.annotation, f"{where}: parameter {p.name!r}")
        arguments_adapter = _adapter(_arguments_type(tool_name, visible), where)
        parameters = arguments_adapter.json_schema()
        parameters.pop("title", None)
        props = parameters.setdefault("properties", {})
        parameters.setdefault("required", [])
        for p in visible:
            prop = props.get(p.name, {})
            prop.pop("title", None)
            if p.description and "description" not in prop:
                prop["description"] = p.description
            if p.has_default:
                shown = _jsonable_default(p.default)
                if shown is not ...:
                    prop["default"] = shown
        ret = hints.get("return", Any)
        result_adapter = None
        returns: dict[str, Any] = {}
        if ret not in (Any, object, None, type(None)) and not is_injected(ret):
            result_adapter = _adapter(ret, f"{where}: the return type")
            returns = result_adapter.json_schema(mode="serialization")
        elif ret is None or ret is type(None):
            returns = {"type": "null"}

        render = StubTypes(where, fail)
        params_src = _signature_params(visible, render)
        ret_src = render.source(ret, "result")
        doc_lines = [summary] if summary else []
        for p in visible:
            prop = props.get(p.name, {})
            extra = constraint_text(_resolve(prop, parameters), parameters)
            text = "; ".join(t for t in (prop.get("description", ""), extra) if t)
            if text:
                doc_lines.append(f"{_star(p)}{p.name}: {text}")
        is_async = inspect.iscoroutinefunction(func) or (
            not inspect.isroutine(func) and inspect.iscoroutinefunction(type(func).__call__)
        )
        kinds = {p.kind for p in visible}
        return cls(
            name=tool_name,
            description=(description if description is not None else func_doc).strip(),
            func=func,
            is_async=is_async,
            parameters=parameters,
            returns=returns,
            param_names=tuple(p.name for p in visible),
            approval_mode=approval_mode,
            signature_source=f"def {tool_name}({', '.join(params_src)}) -> {ret_src}:",
            structs=tuple(render.struct_sources()),
            params=tuple((p.name, p.kind, p.has_default) for p in visible),
            injected=injected,
            accepts_any_keyword=_binding.VAR_KEYWORD in kinds,
            accepts_any_positional=_binding.VAR_POSITIONAL in kinds,
            doc="\n".join(doc_lines).strip(),
            all_params=tuple(every),
            defaults=defaults,
            arguments_adapter=arguments_adapter,
            result_adapter=result_adapter,
        )

    def stub(self) -> str:
        """The typed stub the model reads: signature line plus docstring."""
        body = docstring(self.doc, 4) if self.doc else "..."
        return f"{self.signature_source}\n    {body}"

    # -- the host side of a call ----------------------------------------------------------------
    def validate_arguments(self, arguments: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
        """The bound arguments (JSON text or decoded JSON) validated and converted by pydantic
        in strict JSON mode: Enum members, dates, tuples, sets, dataclasses, models... Raises
        ToolArgumentError naming the parameter."""
        import pydantic

        if self.arguments_adapter is None:  # pragma: no cover - built by from_callable
            raise ToolArgumentError(f"{self.name}(): the tool has no argument schema")
        text = arguments if isinstance(arguments, str | bytes) else json.dumps(arguments)
        try:
            return dict(self.arguments_adapter.validate_json(text, strict=True))
        except pydantic.ValidationError as exc:
            raise ToolArgumentError(f"{self.name}(): {_pydantic_message(exc)}") from None

    def call_arguments(
        self, arguments: str | bytes | Mapping[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        """(args, kwargs) for calling the tool: validated, converted, injected parameters
        added, positional-only parameters passed by position."""
        bound = self.validate_arguments(arguments)
        params = self.all_params or self.params
        if self.injected:
            self._refuse_injected_keywords(params, bound)
        bound.update(self.injected)
        return _binding.call_arguments(params, bound, self.defaults)

    def _refuse_injected_keywords(
        self, params: Iterable[tuple[str, str, bool]], bound: Mapping[str, Any]
    ) -> None:
        """A framework-injected parameter is the framework's alone: a program that names it as
        a keyword lands in the tool's ``**kwargs``, which is applied after the injected value
        and would replace it (red-team finding red3/02)."""
        for name, kind, _ in params:
            extra = bound.get(name) if kind == _binding.VAR_KEYWORD else None
            if isinstance(extra, Mapping):
                for key in extra:
                    if key in self.injected:
                        raise ToolArgumentError(
                            f"{self.name}(): {key!r} is set by the framework, not by the "
                            "program; leave it out"
                        )

    def coerce_arguments(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Validated keyword arguments (for tools without positional-only parameters; prefer
        `call_arguments`)."""
        args, kwargs = self.call_arguments(arguments)
        if args:
            names = [n for n, k, _ in self.all_params if k != _binding.VAR_POSITIONAL]
            kwargs = {**dict(zip(names, args, strict=False)), **kwargs}
        return kwargs

    def result_json(self, value: Any) -> Any:
        """A tool's result as plain JSON data (pydantic's JSON mode for the declared type).

        Raises TypeError saying what is not JSON."""
        return to_jsonable(value, adapter=self.result_adapter)


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return {**root.get("$defs", {}).get(ref[8:], {}), **schema}
    return schema


def _star(p: _Visible) -> str:
    return {"var_positional": "*", "var_keyword": "**"}.get(p.kind, "")


def _signature_params(visible: list[_Visible], render: StubTypes) -> list[str]:
    out: list[str] = []
    saw_star = False
    last_positional_only = False
    for p in visible:
        if last_positional_only and p.kind != _binding.POSITIONAL_ONLY:
            out.append("/")
        last_positional_only = p.kind == _binding.POSITIONAL_ONLY
        if p.kind == _binding.KEYWORD_ONLY and not saw_star:
            out.append("*")
        if p.kind in (_binding.VAR_POSITIONAL, _binding.KEYWORD_ONLY):
            saw_star = True
        text = f"{_star(p)}{p.name}: {render.source(p.annotation, 'param')}"
        if p.has_default:
            text += f" = {_default_source(p.default)}"
        out.append(text)
    if last_positional_only:
        out.append("/")
    return out


def to_jsonable(value: Any, path: str = "result", *, adapter: Any = None) -> Any:
    """A tool result as plain JSON data; raises TypeError naming what is not JSON.

    With the declared type's TypeAdapter the value is dumped in its JSON mode (Enum -> value,
    date -> ISO text, model/dataclass -> dict, set/tuple -> list); otherwise pydantic's
    `to_jsonable_python` converts what it knows. NaN and infinities are refused."""
    import pydantic_core

    if _plain(value, 0):
        return value
    try:
        if adapter is not None:
            try:
                out = adapter.dump_python(value, mode="json", by_alias=True, warnings=False)
            except pydantic_core.PydanticSerializationError:
                out = pydantic_core.to_jsonable_python(value, by_alias=True)
        else:
            out = pydantic_core.to_jsonable_python(value, by_alias=True)
    except pydantic_core.PydanticSerializationError as exc:
        raise TypeError(f"{path} is not JSON-serialisable: {exc}") from None
    problem = _not_json(out, path, 0)
    if problem:
        raise TypeError(problem)
    return out


def _plain(value: Any, depth: int) -> bool:
    kind = type(value)
    if kind in (str, int, bool, type(None)):
        return True
    if kind is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if depth > 100:
        return False
    if kind is list:
        return all(_plain(v, depth + 1) for v in value)
    if kind is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


def _not_json(value: Any, path: str, depth: int) -> str | None:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return f"{path} is {value!r}, which JSON cannot represent"
    if depth > 100:
        return f"{path} is nested too deeply"
    if isinstance(value, list):
        for i, item in enumerate(value):
            problem = _not_json(item, f"{path}[{i}]", depth + 1)
            if problem:
                return problem
    elif isinstance(value, dict):
        for k, item in value.items():
            if not isinstance(k, str):
                return f"{path} has a non-string key {k!r}; JSON object keys are strings"
            problem = _not_json(item, f"{path}[{k!r}]", depth + 1)
            if problem:
                return problem
    elif not isinstance(value, str | int | float | bool | type(None)):
        return f"{path} is a {type(value).__name__}, which is not JSON-serialisable"
    return None


ToolLike = Callable[..., Any] | ToolSpec


def tool_specs(tools: Iterable[ToolLike] | Mapping[str, ToolSpec] | None) -> dict[str, ToolSpec]:
    """Specs by name from callables and/or specs. Duplicate names and names the sandbox
    reserves (its helpers, `print`) are an error, for a mapping of specs too (an MCP server's
    tools arrive as one: red-team finding red3/07)."""
    if tools is None:
        return {}
    if isinstance(tools, Mapping):
        for name in tools:
            if name in RESERVED_NAMES:
                raise ToolSpecError(f"tool name {name!r} is reserved by the sandbox")
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


def _stub_params(params: Iterable[Any]) -> str:
    """A stub's parameter list (every default as `...`) from the ABI's parameters."""
    out: list[str] = []
    positional_only = saw_star = False
    for p in params:
        if positional_only and p.kind != _abi.POSITIONAL_ONLY:
            out.append("/")
        positional_only = p.kind == _abi.POSITIONAL_ONLY
        if p.kind == _abi.KEYWORD_ONLY and not saw_star:
            out.append("*")
        star = {_abi.VAR_POSITIONAL: "*", _abi.VAR_KEYWORD: "**"}.get(p.kind, "")
        saw_star = saw_star or p.kind in (_abi.VAR_POSITIONAL, _abi.KEYWORD_ONLY)
        default = "" if p.default is _abi.REQUIRED else " = ..."
        out.append(f"{star}{p.name}: {p.type}{default}")
    if positional_only:
        out.append("/")
    return ", ".join(out)


def helpers_stub(helpers: Iterable[Any] | None = None, structs: Iterable[Any] | None = None) -> str:
    """The typed stub of the sandbox's helpers (mypy checks programs against it), generated
    from the sandbox ABI (`codeact_verify.guest.runtime.abi`): its TypedDicts, then one class or
    def per helper."""
    lines: list[str] = []
    helpers = list(_abi.HELPERS if helpers is None else helpers)
    for helper in helpers:
        if helper.is_class:
            lines.append(f"class {helper.name}(Exception):")
            lines.append(f'    """{helper.doc}"""')
            lines += [f"    {name}: {tp}" for name, tp in helper.fields]
    for name, fields in _abi.STRUCTS if structs is None else structs:
        lines.append(f"class {name}(TypedDict):")
        lines += [f"    {field_name}: {tp}" for field_name, tp in fields]
    for helper in helpers:
        if not helper.is_class:
            params = _stub_params(helper.params)
            lines.append(f"def {helper.name}({params}) -> {helper.returns}: ...")
    return "\n".join(lines) + "\n"


# Names a tool may not have: the sandbox's helpers (the ABI's) and `print` (rewritten).
RESERVED_NAMES = frozenset(_abi.HELPER_NAMES) | {"print"}

HELPERS_STUB = helpers_stub()


_STUB_CACHE: dict[tuple[Any, ...], tuple[tuple[ToolSpec, ...], str]] = {}
_STUB_CACHE_SIZE = 64
_STUB_LOCK = threading.Lock()


def stubs_module(specs: Mapping[str, ToolSpec], *, helpers: bool = True) -> str:
    """A complete stub module (.pyi text): TypedDicts, one def per tool, and the guest helpers.

    Remembered per tool set: the same `ToolSpec` objects (frozen), in the same order under the
    same names. The entry holds the specs themselves, so an id in its key cannot be reused by
    another spec while the entry lives; any other tool set is built anew."""
    key = (helpers, tuple((name, id(spec)) for name, spec in specs.items()))
    hit = _STUB_CACHE.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], specs.values(), strict=True)):
        return hit[1]
    text = _stubs_module(specs, helpers)
    with _STUB_LOCK:
        while len(_STUB_CACHE) >= _STUB_CACHE_SIZE:
            del _STUB_CACHE[next(iter(_STUB_CACHE))]
        _STUB_CACHE[key] = (tuple(specs.values()), text)
    return text


def _stubs_module(specs: Mapping[str, ToolSpec], helpers: bool) -> str:
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

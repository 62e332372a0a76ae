"""A `ToolSpec` typed from JSON schemas (an MCP tool's `inputSchema`/`outputSchema`).

The schema becomes a typed stub the model reads and mypy checks, exactly like a Python tool's
annotations: `string`/`integer`/`number`/`boolean`/`null` become str/int/float/bool/None, `enum` and
`const` become `Literal[...]`, `anyOf`/`oneOf`/type lists become unions, arrays `list[...]`,
objects with `properties` a `TypedDict` (missing from `required`: `NotRequired`), other objects
`dict[str, ...]`, and local `$ref`s into `$defs`/`definitions` are followed. Anything else is
`Any` (never rejected for being loose). The result type comes from `outputSchema` when the
server declares one, else `Any`.

```python
spec = tool_spec_from_json_schema(
    "get_forecast", {"type": "object", "properties": {"city": {"type": "string"}},
                     "required": ["city"]}, func=call, description="Forecast for a city.")
spec.signature_source  # 'def get_forecast(city: str) -> Any:'
```
"""

from __future__ import annotations

import functools
import inspect
import json
import keyword
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..errors import ToolSpecError
from ..linear_regex import linear_pattern
from ..tools import APPROVAL_MODES, ApprovalMode, ToolArgumentError, ToolSpec

__all__ = ["python_name", "schema_type_source", "tool_spec_from_json_schema"]

_SCALARS = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
}
_MAX_DEPTH = 12


def python_name(name: str) -> str:
    """A public Python identifier for a tool or class name ("get-forecast" -> "get_forecast")."""
    text = re.sub(r"\W", "_", name.strip()).lstrip("_") or "tool"
    if text[0].isdigit():
        text = "t_" + text
    if keyword.iskeyword(text):
        text += "_"
    return text


def _class_name(text: str) -> str:
    parts = [p for p in re.split(r"[^0-9A-Za-z]+", text) if p]
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Struct"
    return "T" + name if name[0].isdigit() else name


def _literal(value: Any) -> str | None:
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float) and value == value and value not in (float("inf"), -float("inf")):
        return repr(value)
    return None


class _SchemaStubs:
    """Renders JSON schema as stub type source, collecting the TypedDict classes it needs."""

    def __init__(self, root: Mapping[str, Any], prefix: str, taken: set[str]) -> None:
        self.root = root
        self.prefix = prefix
        self.taken = taken  # class names already used (across tools)
        self.structs: dict[str, str] = {}
        self._by_ref: dict[str, str] = {}

    def _resolve(self, schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], str | None]:
        ref = schema.get("$ref")
        seen = 0
        while isinstance(ref, str) and seen < 20:
            match = re.fullmatch(r"#/(\$defs|definitions)/(.+)", ref)
            if match is None:
                return {}, None
            target = self.root.get(match.group(1), {}).get(match.group(2))
            if not isinstance(target, Mapping):
                return {}, None
            schema, seen = target, seen + 1
            last = match.group(2)
            ref = schema.get("$ref")
            if not isinstance(ref, str):
                return schema, last
        return schema, None

    def _unique(self, wanted: str) -> str:
        name, i = wanted, 2
        while name in self.taken:
            name, i = f"{wanted}{i}", i + 1
        self.taken.add(name)
        return name

    def source(self, schema: Any, hint: str, depth: int = 0) -> str:
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return "Any"
        ref_name = None
        if "$ref" in schema:
            ref = str(schema["$ref"])
            if ref in self._by_ref:
                return self._by_ref[ref]
            schema, ref_name = self._resolve(schema)
            if ref_name is not None and _is_struct(schema):
                name = self._unique(_class_name(ref_name))
                self._by_ref[ref] = name
                self._struct(name, schema, depth)
                return name
        if "const" in schema:
            lit = _literal(schema["const"])
            return f"Literal[{lit}]" if lit is not None else "Any"
        if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
            lits = [_literal(v) for v in schema["enum"]]
            if all(lit is not None for lit in lits):
                return "Literal[" + ", ".join(lits) + "]"  # type: ignore[arg-type]
            return "Any"
        for key in ("anyOf", "oneOf"):
            alts = schema.get(key)
            if isinstance(alts, list) and alts:
                return _union([self.source(a, hint, depth + 1) for a in alts])
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            return self.source(all_of[0], hint, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            return _union([self.source({**schema, "type": k}, hint, depth + 1) for k in kind])
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "array":
            items = schema.get("items")
            return f"list[{self.source(items, hint + 'Item', depth + 1)}]"
        if kind == "object" or (kind is None and "properties" in schema):
            if _is_struct(schema):
                title = schema.get("title")
                wanted = _class_name(title) if isinstance(title, str) and title else hint
                name = self._unique(wanted)
                self._struct(name, schema, depth)
                return name
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping) and extra:
                return f"dict[str, {self.source(extra, hint + 'Value', depth + 1)}]"
            return "dict[str, Any]"
        return "Any"

    def _struct(self, name: str, schema: Mapping[str, Any], depth: int) -> None:
        self.structs[name] = ""  # reserved first: recursive schemas terminate
        props = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        lines = [f"class {name}(TypedDict):"]
        for key, sub in props.items():
            text = self.source(sub, name + _class_name(key), depth + 1)
            lines.append(f"    {key}: {text if key in required else f'NotRequired[{text}]'}")
        self.structs[name] = "\n".join(lines)


def _is_struct(schema: Mapping[str, Any]) -> bool:
    props = schema.get("properties")
    return (
        isinstance(props, Mapping)
        and bool(props)
        and all(isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k) for k in props)
    )


def _union(parts: list[str]) -> str:
    out: list[str] = []
    for part in parts:
        if part == "Any":
            return "Any"
        if part not in out:
            out.append(part)
    return " | ".join(out)


class _SchemaArguments:
    """The host-side argument check for a schema tool (the `arguments_adapter` of its spec):
    JSON arguments validated against the input schema with `jsonschema`."""

    def __init__(self, name: str, schema: Mapping[str, Any]) -> None:
        import jsonschema

        self.name = name
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        self.validator = _linear_patterns(cls)(schema)

    def validate_json(self, text: str | bytes, strict: bool = True) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ToolArgumentError(f"{self.name}(): the arguments are not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise ToolArgumentError(f"{self.name}(): the arguments must be a JSON object")
        error = next(iter(self.validator.iter_errors(value)), None)
        if error is not None:
            where = ".".join(str(p) for p in error.absolute_path) or "arguments"
            raise ToolArgumentError(f"{self.name}(): {where}: {error.message}")
        return value


def _search(pattern: object, text: str) -> bool | None:
    """`re.search(pattern, text)` in linear time (`linear_regex`); None when Rust's engine does
    not compile the pattern (the check is then left to the server)."""
    linear = linear_pattern(pattern)
    return None if linear is None else linear.search(text)


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and _search(pattern, instance) is False:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    validator: Any, extra: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    from jsonschema import ValidationError

    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    # a key an uncompilable pattern might match is not called additional (lenient: the server
    # checks its own input)
    extras = [
        key
        for key in instance
        if key not in properties and not any(_search(p, key) is not False for p in patterns)
    ]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        shown = ", ".join(repr(k) for k in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({shown} unexpected)")


def _linear_patterns(cls: Any) -> Any:
    """``cls`` (a jsonschema validator class) with `pattern`, `patternProperties` and
    `additionalProperties` matched in linear time: jsonschema uses Python's `re`, which on a
    sloppy server pattern held the GIL for minutes on a 30-character key a program chose
    (red-team finding red3/05)."""
    import jsonschema

    return jsonschema.validators.extend(
        cls,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": _additional_properties,
        },
    )


def _by_keyword(func: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    """`func(**arguments)` callable with positional arguments too (in `names` order)."""
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def acall(*args: Any, **kwargs: Any) -> Any:
            return await func(**dict(zip(names, args, strict=False)), **kwargs)

        return acall

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        return func(**dict(zip(names, args, strict=False)), **kwargs)

    return call


def tool_spec_from_json_schema(
    name: str,
    input_schema: Mapping[str, Any] | None,
    *,
    func: Callable[..., Any],
    description: str = "",
    output_schema: Mapping[str, Any] | None = None,
    approval_mode: ApprovalMode | None = None,
    taken_names: set[str] | None = None,
) -> ToolSpec:
    """A `ToolSpec` whose stub, parameters and result come from JSON schemas.

    `func(**arguments)` performs the call (sync or async). `taken_names`: TypedDict class names
    already used by other tools of the same set (updated), so two tools' classes never clash.
    Raises `ToolSpecError` for a name or a parameter that is not a Python identifier.
    """
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        raise ToolSpecError(
            f"tool name {name!r} must be a public Python identifier (see python_name())"
        )
    if approval_mode is not None and approval_mode not in APPROVAL_MODES:
        raise ToolSpecError(f"tool {name!r}: approval_mode must be one of {APPROVAL_MODES}")
    schema: dict[str, Any] = dict(input_schema or {})
    if schema.get("type", "object") != "object":
        raise ToolSpecError(f"tool {name!r}: inputSchema must describe an object")
    props = schema.get("properties") or {}
    if not isinstance(props, Mapping):
        raise ToolSpecError(f"tool {name!r}: inputSchema properties must be an object")
    for pname in props:
        if not isinstance(pname, str) or not pname.isidentifier() or keyword.iskeyword(pname):
            raise ToolSpecError(
                f"tool {name!r}: parameter {pname!r} is not a Python identifier; "
                "a program could not pass it by keyword"
            )
    required = [p for p in props if p in set(schema.get("required") or ())]
    optional = [p for p in props if p not in required]
    taken = taken_names if taken_names is not None else set()
    render = _SchemaStubs(schema, _class_name(name), taken)
    params_src = []
    for pname in [*required, *optional]:
        text = f"{pname}: {render.source(props[pname], _class_name(name) + _class_name(pname))}"
        if pname not in required:
            default = props[pname].get("default") if isinstance(props[pname], Mapping) else None
            shown = _literal(default) if default is not None else None
            text += f" = {shown or '...'}"
        params_src.append(text)
    returns: dict[str, Any] = dict(output_schema or {})
    ret_src = "Any"
    if returns:
        out = _SchemaStubs(returns, _class_name(name), taken)
        ret_src = out.source(returns, _class_name(name) + "Result")
        render.structs.update(out.structs)
    parameters = {"type": "object", "properties": dict(props), "required": required}
    for key in ("$defs", "definitions", "additionalProperties"):
        if key in schema:
            parameters[key] = schema[key]
    is_async = inspect.iscoroutinefunction(func) or (
        not inspect.isroutine(func) and inspect.iscoroutinefunction(type(func).__call__)
    )
    doc = (description or "").strip()
    names = [*required, *optional]
    return ToolSpec(
        name=name,
        description=doc,
        func=_by_keyword(func, names),
        is_async=is_async,
        parameters=parameters,
        returns=returns,
        param_names=tuple(names),
        approval_mode=approval_mode,
        signature_source=f"def {name}({', '.join(params_src)}) -> {ret_src}:",
        structs=tuple(s for s in render.structs.values() if s),
        params=tuple((n, "positional_or_keyword", n not in required) for n in names),
        doc=doc,
        arguments_adapter=_SchemaArguments(name, parameters),
    )


def schema_type_source(schema: Mapping[str, Any], hint: str = "Value") -> tuple[str, list[str]]:
    """The stub type for one JSON schema and the TypedDict classes it needs (for docs, tests)."""
    render = _SchemaStubs(schema, hint, set())
    text = render.source(schema, hint)
    return text, [s for s in render.structs.values() if s]

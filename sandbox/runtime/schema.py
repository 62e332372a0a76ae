"""A small JSON-schema validator for tool arguments, and the JSON wire form of values.

One validator for the verifier (literal arguments), the guest (every call, before it crosses)
and the tests; the host validates again with pydantic. Pure Python, standard library only: the
module runs on the host as `codeact_verify.guest.runtime.schema` and is bundled into the guest.

It covers what pydantic's `TypeAdapter.json_schema()` emits for tool parameters: type, enum,
const, anyOf/oneOf/allOf, local $ref into $defs/definitions, properties/required/
additionalProperties/propertyNames, items/prefixItems/minItems/maxItems (uniqueItems is read
but repeats are allowed, as pydantic's sets allow them), minimum/maximum/exclusiveMinimum/
exclusiveMaximum/multipleOf, minLength/maxLength/pattern, and the formats date, date-time,
time and uuid (best effort: the host's check is the exact one).
A message names the value's place, e.g. "parameter 'city' expects string, got int".

Values must be plain JSON data (exact dict, list, str, int, float, bool, None): check the
decoded copy of what is sent (`wire_copy`), never the program's own objects, whose methods the
program controls.
"""

import json
import re

_TYPE_NAMES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
    "array": "list",
    "object": "dict",
}


class Unknown:
    """A value the verifier cannot know before running (a name, a call): fits anything, or
    any string when ``kind`` is "string" (an f-string)."""

    __slots__ = ("kind",)

    def __init__(self, kind=None):
        self.kind = kind

    def __repr__(self):
        return "<unknown>"


UNKNOWN = Unknown()
UNKNOWN_STRING = Unknown("string")


def _default(value):
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


# ASCII-only text: a lone surrogate in a str is written as an escape, so it crosses safely
encode = json.JSONEncoder(ensure_ascii=True, allow_nan=False, default=_default).encode
decode = json.JSONDecoder().decode

_PLAIN = (str, int, float, bool, type(None))


def is_plain_scalar(value):
    """True for an exact str/int/float/bool/None: it encodes and decodes to an equal value."""
    return type(value) in _PLAIN


def wire_copy(value):
    """(text, copy): the JSON text of ``value`` and the plain data that text decodes to.

    Raises TypeError or ValueError when the value is not JSON data (sets become lists)."""
    text = encode(value)
    return text, decode(text)


def _type_ok(value, name):
    if type(value) is Unknown:
        return value.kind is None or value.kind == name
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "array":
        return isinstance(value, (list, tuple))
    if name == "object":
        return isinstance(value, dict)
    return True


def _same(a, b):
    """JSON equality: bools are not numbers, 1 == 1.0, containers compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return False


# pydantic (the host's exact check) also takes a Unix timestamp in a string: "1", "-3", "1.5"
# for a datetime, one at midnight ("0", "86400") for a date. The guest lets those through too
# (the host decides), so it never refuses a value the host would accept.
_FORMATS = {
    "date": re.compile(r"(\d{4}-\d{2}-\d{2}|[+-]?\d+)\Z"),
    "date-time": re.compile(
        r"(\d{4}-\d{2}-\d{2}([Tt ]\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?"
        r"|[+-]?\d+(\.\d+)?)\Z"
    ),
    "time": re.compile(r"\d{2}(:\d{2}(:\d{2}([.,]\d+)?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?\Z"),
    "uuid": re.compile(r"(urn:uuid:)?\{?[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}\}?\Z"),
}
_FORMAT_NAMES = {
    "date": "an ISO date (YYYY-MM-DD)",
    "date-time": "an ISO date-time (YYYY-MM-DDTHH:MM:SS)",
    "time": "an ISO time (HH:MM:SS)",
    "uuid": "a UUID",
}


def describe(schema, checker=None):
    """A schema as the Python type a program would write."""
    if checker is not None:
        schema = checker.resolve(schema)
    if not schema:
        return "Any"
    if "enum" in schema:
        return "Literal[" + ", ".join(repr(v) for v in schema["enum"]) + "]"
    if "const" in schema:
        return f"Literal[{schema['const']!r}]"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(describe(s, checker) for s in schema[key])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(describe({**schema, "type": k}, checker) for k in kind)
    if kind == "array":
        items = schema.get("items")
        return f"list[{describe(items, checker)}]" if isinstance(items, dict) else "list"
    if kind == "object":
        if "title" in schema and "properties" in schema:
            return str(schema["title"])
        extra = schema.get("additionalProperties")
        return f"dict[str, {describe(extra, checker)}]" if isinstance(extra, dict) else "dict"
    if kind == "string" and schema.get("format") in _FORMAT_NAMES:
        return f"str ({_FORMAT_NAMES[schema['format']]})"
    return _TYPE_NAMES.get(str(kind), "Any")


def _typename(value):
    if value is None:
        return "None"
    if type(value) is Unknown:
        return "a value"
    return type(value).__name__


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class SchemaChecker:
    """Checks values against one root schema (which holds any $defs)."""

    def __init__(self, root):
        self.root = root
        self._patterns = {}

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 50:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                return {}
            node = self.root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            if len(schema) > 1:  # sibling keywords (e.g. "default") apply too
                node = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
            schema = node
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def _pattern(self, pattern):
        compiled = self._patterns.get(pattern)
        if compiled is None:
            try:
                compiled = re.compile(pattern)
            except (re.error, TypeError):
                compiled = False
            self._patterns[pattern] = compiled
        return compiled

    def error(self, value, schema, where, depth=0):
        """None if `value` fits `schema`, else a message naming `where`."""
        if depth > 64:
            return f"{where} is nested too deeply"
        schema = self.resolve(schema)
        if not schema or value is UNKNOWN:
            return None
        unknown = type(value) is Unknown
        if "enum" in schema and not unknown:
            if not any(_same(value, e) for e in schema["enum"]):
                return f"{where} expects {describe(schema)}, got {_short(value)}"
        if "const" in schema and not unknown and not _same(value, schema["const"]):
            return f"{where} expects {schema['const']!r}, got {_short(value)}"
        for key in ("anyOf", "oneOf"):
            if key in schema:
                if not any(
                    self.error(value, alt, where, depth + 1) is None for alt in schema[key]
                ):
                    return f"{where} expects {describe(schema, self)}, got {_typename(value)}"
        for sub in schema.get("allOf", ()):
            problem = self.error(value, sub, where, depth + 1)
            if problem:
                return problem
        kind = schema.get("type")
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(_type_ok(value, k) for k in kinds):
                return f"{where} expects {describe(schema, self)}, got {_typename(value)}"
        if unknown:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return self._number(value, schema, where)
        if isinstance(value, str):
            return self._string(value, schema, where)
        if isinstance(value, (list, tuple)):
            return self._array(value, schema, where, depth)
        if isinstance(value, dict):
            return self._object(value, schema, where, depth)
        return None

    def _number(self, value, schema, where):
        if "minimum" in schema and value < schema["minimum"]:
            return f"{where} must be >= {schema['minimum']}, got {value!r}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"{where} must be <= {schema['maximum']}, got {value!r}"
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return f"{where} must be > {schema['exclusiveMinimum']}, got {value!r}"
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            return f"{where} must be < {schema['exclusiveMaximum']}, got {value!r}"
        step = schema.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            ratio = value / step
            if abs(ratio - round(ratio)) > 1e-9:
                return f"{where} must be a multiple of {step}, got {value!r}"
        return None

    def _string(self, value, schema, where):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"{where} must have at least {schema['minLength']} characters"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"{where} must have at most {schema['maxLength']} characters"
        pattern = schema.get("pattern")
        if pattern is not None:
            compiled = self._pattern(pattern)
            if compiled and compiled.search(value) is None:
                return f"{where} must match the pattern {pattern!r}, got {_short(value)}"
        fmt = _FORMATS.get(schema.get("format"))
        if fmt is not None and fmt.match(value) is None:
            return f"{where} must be {_FORMAT_NAMES[schema['format']]}, got {_short(value)}"
        return None

    def _array(self, value, schema, where, depth):
        if "minItems" in schema and len(value) < schema["minItems"]:
            return f"{where} must have at least {schema['minItems']} items, got {len(value)}"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"{where} must have at most {schema['maxItems']} items, got {len(value)}"
        prefix = schema.get("prefixItems") or ()
        items = schema.get("items")
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else items
            if sub is False:
                return f"{where} must have at most {len(prefix)} items, got {len(value)}"
            if isinstance(sub, dict):
                problem = self.error(item, sub, f"{where}[{i}]", depth + 1)
                if problem:
                    return problem
        # uniqueItems (sets) is not enforced: pydantic's sets take a list with repeats and drop
        # them, and the guest must not refuse what the host accepts
        return None

    def _object(self, value, schema, where, depth):
        props = schema.get("properties") or {}
        for key in schema.get("required") or ():
            if key not in value:
                return f"{where} is missing key {key!r}"
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            return f"{where} must have at most {schema['maxProperties']} keys"
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            return f"{where} must have at least {schema['minProperties']} keys"
        extra = schema.get("additionalProperties", True)
        names = schema.get("propertyNames")
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has a non-string key {_short(key)}"
            if isinstance(names, dict):
                problem = self.error(key, names, f"{where} key {key!r}", depth + 1)
                if problem:
                    return problem
            if key in props:
                problem = self.error(item, props[key], f"{where}[{key!r}]", depth + 1)
            elif extra is False:
                return f"{where} has an unexpected key {key!r}"
            elif isinstance(extra, dict):
                problem = self.error(item, extra, f"{where}[{key!r}]", depth + 1)
            else:
                problem = None
            if problem:
                return problem
        return None


def validate(value, schema, where="value"):
    """None if `value` fits `schema` (a root schema), else the message."""
    return SchemaChecker(schema).error(value, schema, where)

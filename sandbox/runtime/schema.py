"""A small JSON-schema checker for tool arguments, run inside the guest before a call crosses.

It covers what `ToolSpec` emits: type, enum, const, properties/required/additionalProperties,
items/prefixItems, anyOf/oneOf/allOf, local $ref into $defs/definitions, and numeric/length
bounds. The message names the value's place, e.g. "parameter 'city' expects string, got int".
"""

_TYPE_NAMES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
    "array": "list",
    "object": "dict",
}


def _type_ok(value, name):
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


def _describe(schema):
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(_TYPE_NAMES.get(k, k) for k in kind)
    if kind == "object" and schema.get("title"):
        return schema["title"]
    if kind:
        return _TYPE_NAMES.get(kind, kind)
    alts = schema.get("anyOf") or schema.get("oneOf")
    if alts:
        return " | ".join(_describe(a) for a in alts)
    return "a value"


def _typename(value):
    if value is None:
        return "None"
    return type(value).__name__


class SchemaChecker:
    """Checks values against one root schema (which holds any $defs)."""

    def __init__(self, root):
        self.root = root

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 50:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                return {}
            node = self.root
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            schema = node
            seen += 1
        return schema if isinstance(schema, dict) else {}

    def error(self, value, schema, where, depth=0):
        """None if `value` fits `schema`, else a message naming `where`."""
        if depth > 64:
            return f"{where} is nested too deeply"
        schema = self.resolve(schema)
        if not schema:
            return None
        if "enum" in schema and value not in schema["enum"]:
            return f"{where} expects {_describe(schema)}, got {value!r}"
        if "const" in schema and value != schema["const"]:
            return f"{where} expects {schema['const']!r}, got {value!r}"
        for key in ("anyOf", "oneOf"):
            if key in schema:
                if not any(
                    self.error(value, alt, where, depth + 1) is None for alt in schema[key]
                ):
                    return f"{where} expects {_describe(schema)}, got {_typename(value)}"
        for sub in schema.get("allOf", ()):
            problem = self.error(value, sub, where, depth + 1)
            if problem:
                return problem
        kind = schema.get("type")
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(_type_ok(value, k) for k in kinds):
                return f"{where} expects {_describe(schema)}, got {_typename(value)}"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                return f"{where} must be >= {schema['minimum']}, got {value!r}"
            if "maximum" in schema and value > schema["maximum"]:
                return f"{where} must be <= {schema['maximum']}, got {value!r}"
        if isinstance(value, str):
            if "minLength" in schema and len(value) < schema["minLength"]:
                return f"{where} must have at least {schema['minLength']} characters"
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                return f"{where} must have at most {schema['maxLength']} characters"
        if isinstance(value, (list, tuple)):
            prefix = schema.get("prefixItems") or ()
            for i, item in enumerate(value):
                sub = prefix[i] if i < len(prefix) else schema.get("items")
                if isinstance(sub, dict):
                    problem = self.error(item, sub, f"{where}[{i}]", depth + 1)
                    if problem:
                        return problem
        if isinstance(value, dict):
            props = schema.get("properties") or {}
            for key in schema.get("required") or ():
                if key not in value:
                    return f"{where} is missing key {key!r}"
            extra = schema.get("additionalProperties", True)
            for key, item in value.items():
                if not isinstance(key, str):
                    return f"{where} has a non-string key {key!r}"
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


_SIMPLE_KEYS = frozenset({"type", "title", "description", "default"})


_UNCHECKED = object()


def make_binder(tool, param_names, parameters):
    """Argument binding for one tool with its schema work done once: returns
    bind(args, kwargs) -> the keyword-argument dict, with the same checks and messages."""
    names = tuple(param_names)
    name_set = frozenset(names)
    count = len(names)
    required = tuple(parameters.get("required") or ())
    props = parameters.get("properties") or {}
    kinds = {}  # name -> a plain type name (fast check first), or None: the full checker
    for name, sub in props.items():
        if not sub:
            continue
        kind = sub.get("type")
        simple = type(kind) is str and _SIMPLE_KEYS.issuperset(sub)
        kinds[name] = kind if simple else None
    checker = SchemaChecker(parameters)

    def bind(args, kwargs):
        if args:
            if len(args) > count:
                raise TypeError(f"{tool}() takes {count} argument(s) but {len(args)} were given")
            bound = dict(zip(names, args, strict=False))
            for name, value in kwargs.items():
                if name not in name_set:
                    raise TypeError(f"{tool}() got an unexpected keyword argument {name!r}")
                if name in bound:
                    raise TypeError(f"{tool}() got multiple values for argument {name!r}")
                bound[name] = value
        else:
            bound = dict(kwargs)
            for name in bound:
                if name not in name_set:
                    raise TypeError(f"{tool}() got an unexpected keyword argument {name!r}")
        for name in required:
            if name not in bound:
                raise TypeError(f"{tool}() missing required argument {name!r}")
        for name, value in bound.items():
            kind = kinds.get(name, _UNCHECKED)
            if kind is _UNCHECKED or (kind is not None and _type_ok(value, kind)):
                continue
            problem = checker.error(value, props[name], f"parameter {name!r}")
            if problem:
                raise TypeError(f"{tool}(): {problem}")
        return bound

    return bind

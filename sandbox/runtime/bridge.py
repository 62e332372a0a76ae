"""Typed tool stubs, `call_tool`, `call_tools` and `ToolError`: the guest side of the bridge.

Each stub binds its arguments to the tool's parameters (`binding.py`, the binder the verifier
and the host use too), encodes them to JSON, and checks the *decoded copy* against the tool's
JSON schema (`schema.py`) before it crosses to the host: what is checked is exactly what is
sent, whatever the program's objects do when looked at twice. A wrong type fails here with a
TypeError naming the parameter; the host validates again before calling the tool.
"""

import json

import wit_world
from componentize_py_types import Err, Ok

from .abi import STICKY_CALL_KINDS
from .binding import Binder
from .caps import first_surrogate
from .schema import SchemaChecker, encode, is_plain_scalar
from .state import STATE


class ToolError(Exception):
    """A tool failed on the host. `tool` names it, `message` says why."""

    def __init__(self, tool, message):
        super().__init__(f"{tool}: {message}")
        self.tool = tool
        self.message = message


_loads = json.JSONDecoder().decode

# A parameter schema that says only which scalar type it takes (plus words for people) is
# checked by the exact type alone: the values checked are exact built-in types (the program's
# own plain scalars, or the decoded copy), for which this is what SchemaChecker decides.
# A value that fails goes through SchemaChecker anyway, for its message.
_SCALAR_TYPES = {
    "string": frozenset({str}),
    "integer": frozenset({int}),
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
    "null": frozenset({type(None)}),
}
_WORDS = frozenset({"type", "title", "description", "default", "examples"})


def _exact_types(schema):
    """The exact types a value may have to fit `schema`, when that alone decides; else None."""
    if isinstance(schema, dict) and schema.keys() <= _WORDS:
        kind = schema.get("type")
        if isinstance(kind, str):
            return _SCALAR_TYPES.get(kind)
    return None


class _ToolBinder:
    """One tool's binder and schema check, built once per run."""

    __slots__ = ("binder", "checker", "fast", "name", "props")

    def __init__(self, name, spec):
        params = spec.get("params")
        if params is None:  # an older host: keyword-or-positional parameters
            required = set((spec.get("parameters") or {}).get("required") or ())
            params = [
                [n, "positional_or_keyword", n not in required]
                for n in spec.get("param_names") or []
            ]
        parameters = spec.get("parameters") or {}
        self.name = name
        self.binder = Binder(name, params)
        self.props = parameters.get("properties") or {}
        self.checker = SchemaChecker(parameters)
        self.fast = {key: _exact_types(sub) for key, sub in self.props.items()}

    def __call__(self, args, kwargs):
        """The JSON text of the bound arguments, checked."""
        bound = self.binder.bind(args, kwargs)
        try:
            text = encode(bound)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{self.name}(): arguments are not JSON-serialisable: {exc}") from None
        values = bound
        for value in bound.values():
            if not is_plain_scalar(value):
                values = _loads(text)  # check the copy that is sent, not the program's objects
                break
        fast = self.fast
        for key, value in values.items():
            types = fast.get(key)
            if types is not None and type(value) in types:
                continue
            sub = self.props.get(key)
            if sub is None:
                raise TypeError(f"{self.name}() got an unexpected keyword argument {key!r}")
            if sub:
                problem = self.checker.error(value, sub, f"parameter {key!r}")
                if problem:
                    raise TypeError(f"{self.name}(): {problem}")
        return text


class Tools:
    """The registered tools of this run: name -> (param_names, parameters schema)."""

    def __init__(self):
        self.specs = {}
        self._binders = {}

    def reset(self, specs):
        if specs is self.specs:
            return  # the same parsed specs (a prepared config): its binders stay valid
        self.specs = specs
        self._binders = {}

    def build(self):
        """Build every tool's binder now (the ready pool's prepare step does this ahead)."""
        for name in self.specs:
            self.binder(name)

    def binder(self, name):
        """The tool's argument binder and checker (built once per run), or None if unknown."""
        bind = self._binders.get(name)
        if bind is None:
            spec = self.specs.get(name)
            if spec is None:
                return None
            bind = _ToolBinder(name, spec)
            self._binders[name] = bind
        return bind

    def prepare(self, name, args, kwargs):
        if not isinstance(name, str):
            raise TypeError(f"call_tool() tool name must be a str, got {type(name).__name__}")
        name = str.__str__(name)  # the exact text: a subclass's __eq__/__hash__ never run
        bind = self.binder(name)
        if bind is None:
            known = ", ".join(sorted(self.specs)) or "none"
            raise ToolError(name, f"no tool named {name!r} (tools: {known})")
        return self.limit(name, bind(args, kwargs))

    def limit(self, name, text):
        limit = STATE.limits.get("max_arg_bytes")
        # a character is at most 4 UTF-8 bytes: only long texts need the exact count
        if limit and (
            len(text) > limit
            or (len(text) * 4 > limit and len(text.encode("utf-8", "replace")) > limit)
        ):
            raise STATE.hit("size", f"{name}(): arguments exceed the limit of {limit} bytes")
        if "\\ud" in text or not text.isascii():
            # A lone surrogate is not Unicode text: raw, it would trap the guest when lowered
            # as a WIT string; escaped (the encoder's ensure_ascii), the host would refuse it.
            # The program gets an error it can catch here, and nothing crosses.
            decoded = _loads(text) if text.isascii() else None
            bad = first_surrogate(text if decoded is None else _plain_text(decoded))
            if bad is not None and bad >= 0:
                raise ValueError(
                    f"{name}(): an argument holds a lone surrogate, which is not valid "
                    "Unicode text; nothing was sent"
                )
        return text

    def count(self, n):
        limit = STATE.limits.get("max_tool_calls")
        if limit is not None and STATE.tool_calls + n > limit:
            raise STATE.hit("limit", f"tool call limit of {limit} calls per run exceeded")
        STATE.tool_calls += n


TOOLS = Tools()


def _plain_text(value):
    """The decoded arguments as one JSON text without escapes (for the surrogate check)."""
    return json.dumps(value, ensure_ascii=False)


def _decode(name, ok, payload):
    if ok:
        return _loads(payload)
    try:
        err = json.loads(payload)
    except ValueError:
        err = {"kind": "tool", "message": payload}
    kind = err.get("kind", "tool")
    message = err.get("message", "")
    if kind in STICKY_CALL_KINDS:
        raise STATE.hit(kind, message)
    return ToolError(name, message)


def _cross(name, text):
    TOOLS.count(1)
    try:
        payload = wit_world.call_tool(name, text)
    except Err as err:
        raise _decode(name, False, err.value) from None
    return _loads(payload)


def call_tool(name, /, *args, **kwargs):
    """Call the tool `name` with arguments; returns its JSON result or raises ToolError."""
    text = TOOLS.prepare(name, args, kwargs)
    return _cross(str.__str__(name), text)


def call_tools(calls, /, *, return_exceptions=False):
    """Several tool calls in one crossing, run concurrently on the host; results in order.

    `calls` is a list of (name, kwargs) pairs. A failed call raises its ToolError (the first
    by position) once all are done, or with return_exceptions=True takes its place in the list.
    """
    prepared = []
    names = []
    for i, item in enumerate(calls):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise TypeError(f"call_tools(): item {i} must be a (name, kwargs) pair")
        name, kwargs = item
        if not isinstance(kwargs, dict):
            raise TypeError(f"call_tools(): item {i} kwargs must be a dict")
        kwargs = dict(kwargs)  # one exact copy: the binder and the encoder see the same keys
        text = TOOLS.prepare(name, (), kwargs)
        name = str.__str__(name)
        prepared.append([name, text])
        names.append(name)
    if not prepared:
        return []
    TOOLS.count(len(prepared))
    batch = "[" + ",".join("[" + json.dumps(n) + "," + a + "]" for n, a in prepared) + "]"
    outcomes = wit_world.call_tools(batch)
    results = []
    first_error = None
    for name, outcome in zip(names, outcomes, strict=True):
        if isinstance(outcome, Ok):
            results.append(_decode(name, True, outcome.value))
        else:
            error = _decode(name, False, outcome.value)
            if first_error is None:
                first_error = error
            results.append(error)
    if first_error is not None and not return_exceptions:
        raise first_error
    return results


def make_stub(name, spec):
    bind = TOOLS.binder(name)
    limit = TOOLS.limit

    def stub(*args, **kwargs):
        return _cross(name, limit(name, bind(args, kwargs)))

    stub.__name__ = name
    stub.__qualname__ = name
    stub.__doc__ = spec.get("description") or None
    return stub

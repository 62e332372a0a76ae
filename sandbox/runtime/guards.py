"""RestrictedPython as a run-time guard: the program's builtins, attribute/item/write guards,
the guarded `__import__`, and the policy from the grammar (`Grammar.runtime_policy()`).

The policy (builtins, modules and their names, the attribute policy, whether classes exist) comes
only from the grammar, sent by the host with each run; with no policy the program gets no
builtins and no modules (fail closed). On top of the policy, fixed floors that no grammar can
lift: the builtins in DENIED_BUILTINS, frames/code/tracebacks, and the values checks below.

Even when the verifier is off, the program cannot name dunder attributes (refused when it is
compiled), cannot reach frames, code or tracebacks, can import only the allowed modules and use
only their allowed names. Every attribute and item read is checked on what it RESOLVES to, not
on the object it was read from, so a wrapper that forwards attribute reads (`list[int]`-style
aliases, a bound method, typing's aliases) cannot reach a module or a refused name: a module, a
metaclass, a class factory (Enum's functional API, `typing.NamedTuple`, ...) or the value of a
name the policy refuses is never handed to the program.
"""

import _string
import builtins
import collections
import decimal
import enum
import operator
import string
import sys
import types
import typing

from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from . import audit
from .output import STDERR, STDOUT
from .restrict import GUARD_WRAPPED_ATTRIBUTES, restricted_exec

# Never given to the program, whatever the policy says.
DENIED_BUILTINS = frozenset(
    {
        "__import__", "__build_class__", "__loader__", "__spec__", "breakpoint", "compile",
        "copyright", "credits", "delattr", "eval", "exec", "exit", "globals", "help", "input",
        "license", "locals", "open", "quit", "setattr", "vars", "object", "type", "super",
        "memoryview", "classmethod", "staticmethod", "property",
    }
)

_DENIED_TYPES = (types.FrameType, types.CodeType, types.TracebackType)

_NAMEDTUPLE = collections.namedtuple

# Classes the program never gets as a value (from type(), an attribute or an item): the root
# class, interpreter internals, and attribute-forwarding wrappers. Metaclasses (subclasses of
# `type`) are refused separately, whatever module they come from.
_DENIED_CLASSES = frozenset(
    {
        object, types.GenericAlias, types.FunctionType, types.LambdaType,
        types.MethodType, types.BuiltinFunctionType, types.BuiltinMethodType,
        types.WrapperDescriptorType, types.MethodWrapperType, types.MethodDescriptorType,
        types.ClassMethodDescriptorType, types.GetSetDescriptorType,
        types.MemberDescriptorType, types.MappingProxyType, types.ModuleType, types.CellType,
        types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType, types.FrameType,
        types.CodeType, types.TracebackType, types.SimpleNamespace, property, classmethod,
        staticmethod, super, memoryview,
    }
    | {
        v
        for v in vars(typing).values()
        if type(v) is type and issubclass(v, getattr(typing, "_Final", ()))
    }
)

# Functions that build classes. collections.namedtuple is handed out as the trusted wrapper.
_CLASS_FACTORIES = frozenset(
    v
    for v in (
        getattr(typing, "NamedTuple", None),
        getattr(typing, "TypedDict", None),
        getattr(types, "new_class", None),
        getattr(types, "prepare_class", None),
        getattr(enum, "global_enum", None),
        getattr(enum, "_simple_enum", None),
    )
    if v is not None
)


class Policy:
    """The grammar's runtime policy: builtins, modules and their names, attribute policy."""

    def __init__(self, raw):
        raw = raw or {}
        self.builtins = tuple(raw.get("builtins") or ())
        self.classes = raw.get("classes") is True
        attributes = raw.get("attributes") or {}
        self.deny_private = attributes.get("deny_private", True) is not False
        self.attribute_deny = frozenset(attributes.get("deny") or ())
        self.attribute_prefixes = tuple(attributes.get("deny_prefixes") or ())
        self.modules = {}
        for name, rule in (raw.get("modules") or {}).items():
            rule = rule or {}
            allow = rule.get("allow")
            self.modules[name] = (
                None if allow is None else frozenset(allow),
                frozenset(rule.get("deny") or ()),
            )
        self._refused = None

    def attribute_denied(self, name):
        return (
            name in self.attribute_deny
            or name.startswith(self.attribute_prefixes)
            or (self.deny_private and name.startswith("_"))
        )

    def module_name_allowed(self, module_name, attr):
        rule = self.modules.get(module_name)
        if rule is None:
            return False
        allow, deny = rule
        if attr.startswith("_") or attr in deny:
            return False
        return allow is None or attr in allow

    def refused_values(self):
        """ids of the functions and classes of allowed modules that only a refused name
        reaches (json.codecs' functions, functools.update_wrapper, typing.get_type_hints,
        private helpers): refused however the program comes to them."""
        if self._refused is None:
            allowed = {id(v) for v in vars(builtins).values()}
            candidates = {}
            for module_name in self.modules:
                module = sys.modules.get(module_name)
                if module is None:
                    continue
                for name, value in list(vars(module).items()):
                    if not _interesting(value):
                        continue
                    if self.module_name_allowed(module_name, name):
                        allowed.add(id(value))
                    else:
                        candidates[id(value)] = value
            self._refused = frozenset(candidates.keys() - allowed)
        return self._refused


def _interesting(value):
    """A value whose identity the refused-values check looks at: a Python function, a C
    function of a module (not a bound method of a value: `[].append`), a class or a module."""
    t = type(value)
    if t is types.BuiltinFunctionType:
        owner = value.__self__
        return owner is None or issubclass(type(owner), types.ModuleType)
    return t is types.FunctionType or issubclass(t, type) or issubclass(t, types.ModuleType)


POLICY = Policy(None)


def _why_refused(value):
    """Why `value` may not reach the program (None: it may). Only C-level type checks."""
    t = type(value)
    if issubclass(t, types.ModuleType):
        return "a module is used only as `module.name`"
    if issubclass(t, type):
        if issubclass(value, type):
            return "builds classes (a metaclass)"
        if value in _DENIED_CLASSES or issubclass(value, _DENIED_TYPES):
            return "an interpreter type"
        if issubclass(t, enum.EnumType) and not type.__getattribute__(value, "_member_map_"):
            return "builds classes (Enum functional API)"
    if t is types.FunctionType and value in _CLASS_FACTORIES:
        return "builds classes"
    if issubclass(t, _DENIED_TYPES):
        return "an interpreter internal"
    return None


def _resolved(value, what, by_name=False):
    """The value an attribute or item read hands to the program, after the value checks.
    `by_name`: read from a module under a name the policy allows (no identity check needed)."""
    why = _why_refused(value)
    if why is not None:
        raise AttributeError(f"{what} is not allowed in the sandbox ({why})")
    if value is _NAMEDTUPLE:
        return trusted_namedtuple
    if not by_name and _interesting(value) and id(value) in POLICY.refused_values():
        raise AttributeError(f"{what} is not allowed in the sandbox (a name the policy refuses)")
    return value


def _plain_str(value):
    """An exact str from `value` (str() may run a str subclass's code: here, outside any
    trusted call; str.__str__ then makes an exact str)."""
    return str.__str__(str(value))


def trusted_namedtuple(typename, field_names, *, rename=False, defaults=None, module=None):
    """collections.namedtuple, which compiles code internally. Its inputs are turned into exact
    built-in data first, outside the trusted call (any program code they run, a `__str__`,
    `__bool__` or `__iter__`, runs with the audit hook on); the trusted call receives only exact
    strs, bools, None and tuples of exact data (audit.call_trusted refuses anything else)."""
    if isinstance(field_names, str):
        fields = _plain_str(field_names)
    else:
        fields = [_plain_str(f) for f in list(field_names)]
    typename = _plain_str(typename)
    rename = bool(rename)
    defaults = None if defaults is None else tuple(defaults)
    if not audit.exact_data(defaults):
        raise TypeError("namedtuple() defaults must be plain data (numbers, strings, lists, ...)")
    module = None if module is None else _plain_str(module)
    return audit.call_trusted(_namedtuple_exact, typename, fields, rename, defaults, module)


@audit.register
def _namedtuple_exact(typename, fields, rename, defaults, module):
    return _NAMEDTUPLE(typename, fields, rename=rename, defaults=defaults, module=module)


def _module_attr(module, name, default=None, missing_ok=False):
    module_name = module.__name__
    try:
        value = getattr(module, name)
    except AttributeError:
        if missing_ok:
            return default
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}") from None
    if not POLICY.module_name_allowed(module_name, name):
        raise AttributeError(f"{module_name}.{name} is not allowed in the sandbox")
    return _resolved(value, f"{module_name}.{name}", by_name=True)


_MISSING = object()


class _SafeFormatter(string.Formatter):
    """str.format with every field lookup (`{0.attr}`, `{0[key]}`) through the guards."""

    def get_field(self, field_name, args, kwargs):
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            try:
                obj = guarded_getattr(obj, key) if is_attr else guarded_getitem(obj, key)
            except AttributeError as exc:
                raise AttributeError(f"format field {field_name!r}: {exc}") from None
        return obj, first


_FORMATTER = _SafeFormatter()


def _str_format(template, method):
    if method == "format":

        def format(*args, **kwargs):
            return _FORMATTER.vformat(template, args, kwargs)

        return format

    def format_map(mapping, /):
        return _FORMATTER.vformat(template, (), mapping)

    return format_map


def guarded_type(obj, /):
    """type() with one argument only: the class of a value, for `type(x) is int` and printing.
    Never a metaclass (which builds classes), `object`, or an interpreter type."""
    t = type(obj)
    why = _why_refused(t)
    if why is not None:
        raise TypeError(f"type() of this value is not allowed in the sandbox ({why})")
    return t


class _MatchValues:
    """The values a `match` statement's patterns refer to, evaluated through the guards."""


def match_values(*values):
    ns = _MatchValues()
    for i, value in enumerate(values):
        ns.__dict__[f"v{i}"] = value
    return ns


def match_class(cls, positional=0):
    """A class pattern's class: class patterns read attributes of the subject directly, so
    the kinds of objects guarded_getattr treats specially are refused here. `positional`: how
    many positional sub-patterns it has; each reads the attribute its class names in
    `__match_args__`, a name the transform never sees, so that name is checked here as
    guarded_getattr checks a name (the values it reads are checked by `_match_checked_`)."""
    if not isinstance(cls, type):
        raise TypeError(f"called match pattern must be a class, not {type(cls).__name__}")
    why = _why_refused(cls)
    if why is not None:
        raise TypeError(f"class pattern is not allowed in the sandbox ({why})")
    if positional:
        names = _match_args(cls)
        if names is not None and type(names) is not tuple:
            raise TypeError("class pattern with a __match_args__ that is not a plain tuple is "
                            "not allowed in the sandbox")
        for name in (names or ())[:positional]:
            if type(name) is str and (_name_refused(name) or name in GUARD_WRAPPED_ATTRIBUTES):
                raise TypeError(
                    f"class pattern would read attribute {name!r} (its class's "
                    "__match_args__), which is not allowed in the sandbox"
                )
    return cls


_CLASS_DICT = type.__dict__["__dict__"].__get__
_CLASS_MRO = type.__dict__["__mro__"].__get__


def _defining_class(classes, name):
    """The first of `classes` whose own dict holds `name` (no descriptor or metaclass code
    runs to find it), or None."""
    for klass in classes:
        if name in _CLASS_DICT(klass):
            return klass
    return None


def _match_args(cls):
    """`__match_args__` as the class or a base (or its metaclass) holds it in its own dict;
    None when nothing defines it."""
    klass = _defining_class((*_CLASS_MRO(cls), *_CLASS_MRO(type(cls))), "__match_args__")
    return None if klass is None else _CLASS_DICT(klass)["__match_args__"]


def _name_refused(name):
    """An attribute name no program may read (what guarded_getattr refuses by name)."""
    return name.startswith("_") or name in INSPECT_ATTRIBUTES or POLICY.attribute_denied(name)


def match_compared(value):
    """A dotted value pattern's value (or mapping key) inside a class pattern: `==` compares
    it with a value the class pattern read past guarded_getattr, and may call this value's
    `__eq__` with it. So its `__eq__` may not be one a program class defines (that would hand
    the unchecked value to program code); built-in and standard-library equality is kept."""
    klass = _defining_class(_CLASS_MRO(type(value)), "__eq__")
    if klass is not None and _CLASS_DICT(klass).get("__module__") == "__main__":
        raise TypeError(
            "a value pattern inside a class pattern may not use the program's own "
            f"__eq__ (class {klass.__name__!s}) in the sandbox"
        )
    return value


def match_checked(*values):
    """The values a class pattern read from its subject and bound to names (the interpreter
    reads them with a plain getattr): the value check `guarded_getattr` makes on every
    attribute it reads, before the case's guard and body run; True, or AttributeError."""
    for value in values:
        what = "a value read by a class pattern"
        if _resolved(value, what) is not value:  # one the guard hands out only as a wrapper
            raise AttributeError(f"{what} is not allowed in the sandbox (read it as x.attr)")
    return True


def guarded_getattr(obj, name, default=_MISSING):
    if type(name) is not str:
        raise TypeError("attribute name must be a str")
    if _name_refused(name) or issubclass(type(obj), _DENIED_TYPES):
        raise AttributeError(f"access to attribute {name!r} is not allowed in the sandbox")
    if issubclass(type(obj), types.ModuleType):
        return _module_attr(obj, name, default, default is not _MISSING)
    if name in GUARD_WRAPPED_ATTRIBUTES:
        # str.format walks attributes named in the template: only through the guards, and
        # only on a str instance (never the unbound method, never other format methods)
        if isinstance(obj, str):
            return _str_format(str.__str__(obj), name)
        raise AttributeError(f"access to attribute {name!r} is not allowed in the sandbox")
    try:
        value = getattr(obj, name)
    except AttributeError:
        if default is _MISSING:
            raise
        return default
    return _resolved(value, f"attribute {name!r}")


def guarded_hasattr(obj, name):
    try:
        guarded_getattr(obj, name)
    except AttributeError:
        return False
    return True


def guarded_getitem(obj, key):
    if issubclass(type(obj), types.ModuleType):
        raise TypeError("modules are not subscriptable")
    value = obj[key]
    try:
        return _resolved(value, "this item")
    except AttributeError as exc:
        raise TypeError(str(exc)) from None


# Containers a program may write items into: data only. Exact instances are returned as they
# are; on a subclass (collections.Counter, OrderedDict, defaultdict, ...) items may be written
# and data attributes set (`d.default_factory = list`), but no method replaced or deleted:
# `q.items = f` on a Counter would replace the method that the tool bridge, `match` mapping
# patterns (`d.get`) and the stdlib call (the verifier's CV111 refuses the same names).
# decimal.Context's attributes (prec, rounding) are settings; exact Contexts only. Anything
# else goes through RestrictedPython's full_write_guard, which refuses writes to modules,
# functions and objects that do not declare guarded writes.
_ITEM_WRITABLE = (dict, list, set, bytearray, collections.deque)
_WRITABLE_EXACT = frozenset({*_ITEM_WRITABLE, decimal.Context})


class _ItemsOnly:
    """`_write_(x)` for a container subclass: item writes pass, methods cannot be replaced."""

    __slots__ = ("_target",)

    def __init__(self, target):
        object.__setattr__(self, "_target", target)

    def __setitem__(self, key, value):
        self._target[key] = value

    def __delitem__(self, key):
        del self._target[key]

    def _check(self, name, what):
        cls = type(self._target)
        if type(name) is not str or name.startswith("_") or callable(
            getattr(cls, name, None)
        ):
            raise TypeError(
                f"the method {name!r} of a {cls.__name__} cannot be {what} in the sandbox"
            )

    def __setattr__(self, name, value):
        self._check(name, "replaced")
        setattr(self._target, name, value)

    def __delattr__(self, name):
        self._check(name, "deleted")
        delattr(self._target, name)


def guarded_write(obj):
    t = type(obj)
    if t in _WRITABLE_EXACT:
        return obj
    if issubclass(t, _ITEM_WRITABLE):
        return _ItemsOnly(obj)
    return full_write_guard(obj)


def guarded_getiter(obj):
    return iter(obj)


def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if type(fromlist) is list and level == 0:
        # C code inside an allowed module importing its own dependency (PyImport_Import,
        # e.g. date.strftime -> time): an import statement never passes a list. The module
        # goes back to that C code, not to the program, and must already be loaded.
        module = sys.modules.get(name)
        if module is None:
            raise ImportError(f"module {name!r} is not available in the sandbox")
        return module
    if type(name) is not str:
        raise ImportError("a module name must be a str")
    if level != 0:
        raise ImportError("relative imports are not allowed in the sandbox")
    top = name.split(".")[0]
    if name not in POLICY.modules:
        allowed = ", ".join(sorted(POLICY.modules)) or "none"
        raise ImportError(f"import of {name!r} is not allowed in the sandbox (allowed: {allowed})")
    module = sys.modules.get(name)
    if module is None:
        raise ImportError(f"module {name!r} is not available in the sandbox")
    if fromlist:
        # `from m import a, b` reads a and b with a plain getattr after this returns: give it
        # a module holding only the checked values (namedtuple as the trusted wrapper).
        names = {}
        for item in fromlist:
            if item == "*":
                raise ImportError("'from ... import *' is not allowed in the sandbox")
            names[item] = _module_attr(module, item)
        return _ModuleView(name, names)
    return sys.modules[top]


class _ModuleView(types.ModuleType):
    """The names a `from module import ...` statement takes, already checked."""

    def __init__(self, name, names):
        super().__init__(name)
        self.__dict__.update(names)


_INPLACE_OPS = {
    "+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
    "//=": operator.ifloordiv, "%=": operator.imod, "**=": operator.ipow,
    "<<=": operator.ilshift, ">>=": operator.irshift, "|=": operator.ior, "&=": operator.iand,
    "^=": operator.ixor, "@=": operator.imatmul,
}


def _inplacevar(op, x, y):
    fn = _INPLACE_OPS.get(op)
    if fn is None:
        raise SyntaxError(f"operator {op} is not allowed")
    return fn(x, y)


def _apply(func, *args, **kwargs):
    return func(*args, **kwargs)


def sandbox_print(*objects, sep=" ", end="\n", file=None, flush=False):
    """The program's `print`: writes to the capped stdout (or stderr), one write per call.

    The restricted transform leaves `print(...)` a plain call of this builtin (RestrictedPython
    would hoist `_print = _print_(_getattr_)` into every scope and call `_print._call_print`:
    more code to compile and run for the same checks)."""
    if file is None:
        file = STDOUT
    elif file is not STDOUT and file is not STDERR:
        raise TypeError("print(file=...) must be sys.stdout or sys.stderr in the sandbox")
    if sep is None:
        sep = " "
    elif not isinstance(sep, str):
        raise TypeError(f"sep must be None or a string, not {type(sep).__name__}")
    if end is None:
        end = "\n"
    elif not isinstance(end, str):
        raise TypeError(f"end must be None or a string, not {type(end).__name__}")
    # one write (one crossing to the host) per print
    file.write(sep.join([str(o) for o in objects]) + end)


class _Print:
    """RestrictedPython's print collector (`printed`, or a text restricted elsewhere): its
    `_call_print` is the program's `print`, and nothing is collected."""

    def __init__(self, _getattr_=None):
        pass

    _call_print = staticmethod(sandbox_print)

    def __call__(self):
        return ""


def program_builtins(policy=None):
    """The program's builtins under `policy` (default: the current POLICY): exactly the
    grammar's list minus DENIED_BUILTINS, with type/getattr/hasattr as their guarded forms."""
    policy = POLICY if policy is None else policy
    out = {}
    for name in policy.builtins:
        if name in DENIED_BUILTINS or name.startswith("_"):
            continue
        if hasattr(builtins, name):
            out[name] = getattr(builtins, name)
    guarded = {"type": guarded_type, "getattr": guarded_getattr, "hasattr": guarded_hasattr}
    for name, fn in guarded.items():
        if name in policy.builtins:
            out[name] = fn
    out["__import__"] = guarded_import
    # print works whatever the grammar lists (as RestrictedPython's print hook always did)
    out["print"] = sandbox_print
    if policy.classes:
        # only a grammar that allows `class` statements gets the class builder
        out["__build_class__"] = builtins.__build_class__
    for name in ("True", "False", "None"):
        out[name] = getattr(builtins, name)
    return out


def program_globals(extra, builtins_dict=None):
    """Fresh globals for one program; `builtins_dict` (used once) or built from POLICY."""
    g = {
        "__builtins__": program_builtins() if builtins_dict is None else builtins_dict,
        "__name__": "__main__",
        "_getattr_": guarded_getattr,
        "_getitem_": guarded_getitem,
        "_getiter_": guarded_getiter,
        "_write_": guarded_write,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        "_print_": _Print,
        "_match_values_": match_values,
        "_match_class_": match_class,
        "_match_checked_": match_checked,
        "_match_compared_": match_compared,
        "_slice_": slice,  # slices in the host-restricted text (see host/precompile.py)
    }
    if POLICY.classes:
        g["__metaclass__"] = type
    g.update(extra)
    return g


@audit.register
def _restricted_compile(source, filename, attributes):
    return restricted_exec(source, filename=filename, attributes=attributes)


def compile_program(source, filename="<program>"):
    """(code, None) or (None, (kind, message, line)). `source` is the program as the host sent
    it (an exact str); the transform runs as a trusted call (it compiles)."""
    attributes = (POLICY.deny_private, tuple(sorted(POLICY.attribute_deny)),
                  POLICY.attribute_prefixes)
    try:
        result = audit.call_trusted(_restricted_compile, source, filename, attributes)
    except SyntaxError as exc:
        return None, ("syntax", f"{exc.msg}", exc.lineno)
    if result.errors:
        first = result.errors[0]
        line = _line_of(first)
        kind = "syntax" if "SyntaxError" in first or "invalid syntax" in first else "rejected"
        return None, (kind, "; ".join(result.errors), line)
    return result.code, None


def _line_of(message):
    # RestrictedPython messages look like "Line 3: ..."
    if message.startswith("Line "):
        digits = message[5:].split(":", 1)[0].strip()
        if digits.isdigit():
            return int(digits)
    return None

"""RestrictedPython as a run-time guard: the program's builtins, attribute/item/write guards,
the guarded `__import__`, and the module policy from the grammar (`Grammar.runtime_policy()`).

Even when the verifier is off, the program cannot name dunder attributes (refused when it is
compiled), cannot reach frames, code or tracebacks, and can import only the allowed modules and
use only their allowed names.
"""

import _string
import builtins
import collections
import decimal
import operator
import string
import types

from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)

from . import audit
from .output import STDERR, STDOUT
from .restrict import DENIED_ATTRIBUTES, restricted_exec

# Never given to the program, whatever the policy says.
DENIED_BUILTINS = frozenset(
    {
        "__import__", "__build_class__", "__loader__", "__spec__", "breakpoint", "compile",
        "copyright", "credits", "delattr", "eval", "exec", "exit", "globals", "help", "input",
        "license", "locals", "open", "quit", "setattr", "vars",
    }
)

_DENIED_TYPES = (types.FrameType, types.CodeType, types.TracebackType)

DEFAULT_BUILTINS = (
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "callable", "chr", "dict",
    "divmod", "enumerate", "filter", "float", "frozenset", "getattr", "hasattr", "hash",
    "hex", "int", "isinstance", "issubclass", "iter", "len", "list", "map", "max", "min",
    "next", "oct", "ord", "pow", "print", "range", "repr", "reversed", "round", "set",
    "slice", "sorted", "str", "sum", "tuple", "zip", "Exception", "ValueError",
    "TypeError", "KeyError", "IndexError", "ZeroDivisionError", "RuntimeError",
    "AttributeError", "StopIteration", "ArithmeticError", "LookupError", "NotImplementedError",
    "OverflowError", "AssertionError", "NameError", "UnicodeError", "PermissionError",
    "OSError", "FileNotFoundError", "ConnectionError", "TimeoutError", "True", "False", "None",
)


class Policy:
    """The grammar's runtime policy: allowed builtins, modules and their allowed names."""

    def __init__(self, raw):
        raw = raw or {}
        self.builtins = list(raw.get("builtins") or DEFAULT_BUILTINS)
        self.modules = {}
        for name, rule in (raw.get("modules") or {}).items():
            rule = rule or {}
            allow = rule.get("allow")
            self.modules[name] = (
                None if allow is None else frozenset(allow),
                frozenset(rule.get("deny") or ()),
            )

    def module_name_allowed(self, module_name, attr, value):
        rule = self.modules.get(module_name)
        if rule is None:
            return False
        allow, deny = rule
        if attr.startswith("_") or attr in deny:
            return False
        if allow is None:
            return not isinstance(value, types.ModuleType)
        return attr in allow


POLICY = Policy(None)

def _trusted_namedtuple(typename, field_names, *, rename=False, defaults=None, module=None):
    """collections.namedtuple, which compiles code internally: its inputs are fixed to plain
    strings first (outside the trusted section), so no program code runs while trusted."""
    import collections

    # str() may run program code (a str subclass's __str__): here, outside the trusted section.
    # str.__str__ then makes an exact str, so namedtuple's own .replace()/.split() calls can
    # never reach a method the program overrode.
    def plain(value):
        return str.__str__(str(value))

    if isinstance(field_names, str):
        fields = plain(field_names)
    else:
        fields = [plain(f) for f in list(field_names)]
    typename = plain(typename)
    defaults = None if defaults is None else tuple(defaults)
    module = None if module is None else plain(module)
    with audit.trusted():
        return collections.namedtuple(
            typename, fields, rename=bool(rename), defaults=defaults, module=module
        )


def _module_attr(module, name, default):
    module_name = module.__name__
    if not hasattr(module, name):
        if default is not _MISSING:
            return default
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
    value = getattr(module, name)
    if not POLICY.module_name_allowed(module_name, name, value):
        raise AttributeError(f"{module_name}.{name} is not allowed in the sandbox")
    if module_name == "collections" and name == "namedtuple":
        return _trusted_namedtuple
    return value


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
    """type() with one argument only: the type of a value (never a new class)."""
    return type(obj)


class _MatchValues:
    """The values a `match` statement's patterns refer to, evaluated through the guards."""


def match_values(*values):
    ns = _MatchValues()
    for i, value in enumerate(values):
        ns.__dict__[f"v{i}"] = value
    return ns


def match_class(cls):
    """A class pattern's class: class patterns read attributes of the subject directly, so
    the kinds of objects guarded_getattr treats specially are refused here."""
    if not isinstance(cls, type):
        raise TypeError(f"called match pattern must be a class, not {type(cls).__name__}")
    if issubclass(cls, (types.ModuleType, *_DENIED_TYPES)):
        raise TypeError(f"class pattern {cls.__name__} is not allowed in the sandbox")
    return cls


def guarded_getattr(obj, name, default=_MISSING):
    if not isinstance(name, str):
        raise TypeError("attribute name must be a str")
    if name in ("format", "format_map") and isinstance(obj, str):
        return _str_format(str(obj), name)
    if name.startswith("_") or name in DENIED_ATTRIBUTES or isinstance(obj, _DENIED_TYPES):
        raise AttributeError(f"access to attribute {name!r} is not allowed in the sandbox")
    if isinstance(obj, types.ModuleType):
        return _module_attr(obj, name, default)
    if default is _MISSING:
        return safer_getattr(obj, name)
    return safer_getattr(obj, name, default)


def guarded_hasattr(obj, name):
    try:
        guarded_getattr(obj, name)
    except AttributeError:
        return False
    return True


def guarded_getitem(obj, key):
    if isinstance(obj, types.ModuleType):
        raise TypeError("modules are not subscriptable")
    return obj[key]


# Containers a program may write items (and, on their subclasses, attributes) into: data only.
# Anything else goes through RestrictedPython's full_write_guard, which refuses writes to
# modules, functions and other objects that do not declare guarded writes.
_WRITABLE_TYPES = (dict, list, set, bytearray, collections.deque, decimal.Context)


def guarded_write(obj):
    if isinstance(obj, _WRITABLE_TYPES) and not isinstance(obj, types.ModuleType):
        return obj
    return full_write_guard(obj)


def guarded_getiter(obj):
    return iter(obj)


def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    import sys

    if isinstance(fromlist, list) and level == 0:
        # C code inside an allowed module importing its own dependency (PyImport_Import,
        # e.g. date.strftime -> time): an import statement never passes a list. The module
        # goes back to that C code, not to the program, and must already be loaded.
        module = sys.modules.get(name)
        if module is None:
            raise ImportError(f"module {name!r} is not available in the sandbox")
        return module
    if level != 0:
        raise ImportError("relative imports are not allowed in the sandbox")
    top = name.split(".")[0]
    if name not in POLICY.modules:
        allowed = ", ".join(sorted(POLICY.modules)) or "none"
        raise ImportError(f"import of {name!r} is not allowed in the sandbox (allowed: {allowed})")
    module = sys.modules.get(name)
    if module is None:
        raise ImportError(f"module {name!r} is not available in the sandbox")
    for item in fromlist or ():
        if item == "*":
            raise ImportError("'from ... import *' is not allowed in the sandbox")
        _module_attr(module, item, _MISSING)
    if fromlist:
        return _ModuleView(module) if name == "collections" else module
    return sys.modules[top]


class _ModuleView(types.ModuleType):
    """A module seen through the policy (used where a trusted wrapper replaces a name)."""

    def __init__(self, module):
        super().__init__(module.__name__)
        self.__dict__.update(
            {k: v for k, v in vars(module).items() if not k.startswith("_")}
        )
        if "namedtuple" in self.__dict__:
            self.__dict__["namedtuple"] = _trusted_namedtuple


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


class _Print:
    """RestrictedPython's `print` hook: writes to the capped stdout (or an explicit file)."""

    def __init__(self, _getattr_=None):
        pass

    def _call_print(self, *objects, sep=" ", end="\n", file=None, flush=False):
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

    def __call__(self):
        return ""


def program_builtins(policy=None):
    """The program's builtins under `policy` (default: the current POLICY)."""
    policy = POLICY if policy is None else policy
    out = {}
    for name in policy.builtins:
        if name in DENIED_BUILTINS:
            continue
        if hasattr(builtins, name):
            out[name] = getattr(builtins, name)
    if "type" in out:
        out["type"] = guarded_type
    out["getattr"] = guarded_getattr
    out["hasattr"] = guarded_hasattr
    out["__import__"] = guarded_import
    out["__build_class__"] = builtins.__build_class__
    for name in ("True", "False", "None"):
        out[name] = getattr(builtins, name)
    return out


def program_globals(extra, builtins_dict=None):
    """Fresh globals for one program; `builtins_dict` (used once) or built from POLICY."""
    g = {
        "__builtins__": program_builtins() if builtins_dict is None else builtins_dict,
        "__name__": "__main__",
        "__metaclass__": type,
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
        "_slice_": slice,  # slices in the host-restricted text (see host/precompile.py)
    }
    g.update(extra)
    return g


def compile_program(source, filename="<program>"):
    """(code, None) or (None, (kind, message, line))."""
    try:
        with audit.trusted():
            result = restricted_exec(source, filename=filename)
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

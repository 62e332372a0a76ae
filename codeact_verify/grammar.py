"""The allowed Python subset, loaded from a TOML profile in ``grammars/`` and validated.

A profile says, as data, which constructs a program may use, which builtins and modules (and
which names of each module) it may reach, the attribute policy and the size limits. The verifier
rules, the model-facing description (`Grammar.describe`) and the sandbox's run-time policy
(`Grammar.runtime_policy`) are all generated from the same `Grammar`.
"""

from __future__ import annotations

import builtins as _builtins
import importlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import GrammarError

# The sandbox ABI: the helpers the guest gives every program (`Grammar.sandbox_names`).
_abi: Any = importlib.import_module("codeact_verify.guest.runtime.abi")
SANDBOX_HELPERS: frozenset[str] = frozenset(_abi.HELPER_NAMES)

# --- construct kinds ---------------------------------------------------------------------------
# The construct names (`syntax.allow` in a profile) are this project's own, stable names; the table
# maps each to the node classes of Python's `ast` (the parser that also compiles the program, so
# what is verified is exactly what runs). Each entry: a label for messages, the `ast` classes that
# *start* the construct (reported when it is not allowed) and the classes that only occur inside
# such a head (never reported on their own). A class may start several constructs (`async for` is
# both `async` and `for`). Classes in CORE_NODES are always allowed: plain expressions, literals,
# calls, operators, blocks. Any `ast` class in neither table is refused as unsupported syntax, so
# syntax a newer Python adds is rejected until this table names it (fail closed).
#
# Some constructs have no node class of their own and are recognised from a field
# (codeact_verify/rules/constructs.py): `decorator` (a def's or class's decorator_list), an
# `async for` inside a comprehension (`async`), `lazy_import` (Import.is_lazy, Python 3.15) and
# `starred_comprehension` (a comprehension whose element is a `*x` / `**x` unpacking).
CONSTRUCTS: Mapping[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {
        "assign": ("assignments", ("Assign",), ()),
        "annotated_assign": ("annotated assignments (x: int = 1)", ("AnnAssign",), ()),
        "augmented_assign": ("augmented assignments (x += 1)", ("AugAssign",), ()),
        "delete": ("`del` statements", ("Delete",), ("Del",)),
        "if": ("if/elif/else", ("If",), ()),
        "conditional_expression": ("conditional expressions (a if c else b)", ("IfExp",), ()),
        "for": ("for loops", ("For", "AsyncFor"), ()),
        "while": ("while loops", ("While",), ()),
        "break_continue": ("break/continue", ("Break", "Continue"), ()),
        "function": (
            "function definitions (def, return)",
            ("FunctionDef", "AsyncFunctionDef", "Return"),
            (),
        ),
        "decorator": ("decorators", (), ()),
        "lambda": ("lambdas", ("Lambda",), ()),
        "comprehension": (
            "comprehensions and generator expressions",
            ("ListComp", "SetComp", "DictComp", "GeneratorExp"),
            ("comprehension",),
        ),
        "fstring": ("f-strings", ("JoinedStr",), ("FormattedValue",)),
        "tstring": ("t-strings", ("TemplateStr",), ("Interpolation",)),
        "try": ("try/except/else/finally", ("Try",), ("ExceptHandler",)),
        "try_star": ("try/except* (exception groups)", ("TryStar",), ()),
        "raise": ("raise", ("Raise",), ()),
        "assert": ("assert", ("Assert",), ()),
        "match": (
            "match statements",
            ("Match",),
            (
                "match_case",
                "MatchValue",
                "MatchSingleton",
                "MatchSequence",
                "MatchMapping",
                "MatchClass",
                "MatchStar",
                "MatchAs",
                "MatchOr",
            ),
        ),
        "walrus": ("assignment expressions (:=)", ("NamedExpr",), ()),
        "import": ("import statements", ("Import", "ImportFrom"), ("alias",)),
        "lazy_import": ("lazy imports", (), ()),
        "class": ("class definitions", ("ClassDef",), ()),
        "global": ("`global` statements", ("Global",), ()),
        "nonlocal": ("`nonlocal` statements", ("Nonlocal",), ()),
        "async": (
            "async/await",
            ("AsyncFunctionDef", "AsyncFor", "AsyncWith", "Await"),
            (),
        ),
        "yield": ("yield (generators)", ("Yield", "YieldFrom"), ()),
        "with": ("`with` statements", ("With", "AsyncWith"), ("withitem",)),
        "type_alias": (
            "type aliases and type parameters",
            ("TypeAlias", "TypeVar", "TypeVarTuple", "ParamSpec"),
            (),
        ),
        "starred_comprehension": ("unpacking in comprehensions", (), ()),
    }
)

CORE_NODES: frozenset[str] = frozenset(
    """
    Module Expr Pass Name Load Store Attribute Call keyword Subscript Slice Constant BinOp UnaryOp
    BoolOp Compare List Tuple Set Dict Starred arguments arg
    Add Sub Mult Div FloorDiv Mod Pow MatMult LShift RShift BitAnd BitOr BitXor
    Invert Not UAdd USub And Or Eq NotEq Lt LtE Gt GtE Is IsNot In NotIn
    """.split()
)

# ast class name -> the constructs it starts; `async` first, so `async def` says async.
HEAD_NODES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        cls: tuple(
            sorted(
                (name for name, (_, heads, _) in CONSTRUCTS.items() if cls in heads),
                key=lambda n: n != "async",
            )
        )
        for _, heads, _ in CONSTRUCTS.values()
        for cls in heads
    }
)
SUB_NODES: Mapping[str, str] = MappingProxyType(
    {cls: name for name, (_, _, subs) in CONSTRUCTS.items() for cls in subs}
)


@dataclass(frozen=True)
class GrammarLimits:
    """Size limits, checked on the `ast` tree before any rule walks it."""

    max_bytes: int = 32_768
    max_nodes: int = 6_000
    max_depth: int = 40
    max_string_literal: int = 10_000


@dataclass(frozen=True)
class AttributePolicy:
    """Which attribute names no program may touch (on any object), beyond dunders."""

    deny_private: bool = True
    deny: frozenset[str] = frozenset()
    deny_prefixes: tuple[str, ...] = ()

    def denies(self, name: str) -> bool:
        return name in self.deny or any(name.startswith(p) for p in self.deny_prefixes)


@dataclass(frozen=True)
class ModulePolicy:
    """The names of one allowed module a program may use.

    ``allow=None`` means every public name (no leading underscore) whose value is not a module.
    """

    module: str
    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()

    def allowed_names(self) -> frozenset[str]:
        return _allowed_names(self.module, self.allow, self.deny)

    def allows(self, name: str) -> bool:
        return name in self.allowed_names()


# The public names of every stdlib module the sandbox bundles, as the guest's Python (3.14) has
# them, with the guest's own verdict on each (allowed, or refused and why: a module, a class
# factory, a metaclass, ...). Generated inside the guest by `python -m
# codeact_verify.host.stdlib_names`; tests/test_guest_stdlib_names.py fails when it and the guest
# disagree. The host's Python is never asked: its modules may have other names.
GUEST_NAMES_FILE = Path(str(files("codeact_verify.grammars").joinpath("guest_stdlib.json")))


@lru_cache(maxsize=1)
def guest_stdlib_names() -> Mapping[str, tuple[frozenset[str], Mapping[str, str]]]:
    """module -> (names the guest allows, {name: why the guest refuses it})."""
    data = json.loads(GUEST_NAMES_FILE.read_text(encoding="utf-8"))
    return MappingProxyType(
        {
            module: (frozenset(entry["allowed"]), MappingProxyType(dict(entry["refused"])))
            for module, entry in data["modules"].items()
        }
    )


def refusal_reason(module: str, name: str) -> str | None:
    """Why the guest refuses `module.name` whatever the grammar says (None: it does not)."""
    entry = guest_stdlib_names().get(module)
    return None if entry is None else entry[1].get(name)


@lru_cache(maxsize=256)
def _allowed_names(
    module: str, allow: frozenset[str] | None, deny: frozenset[str]
) -> frozenset[str]:
    entry = guest_stdlib_names().get(module)
    if entry is None:  # not bundled in the guest: nothing (the loader refuses such a grammar)
        return frozenset()
    names = entry[0] if allow is None else allow & entry[0]
    return frozenset(n for n in names if not n.startswith("_") and n not in deny)


@dataclass(frozen=True, eq=False)
class Grammar:
    """One profile of the allowed subset. Build it with `load_grammar`."""

    name: str
    description: str
    constructs: frozenset[str]
    builtins: frozenset[str]
    denied_builtins: Mapping[str, str]  # name -> why (for messages and the description)
    sandbox_names: frozenset[str]
    modules: Mapping[str, ModulePolicy]
    limits: GrammarLimits
    attributes: AttributePolicy
    format_method: bool = True
    #: mypy's full strictness (every mypy error rejects) instead of the verdict rule's default
    strict_types: bool = False
    source: str = field(default="", repr=False)

    def allows(self, construct: str) -> bool:
        return construct in self.constructs

    @cached_property
    def withheld_helpers(self) -> frozenset[str]:
        """The sandbox ABI's helpers this profile does not give programs (`[names] sandbox`
        narrows them down). The guest has them all, so the verifier refuses these names
        wherever they appear (red-team finding red3/01). Computed once per grammar (frozen):
        the rules ask at every name."""
        return SANDBOX_HELPERS - self.sandbox_names

    def runtime_policy(self) -> dict[str, Any]:
        """The JSON-serialisable policy the sandbox guest enforces at run time: the only source
        of the guest's builtins, modules (each with the exact names the verifier allows) and
        attribute policy, and whether classes exist at all."""
        return {
            "builtins": sorted(self.builtins),
            "classes": "class" in self.constructs,
            "modules": {
                name: {"allow": sorted(p.allowed_names()), "deny": sorted(p.deny)}
                for name, p in sorted(self.modules.items())
            },
            "attributes": {
                "deny_private": self.attributes.deny_private,
                "deny": sorted(self.attributes.deny),
                "deny_prefixes": list(self.attributes.deny_prefixes),
            },
        }

    def describe(self, *, full: bool = False) -> str:
        """Text for the model: what a program may not contain (and, with ``full``, may).

        The compact form (the default) says what differs from ordinary Python, since models know
        Python: constructs not allowed, builtins not available, the importable modules and their
        restrictions, the attribute and format rules, the limits. ``full=True`` also lists every
        allowed construct and builtin and every module's allowed names.
        """
        denied = [
            CONSTRUCTS[c][0]
            for c in CONSTRUCTS
            if c not in self.constructs and c not in _UNDESCRIBED
        ]
        lines = [f"Python subset ({self.name}):"]
        if full:
            allowed = [CONSTRUCTS[c][0] for c in CONSTRUCTS if c in self.constructs]
            lines.append("- Syntax: " + "; ".join(allowed) + ".")
        lines.append("- Not allowed: " + "; ".join(denied) + ".")
        if full:
            lines.append("- Builtins: " + ", ".join(sorted(self.builtins)) + ".")
        # Compact: leave out builtins that another line already rules out (dunders; the class
        # helpers when classes are not allowed).
        implied = set() if full or "class" in self.constructs else set(_CLASS_BUILTINS)
        unavailable = [
            n for n in sorted(self.denied_builtins) if full or (n not in implied and n[:2] != "__")
        ]
        lines.append("- Builtins not available: " + ", ".join(unavailable) + ".")
        if full:
            mods = []
            for name, p in sorted(self.modules.items()):
                if p.allow is not None:
                    mods.append(f"{name} (only {', '.join(sorted(p.allow - p.deny))})")
                elif p.deny:
                    mods.append(f"{name} (not {', '.join(sorted(p.deny))})")
                else:
                    mods.append(name)
            lines.append("- Import only: " + ", ".join(mods) + ".")
        else:
            # The names a module refuses are the verifier's to report when they bite.
            lines.append("- Import only: " + ", ".join(sorted(self.modules)) + ".")
        lines.append(
            "- No __dunder__"
            + (" or _private" if self.attributes.deny_private else "")
            + " names, no frame/code/traceback attributes; modules only as `module.name`."
        )
        if self.format_method:
            lines.append("- Prefer f-strings; `.format()` only on a literal with plain fields.")
        else:
            lines.append("- Use f-strings; .format()/.format_map() are not allowed.")
        lim = self.limits
        if full:
            lines.append(
                f"- Limits: {lim.max_bytes} bytes, {lim.max_nodes} syntax nodes, nesting depth "
                f"{lim.max_depth}, string literals up to {lim.max_string_literal} characters."
            )
        else:
            lines.append(f"- At most {lim.max_bytes} bytes of code.")
        return "\n".join(lines)


# Builtins that only make sense inside class bodies.
_CLASS_BUILTINS = frozenset({"classmethod", "staticmethod", "property", "super"})

# Constructs that are not worth a word in the model-facing text when they are not allowed.
_UNDESCRIBED = frozenset(
    {
        "tstring",
        "try_star",
        "lazy_import",
        "type_alias",
        "starred_comprehension",
        "annotated_assign",
        "delete",
        "decorator",
    }
)

# --- loading and validation --------------------------------------------------------------------

_TOP_KEYS = {
    "grammar", "syntax", "builtins", "names", "modules", "attributes", "format", "limits", "types",
}  # fmt: skip
_SECTION_KEYS: dict[str, set[str]] = {
    "grammar": {"name", "description"},
    "syntax": {"allow"},
    "builtins": {"allow", "deny"},
    "names": {"sandbox"},
    "attributes": {"deny_private", "deny", "deny_prefixes"},
    "format": {"allow_format_method"},
    "limits": {"max_bytes", "max_nodes", "max_depth", "max_string_literal"},
    "types": {"strict"},
}
_REQUIRED = ("grammar", "syntax", "builtins", "modules", "limits")


class _Loader:
    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def fail(self, key: str, message: str) -> GrammarError:
        return GrammarError(message, key=key, source=self.source)

    def table(self, key: str, value: Any, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table, not {type(value).__name__}")
        for k in value:
            if k not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(f"{key}.{k}" if key else k, f"unknown key (known: {known})")
        return value

    def str_list(self, key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of strings")
        return list(value)

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, not {value!r}")
        return value

    def positive(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(key, f"must be a positive integer, not {value!r}")
        return value

    def load(self) -> Grammar:
        data = self.table("", self.data, _TOP_KEYS)
        for section in _REQUIRED:
            if section not in data:
                raise self.fail(section, "missing section")
        sections = {
            k: self.table(k, v, _SECTION_KEYS[k]) for k, v in data.items() if k != "modules"
        }
        meta = sections["grammar"]
        name = meta.get("name")
        if not isinstance(name, str) or not name:
            raise self.fail("grammar.name", "must be a non-empty string")
        description = meta.get("description", "")
        if not isinstance(description, str):
            raise self.fail("grammar.description", "must be a string")

        constructs = self.str_list("syntax.allow", sections["syntax"].get("allow", []))
        for i, c in enumerate(constructs):
            if c not in CONSTRUCTS:
                raise self.fail(
                    f"syntax.allow[{i}]",
                    f"unknown construct {c!r} (known: {', '.join(CONSTRUCTS)})",
                )

        bsec = sections["builtins"]
        allowed_builtins = self.str_list("builtins.allow", bsec.get("allow", []))
        for i, b in enumerate(allowed_builtins):
            if not hasattr(_builtins, b):
                raise self.fail(f"builtins.allow[{i}]", f"{b!r} is not a Python builtin")
            if b.startswith("__"):
                raise self.fail(f"builtins.allow[{i}]", f"{b!r}: dunder names cannot be allowed")
        denied = bsec.get("deny", {})
        if not isinstance(denied, dict):
            raise self.fail("builtins.deny", 'must be a table of name = "reason"')
        for b, why in denied.items():
            if not isinstance(why, str):
                raise self.fail(f"builtins.deny.{b}", "the reason must be a string")
            if b in allowed_builtins:
                raise self.fail(f"builtins.deny.{b}", "is also in builtins.allow")

        # The sandbox's helpers are the ABI's; a profile may only narrow them down.
        helpers = tuple(_abi.HELPER_NAMES)
        names = sections.get("names", {})
        sandbox = self.str_list("names.sandbox", names.get("sandbox", list(helpers)))
        for i, s in enumerate(sandbox):
            if s not in helpers:
                raise self.fail(
                    f"names.sandbox[{i}]",
                    f"{s!r} is not a sandbox helper (the sandbox ABI's: {', '.join(helpers)})",
                )

        modules = self.modules(data["modules"])

        asec = sections.get("attributes", {})
        attributes = AttributePolicy(
            deny_private=self.boolean("attributes.deny_private", asec.get("deny_private", True)),
            deny=frozenset(self.str_list("attributes.deny", asec.get("deny", []))),
            deny_prefixes=tuple(
                self.str_list("attributes.deny_prefixes", asec.get("deny_prefixes", []))
            ),
        )
        fmt = self.boolean(
            "format.allow_format_method",
            sections.get("format", {}).get("allow_format_method", True),
        )
        strict_types = self.boolean(
            "types.strict", sections.get("types", {}).get("strict", False)
        )
        lsec = sections["limits"]
        for key in _SECTION_KEYS["limits"]:
            if key not in lsec:
                raise self.fail(f"limits.{key}", "missing")
        limits = GrammarLimits(**{k: self.positive(f"limits.{k}", v) for k, v in lsec.items()})
        return Grammar(
            name=name,
            description=description,
            constructs=frozenset(constructs),
            builtins=frozenset(allowed_builtins),
            denied_builtins=MappingProxyType(dict(denied)),
            sandbox_names=frozenset(sandbox),
            modules=MappingProxyType(modules),
            limits=limits,
            attributes=attributes,
            format_method=fmt,
            strict_types=strict_types,
            source=self.source,
        )

    def modules(self, value: Any) -> dict[str, ModulePolicy]:
        if not isinstance(value, dict):
            raise self.fail(
                "modules", "must be a table of module = { allow = [...], deny = [...] }"
            )
        out: dict[str, ModulePolicy] = {}
        for mod, rule in value.items():
            key = f"modules.{mod}"
            if not all(part.isidentifier() for part in mod.split(".")) or mod.startswith("_"):
                raise self.fail(key, f"{mod!r} is not a public module name")
            rule = self.table(key, rule, {"allow", "deny"})
            guest = guest_stdlib_names().get(mod)
            if guest is None:
                known = ", ".join(sorted(guest_stdlib_names()))
                raise self.fail(
                    key, f"module {mod!r} is not bundled in the sandbox (bundled: {known})"
                )
            allow = rule.get("allow")
            out[mod] = ModulePolicy(
                module=mod,
                allow=None if allow is None else frozenset(self.str_list(f"{key}.allow", allow)),
                deny=frozenset(self.str_list(f"{key}.deny", rule.get("deny", []))),
            )
            for name in (out[mod].allow or frozenset()) | out[mod].deny:
                if name.startswith("_"):
                    raise self.fail(key, f"{name!r}: private names cannot be listed")
            for name in sorted(out[mod].allow or ()):
                if name in guest[1]:
                    why = guest[1][name]
                    raise self.fail(
                        key, f"{mod}.{name} cannot be allowed: the sandbox refuses it ({why})"
                    )
                if name not in guest[0]:
                    raise self.fail(key, f"{mod!r} has no public name {name!r} in the sandbox")
        return out


def profile_names() -> list[str]:
    """The profiles shipped with the package (names `load_grammar` accepts)."""
    root = files("codeact_verify.grammars")
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def load_grammar(name_or_path: str | Path = "default") -> Grammar:
    """A profile by name (``default``, ``strict``) or a path to a TOML file; validated."""
    if isinstance(name_or_path, Grammar):
        return name_or_path
    text, source = _read(name_or_path)
    return _parse(text, source)


@lru_cache(maxsize=32)
def _parse(text: str, source: str) -> Grammar:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GrammarError(f"not valid TOML: {exc}", source=source) from None
    return _Loader(data, source).load()


@lru_cache(maxsize=16)
def _read_profile(name: str) -> tuple[str, str]:
    """A packaged profile's text (packaged data does not change while the process runs)."""
    resource = files("codeact_verify.grammars").joinpath(f"{name}.toml")
    if not resource.is_file():
        known = ", ".join(profile_names())
        raise GrammarError(f"no grammar profile named {name!r} (known: {known})")
    return resource.read_text(encoding="utf-8"), f"grammars/{name}.toml"


def _read(name_or_path: str | Path) -> tuple[str, str]:
    text_name = str(name_or_path)
    is_path = isinstance(name_or_path, Path) or "/" in text_name or text_name.endswith(".toml")
    if not is_path:
        return _read_profile(text_name)
    path = Path(name_or_path)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise GrammarError(f"cannot read grammar file: {exc}", source=str(path)) from None

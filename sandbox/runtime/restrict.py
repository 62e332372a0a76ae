"""The program transformer: RestrictedPython's policy, extended to every construct the default
grammar allows, with the same guards on every access.

RestrictedPython refuses some idiomatic constructs outright (annotated assignments, augmented
assignment to items and attributes, `match`). This subclass rewrites them into forms whose every
read and write still goes through the run-time guards:

- `x: T = v` becomes `x = v` (the annotation is dropped, never evaluated); `x: T` binds nothing
  and becomes `pass`; `obj[k]: T = v` / `obj.a: T = v` become guarded plain assignments.
- `obj[k] op= v` becomes
  `t1 = obj; t2 = k; _write_(t1)[t2] = _inplacevar_(op, _getitem_(t1, t2), v)` (the target
  evaluated once, in Python's order: object, key, read, value, write), and
  `obj.a op= v` likewise through `_getattr_` and `_write_`.
- `match`: value patterns that name attributes (`case calendar.MONDAY:`) and class patterns
  (`case str():`, `case datetime.date(year=y):`) are evaluated through the guards before the
  statement (`_match_values_` / `_match_class_`, the latter refusing modules, frames, code and
  tracebacks) and the patterns then refer to the evaluated values; keyword attribute names in
  class patterns are checked like any attribute name; capture names like any variable name;
  and a name bound to a value a class pattern read is checked as an attribute read's value is,
  before the program's name is bound (`case C(a=x) if g` becomes
  `case C(a=_t) if _match_checked_(_t) and (x := _t,) and g`); positional sub-patterns read the
  names in the class's `__match_args__`, which `_match_class_(C, n)` checks at run time; and a
  dotted value pattern or mapping key inside a class pattern, compared with what it read, must
  not compare with the program's own `__eq__` (`_match_compared_`).

Temporary names start with `_`, which no program can name (RestrictedPython refuses them).
This module needs only `ast` and RestrictedPython, so the host can import it too.
"""

import ast
import copy

from RestrictedPython import compile_restricted_exec
from RestrictedPython.transformer import (
    INSPECT_ATTRIBUTES,
    IOPERATOR_TO_STR,
    RestrictingNodeTransformer,
    copy_locations,
)

from .plain import plain_names
from .ticks import add_ticks

# The attribute names no program may use come from the grammar's attribute policy (deny_private,
# deny, deny_prefixes; `Grammar.runtime_policy()["attributes"]`), given to `restricted_exec`;
# RestrictedPython's own INSPECT_ATTRIBUTES (frames, code, tracebacks) are refused whatever the
# policy says. Without a policy only those and names starting with "_" are refused here; the
# run-time guard (guards.guarded_getattr) checks every read again with the run's policy.
NO_ATTRIBUTE_POLICY = (True, (), ())

# Attributes the run-time guard never hands out as they are (guards.guarded_getattr gives a
# str's `format`/`format_map` as a wrapper whose field lookups go through the guards). A class
# pattern's keyword (`case str(format=f)`) reads its attribute with a plain getattr, past that
# guard, so a class pattern may not name them (the verifier refuses them too: CV110).
GUARD_WRAPPED_ATTRIBUTES = frozenset({"format", "format_map"})


def _bindings(pattern):
    """(node, field) for every name `pattern` binds: captures, `as` and star names (`name`) and
    mapping rests (`rest`), at any depth."""
    for node in ast.walk(pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)):
            field = "name"
        elif isinstance(node, ast.MatchMapping):
            field = "rest"
        else:
            continue
        if getattr(node, field) is not None:
            yield node, field


def class_pattern_captures(pattern):
    """The names `pattern` binds to values a class pattern read from its subject (its positional
    and keyword sub-patterns, at any depth), in order of first appearance. The interpreter reads
    those attributes itself, with a plain getattr: their names are checked by the transform,
    their values by `_match_checked_` at run time."""
    names = []
    for node in ast.walk(pattern):
        if isinstance(node, ast.MatchClass):
            for sub in (*node.patterns, *node.kwd_patterns):
                for inner, field in _bindings(sub):
                    if getattr(inner, field) not in names:
                        names.append(getattr(inner, field))
    return names


def _compile_problem(match):
    """CPython's compile-time refusal of the `match` statement's patterns as written, or None.
    Only the patterns, and whether a case has a guard, are compiled (the subject, guards and
    bodies are placeholders: a `return`, `await` or `break` there belongs to its context)."""
    cases = [
        ast.match_case(
            pattern=copy.deepcopy(case.pattern),
            guard=None if case.guard is None else ast.Constant(value=True),
            body=[ast.Pass()],
        )
        for case in match.cases
    ]
    statement = ast.Match(subject=ast.Name(id="v", ctx=ast.Load()), cases=cases)
    module = ast.fix_missing_locations(
        ast.Module(body=[ast.copy_location(statement, match)], type_ignores=[])
    )
    try:
        compile(module, "<match>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return exc.msg
    except (ValueError, TypeError, RecursionError, MemoryError):
        return None  # not a pattern problem: the statement's own compile reports it
    return None


def _load(name):
    return ast.Name(id=name, ctx=ast.Load())


def _store(name):
    return ast.Name(id=name, ctx=ast.Store())


def _call(func, *args):
    return ast.Call(func=_load(func), args=list(args), keywords=[])


def _located(node, like):
    """`node` with `like`'s location on it and on every child that has none."""
    for child in ast.walk(node):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            copy_locations(child, like)
    return node


def _noting_a_tick(name):
    """RestrictedPython's `name` visitor (or its refusal, when it has none) that first notes
    the transform has something to tick."""
    parent = getattr(RestrictingNodeTransformer, name, RestrictingNodeTransformer.generic_visit)

    def visit(self, node):
        self._ticked = True
        return parent(self, node)

    visit.__name__ = name
    return visit


class SandboxTransformer(RestrictingNodeTransformer):
    """RestrictedPython's transformer plus the grammar's constructs it refuses."""

    # Everything besides the `_` guards the runtime puts in the program's globals (the tools'
    # names), when the caller knows it (the host does); None: unknown, every `+=` is guarded.
    known_globals = None
    # (deny_private, denied names, denied prefixes): set per compile by `restricted_exec`
    attribute_policy = NO_ATTRIBUTE_POLICY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._match_hoists = []  # one list per `match` being visited
        self._in_class_pattern = 0  # how many class patterns' sub-patterns are being visited
        self._plain = frozenset()  # names that provably hold only int/float/complex/bool/str

    # False when the caller has seen the program's text hold no augmented assignment operator
    # (`+=`, `<<=`, ...; such a token cannot be spelled another way): then no `x op= v` needs
    # the plain-name analysis. None: unknown, analyse.
    may_augassign = None

    def visit_Module(self, node):
        if self.may_augassign is False:
            self._plain = frozenset()  # (an AugAssign seen after all keeps its guard)
        else:
            self._plain = plain_names(node, self.known_globals)
        self._ticked = False
        node = super().visit_Module(node)
        # after the checks (which refuse `_` names in the program): time-limit ticks, only
        # where there is something to tick (every loop, function and comprehension was visited
        # through one of the visit_ methods below, which note it)
        return add_ticks(node) if self._ticked else node

    visit_For = _noting_a_tick("visit_For")
    visit_AsyncFor = _noting_a_tick("visit_AsyncFor")
    visit_While = _noting_a_tick("visit_While")
    visit_FunctionDef = _noting_a_tick("visit_FunctionDef")
    visit_AsyncFunctionDef = _noting_a_tick("visit_AsyncFunctionDef")
    visit_comprehension = _noting_a_tick("visit_comprehension")

    # -- names and attributes -------------------------------------------------------------
    def visit_Name(self, node):
        """`print` stays a plain name: the program's builtin `print` (guards.sandbox_print)
        is the capped writer RestrictedPython's `_print._call_print` hook would be, so no
        `_print = _print_(_getattr_)` is put into every scope that prints. `printed` and every
        other name go to RestrictedPython as before."""
        if node.id == "print" and isinstance(node.ctx, ast.Load):
            self.used_names[node.id] = True
            return node
        return super().visit_Name(node)

    def check_attribute_name(self, node, name):
        """The static checks RestrictedPython applies to `obj.name`, plus the sandbox's list."""
        if name.startswith("_") and name != "_":
            self.error(node, f'"{name}" is an invalid attribute name because it starts with "_".')
        elif name.endswith("__roles__"):
            self.error(node, f'"{name}" is an invalid attribute name.')
        elif name in INSPECT_ATTRIBUTES or self._policy_denies(name):
            self.error(node, f'"{name}" is a restricted name that is not allowed in the sandbox.')

    def _policy_denies(self, name):
        deny_private, deny, prefixes = self.attribute_policy
        return name in deny or name.startswith(tuple(prefixes)) or (
            deny_private and name.startswith("_")
        )

    # -- annotated assignment -------------------------------------------------------------
    def visit_AnnAssign(self, node):
        target = node.target
        if node.value is None:
            if isinstance(target, ast.Name):
                self.check_name(target, target.id)
                return _located(ast.Pass(), node)
            # Python evaluates the target's object (and key) but stores nothing.
            parts = [target.value]
            if isinstance(target, ast.Subscript):
                parts.append(target.slice)
            if isinstance(target, ast.Attribute):
                self.check_attribute_name(target, target.attr)
            return self.visit(_located(ast.Expr(value=ast.Tuple(elts=parts, ctx=ast.Load())), node))
        assign = ast.Assign(targets=[target], value=node.value)
        return self.visit(_located(assign, node))

    # -- augmented assignment -------------------------------------------------------------
    def visit_AugAssign(self, node):
        target = node.target
        if isinstance(target, ast.Name) and target.id in self._plain:
            # a plain scalar has no in-place method: `x op= v` needs no `_inplacevar_` (plain.py)
            return self.node_contents_visit(node)
        if isinstance(target, ast.Name):
            return super().visit_AugAssign(node)
        op = ast.Constant(IOPERATOR_TO_STR[type(node.op)])
        obj_name = self.gen_tmp_name()
        obj = self.visit(target.value)
        stmts = [ast.Assign(targets=[_store(obj_name)], value=obj)]
        if isinstance(target, ast.Subscript):
            key = self.visit(target.slice)
            if isinstance(key, ast.Slice):
                # keep the slice a slice: evaluate its bounds once
                bounds = {}
                for field in ("lower", "upper", "step"):
                    part = getattr(key, field)
                    if part is None:
                        bounds[field] = None
                        continue
                    name = self.gen_tmp_name()
                    stmts.append(ast.Assign(targets=[_store(name)], value=part))
                    bounds[field] = name

                def key_node():
                    return ast.Slice(
                        **{f: (_load(n) if n else None) for f, n in bounds.items()}
                    )
            else:
                key_name = self.gen_tmp_name()
                stmts.append(ast.Assign(targets=[_store(key_name)], value=key))

                def key_node():
                    return _load(key_name)

            current = _call("_getitem_", _load(obj_name), key_node())
            value = self.visit(node.value)
            new_target = ast.Subscript(
                value=_call("_write_", _load(obj_name)), slice=key_node(), ctx=ast.Store()
            )
        elif isinstance(target, ast.Attribute):
            self.check_attribute_name(target, target.attr)
            current = _call("_getattr_", _load(obj_name), ast.Constant(target.attr))
            value = self.visit(node.value)
            new_target = ast.Attribute(
                value=_call("_write_", _load(obj_name)), attr=target.attr, ctx=ast.Store()
            )
        else:  # pragma: no cover - the grammar of Python has no other target
            self.error(node, "this augmented assignment target is not allowed.")
            return node
        stmts.append(
            ast.Assign(targets=[new_target], value=_call("_inplacevar_", op, current, value))
        )
        return [_located(s, node) for s in stmts]

    # -- match ----------------------------------------------------------------------------
    def _hoist(self, node, value):
        """Evaluate `value` before the match statement; return the pattern's dotted name."""
        hoists = self._match_hoists[-1]
        hoists[1].append(value)
        ref = ast.Attribute(value=_load(hoists[0]), attr=f"v{len(hoists[1]) - 1}", ctx=ast.Load())
        return _located(ref, node)

    def visit_Match(self, node):
        if any(class_pattern_captures(case.pattern) for case in node.cases):
            # the guards visit_match_case adds make no case irrefutable and rename captures,
            # which would hide CPython's own refusals of the statement as written (a capture
            # that makes later patterns unreachable, a name bound twice): compile it as
            # written first, alone, and refuse it as CPython would
            problem = _compile_problem(node)
            if problem is not None:
                self.error(node, f"SyntaxError: {problem}")
                return node
        self._match_hoists.append((self.gen_tmp_name(), []))
        try:
            node = self.node_contents_visit(node)
        finally:
            name, values = self._match_hoists.pop()
        if not values:
            return node
        hoist = ast.Assign(targets=[_store(name)], value=_call("_match_values_", *values))
        return [_located(hoist, node), node]

    def visit_match_case(self, node):
        node = self.node_contents_visit(node)
        names = class_pattern_captures(node.pattern)
        if not names:
            return node
        # The values a class pattern read (past guarded_getattr) get the value check any
        # attribute read gets (red17/79). Python binds a pattern's names before it runs the
        # guard, so the pattern binds temporaries the program cannot name, and the guard
        # checks them and only then binds the program's names:
        #   case C(a=x) if g:  ->  case C(a=_t) if _match_checked_(_t) and (x := _t,) and g:
        # (every occurrence of a name is renamed alike, so or-patterns still bind one set)
        temps = {name: self.gen_tmp_name() for name in names}
        for inner, field in _bindings(node.pattern):
            name = getattr(inner, field)
            if name in temps:
                setattr(inner, field, temps[name])
        check = _call("_match_checked_", *(_load(temps[n]) for n in names))
        bind = ast.Tuple(
            elts=[ast.NamedExpr(target=_store(n), value=_load(temps[n])) for n in names],
            ctx=ast.Load(),
        )
        values = [check, bind] if node.guard is None else [check, bind, node.guard]
        node.guard = _located(ast.BoolOp(op=ast.And(), values=values), node.pattern)
        return node

    def _compared(self, value):
        """A dotted value pattern or mapping key, evaluated before the statement; inside a
        class pattern it is compared (==) with what the class pattern read past
        guarded_getattr, so `_match_compared_` refuses one whose `__eq__` is program code."""
        value = self.visit(value)
        if self._in_class_pattern:
            value = _located(_call("_match_compared_", value), value)
        return value

    def visit_MatchValue(self, node):
        if isinstance(node.value, ast.Attribute):
            node.value = self._hoist(node, self._compared(node.value))
            return node
        return self.node_contents_visit(node)

    def visit_MatchSingleton(self, node):
        return self.node_contents_visit(node)

    def visit_MatchSequence(self, node):
        return self.node_contents_visit(node)

    def visit_MatchStar(self, node):
        self.check_name(node, node.name)
        return self.node_contents_visit(node)

    def visit_MatchMapping(self, node):
        self.check_name(node, node.rest)
        keys = []
        for key in node.keys:
            if isinstance(key, ast.Attribute):
                keys.append(self._hoist(key, self._compared(key)))
            else:
                keys.append(self.visit(key))
        node.keys = keys
        node.patterns = [self.visit(p) for p in node.patterns]
        return node

    def visit_MatchClass(self, node):
        for name in node.kwd_attrs:
            self.check_attribute_name(node, name)
            if name in GUARD_WRAPPED_ATTRIBUTES:
                self.error(
                    node,
                    f'"{name}" cannot be read by a class pattern in the sandbox '
                    f"(read it as an attribute: x.{name}).",
                )
        cls = self.visit(node.cls)
        check = _call("_match_class_", cls)
        if node.patterns:  # positional sub-patterns read the names in `__match_args__`
            check.args.append(ast.Constant(value=len(node.patterns)))
        node.cls = self._hoist(node.cls, _located(check, node.cls))
        self._in_class_pattern += 1
        try:
            node.patterns = [self.visit(p) for p in node.patterns]
            node.kwd_patterns = [self.visit(p) for p in node.kwd_patterns]
        finally:
            self._in_class_pattern -= 1
        return node

    def visit_MatchAs(self, node):
        self.check_name(node, node.name)
        return self.node_contents_visit(node)

    def visit_MatchOr(self, node):
        return self.node_contents_visit(node)


def transformer_for(attributes=None):
    """The sandbox's transformer under the grammar's attribute policy, given as
    (deny_private, denied names, denied prefixes); None: no policy beyond the fixed floor."""
    if attributes is None:
        return SandboxTransformer
    deny_private, deny, prefixes = attributes
    policy = (bool(deny_private), frozenset(deny), tuple(prefixes))
    cls = _POLICY_TRANSFORMERS.get(policy)
    if cls is None:  # one class per policy (making a class costs more than a transform)
        cls = type("PolicyTransformer", (SandboxTransformer,), {"attribute_policy": policy})
        if len(_POLICY_TRANSFORMERS) >= 16:
            _POLICY_TRANSFORMERS.clear()
        _POLICY_TRANSFORMERS[policy] = cls
    return cls


_POLICY_TRANSFORMERS = {}


def restricted_exec(source, filename="<program>", attributes=None):
    """compile_restricted_exec with the sandbox's transformer under `attributes`."""
    return compile_restricted_exec(
        source, filename=filename, policy=transformer_for(attributes)
    )

"""Binding call arguments to a tool's parameters, the way `inspect.Signature.bind` does.

One binder for the verifier (which binds a call's syntax: how many positional arguments, which
keywords), the guest (which binds the values a program passes) and the host (which turns the
bound arguments back into a Python call). Pure Python, standard library only: the module runs
on the host as `codeact_verify.guest.runtime.binding` and is bundled into the guest.

A tool's parameters are a list of ``(name, kind, has_default)`` triples, JSON-friendly so the
host can send them to the guest; ``kind`` is one of the five short names below. The bound
arguments are a dict like ``BoundArguments.arguments``: each named parameter that got a value,
``*args`` as a list under its parameter's name, ``**kwargs`` as a dict under its own.
"""

POSITIONAL_ONLY = "positional_only"
POSITIONAL_OR_KEYWORD = "positional_or_keyword"
VAR_POSITIONAL = "var_positional"
KEYWORD_ONLY = "keyword_only"
VAR_KEYWORD = "var_keyword"
KINDS = (POSITIONAL_ONLY, POSITIONAL_OR_KEYWORD, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD)

# problem kinds reported by match()
TOO_MANY_POSITIONAL = "too_many_positional"
MULTIPLE_VALUES = "multiple_values"
POSITIONAL_AS_KEYWORD = "positional_only_as_keyword"
MISSING = "missing"
UNEXPECTED_KEYWORD = "unexpected_keyword"
DUPLICATE_KEYWORD = "duplicate_keyword"


class Match:
    """Where each parameter's value comes from, and what is wrong with the call.

    ``positional``: parameter name -> index of the positional argument; ``keyword``: parameter
    name -> the keyword; ``var_positional``: (name, [indexes]) or None; ``var_keyword``:
    (name, [keywords]) or None; ``problems``: (kind, parameter or keyword, positional index)
    triples, in the order Python would find them (the first is the one it raises).
    """

    __slots__ = ("keyword", "positional", "problems", "var_keyword", "var_positional")

    def __init__(self):
        self.positional = {}
        self.keyword = {}
        self.var_positional = None
        self.var_keyword = None
        self.problems = []


def match(params, n_positional, keywords, partial=False):
    """Match ``n_positional`` positional arguments and the ``keywords`` (names, in call order)
    to ``params``. Follows `inspect.Signature._bind` step by step, but records every problem
    instead of raising the first; with ``partial`` a missing argument is not a problem (the
    call has splats whose contents are unknown)."""
    result = Match()
    problems = result.problems
    remaining = {}
    for key in keywords:
        if key in remaining:
            problems.append((DUPLICATE_KEYWORD, key, None))
        else:
            remaining[key] = True
    count = len(params)
    index = 0  # next positional argument
    at = 0  # next parameter
    start = count  # where the keyword phase starts
    while True:
        if index >= n_positional:
            if at >= count:
                start = count
                break
            name, kind, has_default = params[at]
            if kind == VAR_POSITIONAL:
                start = at + 1
            elif name in remaining:
                if kind == POSITIONAL_ONLY:
                    problems.append((POSITIONAL_AS_KEYWORD, name, None))
                    del remaining[name]
                    start = at + 1
                else:
                    start = at
            elif kind == VAR_KEYWORD or has_default or partial:
                start = at
            else:
                problems.append((MISSING, name, None))
                start = at + 1
            break
        if at >= count:
            problems.append((TOO_MANY_POSITIONAL, None, index))
            start = count
            break
        name, kind, has_default = params[at]
        if kind == VAR_KEYWORD or kind == KEYWORD_ONLY:
            problems.append((TOO_MANY_POSITIONAL, None, index))
            start = at
            break
        if kind == VAR_POSITIONAL:
            result.var_positional = (name, list(range(index, n_positional)))
            start = at + 1
            break
        if name in remaining and kind != POSITIONAL_ONLY:
            problems.append((MULTIPLE_VALUES, name, index))
            del remaining[name]
        result.positional[name] = index
        index += 1
        at += 1
    var_keyword = None
    for name, kind, has_default in params[start:]:
        if kind == VAR_KEYWORD:
            var_keyword = name
            continue
        if kind == VAR_POSITIONAL:
            continue
        if name in remaining:
            del remaining[name]
            if kind == POSITIONAL_ONLY:
                problems.append((POSITIONAL_AS_KEYWORD, name, None))
            else:
                result.keyword[name] = name
        elif not partial and not has_default:
            problems.append((MISSING, name, None))
    if remaining:
        if var_keyword is not None:
            result.var_keyword = (var_keyword, list(remaining))
        else:
            for key in remaining:
                problems.append((UNEXPECTED_KEYWORD, key, None))
    return result


def positional_count(params):
    """How many positional arguments the parameters take (None: any number)."""
    n = 0
    for _, kind, _ in params:
        if kind == VAR_POSITIONAL:
            return None
        if kind == POSITIONAL_ONLY or kind == POSITIONAL_OR_KEYWORD:
            n += 1
    return n


def problem_message(tool, params, problem, n_positional):
    """A TypeError message for one problem, in Python's words."""
    kind, name, _ = problem
    if kind == TOO_MANY_POSITIONAL:
        n = positional_count(params)
        return f"{tool}() takes {n} positional argument(s) but {n_positional} were given"
    if kind == MULTIPLE_VALUES:
        return f"{tool}() got multiple values for argument {name!r}"
    if kind == POSITIONAL_AS_KEYWORD:
        return f"{tool}() got a positional-only argument passed as keyword argument: {name!r}"
    if kind == MISSING:
        return f"{tool}() missing required argument {name!r}"
    if kind == DUPLICATE_KEYWORD:
        return f"{tool}() got multiple values for keyword argument {name!r}"
    return f"{tool}() got an unexpected keyword argument {name!r}"


class Binder:
    """Binds values for one tool: ``bind(args, kwargs)`` -> the bound-arguments dict, or
    TypeError with Python's message. The common call (keywords only, each a named parameter,
    every required one given) takes a shortcut with the same result."""

    def __init__(self, tool, params):
        self.tool = tool
        self.params = [tuple(p) for p in params]
        self.by_keyword = frozenset(
            n for n, k, _ in self.params if k == POSITIONAL_OR_KEYWORD or k == KEYWORD_ONLY
        )
        self.required = tuple(
            n
            for n, k, d in self.params
            if not d and (k == POSITIONAL_OR_KEYWORD or k == KEYWORD_ONLY)
        )
        self.simple = all(
            k == POSITIONAL_OR_KEYWORD or k == KEYWORD_ONLY for _, k, _ in self.params
        )

    def bind(self, args, kwargs):
        if not args and self.simple:
            for key in kwargs:
                if key not in self.by_keyword:
                    break
            else:
                for name in self.required:
                    if name not in kwargs:
                        break
                else:
                    return dict(kwargs)
        found = match(self.params, len(args), list(kwargs))
        if found.problems:
            raise TypeError(problem_message(self.tool, self.params, found.problems[0], len(args)))
        return bound_values(self.params, found, args, kwargs)


def bound_values(params, found, args, kwargs):
    """The bound-arguments dict (in parameter order) for a match without problems."""
    out = {}
    for name, _kind, _ in params:
        if name in found.positional:
            out[name] = args[found.positional[name]]
        elif name in found.keyword:
            out[name] = kwargs[found.keyword[name]]
        elif found.var_positional is not None and found.var_positional[0] == name:
            out[name] = [args[i] for i in found.var_positional[1]]
        elif found.var_keyword is not None and found.var_keyword[0] == name:
            out[name] = {key: kwargs[key] for key in found.var_keyword[1]}
    return out


def bind(tool, params, args, kwargs):
    """Bind once (see Binder)."""
    return Binder(tool, params).bind(args, kwargs)


def call_arguments(params, arguments, defaults):
    """The (args, kwargs) that call the function with the bound ``arguments``.

    ``params`` are all the function's parameters; a positional parameter without a value takes
    its default from ``defaults`` (name -> value) when a later positional one is given, so
    positional-only parameters always travel by position (like `BoundArguments.args`)."""
    args = []
    kwargs = {}
    pending = []  # defaults of skipped positional parameters, used if a later one is given
    for name, kind, _ in params:
        if kind == POSITIONAL_ONLY or kind == POSITIONAL_OR_KEYWORD:
            if name in arguments:
                if kind == POSITIONAL_OR_KEYWORD and pending is None:
                    kwargs[name] = arguments[name]
                    continue
                if pending:
                    args.extend(pending)
                    pending = []
                args.append(arguments[name])
            elif pending is not None and name in defaults:
                pending.append(defaults[name])
            else:
                pending = None  # no default to fill with: the rest go by keyword
        elif kind == VAR_POSITIONAL:
            values = arguments.get(name) or ()
            if values:
                if pending:
                    args.extend(pending)
                    pending = []
                args.extend(values)
        elif kind == KEYWORD_ONLY:
            if name in arguments:
                kwargs[name] = arguments[name]
        elif kind == VAR_KEYWORD:
            kwargs.update(arguments.get(name) or {})
    return args, kwargs

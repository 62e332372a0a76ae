"""The sandbox ABI: the one place that declares what host and guest agree on.

- `HELPERS`: the globals the guest gives every program besides the builtins and the tools (name,
  parameters with their stub types, return type, one-line doc, where the guest implements it and
  which part of the model's instructions mentions it). The grammar's sandbox names, the reserved
  tool names, the typed stub mypy checks programs against, the model's instructions and the
  guest's globals are all generated from it; `check_implementation` refuses (at the guest's build
  time) an implementation whose signature differs.
- `STRUCTS`: the TypedDicts the helpers' stub types use (`HttpResponse`).
- `ERROR_KINDS`: every kind of error a run can end with, and which of them the guest itself
  reports (`GUEST_ERROR_KINDS`), which a host call's error may carry (`CALL_ERROR_KINDS`,
  `HTTP_ERROR_KINDS`) and which of those end the run (`STICKY_CALL_KINDS`).
- `CONFIG_KEYS`, `LIMIT_KEYS`, `TOOL_KEYS`, `MOUNT_KEYS`: the run configuration the host sends
  the guest (the `config` of wit/world.wit's `run`).

Data only, no imports: the guest (CPython 3.14 in WebAssembly) and the host (3.11+) both import
it (the host as `codeact_verify.guest.runtime.abi`).
"""

# Parameter kinds: the same words as binding.py's.
POSITIONAL_ONLY = "positional_only"
POSITIONAL_OR_KEYWORD = "positional_or_keyword"
VAR_POSITIONAL = "var_positional"
KEYWORD_ONLY = "keyword_only"
VAR_KEYWORD = "var_keyword"

REQUIRED = None  # the default of a parameter that has none


class Param:
    """One parameter: its name, its type in the stub, its kind, and its default as the model's
    instructions show it (`REQUIRED`: none; `"..."`: optional without a value worth showing)."""

    __slots__ = ("default", "kind", "name", "type")

    def __init__(self, name, type, kind=POSITIONAL_OR_KEYWORD, default=REQUIRED):
        self.name = name
        self.type = type
        self.kind = kind
        self.default = default

    def __repr__(self):
        return f"Param({self.name!r}, {self.type!r}, {self.kind!r}, {self.default!r})"


class Helper:
    """One global of the sandbox: a function (or, with `fields`, an exception class).

    `doc`: the first line of the implementation's docstring (a test holds them equal).
    `module`: where the guest implements it (`helpers`: runtime/helpers.py, `bridge`:
    runtime/bridge.py). `section`: the part of the model's instructions that mentions it
    (`tools`, `files`, `http`, `final_answer`).
    """

    __slots__ = ("doc", "fields", "module", "name", "params", "returns", "section")

    def __init__(self, name, params, returns, doc, module, section, fields=None):
        self.name = name
        self.params = tuple(params)
        self.returns = returns
        self.doc = doc
        self.module = module
        self.section = section
        self.fields = fields

    @property
    def is_class(self):
        return self.fields is not None

    def __repr__(self):
        return f"Helper({self.name!r})"


def _p(name, type, kind=POSITIONAL_OR_KEYWORD, default=REQUIRED):
    return Param(name, type, kind, default)


_HEADERS = "dict[str, str] | None"

HELPERS = (
    Helper(
        "call_tool",
        (
            _p("name", "str", POSITIONAL_ONLY),
            _p("args", "Any", VAR_POSITIONAL),
            _p("kwargs", "Any", VAR_KEYWORD),
        ),
        "Any",
        "Call the tool `name` with arguments; returns its JSON result or raises ToolError.",
        "bridge",
        "tools",
    ),
    Helper(
        "call_tools",
        (
            _p("calls", "list[tuple[str, dict[str, Any]]]", POSITIONAL_ONLY),
            _p("return_exceptions", "bool", KEYWORD_ONLY, "False"),
        ),
        "list[Any]",
        "Several tool calls in one crossing, run concurrently on the host; results in order.",
        "bridge",
        "tools",
    ),
    Helper(
        "ToolError",
        (_p("tool", "str"), _p("message", "str")),
        None,
        "A tool failed on the host. `tool` names it, `message` says why.",
        "bridge",
        "tools",
        fields=(("tool", "str"), ("message", "str")),
    ),
    Helper(
        "read_text",
        (_p("path", "str"),),
        "str",
        "Read a text file (UTF-8) from a mounted directory.",
        "helpers",
        "files",
    ),
    Helper(
        "write_text",
        (_p("path", "str"), _p("text", "str")),
        "None",
        "Write a text file (UTF-8) in a writable mount.",
        "helpers",
        "files",
    ),
    Helper(
        "read_json",
        (_p("path", "str"),),
        "Any",
        "Read and parse a JSON file from a mounted directory.",
        "helpers",
        "files",
    ),
    Helper(
        "write_json",
        (_p("path", "str"), _p("data", "Any")),
        "None",
        "Write `data` as JSON in a writable mount.",
        "helpers",
        "files",
    ),
    Helper(
        "list_dir",
        (_p("path", "str", default="None"),),
        "list[str]",
        "Names in a mounted directory (sorted); `list_dir(\"/\")` lists the mount points.",
        "helpers",
        "files",
    ),
    Helper(
        "http_get",
        (
            _p("url", "str"),
            _p("headers", _HEADERS, KEYWORD_ONLY, "None"),
            _p("timeout", "float | None", KEYWORD_ONLY, "None"),
        ),
        "HttpResponse",
        "GET `url` through the host (allow-listed targets only).",
        "helpers",
        "http",
    ),
    Helper(
        "http_request",
        (
            _p("method", "str"),
            _p("url", "str"),
            _p("headers", _HEADERS, KEYWORD_ONLY, "None"),
            _p("body", "str | None", KEYWORD_ONLY, "None"),
            _p("json", "Any", KEYWORD_ONLY, "..."),
            _p("timeout", "float | None", KEYWORD_ONLY, "None"),
        ),
        "HttpResponse",
        "An HTTP request performed by the host for allow-listed targets.",
        "helpers",
        "http",
    ),
    Helper(
        "final_answer",
        (_p("text", "str"),),
        "NoReturn",
        "Give `text` as the final answer to the user and end the program.",
        "helpers",
        "final_answer",
    ),
)

HELPER_NAMES = tuple(h.name for h in HELPERS)

# TypedDicts the helpers' types use: (name, ((field, type), ...)).
STRUCTS = (
    ("HttpResponse", (("status", "int"), ("headers", "dict[str, str]"), ("text", "str"),
                      ("url", "str"))),
)

# --- error kinds ------------------------------------------------------------------------------
# Every kind a run's error can have (`ExecutionError.kind`), with what it means.
ERROR_KIND_DOCS = (
    ("rejected", "the verifier (or the guest's guards) refused the program; nothing more ran"),
    ("syntax", "the program does not parse"),
    ("runtime", "the program raised an exception"),
    ("tool", "a tool call failed and the program did not catch its ToolError"),
    ("timeout", "the run's wall-clock time limit passed"),
    ("memory", "the run's memory limit was reached"),
    ("output", "printed output (or the final answer) went over the output limit"),
    ("size", "a string crossing the guest/host boundary went over its cap"),
    ("limit", "a count went over its limit (tool calls, recursion, file writes, HTTP requests)"),
    ("denied", "a call of a tool that needs approval was refused"),
)
ERROR_KINDS = tuple(kind for kind, _ in ERROR_KIND_DOCS)

# The kinds the guest's outcome (wit/world.wit's `outcome.error-kind`) may carry; `denied` is
# the host's alone.
GUEST_ERROR_KINDS = tuple(k for k in ERROR_KINDS if k != "denied")

# The kinds of a host call's error (the JSON `{"kind", "message"}` of a call-tool or
# http-request Err), and those of them that end the run (recorded as the run's outcome even
# when the program catches the exception).
CALL_ERROR_KINDS = ("tool", "denied", "limit", "size", "timeout")
HTTP_ERROR_KINDS = ("denied", "network", "limit", "size", "timeout")
STICKY_CALL_KINDS = ("limit", "size", "timeout")

# --- the run configuration the host sends the guest ----------------------------------------------
# `run`'s config: {"tools": {name: TOOL_KEYS}, "policy": Grammar.runtime_policy(),
# "limits": LIMIT_KEYS, "mounts": [MOUNT_KEYS], "output_dir": guest path or None}.
CONFIG_KEYS = ("tools", "policy", "limits", "mounts", "output_dir")
TOOL_KEYS = ("param_names", "params", "parameters", "description")
MOUNT_KEYS = ("guest", "read_only")
# The limits the guest enforces itself (the names of host.Limits' fields).
LIMIT_KEYS = (
    "timeout_s",
    "output_bytes",
    "max_tool_calls",
    "max_arg_bytes",
    "recursion",
    "max_http_requests",
    "max_write_bytes",
    "max_write_files",
    "max_message_bytes",
)


# --- checks -------------------------------------------------------------------------------------
def signature_of(func):
    """[(name, kind, has a default)] of a plain Python function, from its code object (no
    `inspect`: the guest's build stays small)."""
    code = func.__code__
    names = code.co_varnames
    npos = code.co_argcount
    nkw = code.co_kwonlyargcount
    defaults = func.__defaults__ or ()
    kwdefaults = func.__kwdefaults__ or {}
    out = []
    for i in range(npos):
        kind = POSITIONAL_ONLY if i < code.co_posonlyargcount else POSITIONAL_OR_KEYWORD
        out.append((names[i], kind, i >= npos - len(defaults)))
    extra = npos + nkw
    if code.co_flags & 0x04:  # CO_VARARGS
        out.append((names[extra], VAR_POSITIONAL, False))
        extra += 1
    for name in names[npos : npos + nkw]:
        out.append((name, KEYWORD_ONLY, name in kwdefaults))
    if code.co_flags & 0x08:  # CO_VARKEYWORDS
        out.append((names[extra], VAR_KEYWORD, False))
    return out


def declared_signature(helper):
    """[(name, kind, has a default)] as the ABI declares `helper`."""
    return [(p.name, p.kind, p.default is not REQUIRED) for p in helper.params]


def check_implementation(helper, value):
    """None when `value` implements `helper` as declared, else what differs."""
    if helper.is_class:
        if not isinstance(value, type) or not issubclass(value, Exception):
            return f"{helper.name} must be an exception class"
        value = value.__init__
        declared = [("self", POSITIONAL_OR_KEYWORD, False), *declared_signature(helper)]
    else:
        declared = declared_signature(helper)
    if not hasattr(value, "__code__"):
        return f"{helper.name} must be a Python function"
    found = signature_of(value)
    if found != declared:
        return f"{helper.name}: the ABI declares {declared}, the implementation has {found}"
    return None


def implementations(modules):
    """{helper name: implementation} looked up in `modules` ({"helpers": module, "bridge":
    module}); raises RuntimeError when one is missing or its signature differs."""
    out = {}
    for helper in HELPERS:
        value = getattr(modules[helper.module], helper.name, None)
        if value is None:
            raise RuntimeError(f"the sandbox ABI declares {helper.name}, {helper.module} lacks it")
        problem = check_implementation(helper, value)
        if problem is not None:
            raise RuntimeError(f"sandbox ABI mismatch: {problem}")
        out[helper.name] = value
    return out

"""The guest component's entry point: `WitWorld.run(program, config)` (see wit/world.wit).

Everything here is imported at build time (componentize-py pre-initialises the interpreter), so
a run only resets per-run state, compiles the program with RestrictedPython and executes it
with the audit hook active. Each run gets a fresh instance from the host.
"""

import builtins
import gc
import hashlib
import json
import operator
import random
import sys
import time
import types

import wit_world
from runtime import abi, audit, bridge, guards, helpers, stdlib
from runtime.bridge import TOOLS, ToolError, make_stub
from runtime.caps import MESSAGE_BYTES, clip
from runtime.helpers import MOUNTS
from runtime.output import OUTPUT, STDERR, STDOUT
from runtime.state import STATE, FinalAnswer, SandboxLimit
from runtime.ticks import TICK_ITER_NAME, TICK_NAME, TICKED_NAME, make_ticked, make_ticks

stdlib.warm_up()


PROGRAM_FILE = "<program>"

# The sandbox's helpers, as runtime/abi.py declares them, looked up in the modules that
# implement them: a missing one, or one whose signature differs from the ABI's, fails the build.
HELPER_GLOBALS = abi.implementations({"helpers": helpers, "bridge": bridge})


# When the host did the restricted transform, the compiled text is laid out anew: this maps
# each of its lines to the program's own line (index 0 unused). None: the lines are the program's.
LINE_MAP = None


@audit.register
def _program_line(tb):
    """The program's line in traceback `tb` (a trusted call: reading frames is audited)."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == PROGRAM_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is not None and LINE_MAP is not None:
        line = LINE_MAP[line] if 0 < line < len(LINE_MAP) else None
        line = line or None
    return line


@audit.register
def _compile_host_text(source):
    return compile(source, PROGRAM_FILE, "exec", dont_inherit=True)


def _compile(program, restricted):
    """The program's code object: from the host's restricted text when it sent one for this
    very program (checked by digest), else through RestrictedPython here."""
    global LINE_MAP
    LINE_MAP = None
    if restricted:
        source = restricted.get("source")
        lines = restricted.get("lines")
        digest = restricted.get("digest")
        if (
            isinstance(source, str)
            and isinstance(lines, list)
            and digest == hashlib.sha256(program.encode("utf-8", "surrogatepass")).hexdigest()
        ):
            try:
                code = audit.call_trusted(_compile_host_text, source)
            except (SyntaxError, ValueError):
                pass  # e.g. the host's Python laid out something differently: do it here
            else:
                LINE_MAP = lines
                return code, None
    return guards.compile_program(program, PROGRAM_FILE)


# The error report is built while the audit hook is still on, and only from exact built-in
# values: the exception's class name through type's own descriptor, its text only when every
# field its __str__ reads is exact built-in data (so no __str__, __repr__ or __bool__ of the
# program's runs), else the class name alone.
_BUILTIN_EXCEPTIONS = frozenset(
    v for v in vars(builtins).values() if isinstance(v, type) and issubclass(v, BaseException)
)
_TYPE_NAME = type.__dict__["__name__"].__get__
_ARGS = BaseException.__dict__["args"].__get__
_TRACEBACK = BaseException.__dict__["__traceback__"].__get__
_EXTRA_FIELDS = (
    (OSError, ("errno", "strerror", "filename", "filename2")),
    (SyntaxError, ("msg", "filename", "lineno", "offset", "text", "end_lineno", "end_offset")),
    (UnicodeError, ("encoding", "object", "start", "end", "reason")),
    (ImportError, ("msg", "name", "path")),
)


def _plain(value):
    return audit.exact_data(value)


def _text(exc, cls):
    """str(exc) when it runs no program code, else None."""
    args = _ARGS(exc)
    if not _plain(args):
        return None
    if cls in _BUILTIN_EXCEPTIONS:
        for base, fields in _EXTRA_FIELDS:
            if issubclass(cls, base):
                for field in fields:
                    descriptor = base.__dict__.get(field)
                    if descriptor is not None and not _plain(descriptor.__get__(exc)):
                        return None
        return str(exc)
    return BaseException.__str__(exc)  # str() of the args alone: exact data


def _classify(exc):
    cls = type(exc)
    if cls is SandboxLimit:
        kind, message = exc.kind, exc.message
        if type(kind) is str and kind in abi.GUEST_ERROR_KINDS and type(message) is str:
            return kind, message
        return "runtime", "SandboxLimit"
    if issubclass(cls, MemoryError):
        return "memory", "out of memory (MemoryError)"
    name = _TYPE_NAME(cls)
    text = _text(exc, cls)
    if issubclass(cls, RecursionError):
        return "limit", f"recursion limit exceeded: {text or name}"
    if cls is ToolError:
        return "tool", f"ToolError: {text}" if text else "ToolError"
    if issubclass(cls, SyntaxError) and cls in _BUILTIN_EXCEPTIONS:
        msg = SyntaxError.__dict__["msg"].__get__(exc)
        return "syntax", f"SyntaxError: {msg}" if type(msg) is str else "SyntaxError"
    if text is None:
        return "runtime", f"{name} (its message is not shown: it holds a non-data value)"
    return "runtime", f"{name}: {text}" if text else name


def _line_of(exc):
    tb = _TRACEBACK(exc)
    if type(tb) is not types.TracebackType:
        return None
    return audit.call_trusted(_program_line, tb)


WARM_UP_PROGRAM = """
import json
def f(items, n=2):
    out = []
    for i, x in enumerate(items):
        if x % n == 0 and i < 10:
            out.append({"i": i, "x": x * 2.5, "s": f"{x}!"})
    return out
data = f([1, 2, 3, 4])
total = sum(d["x"] for d in data)
print(json.dumps(data), total, [k for k in data[0]])
counts: dict[str, int] = {}
counts["a"] = 0
counts["a"] += 1
match data:
    case [{"i": i}, *rest]:
        label = "{}:{}".format(i, len(rest))
    case _:
        label = ""
try:
    call_tool
except NameError:
    pass
"""


# The ready pool's prepare() runs this program once through the very path of a run (`_run`,
# with the run's config, its restricted text laid out as the host lays it out, the audit hook,
# the output crossing), so a fresh instance's first touches of its copy-on-write memory (page
# faults: about half of a pooled run's time in the guest) and its first-use caches are paid
# off the caller's path. It is the runtime's own program, not the caller's: the instance still
# runs exactly one untrusted program, and the run resets all per-run state.
DRY_RUN_PROGRAM = """
def scale(items, factor=2):
    out = []
    for i, x in enumerate(items):
        if x % 2 == 0 and i < 10:
            out.append({"i": i, "x": x * factor, "s": f"{x}!"})
    return out
data = scale([1, 2, 3, 4])
n = 0
while n < 3:
    n += 1
total = sum(d["x"] for d in data)
words = "a b c".split()
words.append(str(total))
print(len(data), total, [k for k in data[0]], " ".join(words), data[0]["s"].upper())
try:
    {}["missing"]
except KeyError as exc:
    n = len(str(exc))
"""


def _dry_run_restricted():
    """DRY_RUN_PROGRAM's restricted text as the host sends it (see host/precompile.py),
    made at build time by the same transformer (the program has no slice to rewrite)."""
    import ast

    from runtime.restrict import transformer_for

    tree = ast.parse(DRY_RUN_PROGRAM, PROGRAM_FILE, "exec")
    errors = []
    transformer_for(None)(errors, [], {}).visit(tree)
    if errors:
        raise RuntimeError(f"the dry-run program does not transform: {errors}")
    source = ast.unparse(tree)
    digest = hashlib.sha256(DRY_RUN_PROGRAM.encode("utf-8")).hexdigest()
    lines = [0] * (source.count("\n") + 2)
    return {"source": source, "lines": lines, "digest": digest}


DRY_RUN_RESTRICTED = _dry_run_restricted()
DRY_RUNS = 3  # after one, a run was still ~1.6x slower than a warm one; after three, ~1.3x


try:  # the default grammar's policy text, staged by the build (host/build.py: _stage)
    from cv_default_policy import TEXT as _DEFAULT_POLICY_TEXT
except ImportError:  # built without one: every config's policy is parsed in the run
    _DEFAULT_POLICY_TEXT = None


def _default_policy():
    """The default policy's config entry, its Policy and its builtins, made at build time (in
    the snapshot every instance starts from), or None."""
    if not isinstance(_DEFAULT_POLICY_TEXT, str):
        return None
    policy = guards.Policy(json.loads(_DEFAULT_POLICY_TEXT))
    return '"policy": ' + _DEFAULT_POLICY_TEXT, policy, guards.program_builtins(policy)


DEFAULT_POLICY = _default_policy()
# what the default policy's entry becomes before the rest of the config is parsed: a string no
# host sends as a policy (it sends an object), so only the config's own entry can read as it
_PARSED_AHEAD = "cv:default-policy"


def _parse_config(text):
    """The config's JSON, its Policy and the program's builtins under it.

    A config whose own "policy" entry is exactly the default policy's text (what the host
    sends for a run given no policy) takes the Policy and builtins made at build time: its
    9 KB are not parsed again (about 2.5 ms of a cold instance's run). The entry found first
    is replaced by a marker and the whole config parsed; only when the config's own top-level
    "policy" then holds the marker was the entry its policy (an equal text nested in a tool's
    schema is found first and leaves the top-level policy an object): anything else is parsed
    in full, as always. A config that holds the marker already is parsed in full (a policy
    that is the marker string fails closed, wherever the default text is: red-team finding)."""
    if DEFAULT_POLICY is not None and _PARSED_AHEAD not in text:
        entry, policy, builtins_dict = DEFAULT_POLICY
        at = text.find(entry)
        if at >= 0:
            marked = text[:at] + '"policy": "' + _PARSED_AHEAD + '"' + text[at + len(entry) :]
            cfg = json.loads(marked)
            if type(cfg) is dict and cfg.get("policy") == _PARSED_AHEAD:
                return cfg, policy, builtins_dict
    cfg = json.loads(text)
    policy = guards.Policy(cfg.get("policy"))
    return cfg, policy, guards.program_builtins(policy)


class _Config:
    """A run config, parsed: what a run needs before it compiles the program."""

    def __init__(self, text):
        cfg, self.policy, self.builtins = _parse_config(text)
        #: whether the policy is the one made at build time (the run's stats say so)
        self.policy_ahead = DEFAULT_POLICY is not None and self.policy is DEFAULT_POLICY[1]
        self.limits = cfg.get("limits") or {}
        self.tools = cfg.get("tools") or {}
        self.mounts = cfg.get("mounts") or []
        self.output_dir = cfg.get("output_dir")
        # what the end-of-run check compares the program's builtins with (see _builtins_intact)
        self.builtins_names = tuple(self.builtins)
        self.builtins_values = tuple(self.builtins.values())
        self._helpers = None

    def helpers(self):
        """The helpers and the tools' stubs for the program's globals; made once per config
        (so the ready pool's dry runs make them; an instance runs one program, so nothing is
        shared between two programs). A stub holds no state of its own."""
        if self._helpers is None:
            helpers = dict(HELPER_GLOBALS)
            for name, spec in TOOLS.specs.items():
                helpers[name] = make_stub(name, spec)
            self._helpers = helpers
        return self._helpers


PREPARED = None  # the _Config that prepare() parsed ahead, if any


# The warm-up program's own builtins (it runs before any run's policy exists).
WARM_UP_POLICY = {
    "builtins": ["enumerate", "len", "print", "sum", "NameError"],
    "modules": {"json": {"allow": ["dumps"]}},
}


def _compile_warm_up():
    """WARM_UP_PROGRAM through RestrictedPython, once, at build time: the code object is in
    the snapshot every instance starts from. (Compiled in each instance's prepare(), it was
    about 40% of the time to make a pooled instance.) The policy in force before is put back."""
    before = guards.POLICY
    guards.POLICY = guards.Policy(WARM_UP_POLICY)
    try:
        code, problem = guards.compile_program(WARM_UP_PROGRAM, PROGRAM_FILE)
    finally:
        guards.POLICY = before
    if code is None:  # the build fails: a pool of instances that never warm up is no pool
        raise RuntimeError(f"the warm-up program does not compile: {problem}")
    return code


WARM_UP_CODE = _compile_warm_up()


class WitWorld(wit_world.WitWorld):
    def prepare(self, config: str) -> None:
        global PREPARED
        guards.POLICY = guards.Policy(WARM_UP_POLICY)
        OUTPUT.reset(65536, streaming=False)
        sys.stdout, sys.stderr = STDOUT, STDERR
        tick, tick_iter = _ticks_for(None, {})
        ticks = {TICK_NAME: tick, TICK_ITER_NAME: tick_iter, TICKED_NAME: _ticked_for(None, {})}
        exec(WARM_UP_CODE, guards.program_globals(ticks))  # (never None: the build checks)
        OUTPUT.reset(65536, streaming=False)
        json.loads(json.dumps({"a": [1, "b"]}))
        audit.install()  # inactive until a run starts
        if config:
            PREPARED = _Config(config)
            PREPARED.policy.refused_values()  # ahead of the run, off its critical path
            TOOLS.reset(PREPARED.tools)
            TOOLS.build()  # the tools' binders, kept by the run's TOOLS.reset (same specs)
        cfg = PREPARED or _Config(json.dumps({"policy": WARM_UP_POLICY}))
        for _ in range(DRY_RUNS):
            self._dry_run(cfg)
        random.seed()  # the snapshot's seed is the same for every instance: draw a fresh one

    def _dry_run(self, cfg):
        """DRY_RUN_PROGRAM through the run's own path, its outcome dropped (see there)."""
        restricted = dict(DRY_RUN_RESTRICTED, deadline=time.time() + 5.0)
        try:
            self._run(DRY_RUN_PROGRAM, cfg, json.dumps(restricted), time.perf_counter())
        except BaseException:  # a warm-up only: a run that could not finish touched less
            pass
        STATE.reset({})
        OUTPUT.reset(65536, streaming=False)
        if PREPARED is not None:
            TOOLS.reset(PREPARED.tools)

    def run(self, program: str, config: str, restricted: str) -> wit_world.Outcome:
        """Total: whatever happens (a failure of the runtime itself included), an Outcome comes
        back, a recorded sticky outcome (a refusal, a limit) wins, and no traceback of the
        runtime is printed anywhere."""
        started = time.perf_counter()
        try:
            prepared = config == "prepared" and PREPARED is not None
            self._prepared = prepared
            cfg = PREPARED if prepared else _Config(config)
            self._policy_ahead = cfg.policy_ahead
            return self._run(program, cfg, restricted, started)
        except MemoryError:
            kind, message = STATE.sticky or ("memory", "out of memory (MemoryError)")
        except BaseException:  # the exception may be the program's: never touched
            kind, message = STATE.sticky or ("runtime", "the sandbox runtime failed")
        return wit_world.Outcome(ok=False, error_kind=kind, message=message, line=None, stats="{}")

    def _run(self, program, cfg, restricted, started):
        limits = cfg.limits
        STATE.reset(limits)
        OUTPUT.reset(int(limits.get("output_bytes") or 65536))
        TOOLS.reset(cfg.tools)
        MOUNTS.reset(cfg.mounts, cfg.output_dir)
        guards.POLICY = cfg.policy
        if not audit.installed():  # prepare() was not called
            random.seed()

        self._setup = time.perf_counter()
        sent = json.loads(restricted) if restricted else None
        code, problem = _compile(program, sent)
        compiled = time.perf_counter()
        if problem is not None:
            kind, message, line = problem
            return self._outcome(kind, message, line, started, compiled, compiled)

        extra = dict(cfg.helpers())  # TOOLS.specs is cfg.tools (reset above)
        if _may_tick(sent):
            extra[TICK_NAME], extra[TICK_ITER_NAME] = _ticks_for(sent, limits)
            extra[TICKED_NAME] = _ticked_for(sent, limits)
        program_builtins = cfg.builtins
        program_globals = guards.program_globals(extra, program_builtins)

        self._globals = time.perf_counter()
        kind = message = None
        line = None
        depth = len(_stack())
        recursion = int(limits.get("recursion") or 500)
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(depth + recursion + 10)
        sys.stdout, sys.stderr = STDOUT, STDERR
        audit.install()
        token = audit.start([(m, ro) for m, ro in MOUNTS.mounts], code)
        try:
            # Everything up to audit.stop() runs with the hook on: the program, its failure's
            # report (built from exact built-in values only), the end-of-run checks and the
            # release of its objects (a destructor of the program's runs under the hook too).
            try:
                exec(code, program_globals)
            except FinalAnswer:
                pass  # the program gave its answer with final_answer(): it ended, not failed
            except BaseException as exc:  # the program's failure is the outcome, not ours
                try:
                    kind, message = _classify(exc)
                    line = _line_of(exc)
                except BaseException:  # a report that cannot be built safely
                    kind, message = "runtime", "the program failed (its error cannot be shown)"
                del exc
            if not _builtins_intact(program_globals, program_builtins, cfg):
                STATE.hit("rejected", "the program replaced or changed its builtins")
            program_globals.clear()
            if cfg.policy.classes:
                gc.collect()  # destructors of the program's classes: now, under the hook
        finally:
            audit.stop(token)
            sys.setrecursionlimit(old_limit)
        finished = time.perf_counter()
        if STATE.sticky is not None:
            kind, message = STATE.sticky
        return self._outcome(kind, message, line, started, compiled, finished)

    def _outcome(self, kind, message, line, started, compiled, finished):
        setup = getattr(self, "_setup", started)
        ready = max(getattr(self, "_globals", compiled), compiled)
        # JSON made by hand from whole microseconds (ints and fixed words: no float
        # formatting, no encoder walk); only the final answer (program text) goes through json
        stats = (
            f'{{"guest_setup_us": {int((setup - started) * 1e6)}, '
            f'"guest_globals_us": {int((ready - compiled) * 1e6)}, '
            f'"guest_compile_us": {int((compiled - started) * 1e6)}, '
            f'"guest_exec_us": {int((finished - compiled) * 1e6)}, '
            f'"tool_calls": {int(STATE.tool_calls)}, '
            f'"host_restricted": {"true" if LINE_MAP is not None else "false"}, '
            f'"config_prepared": {"true" if getattr(self, "_prepared", False) else "false"}, '
            f'"policy_ahead": {"true" if getattr(self, "_policy_ahead", False) else "false"}'
        )
        if STATE.final_answer is not None:
            stats += ', "final_answer": ' + json.dumps(STATE.final_answer)
        cap = STATE.limits.get("max_message_bytes") or MESSAGE_BYTES
        return wit_world.Outcome(
            ok=kind is None,
            error_kind=kind or "",
            message=clip(message or "", int(cap)),  # capped, valid UTF-8: it crosses as WIT
            line=line,
            stats=stats + "}",
        )


def _may_tick(sent):
    """False only when the code compiled is the host's restricted text (LINE_MAP set) and that
    text names no tick function: the host's transform adds the ticks only where the program
    has a loop, a function or a comprehension, and an ASCII text that does not contain "_tick"
    compiles to code that names none of them (a program cannot name `_` names itself). The
    tick functions are then not made (they would never be called); in every other case they
    are, as always."""
    if LINE_MAP is None or not isinstance(sent, dict):
        return True
    source = sent.get("source")
    return not (type(source) is str and source.isascii() and "_tick" not in source)


def _ticks_for(sent, limits, make=make_ticks):
    """The run's `_tick_` and `_tick_iter_` (see runtime/ticks.py; `make` makes them): the
    deadline is the host's, on the wall clock, sent with the run."""
    deadline = sent.get("deadline") if isinstance(sent, dict) else None
    if not isinstance(deadline, (int, float)) or isinstance(deadline, bool):
        deadline = None
    seconds = limits.get("timeout_s")
    message = f"time limit of {seconds:g} s exceeded" if seconds else "time limit exceeded"
    return make(deadline, time.time, lambda: STATE.hit("timeout", message))


def _ticked_for(sent, limits):
    """The run's `_ticked_` (a comprehension's iterator, ticked; see runtime/ticks.py)."""
    return _ticks_for(sent, limits, make_ticked)


def _builtins_intact(program_globals, program_builtins, cfg):
    """The program's globals still hold the runtime's builtins dict, unchanged (compared by
    identity, name by name, in C: no value's __eq__ runs)."""
    if program_globals.get("__builtins__") is not program_builtins:
        return False
    names = cfg.builtins_names
    if len(program_builtins) != len(names):
        return False
    return all(map(operator.is_, map(program_builtins.get, names), cfg.builtins_values))


def _stack():
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


# Every trusted function is registered (at import, at build time): no more from here on.
audit.seal()

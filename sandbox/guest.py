"""The guest component's entry point: `WitWorld.run(program, config)` (see wit/world.wit).

Everything here is imported at build time (componentize-py pre-initialises the interpreter), so
a run only resets per-run state, compiles the program with RestrictedPython and executes it
with the audit hook active. Each run gets a fresh instance from the host.
"""

import hashlib
import json
import random
import sys
import time

import wit_world
from runtime import audit, guards, stdlib
from runtime.bridge import TOOLS, ToolError, call_tool, call_tools, make_stub
from runtime.helpers import (
    MOUNTS,
    final_answer,
    http_get,
    http_request,
    list_dir,
    read_json,
    read_text,
    write_json,
    write_text,
)
from runtime.output import OUTPUT, STDERR, STDOUT
from runtime.state import STATE, FinalAnswer, SandboxLimit

stdlib.warm_up()


PROGRAM_FILE = "<program>"


# When the host did the restricted transform, the compiled text is laid out anew: this maps
# each of its lines to the program's own line (index 0 unused). None: the lines are the program's.
LINE_MAP = None


def _program_line(tb):
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == PROGRAM_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is not None and LINE_MAP is not None:
        line = LINE_MAP[line] if 0 < line < len(LINE_MAP) else None
        line = line or None
    return line


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
                with audit.trusted():
                    code = compile(source, PROGRAM_FILE, "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                pass  # e.g. the host's Python laid out something differently: do it here
            else:
                LINE_MAP = lines
                return code, None
    return guards.compile_program(program, PROGRAM_FILE)


def _classify(exc):
    if isinstance(exc, SandboxLimit):
        return exc.kind, exc.message
    if isinstance(exc, MemoryError):
        return "memory", "out of memory (MemoryError)"
    if isinstance(exc, RecursionError):
        return "limit", f"recursion limit exceeded: {exc}"
    if isinstance(exc, ToolError):
        return "tool", f"ToolError: {exc}"
    if isinstance(exc, SyntaxError):
        return "syntax", f"SyntaxError: {exc.msg}"
    text = str(exc)
    return "runtime", f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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


class _Config:
    """A run config, parsed: what a run needs before it compiles the program."""

    def __init__(self, text):
        cfg = json.loads(text)
        self.limits = cfg.get("limits") or {}
        self.tools = cfg.get("tools") or {}
        self.mounts = cfg.get("mounts") or []
        self.output_dir = cfg.get("output_dir")
        self.policy = guards.Policy(cfg.get("policy"))
        self.builtins = guards.program_builtins(self.policy)


PREPARED = None  # the _Config that prepare() parsed ahead, if any


class WitWorld(wit_world.WitWorld):
    def prepare(self, config: str) -> None:
        global PREPARED
        code, _ = guards.compile_program(WARM_UP_PROGRAM, PROGRAM_FILE)
        if code is not None:
            guards.POLICY = guards.Policy({"builtins": None, "modules": {"json": {}}})
            OUTPUT.reset(65536, streaming=False)
            sys.stdout, sys.stderr = STDOUT, STDERR
            exec(code, guards.program_globals({}))
            OUTPUT.reset(65536, streaming=False)
        json.loads(json.dumps({"a": [1, "b"]}))
        random.seed()  # the snapshot's seed is the same for every instance: draw a fresh one
        audit.install()  # inactive until a run starts
        if config:
            PREPARED = _Config(config)

    def run(self, program: str, config: str, restricted: str) -> wit_world.Outcome:
        started = time.perf_counter()
        self._prepared = config == "prepared" and PREPARED is not None
        cfg = PREPARED if self._prepared else _Config(config)
        limits = cfg.limits
        STATE.reset(limits)
        OUTPUT.reset(int(limits.get("output_bytes") or 65536))
        TOOLS.reset(cfg.tools)
        MOUNTS.reset(cfg.mounts, cfg.output_dir)
        guards.POLICY = cfg.policy
        if not audit.HOOK.installed:  # prepare() was not called
            random.seed()

        self._setup = time.perf_counter()
        code, problem = _compile(program, json.loads(restricted) if restricted else None)
        compiled = time.perf_counter()
        if problem is not None:
            kind, message, line = problem
            return self._outcome(kind, message, line, started, compiled, compiled)

        extra = {
            "call_tool": call_tool,
            "call_tools": call_tools,
            "ToolError": ToolError,
            "read_text": read_text,
            "write_text": write_text,
            "read_json": read_json,
            "write_json": write_json,
            "list_dir": list_dir,
            "http_get": http_get,
            "http_request": http_request,
            "final_answer": final_answer,
        }
        for name, spec in TOOLS.specs.items():
            extra[name] = make_stub(name, spec)
        program_globals = guards.program_globals(extra, cfg.builtins)

        self._globals = time.perf_counter()
        kind = message = None
        line = None
        depth = len(_stack())
        recursion = int(limits.get("recursion") or 500)
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(depth + recursion + 10)
        sys.stdout, sys.stderr = STDOUT, STDERR
        audit.install()
        audit.start([(m, ro) for m, ro in MOUNTS.mounts], code)
        try:
            exec(code, program_globals)
        except FinalAnswer:
            audit.stop()  # the program gave its answer: it ended, it did not fail
        except BaseException as exc:  # the program's failure is the outcome, not ours
            audit.stop()
            kind, message = _classify(exc)
            line = _program_line(exc.__traceback__)
            del exc
        finally:
            audit.stop()
            sys.setrecursionlimit(old_limit)
            program_globals.clear()
        finished = time.perf_counter()
        if STATE.sticky is not None:
            kind, message = STATE.sticky
        return self._outcome(kind, message, line, started, compiled, finished)

    def _outcome(self, kind, message, line, started, compiled, finished):
        setup = getattr(self, "_setup", started)
        ready = max(getattr(self, "_globals", compiled), compiled)
        stats = {
            "guest_setup_ms": (setup - started) * 1000.0,
            "guest_globals_ms": (ready - compiled) * 1000.0,
            "guest_compile_ms": (compiled - started) * 1000.0,
            "guest_exec_ms": (finished - compiled) * 1000.0,
            "tool_calls": STATE.tool_calls,
            "host_restricted": bool(LINE_MAP is not None),
            "config_prepared": bool(getattr(self, "_prepared", False)),
        }
        if STATE.final_answer is not None:
            stats["final_answer"] = STATE.final_answer
        return wit_world.Outcome(
            ok=kind is None,
            error_kind=kind or "",
            message=message or "",
            line=line,
            stats=json.dumps(stats),
        )


def _stack():
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames

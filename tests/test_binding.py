"""The one argument binder (sandbox/runtime/binding.py) binds exactly like inspect.Signature.bind,
and `call_arguments` turns bound arguments back into a call that binds to the same values."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeact_verify.guest.runtime import binding

P = inspect.Parameter
KINDS = {
    P.POSITIONAL_ONLY: binding.POSITIONAL_ONLY,
    P.POSITIONAL_OR_KEYWORD: binding.POSITIONAL_OR_KEYWORD,
    P.VAR_POSITIONAL: binding.VAR_POSITIONAL,
    P.KEYWORD_ONLY: binding.KEYWORD_ONLY,
    P.VAR_KEYWORD: binding.VAR_KEYWORD,
}
NAMES = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]


@st.composite
def signatures(draw: Any) -> inspect.Signature:
    names = iter(draw(st.permutations(NAMES)))
    params: list[inspect.Parameter] = []
    n_po = draw(st.integers(0, 2))
    n_pk = draw(st.integers(0, 3))
    n_defaults = draw(st.integers(0, n_po + n_pk))  # positional defaults are a suffix
    for i in range(n_po + n_pk):
        kind = P.POSITIONAL_ONLY if i < n_po else P.POSITIONAL_OR_KEYWORD
        default = 0 if i >= n_po + n_pk - n_defaults else P.empty
        params.append(P(next(names), kind, default=default))
    if draw(st.booleans()):
        params.append(P(next(names), P.VAR_POSITIONAL))
    for _ in range(draw(st.integers(0, 2))):
        params.append(P(next(names), P.KEYWORD_ONLY, default=draw(st.sampled_from([0, P.empty]))))
    if draw(st.booleans()):
        params.append(P(next(names), P.VAR_KEYWORD))
    return inspect.Signature(params)


def as_params(sig: inspect.Signature) -> list[tuple[str, str, bool]]:
    return [(p.name, KINDS[p.kind], p.default is not p.empty) for p in sig.parameters.values()]


def reference(sig: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return None
    out = dict(bound.arguments)
    for p in sig.parameters.values():
        if p.kind is P.VAR_POSITIONAL and p.name in out:
            out[p.name] = list(out[p.name])
    return out


def ours(sig: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return binding.bind("t", as_params(sig), args, dict(kwargs))
    except TypeError:
        return None


@settings(max_examples=600, deadline=None)
@given(
    sig=signatures(),
    n_args=st.integers(0, 6),
    keys=st.lists(st.sampled_from([*NAMES, "z"]), unique=True, max_size=5),
)
def test_bind_matches_inspect(sig: inspect.Signature, n_args: int, keys: list[str]) -> None:
    args = tuple(f"p{i}" for i in range(n_args))
    kwargs = {k: f"k{k}" for k in keys}
    expected = reference(sig, args, kwargs)
    got = ours(sig, args, kwargs)
    assert got == expected
    # the problem list is empty exactly when the call binds
    found = binding.match(as_params(sig), n_args, keys)
    assert (found.problems == []) == (expected is not None)
    if expected is not None:
        # and the call rebuilt from the bound arguments binds to the same values
        defaults = {p.name: p.default for p in sig.parameters.values() if p.default is not p.empty}
        call_args, call_kwargs = binding.call_arguments(as_params(sig), got, defaults)
        again = sig.bind(*call_args, **call_kwargs)
        again.apply_defaults()
        full = sig.bind(*args, **kwargs)
        full.apply_defaults()
        assert again.arguments == full.arguments


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ((("x", 1, 2, 3), {}), "takes 2 positional argument(s) but 4 were given"),
        (((), {"name": "y"}), "positional-only argument passed as keyword argument: 'name'"),
        (((), {"limit": 1}), "missing required argument 'name'"),
        ((("x",), {"colour": 1}), "unexpected keyword argument 'colour'"),
        ((("x", 1), {"limit": 2}), "multiple values for argument 'limit'"),
    ],
)
def test_messages_say_what_python_says(call: Any, message: str) -> None:
    params = [("name", "positional_only", False), ("limit", "positional_or_keyword", True)]
    args, kwargs = call
    with pytest.raises(TypeError) as caught:
        binding.bind("lookup", params, args, kwargs)
    assert str(caught.value).startswith("lookup() ") and message in str(caught.value)


def test_positional_only_parameters_travel_by_position() -> None:
    def lookup(name: str, /, limit: int = 3, *, exact: bool = False) -> str:
        return f"{name}:{limit}:{exact}"

    sig = inspect.signature(lookup)
    params = as_params(sig)
    bound = binding.bind("lookup", params, ("Ada",), {})
    assert bound == {"name": "Ada"}
    args, kwargs = binding.call_arguments(params, bound, {"limit": 3, "exact": False})
    assert lookup(*args, **kwargs) == "Ada:3:False"
    bound = binding.bind("lookup", params, ("Ada",), {"exact": True})
    args, kwargs = binding.call_arguments(params, bound, {"limit": 3, "exact": False})
    assert lookup(*args, **kwargs) == "Ada:3:True"


def test_verifier_guest_and_host_use_this_module() -> None:
    from pathlib import Path

    root = Path(__file__).parent.parent
    for path in ("codeact_verify/toolcheck.py", "codeact_verify/tools.py"):
        assert "codeact_verify.guest.runtime.binding" in (root / path).read_text()
    guest = (root / "sandbox/runtime/bridge.py").read_text()
    assert "from .binding import Binder" in guest and "from .schema import" in guest
    # no second binder: nothing else matches keywords to parameters by hand
    for path in ("codeact_verify/host/bridge.py", "sandbox/runtime/schema.py"):
        text = (root / path).read_text()
        assert "unexpected keyword argument" not in text

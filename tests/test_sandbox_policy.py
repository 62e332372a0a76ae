"""The grammar's runtime policy as the guest enforces it: builtins, modules, module names."""

from __future__ import annotations

import pytest
from test_sandbox_support import POLICY, make_sandbox, run

from codeact_verify.host import default_policy


@pytest.fixture(scope="module")
def sb():
    sandbox = make_sandbox()
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize(
    ("program", "needle"),
    [
        ("import operator\noperator.attrgetter", "operator.attrgetter is not allowed"),
        ("from operator import methodcaller", "operator.methodcaller is not allowed"),
        ("import string\nstring.Formatter", "string.Formatter is not allowed"),
        ("import heapq", "import of 'heapq' is not allowed"),
        ("import json as j\nj.decoder", "json.decoder is not allowed"),  # a submodule
        ("from json import *", "import"),
        ("eval('1')", "not allowed"),
        ("exec('x = 1')", "not allowed"),
        ("compile('1', 'f', 'eval')", "NameError"),
        ("globals()", "NameError"),
        ("setattr(1, 'a', 2)", "NameError"),
    ],
)
def test_policy_refusals(sb, program: str, needle: str) -> None:
    r = run(sb, program)
    assert r.error is not None and r.error.kind in ("runtime", "rejected"), r.error
    assert needle in r.error.message, r.error.message


def test_allowed_names_work(sb) -> None:
    program = (
        "import operator, string, math\n"
        "from collections import Counter, namedtuple\n"
        "P = namedtuple('P', 'x y')\n"
        "print(operator.add(1, 2), string.digits, math.floor(2.5), Counter('aab')['a'],\n"
        "      P(1, 2).y)\n"
    )
    r = run(sb, program)
    assert r.ok, r.error
    assert r.stdout == "3 0123456789 2 2 2\n"


def test_builtins_follow_policy(sb) -> None:
    narrow = {"builtins": ["print", "len"], "modules": {}}
    assert run(sb, "print(len('abc'))", policy=narrow).stdout == "3\n"
    r = run(sb, "print(sorted([2, 1]))", policy=narrow)
    assert r.error is not None and "NameError" in r.error.message


def test_default_policy_bundles_every_module(sb) -> None:
    policy = default_policy()
    modules = sorted(policy["modules"])
    program = "\n".join(f"import {m}" for m in modules) + "\nprint('ok')\n"
    r = run(sb, program, policy=policy)
    assert r.ok, r.error


def test_stdlib_modules_usable(sb) -> None:
    program = (
        "import datetime, decimal, fractions, statistics, re, hashlib, base64, uuid, csv, difflib\n"
        "import textwrap, calendar, unicodedata, random, itertools, functools, bisect, heapq\n"
        "print(datetime.date(2024, 1, 2).isoformat(), decimal.Decimal('1.1') + 1,\n"
        "      fractions.Fraction(1, 3) * 3, statistics.median([3, 1, 2]),\n"
        "      re.findall(r'\\d+', 'a1b22'), hashlib.sha256(b'x').hexdigest()[:8],\n"
        "      base64.b64encode(b'hi').decode(), len(str(uuid.uuid4())),\n"
        "      list(csv.reader(['a,b']))[0],\n"
        "      round(difflib.SequenceMatcher(None, 'ab', 'ac').ratio(), 2),\n"
        "      textwrap.shorten('hello world again', 12), calendar.isleap(2024),\n"
        "      unicodedata.name('a'), 0 <= random.random() < 1,\n"
        "      list(itertools.islice(range(9), 2)),\n"
        "      functools.reduce(lambda a, b: a + b, [1, 2]), bisect.bisect([1, 3], 2),\n"
        "      heapq.nsmallest(1, [3, 1]))\n"
    )
    r = run(sb, program, policy=default_policy())
    assert r.ok, r.error
    assert r.stdout.startswith("2024-01-02 2.1 1 2 ['1', '22'] 2d711642 aGk= 36 ['a', 'b'] 0.5")


def test_random_differs_between_runs(sb) -> None:
    program = "import random\nprint(random.random())"
    outs = {run(sb, program, policy=default_policy()).stdout for _ in range(3)}
    assert len(outs) == 3


def test_policy_fixture_sane() -> None:
    assert "json" in POLICY["modules"]

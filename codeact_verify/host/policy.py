"""The default grammar's runtime policy and its JSON text.

A run given no policy uses them (`Sandbox`), and the guest build stages the text so the guest
parses it once, when it is built (`build._stage`): a run whose config carries exactly this text
takes the policy parsed then instead of parsing 9 KB of JSON again.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from ..grammar import load_grammar


@functools.lru_cache(maxsize=1)
def default_policy() -> dict[str, Any]:
    """The default grammar's runtime policy (what a run uses when given none)."""
    return load_grammar("default").runtime_policy()


@functools.lru_cache(maxsize=1)
def default_policy_snapshot() -> tuple[dict[str, Any], str]:
    """A private deep copy of the default policy and its JSON text, made once per process: a
    run given no policy uses these. No caller holds this copy, so the text cannot go stale
    (comparing a 9 KB policy on every run cost more than the rest of the config)."""
    policy = copy.deepcopy(default_policy())
    return policy, json.dumps(policy)


def default_policy_text() -> str:
    """The exact JSON text of the default policy in a run's config."""
    return default_policy_snapshot()[1]

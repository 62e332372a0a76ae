"""Microsoft Agent Framework integration, at its public import path.

The code lives in :mod:`codeact_verify.adapters.agent_framework` with the other adapters; this
module is the stable name users import
(``from codeact_verify.agent_framework import CodeActProvider``). Needs agent-framework-core.
"""

from .adapters.agent_framework import *  # noqa: F403
from .adapters.agent_framework import __all__ as __all__

"""The OpenAI-compatible agent loop, at its public import path.

The code lives in :mod:`codeact_verify.adapters.openai` with the other adapters; this module is
the stable name users import (``from codeact_verify.openai import CodeActAgent``).
"""

from .adapters.openai import *  # noqa: F403
from .adapters.openai import __all__ as __all__

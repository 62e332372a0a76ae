"""The sandbox host: runs programs in a CPython guest compiled to WebAssembly, on wasmtime.

from codeact_verify.host import Sandbox, Limits, Mount, NetworkPolicy
"""

from .build import GuestArtifacts, cache_root, ensure_guest
from .limits import Limits
from .mounts import Mount
from .network import DomainRule, NetworkPolicy
from .result import ERROR_KINDS, Artifact, ExecutionError, ExecutionResult, ToolCallRecord
from .sandbox import Sandbox, default_policy

__all__ = [
    "ERROR_KINDS",
    "Artifact",
    "DomainRule",
    "ExecutionError",
    "ExecutionResult",
    "GuestArtifacts",
    "Limits",
    "Mount",
    "NetworkPolicy",
    "Sandbox",
    "ToolCallRecord",
    "cache_root",
    "default_policy",
    "ensure_guest",
]

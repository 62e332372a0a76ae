"""Adapters: CodeAct behind an agent loop or a service.

- :mod:`.openai`: a compact loop over any OpenAI-compatible Chat Completions endpoint
  (public path ``codeact_verify.openai``);
- :mod:`.agent_framework`: Microsoft Agent Framework's context provider and tool
  (public path ``codeact_verify.agent_framework``);
- :mod:`.serve`: the local HTTP verification/execution service (``codeact-verify serve``).

Adapters import the core library (``codeact_verify.codeact`` and below); nothing in the core
imports an adapter.
"""

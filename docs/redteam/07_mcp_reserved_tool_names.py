# ruff: noqa
# Finding 07 (LOW-MEDIUM, verifier/sandbox disagreement): tools from `--mcp SERVER` (and any
# mapping of ToolSpecs passed to `verify`) skip the reserved-name check that `tool_specs` applies
# to a list: an MCP server's tool named `print`, `call_tool`, `read_text`, `ToolError`, ... is
# registered. With `print`, every `print(...)` of the program is taken by the verifier for a call
# of that tool (type-checked against its signature, listed in the effects, shown to an approver)
# while the guest runs the builtin `print` (the approver is asked about a tool that never runs;
# `print(get_weather(...))` is falsely rejected with CV701); with a helper's name, mypy fails closed
# (CV799 "stubs do not type-check") for every program. Layer: verifier / CLI tool loading.
#
#   $ codeact-verify run docs/redteam/07_mcp_reserved_tool_names.py \
#       --mcp ".venv/bin/python docs/redteam/07_mcp_reserved_names_server.py" --json
#   expected: the server's `print` tool is skipped (reserved), effects ["get_weather"]
#   actual (main 10a659e): ok, stdout "hello from the program", effects ["print", "get_weather"];
#   with a `read_text` tool: every program rejected CV799.
# Fix (red3): tool_specs() checks reserved names for a mapping too (verify() now goes through
# it), and MCPTools skips a server tool whose Python name is reserved (listed in .skipped).
print("hello from the program")
x = get_weather(city="Oslo")

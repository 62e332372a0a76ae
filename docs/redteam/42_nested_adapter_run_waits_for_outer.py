# ruff: noqa
"""red10/42: the Agent Framework adapter serializes its runs with the pool's output_lock
(red9/31), polled with no time limit and blind to CALLING_RUN. A run started through the
adapter by a tool of an adapter run of the same CodeAct (an agent used as a tool by another
agent that shares the CodeAct / a run-scoped copy of it, a "sub-task" tool) waits for the outer
run's turn, which the outer run holds while it waits for that very tool: the outer run always
times out, the nested one runs only afterwards (its result goes nowhere). Sandbox.run lets such
a nested run in (CALLING_RUN); the adapter's own lock does not."""
import asyncio, os, tempfile, time
from codeact_verify.adapters.agent_framework import ExecuteCodeTool
from codeact_verify.host import Limits

holder = {}

async def sub_task(code: str) -> str:
    """Runs a sub-program (e.g. another agent's execute_code on the same CodeAct)."""
    t = time.monotonic()
    contents = await holder["run"]._run_code(code)
    return f"sub-task done after {time.monotonic() - t:.1f}s: {str(contents)[:60]}"

async def main():
    ws = tempfile.mkdtemp()  # a workspace: /input, and so an /output directory
    open(os.path.join(ws, "a.txt"), "w").write("hi")
    tool = ExecuteCodeTool(tools=[sub_task], workspace_root=ws, approval_mode="never_require", limits=Limits(timeout_s=2.0))
    holder["run"] = tool.create_run_tool()  # a run-scoped copy, as an agent run makes
    t = time.monotonic()
    out = await tool._run_code("print(sub_task(code='print(41 + 1)'))\n")
    print(f"outer answered after {time.monotonic() - t:.1f}s:", [getattr(c, "text", None) or getattr(c, "result", None) or repr(c.to_dict())[:300] for c in out])

asyncio.run(main())

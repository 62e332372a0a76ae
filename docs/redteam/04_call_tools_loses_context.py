# ruff: noqa
# Finding 04 (MEDIUM, tool context confusion): a synchronous tool called through `call_tools([...])`
# runs on the host's shared thread pool WITHOUT the run's context variables, while the same tool
# called directly (`who(...)`, `call_tool("who", ...)`) runs in them. So Agent Framework's
# per-call FunctionInvocationContext (new on main today) is empty in a batch (ctx.kwargs has no
# user_id), an application's request-scoped contextvar (current user, tenant, trace) reads its
# default, and a contextvar a tool SETS inside a batch stays set in that pool thread and is seen by
# the next run's batch (another user's), since the pool outlives runs.
# Layer beaten: host bridge (codeact_verify/host/bridge.py RunBridge.call_tools).
#
#   $ .venv/bin/python docs/redteam/04_call_tools_loses_context.py
#   expected: every line names the run's own user; "leaked" is None
#   actual (main 10a659e):
#     alice direct=alice batch=None
#     bob direct=bob batch=None
#     leaked into the next run's batch: 'None-token'   (the first run's batch set it, as user None)
# Fix (red3): submit each sync job as `contextvars.copy_context().run(_call_sync, ...)`.
import asyncio
import contextvars

from codeact_verify import CodeAct

USER: contextvars.ContextVar[str | None] = contextvars.ContextVar("user", default=None)
TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("token", default=None)


def who(n: int) -> str:
    """The signed-in user (an application's request-scoped contextvar)."""
    return str(USER.get())


def login() -> str:
    """Caches the user's token for this request (a library storing it in a contextvar)."""
    seen = TOKEN.get()
    TOKEN.set(f"{USER.get()}-token")
    return str(seen)


ca = CodeAct(tools=[who, login])


async def as_user(user: str, code: str) -> str:
    USER.set(user)  # what a web app does per request
    return (await ca.execute(code)).stdout.strip()


code = "print('direct=' + who(1), 'batch=' + call_tools([('who', {'n': 1})])[0])"
for user in ("alice", "bob"):
    print(user, asyncio.run(as_user(user, code)))
# one run's batch sets a contextvar in a pool thread; the next run's batch (another user) sees it
batch = "print(call_tools([('login', {})])[0])"
asyncio.run(as_user("alice", batch))
print("leaked into the next run's batch:", repr(asyncio.run(as_user("bob", batch))))

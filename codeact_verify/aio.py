"""`run_detached`: `asyncio.run` that never waits, at the end, for what a tool left running.

`asyncio.run(coro)` ends by cancelling the tasks left, awaiting them, and joining the loop's
default executor (`loop.shutdown_default_executor()`), where `asyncio.to_thread(...)` and
`loop.run_in_executor(None, ...)` run their blocking calls. An async tool that wraps a blocking
network call that never returns (the usual `await asyncio.to_thread(requests.get, url)`) thus
held whoever called `asyncio.run` past the run's time limit: forever on Python 3.11, 300 s on
3.12 and later (red-team finding red9/32). Here the left tasks are cancelled and given
`CLEANUP_S` to finish, async generators `CLEANUP_S` to close, and the loop is closed, which
shuts its executor down *without* waiting: a thread stuck in a blocking call finishes on its
own, and nothing it returns is used.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

CLEANUP_S = 0.25


def close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what `loop` still runs, give it `CLEANUP_S`, close async generators (as long at
    most) and close the loop: its executor is shut down without waiting. (That executor, where
    `asyncio.to_thread` runs, must be a ThreadPoolExecutor, whose threads Python joins at exit:
    a to_thread call that never returns still holds up the process's exit.)"""
    try:
        _cleanup(loop)
    finally:
        loop.close()


def run_detached(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on a new event loop in this thread and return its result (as `asyncio.run`),
    then clean up for at most about 2 * `CLEANUP_S`, never joining the loop's executor."""
    loop = asyncio.new_event_loop()
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(coro)
    finally:
        try:
            close_loop(loop)
        finally:
            asyncio.set_event_loop(None)


def _cleanup(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    try:
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=CLEANUP_S))
        loop.run_until_complete(asyncio.wait_for(loop.shutdown_asyncgens(), CLEANUP_S))
    except (Exception, asyncio.CancelledError):  # a tool's cleanup failed: not the caller's
        pass

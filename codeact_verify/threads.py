"""A thread pool whose threads never hold up the process's exit.

`concurrent.futures.ThreadPoolExecutor` joins its threads when the interpreter exits. A
sandbox's runner and tool threads can be held by a tool that never returns (a network call
without a timeout), which the run's caller was told was "left to finish in the background":
with ThreadPoolExecutor the process then never exited (red-team finding red10/37). Here the
threads are daemon threads, as `threading.Thread(daemon=True)`: at exit they are dropped.

The same submit / shutdown contract as ThreadPoolExecutor: a submitted call starts a thread
while queued calls outnumber the threads waiting for one and fewer than `max_workers` exist;
a waiting thread takes the next call; `shutdown(cancel_futures=True)` cancels what has not
started. `max_workers` may be raised and lowered while the pool runs (`ToolThreads` replaces
held threads that way).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any

_Work = tuple[concurrent.futures.Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DaemonThreadPool(concurrent.futures.Executor):
    """A ThreadPoolExecutor whose threads are daemon threads (see the module docstring)."""

    _counter = itertools.count()

    def __init__(self, max_workers: int, thread_name_prefix: str = "codeact") -> None:
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self._max_workers = max_workers
        self._prefix = f"{thread_name_prefix}-{next(self._counter)}"
        self._work: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        # counted exactly, under _lock: calls queued and not yet taken, threads waiting for one
        # (a token per finished call, as ThreadPoolExecutor keeps, goes stale when the thread
        # takes queued work at once: then no new thread started while others hung; red11/51)
        self._queued = 0
        self._waiting = 0
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            self._work.put((future, fn, args, kwargs))
            self._queued += 1
            # a thread that died (an exception raised into it as it started: red16/77) takes
            # no work: it must not count against `max_workers`
            self._threads = [t for t in self._threads if t.is_alive()]
            if self._queued > self._waiting and len(self._threads) < self._max_workers:
                thread = threading.Thread(
                    target=self._worker,
                    name=f"{self._prefix}_{len(self._threads)}",
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
            return future

    def _worker(self) -> None:
        while True:
            with self._lock:
                self._waiting += 1
            item = self._work.get()
            with self._lock:
                self._waiting -= 1
                if item is not None:
                    self._queued -= 1
            if item is None:  # shut down: pass the word on to the next thread
                self._work.put(None)
                return
            future, fn, args, kwargs = item
            del item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)
                    del exc
            del future, fn, args, kwargs

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while True:
                    try:
                        item = self._work.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        self._queued -= 1
                        item[0].cancel()
            self._work.put(None)
            threads = list(self._threads)
        if wait:
            for thread in threads:
                if thread is not threading.current_thread():
                    thread.join()

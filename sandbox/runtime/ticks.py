"""A time limit that stops the program *in Python*, so a timeout names the program's line.

The host's epoch deadline stops the guest from outside (a trap), which leaves no Python
traceback: the line the program was on is lost. So the restricted transform also puts a
`_tick_()` call at the top of every loop body and every function body (`add_ticks`), and the
run binds `_tick_` to a C-level iterator step (`itertools.chain` over `repeat` chunks): most
ticks cost one C call, and every `TICK_CHUNK`-th one runs `_chunks`, which reads the wall clock
and raises the sticky `timeout` limit once the run's deadline (sent by the host) has passed.
The exception surfaces at the tick, on the loop's or function's own line. The host's epoch
deadline, set a little later, stays the backstop (code that loops inside one C call, such as
`sum(range(10**12))`, is stopped by it, without a line).

This module needs only `ast`, so the host's copy of the restricted transform uses it too.
"""

import ast

TICK_NAME = "_tick_"
TICK_CHUNK = 1000


class _Ticker(ast.NodeTransformer):
    def _tick(self, node):
        call = ast.Expr(ast.Call(ast.Name(TICK_NAME, ast.Load()), [], []))
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def _loop(self, node):
        self.generic_visit(node)
        node.body.insert(0, self._tick(node))
        return node

    visit_While = visit_For = visit_AsyncFor = _loop
    visit_FunctionDef = visit_AsyncFunctionDef = _loop


def add_ticks(tree):
    """`tree` with a `_tick_()` call first in every loop and function body (in place)."""
    _Ticker().visit(tree)
    return tree


def make_tick(deadline, now, limit_error):
    """The `_tick_` of one run: raises `limit_error()` once `now()` passes `deadline`."""
    from itertools import chain, repeat

    def _chunks():
        while True:
            if deadline is not None and now() >= deadline:
                raise limit_error()
            yield repeat(None, TICK_CHUNK)

    return chain.from_iterable(_chunks()).__next__

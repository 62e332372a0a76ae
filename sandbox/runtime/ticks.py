"""A time limit that stops the program *in Python*, so a timeout names the program's line.

The host's epoch deadline stops the guest from outside (a trap), which leaves no Python
traceback: the line the program was on is lost. So the restricted transform also puts a
`_tick_()` call at the top of every loop body and every function body (`add_ticks`), and the
run binds `_tick_` to a C-level iterator step (`itertools.chain` over `repeat` chunks): most
ticks cost one C call, and every `TICK_CHUNK`-th one runs `_chunks`, which reads the wall clock
and raises the sticky `timeout` limit once the run's deadline (sent by the host) has passed.
The exception surfaces at the tick, on the loop's or function's own line. A comprehension's
iterator is wrapped instead (`_ticked_(it)`: C-level chunks with a clock read between them), so
`sum(x * x for x in range(10**12))` stops on its line too. The host's epoch deadline, set a
little later, stays the backstop: code that loops inside one C call, such as
`sum(range(10**12))` or `max(items, key=lambda v: ...)`, never reaches a tick and is stopped
by it, from outside, without a line (the host's message says so). Naming that line would need
the guest to tell the host its line at every statement, a cost on every program.

This module needs only `ast`, so the host's copy of the restricted transform uses it too.
"""

import ast

TICK_NAME = "_tick_"
TICK_CHUNK = 1000
TICKED_NAME = "_ticked_"
TICKED_CHUNK = 256


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

    # A comprehension is a loop too (`sum(x * x for x in range(10**12))`): without a tick it
    # would run until the epoch backstop, which has no line. Its iterator goes through
    # `_ticked_` (C-level per item; the clock is read every TICKED_CHUNK items); an async one
    # gets a filter that always passes (`_tick_()` returns None). A lambda gets no tick: it
    # is called item by item by a built-in (`max(items, key=lambda v: ...)`), a single
    # built-in call as far as the time limit goes, and a tick would cost every call.
    def visit_comprehension(self, node):
        self.generic_visit(node)
        if node.is_async:
            tick = ast.UnaryOp(ast.Not(), _call(TICK_NAME))
            node.ifs.insert(0, ast.fix_missing_locations(ast.copy_location(tick, node.iter)))
        else:
            wrapped = _call(TICKED_NAME, node.iter)
            node.iter = ast.fix_missing_locations(ast.copy_location(wrapped, node.iter))
        return node


def _call(name, *args):
    return ast.Call(ast.Name(name, ast.Load()), list(args), [])


def add_ticks(tree):
    """`tree` with a `_tick_()` call first in every loop and function body, and every
    comprehension's iterator ticked (in place)."""
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


def make_ticked(deadline, now, limit_error):
    """The `_ticked_` of one run: a comprehension's iterator, unchanged item by item (each one
    is drawn only when the comprehension asks for it), with the wall clock read before every
    TICKED_CHUNK-th item; raises `limit_error()` once `now()` passes `deadline`."""
    from itertools import chain, islice

    from_iterable = chain.from_iterable

    def ticked(iterable):
        iterator = iter(iterable)  # now, as the comprehension's own iter() would be

        def chunks():
            for first in iterator:
                if deadline is not None and now() >= deadline:
                    raise limit_error()
                yield (first,)
                yield islice(iterator, TICKED_CHUNK - 1)

        return from_iterable(chunks())

    return ticked

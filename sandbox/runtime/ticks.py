"""A time limit that stops the program *in Python*, so a timeout names the program's line.

The host's epoch deadline stops the guest from outside (a trap), which leaves no Python
traceback: the line the program was on is lost. So the restricted transform (`add_ticks`) also
puts time checks where a program can spend unbounded time:

- every `for` loop iterates through `_tick_iter_(...)`: a long `range` is walked as ranges of
  `TICK_CHUNK` items (C-level, the clock read between them); a loop over a short immutable sequence
  (a range, tuple, str, bytes or dict of at most `TICK_CHUNK` items) runs on its own iterator,
  its length counted against a shared budget; any other iterable is walked in chunks of
  `TICK_CHUNK` items by C-level iterators (`itertools.chain` over `islice` chunks), with the
  clock read between chunks. The loop body runs without any added call;
- every `while` loop and every function body starts with `_tick_()`, bound to a C-level
  iterator step (`itertools.chain` over `repeat` chunks): most ticks cost one C call, and every
  `TICK_CHUNK`-th one reads the wall clock.

- a comprehension's iterator is wrapped likewise (`_ticked_(it)`: C-level chunks with a clock
  read between them), so `sum(x * x for x in range(10**12))` stops on its line too.

How often the clock is read adapts to the loop (`_clock`): each loop's chunks start at
`FIRST_CHUNK` items (a fast loop before does not hand a slow one a long first chunk) and
double while the time between two clock reads stays under `FAST_S`, up to `TICK_CHUNK`
(`TICKED_CHUNK` for comprehensions), so a tight loop reads the clock about once per thousand
items; when one chunk takes longer than `SLOW_S` the next ones shrink, down to one item, so a
loop whose every pass does milliseconds of built-in work (`s.count(...)` over a 8 MB string)
still reaches a clock read within tens of milliseconds of the deadline and stops on its line.
`while` loops and function bodies share one size (`_tick_()` does not say which loop it is in),
so a slow `while` loop right after a fast one can still run a long first chunk.

Once the run's deadline (sent by the host) has passed, the sticky `timeout` limit is raised at
the tick, or at the `for` statement or comprehension, on the program's own line. The host's
epoch deadline, set a little later, stays the backstop: code that loops inside one C call, such
as `sum(range(10**12))` or `max(items, key=lambda v: ...)`, never reaches a tick and is stopped
by it, from outside, without a line (the host's message says so). Naming that line would need
the guest to tell the host its line at every statement, a cost on every program.

This module needs only `ast` and `itertools`, so the host's copy of the restricted transform
uses it too.
"""

import ast
from itertools import chain, islice, repeat
from operator import length_hint

TICK_NAME = "_tick_"
TICK_ITER_NAME = "_tick_iter_"
TICK_CHUNK = 1000
TICKED_NAME = "_ticked_"
TICKED_CHUNK = 256
FIRST_CHUNK = 8
FAST_S = 0.001
SLOW_S = 0.01
_END = object()

# Iterators over immutable sequences (and dicts, whose iteration fails when they change size):
# their length hint is exact and cannot grow while the loop runs.
_BOUNDED = frozenset(
    type(iter(x)) for x in (range(1), (), "a", "\u00e9", b"", {}, {}.values(), {}.items())
)


class _Ticker(ast.NodeTransformer):
    def _tick(self, node):
        call = ast.Expr(ast.Call(ast.Name(TICK_NAME, ast.Load()), [], []))
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def _loop(self, node):
        self.generic_visit(node)
        node.body.insert(0, self._tick(node))
        return node

    def visit_For(self, node):
        self.generic_visit(node)
        call = ast.Call(ast.Name(TICK_ITER_NAME, ast.Load()), [node.iter], [])
        node.iter = ast.fix_missing_locations(ast.copy_location(call, node.iter))
        return node

    visit_While = visit_AsyncFor = _loop
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
    """`tree` with its `for` loops through `_tick_iter_`, a `_tick_()` call first in every
    `while` loop and function body, and every comprehension's iterator ticked (in place)."""
    _Ticker().visit(tree)
    return tree


def _clock(deadline, now, limit_error, most):
    """`check(size)` of one run's loops: raises `limit_error()` once `now()` passes `deadline`
    (None: never), else returns how many items the next chunk of a loop whose last chunk held
    `size` may hold (between 1 and `most`, adapted to the time since the last clock read; see
    the module docstring). Each loop keeps its own size, starting at `FIRST_CHUNK`: a fast loop
    before a slow one does not hand the slow one a long first chunk."""
    last = [now()]  # the time of the last clock read, any loop's

    def check(size):
        t = now()
        if deadline is not None and t >= deadline:
            raise limit_error()
        gap = t - last[0]
        last[0] = t
        if gap < FAST_S:
            return size * 2 if size * 2 < most else most
        if gap > SLOW_S:
            return size // 4 or 1
        return size

    return check


def make_ticks(deadline, now, limit_error):
    """(`_tick_`, `_tick_iter_`) of one run: they raise `limit_error()` once `now()` passes
    `deadline` (None: never)."""
    left = TICK_CHUNK
    check = _clock(deadline, now, limit_error, TICK_CHUNK)

    def ticks():
        # one size for every `while` loop and function body: which one ticks is not known
        size = FIRST_CHUNK
        while True:
            size = check(size)
            yield repeat(None, size)

    def chunks(it):
        # the first item of each chunk is taken here, so an exhausted iterator ends the loop
        size = FIRST_CHUNK
        while True:
            first = next(it, _END)
            if first is _END:
                return
            yield (first,)
            yield islice(it, size - 1)
            size = check(size)

    def range_chunks(r):
        # a long range walked as ranges of chunk-size items: one C-level layer per item fewer
        # than islice chunks (a range cannot change while it is walked); works for ranges
        # whose length does not fit a C integer too
        size = FIRST_CHUNK
        while r:
            yield r[:size]
            r = r[size:]
            size = check(size)

    def tick_iter(iterable):
        # iter() here takes the place of the one the `for` statement makes (it gets an
        # iterator back, and iter() of a built-in iterator is the iterator itself)
        nonlocal left
        if type(iterable) is range and iterable[TICK_CHUNK:]:
            left -= 1
            if left <= 0:
                left = TICK_CHUNK
                check(1)
            return chain.from_iterable(range_chunks(iterable))
        it = iter(iterable)
        kind = type(it)
        if kind in _BOUNDED:
            n = length_hint(it)
            if n <= TICK_CHUNK:
                left -= n + 1
                if left <= 0:
                    left = TICK_CHUNK
                    check(1)
                return it
        left -= 1
        if left <= 0:
            left = TICK_CHUNK
            check(1)
        return chain.from_iterable(chunks(it))

    return chain.from_iterable(ticks()).__next__, tick_iter


def make_tick(deadline, now, limit_error):
    """The `_tick_` of one run (see make_ticks)."""
    return make_ticks(deadline, now, limit_error)[0]


def make_ticked(deadline, now, limit_error):
    """The `_ticked_` of one run: a comprehension's iterator, unchanged item by item (each one
    is drawn only when the comprehension asks for it), with the wall clock read before every
    chunk of at most TICKED_CHUNK items; raises `limit_error()` once `now()` passes
    `deadline`."""
    from_iterable = chain.from_iterable
    check = _clock(deadline, now, limit_error, TICKED_CHUNK)

    def ticked(iterable):
        iterator = iter(iterable)  # now, as the comprehension's own iter() would be

        def chunks():
            size = FIRST_CHUNK // 2  # doubled at the first read, as a fast loop's would be
            for first in iterator:
                size = check(size)
                yield (first,)
                yield islice(iterator, size - 1)

        return from_iterable(chunks())

    return ticked

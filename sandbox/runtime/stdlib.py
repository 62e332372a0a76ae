"""Every stdlib module a grammar may allow, imported here so componentize-py bundles it.

componentize-py bundles only what the guest runtime imports at build time; a module missing
from this list is missing at run time. Keep it a superset of the default grammar's modules.
"""

import base64
import bisect
import calendar
import cmath
import collections
import collections.abc
import csv
import datetime
import decimal
import difflib
import fractions
import functools
import hashlib
import heapq
import itertools
import json
import math
import operator
import random
import re
import statistics
import string
import textwrap
import typing
import unicodedata
import uuid

BUNDLED = {
    m.__name__: m
    for m in (
        base64, bisect, calendar, cmath, collections, collections.abc, csv, datetime, decimal,
        difflib, fractions, functools, hashlib, heapq, itertools, json, math, operator, random,
        re, statistics, string, textwrap, typing, unicodedata, uuid,
    )
}


def warm_up():
    """Touch lazily imported internals at build time so nothing imports after start-up."""
    re.compile(r"(?P<x>\w+)\s*\d+").findall("warm 1")
    json.loads(json.dumps({"a": [1, 2.5, None, "é"]}))
    datetime.datetime(2024, 1, 2, 3, 4, 5).isoformat()
    datetime.datetime.strptime("2024-01-02", "%Y-%m-%d")
    datetime.date.fromisoformat("2024-01-02").strftime("%A %d %B")
    decimal.Decimal("1.10") + decimal.Decimal("2")
    fractions.Fraction(1, 3) + 1
    statistics.mean([1, 2, 3]), statistics.median([1, 2]), statistics.stdev([1.0, 2.0, 4.0])
    textwrap.dedent("  a\n  b"), textwrap.fill("word " * 30, 20)
    textwrap.shorten("a b c d e f g", 10)
    difflib.SequenceMatcher(None, "abc", "abd").ratio()
    difflib.unified_diff(["a"], ["b"])
    list(difflib.unified_diff(["a\n"], ["b\n"]))
    difflib.get_close_matches("appel", ["apple", "ape"])
    base64.b64encode(b"x"), base64.b64decode("eA=="), base64.urlsafe_b64encode(b"x")
    for name in ("md5", "sha1", "sha256", "sha512"):
        hashlib.new(name, b"x").hexdigest()
    calendar.monthrange(2024, 2), calendar.isleap(2024), calendar.month_name[1]
    list(csv.reader(["a,b", "1,2"]))
    list(csv.DictReader(["a,b", "1,2"]))
    uuid.uuid4(), uuid.uuid5(uuid.NAMESPACE_DNS, "x")
    unicodedata.normalize("NFC", "é"), unicodedata.name("a")
    collections.Counter("abc").most_common(1), collections.OrderedDict(), collections.deque()
    collections.namedtuple("P", "x y")(1, 2)
    random.random(), random.choice([1, 2]), random.shuffle([1, 2])
    string.Template("$a").substitute(a=1), string.capwords("a b")
    cmath.sqrt(-1), math.isqrt(10)
    typing.get_origin(list[int])
    f"{1.5:.2f} {10:>4} {'x'!r}"
    "{:>4}".format(1)  # noqa: UP032  (warms str.format)
    sorted({"b": 1, "a": 2}.items())

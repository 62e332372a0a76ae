"""Containment with the verifier off: hostile programs fail inside the sandbox with the right
error kind, leave nothing on the host, and the next run in the same process works."""

from __future__ import annotations

import http.server
import os
import threading
import uuid
from pathlib import Path

import pytest
from test_sandbox_support import POLICY, Limits, host_files, make_sandbox, run

MARK = f"codeact_escape_{uuid.uuid4().hex}"
ESCAPE_PATHS = [Path("/tmp") / MARK, Path.cwd() / MARK, Path.home() / MARK]


@pytest.fixture(scope="module")
def sb(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    sandbox = make_sandbox(limits=Limits(timeout_s=2.0, memory_mb=96), output_dir=out)
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="module")
def server():
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"secret")

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1], hits
    srv.shutdown()
    srv.server_close()


CASES = [
    # (id, program, allowed error kinds, text the message must contain)
    ("open-builtin", "print(open('/etc/passwd').read())", {"runtime"}, "open"),
    ("read-helper", "print(read_text('/etc/passwd'))", {"runtime"}, "outside every mount"),
    ("read-dotdot", "print(read_text('/output/../etc/passwd'))", {"runtime"}, "outside"),
    ("write-outside", f"write_text('/tmp/{MARK}', 'x')", {"runtime"}, "outside every mount"),
    ("import-os", "import os\nprint(os.listdir('/'))", {"runtime"}, "not allowed"),
    ("import-socket", "import socket\nsocket.create_connection(('127.0.0.1', 80))",
     {"runtime"}, "not allowed"),
    ("import-subprocess", "import subprocess\nsubprocess.run(['ls'])", {"runtime"}, "not allowed"),
    ("import-sys", "import sys\nprint(sys.modules)", {"runtime"}, "not allowed"),
    ("env", "import os\nprint(os.environ)", {"runtime"}, "not allowed"),
    ("dunder-class", "print(().__class__.__base__.__subclasses__())", {"rejected"}, "_"),
    ("getattr-dunder", "print(getattr(getattr((), '__class__'), '__base__'))",
     {"runtime"}, "not allowed"),
    ("mro", "print(type(()).mro()[1])", {"runtime"}, "not allowed"),
    ("builtins-dict", "print(__builtins__)", {"rejected"}, "__builtins__"),
    ("gen-frame", "g = (x for x in [1])\nf = g.gi_frame\nprint(f.f_back.f_globals)",
     {"rejected", "runtime"}, ""),
    ("traceback", "try:\n    1/0\nexcept Exception as e:\n    print(e.__traceback__)",
     {"rejected"}, "_"),
    ("format-escape", "print('{0.__class__}'.format(1))", {"runtime"}, "format"),
    ("operator-attrgetter", "import operator\nprint(operator.attrgetter('__class__')(1))",
     {"runtime"}, "not allowed"),
    ("type-hints-eval",
     "import typing\ndef f(x: \"getattr(1, 'real')\"):\n    pass\nprint(typing.get_type_hints(f))",
     {"rejected"}, "refused"),
    ("memory-bomb", "x = 'a' * (10 ** 9)", {"memory"}, ""),
    ("memory-bomb-32bit", "x = 'a' * (10 ** 10)", {"memory", "runtime"}, ""),
    ("memory-grow", "x = []\nwhile True:\n    x.append('a' * 1000000)", {"memory"}, ""),
    ("infinite-loop", "while True:\n    pass", {"timeout"}, ""),
    ("recursion", "def f():\n    return f()\nf()", {"limit"}, "recursion"),
    ("output-flood", "while True:\n    print('flood' * 1000)", {"output"}, ""),
    ("huge-power", "x = 10 ** 10 ** 8\nprint(x)", {"timeout", "memory"}, ""),
]


@pytest.mark.parametrize(("program", "kinds", "needle"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_hostile_program_is_contained(sb, program: str, kinds: set, needle: str) -> None:
    before = host_files(sb.output_dir)
    r = run(sb, program)
    assert not r.ok, r.stdout
    assert r.error is not None and r.error.kind in kinds, r.error
    assert needle in r.error.message, r.error.message
    assert host_files(sb.output_dir) == before
    for path in ESCAPE_PATHS:
        assert not path.exists()
    after = run(sb, "print('next run ok')")
    assert after.ok and after.stdout == "next run ok\n", after.error


def test_list_root_shows_only_mount_points(sb) -> None:
    r = run(sb, "print(list_dir('/'))")
    assert r.ok and r.stdout == "['output']\n"


def test_no_socket_to_localhost(sb, server) -> None:
    port, hits = server
    program = (
        "try:\n"
        f"    http_get('http://127.0.0.1:{port}/x')\n"
        "except PermissionError as e:\n"
        "    print('denied:', e)\n"
    )
    r = run(sb, program)
    assert r.ok, r.error
    assert "denied:" in r.stdout and "127.0.0.1" in r.stdout
    assert hits == []


def test_guest_sees_no_host_environment(sb) -> None:
    secret = f"SECRET_{uuid.uuid4().hex}"
    os.environ["CODEACT_TEST_SECRET"] = secret
    try:
        r = run(sb, "print(repr(read_text('/proc/self/environ')))")
        assert not r.ok and secret not in r.stdout
    finally:
        del os.environ["CODEACT_TEST_SECRET"]


def test_audit_refusal_is_sticky(sb) -> None:
    program = (
        "import typing\n"
        "def f(x: 'int'):\n"
        "    pass\n"
        "try:\n"
        "    typing.get_type_hints(f)\n"
        "except BaseException:\n"
        "    pass\n"
        "print('went on')\n"
    )
    r = run(sb, program)
    assert r.error is not None and r.error.kind == "rejected"
    assert "refused" in r.error.message


def test_namedtuple_wrapper_never_runs_program_methods_while_trusted(sb) -> None:
    # red-team lead: a str subclass as field_names, whose .replace runs while namedtuple is in the
    # audit hook's trusted section (classes only exist under --unverified)
    program = (
        "import collections\n"
        "class S(str):\n"
        "    def replace(self, *a):\n"
        "        print('program method ran')\n"
        "        return str.replace(self, *a)\n"
        "P = collections.namedtuple('P', S('a b'))\n"
        "print(P(1, 2))\n"
    )
    # only a grammar that allows `class` gets classes at all
    result = run(sb, program, policy={**POLICY, "classes": True})
    assert "program method ran" not in result.stdout
    assert result.ok, result.error
    assert "P(a=1, b=2)" in result.stdout

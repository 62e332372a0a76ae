# ruff: noqa
# Finding 10 (MEDIUM, wrong verdict through the warm checker): the daemon's tools cache watches only
# the local modules a tools file imported *for the first time*. A second tools file that imports a
# helper module already in the daemon's sys.modules (another tools file imported it first) does not
# watch it, and gets that earlier import even when it lives in another directory:
#   (a) tools.py and tools2.py both `from helper_units import Units`; after checks with both, an edit
#       of helper_units.py is seen by a check with tools.py but NOT with tools2.py (stale verdict);
#   (b) a project in another directory with its own helper_units.py gets the first project's
#       helper_units (the daemon's sys.path[0] is the directory it was started in, and the module
#       is cached by name), so its check passes/fails differently than in-process.
# Layer beaten: warm checker daemon (codeact_verify/cli/warm/tools_cache.py, server.py).
#
#   $ .venv/bin/python docs/redteam/10_daemon_shared_helper_module_stale.py
#   expected: every "daemon" line equals its "in-process" line
#   actual (main e81deca): (a) daemon exit 1 (stale: 'k' refused) vs in-process exit 0;
#                          (b) daemon exit 0 vs in-process exit 1 (or ImportError)
import os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

TOOLS = '''
from helper_units import Units
def get_weather(city: str, units: Units = "c") -> str:
    """Current weather for a city."""
    return city
'''
UNITS = 'from typing import Literal\n\nUnits = Literal["c", "f"]\n'
PROG = "print(get_weather(city='Oslo', units='k'))\n"

root = Path(tempfile.mkdtemp(prefix="cvd-"))
os.chmod(root, 0o700)
env = dict(os.environ, CODEACT_VERIFY_DAEMON_DIR=str(root / "d"))
env.pop("CODEACT_VERIFY_DAEMON", None)
off = dict(env, CODEACT_VERIFY_DAEMON="off")
a, b = root / "a", root / "b"
for d in (a, b):
    d.mkdir()
    (d / "tools.py").write_text(TOOLS)
    (d / "tools2.py").write_text(TOOLS)
    (d / "units.py").write_text(PROG)
(a / "helper_units.py").write_text(UNITS)
(b / "helper_units.py").write_text(UNITS.replace('"f"]', '"k"]'))  # project b allows 'k'


def cli(args, e, cwd):
    p = subprocess.run([sys.executable, "-m", "codeact_verify", *args], env=e, cwd=cwd,
                       capture_output=True, timeout=300)
    return p.returncode, p.stdout.decode()[-200:]


try:
    print("start", cli(["daemon", "start"], env, a))
    t1 = ["check", "units.py", "--tools", "tools.py"]
    t2 = ["check", "units.py", "--tools", "tools2.py"]
    cli(t1, env, a)
    cli(t2, env, a)
    (a / "helper_units.py").write_text(UNITS.replace('"f"]', '"k"]'))
    print("(a) tools.py  daemon", cli(t1, env, a)[0], "in-process", cli(t1, off, a)[0])
    print("(a) tools2.py daemon", cli(t2, env, a)[0], "in-process", cli(t2, off, a)[0])
    (a / "helper_units.py").write_text(UNITS)
    cli(t1, env, a)
    (b / "units.py").write_text(PROG)
    print("(b) project b daemon", cli(t1, env, b)[0], "in-process", cli(t1, off, b)[0])
finally:
    cli(["daemon", "stop"], env, a)
    shutil.rmtree(root, ignore_errors=True)

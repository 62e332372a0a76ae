# ruff: noqa
# Finding 13 (HIGH, verifier bypass by a file in the working directory): the mypy worker ran in the
# caller's working directory, and mypy searches that directory for modules. An empty `types.py`
# (or `collections.py`, ...) next to where `check` / `verify()` / a CodeAct agent runs shadows the
# standard library module for mypy, its stubs stop resolving, and the type errors the verdict
# depends on disappear: `w['temp']` on a TypedDict with no such key (CV702) is accepted (exit 0).
# Anyone who can drop a file into an agent's working directory (a tool that writes files, a cloned
# repository, a previous run's artifact) turns type checking off. Through the warm checker the
# verdict also depended on the directory the daemon was started in, not the client's.
# Layer beaten: verifier type check (codeact_verify/mypy_process.py MypyProcess.spawn).
#
#   $ .venv/bin/python docs/redteam/13_mypy_reads_the_working_directory.py
#   expected: both runs "rejected ... CV702", exit 1
#   actual (main e81deca): without types.py: rejected, exit 1; with an empty types.py: "ok", exit 0
# Fix (red4): the worker is spawned with its private work directory as cwd.
import os, shutil, subprocess, sys, tempfile

TOOLS = '''from typing import TypedDict
class Weather(TypedDict):
    city: str
    temperature: float
def get_weather(city: str) -> Weather:
    """Current weather for a city."""
    return {"city": city, "temperature": 20.0}
'''
d = tempfile.mkdtemp()
try:
    open(os.path.join(d, "tools.py"), "w").write(TOOLS)
    open(os.path.join(d, "prog.py"), "w").write("w = get_weather(city='Oslo')\nprint(w['temp'])\n")
    env = dict(os.environ, CODEACT_VERIFY_DAEMON="off")
    cmd = [sys.executable, "-m", "codeact_verify", "check", "prog.py", "--tools", "tools.py"]
    for label in ("clean directory", "with an empty types.py"):
        if label.startswith("with"):
            open(os.path.join(d, "types.py"), "w").close()
        p = subprocess.run(cmd, cwd=d, env=env, capture_output=True, text=True, timeout=300)
        print(f"{label}: exit {p.returncode}:", p.stdout.strip().splitlines()[-1])
finally:
    shutil.rmtree(d, ignore_errors=True)

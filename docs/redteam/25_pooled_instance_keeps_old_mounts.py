# ruff: noqa
# Finding 25: a pooled instance keeps the preopens of the mounts it was made with.
import tempfile, os
from pathlib import Path
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.host.mounts import Mount
alice, bob = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
(alice / "secret.txt").write_text("alice's secret")
(bob / "notes.txt").write_text("bob's notes")
with Sandbox(mounts=[Mount(alice, "/data")]) as sb:  # default pool_size=1
    print("alice:", sb.run_sync("print(list_dir('/data'))").stdout.strip())
    sb.wait_ready()
    sb.mounts = [Mount(bob, "/data")]  # the next run is bob's: only his directory
    r = sb.run_sync("print(list_dir('/data'))\nprint(read_text('/data/secret.txt'))\n")
    print("bob:  ", r.stdout.strip().replace("\n", " | "), r.error)
with Sandbox(mounts=[Mount(alice, "/data")], pool_size=0) as sb:
    sb.run_sync("print(1)")
    sb.mounts = [Mount(bob, "/data")]
    print("pool_size=0:", sb.run_sync("print(list_dir('/data'))").stdout.strip())

"""mypy's persisted cache of the standard library (codeact_verify.mypy_cache): real mypy, real
processes. The verdict must not depend on the cache: not on its presence, its age, its state
(corrupt, stale, half-written, another user's) or on another process using it at the same time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from codeact_verify import mypy_cache, mypy_process
from codeact_verify import typecheck as typecheck_module
from codeact_verify.mypy_process import DEFAULT_BUDGET, WARM_MODULES, MypyProcess

CORPUS = Path(__file__).parent / "corpus"
CHECK = [sys.executable, "-m", "codeact_verify", "check"]

TOOLS_V1 = '''
def get_weather(city: str) -> dict:
    """Weather."""
    return {"temp": 11.0}
'''
# the same tool, its result now declared a float: `w["temp"]` is a definite error
TOOLS_V2 = '''
def get_weather(city: str) -> float:
    """Temperature."""
    return 11.0
'''
PROGRAM = 'w = get_weather(city="Oslo")\nprint(w["temp"])\n'
TYPE_ERROR = 'x = 1.5\nprint(x["temp"])\n'  # CV702: a float indexed like a dict


def _env(cache: Path | str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEACT_VERIFY_MYPY")}
    env.update(CODEACT_VERIFY_DAEMON="off", CODEACT_VERIFY_MYPY_CACHE=str(cache), **extra)
    return env


def _check(cwd: Path, env: dict[str, str], program: str = "prog.py") -> tuple[int, dict]:
    proc = subprocess.run(
        [*CHECK, program, "--tools", "tools.py", "--json"],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    assert proc.returncode in (0, 1) and proc.stdout, proc.stdout + proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _codes(report: dict) -> list[str]:
    return [d["code"] for d in report["diagnostics"] if d["severity"] == "error"]


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.name.startswith("v"))


def _worker(cache_env: str, monkeypatch: pytest.MonkeyPatch) -> MypyProcess:
    monkeypatch.setenv(mypy_cache.ENV, cache_env)
    worker = MypyProcess(DEFAULT_BUDGET, WARM_MODULES)
    worker.spawn()
    worker._ready({})
    return worker


@pytest.fixture
def own_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """typecheck() gets a new worker (made under this test's environment) and loses it after."""
    typecheck_module._reset_engine()
    monkeypatch.setattr(typecheck_module, "_worker", None)
    yield
    typecheck_module._reset_engine()
    typecheck_module._worker = None


def test_the_second_worker_loads_the_standard_library_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "mc"
    first = _worker(str(root), monkeypatch)
    try:
        assert first.cache_state == "built (missing)"
        assert first.check({}, TYPE_ERROR)[0]["code"] == "index"
    finally:
        first.stop()
    assert (root.stat().st_mode & 0o777) == 0o700
    [entry] = _entries(root)
    manifest = json.loads((entry / mypy_cache.MANIFEST).read_text(encoding="utf-8"))
    assert len(manifest["files"]) > 50 and any("builtins" in s for s in manifest["sources"])
    second = _worker(str(root), monkeypatch)
    try:
        assert second.cache_state == "hit"
        assert second.check({}, TYPE_ERROR)[0]["code"] == "index"
        assert second.check({}, "import json\nprint(json.dumps({'a': 1}))\n") == []
    finally:
        second.stop()
    # a worker that used the entry wrote nothing into it: it still checks out as it was
    assert mypy_cache.check_entry(entry, manifest["typeshed"]) == ""
    assert _entries(root) == [entry]


def test_switched_off_no_directory_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(mypy_cache.ROOT_ENV, str(tmp_path / "root"))
    worker = _worker("off", monkeypatch)
    try:
        assert worker.cache is None and worker.cache_state == "off"
        assert worker.check({}, TYPE_ERROR)[0]["code"] == "index"
    finally:
        worker.stop()
    assert not (tmp_path / "root" / "mypy-cache").exists()


def test_the_default_place_is_under_codeact_verify_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(mypy_cache.ENV, raising=False)
    monkeypatch.setenv(mypy_cache.ROOT_ENV, str(tmp_path / "root"))
    path, why = mypy_cache.cache_dir()
    assert path == tmp_path / "root" / "mypy-cache" and why == ""
    assert (path.stat().st_mode & 0o777) == 0o700


@pytest.mark.parametrize("how", ["group-writable", "world-writable", "symlink", "a file"])
def test_an_unsafe_directory_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    path = tmp_path / "mc"
    if how == "symlink":
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        path.symlink_to(tmp_path / "elsewhere")
    elif how == "a file":
        path.write_text("", encoding="utf-8")
    else:
        path.mkdir()
        path.chmod(0o770 if how == "group-writable" else 0o777)
    monkeypatch.setenv(mypy_cache.ENV, str(path))
    found, why = mypy_cache.cache_dir()
    assert found is None and why.startswith("not used")
    worker = _worker(str(path), monkeypatch)
    try:
        assert worker.cache_state == "off"
        assert worker.check({}, TYPE_ERROR)[0]["code"] == "index"
    finally:
        worker.stop()
    if how != "a file":
        assert not any(p.name.startswith("v") for p in path.iterdir())


def test_a_directory_of_another_user_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a directory to another user")
    path = tmp_path / "mc"
    path.mkdir(mode=0o700)
    os.chown(path, 65534, 65534)
    monkeypatch.setenv(mypy_cache.ENV, str(path))
    found, why = mypy_cache.cache_dir()
    assert found is None and "another user" in why


def test_a_tool_signature_changed_between_processes_gives_the_new_verdict(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path / "mc")
    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "tools.py").write_text(TOOLS_V1, encoding="utf-8")
    code, report = _check(tmp_path, env)
    assert code == 0 and report["ok"], report
    [entry] = _entries(tmp_path / "mc")
    built = (entry / mypy_cache.MANIFEST).stat().st_mtime_ns
    (tmp_path / "tools.py").write_text(TOOLS_V2, encoding="utf-8")
    code, report = _check(tmp_path, env)
    assert code == 1 and _codes(report) == ["CV702"], report
    (tmp_path / "tools.py").write_text(TOOLS_V1, encoding="utf-8")
    code, report = _check(tmp_path, env)
    assert code == 0 and report["ok"], report
    # all three used the one entry (the tools' stubs are never in the cache)
    assert _entries(tmp_path / "mc") == [entry]
    assert (entry / mypy_cache.MANIFEST).stat().st_mtime_ns == built


def _corrupt_truncate(entry: Path) -> None:
    for path in entry.rglob("builtins.data*"):
        path.write_bytes(path.read_bytes()[:100])


def _corrupt_flip(entry: Path) -> None:
    for path in entry.rglob("builtins.data*"):
        data = bytearray(path.read_bytes())
        for i in range(len(data) // 3, len(data) // 3 + 64):
            data[i] ^= 0xFF
        path.write_bytes(bytes(data))


def _corrupt_manifest(entry: Path) -> None:
    (entry / mypy_cache.MANIFEST).write_text("{", encoding="utf-8")


def _stray_file(entry: Path) -> None:
    # a planted cache file for a module outside the warm-up set
    next(entry.rglob("*.meta.*")).with_name("zoneinfo.meta.json").write_text("{}")


def _removed(entry: Path) -> None:
    next(entry.rglob("builtins.data*")).unlink()


@pytest.mark.parametrize(
    "damage", [_corrupt_truncate, _corrupt_flip, _corrupt_manifest, _stray_file, _removed]
)
def test_a_damaged_cache_is_rebuilt_and_a_type_error_still_rejects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    root = tmp_path / "mc"
    _worker(str(root), monkeypatch).stop()
    [entry] = _entries(root)
    damage(entry)  # type: ignore[operator]
    worker = _worker(str(root), monkeypatch)
    try:
        assert worker.cache_state.startswith("built (corrupt"), worker.cache_state
        assert worker.check({}, TYPE_ERROR)[0]["code"] == "index"
    finally:
        worker.stop()
    [entry] = _entries(root)
    assert mypy_cache.check_entry(entry, _typeshed(entry)) == ""


def _typeshed(entry: Path) -> dict[str, str]:
    return json.loads((entry / mypy_cache.MANIFEST).read_text(encoding="utf-8"))["typeshed"]


def _rehash(entry: Path) -> None:
    """Make the manifest agree with the damaged files (the check can no longer see it)."""
    manifest = json.loads((entry / mypy_cache.MANIFEST).read_text(encoding="utf-8"))
    mypy_cache.write_manifest(entry, manifest["sources"], manifest["typeshed"])


@pytest.mark.parametrize("damage", [_corrupt_truncate, _corrupt_flip])
def test_damage_the_manifest_cannot_see_still_cannot_turn_a_type_error_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_worker: None, damage: object
) -> None:
    # defence in depth: mypy trips over the damaged file, the worker starts again without the
    # cache and drops the entry; the program with a type error is still rejected
    root = tmp_path / "mc"
    _worker(str(root), monkeypatch).stop()
    [entry] = _entries(root)
    damage(entry)  # type: ignore[operator]
    _rehash(entry)
    monkeypatch.setenv(mypy_cache.ENV, str(root))
    found = typecheck_module.typecheck(TYPE_ERROR, {})
    assert [(d.code, d.severity) for d in found] == [("CV702", "error")], found
    worker = typecheck_module._worker
    assert worker is not None and worker.cache_state.startswith("failed"), worker.cache_state
    assert _entries(root) == []  # the entry mypy tripped over is gone


def test_a_stale_source_rebuilds_the_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # typeshed edited in place (a changed stub file): the manifest's hash of it no longer fits
    root = tmp_path / "mc"
    _worker(str(root), monkeypatch).stop()
    [entry] = _entries(root)
    manifest = json.loads((entry / mypy_cache.MANIFEST).read_text(encoding="utf-8"))
    builtins = next(s for s in manifest["sources"] if s.endswith("/builtins.pyi"))
    manifest["sources"][builtins] = "0" * 64
    (entry / mypy_cache.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert mypy_cache.check_entry(entry, manifest["typeshed"]).startswith("stale")
    worker = _worker(str(root), monkeypatch)
    try:
        assert worker.cache_state.startswith("built (stale"), worker.cache_state
    finally:
        worker.stop()


def test_the_key_follows_mypy_python_options_and_modules() -> None:
    base = {"mypy": "2.4.1", "python": "3.11.7", "options": [1, 2], "modules": ["json"]}
    keys = {mypy_cache.entry_key(base)}
    for change in (
        {"mypy": "2.5.0"},
        {"python": "3.12.1"},
        {"options": [1, 3]},
        {"modules": ["json", "re"]},
    ):
        keys.add(mypy_cache.entry_key({**base, **change}))
    assert len(keys) == 5
    assert mypy_cache.entry_key(dict(base)) in keys


def test_two_processes_at_once_both_give_the_right_verdict(tmp_path: Path) -> None:
    env = _env(tmp_path / "mc")
    (tmp_path / "tools.py").write_text(TOOLS_V1, encoding="utf-8")
    (tmp_path / "good.py").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "bad.py").write_text(TYPE_ERROR, encoding="utf-8")
    for _round in range(2):  # an empty cache (both build), then a published one (both read)
        procs = [
            subprocess.Popen(
                [*CHECK, name, "--tools", "tools.py", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=tmp_path,
                env=env,
            )
            for name in ("good.py", "bad.py")
        ]
        outs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 1], outs
        assert json.loads(outs[0][0])["ok"] is True
        assert _codes(json.loads(outs[1][0])) == ["CV702"]
    [entry] = _entries(tmp_path / "mc")
    assert mypy_cache.check_entry(entry, _typeshed(entry)) == ""
    assert not [p for p in (tmp_path / "mc").iterdir() if p.name.startswith(".")]


def test_a_read_only_home_still_checks(tmp_path: Path) -> None:
    (tmp_path / "tools.py").write_text(TOOLS_V1, encoding="utf-8")
    (tmp_path / "prog.py").write_text(TYPE_ERROR, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    homes = [home]
    if os.geteuid() == 0:  # root writes through 0500: a home under which nothing can be made
        homes.append(tmp_path / "home-is-a-file")
        homes[-1].write_text("", encoding="utf-8")
    try:
        for h in homes:
            env = {k: v for k, v in _env("").items() if not k.startswith(("XDG_", "CODEACT"))}
            env.update(HOME=str(h), CODEACT_VERIFY_DAEMON="off")
            code, report = _check(tmp_path, env)
            assert code == 1 and _codes(report) == ["CV702"], report
    finally:
        home.chmod(0o700)


def test_a_shadowing_module_where_the_cache_is_built_changes_nothing(tmp_path: Path) -> None:
    # red4/13: the worker, and so the cache build, runs in a private empty directory: a
    # `builtins.py` / `_typeshed.py` where the first check ran does not end up in the cache
    # (names the host has imported before it reads the directory, so the host itself starts)
    shadowed = tmp_path / "shadowed"
    shadowed.mkdir()
    for name in ("builtins.py", "_typeshed.py", "types.py", "collections.py"):
        (shadowed / name).write_text("", encoding="utf-8")
    (shadowed / "tools.py").write_text(TOOLS_V2, encoding="utf-8")
    (shadowed / "prog.py").write_text(PROGRAM, encoding="utf-8")
    env = _env(tmp_path / "mc")
    code, report = _check(shadowed, env)
    assert code == 1 and _codes(report) == ["CV702"], report
    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copy(shadowed / "tools.py", clean / "tools.py")
    (clean / "prog.py").write_text(
        PROGRAM + "import json\nn: int = json.dumps(1)\n", encoding="utf-8"
    )
    code, report = _check(clean, env)
    assert code == 1 and _codes(report) == ["CV702", "CV706"], report


_VERDICTS = r"""
import json, sys
from pathlib import Path
from codeact_verify.tools import load_tools_file, tool_specs
from codeact_verify.verifier import verify
from codeact_verify import typecheck
out = {}
for tools, programs in json.loads(sys.argv[1]):
    specs = tool_specs(load_tools_file(Path(tools)))
    for path in programs:
        out[path] = verify(Path(path).read_bytes(), specs).to_json()
worker = typecheck._worker
print(json.dumps({"cache": worker.cache_state if worker else None, "reports": out}))
"""


def test_the_verdicts_are_byte_identical_with_and_without_the_cache(tmp_path: Path) -> None:
    extra = tmp_path / "type_errors"
    extra.mkdir()
    for i, text in enumerate(
        [
            TYPE_ERROR,
            "import math\nr: str = math.sqrt(2)\n",
            "import re\nm = re.match('a', 'a')\nprint(m.group(0))\n",
            "import datetime\nd = datetime.date.today()\nprint(d.month + 'x')\n",
            "from collections import Counter\nc = Counter('ab')\nc.nope()\n",
            "import json\nprint(json.loads(1))\n",
            "def f(x: int) -> str:\n    return x\nprint(undefined_name)\n",
        ]
    ):
        (extra / f"e{i}.py").write_text(text, encoding="utf-8")
    groups = [
        (CORPUS / "tools.py", sorted((CORPUS / "accept").glob("*.py"))),
        (
            CORPUS / "verdict" / "tools.py",
            sorted((CORPUS / "verdict" / "accept").glob("*.py"))
            + sorted((CORPUS / "verdict" / "reject").glob("*.py"))
            + sorted(extra.glob("*.py")),
        ),
    ]
    arg = json.dumps([[str(t), [str(p) for p in ps]] for t, ps in groups])

    def run(cache: Path | str) -> dict:
        proc = subprocess.run(
            [sys.executable, "-c", _VERDICTS, arg],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=_env(cache),
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout)

    without = run("off")
    built = run(tmp_path / "mc")
    hit = run(tmp_path / "mc")
    assert (without["cache"], built["cache"], hit["cache"]) == ("off", "built (missing)", "hit")
    assert built["reports"] == without["reports"]
    assert hit["reports"] == without["reports"]
    reports = {Path(p).name: json.loads(r) for p, r in without["reports"].items()}
    rejected = [name for name, r in reports.items() if not r["ok"]]
    assert len(rejected) >= 25 + 6  # the misuse corpus and the type errors above
    # a data-dependent finding (re.match(...).group without a check) only warns
    assert reports["e2.py"]["ok"] and reports["e2.py"]["diagnostics"][0]["code"] == "CV704"


def test_old_entries_and_leftovers_are_swept(tmp_path: Path) -> None:
    root = mypy_cache.private_dir(tmp_path / "mc")
    count = mypy_cache.KEEP + 2
    for i in range(count):
        entry = root / f"v{i:02d}"
        entry.mkdir()
        (entry / mypy_cache.MANIFEST).write_text("{}", encoding="utf-8")
        os.utime(entry / mypy_cache.MANIFEST, (1000 + i, 1000 + i))
    for name in (".build-vx-1", ".trash-v9-1"):
        (root / name).mkdir()
        os.utime(root / name, (1000, 1000))
    (root / ".build-vx-now").mkdir()  # another process building right now
    mypy_cache.sweep(root, keep="v00")
    left = sorted(p.name for p in root.iterdir())
    # the current key, the KEEP - 1 newest others, and a build still going on
    newest = [f"v{i:02d}" for i in range(count - mypy_cache.KEEP + 1, count)]
    assert left == [".build-vx-now", "v00", *newest]


def test_a_prestarted_worker_is_taken_over_by_the_first_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_worker: None
) -> None:
    monkeypatch.setenv(mypy_cache.ENV, str(tmp_path / "mc"))
    mypy_process.prestart()
    started = mypy_process._prestarted
    assert started is not None and started.alive()
    found = typecheck_module.typecheck(TYPE_ERROR, {})
    assert [d.code for d in found] == ["CV702"]
    assert typecheck_module._worker is started and mypy_process._prestarted is None
    # one that does not fit (another memory budget) is stopped, not used
    mypy_process.prestart()
    other = mypy_process._prestarted
    assert other is not None
    small = typecheck_module.Budget(memory_bytes=2 << 30)
    assert mypy_process.take_prestarted(small, WARM_MODULES) is None and not other.alive()


def test_a_worker_without_warm_up_modules_caches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(mypy_cache.ENV, str(tmp_path / "mc"))
    worker = MypyProcess(DEFAULT_BUDGET, ())
    try:
        worker.spawn()
        worker._ready({})
        assert worker.cache_state.startswith("off")
        assert worker.check({}, TYPE_ERROR)[0]["code"] == "index"
    finally:
        worker.stop()
    assert _entries(tmp_path / "mc") == []


def test_the_users_mypy_settings_do_not_change_a_verdict(tmp_path: Path) -> None:
    # red5/14: the worker read ~/.mypy.ini, ~/.config/mypy/config, $XDG_CONFIG_HOME/mypy/config
    # and $MYPYPATH; `ignore_errors = True` there, or an empty types.pyi on MYPYPATH, turned
    # CV702 off (exit 0), with the cache and without it
    (tmp_path / "tools.py").write_text(TOOLS_V2, encoding="utf-8")
    (tmp_path / "prog.py").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "good.py").write_text('t = get_weather(city="Oslo")\nprint(t + 1.0)\n', "utf-8")
    home = tmp_path / "home"
    (home / ".config" / "mypy").mkdir(parents=True)
    (home / ".mypy.ini").write_text("[mypy]\nignore_errors = True\n", encoding="utf-8")
    xdg = tmp_path / "xdg"
    (xdg / "mypy").mkdir(parents=True)
    (xdg / "mypy" / "config").write_text(
        "[mypy]\ndisable_error_code = index\n", encoding="utf-8"
    )
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "types.pyi").write_text("", encoding="utf-8")
    for cache in ("off", str(tmp_path / "mc")):
        env = _env(cache, HOME=str(home), XDG_CONFIG_HOME=str(xdg), MYPYPATH=str(shadow))
        code, report = _check(tmp_path, env)
        assert code == 1 and _codes(report) == ["CV702"], report
        code, report = _check(tmp_path, env, "good.py")
        assert code == 0, report


@pytest.mark.parametrize("mode", [0o777, 0o770])
def test_a_directory_others_can_replace_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    # red5/15: only the cache directory itself was checked; under a parent others can write
    # (a team's shared $CODEACT_VERIFY_CACHE), another user renames it away and puts a
    # symlink to a directory of theirs in its place, which the next worker used
    team = tmp_path / "team"
    team.mkdir()
    team.chmod(mode)
    monkeypatch.setenv(mypy_cache.ENV, str(team / "mc"))
    found, why = mypy_cache.cache_dir()
    assert found is None and "writable by other users" in why, why
    # a sticky one (like /tmp) is fine: others cannot rename what is ours in it
    team.chmod(mode | 0o1000)
    found, why = mypy_cache.cache_dir()
    assert found == team / "mc" and why == ""
    # a symlink above it is resolved: the directory that is checked is the one used
    (tmp_path / "link").symlink_to(team)
    monkeypatch.setenv(mypy_cache.ENV, str(tmp_path / "link" / "mc"))
    assert mypy_cache.cache_dir() == (team / "mc", "")


def test_the_worker_checks_the_directory_again_at_every_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # red5/15: the host checked the directory once (MypyProcess.__init__) and every later
    # worker (after a CV799 time-out, a crash) used it by name, whatever it had become
    root = tmp_path / "mc"
    worker = _worker(str(root), monkeypatch)
    try:
        assert worker.cache_state == "built (missing)"
        worker.stop()
        swapped = tmp_path / "theirs"
        root.rename(swapped)
        swapped.chmod(0o777)  # stands for a directory of another user, entry and all
        root.symlink_to(swapped)
        worker.spawn()
        worker._ready({})
        assert worker.cache_state.startswith("not used (UnsafeCacheDir"), worker.cache_state
        assert worker.check({}, TYPE_ERROR)[0]["code"] == "index"
        assert worker.check({}, "import json\nprint(json.dumps({'a': 1}))\n") == []
    finally:
        worker.stop()

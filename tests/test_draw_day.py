"""A draw day that cannot go wrong: commands killed anywhere, commands run at once.

Every mutating step of the small district's draw is killed (SIGKILL, no clean
up) at every file-system operation it makes, and again as a real process after
seeded random delays. After each kill no JSON or JSONL file is torn, the next
command in the folder leaves no temporary file behind, the folder holds the
step's outputs entirely or not at all, and running the step again gives the
same bytes as an uninterrupted run. Concurrent ``sign`` and ``reveal`` runs
lose no write.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_helpers import (
    BEACON,
    BEACON_VALUE,
    FALLBACK_SPEC,
    LOTTERY,
    LOTTERY_VALUE,
    PARTIES,
    REVEALING,
    SMALL_DRAW_ID,
    SOURCE_SPEC,
    Credentials,
    call,
    faketime_environment,
    freeze_argv,
    make_credentials,
    ok,
    step_time,
    write_small_inputs,
)

from alloc import clock, storage
from alloc.cli import main
from alloc.oplog import LOG_NAME, parse_log
from alloc.signing import Envelope, SigningKey

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="kills processes with fork and SIGKILL (POSIX)"
)

# --- the draw day as a list of steps -------------------------------------------------------


@dataclass(frozen=True)
class In:
    """A path inside the draw folder, in a step's command line."""

    relative: str = ""


@dataclass(frozen=True)
class Step:
    """One command of the draw day, run in a copy of the draw folder."""

    name: str
    template: tuple[object, ...]
    #: the folder the command locks, relative to the draw folder
    root: str = ""

    def argv(self, folder: Path) -> tuple[str, ...]:
        return tuple(
            str(folder / part.relative) if isinstance(part, In) else str(part)
            for part in self.template
        )


def _steps(creds: Credentials, inputs: Path) -> list[Step]:
    def secret(party: str) -> Path:
        return creds.secret(party, SMALL_DRAW_ID)

    folder = ("--dir", In())
    steps = [
        Step("policy create", ("policy", "create", "--role", f"bureau={creds.pub('bureau')}",
                               "--role", f"notary={creds.pub('notary-1')}",
                               "--out", In("trust.json"))),
        Step("rules init", ("rules", "init", "--kindergartens", inputs / "kindergartens.csv",
                            "--draw-id", SMALL_DRAW_ID, "--tiers", "policy-care,local,other",
                            "--waitlist", "20", "--min-lottery-percent", "50", "--owners-phase",
                            "--out", In("rules.json"))),
        Step("ceremony begin", ("ceremony", "begin", *folder, "--source", SOURCE_SPEC,
                                "--fallback", FALLBACK_SPEC)),
        *(Step(f"commit {p}", ("ceremony", "commit", *folder, "--party", p,
                               "--secret", secret(p), "--fallback", BEACON))
          for p in PARTIES),
        Step("freeze", freeze_argv(In(), inputs / "applicants.csv")),  # type: ignore[arg-type]
        *(Step(f"sign announcement {k}",
               ("sign", In("public/announcement.json"), "--key", creds.key(k), "--yes"))
          for k in ("bureau", "notary-1")),
        Step("open", ("ceremony", "open", *folder)),
        *(Step(f"reveal {p}", ("ceremony", "reveal", *folder, "--party", p,
                               "--secret", secret(p)))
          for p in REVEALING),
        Step("default", ("ceremony", "default", *folder, "--party", PARTIES[3])),
        Step("lottery", ("ceremony", "source", *folder, "--name", LOTTERY,
                         "--value", LOTTERY_VALUE)),
        Step("beacon", ("ceremony", "source", *folder, "--name", BEACON,
                        "--value", BEACON_VALUE)),
        Step("draw", ("draw", *folder)),
        *(Step(f"sign transcript {k}",
               ("sign", In("public/transcript.json"), "--key", creds.key(k), "--yes"))
          for k in ("bureau", "notary-1")),
        Step("publish", ("publish", *folder)),
        Step("report", ("report", *folder, "--out", In("report"))),
        Step("proof make", ("proof", "make", *folder, "--registration-number", "2026-0001",
                            "--out", In("publish/proof-2026-0001.json"))),
        Step("keys generate", ("keys", "generate", "bureau", "--out", In("keys")), root="keys"),
    ]  # fmt: skip
    return steps


def outputs(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but alloc's bookkeeping, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not storage.is_internal_name(path.name)
    }


def bookkeeping(folder: Path) -> list[str]:
    """alloc's own files left under ``folder`` (temporary files, journals, locks)."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if storage.is_internal_name(path.name)
    )


def torn_files(folder: Path) -> list[str]:
    """JSON and JSONL outputs that do not parse completely."""
    torn = []
    for name, data in outputs(folder).items():
        try:
            if name.endswith(".json"):
                json.loads(data)
            elif name.endswith(".jsonl"):
                if data and not data.endswith(b"\n"):
                    raise ValueError("no final newline")
                for line in data.splitlines():
                    json.loads(line)
        except ValueError:
            torn.append(name)
    return torn


class DrawDay:
    """The folder after every step of an uninterrupted run (``before[i]``, ``after[i]``)."""

    def __init__(self, root: Path, creds: Credentials, inputs: Path) -> None:
        self.root = root
        self.steps = _steps(creds, inputs)
        self.snapshots: list[Path] = [root / "0"]
        work = root / "work"
        work.mkdir(parents=True)
        shutil.copytree(work, self.snapshots[0])
        for number, step in enumerate(self.steps, start=1):
            ok(*step.argv(work))
            self.snapshots.append(root / str(number))
            shutil.copytree(work, self.snapshots[-1])

    def step(self, name: str) -> tuple[int, Step]:
        return next((i, s) for i, s in enumerate(self.steps) if s.name == name)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> DrawDay:
    root = tmp_path_factory.mktemp("draw-day")
    creds = make_credentials(root / "credentials", [SMALL_DRAW_ID])
    write_small_inputs(root / "inputs")
    return DrawDay(root / "stages", creds, root / "inputs")


def test_every_step_is_deterministic_so_a_rerun_can_be_compared(
    day: DrawDay, tmp_path: Path
) -> None:
    """Running each step again from its starting folder gives the same bytes (keys aside)."""
    for index, step in enumerate(day.steps):
        if step.name == "keys generate":
            continue
        folder = tmp_path / str(index)
        shutil.copytree(day.snapshots[index], folder)
        ok(*step.argv(folder))
        assert outputs(folder) == outputs(day.snapshots[index + 1]), step.name


# --- kill at every file-system operation --------------------------------------------------

_COUNTED = ("open", "fsync", "replace", "rename", "unlink", "link", "mkdir")


def _run_killed_at(limit: int, argv: tuple[str, ...]) -> tuple[int, int]:
    """Run ``alloc ARGV`` in a forked child that SIGKILLs itself just before its
    ``limit``-th file-system operation (0: never). Returns (wait status, operations)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            calls = 0

            def counting(function: Callable[..., object]) -> Callable[..., object]:
                def wrapped(*args: object, **kwargs: object) -> object:
                    nonlocal calls
                    calls += 1
                    if calls == limit:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return function(*args, **kwargs)

                return wrapped

            originals = {name: getattr(os, name) for name in _COUNTED}
            for name, function in originals.items():
                setattr(os, name, counting(function))
            moment = clock.parse_time(step_time(argv), field="test clock")
            clock.now = lambda: moment  # the child's own copy of the module
            code = main(list(argv))
            for name, function in originals.items():
                setattr(os, name, function)
            os.write(write, str(calls).encode())
            os._exit(code)
        except BaseException:
            os._exit(99)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        counted = pipe.read()
    _, status = os.waitpid(pid, 0)
    return status, int(counted or b"0")


def _check_after_kill(day: DrawDay, index: int, folder: Path, what: str) -> str:
    """The checks after a kill; returns "before" or "after" (what the folder held)."""
    step = day.steps[index]
    assert torn_files(folder) == [], what
    # The next command in the folder finishes or undoes what the kill left.
    call("ceremony", "status", "--dir", folder / step.root)
    assert bookkeeping(folder) == [], what
    state = outputs(folder)
    before, after = outputs(day.snapshots[index]), outputs(day.snapshots[index + 1])
    if step.name == "keys generate":
        keys = {k: v for k, v in state.items() if k.startswith("keys/")}
        assert sorted(keys) in ([], ["keys/bureau.key", "keys/bureau.pub"]), what
        if keys:
            key = SigningKey.from_pem(keys["keys/bureau.key"])
            assert key.public.to_pem() == keys["keys/bureau.pub"], what
            return "after"
        ok(*step.argv(folder))
        return "before"
    if state == after:
        return "after"
    assert state == before, f"{what}: the folder holds part of the step's outputs"
    ok(*step.argv(folder))
    assert outputs(folder) == after, f"{what}: the rerun differs from an uninterrupted run"
    assert bookkeeping(folder) == [], what
    return "before"


#: Steps killed before every one of their file-system operations; the others,
#: which all lock, stage one file and commit it the same way, at a few
#: seeded points each.
EVERY_POINT = frozenset(
    {"freeze", "draw", "publish", "keys generate", "sign announcement bureau", "reveal bureau"}
)


def test_a_step_killed_at_any_file_operation_leaves_all_or_nothing(
    day: DrawDay, tmp_path: Path
) -> None:
    """Every step, killed just before one of its file-system operations, in turn."""
    generator = random.Random(7)
    seen: dict[str, set[str]] = {}
    for index, step in enumerate(day.steps):
        probe = tmp_path / f"{index}-probe"
        shutil.copytree(day.snapshots[index], probe)
        status, operations = _run_killed_at(0, step.argv(probe))
        assert os.waitstatus_to_exitcode(status) == 0, step.name
        assert operations > 0, step.name
        points = range(1, operations + 1)
        if step.name not in EVERY_POINT:
            points = sorted(generator.sample(points, 2))  # type: ignore[assignment]
        for limit in points:
            folder = tmp_path / f"{index}-{limit}"
            shutil.copytree(day.snapshots[index], folder)
            status, _ = _run_killed_at(limit, step.argv(folder))
            assert os.WIFSIGNALED(status), step.name
            assert os.WTERMSIG(status) == signal.SIGKILL, step.name
            what = f"{step.name} killed before file operation {limit} of {operations}"
            seen.setdefault(step.name, set()).add(_check_after_kill(day, index, folder, what))
            shutil.rmtree(folder)
    # A kill early leaves nothing, one late everything: both were reached.
    for name in EVERY_POINT:
        assert seen[name] == {"before", "after"}, name


# --- real processes killed after random delays --------------------------------------------


def _python_alloc(*argv: object) -> list[str]:
    return [sys.executable, "-m", "alloc", *(str(a) for a in argv)]


def test_real_processes_killed_after_random_delays(day: DrawDay, tmp_path: Path) -> None:
    """``python -m alloc`` SIGKILLed after seeded random delays, across every step."""
    # A command here takes 0.4 to 0.8 s, most of it starting Python: the delays
    # land before, during and after its writes.
    generator = random.Random(20261201)
    multi_file = {"freeze", "draw", "publish", "keys generate"}
    plan = [
        (index, generator.uniform(0.15, 0.9))
        for index, step in enumerate(day.steps)
        for _ in range(3 if step.name in multi_file else 1)
    ]

    def kill_once(number: int, index: int, delay: float) -> tuple[str, str]:
        step = day.steps[index]
        folder = tmp_path / f"{index}-kill-{number}"
        shutil.copytree(day.snapshots[index], folder)
        argv = step.argv(folder)
        process = subprocess.Popen(
            _python_alloc(*argv),
            env={
                **os.environ,
                "PYTHONIOENCODING": "utf-8",
                **faketime_environment(step_time(argv)),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        return step.name, f"{step.name} killed after {delay:.3f} s"

    # Two at a time: the machine has two cores; each kill has its own folder.
    with ThreadPoolExecutor(max_workers=2) as pool:
        killed = list(pool.map(lambda item: kill_once(item[0], *item[1]), enumerate(plan)))
    for number, ((index, _), (_, what)) in enumerate(zip(plan, killed, strict=True)):
        _check_after_kill(day, index, tmp_path / f"{index}-kill-{number}", what)


# --- commands at once ------------------------------------------------------------------------


def _run_together(argvs: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Start every command at once (each a real process, at its time of the draw day)."""
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    environment.update(faketime_environment(step_time(argvs[0][3:])))
    processes = [
        subprocess.Popen(argv, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, encoding="utf-8")
        for argv in argvs
    ]  # fmt: skip
    results = []
    for argv, process in zip(argvs, processes, strict=True):
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(argv, process.returncode, out, err))
    return results


def creds_key(step: Step) -> str:
    """The private key file a ``sign`` step signs with."""
    return str(step.template[step.template.index("--key") + 1])


#: Rounds of each race; before the folder lock about one race in four lost a write.
ROUNDS = 6


def test_concurrent_signs_lose_no_signature(day: DrawDay, tmp_path: Path) -> None:
    """Bureau and notary sign the same document at the same moment: both signatures stay."""
    index, _ = day.step("sign announcement bureau")
    for attempt in range(ROUNDS):
        folder = tmp_path / f"sign-{attempt}"
        shutil.copytree(day.snapshots[index], folder)
        document = folder / "public" / "announcement.json"
        keys = [creds_key(day.steps[index]), creds_key(day.steps[index + 1])]
        results = _run_together(
            [_python_alloc("sign", document, "--key", key, "--yes") for key in keys]
        )
        assert [r.returncode for r in results] == [0, 0], results
        signed = Envelope.from_bytes(document.read_bytes())
        assert len(signed.signatures) == 2, f"attempt {attempt}: a signature was lost"
        # The operator log records the signatures in the order they came in, which
        # differs from run to run; every other file is as after two signs in turn.
        got, expected = outputs(folder), outputs(day.snapshots[index + 2])
        log = parse_log(got.pop(LOG_NAME))
        assert got == {k: v for k, v in expected.items() if k != LOG_NAME}
        before = parse_log(outputs(day.snapshots[index])[LOG_NAME])
        assert log.entries[: len(before.entries)] == before.entries
        assert [e.command for e in log.entries[len(before.entries) :]] == ["alloc sign"] * 2
        assert bookkeeping(folder) == []


def test_concurrent_reveals_lose_no_reveal(day: DrawDay, tmp_path: Path) -> None:
    """Three parties reveal at the same moment: every reveal is recorded."""
    first, _ = day.step(f"reveal {REVEALING[0]}")
    for attempt in range(ROUNDS):
        folder = tmp_path / f"reveal-{attempt}"
        shutil.copytree(day.snapshots[first], folder)
        argvs = [_python_alloc(*day.steps[first + n].argv(folder)) for n in range(len(REVEALING))]
        results = _run_together(argvs)
        assert [r.returncode for r in results] == [0] * len(REVEALING), results
        # The reveals are recorded in the order they came in, which differs from
        # run to run; what matters is that none is missing.
        status = call("--json", "ceremony", "status", "--dir", folder).json()
        expected = call(
            "--json", "ceremony", "status", "--dir", day.snapshots[first + len(REVEALING)]
        ).json()
        assert status == expected, f"attempt {attempt}: a reveal was lost"
        assert bookkeeping(folder) == []


# --- signed documents are never replaced silently -------------------------------------------


def test_freeze_force_never_silently_replaces_a_signed_announcement(
    day: DrawDay, tmp_path: Path
) -> None:
    index, _ = day.step("open")
    folder = tmp_path / "signed"
    shutil.copytree(day.snapshots[index], folder)  # announcement signed by both
    freeze = day.step("freeze")[1]
    before = outputs(folder)
    refused = call(*freeze.argv(folder), "--force")
    assert refused.code == 2, str(refused)
    assert "announcement.json: holds a signed document (2 signature(s))" in refused.err
    assert "--replace-signed" in refused.err
    assert outputs(folder) == before
    assert bookkeeping(folder) == []
    ok(*freeze.argv(folder), "--force", "--replace-signed")
    after = outputs(folder)
    old = before["public/announcement.json"]
    digest = hashlib.sha256(old).hexdigest()
    assert after[f"public/announcement.replaced-{digest}.json"] == old
    assert Envelope.from_bytes(after["public/announcement.json"]).signatures == ()


def test_demo_force_clears_its_folder_but_not_a_signed_document_silently(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    demo = ("demo", "--applicants", "40", "--kindergartens", "3", "--out", target)
    ok(*demo)
    assert call(*demo).code == 2  # not without --force
    (target / "publish" / "stale.csv").write_bytes(b"old list")
    refused = call(*demo, "--force")  # the demo's transcript is signed
    assert refused.code == 2
    assert "--replace-signed" in refused.err
    assert (target / "publish" / "stale.csv").exists()
    ok(*demo, "--force", "--replace-signed")
    assert not (target / "publish" / "stale.csv").exists()
    assert sorted(p.name for p in (target / "public").glob("*.replaced-*.json")) != []
    assert bookkeeping(target) == []

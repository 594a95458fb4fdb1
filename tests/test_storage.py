"""alloc.storage: folder locks, all-or-nothing transactions, file-system errors, signed files.

The command line's use of all this (kills, races) is in tests/test_draw_day.py;
here are the pieces, and the command line's exit code 5 and messages.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import call, make_credentials, ok

from alloc import io as files
from alloc import storage
from alloc.cli import EXIT_IO_ERROR
from alloc.errors import AllocError, InputError
from alloc.signing import Envelope, SigningKey
from alloc.storage import (
    FolderBusyError,
    FolderLock,
    SignedDocumentError,
    StorageError,
    recover,
    transaction,
)

POSIX = sys.platform != "win32"


# --- the folder lock ---------------------------------------------------------------------


def test_a_second_lock_waits_says_so_and_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    told: list[str] = []
    with FolderLock(tmp_path, command="alloc draw"):
        second = FolderLock(tmp_path, command="alloc sign", timeout=0.3, on_wait=told.append)
        started = time.monotonic()
        with pytest.raises(FolderBusyError) as info:
            second.acquire()
        assert time.monotonic() - started >= 0.3
    assert len(told) == 1
    assert told[0].startswith(f"alloc draw, process {os.getpid()}, since ")
    message = str(info.value)
    assert str(tmp_path) in message
    assert "in use by alloc draw, process" in message
    assert "--lock-timeout" in message
    assert info.value.errno is None
    # Released: the next one gets it at once, and the lock file is gone again.
    with FolderLock(tmp_path, timeout=0):
        assert (tmp_path / storage.LOCK_NAME).exists()
    assert not (tmp_path / storage.LOCK_NAME).exists()


def test_a_waiting_lock_gets_the_folder_when_it_is_released(tmp_path: Path) -> None:
    order: list[str] = []
    first = FolderLock(tmp_path)
    first.acquire()

    def second() -> None:
        with FolderLock(tmp_path, timeout=10, on_wait=lambda _: order.append("waiting")):
            order.append("second holds it")

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)
    order.append("first releases")
    first.release()
    thread.join(timeout=10)
    assert order == ["waiting", "first releases", "second holds it"]


def test_locks_are_exclusive_under_contention(tmp_path: Path) -> None:
    """Many threads incrementing a file under the lock: no increment is lost."""
    counter = tmp_path / "counter"
    counter.write_text("0")

    def work() -> None:
        for _ in range(25):
            with FolderLock(tmp_path, timeout=30):
                value = int(counter.read_text())
                counter.write_text(str(value + 1))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.read_text() == "100"
    assert not (tmp_path / storage.LOCK_NAME).exists()


@pytest.mark.skipif(not POSIX, reason="SIGKILL")
def test_a_killed_holder_never_blocks_the_folder(tmp_path: Path) -> None:
    """The operating system drops the lock with the process: no stale lock."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from alloc.storage import FolderLock;"
            " lock = FolderLock(Path(sys.argv[1]), command='alloc draw'); lock.acquire();"
            " print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(FolderBusyError):
        FolderLock(tmp_path, timeout=0.2).acquire()
    holder.kill()
    holder.wait()
    assert (tmp_path / storage.LOCK_NAME).exists()  # the file stays, the lock does not
    started = time.monotonic()
    with FolderLock(tmp_path, timeout=5):
        assert time.monotonic() - started < 1


def test_an_optional_lock_lets_a_reader_go_on_where_none_can_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = open

    def read_only(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith(storage.LOCK_NAME):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", read_only)
    assert FolderLock(tmp_path, optional=True).acquire() is False
    with pytest.raises(StorageError, match="the file system is read-only") as info:
        FolderLock(tmp_path).acquire()
    assert info.value.errno == errno.EROFS
    assert info.value.action == "lock the folder"


# --- transactions -------------------------------------------------------------------------


def _left(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_transaction_writes_everything_at_the_end(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "old.json").write_bytes(b"{}")
    with transaction(tmp_path, command="alloc test") as txn:
        files.write_bytes(tmp_path / "a.json", b'{"a":1}\n')
        files.write_bytes(tmp_path / "sub" / "b.json", b'{"b":2}\n', mode=0o600)
        files.write_bytes(tmp_path / "old.json", b'{"new":true}\n', force=True)
        # Nothing is in place yet; io's readers see what was staged.
        assert not (tmp_path / "a.json").exists()
        assert (tmp_path / "old.json").read_bytes() == b"{}"
        assert files.read_json(tmp_path / "old.json") == {"new": True}
        assert txn.staged(tmp_path / "a.json") is not None
        with pytest.raises(files.OutputExistsError):
            files.write_bytes(tmp_path / "a.json", b"again")
    assert _left(tmp_path) == ["a.json", "old.json", "sub/b.json"]
    assert (tmp_path / "sub" / "b.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "old.json").read_bytes() == b'{"new":true}\n'


def test_a_failed_transaction_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "kept").write_bytes(b"old")

    def failing() -> None:
        with transaction(tmp_path):
            files.write_bytes(tmp_path / "new", b"new")
            files.write_bytes(tmp_path / "kept", b"changed", force=True)
            raise InputError("boom")

    with pytest.raises(InputError, match="boom"):
        failing()
    assert _left(tmp_path) == ["kept"]
    assert (tmp_path / "kept").read_bytes() == b"old"


def _interrupted(tmp_path: Path, *, committed: bool) -> Path:
    """A folder as a transaction killed before (or right after) writing its journal left it."""
    (tmp_path / "sub").mkdir()
    txn = storage.Transaction(tmp_path, command="alloc draw")
    txn.stage(tmp_path / "results.jsonl", b"{}\n")
    txn.stage(tmp_path / "sub" / "transcript.json", b"{}\n")
    if committed:
        real = os.replace
        calls = 0

        def crash_after_journal(src: object, dst: object) -> None:
            nonlocal calls
            calls += 1
            if calls == 2:  # the journal is in place; the first output is not
                raise KeyboardInterrupt
            real(src, dst)  # type: ignore[arg-type]

        os.replace = crash_after_journal  # type: ignore[assignment]
        try:
            with contextlib.suppress(KeyboardInterrupt):
                txn.commit()
        finally:
            os.replace = real
    return tmp_path


def test_recovery_undoes_a_command_killed_before_its_journal(tmp_path: Path) -> None:
    folder = _interrupted(tmp_path, committed=False)
    assert len(_left(folder)) == 3  # two temporary files and the pending list
    (folder / ".someone-elses.tmp").write_bytes(b"not ours")
    found = recover(folder)
    assert found.rolled_back == ("alloc draw",)
    assert found.removed == 2
    assert found.messages() == [
        "an interrupted `alloc draw` was undone: its temporary files were removed and nothing"
        " of it was kept"
    ]
    assert _left(folder) == [".someone-elses.tmp"]
    assert not recover(folder)


def test_recovery_completes_a_command_killed_after_its_journal(tmp_path: Path) -> None:
    folder = _interrupted(tmp_path, committed=True)
    assert any(name.startswith(".alloc-journal-") for name in os.listdir(folder))
    found = recover(folder)
    assert found.completed == ("alloc draw",)
    assert _left(folder) == ["results.jsonl", "sub/transcript.json"]


def test_a_damaged_journal_is_reported_not_guessed(tmp_path: Path) -> None:
    (tmp_path / ".alloc-journal-0011223344556677.json").write_bytes(b'{"moves": [')
    with pytest.raises(StorageError, match="journal of an interrupted command is damaged"):
        recover(tmp_path)


def test_holds_outputs_ignores_bookkeeping_and_empty_folders(tmp_path: Path) -> None:
    assert not storage.holds_outputs(tmp_path / "missing")
    (tmp_path / "notice").mkdir()
    (tmp_path / "notice" / ".notice-K01.csv.0011223344556677.tmp").write_bytes(b"x")
    (tmp_path / storage.LOCK_NAME).write_bytes(b"")
    assert not storage.holds_outputs(tmp_path)
    (tmp_path / "notice" / "notice-K01.csv").write_bytes(b"x")
    assert storage.holds_outputs(tmp_path)


# --- file-system errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EACCES, "permission denied"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EIO, "input/output error"),
        (errno.EDQUOT, "quota"),
    ],
)
def test_os_errors_become_storage_errors_naming_the_path(number: int, words: str) -> None:
    error = storage.os_error(OSError(number, os.strerror(number), "/draw/public/x.json"))
    assert isinstance(error, AllocError)
    assert error.errno == number
    assert str(error).startswith("/draw/public/x.json: cannot write: ")
    assert words in str(error)
    assert error.hint


def test_write_errors_are_storage_errors_in_and_out_of_a_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match="disk is full") as outside:
        files.write_bytes(tmp_path / "a", b"x")
    assert outside.value.path == tmp_path / "a"
    with pytest.raises(StorageError, match="disk is full"), transaction(tmp_path):
        files.write_bytes(tmp_path / "b", b"x")
    monkeypatch.undo()
    assert _left(tmp_path) == []


def test_read_errors_other_than_a_missing_file_are_storage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rules.json"
    path.write_bytes(b"{}")

    def denied(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(StorageError, match="permission denied") as info:
        files.read_json(path)
    assert info.value.action == "read"
    monkeypatch.undo()
    with pytest.raises(InputError, match="file not found"):
        files.read_json(tmp_path / "missing.json")


# --- signed documents --------------------------------------------------------------------


def _signed(*names: str) -> Envelope:
    envelope = Envelope(signed={"type": "announcement", "draw_id": "d"})
    for name in names:
        envelope = envelope.sign(SigningKey.from_seed(name.encode().ljust(32, b"-")))
    return envelope


def test_a_signed_document_is_never_replaced_silently(tmp_path: Path) -> None:
    path = tmp_path / "announcement.json"
    files.write_bytes(path, _signed("bureau").to_bytes())
    # Adding a signature (alloc sign) and writing the same bytes are fine.
    files.write_bytes(path, _signed("bureau", "notary").to_bytes(), force=True)
    files.write_bytes(path, _signed("bureau", "notary").to_bytes(), force=True)
    old = path.read_bytes()
    for other in (_signed().to_bytes(), _signed("bureau").to_bytes(), b"{}\n"):
        with pytest.raises(SignedDocumentError, match="signed document") as info:
            files.write_bytes(path, other, force=True)
        assert "--replace-signed" in str(info.value)
        assert path.read_bytes() == old
    files.write_bytes(path, b"{}\n", force=True, replace_signed=True)
    backup = tmp_path / f"announcement.replaced-{hashlib.sha256(old).hexdigest()}.json"
    assert backup.read_bytes() == old
    assert path.read_bytes() == b"{}\n"


def test_unsigned_and_large_files_are_replaced_with_force(tmp_path: Path) -> None:
    path = tmp_path / "transcript.json"
    files.write_bytes(path, _signed().to_bytes())
    files.write_bytes(path, b"{}\n", force=True)
    assert _left(tmp_path) == ["transcript.json"]


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["../../x", "..", ".", "a/b", "a\\b", "", ".hidden", "x.", "CON", "nul.key", "a..b",
             "名字", "a b", "x" * 65, "/abs"]
)  # fmt: skip
def test_unsafe_key_names_are_refused(name: str) -> None:
    with pytest.raises(InputError, match="not a plain name"):
        storage.check_file_name(name, field="key name")


@pytest.mark.parametrize("name", ["bureau", "notary-1", "notary_2", "k.2026", "A" * 64])
def test_plain_key_names_are_accepted(name: str) -> None:
    assert storage.check_file_name(name, field="key name") == name


def test_keys_generate_refuses_a_path_as_a_name(tmp_path: Path) -> None:
    run = call("keys", "generate", "../../x", "--out", tmp_path / "keys")
    assert run.code == 2
    assert "not a plain name" in run.err
    assert not any(tmp_path.rglob("*.key"))
    assert not (tmp_path.parent / "x.key").exists()


# --- the command line ------------------------------------------------------------------------


def test_exit_code_5_for_a_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def full(path: object, flags: int, *args: object) -> int:
        if str(path).endswith(".tmp") and flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", full)
    run = call("--json", "keys", "generate", "bureau", "--out", tmp_path)
    monkeypatch.undo()
    assert run.code == EXIT_IO_ERROR == 5
    assert "error: file system error: " in run.err
    assert "the disk is full" in run.err
    assert str(tmp_path) in run.err
    result = run.json()
    assert result["error"] == "file system error"
    assert result["type"] == "StorageError"
    assert _left(tmp_path) == []


def _mount_tmpfs(where: Path, size: str) -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@contextlib.contextmanager
def _tiny_disk(where: Path, size: str = "64k") -> Iterator[Path]:
    if not _mount_tmpfs(where, size):
        pytest.skip("needs root on Linux to mount a tiny tmpfs (the monkeypatched test runs)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_really_full_disk_is_an_io_error_and_changes_nothing(tmp_path: Path) -> None:
    """A 64 KiB tmpfs: the draw folder fills it; the command says so, exit 5."""
    with _tiny_disk(tmp_path / "disk") as disk:
        creds = make_credentials(tmp_path / "creds", [])
        folder = disk / "draw"
        folder.mkdir()
        ok("policy", "create", "--role", f"bureau={creds.pub('bureau')}",
           "--role", f"notary={creds.pub('notary-1')}", "--out", folder / "trust.json")  # fmt: skip
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        (disk / "filler").write_bytes(b"\0" * (64 * 1024 - 4096))
        with contextlib.suppress(OSError), open(disk / "filler", "ab") as handle:
            while True:
                handle.write(b"\0" * 512)
                handle.flush()
        run = call("policy", "create", "--role", f"bureau={creds.pub('stranger')}",
                   "--role", f"notary={creds.pub('notary-1')}",
                   "--out", folder / "trust.json", "--force")  # fmt: skip
        assert run.code == EXIT_IO_ERROR, str(run)
        assert "the disk is full" in run.err
        assert "trust.json" in run.err
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_busy_folder_is_exit_code_5_after_the_timeout(tmp_path: Path) -> None:
    (tmp_path / "ceremony.json").write_bytes(b"{}")
    with FolderLock(tmp_path, command="alloc draw"):
        run = call("--lock-timeout", "0.2", "ceremony", "status", "--dir", tmp_path)
    assert run.code == EXIT_IO_ERROR
    assert f"waiting for {tmp_path}: alloc draw, process" in run.err
    assert "in use by alloc draw" in run.err


def test_recovery_is_told_to_the_operator(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    txn = storage.Transaction(tmp_path, command="alloc publish")
    txn.stage(tmp_path / "sub" / "notice-K01.csv", b"x")
    run = call("--quiet", "ceremony", "status", "--dir", tmp_path)
    assert "an interrupted `alloc publish` was undone" in run.err
    assert _left(tmp_path) == []


def test_json_output_stays_clean_while_waiting(tmp_path: Path) -> None:
    (tmp_path / "x").write_bytes(b"")
    with FolderLock(tmp_path):
        run = call("--json", "--lock-timeout", "0.1", "ceremony", "status", "--dir", tmp_path)
    assert json.loads(run.out)["error"] == "file system error"

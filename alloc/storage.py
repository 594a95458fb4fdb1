"""The draw folder on disk: one writer at a time, all-or-nothing outputs, clear I/O errors.

A draw day is a sequence of commands that each read some files of the draw
folder and write others. Three things can go wrong between them, and this
module answers each:

* **Two commands at once.** Two notaries sign the announcement, or two parties
  reveal, at the same moment: each reads the old file and writes its own
  version, and one write is lost. :class:`FolderLock` is an exclusive
  operating-system lock on ``.alloc.lock`` in the folder, held for a whole
  read-modify-write. The operating system drops it when the process ends, even
  by ``kill -9`` or a power cut, so a stale lock never blocks anyone. A
  waiting command says what it waits for and gives up after a timeout with
  :class:`FolderBusyError`.

* **A command killed half-way.** Inside :func:`transaction` every file that
  :mod:`alloc.io` writes goes first to a temporary file next to its target
  (``.NAME.TXID.tmp``), flushed to disk. Only when the command has produced
  all of them is a *journal* written (``.alloc-journal-TXID.json``, itself
  atomically); then the files are renamed into place and the journal removed.
  A command killed before its journal exists leaves only temporary files,
  which the next command in the folder deletes (they are listed, folder by
  folder, in ``.alloc-pending-TXID``, so nothing else is ever touched); one
  killed after it is completed by the next command from the journal. Either
  way the folder holds all of a command's outputs or none of them.

* **The disk refuses.** Disk full, permission denied, a read-only USB stick or
  a failing disk are :class:`StorageError` (exit code 5 in the command line),
  naming the path and saying what to do, never "invalid input".

A signed announcement or transcript is never replaced silently: writing over
a file that holds a signed envelope is refused (:class:`SignedDocumentError`)
unless the new file is the same document with more signatures (``alloc sign``)
or the replacement is asked for by name (``replace_signed``, the command
line's ``--replace-signed``); the old file is then kept beside the new one as
``NAME.replaced-SHA256.EXT``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import IO, Any, Final

from alloc.errors import AllocError, InputError
from alloc.i18n import N_, _

if sys.platform == "win32":  # pragma: no cover - Windows only
    import msvcrt
else:
    import fcntl

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "LOCK_NAME",
    "FolderBusyError",
    "FolderLock",
    "Recovery",
    "SignedDocumentError",
    "StorageError",
    "Transaction",
    "active_transaction",
    "check_file_name",
    "folder_digest",
    "fsync_directory",
    "holds_outputs",
    "is_internal_name",
    "os_error",
    "recover",
    "remove_outputs",
    "signed_backup",
    "transaction",
    "will_exist",
]

StrPath = str | os.PathLike[str]

#: The lock file in a folder. Its holder deletes it on release (on Windows it
#: stays); a waiter that then locks the deleted file sees that the name no
#: longer leads to it and tries again, so two processes never hold two files
#: of the same name.
LOCK_NAME: Final = ".alloc.lock"
_JOURNAL_PREFIX: Final = ".alloc-journal-"
_PENDING_PREFIX: Final = ".alloc-pending-"
#: Seconds a command waits for a folder another command holds.
DEFAULT_LOCK_TIMEOUT: Final = 120.0
_POLL_SECONDS: Final = 0.05
#: Signed documents are a few kilobytes; a larger file is not looked into.
_SIGNED_SIZE_LIMIT: Final = 4 * 1024 * 1024


# --- errors ------------------------------------------------------------------------

# errno -> (what happened, what to do, code), translated where the error is made.
_REASONS: Final[dict[int, tuple[str, str, str]]] = {
    errno.ENOSPC: (
        N_("the disk is full (no space left on the device)"),
        N_(
            "free some space on that disk, or use a folder on another disk, then run the"
            " command again"
        ),
        "storage.disk-full",
    ),
    errno.EDQUOT: (
        N_("the disk quota of this user is used up"),
        N_("free some space or ask for a larger quota, then run the command again"),
        "storage.quota",
    ),
    errno.EACCES: (
        N_("permission denied"),
        N_("check that this user may read and write the folder and its files"),
        "storage.permission-denied",
    ),
    errno.EPERM: (
        N_("the operation is not permitted"),
        N_("check the file's permissions and owner, and that no other program holds it"),
        "storage.not-permitted",
    ),
    errno.EROFS: (
        N_("the file system is read-only"),
        N_(
            "copy the folder to a writable disk (a USB stick may have its write-protect"
            " switch on), then run the command there"
        ),
        "storage.read-only",
    ),
    errno.EIO: (
        N_("the disk reported an input/output error"),
        N_(
            "the disk or USB stick may be failing: copy the folder to another disk and"
            " check it with `alloc verify`"
        ),
        "storage.io-error",
    ),
    errno.EMFILE: (
        N_("too many files are open"),
        N_("close other programs or raise the limit of open files (ulimit -n)"),
        "storage.too-many-files",
    ),
    errno.ENAMETOOLONG: (
        N_("the path is too long for the file system"),
        N_("use a shorter folder or file name"),
        "storage.path-too-long",
    ),
    errno.EXDEV: (
        N_("the file cannot be moved across disks"),
        N_("keep the draw folder and its sub-folders on one disk"),
        "storage.cross-device",
    ),
}

#: What alloc was doing, by the stable name :attr:`StorageError.action` holds.
_ACTIONS: Final[dict[str, str]] = {
    "write": N_("write"),
    "read": N_("read"),
    "read or write": N_("read or write"),
    "delete": N_("delete"),
    "lock the folder": N_("lock the folder"),
    "read the folder": N_("read the folder"),
    "create the folder": N_("create the folder"),
    "finish writing": N_("finish writing"),
    "recover": N_("recover"),
}


class StorageError(AllocError):
    """The file system refused to read or write a file: disk full, no permission, read-only.

    ``path`` is the file or folder, ``action`` what alloc was doing, a stable
    English name (``"write"``, ``"read"``, ``"lock the folder"``…, shown
    translated), ``errno`` the operating system's error number (``None`` if
    there was none) and ``hint`` what to do. The command line exits with code
    5 on it.
    """

    code = "storage.failed"

    def __init__(
        self,
        problem: str,
        *,
        path: StrPath,
        action: str,
        errno: int | None = None,
        hint: str | None = None,
        code: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = Path(path)
        self.action = action
        self.errno = errno
        self.hint = hint
        doing = _ACTIONS.get(action)
        text = _("{path}: cannot {action}: {problem}").format(
            path=self.path, action=action if doing is None else _(doing), problem=problem
        )
        if hint:
            text = _("{message}; {hint}").format(message=text, hint=hint)
        super().__init__(text, code=code)


class FolderBusyError(StorageError):
    """Another command held the folder's lock for longer than the timeout."""

    code = "storage.folder-busy"
    specific = True


class SignedDocumentError(InputError):
    """Writing would replace a signed announcement or transcript without being asked to."""

    code = "output.signed-document"
    specific = True


def os_error(exc: OSError, *, path: StrPath | None = None, action: str = "write") -> StorageError:
    """The :class:`StorageError` for an operating-system error, naming the path.

    ``path`` defaults to the error's own file name. Never raises.
    """
    where = path if path is not None else (exc.filename or _("(a file alloc was using)"))
    known = _REASONS.get(exc.errno if exc.errno is not None else -1)
    if known is None:
        return StorageError(
            exc.strerror or str(exc) or type(exc).__name__,
            code="storage.failed",
            path=os.fsdecode(where),
            action=action,
            errno=exc.errno,
            hint=_("check the disk and the path"),
        )
    problem, hint, code = known
    return StorageError(
        _(problem), code=code, path=os.fsdecode(where), action=action, errno=exc.errno, hint=_(hint)
    )


# --- names that become file names --------------------------------------------------

_FILE_NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_WINDOWS_DEVICES: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}
)


def check_file_name(name: str, *, field: str) -> str:
    """A name alloc turns into a file name (a key name): one plain word, never a path.

    Letters, digits, ``.``, ``_`` and ``-``, at most 64, starting with a letter
    or digit and not ending with ``.``; no path separator, no ``..``, no
    Windows device name (``CON``, ``NUL``…), so the file stays in its folder on
    every system.

    Raises:
        InputError: naming ``field`` and the value.
    """
    if (
        not _FILE_NAME_RE.fullmatch(name)
        or name.endswith(".")
        or ".." in name
        or name.split(".", maxsplit=1)[0].upper() in _WINDOWS_DEVICES
    ):
        raise InputError(
            _(
                "is not a plain name: use letters, digits, '.', '_' and '-' only (at most 64,"
                " starting with a letter or digit), with no folder in it"
            ),
            code="file-name.not-plain",
            field=field,
            value=name,
            hint=_("e.g. bureau or notary-1; choose the folder with --out"),
        )
    return name


# --- durability helpers -----------------------------------------------------------


def fsync_directory(directory: StrPath) -> None:
    """Flush a folder's entries (a rename is durable only then); best effort.

    Windows cannot open folders and some file systems refuse to sync them;
    the files' own data is synced before, so this never raises.
    """
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_synced(path: Path, data: bytes, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def is_internal_name(name: str) -> bool:
    """Whether a file name is alloc's own bookkeeping (lock, journal, temporary file)."""
    return (
        name == LOCK_NAME
        or name.startswith((_JOURNAL_PREFIX, _PENDING_PREFIX))
        or (name.startswith(".") and name.endswith(".tmp"))
    )


def _output_files(folder: Path) -> Iterator[Path]:
    for directory, _folders, names in os.walk(folder):
        for name in names:
            if not is_internal_name(name):
                yield Path(directory) / name


def holds_outputs(folder: StrPath) -> bool:
    """Whether a folder holds any file, at any depth, besides alloc's own bookkeeping.

    Empty sub-folders do not count: a command killed before its files
    appeared may have made them.
    """
    path = Path(folder)
    return path.is_dir() and next(_output_files(path), None) is not None


def remove_outputs(folder: StrPath) -> None:
    """Delete every file under ``folder`` but alloc's bookkeeping (on commit, in a transaction).

    A signed document among them is refused like an overwrite
    (:func:`signed_backup`), and kept as a backup with ``replace_signed``.

    Raises:
        SignedDocumentError: if a signed document would go and the transaction
            does not allow it.
        StorageError: if a file cannot be deleted.
    """
    txn = active_transaction()
    replace_signed = txn is not None and txn.replace_signed
    for path in sorted(_output_files(Path(folder))):
        backup = signed_backup(path, b"", replace_signed=replace_signed)
        if txn is None:
            try:
                if backup is not None:
                    path.rename(backup[0])
                else:
                    path.unlink()
            except OSError as exc:
                raise os_error(exc, path=path, action="delete") from exc
            continue
        if backup is not None:
            txn.stage(backup[0], backup[1])
        txn.remove(path)


# --- the folder lock ----------------------------------------------------------------


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        # Lock one byte far past the holder's note, so waiters can still
        # read the note (Windows locks block reads of the locked range).
        handle.seek(1 << 30)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        # flock, not fcntl record locks: two opens in one process conflict
        # too, and the lock belongs to the open file, not the process.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in {errno.EAGAIN, errno.EACCES}:
            return False
        raise
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        handle.seek(1 << 30)
        with contextlib.suppress(OSError):
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    with contextlib.suppress(OSError):
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@dataclass
class FolderLock:
    """An exclusive lock on a folder for one command (a context manager).

    ``on_wait(holder)`` is called once if the folder is busy, with the
    holder's note (``"alloc draw, process 4242, since 10:31:02"`` or ``""``).
    ``optional`` lets a read-only command go on without a lock where the
    folder cannot hold one (a read-only disk, no write permission).

    Raises (on entering):
        FolderBusyError: if the lock is still held after ``timeout`` seconds.
        StorageError: if the lock file cannot be created (unless ``optional``).
    """

    folder: Path
    command: str = "alloc"
    timeout: float = DEFAULT_LOCK_TIMEOUT
    on_wait: Callable[[str], None] | None = None
    optional: bool = False
    held: bool = field(default=False, init=False)
    _handle: IO[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def path(self) -> Path:
        return self.folder / LOCK_NAME

    def holder(self) -> str:
        """The note the current holder left in the lock file, or ``""``."""
        try:
            return self.path.read_bytes()[:300].decode("utf-8", "replace").strip()
        except OSError:
            return ""

    def _open(self) -> IO[bytes] | None:
        try:
            # Unbuffered: a note that did not fit on a full disk must not
            # fail again when the file is closed.
            return open(self.path, "a+b", buffering=0)
        except OSError as exc:
            if self.optional and exc.errno in {errno.EROFS, errno.EACCES, errno.EPERM}:
                return None
            raise os_error(exc, path=self.path, action="lock the folder") from exc

    def _still_named(self, handle: IO[bytes]) -> bool:
        """Whether the locked file is still the one the lock's name leads to."""
        if sys.platform == "win32":  # pragma: no cover - Windows never deletes it
            return True
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(handle.fileno())
        return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)

    def acquire(self) -> bool:
        """Take the lock, waiting up to the timeout; ``False`` if ``optional`` and impossible."""
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            handle = self._open()
            if handle is None:
                return False
            try:
                locked = _try_lock(handle)
                if locked and self._still_named(handle):
                    break
                handle.close()  # busy, or the holder deleted the file as we locked it
                if locked:
                    continue
                if not told:
                    told = True
                    if self.on_wait is not None:
                        self.on_wait(self.holder())
                if time.monotonic() >= deadline:
                    holder = self.holder() or _("another alloc command")
                    raise FolderBusyError(
                        _("the folder is in use by {holder}, still after {seconds:g} s").format(
                            holder=holder, seconds=self.timeout
                        ),
                        path=self.folder,
                        action="lock the folder",
                        hint=_(
                            "wait for that command to finish (or stop it), then run this one"
                            " again; --lock-timeout SECONDS waits longer"
                        ),
                    )
                time.sleep(_POLL_SECONDS)
            except BaseException:
                handle.close()
                raise
        self._handle = handle
        self.held = True
        self._leave_note(handle)
        return True

    def _leave_note(self, handle: IO[bytes]) -> None:
        since = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        note = f"{self.command}, process {os.getpid()}, since {since}\n"
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate(0)
            handle.write(note.encode("utf-8"))

    def release(self) -> None:
        """Let go of the lock and delete the lock file (Windows: empty it)."""
        handle, self._handle = self._handle, None
        self.held = False
        if handle is None:
            return
        with contextlib.suppress(OSError):
            if sys.platform == "win32":  # pragma: no cover - an open file cannot go there
                handle.seek(0)
                handle.truncate(0)
            else:
                self.path.unlink()
        _unlock(handle)
        with contextlib.suppress(OSError):
            handle.close()

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


# --- transactions -------------------------------------------------------------------


@dataclass(frozen=True)
class _Move:
    temporary: Path
    target: Path
    digest: str  # SHA-256 of the new content: the operator log records it (alloc.oplog)


def folder_digest(folder: Path) -> str:
    """SHA-256 of a folder's listing (spec 9.6): for each file under it, sorted by
    its ``/``-separated relative path as UTF-8, that path, ``0x00``, the hex
    SHA-256 of its bytes and ``0x0A``.

    Raises:
        StorageError: if a file cannot be read.
    """
    listing = sha256()
    try:
        paths = sorted(
            (p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if p.is_file()
        )
        for name, path in paths:
            listing.update(name.encode() + b"\x00")
            listing.update(sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    except OSError as exc:
        raise os_error(exc, path=folder, action="read the folder") from exc
    return listing.hexdigest()


def _relative(path: Path, root: Path) -> str:
    # Inside the root a path is kept relative, so a moved folder still recovers.
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        return str(absolute)


def _resolve(text: str, root: Path) -> Path:
    path = Path(text)
    return path if path.is_absolute() else root / path


class Transaction:
    """A command's writes, kept apart until all of them are ready (see the module text).

    Use :func:`transaction`; :mod:`alloc.io`'s writers stage into the active one.
    """

    def __init__(self, root: StrPath, *, command: str = "alloc", replace_signed: bool = False):
        self.root = Path(root)
        self.command = command
        self.replace_signed = replace_signed
        self.txid = secrets.token_hex(8)
        self._moves: dict[Path, _Move] = {}
        self._removals: dict[Path, Path] = {}
        self._folder_moves: dict[Path, _Move] = {}
        self._folders: set[Path] = set()
        self._pending: Path = self.root / f"{_PENDING_PREFIX}{self.txid}"
        self.closed = False

    def _key(self, path: StrPath) -> Path:
        return Path(os.path.abspath(path))

    def staged(self, path: StrPath) -> Path | None:
        """The temporary file holding ``path``'s new content, if this transaction wrote it."""
        move = self._moves.get(self._key(path))
        return None if move is None else move.temporary

    def _note_folder(self, folder: Path) -> None:
        key = self._key(folder)
        if key in self._folders:
            return
        # The folder is on record before any temporary file is made in it,
        # so a kill at any moment leaves nothing the next run cannot find.
        line = (_relative(folder, self.root) + "\n").encode("utf-8")
        header = b"" if self._folders else f"{self.command}\n".encode()
        with open(self._pending, "ab") as handle:
            handle.write(header + line)
            handle.flush()
            os.fsync(handle.fileno())
        if not self._folders:
            fsync_directory(self.root)
        self._folders.add(key)

    def stage(self, target: StrPath, data: bytes, *, mode: int | None = None) -> Path:
        """Write ``data`` to a synced temporary file that replaces ``target`` on commit.

        Raises:
            StorageError: if the temporary file cannot be written.
        """
        if self.closed:
            raise RuntimeError("this transaction is already committed or aborted")
        path = Path(target)
        key = self._key(path)
        temporary = path.parent / f".{path.name}.{self.txid}.tmp"
        try:
            self._note_folder(path.parent)
            if key in self._moves:
                self._moves[key].temporary.unlink(missing_ok=True)
            _write_synced(temporary, data, 0o666 if mode is None else mode)
        except OSError as exc:
            raise os_error(exc, path=path) from exc
        self._moves[key] = _Move(temporary, path, sha256(data).hexdigest())
        return path

    def written(self) -> list[tuple[Path, str]]:
        """Every file this transaction puts in place, with the SHA-256 of its new content.

        A folder replaced whole (:meth:`staging_folder`) is one entry, its
        digest that of its listing (:func:`folder_digest`), so that a folder of a
        file per child is one line of the operator log, not millions.
        """
        files = [(move.target, move.digest) for move in self._moves.values()]
        folders = [
            (move.target, folder_digest(move.temporary)) for move in self._folder_moves.values()
        ]
        return files + folders

    def removed(self) -> list[Path]:
        """Every file this transaction deletes on commit (and does not write anew)."""
        return [path for key, path in self._removals.items() if key not in self._moves]

    def remove(self, target: StrPath) -> None:
        """Delete ``target`` on commit (if it still exists then and was not written anew)."""
        self._removals[self._key(target)] = Path(target)

    def staging_folder(self, target: StrPath) -> Path:
        """A new, empty folder that replaces the folder ``target`` whole on commit.

        For folders of very many small files (a proof file per child): the
        caller writes them into the staging folder without syncing each, and
        commit syncs the file system once and swaps the folders, so readers
        see the old folder or the new one, never a mix, and no file of the old
        one lingers. Files under ``target`` this transaction was to remove are
        gone with the old folder.

        Raises:
            StorageError: if the folder cannot be made.
        """
        if self.closed:
            raise RuntimeError("this transaction is already committed or aborted")
        path = Path(target)
        staging = path.parent / f".{path.name}.{self.txid}.tmp"
        try:
            self._note_folder(path.parent)
            if staging.exists():
                shutil.rmtree(staging)
            staging.mkdir()
        except OSError as exc:
            raise os_error(exc, path=path) from exc
        # The digest is taken when asked (written()), once the folder is filled.
        self._folder_moves[self._key(path)] = _Move(staging, path, "")
        return staging

    def removes(self, path: StrPath) -> bool:
        """Whether ``path`` is to be deleted on commit."""
        return self._key(path) in self._removals

    def commit(self) -> None:
        """Put every staged file in place: all of them, or (on a crash) none until recovery.

        Raises:
            StorageError: if the journal cannot be written (nothing changed) or a
                rename fails (the next command in the folder finishes the job).
        """
        if self.closed:
            return
        self.closed = True
        moves = list(self._moves.values())
        swapped = list(self._folder_moves.values())
        removals = [
            p
            for key, p in self._removals.items()
            if key not in self._moves and not any(key.is_relative_to(f) for f in self._folder_moves)
        ]
        if not moves and not removals and not swapped:
            self._pending.unlink(missing_ok=True)
            return
        if swapped and hasattr(os, "sync"):
            os.sync()  # the staged folders' files, written unsynced, all at once
        journal = self.root / f"{_JOURNAL_PREFIX}{self.txid}.json"
        record = {
            "command": self.command,
            "moves": [
                [_relative(m.temporary, self.root), _relative(m.target, self.root)] for m in moves
            ],
            "removals": [_relative(p, self.root) for p in removals],
            "folders": [
                [_relative(m.temporary, self.root), _relative(m.target, self.root)] for m in swapped
            ],
        }
        partial = journal.with_name(journal.name + ".tmp")
        try:
            _write_synced(partial, json.dumps(record, ensure_ascii=False).encode("utf-8"), 0o644)
            os.replace(partial, journal)
            fsync_directory(self.root)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            self._discard(moves)
            raise os_error(exc, path=journal) from exc
        try:
            _apply(record, self.root)
        except OSError as exc:
            cause = os_error(exc)
            raise StorageError(
                cause.problem,
                code=cause.code,
                path=cause.path,
                action="finish writing",
                errno=exc.errno,
                hint=_(
                    "every output is ready: the next alloc command in this folder puts them in"
                    " place once the cause is fixed"
                ),
            ) from exc
        journal.unlink(missing_ok=True)
        self._pending.unlink(missing_ok=True)
        fsync_directory(self.root)

    def _discard(self, moves: list[_Move]) -> None:
        for move in moves:
            with contextlib.suppress(OSError):
                move.temporary.unlink(missing_ok=True)
        for move in self._folder_moves.values():
            shutil.rmtree(move.temporary, ignore_errors=True)
        with contextlib.suppress(OSError):
            self._pending.unlink(missing_ok=True)

    def abort(self) -> None:
        """Delete every temporary file; the folder is left as it was. Never raises."""
        if self.closed:
            return
        self.closed = True
        self._discard(list(self._moves.values()))


def _apply(record: dict[str, Any], root: Path) -> int:
    """Roll a journal forward (idempotent: a file already moved is skipped)."""
    folders: set[Path] = set()
    done = 0
    for temporary_text, target_text in record["moves"]:
        temporary, target = _resolve(temporary_text, root), _resolve(target_text, root)
        if os.path.lexists(temporary):
            os.replace(temporary, target)
            done += 1
        folders.add(target.parent)
    for text in record["removals"]:
        path = _resolve(text, root)
        if path.is_file() or path.is_symlink():
            path.unlink()
            done += 1
        folders.add(path.parent)
    for staging_text, target_text in record.get("folders", []):
        staging, target = _resolve(staging_text, root), _resolve(target_text, root)
        retired = staging.with_name(staging.name + ".old")
        if staging.is_dir():
            if target.is_dir():
                os.replace(target, retired)
            os.replace(staging, target)
            done += 1
        shutil.rmtree(retired, ignore_errors=True)
        folders.add(target.parent)
    for folder in folders:
        fsync_directory(folder)
    return done


_ACTIVE: ContextVar[Transaction | None] = ContextVar("alloc_transaction", default=None)


def will_exist(path: StrPath) -> bool:
    """Whether ``path`` exists once the active transaction (if any) commits."""
    txn = _ACTIVE.get()
    if txn is None:
        return os.path.lexists(path)
    if txn.staged(path) is not None:
        return True
    return os.path.lexists(path) and not txn.removes(path)


def active_transaction() -> Transaction | None:
    """The transaction :mod:`alloc.io`'s writers stage into, if one is open."""
    return _ACTIVE.get()


@contextlib.contextmanager
def transaction(
    root: StrPath, *, command: str = "alloc", replace_signed: bool = False
) -> Iterator[Transaction]:
    """Make every :mod:`alloc.io` write inside the block all-or-nothing.

    Commits when the block ends normally, aborts (deleting every temporary
    file) when it raises. Hold the folder's :class:`FolderLock` around it: the
    journal and the list of pending folders live in ``root``.

    Raises:
        StorageError: if committing fails (see :meth:`Transaction.commit`).
    """
    txn = Transaction(root, command=command, replace_signed=replace_signed)
    token = _ACTIVE.set(txn)
    try:
        yield txn
    except BaseException:
        txn.abort()
        raise
    finally:
        _ACTIVE.reset(token)
    txn.commit()


# --- recovery -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` found: interrupted commands completed or rolled back."""

    completed: tuple[str, ...] = ()
    rolled_back: tuple[str, ...] = ()
    removed: int = 0

    def __bool__(self) -> bool:
        return bool(self.completed or self.rolled_back)

    def messages(self) -> list[str]:
        """One sentence per interrupted command."""
        lines = [
            _("an interrupted `{command}` had finished its outputs: they are now in place").format(
                command=name
            )
            for name in self.completed
        ]
        lines += [
            _(
                "an interrupted `{command}` was undone: its temporary files were removed and"
                " nothing of it was kept"
            ).format(command=name)
            for name in self.rolled_back
        ]
        return lines


def recover(root: StrPath) -> Recovery:
    """Finish or undo what interrupted commands left in ``root``; hold its lock first.

    A command whose journal exists had written every output: its files are put
    in place. One without a journal is undone: the temporary files it listed
    are deleted. Files of other programs are never touched.

    Raises:
        StorageError: if a file cannot be moved or deleted, or a journal is damaged.
    """
    folder = Path(root)
    completed: list[str] = []
    rolled_back: list[str] = []
    removed = 0
    try:
        entries = sorted(os.listdir(folder))
    except FileNotFoundError:
        return Recovery()
    except OSError as exc:
        raise os_error(exc, path=folder, action="read the folder") from exc
    try:
        for name in entries:
            if name.startswith(_JOURNAL_PREFIX) and name.endswith(".json.tmp"):
                (folder / name).unlink(missing_ok=True)  # never renamed: not committed
        for name in entries:
            if not (name.startswith(_JOURNAL_PREFIX) and name.endswith(".json")):
                continue
            txid = name[len(_JOURNAL_PREFIX) : -len(".json")]
            journal = folder / name
            try:
                record = json.loads(journal.read_bytes())
                command = str(record["command"])
            except (ValueError, KeyError, TypeError) as exc:
                raise StorageError(
                    _("the journal of an interrupted command is damaged"),
                    code="storage.journal-damaged",
                    path=journal,
                    action="recover",
                    hint=_(
                        "restore the folder from a copy, or remove the journal and run the"
                        " interrupted command again"
                    ),
                ) from exc
            _apply(record, folder)
            journal.unlink()
            (folder / f"{_PENDING_PREFIX}{txid}").unlink(missing_ok=True)
            completed.append(command)
        for name in sorted(os.listdir(folder)):
            if not name.startswith(_PENDING_PREFIX):
                continue
            txid = name[len(_PENDING_PREFIX) :]
            pending = folder / name
            lines = pending.read_bytes().decode("utf-8", "replace").splitlines()
            command = lines[0] if lines else "alloc"
            for line in lines[1:]:
                directory = _resolve(line, folder)
                with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                    for entry in os.listdir(directory):
                        if entry.startswith(".") and entry.endswith(f".{txid}.tmp"):
                            if (directory / entry).is_dir():
                                shutil.rmtree(directory / entry)
                            else:
                                (directory / entry).unlink(missing_ok=True)
                            removed += 1
            pending.unlink()
            rolled_back.append(command)
    except OSError as exc:
        raise os_error(exc, action="recover") from exc
    if completed or rolled_back:
        fsync_directory(folder)
    return Recovery(tuple(completed), tuple(rolled_back), removed)


# --- signed documents ---------------------------------------------------------------


def _envelope(data: bytes) -> dict[str, Any] | None:
    if not data.startswith(b"{") or len(data) > _SIGNED_SIZE_LIMIT:
        return None
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if (
        isinstance(parsed, dict)
        and isinstance(parsed.get("signed"), dict)
        and isinstance(parsed.get("signatures"), list)
    ):
        return parsed
    return None


def _signature_set(envelope: dict[str, Any]) -> set[str]:
    return {json.dumps(s, sort_keys=True) for s in envelope["signatures"]}


def signed_backup(
    target: StrPath, data: bytes, *, replace_signed: bool
) -> tuple[Path, bytes] | None:
    """Check a write over ``target``; the backup to keep if it replaces a signed document.

    Returns ``None`` when nothing signed is replaced: ``target`` is absent or
    unsigned, ``data`` is byte for byte the same, or ``data`` is the same
    document with every old signature and more (signing). Otherwise, with
    ``replace_signed``, returns where to keep the old file
    (``NAME.replaced-SHA256.EXT`` beside it) and its bytes.

    Raises:
        SignedDocumentError: if a signed document would be replaced and
            ``replace_signed`` is false.
    """
    path = Path(target)
    try:
        if not path.is_file() or path.stat().st_size > _SIGNED_SIZE_LIMIT:
            return None
        old = path.read_bytes()
    except OSError:
        return None
    if old == data:
        return None
    before = _envelope(old)
    if before is None or not before["signatures"]:
        return None
    after = _envelope(data)
    if (
        after is not None
        and after["signed"] == before["signed"]
        and _signature_set(before) <= _signature_set(after)
    ):
        return None
    digest = sha256(old).hexdigest()
    backup = path.with_name(f"{path.stem}.replaced-{digest}{path.suffix}")
    if not replace_signed:
        count = len(before["signatures"])
        raise SignedDocumentError(
            _(
                "holds a signed document ({count} signature(s)); alloc never replaces one"
                " silently, even with --force"
            ).format(count=count),
            source=str(path),
            hint=_(
                "give --replace-signed to replace it (the old file is then kept as {backup}),"
                " or write to another folder"
            ).format(backup=backup.name),
        )
    return backup, old

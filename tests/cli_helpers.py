"""Helpers for tests/test_cli.py: running ``alloc``, small spreadsheets, whole draws.

Every command runs in-process through :func:`alloc.cli.main` (see :func:`call`)
unless a test asks for a real process (:func:`run_process`). The draw folders
are built with explicit paths (``--dir``, ``--out``), never by changing the
working directory, so module-scoped fixtures can build them once.

A draw day has deadlines, so every command runs at a time on the test's draw
day (:data:`DAY`): by default the time its step has on that day (``freeze`` the
day before, ``reveal`` before the deadline, ``default`` after it, ``draw`` at
the draw time; :func:`step_time`), or the time a test gives with ``at=``.
In-process, :func:`alloc.clock.now` is replaced; a real process runs under
libfaketime (:func:`libfaketime`).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import glob
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from alloc import clock
from alloc.canonical import canonical_json
from alloc.cli import main
from alloc.identity import format_salt
from alloc.signing import Envelope, SigningKey

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "district"
EXAMPLE_DRAW_ID = "2026-example-district"
SMALL_DRAW_ID = "2026-test-small"

#: The test draw day (the README's): the list is frozen the day before, reveals
#: close at 15:30, drand quicknet round 30662982 is published at 15:38:30, the
#: 福彩3D is drawn at 21:15 and the draw runs the next morning.
DAY = {
    "freeze": "2026-07-22T17:00:00+08:00",
    "open": "2026-07-23T15:00:00+08:00",
    "reveal": "2026-07-23T15:10:00+08:00",
    "deadline": "2026-07-23T15:30:00+08:00",
    "default": "2026-07-23T15:40:00+08:00",
    "beacon": "2026-07-23T15:40:00+08:00",
    "lottery drawn": "2026-07-23T21:15:00+08:00",
    "draw at": "2026-07-24T09:30:00+08:00",
    "draw": "2026-07-24T09:35:00+08:00",
    "later": "2026-07-24T10:00:00+08:00",
}
DRAW_AT = DAY["draw at"]
REVEAL_DEADLINE = DAY["deadline"]

PARTIES = ("bureau", "notary", "parent-rep-1", "parent-rep-2")
REVEALING = PARTIES[:3]  # parent-rep-2 never reveals: its fallback source is used
LOTTERY = "welfare-3d"
LOTTERY_VALUE = "381"
BEACON = "drand-30662982"
#: The real published signature of drand quicknet round 30662982 (tests/vectors/drand.json).
BEACON_VALUE = (
    "8b3edd0d42a2fa36ac15641a2dea2e4f4895acec2ef72ef39e5b6138f0346fb6"
    "b046dde1b4b3d09ff5fe8a6a7acd674a"
)
SOURCE_SPEC = (
    f"{LOTTERY} digits count=3 drawn-at={DAY['lottery drawn']} description=福彩3D 2026-07-23"
)
FALLBACK_SPEC = f"{BEACON} drand chain=quicknet round=30662982 description=drand quicknet"

#: Steps of a draw folder, in protocol order (see :func:`build_draw`).
STAGES = ("ready", "committed", "frozen", "announced", "opened", "revealed", "drawn", "signed")

EXIT_OK, EXIT_INPUT, EXIT_VERIFY, EXIT_INTERNAL = 0, 2, 3, 4


# --- running the command line --------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What one ``alloc`` invocation did."""

    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err

    def json(self) -> Any:
        """stdout as JSON (the whole of it must parse)."""
        return json.loads(self.out)

    def __str__(self) -> str:
        command = " ".join(self.argv)
        return f"alloc {command} -> {self.code}\n--- stdout\n{self.out}--- stderr\n{self.err}"


def step_time(args: Sequence[str]) -> str:
    """The time a command runs at on the draw day :data:`DAY` unless a test says otherwise."""
    words = [a for a in args if not a.startswith("--")][:2]
    step = words[1] if words[:1] == ["ceremony"] and len(words) > 1 else words[0] if words else ""
    if step == "source":
        return DAY["draw at"]  # after both the beacon round and the lottery drawing
    return DAY.get(step, DAY["later"])


def call(*argv: object, at: str | None = None) -> Run:
    """``alloc ARGV...`` in this process at ``at`` (default :func:`step_time`), output captured."""
    args = tuple(str(a) for a in argv)
    moment = clock.parse_time(at or step_time(args), field="test clock").astimezone(UTC)
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(clock, "now", return_value=moment),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(list(args))
    return Run(args, code, out.getvalue(), err.getvalue())


def ok(*argv: object, at: str | None = None) -> Run:
    """:func:`call`, asserting exit code 0."""
    run = call(*argv, at=at)
    assert run.code == EXIT_OK, str(run)
    return run


_ok = ok


def freeze_argv(folder: Path, applicants: Path, *extra: object) -> tuple[object, ...]:
    """``alloc freeze`` with the test window (the list is frozen when the command runs)."""
    return (
        "freeze", "--dir", folder, "--applicants", applicants,
        "--reveal-deadline", REVEAL_DEADLINE, "--draw-at", DRAW_AT, *extra,
    )  # fmt: skip


def libfaketime() -> str:
    """The path of libfaketime, or skip the test (fail where ALLOC_REQUIRE_FAKETIME=1)."""
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))
    if found:
        return found[0]
    message = (
        "runs alloc as a real process at stated times, which needs libfaketime:"
        " apt-get install faketime"
    )
    if os.environ.get("ALLOC_REQUIRE_FAKETIME") == "1":
        pytest.fail(message)
    pytest.skip(message)


def faketime_environment(at: str) -> dict[str, str]:
    """Environment variables that make a process's clock start at ``at``."""
    moment = clock.parse_time(at, field="test clock").astimezone(UTC)
    return {
        "TZ": "UTC",
        "FAKETIME": f"@{moment:%Y-%m-%d %H:%M:%S}",
        "LD_PRELOAD": libfaketime(),
    }


def run_process(*argv: object, cwd: Path, timeout: float = 120, at: str | None = None) -> Run:
    """``python -m alloc ARGV...`` as a real process in ``cwd``, at ``at`` (:func:`step_time`)."""
    args = tuple(str(a) for a in argv)
    environment = dict(os.environ)
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(faketime_environment(at or step_time(args)))
    done = subprocess.run(
        [sys.executable, "-m", "alloc", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )
    return Run(args, done.returncode, done.stdout, done.stderr)


# --- small spreadsheets ----------------------------------------------------------------

_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def resident_id(region: str, birth: str, sequence: int) -> str:
    """An 18-character GB 11643 number with a correct check character."""
    body = f"{region}{birth}{sequence:03d}"
    assert len(body) == 17
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def wrong_check_character(number: str) -> str:
    """The same number with a check character that no longer matches."""
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


SMALL_KINDERGARTENS = (
    ("幼儿园编号", "幼儿园名称", "学位数", "预留学位"),
    ("K01", "阳光幼儿园", "3", "owners=1@owner"),
    ("K02", "星星幼儿园", "2", ""),
    ("K03", "月亮幼儿园", "2", ""),
)

APPLICANT_HEADER = (
    "报名编号",
    "幼儿姓名",
    "证件类型",
    "身份证号",
    "第一志愿",
    "第二志愿",
    "类别",
    "多胞胎编号",
    "优先条件",
    "回执校验码",
)

_NAMES = (
    "欧阳晨曦",
    "司马若涵",
    "诸葛明轩",
    "上官婉清",
    "东方宇航",
    "慕容雪瑶",
    "令狐子墨",
    "皇甫嘉懿",
    "端木梓萱",
    "公孙浩然",
    "独孤雨桐",
    "南宫逸飞",
)


def small_applicants() -> list[tuple[str, ...]]:
    """Twelve children for seven seats: a real lottery, twins, an owner, two tiers.

    The names are four characters and the numbers unique, so a privacy scan
    finding one can only mean a leak.
    """
    rows = []
    for i, name in enumerate(_NAMES):
        number = resident_id("440105", f"2022{(i % 9) + 1:02d}1{i % 10}", 100 + 7 * i)
        choices = [("K01", "K02"), ("K02", "K03"), ("K03", "K01")][i % 3]
        group = ""
        if i in (4, 5):  # twins with the same choices
            choices, group = ("K02", "K01"), "G01"
        facts = "owner@K01" if i == 6 else ""
        tier = "local" if i % 4 else "other"
        salt = format_salt(bytes([i + 1]) * 16)
        rows.append(
            (
                f"2026-{i + 1:04d}",
                name,
                "居民身份证",
                number,
                *choices,
                tier,
                group,
                facts,
                salt,
            )
        )
    return rows


def write_csv(
    path: Path,
    rows: Iterable[Sequence[str]],
    *,
    encoding: str = "utf-8-sig",
) -> Path:
    """Write a CSV the way Excel and registration systems do (CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_small_inputs(directory: Path, rows: Sequence[Sequence[str]] | None = None) -> None:
    """kindergartens.csv and applicants.csv of the small district in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(directory / "kindergartens.csv", SMALL_KINDERGARTENS)
    write_csv(
        directory / "applicants.csv",
        [APPLICANT_HEADER, *(rows if rows is not None else small_applicants())],
    )


# --- keys and party secrets, made once --------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """Keys (bureau, notary-1 and a stranger not in trust.json) and party secrets.

    ``trust`` is the notary's own trust file, made from the keys she saw
    generated and kept apart from every draw folder: verifications pin it.
    """

    root: Path

    def key(self, name: str) -> Path:
        return self.root / "keys" / f"{name}.key"

    def pub(self, name: str) -> Path:
        return self.root / "keys" / f"{name}.pub"

    @property
    def trust(self) -> Path:
        return self.root / "notary-trust.json"

    @property
    def pin(self) -> tuple[str, str]:
        """``--trust`` with the notary's own trust file, for verify and proof check."""
        return ("--trust", str(self.trust))

    def secret(self, party: str, draw_id: str) -> Path:
        return self.root / "secrets" / draw_id / f"{party}.secret"


def make_credentials(root: Path, draw_ids: Sequence[str]) -> Credentials:
    creds = Credentials(root)
    (root / "secrets").mkdir(parents=True, exist_ok=True)
    for name in ("bureau", "notary-1", "stranger"):
        ok("keys", "generate", name, "--out", root / "keys")
    ok(
        "policy", "create", "--role", f"bureau={creds.pub('bureau')}",
        "--role", f"notary={creds.pub('notary-1')}", "--out", creds.trust,
    )  # fmt: skip
    for draw_id in draw_ids:
        (root / "secrets" / draw_id).mkdir()
        for party in PARTIES:
            ok(
                "ceremony",
                "secret",
                "--party",
                party,
                "--draw-id",
                draw_id,
                "--out",
                creds.secret(party, draw_id),
            )
    return creds


# --- a whole draw, step by step ------------------------------------------------------------


def build_draw(
    folder: Path,
    creds: Credentials,
    *,
    kindergartens: Path,
    applicants: Path,
    draw_id: str,
    min_lottery_percent: int = 90,
    until: str = "signed",
    snapshots: dict[str, Path] | None = None,
    options: Sequence[str] = (),
) -> dict[str, Run]:
    """Run the operator's protocol in ``folder`` up to and including stage ``until``.

    With ``snapshots``, a copy of the folder after each stage is kept at
    ``snapshots[stage]`` (which must not exist yet). ``options`` (``--json``)
    go before every command.
    """
    folder.mkdir(parents=True, exist_ok=True)
    runs: dict[str, Run] = {}
    last = STAGES.index(until)

    def ok(*argv: object, at: str | None = None) -> Run:
        return _ok(*options, *argv, at=at)

    def done(stage: str) -> bool:
        if snapshots is not None and stage in snapshots:
            shutil.copytree(folder, snapshots[stage])
        return STAGES.index(stage) >= last

    runs["policy"] = ok(
        "policy",
        "create",
        "--role",
        f"bureau={creds.pub('bureau')}",
        "--role",
        f"notary={creds.pub('notary-1')}",
        "--out",
        folder / "trust.json",
    )
    runs["rules"] = ok(
        "rules",
        "init",
        "--kindergartens",
        kindergartens,
        "--draw-id",
        draw_id,
        "--tiers",
        "policy-care,local,other",
        "--multiples",
        "bundle",
        "--waitlist",
        "20",
        "--min-lottery-percent",
        min_lottery_percent,
        "--owners-phase",
        "--out",
        folder / "rules.json",
    )
    runs["begin"] = ok(
        "ceremony", "begin", "--dir", folder, "--source", SOURCE_SPEC, "--fallback", FALLBACK_SPEC
    )
    if done("ready"):
        return runs
    for party in PARTIES:
        runs[f"commit {party}"] = ok(
            "ceremony",
            "commit",
            "--dir",
            folder,
            "--party",
            party,
            "--secret",
            creds.secret(party, draw_id),
            "--fallback",
            BEACON,
        )
    if done("committed"):
        return runs
    runs["freeze"] = ok(*freeze_argv(folder, applicants))
    if done("frozen"):
        return runs
    for key in ("bureau", "notary-1"):
        runs[f"sign announcement {key}"] = ok(
            "sign", folder / "public" / "announcement.json", "--key", creds.key(key), "--yes"
        )
    if done("announced"):
        return runs
    runs["open"] = ok("ceremony", "open", "--dir", folder)
    if done("opened"):
        return runs
    for party in REVEALING:
        runs[f"reveal {party}"] = ok(
            "ceremony",
            "reveal",
            "--dir",
            folder,
            "--party",
            party,
            "--secret",
            creds.secret(party, draw_id),
        )
    runs["default"] = ok("ceremony", "default", "--dir", folder, "--party", PARTIES[3])
    runs["beacon"] = ok(
        "ceremony", "source", "--dir", folder, "--name", BEACON, "--value", BEACON_VALUE,
        at=DAY["beacon"],
    )  # fmt: skip
    runs["lottery"] = ok(
        "ceremony", "source", "--dir", folder, "--name", LOTTERY, "--value", LOTTERY_VALUE
    )
    runs["seed"] = ok("ceremony", "seed", "--dir", folder)
    if done("revealed"):
        return runs
    runs["draw"] = ok("draw", "--dir", folder)
    if done("drawn"):
        return runs
    for key in ("bureau", "notary-1"):
        runs[f"sign transcript {key}"] = ok(
            "sign", folder / "public" / "transcript.json", "--key", creds.key(key), "--yes"
        )
    done("signed")
    return runs


def resign(document: Path, *keys: Path) -> None:
    """Drop every signature from a signed file, then sign it with ``keys`` (no checks:
    this is someone holding the keys and signing whatever they like)."""
    envelope = Envelope.from_bytes(document.read_bytes())
    envelope = dataclasses.replace(envelope, signatures=())
    for key in keys:
        envelope = envelope.sign(SigningKey.from_pem(key.read_bytes()))
    document.write_bytes(envelope.to_bytes())


def add_signature(document: Path, key: Path) -> None:
    """Add ``key``'s signature without ``alloc sign``, which refuses a key of no role."""
    envelope = Envelope.from_bytes(document.read_bytes())
    document.write_bytes(envelope.sign(SigningKey.from_pem(key.read_bytes())).to_bytes())


def folder_state(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes, to show a command changed nothing."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def edit_line(path: Path, index: int, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Change the JSON object on line ``index`` of a line-per-child file, canonically."""
    lines = path.read_bytes().split(b"\n")[:-1]
    item = json.loads(lines[index])
    change(item)
    lines[index] = canonical_json(item)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return item


# --- privacy scans ---------------------------------------------------------------------------

_HAN_RUN = re.compile("[\u00b7\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
_DOCUMENT_NUMBER = re.compile("(?=([0-9]{17}[0-9Xx]))")
_SALT = re.compile("[A-Z2-7]{4}(?:-[A-Z2-7]{4}){5}-[A-Z2-7]{2}")


def registry_people(folder: Path) -> list[dict[str, Any]]:
    """The private registrations of a frozen draw folder."""
    data = json.loads((folder / "private" / "registry.json").read_bytes())
    people: list[dict[str, Any]] = data["registrations"]
    return people


def file_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of a file; an .xlsx (a zip) gives each member of the archive."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                text = archive.read(member).decode("utf-8", "replace")
                yield f"{path}!{member}", html.unescape(text)
        return
    data = path.read_bytes()
    for encoding in ("utf-8", "gb18030"):
        try:
            yield str(path), html.unescape(data.decode(encoding))
            return
        except UnicodeDecodeError:
            continue
    yield str(path), data.decode("latin-1")


def personal_data_in(paths: Iterable[Path], people: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every place a registered name, full document number or receipt salt appears.

    Names are matched inside every run of ideographs (so a name inside a
    longer text is found), document numbers at every offset of every digit
    run, in either case of a final X.
    """
    names = {p["name"] for p in people}
    numbers = {p["document_number"].upper() for p in people}
    salts = {p["salt"] for p in people}
    han_names = {n for n in names if _HAN_RUN.fullmatch(n)}
    other_names = names - han_names
    lengths = sorted({len(n) for n in han_names})
    found = []
    for path in paths:
        for where, text in file_texts(path):
            for run in _HAN_RUN.finditer(text):
                chars = run.group()
                for length in lengths:
                    for start in range(len(chars) - length + 1):
                        if chars[start : start + length] in han_names:
                            found.append(f"{where}: name {chars[start : start + length]}")
            found += [f"{where}: name {n}" for n in other_names if n in text]
            for match in _DOCUMENT_NUMBER.finditer(text):
                if match.group(1).upper() in numbers:
                    found.append(f"{where}: document number {match.group(1)}")
            found += [f"{where}: salt {m}" for m in _SALT.findall(text) if m in salts]
    return found

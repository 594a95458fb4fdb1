"""The operator log on a real draw day: every command's entry, signed by the transcript."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_VERIFY,
    PARTIES,
    REVEALING,
    SMALL_DRAW_ID,
    Credentials,
    build_draw,
    call,
    folder_state,
    make_credentials,
    ok,
    personal_data_in,
    registry_people,
    write_small_inputs,
)

from alloc import cli, storage
from alloc.canonical import canonical_json
from alloc.oplog import LOG_NAME, FileDigest, parse_log


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory) -> Credentials:
    return make_credentials(tmp_path_factory.mktemp("credentials"), [SMALL_DRAW_ID])


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory, creds: Credentials) -> Path:
    """The small district drawn, signed and published, its folder kept as it is."""
    root = tmp_path_factory.mktemp("logged")
    write_small_inputs(root / "inputs")
    folder = root / "draw"
    build_draw(
        folder,
        creds,
        kindergartens=root / "inputs" / "kindergartens.csv",
        applicants=root / "inputs" / "applicants.csv",
        draw_id=SMALL_DRAW_ID,
        min_lottery_percent=50,
    )
    ok("publish", "--dir", folder)
    ok("proof", "make", "--dir", folder, "--registration-number", "2026-0001",
       "--out", folder / "publish" / "proof-2026-0001.json")  # fmt: skip
    return folder


@pytest.fixture
def copy(drawn: Path, tmp_path: Path) -> Path:
    target = tmp_path / "draw"
    shutil.copytree(drawn, target)
    return target


def _verify(folder: Path, creds: Credentials, *extra: object) -> tuple[int, str]:
    run = call("verify", "--dir", folder, *creds.pin, *extra)
    return run.code, run.out


def _transcript_log(folder: Path) -> dict[str, object]:
    signed = json.loads((folder / "public" / "transcript.json").read_bytes())["signed"]
    log: dict[str, object] = signed["log"]
    return log


def test_every_command_of_the_day_is_logged_in_order(drawn: Path) -> None:
    log = parse_log((drawn / LOG_NAME).read_bytes())
    commands = [e.command for e in log.entries]
    # policy create came before the folder had rules; keys, secrets and `ceremony
    # seed` (which writes nothing) are not in a draw folder's log.
    assert commands == [
        "alloc rules init",
        "alloc ceremony begin",
        *["alloc ceremony commit"] * len(PARTIES),
        "alloc freeze",
        *["alloc sign"] * 2,
        "alloc ceremony open",
        *["alloc ceremony reveal"] * len(REVEALING),
        "alloc ceremony default",
        *["alloc ceremony source"] * 2,
        "alloc draw",
        *["alloc sign"] * 2,
        "alloc publish",
        "alloc proof make",
    ]
    assert {e.draw_id for e in log.entries} == {SMALL_DRAW_ID}
    times = [e.at for e in log.entries]
    assert times[0].endswith("+08:00")  # the rules' time zone, Asia/Shanghai


def test_the_transcript_signs_the_log_up_to_the_draw(drawn: Path, creds: Credentials) -> None:
    log = parse_log((drawn / LOG_NAME).read_bytes())
    draw_at = [e.command for e in log.entries].index("alloc draw")
    assert _transcript_log(drawn) == log.head_at(draw_at).to_json()
    code, out = _verify(drawn, creds)
    assert code == EXIT_OK, out
    assert f"PASS  operator log: {len(log.entries)} entries chained; the first {draw_at}" in out
    shown = call("log", "verify", "--log", drawn / LOG_NAME,
                 "--transcript", drawn / "public" / "transcript.json", *creds.pin)  # fmt: skip
    assert shown.code == EXIT_OK, str(shown)
    assert "── the signed transcript commits to the entries above ──" in shown.out
    assert f"{draw_at + 1:>4}  " in shown.out.split("──")[-1]  # the draw comes after the line


def test_each_entry_holds_the_sha256_of_every_file_its_command_wrote(drawn: Path) -> None:
    log = parse_log((drawn / LOG_NAME).read_bytes())
    last: dict[str, bytes | None] = {}
    for entry in log.entries:
        for written in entry.wrote:
            last[written.path] = written.sha256
    assert "public/transcript.json" in last
    assert "publish/proof-2026-0001.json" in last
    # The proof files' folder, replaced whole, is one item: the digest of its listing.
    assert "publish/proofs" in last
    for path, digest in last.items():
        if (drawn / path).is_dir():
            assert storage.folder_digest(drawn / path) == (digest or b"").hex(), path
        else:
            assert hashlib.sha256((drawn / path).read_bytes()).digest() == digest, path
    draw = next(e for e in log.entries if e.command == "alloc draw")
    assert [f.path for f in draw.wrote] == ["public/results.jsonl", "public/transcript.json"]
    freeze = next(e for e in log.entries if e.command == "alloc freeze")
    export = freeze.options["--applicants"]
    assert isinstance(export, FileDigest)
    source = drawn.parent / "inputs" / "applicants.csv"
    assert export == FileDigest("applicants.csv", hashlib.sha256(source.read_bytes()).digest())


def test_the_log_holds_no_personal_data_and_no_secret(drawn: Path, creds: Credentials) -> None:
    log = drawn / LOG_NAME
    assert personal_data_in([log], registry_people(drawn)) == []
    secrets = {creds.secret(p, SMALL_DRAW_ID).read_text().strip() for p in PARTIES}
    text = log.read_text(encoding="utf-8")
    assert not any(secret in text for secret in secrets)
    reveal = next(e for e in parse_log(log.read_bytes()).entries if "reveal" in e.command)
    assert reveal.options["--secret"] == FileDigest(f"{PARTIES[0]}.secret", None)
    sign = next(e for e in parse_log(log.read_bytes()).entries if e.command == "alloc sign")
    assert sign.options["--key"] == FileDigest("bureau.key", None)  # outside: its name only


def test_options_that_could_be_personal_are_recorded_only_as_given(tmp_path: Path) -> None:
    args = argparse.Namespace(
        run=cli.cmd_lookup,
        id="440105202201010011",
        name="欧阳晨曦",
        salt="AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4",
        something_new="whatever a later option holds",
        registration_number="2026-0001",
        dir=str(tmp_path),
    )
    options = cli._log_options(args, tmp_path)
    assert options == {
        "--id": None,
        "--name": None,
        "--salt": None,
        "--something-new": None,
        "--registration-number": "2026-0001",
    }


def _options(parser: argparse.ArgumentParser, path: str = "alloc") -> list[tuple[str, str]]:
    """(command, option dest) of every option of every command, sub-commands included."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _options(sub, f"{path} {name}")
        elif action.dest not in (argparse.SUPPRESS, "help", "version"):
            found.append((path, action.dest))
    return found


def test_every_option_of_every_command_says_how_the_log_records_it() -> None:
    """A new option is recorded as given, or as a file, only once someone said what it holds;
    each is in exactly one of the log's lists (spec 9.6)."""
    lists = {
        "skipped": cli._LOG_SKIP,
        "public": cli._LOG_PUBLIC,
        "files": cli._LOG_FILES,
        "file names": cli._LOG_FILE_NAMES,
        "paths": cli._LOG_PATHS,
        "withheld": cli._LOG_WITHHELD,
    }
    for name, one in lists.items():
        for other, two in lists.items():
            assert name == other or not one & two, (name, other, one & two)
    known = frozenset().union(*lists.values())
    unlisted = [(command, dest) for command, dest in _options(cli._parser()) if dest not in known]
    assert unlisted == []
    # Among them the options of the later rounds and of the notary's checks.
    assert {"round", "expect_round", "unanswered", "round_seed"} <= cli._LOG_PUBLIC
    assert {"responses", "choices"} <= cli._LOG_FILES
    assert {"remember", "certificate", "published", "rounds"} <= cli._LOG_PATHS


def test_a_verification_that_writes_in_the_folder_is_logged(copy: Path, creds: Credentials) -> None:
    before = parse_log((copy / LOG_NAME).read_bytes()).entries
    run = call("verify", "--dir", copy, *creds.pin, "--published", copy / "publish",
               "--remember", copy / "rounds-seen.json",
               "--certificate", copy / "certificate.html")  # fmt: skip
    assert run.code == EXIT_OK, str(run)
    entries = parse_log((copy / LOG_NAME).read_bytes()).entries
    assert entries[: len(before)] == before
    (entry,) = entries[len(before) :]
    assert entry.command == "alloc verify"
    assert [f.path for f in entry.wrote] == ["certificate.html", "rounds-seen.json"]
    assert (
        entry.wrote[1].sha256 == hashlib.sha256((copy / "rounds-seen.json").read_bytes()).digest()
    )
    assert entry.options["--remember"] == "rounds-seen.json"
    # Checking the lists too keeps what the chain verified: round 1 is remembered.
    assert list(json.loads((copy / "rounds-seen.json").read_text())["rounds"]) == ["1"]
    assert entry.options["--certificate"] == "certificate.html"
    assert entry.options["--published"] == "publish"
    # The notary's own trust file lies outside the folder: its name and digest only.
    trust = creds.trust
    assert entry.options["--trust"] == FileDigest(trust.name, hashlib.sha256(
        trust.read_bytes()).digest())  # fmt: skip


@pytest.mark.parametrize(
    ("tamper", "caught"),
    [("edit", "line 8: the entry does not name the hash of the entry before it"),
     ("drop", "line 7: the entry is numbered 8"),
     ("swap", "line 6: the entry is numbered 7")],
)  # fmt: skip
def test_an_edited_dropped_or_reordered_entry_fails_verification(
    copy: Path, creds: Credentials, tamper: str, caught: str
) -> None:
    path = copy / LOG_NAME
    lines = path.read_bytes().split(b"\n")[:-1]
    if tamper == "edit":  # line 7, the freeze: which export was frozen is changed
        entry = json.loads(lines[6])
        entry["options"]["--applicants"]["sha256"] = "00" * 32
        lines[6] = canonical_json(entry)
    elif tamper == "drop":
        del lines[6]
    else:
        lines[5], lines[6] = lines[6], lines[5]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    code, out = _verify(copy, creds)
    assert code == EXIT_VERIFY, out
    failed = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1, out
    assert failed[0].startswith(f"FAIL  operator log: {path.name}, {caught}")
    shown = call("log", "verify", "--log", path,
                 "--transcript", copy / "public" / "transcript.json", *creds.pin)  # fmt: skip
    assert shown.code == EXIT_VERIFY, str(shown)


def test_a_log_cut_before_the_draw_fails_verification(copy: Path, creds: Credentials) -> None:
    path = copy / LOG_NAME
    lines = path.read_bytes().split(b"\n")[:-1]
    path.write_bytes(b"".join(line + b"\n" for line in lines[:5]))
    code, out = _verify(copy, creds)
    assert code == EXIT_VERIFY
    assert "entries were removed" in out


def test_a_damaged_log_stops_the_next_command_and_changes_nothing(copy: Path) -> None:
    path = copy / LOG_NAME
    lines = path.read_bytes().split(b"\n")[:-1]
    del lines[3]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    before = folder_state(copy)
    run = call("publish", "--dir", copy, "--force")
    assert run.code == EXIT_VERIFY, str(run)
    assert "appends to an operator log only while its chain is intact" in run.err
    assert folder_state(copy) == before


def test_a_failed_command_adds_no_entry(copy: Path, tmp_path: Path) -> None:
    before = folder_state(copy)
    missing = tmp_path / "missing.csv"
    run = call("report", "--dir", copy, "--out", copy / "report", "--trust", missing)
    assert run.code == EXIT_INPUT, str(run)
    assert folder_state(copy) == before


def test_a_redraw_shows_in_the_transcript_it_makes(copy: Path, creds: Credentials) -> None:
    first = _transcript_log(copy)
    ok("draw", "--dir", copy, "--force", "--replace-signed")
    log = parse_log((copy / LOG_NAME).read_bytes())
    draws = [i for i, e in enumerate(log.entries) if e.command == "alloc draw"]
    assert len(draws) == 2
    second = _transcript_log(copy)
    assert second["count"] == draws[1]  # the first draw and what followed it are signed
    assert second["count"] > first["count"]  # type: ignore[operator]
    replaced = log.entries[draws[1]].wrote
    assert any(f.path.startswith("public/transcript.replaced-") for f in replaced)


def test_a_transcript_made_without_a_log_is_no_proof_of_one(tmp_path: Path) -> None:
    ok("demo", "--applicants", 300, "--kindergartens", 5, "--out", tmp_path / "demo")
    assert not (tmp_path / "demo" / LOG_NAME).exists()  # the demo is no draw day
    (tmp_path / "log.jsonl").write_bytes(b"")
    pins = [
        a
        for role, name in (("bureau", "bureau"), ("notary", "notary-1"))
        for a in ("--expect", f"{role}={_fingerprint(tmp_path / 'demo' / 'keys' / name)}")
    ]
    run = call("verify", "--dir", tmp_path / "demo", "--log", tmp_path / "log.jsonl", *pins)
    assert run.code == EXIT_VERIFY, str(run)
    assert "FAIL  operator log: the transcript commits to no operator log" in run.out


def _fingerprint(stem: Path) -> str:
    run = call("keys", "fingerprint", "--digits", f"{stem}.pub")
    return run.out.strip()

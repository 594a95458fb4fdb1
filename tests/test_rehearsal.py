"""alloc rehearse: a whole draw day on a throw-away seed, never taken for the real draw."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cli_helpers import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_VERIFY,
    PARTIES,
    SMALL_DRAW_ID,
    Credentials,
    Run,
    build_draw,
    call,
    folder_state,
    make_credentials,
    registry_people,
    resign,
    small_applicants,
    write_csv,
    write_small_inputs,
)

from alloc import cli, clock
from alloc import io as files
from alloc.audit import Announcement, Transcript, check_transcript
from alloc.canonical import canonical_json
from alloc.identity import format_salt, parse_salt
from alloc.oplog import LOG_NAME, parse_log
from alloc.rehearsal import BANNER, DRAW_ID_PREFIX, TITLE_MARK, Marker
from alloc.signing import Envelope, PublicKey, SigningKey, TrustPolicy

MARK = "【演练 REHEARSAL】"
REHEARSAL_ID = DRAW_ID_PREFIX + SMALL_DRAW_ID
#: The rehearsal runs days before the real draw day of cli_helpers.DAY.
START = datetime(2026, 7, 20, 10, 0, tzinfo=UTC)


class FakeClock:
    """A clock that only moves when alloc sleeps (a rehearsal waits for its own times)."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.moment += timedelta(seconds=max(seconds, 0.001))


def rehearse(*argv: object, start: datetime = START) -> Run:
    """``alloc rehearse ARGV...`` in this process, its clock moving as it waits."""
    args = tuple(str(a) for a in ("rehearse", *argv))
    fake = FakeClock(start)
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(clock, "now", fake.now),
        mock.patch.object(cli.time, "sleep", fake.sleep),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = cli.main(list(args))
    return Run(args, code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class Rehearsed:
    real: Path
    folder: Path
    inputs: Path
    before: dict[str, bytes]
    run: Run


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory) -> Credentials:
    return make_credentials(tmp_path_factory.mktemp("credentials"), [SMALL_DRAW_ID])


def _real_folder(root: Path, creds: Credentials) -> Path:
    """The real draw folder days before the draw: rules, trust and the committed plan."""
    write_small_inputs(root / "inputs")
    real = root / "real"
    build_draw(
        real,
        creds,
        kindergartens=root / "inputs" / "kindergartens.csv",
        applicants=root / "inputs" / "applicants.csv",
        draw_id=SMALL_DRAW_ID,
        min_lottery_percent=50,
        until="committed",
    )
    return real


@pytest.fixture(scope="module")
def rehearsed(tmp_path_factory: pytest.TempPathFactory, creds: Credentials) -> Rehearsed:
    root = tmp_path_factory.mktemp("rehearsal")
    real = _real_folder(root, creds)
    before = folder_state(real)
    folder = root / "rehearsal"
    run = rehearse("--dir", real, "--applicants", root / "inputs" / "applicants.csv",
                   "--out", folder, "--default", PARTIES[3])  # fmt: skip
    return Rehearsed(real, folder, root / "inputs", before, run)


def _pins(folder: Path) -> list[str]:
    pins = []
    for role in ("bureau", "notary"):
        key = PublicKey.from_pem((folder / "keys" / f"rehearsal-{role}.pub").read_bytes())
        pins += ["--expect", f"{role}={key.fingerprint}"]
    return pins


def _signed(path: Path) -> dict[str, Any]:
    signed: dict[str, Any] = json.loads(path.read_bytes())["signed"]
    return signed


# --- the day runs, in its own folder, marked everywhere ----------------------------------------


def test_a_rehearsal_runs_the_whole_day(rehearsed: Rehearsed) -> None:
    run = rehearsed.run
    assert run.code == EXIT_OK, str(run)
    commands = re.findall(r"\$ alloc (\w+(?: \w+)?)", run.out)
    for step in ("freeze", "sign", "ceremony open", "ceremony reveal", "ceremony default",
                 "ceremony source", "ceremony seed", "draw", "publish", "verify"):  # fmt: skip
        assert step in commands, step
    assert "verification passed — 演练 REHEARSAL" in run.out
    folder = rehearsed.folder
    for path in ("public/announcement.json", "public/transcript.json", "publish/report/index.html",
                 "private/registry.json", "publish/notice/notice-K01.csv"):  # fmt: skip
        assert (folder / path).is_file(), path


def test_every_printed_line_is_marked(rehearsed: Rehearsed) -> None:
    lines = [line for line in (rehearsed.run.out + rehearsed.run.err).splitlines() if line]
    assert len(lines) > 50
    assert [line for line in lines if not line.startswith(MARK)] == []


def test_the_real_folder_is_only_read(rehearsed: Rehearsed) -> None:
    assert folder_state(rehearsed.real) == rehearsed.before
    assert not any(p.name.startswith(".alloc") for p in rehearsed.real.rglob("*"))


def test_the_signed_documents_carry_the_mark(rehearsed: Rehearsed) -> None:
    public = rehearsed.folder / "public"
    announcement, transcript = (
        _signed(public / n) for n in ("announcement.json", "transcript.json")
    )
    assert announcement["rehearsal"] is True
    assert transcript["rehearsal"] is True
    assert announcement["draw_id"] == transcript["draw_id"] == REHEARSAL_ID
    assert announcement["title"].startswith(TITLE_MARK)
    assert Marker.from_bytes((rehearsed.folder / "rehearsal.json").read_bytes()).of == SMALL_DRAW_ID


def test_verify_refuses_a_rehearsal_as_a_real_draw(rehearsed: Rehearsed) -> None:
    run = call("verify", "--dir", rehearsed.folder, *_pins(rehearsed.folder))
    assert run.code == EXIT_VERIFY, str(run)
    failed = [line for line in run.out.splitlines() if " FAIL  " in line]
    assert len(failed) == 1, run.out
    assert failed[0].startswith(f"{MARK} FAIL  rehearsal mark: 演练 REHEARSAL")
    assert "marked rehearsal: true" in failed[0]
    assert "--rehearsal" in failed[0]
    assert run.out.splitlines()[-1].endswith(
        "verification FAILED — 演练 REHEARSAL: a rehearsal, never a real draw"
    )
    as_json = call("--json", "verify", "--dir", rehearsed.folder, *_pins(rehearsed.folder))
    assert as_json.json()["ok"] is False
    assert as_json.json()["rehearsal"] is True


def test_verify_checks_a_rehearsal_as_one_when_asked(rehearsed: Rehearsed) -> None:
    run = call("verify", "--dir", rehearsed.folder, "--rehearsal", *_pins(rehearsed.folder))
    assert run.code == EXIT_OK, str(run)
    assert f"{MARK} PASS  rehearsal mark" in run.out
    assert f"{MARK} PASS  operator log" in run.out


def test_a_real_draw_is_not_a_rehearsal(tmp_path: Path, creds: Credentials) -> None:
    write_small_inputs(tmp_path / "inputs")
    build_draw(tmp_path / "draw", creds, kindergartens=tmp_path / "inputs" / "kindergartens.csv",
               applicants=tmp_path / "inputs" / "applicants.csv", draw_id=SMALL_DRAW_ID,
               min_lottery_percent=50)  # fmt: skip
    run = call("verify", "--dir", tmp_path / "draw", "--rehearsal", *creds.pin)
    assert run.code == EXIT_VERIFY
    assert "FAIL  rehearsal mark: checked as a rehearsal, but" in run.out
    assert MARK not in run.out


def test_the_mark_cannot_be_stripped_without_breaking_the_signatures(
    rehearsed: Rehearsed, tmp_path: Path
) -> None:
    folder = tmp_path / "stripped"
    shutil.copytree(rehearsed.folder, folder)
    for name in ("announcement.json", "transcript.json"):
        path = folder / "public" / name
        envelope = json.loads(path.read_bytes())
        envelope["signed"]["rehearsal"] = False
        path.write_bytes(canonical_json(envelope) + b"\n")
    run = call("verify", "--dir", folder, *_pins(folder))
    assert run.code == EXIT_VERIFY
    assert "FAIL  announcement signatures" in run.out
    assert "FAIL  transcript signatures" in run.out


def test_no_real_key_secret_or_salt_is_used(rehearsed: Rehearsed, creds: Credentials) -> None:
    real_keys = {
        PublicKey.from_pem(creds.pub(name).read_bytes()).keyid for name in ("bureau", "notary-1")
    }
    for name in ("announcement.json", "transcript.json"):
        envelope = Envelope.from_bytes((rehearsed.folder / "public" / name).read_bytes())
        assert {s.keyid for s in envelope.signatures}.isdisjoint(real_keys)
    real = json.loads((rehearsed.real / "ceremony.json").read_bytes())
    rehearsal = _signed(rehearsed.folder / "public" / "announcement.json")["seed_plan"]
    assert {p["commitment"] for p in real["parties"]}.isdisjoint(
        p["commitment"] for p in rehearsal["parties"]
    )
    assert [p["name"] for p in rehearsal["parties"]] == sorted(PARTIES)
    export_salts = {row[-1] for row in small_applicants()}
    salts = {p["salt"] for p in registry_people(rehearsed.folder)}
    assert len(salts) == 12
    # Written alike (so comparing them means something), and none the same.
    assert {len(parse_salt(s)) for s in salts | export_salts} == {16}
    assert {format_salt(parse_salt(s)) for s in salts | export_salts} == salts | export_salts
    assert salts.isdisjoint(export_salts)


def test_with_the_real_pins_a_rehearsal_fails_its_signatures(
    rehearsed: Rehearsed, creds: Credentials
) -> None:
    run = call("verify", "--dir", rehearsed.folder, "--rehearsal", *creds.pin)
    assert run.code == EXIT_VERIFY
    assert "FAIL  announcement signatures" in run.out


def test_lists_and_report_show_the_mark(rehearsed: Rehearsed) -> None:
    publish = rehearsed.folder / "publish"
    for path in [*sorted((publish / "notice").iterdir()), publish / "waitlists.csv",
                 rehearsed.folder / "private" / "results.csv"]:  # fmt: skip
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        assert rows[0] == [BANNER], path
    assert TITLE_MARK in (publish / "report" / "index.html").read_text(encoding="utf-8")


def test_the_rehearsal_keeps_the_day_in_order_on_its_own_clock(rehearsed: Rehearsed) -> None:
    announcement = Announcement.from_envelope(
        Envelope.from_bytes((rehearsed.folder / "public" / "announcement.json").read_bytes())
    )
    transcript = Transcript.from_envelope(
        Envelope.from_bytes((rehearsed.folder / "public" / "transcript.json").read_bytes())
    )
    window = announcement.window
    assert START <= window.frozen < window.deadline < window.draw < START + timedelta(minutes=5)
    assert [c.party for c in transcript.ceremony.contributions if c.secret is None] == [PARTIES[3]]
    # Every source, a drand round included, was rehearsed as throw-away digits.
    assert {
        s.kind.value for s in announcement.seed_plan.sources + announcement.seed_plan.fallbacks
    } == {"digits"}
    assert all("throw-away" in s.description for s in announcement.seed_plan.sources)


def test_the_rehearsal_keeps_its_own_operator_log(rehearsed: Rehearsed) -> None:
    log = parse_log((rehearsed.folder / LOG_NAME).read_bytes())
    assert log.entries[0].command == "alloc rehearse"
    assert {e.draw_id for e in log.entries} == {REHEARSAL_ID}
    transcript = _signed(rehearsed.folder / "public" / "transcript.json")
    assert transcript["log"] == log.head_at(transcript["log"]["count"]).to_json()


def test_a_parents_proof_of_a_rehearsal_is_no_proof_of_the_draw(
    rehearsed: Rehearsed, tmp_path: Path
) -> None:
    person = registry_people(rehearsed.folder)[0]
    number = person["registration_number"]
    proof = tmp_path / "proof.json"
    made = call("proof", "make", "--dir", rehearsed.folder, "--registration-number", number,
                "--out", proof)  # fmt: skip
    assert made.code == EXIT_OK, str(made)
    public = rehearsed.folder / "public"
    argv = ["proof", "check", "--proof", proof, "--registration-number", number,
            "--salt", person["salt"], "--id", person["document_number"], "--name", person["name"],
            "--announcement", public / "announcement.json",
            "--transcript", public / "transcript.json", *_pins(rehearsed.folder)]  # fmt: skip
    refused = call(*argv)
    assert refused.code == EXIT_VERIFY
    assert "FAIL  documents: 演练 REHEARSAL: the announcement and the transcript" in refused.out
    assert all(line.startswith(MARK) for line in refused.out.splitlines() if line)
    checked = call(*argv, "--rehearsal")
    assert checked.code == EXIT_OK, str(checked)
    assert all(line.startswith(MARK) for line in checked.out.splitlines() if line)


def test_the_notary_checks_a_rehearsals_lists_and_certifies_it_as_a_rehearsal(
    rehearsed: Rehearsed, tmp_path: Path
) -> None:
    folder = rehearsed.folder
    certificate = tmp_path / "演练核验证明.html"
    run = call("verify", "--dir", folder, "--rehearsal", "--published", folder / "publish",
               "--certificate", certificate, *_pins(folder))  # fmt: skip
    assert run.code == EXIT_OK, str(run)
    assert f"{MARK} PASS  notice lists: " in run.out
    assert f"{MARK} PASS  waitlists: " in run.out
    page = certificate.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page)
    assert title is not None
    assert title[1].startswith("【演练 REHEARSAL】")
    assert "演练核验通过" in page
    assert "not the real draw" in page
    assert page.count("本证明不证明任何正式派位结果") == 2  # the banner and the verdict
    assert f"<code>{folder / LOG_NAME}</code>" in page
    # A rehearsal's list that lost its banner fails, naming the file.
    published = tmp_path / "publish"
    shutil.copytree(folder / "publish", published)
    notice = sorted((published / "notice").iterdir())[0]
    rows = notice.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert rows[0].strip() == BANNER
    notice.write_text("".join(rows[1:]), encoding="utf-8-sig")
    run = call("verify", "--dir", folder, "--rehearsal", "--published", published,
               *_pins(folder))  # fmt: skip
    assert run.code == EXIT_VERIFY, str(run)
    assert f"{MARK} FAIL  notice lists: " in run.out
    assert f"{notice}: title '{BANNER}' is missing above the header" in run.out


@dataclass(frozen=True)
class RehearsedRound:
    folder: Path
    opened: Run
    drawn: Run


def _rehearsal_key(folder: Path, role: str) -> Path:
    return folder / "keys" / f"rehearsal-{role}.key"


@pytest.fixture(scope="module")
def rehearsed_round(
    rehearsed: Rehearsed, tmp_path_factory: pytest.TempPathFactory
) -> RehearsedRound:
    """The rehearsal practises round 2 too: the families answer, the waitlists move up."""
    root = tmp_path_factory.mktemp("rehearsal-round")
    folder = root / "rehearsal"
    shutil.copytree(rehearsed.folder, folder)
    results = [
        json.loads(line) for line in (folder / "public" / "results.jsonl").read_text().splitlines()
    ]
    placed = [r for r in results if r["placed"]]
    rows = [(placed[0]["registration_number"], "放弃", "")]
    rows += [(r["registration_number"], "确认", r["placed"]) for r in placed[1:]]
    answers = write_csv(root / "answers.csv", [("报名编号", "确认结果", "幼儿园编号"), *rows])
    opened = call("round", "open", "--dir", folder, "--responses", answers)
    assert opened.code == EXIT_OK, str(opened)
    public = folder / "public" / "rounds" / "2"

    def sign(document: Path) -> None:
        for role in ("bureau", "notary"):
            signed = call("sign", document, "--key", _rehearsal_key(folder, role), "--yes")
            assert signed.code == EXIT_OK, str(signed)
            assert "kind          演练 REHEARSAL (rehearsal: true)" in signed.out

    sign(public / "announcement.json")
    drawn = call("round", "draw", "--dir", folder)
    assert drawn.code == EXIT_OK, str(drawn)
    sign(public / "transcript.json")
    return RehearsedRound(folder, opened, drawn)


def test_a_later_round_of_a_rehearsal_is_a_rehearsals(rehearsed_round: RehearsedRound) -> None:
    folder = rehearsed_round.folder
    for run in (rehearsed_round.opened, rehearsed_round.drawn):
        assert all(line.startswith(MARK) for line in run.out.splitlines() if line), run.out
    public = folder / "public" / "rounds" / "2"
    announcement = _signed(public / "announcement.json")
    transcript = _signed(public / "transcript.json")
    assert announcement["rehearsal"] is True
    assert transcript["rehearsal"] is True
    log = parse_log((folder / LOG_NAME).read_bytes())
    assert transcript["log"] == log.head_at(transcript["log"]["count"]).to_json()
    assert log.entries[transcript["log"]["count"]].command == "alloc round draw"
    refused = call("verify", "--dir", folder, *_pins(folder))
    assert refused.code == EXIT_VERIFY
    assert f"{MARK} FAIL  rehearsal mark: 演练 REHEARSAL" in refused.out
    checked = call("verify", "--dir", folder, "--rehearsal", *_pins(folder))
    assert checked.code == EXIT_OK, str(checked)
    assert f"{MARK} PASS  round 2: rehearsal mark: 演练 REHEARSAL" in checked.out
    assert f"{MARK} PASS  round 2: operator log" in checked.out
    assert "round 2 (the chain of rounds 1 to 2)" in checked.out


def test_a_rehearsals_round_marked_real_is_refused(
    rehearsed_round: RehearsedRound, tmp_path: Path
) -> None:
    """Round 2's transcript re-signed (with the rehearsal's keys) as a real round."""
    folder = tmp_path / "rehearsal"
    shutil.copytree(rehearsed_round.folder, folder)
    path = folder / "public" / "rounds" / "2" / "transcript.json"
    signed = _signed(path)
    signed["rehearsal"] = False
    path.write_bytes(canonical_json({"signatures": [], "signed": signed}) + b"\n")
    resign(path, _rehearsal_key(folder, "bureau"), _rehearsal_key(folder, "notary"))
    run = call("verify", "--dir", folder, "--rehearsal", *_pins(folder))
    assert run.code == EXIT_VERIFY
    assert (
        "FAIL  round 2: rehearsal mark: round 2's announcement and transcript disagree on the"
        " rehearsal mark"
    ) in run.out
    # Nor does alloc sign it in a rehearsal folder (nor a rehearsal's in a real one).
    path.write_bytes(canonical_json({"signatures": [], "signed": signed}) + b"\n")
    again = call("sign", path, "--key", _rehearsal_key(folder, "bureau"), "--yes")
    assert again.code == EXIT_VERIFY, str(again)
    assert "is a rehearsal folder, but the document is marked rehearsal: false" in again.err


# --- what a rehearsal refuses ---------------------------------------------------------------


@pytest.fixture
def real(tmp_path: Path, creds: Credentials) -> Path:
    return _real_folder(tmp_path, creds)


def test_the_rehearsal_folder_is_never_the_real_one(real: Path, tmp_path: Path) -> None:
    before = folder_state(real)
    applicants = tmp_path / "inputs" / "applicants.csv"
    for out in (real, real / "rehearsal", tmp_path):
        run = rehearse("--dir", real, "--applicants", applicants, "--out", out)
        assert run.code == EXIT_INPUT, str(run)
        assert "must lie outside the real draw folder" in run.err
    assert folder_state(real) == before


def test_only_an_earlier_rehearsal_is_cleared(real: Path, tmp_path: Path) -> None:
    applicants = tmp_path / "inputs" / "applicants.csv"
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    run = rehearse("--dir", real, "--applicants", applicants, "--out", other, "--force")
    assert run.code == EXIT_INPUT
    assert "no rehearsal folder" in run.err
    assert (other / "notes.txt").read_text() == "keep me"
    target = tmp_path / "again"
    assert rehearse("--dir", real, "--applicants", applicants, "--out", target).code == EXIT_OK
    first = (target / "public" / "transcript.json").read_bytes()
    again = rehearse("--dir", real, "--applicants", applicants, "--out", target)
    assert again.code == EXIT_INPUT
    assert "already exists" in again.err
    forced = rehearse("--dir", real, "--applicants", applicants, "--out", target, "--force",
                      start=START + timedelta(hours=1))  # fmt: skip
    assert forced.code == EXIT_OK, str(forced)
    assert (target / "public" / "transcript.json").read_bytes() != first
    assert parse_log((target / LOG_NAME).read_bytes()).entries[0].command == "alloc rehearse"
    nested = rehearse("--dir", target, "--applicants", applicants, "--out", tmp_path / "x")
    assert nested.code == EXIT_INPUT
    assert "rehearse the real draw folder" in nested.err


def test_an_unknown_party_to_default_is_refused_before_anything_is_written(
    real: Path, tmp_path: Path
) -> None:
    target = tmp_path / "never"
    run = rehearse("--dir", real, "--applicants", tmp_path / "inputs" / "applicants.csv",
                   "--out", target, "--default", "nobody")  # fmt: skip
    assert run.code == EXIT_INPUT
    assert "no such party in the seed plan" in run.err
    assert not target.exists()


def test_a_freeze_slower_than_the_reveal_window_says_what_to_do(real: Path, tmp_path: Path) -> None:
    slow = FakeClock(START)

    def sleepy_freeze(args: Any, out: Any) -> int:
        slow.moment += timedelta(minutes=2)
        return original(args, out)

    original = cli.cmd_freeze
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.object(clock, "now", slow.now),
        mock.patch.object(cli.time, "sleep", slow.sleep),
        mock.patch.object(cli, "cmd_freeze", sleepy_freeze),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = cli.main(["rehearse", "--dir", str(real), "--applicants",
                         str(tmp_path / "inputs" / "applicants.csv"), "--out",
                         str(tmp_path / "slow")])  # fmt: skip
    assert code == EXIT_INPUT, out.getvalue() + err.getvalue()
    assert "give a longer --reveal-window" in err.getvalue()


# --- by hand: the folder is prepared, staff type the day ------------------------------------


def test_staff_can_practise_the_day_by_hand(real: Path, tmp_path: Path) -> None:
    target = tmp_path / "by-hand"
    run = rehearse("--dir", real, "--applicants", tmp_path / "inputs" / "applicants.csv",
                   "--out", target, "--by-hand")  # fmt: skip
    assert run.code == EXIT_OK, str(run)
    assert not (target / "public").exists()  # nothing of the day is done for them
    at = clock.format_time(START, like=START)
    typed = []
    for line in run.out.splitlines():
        text = line.removeprefix(MARK).strip()
        if text.startswith("# not before "):
            at = text.removeprefix("# not before ").rstrip(":")
        elif text.startswith("alloc "):
            argv = cli.shlex.split(text)[1:]
            argv = ["381" if part == "VALUE" else part for part in argv]
            typed.append(argv[0])
            result = call(*argv, at=at)
            assert result.code == EXIT_OK, str(result)
    assert typed[0] == "freeze"
    assert typed[-1] == "verify"
    assert "verification passed — 演练 REHEARSAL" in result.out
    assert _signed(target / "public" / "transcript.json")["rehearsal"] is True


# --- the library: the mark as verification reads it ----------------------------------------


def test_check_transcript_reads_the_mark(rehearsed: Rehearsed) -> None:
    public = rehearsed.folder / "public"
    keys = {
        role: SigningKey.from_pem(
            (rehearsed.folder / "keys" / f"rehearsal-{role}.key").read_bytes()
        )
        for role in ("bureau", "notary")
    }
    policy = TrustPolicy.of(bureau=[keys["bureau"].public], notary=[keys["notary"].public])
    arguments: dict[str, Any] = {
        "announcement": (public / "announcement.json").read_bytes(),
        "rules": files.read_rules(public / "rules.json"),
        "records": files.read_lines(public / "records.jsonl"),
        "policy": policy,
    }
    transcript = (public / "transcript.json").read_bytes()
    as_real = check_transcript(transcript, **arguments)
    assert [c.name for c in as_real.failures] == ["rehearsal mark"]
    assert as_real.rehearsal is True
    assert check_transcript(transcript, rehearsal=True, **arguments).ok
    # A transcript that says it is no rehearsal's, of a rehearsal's announcement, signed
    # by whoever holds the keys, is refused too.
    forged = replace(Transcript.from_envelope(Envelope.from_bytes(transcript)), rehearsal=False)
    envelope = forged.envelope().sign(keys["bureau"]).sign(keys["notary"])
    mixed = check_transcript(envelope, rehearsal=True, **arguments)
    assert [c.name for c in mixed.failures] == ["rehearsal mark"]
    assert "the transcript is marked rehearsal: false and its announcement" in str(mixed)


def test_a_folder_with_rules_only_is_rehearsed_with_a_plan_of_its_own(
    tmp_path: Path, creds: Credentials
) -> None:
    """No ceremony yet, and two notaries must sign: the rehearsal follows the policy."""
    write_small_inputs(tmp_path / "inputs")
    real = tmp_path / "real"
    real.mkdir()
    call("rules", "init", "--kindergartens", tmp_path / "inputs" / "kindergartens.csv",
         "--draw-id", SMALL_DRAW_ID, "--tiers", "policy-care,local,other",
         "--out", real / "rules.json")  # fmt: skip
    call("policy", "create", "--role", f"bureau={creds.pub('bureau')}",
         "--role", f"notary={creds.pub('notary-1')},{creds.pub('stranger')}",
         "--threshold", "notary=2", "--out", real / "trust.json")  # fmt: skip
    target = tmp_path / "rehearsal"
    run = rehearse("--dir", real, "--applicants", tmp_path / "inputs" / "applicants.csv",
                   "--out", target)  # fmt: skip
    assert run.code == EXIT_OK, str(run)
    transcript = Envelope.from_bytes((target / "public" / "transcript.json").read_bytes())
    assert len(transcript.signatures) == 3
    assert sorted(p.name for p in (target / "keys").glob("*.pub")) == [
        "rehearsal-bureau.pub", "rehearsal-notary-1.pub", "rehearsal-notary-2.pub",
    ]  # fmt: skip
    plan = Announcement.from_envelope(
        Envelope.from_bytes((target / "public" / "announcement.json").read_bytes())
    ).seed_plan
    assert [p.name for p in plan.parties] == ["bureau", "notary"]
    assert [s.name for s in plan.sources] == ["rehearsal-dice"]


def test_a_rehearsal_folder_that_lost_its_marker_is_refused_by_its_own_steps(
    rehearsed: Rehearsed, tmp_path: Path
) -> None:
    folder = tmp_path / "unmarked"
    shutil.copytree(rehearsed.folder, folder)
    (folder / "rehearsal.json").unlink()
    run = call("publish", "--dir", folder, "--force")
    assert run.code == EXIT_VERIFY, str(run)
    assert "FAIL  rehearsal mark: 演练 REHEARSAL" in run.out

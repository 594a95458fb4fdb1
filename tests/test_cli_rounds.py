"""Later rounds on the command line (spec 11): open, sign, draw, verify, proofs.

The small district is drawn once; round 2 takes the families' answers and
promotes from the waitlists; round 3 ends with a second-round draw (补录)
with its own seed ceremony. Then the notary's checks: the whole chain
verifies, and a missing round, a rolled-back chain and a forged round are
each refused with exit code 3. Every command runs at a stated time
(tests/cli_helpers.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_VERIFY,
    SMALL_DRAW_ID,
    Credentials,
    build_draw,
    call,
    make_credentials,
    ok,
    registry_people,
    resign,
    write_csv,
    write_small_inputs,
)

from alloc.canonical import canonical_json
from alloc.chain import chain_standings
from alloc.model import DrawRules
from alloc.oplog import LOG_NAME, parse_log
from alloc.rounds import next_round, parse_response_lines, parse_standing_line, standing_lines

#: Round 3's day: announced, reveals by noon, the lottery drawn in the evening,
#: drawn the next morning.
ROUND_3 = {
    "begin": "2026-07-25T09:00:00+08:00",
    "open": "2026-07-25T10:00:00+08:00",
    "sign": "2026-07-25T10:10:00+08:00",
    "reveals open": "2026-07-26T10:00:00+08:00",
    "reveal": "2026-07-26T11:00:00+08:00",
    "deadline": "2026-07-26T12:00:00+08:00",
    "drawn": "2026-07-26T21:15:00+08:00",
    "spare drawn": "2026-07-26T21:30:00+08:00",
    "source": "2026-07-27T09:00:00+08:00",
    "draw at": "2026-07-27T09:30:00+08:00",
    "draw": "2026-07-27T09:31:00+08:00",
    "signed": "2026-07-27T09:40:00+08:00",
}
RESPONSE_HEADER = ("报名编号", "确认结果", "幼儿园编号")


def standings(folder: Path, number: int) -> dict[str, Any]:
    path = folder / "public" / "rounds" / str(number) / "standings.jsonl"
    return {
        s.registration_number: s
        for s in (parse_standing_line(line) for line in path.read_bytes().splitlines())
    }


def results(folder: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in (folder / "public" / "results.jsonl").read_text().splitlines()
    ]


def sign_both(creds: Credentials, document: Path, at: str | None = None) -> None:
    for key in ("bureau", "notary-1"):
        ok("sign", document, "--key", creds.key(key), "--yes", at=at)


def verify(folder: Path, creds: Credentials, *extra: object) -> Any:
    return call("verify", "--dir", folder, *creds.pin, *extra)


class Chain:
    """The small draw with round 2 (promotion) and round 3 (a second-round draw)."""

    def __init__(self, root: Path) -> None:
        self.creds = make_credentials(root / "credentials", [SMALL_DRAW_ID])
        inputs = root / "inputs"
        write_small_inputs(inputs)
        self.folder = root / "draw"
        build_draw(
            self.folder,
            self.creds,
            kindergartens=inputs / "kindergartens.csv",
            applicants=inputs / "applicants.csv",
            draw_id=SMALL_DRAW_ID,
            min_lottery_percent=50,
        )
        self.runs: dict[str, Any] = {}
        self.round_2(root)
        self.round_3(root)

    def round_2(self, root: Path) -> None:
        """Every seat holder confirms but one, at a kindergarten someone waits for, who
        declines (the seed, and so the draw, differ from run to run)."""
        drawn = results(self.folder)
        waited = {w["kindergarten"] for r in drawn for w in r["waitlist"]}
        placed = [r for r in drawn if r["placed"]]
        self.declined = next(r for r in placed if r["placed"] in waited)
        rows = [(self.declined["registration_number"], "放弃", "")]
        rows += [
            (r["registration_number"], "确认", r["placed"])
            for r in placed
            if r is not self.declined
        ]
        answers = write_csv(root / "round-2.csv", [RESPONSE_HEADER, *rows])
        self.runs["open 2"] = ok("round", "open", "--dir", self.folder, "--responses", answers)
        public = self.folder / "public" / "rounds" / "2"
        sign_both(self.creds, public / "announcement.json")
        self.runs["draw 2"] = ok("round", "draw", "--dir", self.folder)
        sign_both(self.creds, public / "transcript.json")

    def round_3(self, root: Path) -> None:
        """Everyone holding a seat withdraws but one, who declines; the children still
        unplaced withdraw from the waitlists and are drawn again for the seat left."""
        after_2 = standings(self.folder, 2)
        holders = sorted(r for r, s in after_2.items() if s.seats)
        waiting = sorted(r for r, s in after_2.items() if not s.seats and not s.declined)
        leaving = holders[0]
        self.freed = after_2[leaving].seats[0].kindergarten
        rows = [(leaving, "放弃", "")]
        rows += [(r, "退出候补", after_2[r].seats[0].kindergarten) for r in holders[1:]]
        rows += [(r, "退出候补", "") for r in waiting]
        answers = write_csv(root / "round-3.csv", [RESPONSE_HEADER, *rows])
        choices = write_csv(
            root / "choices-3.csv", [("报名编号", "志愿1"), *((r, self.freed) for r in waiting)]
        )
        self.drawn = waiting
        folder3 = self.folder / "rounds" / "3"
        source = (
            f"lottery-0726 digits count=3 drawn-at={ROUND_3['drawn']} description=福彩3D 7月26日"
        )
        spare = f"spare-0726 digits count=2 drawn-at={ROUND_3['spare drawn']} description=备用"
        at = ROUND_3["begin"]
        ok("ceremony", "begin", "--dir", folder3, "--source", source, "--fallback", spare, at=at)
        secrets = root / "round-3-secrets"
        for party in ("bureau", "notary"):
            ok("ceremony", "secret", "--party", party, "--draw-id", SMALL_DRAW_ID,
               "--out", secrets / party, at=at)  # fmt: skip
            ok("ceremony", "commit", "--dir", folder3, "--party", party,
               "--secret", secrets / party, "--fallback", "spare-0726", at=at)  # fmt: skip
        self.runs["open 3"] = ok(
            "round", "open", "--dir", self.folder, "--responses", answers, "--choices", choices,
            "--reveal-deadline", ROUND_3["deadline"], "--draw-at", ROUND_3["draw at"],
            at=ROUND_3["open"],
        )  # fmt: skip
        public = self.folder / "public" / "rounds" / "3"
        sign_both(self.creds, public / "announcement.json", at=ROUND_3["sign"])
        ok("ceremony", "open", "--dir", folder3, at=ROUND_3["reveals open"])
        for party in ("bureau", "notary"):
            ok("ceremony", "reveal", "--dir", folder3, "--party", party,
               "--secret", secrets / party, at=ROUND_3["reveal"])  # fmt: skip
        ok("ceremony", "source", "--dir", folder3, "--name", "lottery-0726", "--value", "527",
           at=ROUND_3["source"])  # fmt: skip
        ok("ceremony", "seed", "--dir", folder3, at=ROUND_3["source"])
        self.runs["draw 3"] = ok("round", "draw", "--dir", self.folder, at=ROUND_3["draw"])
        sign_both(self.creds, public / "transcript.json", at=ROUND_3["signed"])


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    return Chain(tmp_path_factory.mktemp("rounds"))


@pytest.fixture
def copy(chain: Chain, tmp_path: Path) -> Path:
    target = tmp_path / "draw"
    shutil.copytree(chain.folder, target)
    return target


def test_round_2_promotes_from_the_waitlists(chain: Chain) -> None:
    assert re.search(
        r"round 2: 7 responses \(6 confirm, 0 withdraw, 1 decline\)", chain.runs["open 2"].out
    )
    moves = re.search(
        r"round 2: (\d+) given a seat from the waitlists, (\d+) moved up", chain.runs["draw 2"].out
    )
    assert moves is not None
    assert int(moves[1]) + int(moves[2]) >= 1
    after = standings(chain.folder, 2)
    assert after[chain.declined["registration_number"]].declined
    kindergarten = chain.declined["placed"]
    holders = [s for s in after.values() if s.seats and s.seats[0].kindergarten == kindergarten]
    before = [r for r in results(chain.folder) if r["placed"] == kindergarten]
    assert len(holders) == len(before)  # the seat given up is taken again
    assert any(s.moved_from or not s.confirmed for s in holders)


def test_round_3_draws_the_unplaced_for_the_seat_left(chain: Chain) -> None:
    assert "second-round draw of" in chain.runs["open 3"].out
    assert re.search(
        r"second-round draw: [1-9]\d* of \d+ children drawn a seat", chain.runs["draw 3"].out
    )
    after = standings(chain.folder, 3)
    winners = [r for r in chain.drawn if after[r].seats]
    assert winners
    assert {after[r].seats[0].kindergarten for r in winners} == {chain.freed}
    assert all(not after[r].confirmed for r in winners)
    public = chain.folder / "public" / "rounds" / "3"
    transcript = json.loads((public / "transcript.json").read_text())["signed"]
    assert transcript["ceremony"]["announcement"] == transcript["announcement"]
    assert (public / "records.jsonl").exists()
    assert (public / "results.jsonl").exists()


def test_the_notary_verifies_the_whole_chain(chain: Chain) -> None:
    run = verify(chain.folder, chain.creds)
    assert run.code == EXIT_OK, run.text
    assert "round 3 (the chain of rounds 1 to 3)" in run.out
    for number in (2, 3):
        assert f"PASS  round {number}: re-computation" in run.out
    assert "PASS  round 3: seed: 2 contributions match" in run.out
    data = call("--json", "verify", "--dir", chain.folder, *chain.creds.pin).json()
    assert data["ok"]
    assert sorted(data["digests"]) == ["1", "2", "3"]


def test_a_missing_round_is_refused(chain: Chain, copy: Path) -> None:
    shutil.rmtree(copy / "public" / "rounds" / "2")
    run = verify(copy, chain.creds)
    assert run.code == EXIT_VERIFY
    assert "FAIL  round 2: documents: round 1 is followed by round 3: round 2 is missing" in run.out


def test_a_rolled_back_chain_is_refused(chain: Chain, copy: Path, tmp_path: Path) -> None:
    memory = tmp_path / "notary-rounds.json"
    assert verify(chain.folder, chain.creds, "--remember", memory).code == EXIT_OK
    remembered = json.loads(memory.read_text())
    assert sorted(remembered["rounds"]) == ["1", "2", "3"]
    shutil.rmtree(copy / "public" / "rounds" / "3")
    run = verify(copy, chain.creds, "--remember", memory)
    assert run.code == EXIT_VERIFY
    assert "FAIL  chain: rollback: round 3 was seen before" in run.out
    assert json.loads(memory.read_text()) == remembered  # a failed check remembers nothing
    run = verify(copy, chain.creds, "--expect-round", 3)
    assert run.code == EXIT_VERIFY
    assert "rollback: round 3 was published, the chain given ends at round 2" in run.out


def test_a_forged_round_is_refused(chain: Chain, copy: Path) -> None:
    """The bureau's and notary's keys sign a round 2 that gives a seat to someone else."""
    public = copy / "public" / "rounds" / "2"
    path = public / "standings.jsonl"
    lines = path.read_bytes().splitlines()
    at = next(
        i for i, line in enumerate(lines) if b'"seats":[]' in line and b'"declined":false' in line
    )
    forged = json.loads(lines[at])
    forged["seats"] = [{"block": "open", "kindergarten": "K03"}]
    lines[at] = canonical_json(forged)
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    run = verify(copy, chain.creds)
    assert run.code == EXIT_VERIFY
    assert "FAIL  round 2: published files" in run.out
    assert f"child {forged['registration_number']} is published as seat at K03" in run.out


def test_a_forked_round_is_refused(chain: Chain, copy: Path) -> None:
    """Round 3 re-signed to follow another round 2 than the one published."""
    transcript = copy / "public" / "rounds" / "3" / "announcement.json"
    data = json.loads(transcript.read_text())
    data["signed"]["previous"] = "00" * 32
    transcript.write_bytes(canonical_json({"signatures": [], "signed": data["signed"]}) + b"\n")
    resign(transcript, chain.creds.key("bureau"), chain.creds.key("notary-1"))
    run = verify(copy, chain.creds)
    assert run.code == EXIT_VERIFY
    assert (
        "FAIL  round 3: chain: fork: round 3's announcement names round 2's transcript" in run.out
    )


def test_a_parents_proof_spans_the_rounds(chain: Chain, tmp_path: Path) -> None:
    child = chain.drawn[0]
    proof = tmp_path / "proof.json"
    run = ok("proof", "make", "--dir", chain.folder, "--registration-number", child,
             "--out", proof)  # fmt: skip
    assert "spanning rounds 1 to 3" in run.out
    data = json.loads(proof.read_text())
    assert [part["round"] for part in data["rounds"]] == [2, 3]
    assert data["rounds"][1]["record"] is not None  # drawn in round 3
    entry = next(e for e in registry_people(chain.folder) if e["registration_number"] == child)
    public = chain.folder / "public"
    run = call(
        "proof", "check", "--proof", proof, "--registration-number", child,
        "--salt", entry["salt"], "--id", entry["document_number"], "--name", entry["name"],
        "--announcement", public / "announcement.json", "--transcript", public / "transcript.json",
        *chain.creds.pin,
    )  # fmt: skip
    assert run.code == EXIT_OK, run.text
    assert "PASS  round 2:" in run.out
    assert "PASS  round 3:" in run.out
    assert "second-round record and result under the round's roots" in run.out


def test_the_verifier_page_refuses_a_proof_spanning_the_rounds(
    chain: Chain, tmp_path: Path
) -> None:
    """The page's JavaScript reads a real proof across rounds strictly, passes its
    round 1 part and still refuses it: it checks no round document (spec 9.8)."""
    node = shutil.which("node")
    if node is None:
        message = "node is not installed: install Node.js 20.19 or later to run this test"
        if os.environ.get("ALLOC_REQUIRE_NODE") == "1":
            pytest.fail(message + " (ALLOC_REQUIRE_NODE=1 makes this a failure)")
        pytest.skip(message)
    child = chain.drawn[0]
    proof = tmp_path / "proof.json"
    ok("proof", "make", "--dir", chain.folder, "--registration-number", child, "--out", proof)
    entry = next(e for e in registry_people(chain.folder) if e["registration_number"] == child)
    public = chain.folder / "public"
    rounds = public / "rounds"
    given = {
        "proof": proof.read_text("utf-8"),
        "registrationNumber": child,
        "salt": entry["salt"],
        "documentType": entry["document_type"],
        "documentNumber": entry["document_number"],
        "name": entry["name"],
        "announcement": (public / "announcement.json").read_text("utf-8"),
        "transcript": (public / "transcript.json").read_text("utf-8"),
        "trust": (public / "trust.json").read_text("utf-8"),
        "rounds": [(rounds / n / "transcript.json").read_text("utf-8") for n in ("2", "3")],
    }
    run = subprocess.run(
        [node, str(Path(__file__).parent / "js" / "proof-cli.mjs")],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout)
    failed = [s for s in seen["steps"] if s["status"] == "fail"]
    assert [s["id"] for s in failed] == ["rounds"], seen["steps"]
    assert "rounds 2, 3 after the draw" in failed[0]["detail"]
    assert seen["ok"] is False
    # A round transcript is never taken for the draw's transcript.
    assert all("round-transcript" in error for error in seen["rounds"]), seen["rounds"]


def test_round_steps_out_of_order_are_refused(chain: Chain, copy: Path, tmp_path: Path) -> None:
    answers = write_csv(tmp_path / "answers.csv", [RESPONSE_HEADER])
    run = call("round", "open", "--dir", copy, "--round", 5, "--responses", answers)
    assert run.code == EXIT_INPUT
    assert "round 5 cannot be opened: the last round drawn is round 3" in run.err
    run = call("round", "draw", "--dir", copy)
    assert run.code == EXIT_INPUT
    assert "round 4 is not announced" in run.err
    run = call("round", "open", "--dir", copy, "--responses", answers)
    assert run.code == EXIT_OK, run.text
    assert call("round", "open", "--dir", copy, "--responses", answers).code == EXIT_INPUT


def test_responses_that_do_not_fit_are_refused_naming_the_row(
    chain: Chain, copy: Path, tmp_path: Path
) -> None:
    for rows, said in (
        (
            [("2026-9999", "放弃", "")],
            "no child of the previous round has this registration number",
        ),
        ([("2026-0001", "也许", "")], "unknown answer"),
        ([("2026-0001", "放弃", ""), ("2026-0001", "放弃", "")], "appears twice"),
    ):
        answers = write_csv(tmp_path / "answers.csv", [RESPONSE_HEADER, *rows])
        run = call("round", "open", "--dir", copy, "--responses", answers)
        assert run.code == EXIT_INPUT
        assert said in run.err


def test_the_round_announcement_cannot_be_signed_once_its_reveals_began(chain: Chain) -> None:
    public = chain.folder / "public" / "rounds" / "3"
    run = call("sign", public / "announcement.json", "--key", chain.creds.key("stranger"), "--yes")
    assert run.code != EXIT_OK  # a key of no role; and the reveals are open
    key = chain.creds.key("bureau")
    run = call("sign", public / "announcement.json", "--key", key, "--yes")
    assert run.code == EXIT_INPUT  # already signed by this key


def test_promotion_by_the_library_matches_the_command_line(chain: Chain) -> None:
    """Round 2 re-computed with alloc.rounds from the public files gives the same lines."""
    public = chain.folder / "public"
    rules = DrawRules.from_json(json.loads((public / "rules.json").read_text()))
    seed = bytes.fromhex(json.loads((public / "transcript.json").read_text())["signed"]["seed"])
    first = chain_standings(rules, (public / "records.jsonl").read_bytes().splitlines(), seed)
    lines = (public / "rounds" / "2" / "responses.jsonl").read_bytes().splitlines()
    again = standing_lines(next_round(first, parse_response_lines(lines)).standings)
    assert again == (public / "rounds" / "2" / "standings.jsonl").read_bytes().splitlines()


# --- the operator log across rounds ------------------------------------------------------------


def _signed(path: Path) -> dict[str, Any]:
    signed: dict[str, Any] = json.loads(path.read_bytes())["signed"]
    return signed


def test_every_round_signs_the_operator_log_kept_in_the_draw_folder(chain: Chain) -> None:
    log = parse_log((chain.folder / LOG_NAME).read_bytes())
    # The round's ceremony (rounds/3) is logged in the draw folder's one log, by its path there.
    assert not (chain.folder / "rounds" / "3" / LOG_NAME).exists()
    ceremony = [e for e in log.entries if any(f.path == "rounds/3/ceremony.json" for f in e.wrote)]
    assert [e.command for e in ceremony] == [
        "alloc ceremony begin",
        "alloc ceremony commit",
        "alloc ceremony commit",
        "alloc round open",  # it fixes the round's plan
        "alloc ceremony open",
        "alloc ceremony reveal",
        "alloc ceremony reveal",
        "alloc ceremony source",
    ]
    assert {e.draw_id for e in log.entries} == {SMALL_DRAW_ID}
    public = chain.folder / "public"
    heads = [_signed(public / "transcript.json")["log"]]
    heads += [_signed(public / "rounds" / str(n) / "transcript.json")["log"] for n in (2, 3)]
    assert [log.head_at(head["count"]).to_json() for head in heads] == heads
    assert heads[0]["count"] < heads[1]["count"] < heads[2]["count"]
    # Each round's head is its own draw's: the entry after it is that draw.
    assert [log.entries[head["count"]].command for head in heads] == [
        "alloc draw",
        "alloc round draw",
        "alloc round draw",
    ]
    run = verify(chain.folder, chain.creds)
    assert run.code == EXIT_OK, run.text
    assert f"operator log: {chain.folder / LOG_NAME}" in run.out
    for label in ("operator log", "round 2: operator log", "round 3: operator log"):
        assert f"PASS  {label}: " in run.out
    # alloc log verify takes a later round's transcript as it takes the draw's.
    checked = call("log", "verify", "--log", chain.folder / LOG_NAME,
                   "--transcript", public / "rounds" / "3" / "transcript.json",
                   *chain.creds.pin)  # fmt: skip
    assert checked.code == EXIT_OK, checked.text
    count = heads[2]["count"]
    assert (
        f"PASS  operator log: {len(log.entries)} entries chained; the first {count}" in checked.out
    )


def test_a_log_cut_before_a_later_round_fails_that_round(chain: Chain, copy: Path) -> None:
    third = _signed(copy / "public" / "rounds" / "3" / "transcript.json")["log"]["count"]
    path = copy / LOG_NAME
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: third - 1]))
    run = verify(copy, chain.creds)
    assert run.code == EXIT_VERIFY
    assert "PASS  operator log: " in run.out
    assert "PASS  round 2: operator log: " in run.out
    assert f"FAIL  round 3: operator log: the operator log has {third - 1} entries" in run.out


def test_a_round_whose_log_head_goes_back_fails(chain: Chain, copy: Path) -> None:
    """Round 3 re-signed with round 1's log head: the signed log cannot run backwards."""
    path = copy / "public" / "rounds" / "3" / "transcript.json"
    signed = _signed(path)
    signed["log"] = _signed(copy / "public" / "transcript.json")["log"]
    path.write_bytes(canonical_json({"signatures": [], "signed": signed}) + b"\n")
    resign(path, chain.creds.key("bureau"), chain.creds.key("notary-1"))
    run = verify(copy, chain.creds)
    assert run.code == EXIT_VERIFY
    assert "PASS  round 2: operator log" in run.out
    assert re.search(
        r"FAIL  round 3: operator log: round 3's transcript commits to the operator log's first"
        r" \d+ entries, round 2's to the first \d+",
        run.out,
    )
    assert "PASS  round 3: re-computation" in run.out


def test_the_certificate_lists_every_rounds_files(chain: Chain, tmp_path: Path) -> None:
    certificate = tmp_path / "certificate.html"
    run = verify(chain.folder, chain.creds, "--certificate", certificate)
    assert run.code == EXIT_OK, run.text
    page = certificate.read_text(encoding="utf-8")
    public = chain.folder / "public"
    for number in (2, 3):
        for name in ("announcement.json", "transcript.json", "responses.jsonl"):
            assert f"<code>{public / 'rounds' / str(number) / name}</code>" in page, name
    log = f"operator log</span><br><code>{chain.folder / LOG_NAME}</code>"
    assert f'操作日志 <span class="en" lang="en">{log}' in page

"""The attacker of issue 12: notice boards plus every public file (spec 10.6-10.8).

The attacker holds what a bureau publishes: the notice boards (masked names
and ID numbers), the public records (with identity commitments), the
results, the announcement and transcript, the rules, the report and the
public lookup index. They enumerate the identities a masked row allows, most
likely first (``privacy_attack``: birth dates that fit the shown check
character, hidden name characters from a name-frequency model), and test
each against every oracle the files offer.

* Against version 1's scrypt lookup index and masks the test child falls
  within a bounded budget, and most children do (the issue's finding).
* Against version 2's files nobody falls, by construction: every value in
  them that depends on a name or ID number also depends on the child's
  128-bit receipt salt, so each guess needs the salt too, and the work is at
  least 2^127 per guess on average, far above 2^40 (checked by count).
* Version 2's masks alone (which still feed the rate-limited portal, and
  anyone holding a receipt) leave hundreds of times more guesses than
  version 1's, and still let neighbours on a list tell themselves apart.
"""

from __future__ import annotations

import base64
import csv
import datetime
import hashlib
import hmac
import io
import itertools
import json
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from privacy_attack import (
    MaskedRow,
    V1Index,
    attack,
    birth_dates,
    candidate_names,
    candidate_numbers,
    masked_row,
    position,
    v1_masked_row,
)

from alloc import io as files
from alloc.audit import document_digest
from alloc.canonical import Tag, canonical_json, tagged_hash, tagged_message
from alloc.demo import DemoRun, run_demo
from alloc.identity import SALT_SIZE, identity_commitment, lookup_keys
from alloc.lookup import INDEX_FILE, build_public_index, shard_file
from alloc.report import render_report

#: The synthetic cohort's birth window; a real intake spans one school year (half as many dates).
DATES = birth_dates(datetime.date(2022, 1, 1), datetime.date(2023, 12, 31))
#: Guesses the attacker may spend on one child in these tests.
BUDGET = 30_000


@dataclass(frozen=True)
class Published:
    """Everything the bureau publishes, as the attacker downloads it."""

    files: dict[str, bytes]
    rows: list[MaskedRow]

    def text(self) -> str:
        return "\n".join(data.decode("utf-8", "replace") for data in self.files.values())


@pytest.fixture(scope="module")
def run() -> DemoRun:
    return run_demo(applicants=400, kindergartens=6)


@pytest.fixture(scope="module")
def regions(run: DemoRun) -> tuple[str, ...]:
    """The district's region codes: public knowledge, so the attacker has them."""
    return tuple(sorted({e.identity.document_number[:6] for e in run.registry.values()}))


@pytest.fixture(scope="module")
def published(run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Published:
    folder = tmp_path_factory.mktemp("publish")
    notices = files.write_notice_lists(folder / "notice", run.outcome, run.registry)
    out: dict[str, bytes] = {
        "announcement.json": run.announcement.to_bytes(),
        "transcript.json": run.transcript.to_bytes(),
        "records.jsonl": b"\n".join(run.records) + b"\n",
        "results.jsonl": b"\n".join(run.results) + b"\n",
        "rules.json": canonical_json(run.rules.to_json()),
        **{
            f"report/{name}": text.encode("utf-8")
            for name, text in render_report(
                rules=run.rules,
                announcement=run.announcement,
                transcript=run.transcript,
                outcome=run.outcome,
                report=run.report,
                policy=run.policy,
                registry=run.registry,
            ).files.items()
        },
    }
    for path in notices:
        out[f"notice/{path.name}"] = path.read_bytes()
    for name, data in build_public_index(run.registry, run.outcome, run.transcript).items():
        out[f"lookup/{name}"] = data
    return Published(out, _board_rows(out))


def _board_rows(published: dict[str, bytes]) -> list[MaskedRow]:
    """The masked rows of every notice board, as printed (each child once)."""
    rows: dict[str, MaskedRow] = {}
    for name, data in published.items():
        if not name.startswith("notice/"):
            continue
        for line in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
            reg = line["报名编号 (registration number)"]
            rows[reg] = MaskedRow(
                reg, line["幼儿姓名 (name, masked)"], line["证件号码 (document number, masked)"]
            )
    return list(rows.values())


def _test_child(run: DemoRun) -> str:
    """The first child with a three-character name: the commonest kind."""
    return next(
        r for r in run.outcome.registration_numbers if len(run.registry[r].identity.name) == 3
    )


# --- version 1: the finding ------------------------------------------------------------------


def test_version_1_masks_and_index_give_the_test_child_away(run: DemoRun) -> None:
    # scrypt with n = 2^4 instead of 2^15: the same oracle, each guess just cheaper;
    # the number of guesses, which is what this counts, does not depend on n.
    identities = {
        reg: (e.identity.document_number, e.identity.name) for reg, e in run.registry.items()
    }
    index = V1Index.build(run.rules.draw_id, identities, salt=bytes(range(16)), n=2**4)
    reg = _test_child(run)
    number, name = identities[reg]
    row = v1_masked_row(reg, number, name)
    assert row.masked_number == number[:6] + "********" + number[14:]
    found = attack(row, index.oracle, dates=DATES, regions=(), budget=BUDGET)
    assert found.recovered
    assert (found.number, found.name) == (number, name)
    print(f"version 1: {row.masked_name} {row.masked_number} recovered in {found.guesses} guesses")
    # ... and so do most children within the same budget
    sample = run.outcome.registration_numbers[:40]
    results = [
        attack(
            v1_masked_row(r, *identities[r]), index.oracle, dates=DATES, regions=(), budget=BUDGET
        )
        for r in sample
    ]
    recovered = [a for a in results if a.recovered]
    assert len(recovered) >= 0.9 * len(sample)
    assert all((a.number, a.name) == identities[a.registration_number] for a in recovered)
    median = statistics.median(a.guesses for a in recovered)
    print(f"version 1: {len(recovered)}/{len(sample)} recovered, median {median:.0f} guesses")


# --- version 2: no oracle without the salt ---------------------------------------------------


def _salt_free_values(run: DemoRun, reg: str, number: str, name: str) -> dict[str, bytes]:
    """Values anyone could compute from a right guess of (number, name) without the salt.

    Every tag alloc uses, over the fields a guess gives, as SHA-256 and as
    HMAC keys; plain hashes; version 1's scrypt entry id; and version 2's
    own constructions with a salt the attacker might try (all zeros).
    """
    draw = run.rules.draw_id
    fields = [
        (draw, "resident-id", number, name),
        (draw, reg, "resident-id", number, name),
        (reg, number, name),
        (number, name),
        (number,),
        (name,),
    ]
    tags = [value for key, value in vars(Tag).items() if key.isupper()]
    tags += ["alloc/v1/lookup", "alloc/v1/lookup-id", "alloc/v1/lookup-secret"]
    out: dict[str, bytes] = {}
    for tag in tags:
        for group in fields:
            message = tagged_message(tag, *group)
            out[f"sha256 {tag} {len(group)}"] = hashlib.sha256(message).digest()
            out[f"hmac {tag} {len(group)}"] = hmac.new(
                message, draw.encode(), hashlib.sha256
            ).digest()
    for text in (number, name, number + name, f"{number}\x00{name}", number[6:14]):
        out[f"plain {text!r}"] = hashlib.sha256(text.encode()).digest()
    v1 = V1Index.key(draw, bytes(range(16)), 2**4, 1, 1, number, name)
    out["version 1 entry id"] = bytes.fromhex(V1Index.entry_id(v1))
    zero = bytes(SALT_SIZE)
    out["commitment, zero salt"] = identity_commitment(
        draw_id=draw,
        registration_number=reg,
        document_type="resident-id",
        document_number=number,
        name=name,
        salt=zero,
    )
    keys = lookup_keys(
        draw_id=draw,
        transcript_digest=document_digest(run.transcript),
        registration_number=reg,
        document_type="resident-id",
        document_number=number,
        name=name,
        salt=zero,
    )
    out["lookup entry id, zero salt"] = keys.entry_id
    return out


def _found_in(values: dict[str, bytes], text: str) -> list[str]:
    lower = text.lower()
    hits = []
    for label, value in values.items():
        forms = (value.hex(), base64.b64encode(value).decode(), value.hex()[:32])
        if any(form.lower() in lower for form in forms):
            hits.append(label)
    return hits


def test_version_2_public_files_hold_nothing_a_saltless_guess_can_match(
    run: DemoRun, published: Published
) -> None:
    """By construction: the right guess itself confirms nothing without the receipt salt."""
    reg = _test_child(run)
    entry = run.registry[reg]
    number, name = entry.identity.document_number, entry.identity.name
    values = _salt_free_values(run, reg, number, name)
    text = published.text()
    assert _found_in(values, text) == []
    # nor the number, the birth date or the name themselves
    assert number not in text
    assert number[:14] not in text
    assert name not in text
    # The scan has teeth: version 1's index file holds the child's entry id ...
    identities = {r: (e.identity.document_number, e.identity.name) for r, e in run.registry.items()}
    v1 = V1Index.build(run.rules.draw_id, identities, salt=bytes(range(16)), n=2**4)
    assert _found_in(values, v1.to_bytes().decode()) == ["version 1 entry id"]
    # ... and what does depend on the identity in version 2 is keyed by the salt
    commitment = identity_commitment(
        draw_id=run.rules.draw_id,
        registration_number=reg,
        document_type="resident-id",
        document_number=number,
        name=name,
        salt=entry.salt,
    )
    assert commitment.hex() in published.files["records.jsonl"].decode()
    entry_id = lookup_keys(
        draw_id=run.rules.draw_id,
        transcript_digest=document_digest(run.transcript),
        registration_number=reg,
        document_type="resident-id",
        document_number=number,
        name=name,
        salt=entry.salt,
    ).entry_id_text
    assert entry_id in published.files[f"lookup/{shard_file(entry_id[0])}"].decode()


def _oracles(
    run: DemoRun, published: Published
) -> dict[str, Callable[[str, str, str, bytes], bool]]:
    """Every test of a guess the version 2 files offer: each needs a salt."""
    records = {
        json.loads(line)["registration_number"]: json.loads(line)["identity"]
        for line in published.files["records.jsonl"].decode().splitlines()
    }
    header = json.loads(published.files[f"lookup/{INDEX_FILE}"])
    digest = bytes.fromhex(header["transcript"])
    shards = {
        name: json.loads(data)["entries"]
        for name, data in published.files.items()
        if name.startswith("lookup/") and name != f"lookup/{INDEX_FILE}"
    }

    def commitment(reg: str, number: str, name: str, salt: bytes) -> bool:
        guess = tagged_hash(Tag.IDENTITY, run.rules.draw_id, reg, "resident-id", number, name, salt)
        return guess.hex() == records[reg]

    def lookup_index(reg: str, number: str, name: str, salt: bytes) -> bool:
        entry_id = lookup_keys(
            draw_id=header["draw_id"],
            transcript_digest=digest,
            registration_number=reg,
            document_type="resident-id",
            document_number=number,
            name=name,
            salt=salt,
        ).entry_id_text
        return entry_id in shards[f"lookup/{shard_file(entry_id[: header['shard_digits']])}"]

    return {"identity commitment": commitment, "lookup index": lookup_index}


def test_masked_boards_and_every_public_file_recover_nobody(
    run: DemoRun, published: Published, regions: tuple[str, ...]
) -> None:
    """The same attack, the same budget, against every version 2 oracle: nobody falls."""
    oracles = _oracles(run, published)
    by_reg = {row.registration_number: row for row in published.rows}
    reg = _test_child(run)
    # Salts an attacker might try when they have none: every one is a guess of 128 bits.
    salt_guesses = [
        bytes(SALT_SIZE),
        bytes([255] * SALT_SIZE),
        hashlib.sha256(reg.encode()).digest()[:16],
    ]
    for label, oracle in oracles.items():
        for who in [reg, *run.outcome.registration_numbers[:5]]:
            row = by_reg[who]

            def test(
                number: str,
                name: str,
                row: MaskedRow = row,
                oracle: Callable[[str, str, str, bytes], bool] = oracle,
            ) -> bool:
                return any(oracle(row.registration_number, number, name, s) for s in salt_guesses)

            result = attack(row, test, dates=DATES, regions=regions, budget=BUDGET // 10)
            assert not result.recovered, f"{label} gave {who} away"
            assert result.guesses == BUDGET // 10
    # With the right salt (a receipt holder), the same oracles do confirm the truth:
    # they are real tests, and the salt is all that stands in the way.
    entry = run.registry[reg]
    for oracle in oracles.values():
        truth = (entry.identity.document_number, entry.identity.name)
        assert oracle(reg, *truth, entry.salt)
        assert not oracle(reg, *truth, bytes(SALT_SIZE))


def test_below_2_to_the_40_guesses_nobody_is_recoverable(
    run: DemoRun, published: Published, regions: tuple[str, ...]
) -> None:
    """By count: every oracle needs all 128 bits of the salt besides the number and name.

    Each of the salt's 128 bits, flipped, turns a right guess into a miss, and
    the salt is drawn uniformly by ``secrets``; so confirming a (number, name)
    candidate takes 2^127 salt guesses on average, and the whole attack its
    place among the candidates (at least 1) times that.
    """
    oracles = _oracles(run, published)
    least = math.inf
    for row in published.rows[:8]:
        entry = run.registry[row.registration_number]
        truth = (entry.identity.document_number, entry.identity.name)
        secret_bits = set()
        for label, oracle in oracles.items():
            assert oracle(row.registration_number, *truth, entry.salt), label
            for bit in range(8 * SALT_SIZE):
                flipped = bytearray(entry.salt)
                flipped[bit // 8] ^= 1 << (bit % 8)
                if not oracle(row.registration_number, *truth, bytes(flipped)):
                    secret_bits.add((label, bit))
        assert len(secret_bits) == len(oracles) * 8 * SALT_SIZE
        place = position(row, *truth, dates=DATES, regions=regions, cap=10**6)
        candidates = 1 if place is None else place  # the best case for the attacker
        least = min(least, math.log2(candidates) + 8 * SALT_SIZE - 1)
    assert least >= 127
    assert least >= 40


# --- the masks themselves --------------------------------------------------------------------


def test_version_2_masks_leave_hundreds_of_times_more_guesses(
    run: DemoRun, published: Published, regions: tuple[str, ...]
) -> None:
    """What the boards alone leave to an online oracle (the rate-limited portal)."""
    v1, v2 = [], []
    for row in published.rows[:60]:
        entry = run.registry[row.registration_number]
        number, name = entry.identity.document_number, entry.identity.name
        assert row == masked_row(row.registration_number, number, name)
        old = position(
            v1_masked_row(row.registration_number, number, name),
            number,
            name,
            dates=DATES,
            regions=regions,
        )
        new = position(row, number, name, dates=DATES, regions=regions, cap=3 * 10**6)
        assert old is not None
        v1.append(old)
        v2.append(new if new is not None else 3 * 10**6 * 6 * len(DATES))
    old_median, new_median = statistics.median(v1), statistics.median(v2)
    print(f"median guesses from the board: version 1 {old_median:.0f}, version 2 {new_median:.0f}")
    assert new_median >= 100 * old_median
    assert min(v2) > 1000
    # a hidden region multiplies the numbers by the district's region codes
    row = published.rows[0]
    assert len(candidate_numbers(row.masked_number, DATES, regions)) > 5 * len(DATES) // 11
    # a shown surname is the most a name mask gives
    assert all(len(r.masked_name) - r.masked_name.count("*") <= 2 for r in published.rows)
    assert next(itertools.islice(candidate_names("**"), 0, None)) == "王子"


def test_neighbours_on_a_list_still_tell_themselves_apart(
    run: DemoRun, published: Published
) -> None:
    """On every board, no two rows share registration number, or masked name and number."""
    for name, data in published.files.items():
        if not name.startswith("notice/"):
            continue
        lines = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        regs = [line["报名编号 (registration number)"] for line in lines]
        masks = [
            (line["幼儿姓名 (name, masked)"], line["证件号码 (document number, masked)"])
            for line in lines
        ]
        assert len(set(regs)) == len(regs)
        assert len(set(masks)) == len(masks), name

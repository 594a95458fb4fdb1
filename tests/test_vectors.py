"""Every rule in docs/spec.md sections 2-6 checked against tests/vectors/.

These files are never regenerated to make a test pass: a changed vector is a
change of the specification (docs/spec.md section 13).
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import load_vector

from alloc.canonical import canonical_json, tagged_message
from alloc.clock import parse_time
from alloc.draw import group_kindergarten_ticket, group_ticket, kindergarten_ticket, ticket
from alloc.errors import AllocError, InputError
from alloc.merkle import inclusion_proof, merkle_root, verify_inclusion
from alloc.seed import (
    Contribution,
    SeedPlan,
    Source,
    SourceKind,
    SourceValue,
    check_secret,
    commitment,
    derive_seed,
    rfc3797_key,
    rfc3797_select,
    seed_input,
)
from alloc.tickets import ticket_order, tickets


def test_canonical_json_documents() -> None:
    data = load_vector("canonical.json")
    for case in data["documents"]:
        assert canonical_json(case["value"]).hex() == case["canonical_hex"]


def test_tagged_messages() -> None:
    for case in load_vector("canonical.json")["tagged_messages"]:
        message = tagged_message(case["tag"], *case["fields"])
        assert message.hex() == case["message_hex"]
        assert hashlib.sha256(message).hexdigest() == case["sha256"]


def test_commitments() -> None:
    data = load_vector("seed.json")
    for case in data["commitments"]:
        value = commitment(data["draw_id"], case["party"], bytes.fromhex(case["secret"]))
        assert value.hex() == case["commitment"]


def test_refused_secrets() -> None:
    for case in load_vector("seed.json")["refused_secrets"]:
        with pytest.raises(InputError, match="secret"):
            check_secret(bytes.fromhex(case["secret"]))


def test_source_forms_accept_exactly_their_one_typing() -> None:
    for case in load_vector("seed.json")["source_forms"]:
        source = Source.from_json(case["source"])
        assert source.to_json() == case["source"]
        assert source.form.available_at == parse_time(case["available_at"], field="t")
        for typed in case["accepted"]:
            assert source.accept(typed) == typed
        for typed in case["refused"]:
            with pytest.raises(AllocError):
                source.accept(typed)


def test_seed_plan_json() -> None:
    plan = load_vector("seed.json")["plan"]
    assert canonical_json(SeedPlan.from_json(plan["json"]).to_json()).decode() == plan["jcs"]


#: Times of steps are recorded but never hashed: any time gives the same seed.
_SOME_TIME = parse_time("2026-07-23T15:10:00+08:00", field="t")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_seed_derivation(index: int) -> None:
    data = load_vector("seed.json")
    case = data["seeds"][index]
    contributions = [
        Contribution.from_json({**c, "at": "2026-07-23T15:10:00+08:00"})
        for c in case["contributions"]
    ]
    sources = [
        SourceValue(s["name"], SourceKind(s["kind"]), s["value"], _SOME_TIME)
        for s in case["sources"]
    ]
    digest = bytes.fromhex(case["announcement"])
    document = seed_input(
        draw_id=data["draw_id"],
        announcement_digest=digest,
        contributions=contributions,
        sources=sources,
    )
    assert canonical_json(document).decode() == case["seed_input_jcs"]
    seed = derive_seed(
        draw_id=data["draw_id"],
        announcement_digest=digest,
        contributions=list(reversed(contributions)),
        sources=list(reversed(sources)),
    )
    assert seed.hex() == case["seed"]
    # The seed tag has no draw id field: the draw id is inside the JCS (spec 3, 4.6).
    message = b"alloc/v1/seed\x00" + case["seed_input_jcs"].encode()
    assert hashlib.sha256(message).hexdigest() == case["seed"]
    assert f'"draw_id":"{data["draw_id"]}"' in case["seed_input_jcs"]


def test_tickets() -> None:
    data = load_vector("tickets.json")
    seed = bytes.fromhex(data["seed"])
    regs = [t["registration_number"] for t in data["tickets"]]
    for case in data["tickets"]:
        assert ticket(seed, data["draw_id"], case["registration_number"]).hex() == case["ticket"]
    column = tickets(seed, data["draw_id"], regs)
    assert [bytes(row).hex() for row in column] == [t["ticket"] for t in data["tickets"]]
    assert [regs[i] for i in ticket_order(column)] == data["order"]
    for case in data["kindergarten_tickets"]:
        value = kindergarten_ticket(
            seed, data["draw_id"], case["registration_number"], case["kindergarten"]
        )
        assert value.hex() == case["ticket"]
    for case in data["group_tickets"]:
        assert group_ticket(seed, data["draw_id"], case["group"]).hex() == case["ticket"]
    for case in data["group_kindergarten_tickets"]:
        value = group_kindergarten_ticket(
            seed, data["draw_id"], case["group"], case["kindergarten"]
        )
        assert value.hex() == case["ticket"]


def test_merkle_roots_and_proofs() -> None:
    data = load_vector("merkle.json")
    leaves = [bytes.fromhex(x) for x in data["leaves"]]
    for size, root in enumerate(data["roots"]):
        assert merkle_root(leaves[:size]).hex() == root
    for case in data["inclusion_proofs"]:
        size, index = case["size"], case["index"]
        proof = inclusion_proof(leaves[:size], index)
        assert [p.hex() for p in proof] == case["proof"]
        root = bytes.fromhex(data["roots"][size])
        assert verify_inclusion(leaves[index], index, size, proof, root)


def test_rfc3797_section_6_example() -> None:
    data = load_vector("rfc3797.json")
    assert rfc3797_key(data["sources"]) == data["key"]
    count = len(data["selected"])
    assert rfc3797_select(data["sources"], data["pool_size"], count) == data["selected"]
    key = data["key"].encode()
    for i, expected in enumerate(data["md5"]):
        affix = i.to_bytes(2, "big")
        assert hashlib.md5(affix + key + affix, usedforsecurity=False).hexdigest() == expected

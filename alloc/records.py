"""Line-per-child public files: applicant records and results (spec section 8).

Each line is the RFC 8785 canonical JSON of one child's record or result, and
each line is one Merkle leaf. Signed documents commit to these files by root
and count, so a million-child draw signs a few kilobytes and a parent's proof
is one line and a logarithmic path.

Lines are produced by formatting a fixed schema directly (the keys are written
in RFC 8785 order and identifiers need no escaping beyond ``"`` and ``\\``),
which is many times faster than a general canonicaliser; the tests check every
line against ``rfc8785`` byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from alloc.canonical import Tag, canonical_json, check_identifier, tagged_message
from alloc.draw import Outcome
from alloc.errors import InputError
from alloc.merkle import MerkleTree, merkle_root
from alloc.model import ApplicantTable

__all__ = [
    "parse_record_lines",
    "parse_result_line",
    "record_leaf",
    "record_lines",
    "records_root",
    "result_leaf",
    "result_lines",
    "results_root",
]


def _quote(text: str) -> str:
    if '"' in text or "\\" in text:
        return json.dumps(text, ensure_ascii=False)
    return f'"{text}"'


def _quote_or_null(text: str | None) -> str:
    return "null" if text is None else _quote(text)


def record_leaf(draw_id: str, line: bytes) -> bytes:
    """The Merkle leaf of a record line: tagged_message("alloc/v1/record", draw_id, line)."""
    return tagged_message(Tag.RECORD, draw_id, line)


def result_leaf(draw_id: str, line: bytes) -> bytes:
    """The Merkle leaf of a result line: tagged_message("alloc/v1/result", draw_id, line)."""
    return tagged_message(Tag.RESULT, draw_id, line)


def record_order(table: ApplicantTable) -> list[int]:
    """Rows in canonical record order: ascending registration number (code points)."""
    regs = table.registration_numbers
    return sorted(range(len(regs)), key=regs.__getitem__)


def record_lines(table: ApplicantTable) -> list[bytes]:
    """Every applicant's public record line, in ascending registration number.

    Raises:
        InputError: if an identity commitment is not 32 bytes.
    """
    n = len(table)
    kg_q = [_quote(k) for k in table.kindergarten_ids]
    tier_q = [_quote(t) for t in table.tier_names]
    group_q = [_quote(g) for g in table.group_ids]
    facts: dict[int, list[tuple[str, str]]] = {}
    for row, code, kg in zip(
        table.fact_rows.tolist(),
        table.fact_codes.tolist(),
        table.fact_kindergartens.tolist(),
        strict=True,
    ):
        facts.setdefault(row, []).append((table.fact_names[code], table.kindergarten_ids[kg]))
    identities = table.identities
    if identities is not None and identities.shape != (n, 32):
        raise InputError(
            "identity commitments must be 32 bytes each", field="identity", value=identities.shape
        )
    identity_hex = [bytes(x).hex() for x in identities] if identities is not None else None
    choices = table.choices.tolist()
    assert table.tiers is not None
    assert table.groups is not None
    tiers = table.tiers.tolist()
    groups = table.groups.tolist()
    lines = []
    for row in record_order(table):
        chosen = ",".join(kg_q[c] for c in choices[row] if c >= 0)
        held = facts.get(row)
        if held:
            held.sort()
            fact_text = ",".join(
                '{"fact":' + _quote(f) + ',"kindergarten":' + _quote(k) + "}" for f, k in held
            )
        else:
            fact_text = ""
        tier = tiers[row]
        group = groups[row]
        identity = identity_hex[row] if identity_hex is not None else None
        lines.append(
            (
                '{"choices":['
                + chosen
                + '],"facts":['
                + fact_text
                + '],"group":'
                + (group_q[group] if group >= 0 else "null")
                + ',"identity":'
                + (f'"{identity}"' if identity is not None else "null")
                + ',"registration_number":'
                + _quote(table.registration_numbers[row])
                + ',"tier":'
                + (tier_q[tier] if tier >= 0 else "null")
                + "}"
            ).encode("utf-8")
        )
    return lines


def records_root(draw_id: str, lines: Sequence[bytes]) -> bytes:
    """The Merkle root over record lines (RFC 9162, leaves from :func:`record_leaf`)."""
    return merkle_root([record_leaf(draw_id, line) for line in lines])


def parse_record_lines(lines: Iterable[bytes]) -> ApplicantTable:
    """Read public record lines back into an :class:`ApplicantTable`.

    Every line must be canonical: re-encoding it must give the same bytes, so
    a record file has exactly one byte form and one root.

    Raises:
        InputError: naming the 1-based line at fault.
    """
    regs: list[str] = []
    kg_index: dict[str, int] = {}
    tier_index: dict[str, int] = {}
    group_index: dict[str, int] = {}
    fact_index: dict[str, int] = {}
    choice_rows: list[list[int]] = []
    tiers: list[int] = []
    groups: list[int] = []
    identities: list[bytes] = []
    fact_rows: list[int] = []
    fact_codes: list[int] = []
    fact_kgs: list[int] = []
    any_identity = False
    previous: str | None = None
    for number, line in enumerate(lines, start=1):
        try:
            data = json.loads(line)
            reg = check_identifier(data["registration_number"], "registration_number")
            choices = [check_identifier(c, "choices") for c in data["choices"]]
            tier = data["tier"]
            group = data["group"]
            identity = data["identity"]
            held = [(f["fact"], f["kindergarten"]) for f in data["facts"]]
            if canonical_json(data) != line:
                raise InputError(
                    "record line is not in RFC 8785 canonical form",
                    hint="lines must be exactly as alloc writes them",
                )
        except (ValueError, KeyError, TypeError) as exc:
            problem = (
                exc
                if isinstance(exc, InputError)
                else InputError(f"malformed record line ({exc})", value=line[:80])
            )
            raise problem.at(row=number, source="records") from exc
        if previous is not None and reg <= previous:
            raise InputError(
                "records are not in ascending registration-number order",
                value=reg,
                row=number,
                source="records",
            )
        previous = reg
        regs.append(reg)
        choice_rows.append([kg_index.setdefault(c, len(kg_index)) for c in choices])
        tiers.append(-1 if tier is None else tier_index.setdefault(tier, len(tier_index)))
        groups.append(-1 if group is None else group_index.setdefault(group, len(group_index)))
        if (identity is not None) != any_identity and number > 1:
            raise InputError(
                "some records carry an identity commitment and some do not",
                field="identity",
                row=number,
                source="records",
            )
        if identity is not None:
            any_identity = True
            identities.append(bytes.fromhex(identity))
        for fact, kg in held:
            fact_rows.append(len(regs) - 1)
            fact_codes.append(fact_index.setdefault(fact, len(fact_index)))
            fact_kgs.append(kg_index.setdefault(kg, len(kg_index)))
    width = max((len(c) for c in choice_rows), default=1) or 1
    matrix = np.full((len(regs), width), -1, np.int32)
    for row, chosen in enumerate(choice_rows):
        matrix[row, : len(chosen)] = chosen
    identity_array: npt.NDArray[np.uint8] | None = None
    if any_identity:
        identity_array = np.frombuffer(b"".join(identities), np.uint8).reshape(-1, 32).copy()
    return ApplicantTable(
        registration_numbers=tuple(regs),
        kindergarten_ids=tuple(kg_index),
        choices=matrix,
        tier_names=tuple(tier_index),
        tiers=np.asarray(tiers, np.int32),
        group_ids=tuple(group_index),
        groups=np.asarray(groups, np.int32),
        fact_names=tuple(fact_index),
        fact_rows=np.asarray(fact_rows, np.int32),
        fact_codes=np.asarray(fact_codes, np.int32),
        fact_kindergartens=np.asarray(fact_kgs, np.int32),
        identities=identity_array,
    )


def result_lines(outcome: Outcome) -> list[bytes]:
    """Every child's result line, in draw order (spec section 8.2)."""
    rules = outcome.rules
    kgs = rules.kindergartens
    kg_q = [_quote(k.id) for k in kgs]
    block_q = [[_quote(b.name) for b in k.blocks] + ['"open"'] for k in kgs]
    phase_q = [_quote(p.name) for p in rules.phases]
    waitlists: dict[int, list[str]] = {}
    for kg, (rows, positions) in enumerate(
        zip(outcome.waitlist_rows, outcome.waitlist_positions, strict=True)
    ):
        for row, position in zip(rows.tolist(), positions.tolist(), strict=True):
            waitlists.setdefault(row, []).append(
                '{"kindergarten":' + kg_q[kg] + ',"position":' + str(position) + "}"
            )
    placed = outcome.placed.tolist()
    block = outcome.block.tolist()
    phase = outcome.phase.tolist()
    over = outcome.over_capacity.tolist()
    moved = outcome.moved_from.tolist()
    indptr = outcome.win_indptr.tolist()
    win_kg = outcome.win_kindergartens.tolist()
    win_block = outcome.win_blocks.tolist()
    win_phase = outcome.win_phases.tolist()
    ticket_hex = outcome.tickets.tobytes().hex()
    choice_hex = (
        outcome.choice_tickets.tobytes().hex() if outcome.choice_tickets is not None else None
    )
    width = outcome.choice_kindergartens.shape[1]
    counts = (outcome.choice_kindergartens >= 0).sum(axis=1).tolist()
    regs = outcome.registration_numbers
    lines = []
    for row in outcome.draw_order.tolist():
        kg = placed[row]
        wins = ",".join(
            '{"block":'
            + block_q[win_kg[i]][win_block[i]]
            + ',"kindergarten":'
            + kg_q[win_kg[i]]
            + ',"phase":'
            + (phase_q[win_phase[i]] if win_phase[i] >= 0 else "null")
            + "}"
            for i in range(indptr[row], indptr[row + 1])
        )
        if choice_hex is not None:
            base = row * width * 64
            choice_text = ",".join(
                '"' + choice_hex[base + c * 64 : base + c * 64 + 64] + '"'
                for c in range(counts[row])
            )
        else:
            choice_text = ""
        lines.append(
            (
                '{"block":'
                + (block_q[kg][block[row]] if kg >= 0 else "null")
                + ',"choice_tickets":['
                + choice_text
                + '],"moved_from":'
                + (kg_q[moved[row]] if moved[row] >= 0 else "null")
                + ',"over_capacity":'
                + ("true" if over[row] else "false")
                + ',"phase":'
                + (phase_q[phase[row]] if kg >= 0 and phase[row] >= 0 else "null")
                + ',"placed":'
                + (kg_q[kg] if kg >= 0 else "null")
                + ',"registration_number":'
                + _quote(regs[row])
                + ',"ticket":"'
                + ticket_hex[row * 64 : row * 64 + 64]
                + '","waitlist":['
                + ",".join(waitlists.get(row, ()))
                + '],"wins":['
                + wins
                + "]}"
            ).encode("utf-8")
        )
    return lines


def results_root(draw_id: str, lines: Sequence[bytes]) -> bytes:
    """The Merkle root over result lines (RFC 9162, leaves from :func:`result_leaf`)."""
    return merkle_root([result_leaf(draw_id, line) for line in lines])


def records_tree(draw_id: str, lines: Sequence[bytes]) -> MerkleTree:
    """The Merkle tree over record lines, to cut parents' inclusion proofs from."""
    return MerkleTree(record_leaf(draw_id, line) for line in lines)


def results_tree(draw_id: str, lines: Sequence[bytes]) -> MerkleTree:
    """The Merkle tree over result lines."""
    return MerkleTree(result_leaf(draw_id, line) for line in lines)


def parse_result_line(line: bytes) -> dict[str, Any]:
    """Decode one result line.

    Raises:
        InputError: if the line is not canonical JSON of a result.
    """
    try:
        data = json.loads(line)
        if not isinstance(data, dict) or "registration_number" not in data:
            raise InputError("not a result line", value=line[:80])
        if canonical_json(data) != line:
            raise InputError("result line is not in RFC 8785 canonical form", value=line[:80])
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"malformed result line ({exc})", value=line[:80]) from exc
    return data

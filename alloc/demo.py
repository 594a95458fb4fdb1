"""The synthetic example draw, end to end, as one scripted protocol run.

Everything the README's first command shows: registration, the announcement
signed by bureau and notary, the seed ceremony, the draw, the transcript
signed by both, verification by a third party, three parents' proofs and a
result lookup. Keys and secrets come from a fixed stream so the run is the
same everywhere; a real draw uses :meth:`SigningKey.generate` and
:func:`alloc.seed.new_secret`.

Because the demo's private keys derive from this public code, anyone can
sign with them: they are *demo keys*. Their key ids are
:func:`demo_key_ids`, every place alloc shows one of them says so
(:func:`alloc.signing.key_label`), and the demo's rules carry
:data:`DEMO_MARK` in their title, so its announcement and report say it too.

The demo is dated 22–24 July 2026 (:data:`DEMO_TIMES`) so that a real, already
published drand quicknet round, 30662982 (2026-07-23 15:38:30 Beijing time),
falls after its reveal deadline: the demo cannot fetch a future round, so it
moves its own calendar to a past one and types that round's real published
signature, which every verifier checks against drand's public key. A real
draw names a round after its own deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from alloc import __version__
from alloc.audit import (
    Announcement,
    ParentReport,
    TimeWindow,
    Transcript,
    VerificationReport,
    check_parent_proof,
    check_transcript,
    document_digest,
    make_announcement,
    make_parent_proofs,
    make_transcript,
)
from alloc.clock import parse_time
from alloc.drand import QUICKNET
from alloc.draw import Outcome, draw
from alloc.i18n import _
from alloc.lookup import LookupAnswer, LookupIndex
from alloc.model import ApplicantTable, DrawRules
from alloc.registry import Registry, attach_identities
from alloc.seed import Ceremony, CeremonyRecord, Digits, DrandRound, Source, commitment
from alloc.signing import Envelope, SigningKey, TrustPolicy
from alloc.synthetic import Stream, synthetic_district, synthetic_registry

__all__ = ["DEMO_BEACON", "DEMO_MARK", "DEMO_TIMES", "DemoRun", "demo_key_ids", "run_demo"]

PARTIES = ("bureau", "notary", "parent-rep-1", "parent-rep-2")
DEMO_DRAW_ID = "2026-example-district"
DEMO_KEY_NAMES = ("bureau", "notary-1", "notary-2")
#: Put before the demo's title: its keys and secrets are public, nothing it signs means anything.
DEMO_MARK = "【演示 DEMO，密钥公开，不可信 / keys are public, not trusted】"
#: The ``software`` the demo's announcement and transcript name, so each says DEMO itself.
DEMO_SOFTWARE = f"alloc {__version__} DEMO (its keys are derived from public code: not trusted)"


def _demo_keys(stream: Stream) -> dict[str, SigningKey]:
    return {
        name: SigningKey.from_seed(stream.block(4).astype(">u8").tobytes())
        for name in DEMO_KEY_NAMES
    }


def demo_key_ids() -> frozenset[str]:
    """The key ids of the demo's keys, whose private keys anyone can derive from this code."""
    return frozenset(k.keyid for k in _demo_keys(Stream(_stream_label(DEMO_DRAW_ID))).values())


def _stream_label(draw_id: str) -> str:
    return f"demo keys and secrets/{draw_id}"


#: The demo's calendar: every step happens at the time given here.
DEMO_TIMES: Final = {
    "frozen_at": "2026-07-22T17:00:00+08:00",
    "opened_at": "2026-07-23T15:00:00+08:00",
    "reveal": "2026-07-23T15:10:00+08:00",
    "reveal_deadline": "2026-07-23T15:30:00+08:00",
    "beacon_read": "2026-07-23T15:40:00+08:00",
    "lottery_drawn": "2026-07-23T21:15:00+08:00",
    "draw_at": "2026-07-24T09:30:00+08:00",
    "lottery_read": "2026-07-24T09:30:00+08:00",
    "created": "2026-07-24T09:35:00+08:00",
}

#: drand quicknet rounds 30662982 and 30662990 as drand published them (see
#: tests/vectors/drand.json for where they are pinned).
DEMO_BEACON: Final = {
    30662982: "8b3edd0d42a2fa36ac15641a2dea2e4f4895acec2ef72ef39e5b6138f0346fb6"
    "b046dde1b4b3d09ff5fe8a6a7acd674a",
    30662990: "8b2ebe176d153849d5db7f358a3a21be96f8c5d1c26ed2b530fff4419face890"
    "9d77f4ee6a211623e2432c30841411b5",
}


def _at(step: str) -> datetime:
    return parse_time(DEMO_TIMES[step], field=step)


@dataclass(frozen=True)
class DemoRun:
    """Every artefact of the example draw (public files as their exact bytes)."""

    rules: DrawRules
    applicants: ApplicantTable
    registry: Registry
    keys: dict[str, SigningKey]
    policy: TrustPolicy
    announcement: Envelope
    ceremony: CeremonyRecord
    outcome: Outcome
    transcript: Envelope
    records: list[bytes]
    results: list[bytes]
    report: VerificationReport
    parent_reports: dict[str, ParentReport]
    lookup: LookupAnswer


def run_demo(*, applicants: int = 5000, kindergartens: int = 30) -> DemoRun:
    """Run the whole protocol on the synthetic district.

    Raises:
        AllocError: only if alloc itself is broken; the run is fixed data.
    """
    district = synthetic_district(
        draw_id=DEMO_DRAW_ID, applicants=applicants, kindergartens=kindergartens
    )
    rules = replace(district.rules, title=f"{DEMO_MARK}{district.rules.title}")
    registry = synthetic_registry(district.applicants)
    table = attach_identities(district.applicants, registry, rules.draw_id)

    stream = Stream(_stream_label(rules.draw_id))
    keys = _demo_keys(stream)
    policy = TrustPolicy.of(
        bureau=[keys["bureau"].public], notary=[keys["notary-1"].public, keys["notary-2"].public]
    )

    # Parties commit before the list is frozen; the plan goes into the announcement.
    secrets = {p: stream.block(4).astype(">u8").tobytes() for p in PARTIES}
    lottery = Source(
        "welfare-3d",
        Digits(count=3, drawn_at=_at("lottery_drawn")),
        "福彩3D 2026年7月23日 开奖号码（演示）",
    )
    beacon = Source(
        "drand-30662982",
        DrandRound(QUICKNET, 30662982),
        "drand quicknet 第30662982轮（演示：已公布的真实轮次，演示日期据此设定）",
    )
    fallback = Source(
        "drand-30662990",
        DrandRound(QUICKNET, 30662990),
        "drand quicknet 第30662990轮，未揭示方的替代来源（演示）",
    )
    ceremony = Ceremony.begin(rules.draw_id, sources=[lottery, beacon], fallbacks=[fallback])
    for party in PARTIES:
        ceremony = ceremony.commit(
            party, commitment(rules.draw_id, party, secrets[party]), fallback=fallback.name
        )
    ceremony = ceremony.fix_plan()

    window = TimeWindow(
        frozen_at=DEMO_TIMES["frozen_at"],
        draw_at=DEMO_TIMES["draw_at"],
        reveal_deadline=DEMO_TIMES["reveal_deadline"],
    )
    notice, records = make_announcement(rules, table, ceremony.plan, window=window)
    notice = replace(notice, software=DEMO_SOFTWARE)
    announcement = notice.envelope().sign(keys["bureau"]).sign(keys["notary-1"])

    # On stage: reveals before the deadline; after it the beacon round, and on
    # the draw day the lottery numbers drawn the evening before; then the draw.
    ceremony = ceremony.open(
        document_digest(announcement), reveal_deadline=window.deadline, at=_at("opened_at")
    )
    for party in PARTIES:
        ceremony = ceremony.reveal(party, secrets[party], at=_at("reveal"))
    ceremony = ceremony.add_source(beacon.name, DEMO_BEACON[30662982], at=_at("beacon_read"))
    record = ceremony.add_source(lottery.name, "381", at=_at("lottery_read")).finish()
    outcome = draw(rules, table, record.seed)
    transcript_doc, results = make_transcript(
        announcement, rules, record, outcome, created=DEMO_TIMES["created"]
    )
    transcript_doc = replace(transcript_doc, software=DEMO_SOFTWARE)
    transcript = transcript_doc.envelope().sign(keys["bureau"]).sign(keys["notary-1"])

    # Anyone: verify from the public files alone.
    report = check_transcript(
        transcript,
        announcement=announcement,
        rules=rules,
        records=records,
        policy=policy,
        results=results,
    )

    # Three parents check their own child; one looks the result up.
    chosen = [outcome.registration_numbers[int(r)] for r in outcome.draw_order[:1]]
    chosen.append(outcome.unplaced[0] if outcome.unplaced else outcome.registration_numbers[1])
    grouped = (
        [
            reg
            for reg, g in zip(table.registration_numbers, table.groups.tolist(), strict=True)
            if g >= 0
        ]
        if table.groups is not None
        else []
    )
    chosen.append(grouped[0] if grouped else outcome.registration_numbers[2])
    proofs = make_parent_proofs(rules.draw_id, records, results, chosen)
    parent_reports = {}
    for reg in chosen:
        entry = registry[reg]
        parent_reports[reg] = check_parent_proof(
            proofs[reg],
            registration_number=reg,
            salt=entry.salt,
            document_type=entry.identity.document_type,
            document_number=entry.identity.document_number,
            name=entry.identity.name,
            announcement=announcement,
            transcript=transcript,
            policy=policy,
        )
    asker = registry[chosen[0]].identity
    answer = LookupIndex.build(registry, outcome).lookup(asker.document_number, asker.name)
    return DemoRun(
        rules=rules,
        applicants=table,
        registry=registry,
        keys=keys,
        policy=policy,
        announcement=announcement,
        ceremony=record,
        outcome=outcome,
        transcript=transcript,
        records=records,
        results=results,
        report=report,
        parent_reports=parent_reports,
        lookup=answer,
    )


def describe(run: DemoRun) -> list[str]:
    """The run as the lines the command line prints."""
    rules, outcome = run.rules, run.outcome
    notice = Announcement.from_envelope(run.announcement)
    tx = Transcript.from_envelope(run.transcript)
    # Labels are padded inside each message, so a translation aligns its own columns.
    out = [
        f"{rules.title} — {rules.authority}",
        _(
            "draw {draw_id}: {applicants} applicants, {kindergartens} kindergartens,"
            " {seats} seats, mechanism {mechanism}, multiples {multiples}"
        ).format(
            draw_id=rules.draw_id,
            applicants=len(run.applicants),
            kindergartens=len(rules.kindergartens),
            seats=sum(k.seats for k in rules.kindergartens),
            mechanism=rules.mechanism.value,
            multiples=rules.multiples.value,
        ),
        "",
        _("== announcement (before any randomness) =="),
        _("rules digest     {digest}").format(digest=notice.rules_digest.hex()),
        _("input root       {root} ({count} records)").format(
            root=notice.records_root.hex(), count=notice.records_count
        ),
        _("announcement     {digest}").format(digest=document_digest(run.announcement).hex()),
        _("signed by        {signers}").format(signers=run.policy.describe(run.announcement)),
        "",
        _(
            "== seed ceremony (demo dates: {start} to {end}, around a real past drand round) =="
        ).format(start=DEMO_TIMES["frozen_at"][:10], end=DEMO_TIMES["draw_at"][:10]),
        _("reveal deadline  {deadline}; draw at {draw_at}").format(
            deadline=notice.window.reveal_deadline, draw_at=notice.window.draw_at
        ),
    ]
    for party in run.ceremony.plan.parties:
        out.append(
            _("commit  {party:<14} {commitment}").format(
                party=party.name, commitment=party.commitment.hex()
            )
        )
    for contribution in run.ceremony.contributions:
        value = contribution.secret.hex() if contribution.secret else contribution.fallback
        out.append(_("reveal  {party:<14} {value}").format(party=contribution.party, value=value))
    for source in run.ceremony.sources:
        out.append(_("source  {source:<14} {value}").format(source=source.name, value=source.value))
        announced = run.ceremony.plan.source(source.name)
        what = announced.form.describe(like=notice.window.deadline)
        out.append(
            f"        {'':<14} "
            + _("{form}: {description}").format(form=what, description=announced.description)
        )
    out += [
        _("seed    {seed}").format(seed=run.ceremony.seed.hex()),
        "",
        _("== kindergartens =="),
        _("id     seats  listed   1st  placed  left  over"),
    ]
    for s in outcome.summaries:
        out.append(
            f"{s.id:<6}{s.seats:>6}{s.applicants:>8}{s.first_choice:>6}{s.placed:>8}"
            f"{s.left_over:>6}{s.over_capacity:>6}"
        )
    out += ["", _("== lottery, in draw order (lower number first) ==")]
    for rank, result in enumerate(outcome, start=1):
        where = result.placed or _("unplaced")
        if result.block and result.block != "open":
            where = f"{where} ({result.block})"
        if result.over_capacity:
            where = _("{place} over plan").format(place=where)
        if result.waitlist:
            where = _("{place}  waitlist {positions}").format(
                place=where, positions=", ".join(f"{k}#{p}" for k, p in result.waitlist)
            )
        out.append(f"{rank:>6}  {result.registration_number:<14} {result.ticket.hex()}  {where}")
    out += [
        "",
        _("placed {placed}, unplaced {unplaced}").format(
            placed=sum(s.placed for s in outcome.summaries), unplaced=len(outcome.unplaced)
        ),
        "",
        _("== transcript =="),
        _("results root     {root} ({count} results)").format(
            root=tx.results_root.hex(), count=tx.results_count
        ),
        _("signed by        {signers}").format(signers=run.policy.describe(run.transcript)),
        "",
        _("== verification by a third party (public files only) =="),
        str(run.report),
        "",
        _("== three parents check their own child =="),
    ]
    for reg, report in run.parent_reports.items():
        out.append(f"-- {reg} --")
        out.append(str(report))
    out += [
        "",
        _("== result lookup (ID number + name) =="),
        f"{run.lookup.masked_name} {run.lookup.masked_document_number}: {run.lookup.message}",
    ]
    return out

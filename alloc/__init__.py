"""alloc: auditable lotteries and seat allocation.

The engine behind a kindergarten computer draw (电脑派位) that anyone can
re-run and check: a public seed ceremony, lottery numbers a parent can
recompute, one deterministic allocation engine, signed announcements and
transcripts, and verification by anyone.

The names a program embedding alloc needs are here::

    from alloc import Applicant, DrawRules, Kindergarten, Mechanism, draw

    rules = DrawRules("2026-demo", [Kindergarten("K01", "一幼", seats=30)])
    outcome = draw(rules, [Applicant("A1", ["K01"])], seed)

Note that ``alloc.draw`` is the function; the engine module's other names
are imported with ``from alloc.draw import ...``. Every error alloc raises
on purpose is an :class:`AllocError` with a stable ``code``. Messages are
in Chinese (zh-CN) unless ``alloc.set_language("en")``, ``with
alloc.override_language("en"):`` or ``ALLOC_LANG=en`` asks for English.
Importing alloc loads numpy and cryptography but never pandas or openpyxl
(only ``alloc.io`` reads spreadsheets, and it loads them when it reads one).
"""

from alloc._version import DISTRIBUTION, __version__
from alloc.audit import (
    Announcement,
    Check,
    ParentProof,
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
    rules_digest,
    verify_parent_proof,
    verify_transcript,
)
from alloc.canonical import SPEC_VERSION
from alloc.draw import ApplicantOutcome, KindergartenSummary, Outcome, Win, draw
from alloc.errors import (
    AllocError,
    CeremonyError,
    DuplicateError,
    InputError,
    RulesError,
    RulesTypeError,
    VerificationError,
    WrongTypeError,
)
from alloc.i18n import Language, get_language, override_language, set_language
from alloc.identity import DocumentType, identity_commitment, new_salt
from alloc.model import (
    Applicant,
    ApplicantTable,
    DrawRules,
    Fact,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    SeatBlock,
    TieBreak,
)
from alloc.records import record_lines, result_lines
from alloc.rounds import (
    Answer,
    Response,
    RoundOutcome,
    Standing,
    Standings,
    Unanswered,
    first_standings,
    next_round,
)
from alloc.seed import (
    Ceremony,
    CeremonyRecord,
    Digits,
    DrandRound,
    Numbers,
    SeedPlan,
    Source,
    SourceKind,
    commitment,
    new_secret,
    parse_seed,
)
from alloc.signing import Envelope, PublicKey, Role, SigningKey, TrustPolicy
from alloc.tickets import group_ticket, ticket

__all__ = [
    "DISTRIBUTION",
    "SPEC_VERSION",
    "AllocError",
    "Announcement",
    "Answer",
    "Applicant",
    "ApplicantOutcome",
    "ApplicantTable",
    "Ceremony",
    "CeremonyError",
    "CeremonyRecord",
    "Check",
    "Digits",
    "DocumentType",
    "DrandRound",
    "DrawRules",
    "DuplicateError",
    "Envelope",
    "Fact",
    "InputError",
    "Kindergarten",
    "KindergartenSummary",
    "Language",
    "Mechanism",
    "MultiplesPolicy",
    "Numbers",
    "Outcome",
    "ParentProof",
    "ParentReport",
    "Phase",
    "PublicKey",
    "Response",
    "Role",
    "RoundOutcome",
    "RulesError",
    "RulesTypeError",
    "SeatBlock",
    "SeedPlan",
    "SigningKey",
    "Source",
    "SourceKind",
    "Standing",
    "Standings",
    "TieBreak",
    "TimeWindow",
    "Transcript",
    "TrustPolicy",
    "Unanswered",
    "VerificationError",
    "VerificationReport",
    "Win",
    "WrongTypeError",
    "__version__",
    "check_parent_proof",
    "check_transcript",
    "commitment",
    "document_digest",
    "draw",
    "first_standings",
    "get_language",
    "group_ticket",
    "identity_commitment",
    "make_announcement",
    "make_parent_proofs",
    "make_transcript",
    "new_salt",
    "new_secret",
    "next_round",
    "override_language",
    "parse_seed",
    "record_lines",
    "result_lines",
    "rules_digest",
    "set_language",
    "ticket",
    "verify_parent_proof",
    "verify_transcript",
]

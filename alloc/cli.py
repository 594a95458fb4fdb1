"""The ``alloc`` command line: a thin shell over the public API.

Every step of the protocol is a command working on a *draw folder*::

    rules.json                 the draw's rules (public)
    trust.json                 who must sign: roles, keys, thresholds (public)
    ceremony.json              the seed ceremony's state (public once revealed)
    public/                    everything a notary or parent needs to verify
        rules.json trust.json records.jsonl announcement.json
        transcript.json results.jsonl
    private/                   names and document numbers: never publish
        registry.json receipts.csv results.csv
    publish/                   notice boards (masked) and the HTML report

Exit codes: 0 success, 2 invalid input, 3 verification failed, 4 internal error.
Nothing is overwritten without ``--force``; every file is written atomically.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alloc import __version__
from alloc import io as files
from alloc.audit import (
    Announcement,
    ParentProof,
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
from alloc.canonical import canonical_json
from alloc.demo import describe, run_demo
from alloc.draw import Outcome, draw
from alloc.errors import AllocError, InputError, MalformedDocumentError, VerificationError
from alloc.identity import DocumentType, parse_salt
from alloc.lookup import LookupIndex
from alloc.model import DrawRules, Kindergarten, Mechanism, MultiplesPolicy, Phase, TieBreak
from alloc.records import parse_record_lines
from alloc.registry import Registry, registry_from_json, registry_to_json
from alloc.report import render_report
from alloc.seed import Ceremony, Source, SourceKind, Stage, commitment, new_secret
from alloc.sheets import ENCODING_NAMES
from alloc.signing import Envelope, PublicKey, Role, SigningKey, TrustPolicy

__all__ = [
    "EXIT_INTERNAL_ERROR",
    "EXIT_INVALID_INPUT",
    "EXIT_OK",
    "EXIT_VERIFICATION_FAILED",
    "main",
]

EXIT_OK = 0
EXIT_INVALID_INPUT = 2
EXIT_VERIFICATION_FAILED = 3
EXIT_INTERNAL_ERROR = 4


class CommandError(InputError):
    """A command line usage problem (missing file, wrong option)."""


@dataclass
class Console:
    """Where a command's human text and its --json result go."""

    json_mode: bool
    quiet: bool
    started: float = 0.0

    def say(self, text: str = "") -> None:
        if not self.json_mode:
            print(text)

    def step(self, text: str) -> None:
        """Progress of a long step, on stderr so --json output stays clean."""
        if not self.quiet:
            now = time.perf_counter()
            if not self.started:
                self.started = now
            print(f"[{now - self.started:7.2f}s] {text}", file=sys.stderr, flush=True)

    def result(self, data: dict[str, Any]) -> None:
        if self.json_mode:
            print(json.dumps(data, ensure_ascii=False, indent=2))


# --- folder layout ---------------------------------------------------------------


@dataclass(frozen=True)
class DrawFolder:
    root: Path

    @property
    def rules(self) -> Path:
        return self.root / "rules.json"

    @property
    def trust(self) -> Path:
        return self.root / "trust.json"

    @property
    def ceremony(self) -> Path:
        return self.root / "ceremony.json"

    @property
    def public(self) -> Path:
        return self.root / "public"

    @property
    def private(self) -> Path:
        return self.root / "private"

    @property
    def publish(self) -> Path:
        return self.root / "publish"

    @property
    def records(self) -> Path:
        return self.public / "records.jsonl"

    @property
    def results(self) -> Path:
        return self.public / "results.jsonl"

    @property
    def announcement(self) -> Path:
        return self.public / "announcement.json"

    @property
    def transcript(self) -> Path:
        return self.public / "transcript.json"

    @property
    def registry(self) -> Path:
        return self.private / "registry.json"


def _folder(args: argparse.Namespace) -> DrawFolder:
    return DrawFolder(Path(args.dir))


def _require(path: Path, what: str, hint: str) -> Path:
    if not path.exists():
        raise CommandError(f"{what} not found", source=str(path), hint=hint)
    return path


def _read_json(path: Path, what: str, hint: str) -> Any:
    _require(path, what, hint)
    try:
        return json.loads(path.read_bytes())
    except ValueError as exc:
        raise CommandError(f"{what} is not valid JSON ({exc})", source=str(path)) from exc


def _rules(folder: DrawFolder) -> DrawRules:
    _require(folder.rules, "rules", "create it with `alloc rules init`")
    return files.read_rules(folder.rules)


def _policy(path: Path) -> TrustPolicy:
    return TrustPolicy.from_json(
        _read_json(path, "trust policy", "create it with `alloc policy create`")
    )


def _ceremony(folder: DrawFolder) -> Ceremony:
    return Ceremony.from_json(
        _read_json(folder.ceremony, "ceremony state", "start it with `alloc ceremony begin`")
    )


def _save_ceremony(folder: DrawFolder, ceremony: Ceremony) -> None:
    files.write_bytes(folder.ceremony, canonical_json(ceremony.to_json()) + b"\n", force=True)


def _envelope(path: Path, kind: str) -> Envelope:
    _require(path, kind, f"the {kind} is written by alloc into the public folder")
    return files.read_envelope(path, kind)


# --- commands ----------------------------------------------------------------------


def cmd_keys_generate(args: argparse.Namespace, out: Console) -> int:
    """Create an Ed25519 key pair: NAME.key (private, PEM) and NAME.pub."""
    directory = Path(args.out)
    directory.mkdir(parents=True, exist_ok=True)
    password = Path(args.password_file).read_bytes().strip() if args.password_file else None
    key = SigningKey.generate()
    private = directory / f"{args.name}.key"
    public = directory / f"{args.name}.pub"
    for path in (private, public):
        if path.exists() and not args.force:
            raise files.OutputExistsError(path)
    files.write_bytes(private, key.to_pem(password), force=args.force, mode=0o600)
    files.write_bytes(directory / f"{args.name}.pub", key.public.to_pem(), force=args.force)
    out.say(f"key {args.name}: id {key.keyid}")
    out.say(f"private key {private} (keep it offline); public key {directory / args.name}.pub")
    out.result(
        {
            "name": args.name,
            "keyid": key.keyid,
            "private": str(private),
            "public": str(directory / f"{args.name}.pub"),
        }
    )
    return EXIT_OK


def cmd_policy_create(args: argparse.Namespace, out: Console) -> int:
    """Write trust.json: every role must reach its threshold."""
    thresholds = dict(_pair(t, "--threshold") for t in args.threshold or [])
    roles = []
    for spec in args.role:
        name, paths = _pair(spec, "--role")
        keys = tuple(PublicKey.from_pem(Path(p).read_bytes()) for p in paths.split(","))
        threshold = thresholds.get(name, "1")
        if not threshold.isdigit():
            raise CommandError(
                "threshold must be a whole number",
                field="--threshold",
                value=threshold,
                hint="e.g. --threshold notary=1",
            )
        roles.append(Role(name=name, keys=keys, threshold=int(threshold)))
    policy = TrustPolicy(roles=tuple(roles))
    files.write_bytes(Path(args.out), canonical_json(policy.to_json()) + b"\n", force=args.force)
    for role in policy.roles:
        out.say(f"{role.name}: {role.threshold} of {len(role.keys)} keys")
    out.result(policy.to_json())
    return EXIT_OK


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise CommandError("expected NAME=VALUE", field=option, value=text)
    return name.strip(), value.strip()


def cmd_rules_init(args: argparse.Namespace, out: Console) -> int:
    """Write rules.json from a kindergarten spreadsheet and draw options."""
    kindergartens: tuple[Kindergarten, ...] = files.read_kindergartens(Path(args.kindergartens))
    phases: tuple[Phase, ...] = ()
    if args.owners_phase:
        phases = (Phase("owners", fact="owner", blocks=("owners",)), Phase("social"))
    rules = DrawRules(
        draw_id=args.draw_id,
        title=args.title or "",
        authority=args.authority or "",
        kindergartens=kindergartens,
        mechanism=Mechanism(args.mechanism),
        tie_break=TieBreak(args.tie_break),
        tiers=tuple(t for t in (args.tiers or "").split(",") if t),
        multiples=MultiplesPolicy(args.multiples),
        waitlist_length=args.waitlist,
        min_lottery_percent=args.min_lottery_percent,
        phases=phases,
    )
    path = Path(args.out)
    files.write_bytes(
        path,
        json.dumps(rules.to_json(), ensure_ascii=False, indent=2).encode() + b"\n",
        force=args.force,
    )
    out.say(
        f"wrote {path}: {len(kindergartens)} kindergartens,"
        f" {sum(k.seats for k in kindergartens)} seats"
    )
    out.result(rules.to_json())
    return EXIT_OK


def _read_applicants(
    args: argparse.Namespace,
    rules: DrawRules,
    out: Console,
    previous: Registry | None = None,
) -> files.ApplicantImport:
    """The applicant export, mapped and checked against the rules in one pass."""
    out.step(f"reading {args.applicants}")
    imported = files.read_applicants(
        Path(args.applicants),
        draw_id=rules.draw_id,
        sheet=args.sheet,
        rules=rules,
        tier_labels=files.tier_labels_from(args.tier_label or ()),
        previous=previous,
    )
    read_as = (
        f", sheet {imported.sheet!r}"
        if imported.sheet is not None
        else f" ({ENCODING_NAMES.get(imported.encoding or '', imported.encoding)})"
    )
    out.say(f"read {imported.source}{read_as}: {len(imported.table)} applicants")
    for note in imported.notes:
        out.say(f"  note: {note}")
    if imported.ignored:
        shown = ", ".join(f"{c.letter} {c.header}" for c in imported.ignored)
        out.say(f"  ignored columns (not used by alloc): {shown}")
    return imported


def _import_summary(imported: files.ApplicantImport) -> dict[str, Any]:
    return {
        "applicants": len(imported.table),
        "source": imported.source,
        "sheet": imported.sheet,
        "encoding": imported.encoding,
        "ignored_columns": [{"column": c.letter, "header": c.header} for c in imported.ignored],
        "notes": list(imported.notes),
    }


def cmd_validate(args: argparse.Namespace, out: Console) -> int:
    """Check the rules and an applicant spreadsheet; report every problem."""
    rules = files.read_rules(Path(args.rules))
    imported = _read_applicants(args, rules, out)
    count = len(imported.table)
    out.say(f"ok: {count} applicants, {len(rules.kindergartens)} kindergartens, no problems found")
    out.result({"ok": True, **_import_summary(imported)})
    return EXIT_OK


def _source(spec: str, option: str) -> Source:
    parts = spec.split(":", 2)
    if len(parts) < 2:
        raise CommandError(
            "expected NAME:KIND[:DESCRIPTION] (kind numbers, text or hex)", field=option, value=spec
        )
    try:
        kind = SourceKind(parts[1])
    except ValueError as exc:
        raise CommandError(
            "unknown source kind", field=option, value=parts[1], hint="use numbers, text or hex"
        ) from exc
    return Source(parts[0], kind, parts[2] if len(parts) > 2 else "")


def cmd_ceremony_begin(args: argparse.Namespace, out: Console) -> int:
    """Name the external sources and fallbacks before anyone commits."""
    folder = _folder(args)
    rules = _rules(folder)
    if folder.ceremony.exists() and not args.force:
        raise files.OutputExistsError(folder.ceremony)
    ceremony = Ceremony.begin(
        rules.draw_id,
        sources=[_source(s, "--source") for s in args.source or []],
        fallbacks=[_source(s, "--fallback") for s in args.fallback or []],
    )
    _save_ceremony(folder, ceremony)
    out.say(
        f"ceremony for {rules.draw_id}: sources "
        f"{', '.join(s.name for s in ceremony.sources) or 'none'}; fallbacks "
        f"{', '.join(s.name for s in ceremony.fallbacks) or 'none'}"
    )
    out.result(ceremony.to_json())
    return EXIT_OK


def cmd_ceremony_secret(args: argparse.Namespace, out: Console) -> int:
    """A party draws its secret (kept private until the reveal) and prints its commitment."""
    secret = new_secret()
    value = commitment(args.draw_id, args.party, secret)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    files.write_bytes(Path(args.out), secret.hex().encode() + b"\n", force=args.force, mode=0o600)
    out.say(f"secret written to {args.out}: keep it private until the reveal")
    out.say(f"commitment of {args.party}: {value.hex()}")
    out.result({"party": args.party, "commitment": value.hex(), "secret_file": args.out})
    return EXIT_OK


def _read_secret(path: str) -> bytes:
    raw = _require(Path(path), "secret file", "give the file `alloc ceremony secret` wrote")
    try:
        return bytes.fromhex(raw.read_bytes().decode("ascii").strip())
    except (UnicodeDecodeError, ValueError) as exc:
        raise CommandError(
            "the secret file does not hold hexadecimal digits",
            source=path,
            hint="give the file `alloc ceremony secret` wrote, unchanged",
        ) from exc


def cmd_ceremony_commit(args: argparse.Namespace, out: Console) -> int:
    """Record a party's published commitment and its fallback source."""
    folder = _folder(args)
    ceremony = _ceremony(folder)
    if args.secret:
        value = commitment(ceremony.draw_id, args.party, _read_secret(args.secret))
    elif args.commitment:
        try:
            value = bytes.fromhex(args.commitment)
        except ValueError as exc:
            raise CommandError(
                "commitment is not hex", field="--commitment", value=args.commitment
            ) from exc
    else:
        raise CommandError("give --commitment HEX or --secret FILE", field="--commitment")
    ceremony = ceremony.commit(args.party, value, fallback=args.fallback)
    _save_ceremony(folder, ceremony)
    out.say(f"committed {args.party}: {value.hex()} (fallback {args.fallback})")
    out.result({"party": args.party, "commitment": value.hex()})
    return EXIT_OK


def cmd_freeze(args: argparse.Namespace, out: Console) -> int:
    """Freeze the applicant list: records, the announcement (unsigned) and the registry."""
    folder = _folder(args)
    rules = _rules(folder)
    ceremony = _ceremony(folder)
    # Salts are made once: a re-freeze keeps every receipt already printed.
    previous = _registry(folder) if folder.registry.exists() else None
    imported = _read_applicants(args, rules, out, previous)
    for path in (folder.records, folder.announcement, folder.registry):
        if path.exists() and not args.force:
            raise files.OutputExistsError(path)
    if ceremony.stage is Stage.REVEALING:
        raise CommandError(
            "reveals are already open: the list can no longer be frozen again",
            source=str(folder.ceremony),
            hint="a new freeze needs a new ceremony and announcement",
        )
    plan_ceremony = ceremony.fix_plan() if ceremony.stage is Stage.COMMITTING else ceremony
    window = TimeWindow(
        frozen_at=args.frozen_at or _now(),
        draw_at=args.draw_at,
        reveal_deadline=args.reveal_deadline,
    )
    out.step("committing to the records")
    notice, records = make_announcement(rules, imported.table, plan_ceremony.plan, window=window)
    folder.public.mkdir(parents=True, exist_ok=True)
    folder.private.mkdir(parents=True, exist_ok=True)
    files.write_lines(folder.records, records, force=args.force)
    files.write_bytes(folder.announcement, notice.envelope().to_bytes(), force=args.force)
    files.write_bytes(
        folder.registry,
        canonical_json(registry_to_json(imported.registry)) + b"\n",
        force=args.force,
        mode=0o600,
    )
    if imported.receipts_generated:
        files.write_receipts(
            folder.private / "receipts.csv",
            imported.registry,
            new=frozenset(imported.new_salts),
            force=args.force,
        )
    for source, target in (
        (folder.rules, folder.public / "rules.json"),
        (folder.trust, folder.public / "trust.json"),
    ):
        if source.exists():
            files.write_bytes(target, source.read_bytes(), force=True)
    _save_ceremony(folder, plan_ceremony)
    out.say(f"frozen {notice.records_count} records under input root {notice.records_root.hex()}")
    out.say(f"announcement {folder.announcement}: sign it with `alloc sign`")
    if imported.receipts_generated:
        kept = len(imported.table) - len(imported.new_salts)
        if previous is not None:
            out.say(
                f"receipt salts: {kept} kept from {folder.registry}, {len(imported.new_salts)} new"
            )
        if imported.reissued:
            shown = ", ".join(imported.reissued[:10])
            more = " …" if len(imported.reissued) > 10 else ""
            out.say(
                f"{len(imported.reissued)} registration numbers now carry another document"
                f" number: their old receipts no longer match; print new ones ({shown}{more})"
            )
        out.say(f"receipts with salts for parents: {folder.private / 'receipts.csv'}")
        if imported.new_salts and previous is not None:
            out.say("  print the receipts marked new (是) in that file")
    out.result(
        {
            "records": notice.records_count,
            "input_root": notice.records_root.hex(),
            "announcement": str(folder.announcement),
            "new_salts": len(imported.new_salts),
            "reissued": len(imported.reissued),
            **_import_summary(imported),
        }
    )
    return EXIT_OK


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def cmd_sign(args: argparse.Namespace, out: Console) -> int:
    """Add a signature to an announcement or transcript (the signed part never changes)."""
    path = Path(args.document)
    _require(path, "document", "give the announcement.json or transcript.json path")
    try:
        envelope = Envelope.from_bytes(path.read_bytes())
    except MalformedDocumentError as exc:
        raise CommandError(
            f"not a signed document ({exc.problem})",
            source=str(path),
            hint="sign public/announcement.json or public/transcript.json as alloc wrote them",
        ) from exc
    password = Path(args.password_file).read_bytes().strip() if args.password_file else None
    key = SigningKey.from_pem(Path(args.key).read_bytes(), password)
    signed = envelope.sign(key)
    files.write_bytes(path, signed.to_bytes(), force=True)
    out.say(f"signed {path} with key {key.keyid} ({len(signed.signatures)} signature(s) now)")
    out.result({"document": str(path), "keyid": key.keyid, "signatures": len(signed.signatures)})
    return EXIT_OK


def cmd_ceremony_open(args: argparse.Namespace, out: Console) -> int:
    """Open reveals on the signed announcement (checked against trust.json first)."""
    folder = _folder(args)
    announcement = _envelope(folder.announcement, "announcement")
    policy = _policy(folder.trust)
    policy.verify(announcement, document="announcement")
    notice = Announcement.from_envelope(announcement)
    ceremony = _ceremony(folder)
    if notice.seed_plan != ceremony.plan:
        raise VerificationError("the announcement's seed plan is not this ceremony's plan")
    digest = document_digest(announcement)
    _save_ceremony(folder, ceremony.open(digest))
    out.say(f"reveals open on announcement {digest.hex()}")
    out.result({"announcement": digest.hex()})
    return EXIT_OK


def cmd_ceremony_reveal(args: argparse.Namespace, out: Console) -> int:
    """Reveal a party's secret on stage; it must match the published commitment."""
    folder = _folder(args)
    ceremony = _ceremony(folder).reveal(args.party, _read_secret(args.secret))
    _save_ceremony(folder, ceremony)
    out.say(f"reveal of {args.party} matches its commitment")
    out.say(_missing_text(ceremony))
    out.result({"party": args.party, "missing": ceremony.missing()})
    return EXIT_OK


def cmd_ceremony_default(args: argparse.Namespace, out: Console) -> int:
    """Declare that a party will not reveal: its announced fallback source replaces it."""
    folder = _folder(args)
    ceremony = _ceremony(folder).default(args.party)
    _save_ceremony(folder, ceremony)
    fallback = ceremony.plan.party(args.party).fallback
    out.say(f"{args.party} declared in default: fallback source {fallback} replaces it")
    out.say(_missing_text(ceremony))
    out.result({"party": args.party, "fallback": fallback, "missing": ceremony.missing()})
    return EXIT_OK


def cmd_ceremony_source(args: argparse.Namespace, out: Console) -> int:
    """Record the value of an announced external source (lottery numbers, a beacon)."""
    folder = _folder(args)
    ceremony = _ceremony(folder)
    kind = ceremony.plan.source(args.name).kind
    value: object = args.value
    if kind is SourceKind.NUMBERS:
        try:
            value = [int(x) for x in args.value.replace(",", " ").split()]
        except ValueError as exc:
            raise CommandError(
                "expected whole numbers separated by spaces", field="--value", value=args.value
            ) from exc
    ceremony = ceremony.add_source(args.name, value)
    _save_ceremony(folder, ceremony)
    out.say(f"source {args.name} = {ceremony.source_values[-1].value}")
    out.say(_missing_text(ceremony))
    out.result(
        {
            "source": args.name,
            "value": ceremony.source_values[-1].value,
            "missing": ceremony.missing(),
        }
    )
    return EXIT_OK


def _missing_text(ceremony: Ceremony) -> str:
    missing = ceremony.missing()
    return (
        "still needed: " + "; ".join(missing)
        if missing
        else "everything is in: run `alloc ceremony seed`"
    )


def cmd_ceremony_status(args: argparse.Namespace, out: Console) -> int:
    """Show the ceremony's stage, the commitments and what is still missing."""
    ceremony = _ceremony(_folder(args))
    out.say(f"stage {ceremony.stage.value}")
    for party in ceremony.parties:
        out.say(f"  {party.name}: {party.commitment.hex()}")
    out.say(_missing_text(ceremony))
    out.result({"stage": ceremony.stage.value, "missing": ceremony.missing()})
    return EXIT_OK


def cmd_ceremony_seed(args: argparse.Namespace, out: Console) -> int:
    """Derive the seed once every party has revealed and every source is in."""
    folder = _folder(args)
    record = _ceremony(folder).finish()
    record.verify()
    out.say(f"seed {record.seed.hex()}")
    out.result({"seed": record.seed.hex()})
    return EXIT_OK


def cmd_draw(args: argparse.Namespace, out: Console) -> int:
    """Run the draw from the public records and the seed; write results and transcript."""
    folder = _folder(args)
    rules = _rules(folder)
    for path in (folder.results, folder.transcript):
        if path.exists() and not args.force:
            raise files.OutputExistsError(path)
    announcement = _envelope(folder.announcement, "announcement")
    _policy(folder.trust).verify(announcement, document="announcement")
    record = _ceremony(folder).finish()
    out.step("reading the public records")
    records = files.read_lines(_require(folder.records, "records", "run `alloc freeze` first"))
    table = parse_record_lines(records)
    out.step(f"drawing {len(table)} applicants with seed {record.seed.hex()[:16]}…")
    outcome = draw(rules, table, record.seed)
    previous = files.read_envelope(Path(args.previous), "transcript") if args.previous else None
    out.step("writing results and the transcript")
    transcript, results = make_transcript(
        announcement, rules, record, outcome, created=args.created or _now(), previous=previous
    )
    files.write_lines(folder.results, results, force=args.force)
    files.write_bytes(folder.transcript, transcript.envelope().to_bytes(), force=args.force)
    placed = sum(s.placed for s in outcome.summaries)
    out.say(f"drew {len(table)} applicants: {placed} seats taken, {len(outcome.unplaced)} unplaced")
    out.say(f"results root {transcript.results_root.hex()}")
    out.say(f"transcript {folder.transcript}: sign it with `alloc sign`")
    out.result(
        {
            "applicants": len(table),
            "placed": placed,
            "unplaced": len(outcome.unplaced),
            "seed": record.seed.hex(),
            "results_root": transcript.results_root.hex(),
        }
    )
    return EXIT_OK


def _public_paths(args: argparse.Namespace) -> dict[str, Path]:
    base = Path(args.dir) / "public" if args.dir else None
    names = {
        "rules": "rules.json",
        "trust": "trust.json",
        "announcement": "announcement.json",
        "transcript": "transcript.json",
        "records": "records.jsonl",
        "results": "results.jsonl",
    }
    paths = {}
    for key, name in names.items():
        given = getattr(args, key, None)
        if given:
            paths[key] = Path(given)
        elif base is not None:
            paths[key] = base / name
        else:
            raise CommandError(f"give --{key} or --dir", field=f"--{key}")
    return paths


def cmd_verify(args: argparse.Namespace, out: Console) -> int:
    """Check everything from the public files alone; list every check."""
    paths = _public_paths(args)
    out.step("reading the public files")
    rules = files.read_rules(_require(paths["rules"], "rules", "it is in the public folder"))
    policy = _policy(paths["trust"])
    records = files.read_lines(_require(paths["records"], "records", "public/records.jsonl"))
    results = files.read_lines(paths["results"]) if paths["results"].exists() else None
    out.step("verifying (signatures, commitments, ceremony, re-running the draw)")
    previous = Path(args.previous).read_bytes() if args.previous else None
    report = check_transcript(
        _require(paths["transcript"], "transcript", "public/transcript.json").read_bytes(),
        announcement=_require(
            paths["announcement"], "announcement", "public/announcement.json"
        ).read_bytes(),
        rules=rules,
        records=records,
        policy=policy,
        results=results,
        previous=previous,
    )
    out.say(str(report))
    out.result(report.to_json())
    return EXIT_OK if report.ok else EXIT_VERIFICATION_FAILED


@dataclass(frozen=True)
class PublishedDraw:
    """A finished draw's public files, read from a draw folder."""

    rules: DrawRules
    announcement: Envelope
    transcript: Envelope
    records: list[bytes]
    results: list[bytes]
    policy: TrustPolicy

    @classmethod
    def load(cls, folder: DrawFolder) -> PublishedDraw:
        return cls(
            rules=_rules(folder),
            announcement=_envelope(folder.announcement, "announcement"),
            transcript=_envelope(folder.transcript, "transcript"),
            records=files.read_lines(_require(folder.records, "records", "run `alloc freeze`")),
            results=files.read_lines(_require(folder.results, "results", "run `alloc draw`")),
            policy=_policy(folder.trust),
        )

    def verify(self) -> VerificationReport:
        return check_transcript(
            self.transcript,
            announcement=self.announcement,
            rules=self.rules,
            records=self.records,
            policy=self.policy,
            results=self.results,
        )

    def outcome(self) -> Outcome:
        """The draw re-run from the public records and the transcript's seed."""
        seed = Transcript.from_envelope(self.transcript).seed
        return draw(self.rules, parse_record_lines(self.records), seed)

    def report_html(
        self, report: VerificationReport, outcome: Outcome, registry: Registry | None
    ) -> bytes:
        return render_report(
            rules=self.rules,
            announcement=self.announcement,
            transcript=self.transcript,
            outcome=outcome,
            report=report,
            policy=self.policy,
            registry=registry,
        ).encode("utf-8")


def cmd_publish(args: argparse.Namespace, out: Console) -> int:
    """Notice-board lists (masked), waitlists, the private full results and the report."""
    folder = _folder(args)
    published = PublishedDraw.load(folder)
    registry = _registry(folder)
    target = Path(args.out) if args.out else folder.publish
    if target.exists() and any(target.iterdir()) and not args.force:
        raise files.OutputExistsError(target)
    out.step("verifying before publishing")
    report = published.verify()
    if not report.ok:
        out.say(str(report))
        raise report.failures[0].error or VerificationError("verification failed")
    outcome = published.outcome()
    target.mkdir(parents=True, exist_ok=True)
    out.step("writing notice boards, waitlists and the report")
    suffix = f".{args.format}"
    private = folder.private / f"results{suffix}"
    if private.exists() and not args.force:
        raise files.OutputExistsError(private)
    written = files.write_notice_lists(
        target / "notice", outcome, registry, suffix=suffix, force=args.force
    )
    files.write_waitlists(target / f"waitlists{suffix}", outcome, registry, force=args.force)
    files.write_private_results(private, outcome, registry, force=args.force)
    html = published.report_html(report, outcome, registry)
    files.write_bytes(target / "report.html", html, force=args.force)
    out.say(f"published {len(written)} notice lists, waitlists and report.html to {target}")
    out.say(f"private full results: {private}")
    out.result({"published": str(target), "notice_lists": [str(p) for p in written]})
    return EXIT_OK


def _registry(folder: DrawFolder) -> Registry:
    return registry_from_json(
        _read_json(folder.registry, "private registry", "it is written by `alloc freeze`")
    )


def cmd_report(args: argparse.Namespace, out: Console) -> int:
    """Write the self-contained HTML report of a draw."""
    folder = _folder(args)
    published = PublishedDraw.load(folder)
    registry = _registry(folder) if folder.registry.exists() else None
    report = published.verify()
    html = published.report_html(report, published.outcome(), registry)
    files.write_bytes(Path(args.out), html, force=args.force)
    out.say(f"wrote {args.out} (verification {'passed' if report.ok else 'FAILED'})")
    out.result({"report": args.out, "verified": report.ok})
    return EXIT_OK if report.ok else EXIT_VERIFICATION_FAILED


def cmd_lookup(args: argparse.Namespace, out: Console) -> int:
    """Look a child's result up by document number and name."""
    folder = _folder(args)
    index = LookupIndex.build(_registry(folder), PublishedDraw.load(folder).outcome())
    answer = index.lookup(args.id, args.name, document_type=DocumentType(args.document_type))
    if answer.found:
        out.say(
            f"{answer.registration_number} {answer.masked_name} {answer.masked_document_number}"
        )
    out.say(answer.message)
    out.result(answer.to_json())
    return EXIT_OK


def cmd_proof_make(args: argparse.Namespace, out: Console) -> int:
    """The bureau hands a parent the proof file for their child."""
    folder = _folder(args)
    rules = _rules(folder)
    records = files.read_lines(_require(folder.records, "records", "run `alloc freeze`"))
    results = files.read_lines(_require(folder.results, "results", "run `alloc draw`"))
    proofs = make_parent_proofs(rules.draw_id, records, results, [args.registration_number])
    proof = proofs[args.registration_number]
    files.write_bytes(Path(args.out), canonical_json(proof.to_json()) + b"\n", force=args.force)
    out.say(f"proof for {args.registration_number} written to {args.out}")
    out.result(proof.to_json())
    return EXIT_OK


def cmd_proof_check(args: argparse.Namespace, out: Console) -> int:
    """A parent checks their own child: identity, record, lottery number, result."""
    proof = ParentProof.from_json(
        _read_json(Path(args.proof), "proof file", "ask the bureau or the lookup site for it")
    )
    policy = _policy(Path(args.trust)) if args.trust else None
    report = check_parent_proof(
        proof,
        registration_number=args.registration_number,
        salt=parse_salt(args.salt),
        document_type=DocumentType(args.document_type),
        document_number=args.id,
        name=args.name,
        announcement=_require(Path(args.announcement), "announcement", "").read_bytes(),
        transcript=_require(Path(args.transcript), "transcript", "").read_bytes(),
        policy=policy,
    )
    out.say(str(report))
    out.result(report.to_json())
    return EXIT_OK if report.ok else EXIT_VERIFICATION_FAILED


def cmd_demo(args: argparse.Namespace, out: Console) -> int:
    """Run the synthetic example draw end to end; with --out, write every file."""
    if args.out and Path(args.out).exists() and any(Path(args.out).iterdir()) and not args.force:
        raise files.OutputExistsError(Path(args.out))
    out.step("running the synthetic district draw end to end")
    run = run_demo(applicants=args.applicants, kindergartens=args.kindergartens)
    for line in describe(run):
        out.say(line)
    if args.out:
        _write_demo(run, Path(args.out), force=args.force, out=out)
    ok = run.report.ok and all(r.ok for r in run.parent_reports.values())
    out.result({"verified": run.report.ok, "seed": run.ceremony.seed.hex(), "out": args.out})
    return EXIT_OK if ok else EXIT_VERIFICATION_FAILED


def _write_demo(run: Any, target: Path, *, force: bool, out: Console) -> None:
    if target.exists() and any(target.iterdir()):
        if not force:
            raise files.OutputExistsError(target)
        shutil.rmtree(target)
    folder = DrawFolder(target)
    for path in (folder.public, folder.private, folder.publish / "proofs", target / "keys"):
        path.mkdir(parents=True, exist_ok=True)
    rules_bytes = json.dumps(run.rules.to_json(), ensure_ascii=False, indent=2).encode() + b"\n"
    trust_bytes = canonical_json(run.policy.to_json()) + b"\n"
    for path, data in (
        (folder.rules, rules_bytes),
        (folder.public / "rules.json", rules_bytes),
        (folder.trust, trust_bytes),
        (folder.public / "trust.json", trust_bytes),
    ):
        files.write_bytes(path, data)
    files.write_lines(folder.records, run.records)
    files.write_lines(folder.results, run.results)
    files.write_bytes(folder.announcement, run.announcement.to_bytes())
    files.write_bytes(folder.transcript, run.transcript.to_bytes())
    files.write_bytes(
        folder.ceremony, canonical_json(Ceremony.from_record(run.ceremony).to_json()) + b"\n"
    )
    files.write_bytes(
        folder.registry, canonical_json(registry_to_json(run.registry)) + b"\n", mode=0o600
    )
    for name, key in run.keys.items():
        files.write_bytes(target / "keys" / f"{name}.pub", key.public.to_pem())
    files.write_applicants(folder.private / "applicants.csv", run.applicants, run.registry)
    written = files.write_notice_lists(folder.publish / "notice", run.outcome, run.registry)
    files.write_waitlists(folder.publish / "waitlists.csv", run.outcome, run.registry)
    files.write_private_results(folder.private / "results.csv", run.outcome, run.registry)
    html = render_report(
        rules=run.rules,
        announcement=run.announcement,
        transcript=run.transcript,
        outcome=run.outcome,
        report=run.report,
        policy=run.policy,
        registry=run.registry,
    )
    files.write_bytes(folder.publish / "report.html", html.encode("utf-8"))
    proofs = make_parent_proofs(
        run.rules.draw_id, run.records, run.results, list(run.parent_reports)
    )
    for reg, proof in proofs.items():
        files.write_bytes(
            folder.publish / "proofs" / f"{reg}.json", canonical_json(proof.to_json()) + b"\n"
        )
    out.say("")
    out.say(
        f"wrote the draw folder {target}: public/ (verify with `alloc verify --dir"
        f" {target}`), publish/ ({len(written)} notice lists, report.html), private/"
    )


# --- parser ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alloc",
        description="Auditable kindergarten draws (电脑派位): every step of the protocol.",
        epilog="Exit codes: 0 success, 2 invalid input, 3 verification failed, 4 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"alloc {__version__}")
    parser.add_argument("--json", action="store_true", help="print a JSON result on stdout")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str,
        run: Callable[[argparse.Namespace, Console], int],
        parent: Any = commands,
        *,
        folder: bool = False,
        force: bool = False,
    ) -> argparse.ArgumentParser:
        doc = (run.__doc__ or "").strip().splitlines()[0] if run.__doc__ else ""
        sub: argparse.ArgumentParser = parent.add_parser(name, help=doc, description=doc)
        if folder:
            sub.add_argument("--dir", default=".", help="the draw folder (default: .)")
        if force:
            sub.add_argument("--force", action="store_true", help="overwrite existing output files")
        sub.set_defaults(run=run)
        return sub

    keys = commands.add_parser(
        "keys",
        help="signing keys: generate an Ed25519 key pair",
        description="signing keys: generate an Ed25519 key pair",
    ).add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    sub = command("generate", cmd_keys_generate, keys, force=True)
    sub.add_argument("name", help="key name, e.g. bureau or notary-1")
    sub.add_argument("--out", default="keys", help="directory (default: keys)")
    sub.add_argument("--password-file", help="encrypt the private key with this password")

    policy = commands.add_parser(
        "policy",
        help="trust policies: which keys must sign",
        description="trust policies: which keys must sign",
    ).add_subparsers(dest="policy_command", required=True, metavar="ACTION")
    sub = command("create", cmd_policy_create, policy, force=True)
    sub.add_argument(
        "--role",
        action="append",
        required=True,
        help="ROLE=KEY.pub[,KEY2.pub...], e.g. notary=keys/n1.pub,keys/n2.pub",
    )
    sub.add_argument("--threshold", action="append", help="ROLE=N (default 1)")
    sub.add_argument("--out", default="trust.json")

    rules = commands.add_parser(
        "rules",
        help="draw rules: write rules.json from a kindergarten list",
        description="draw rules: write rules.json from a kindergarten list",
    ).add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    sub = command("init", cmd_rules_init, rules, force=True)
    sub.add_argument("--kindergartens", required=True, help="CSV or .xlsx of kindergartens")
    sub.add_argument("--draw-id", required=True)
    sub.add_argument("--title")
    sub.add_argument("--authority")
    sub.add_argument(
        "--mechanism", default="deferred-acceptance", choices=[m.value for m in Mechanism]
    )
    sub.add_argument("--tie-break", default="single", choices=[t.value for t in TieBreak])
    sub.add_argument("--tiers", help="comma-separated, best first")
    sub.add_argument("--multiples", default="bundle", choices=[m.value for m in MultiplesPolicy])
    sub.add_argument("--waitlist", type=int, default=20)
    sub.add_argument("--min-lottery-percent", type=int, default=0)
    sub.add_argument(
        "--owners-phase",
        action="store_true",
        help="an owners' phase on the 'owners' blocks before the social draw",
    )
    sub.add_argument("--out", default="rules.json")

    sub = command("validate", cmd_validate)
    sub.add_argument("--rules", default="rules.json")
    sub.add_argument("--applicants", required=True, help="CSV or .xlsx from registration")
    _import_options(sub)

    ceremony = commands.add_parser(
        "ceremony",
        help="the public seed ceremony: commit, open, reveal, sources, seed",
        description="the public seed ceremony: commit, open, reveal, sources, seed",
    ).add_subparsers(dest="ceremony_command", required=True, metavar="ACTION")
    sub = command("begin", cmd_ceremony_begin, ceremony, folder=True, force=True)
    sub.add_argument(
        "--source",
        action="append",
        help="NAME:KIND:DESCRIPTION, kind numbers|text|hex, e.g."
        " 'welfare-3d:numbers:福彩3D 2026-12-01'",
    )
    sub.add_argument(
        "--fallback",
        action="append",
        help="NAME:KIND:DESCRIPTION read only if a party never reveals",
    )
    sub = command("secret", cmd_ceremony_secret, ceremony, force=True)
    sub.add_argument("--party", required=True)
    sub.add_argument("--draw-id", required=True)
    sub.add_argument("--out", required=True, help="where to keep the secret until the reveal")
    sub = command("commit", cmd_ceremony_commit, ceremony, folder=True)
    sub.add_argument("--party", required=True)
    sub.add_argument("--commitment", help="the party's published commitment (hex)")
    sub.add_argument("--secret", help="or the party's secret file")
    sub.add_argument("--fallback", required=True, help="fallback source if it never reveals")
    command("open", cmd_ceremony_open, ceremony, folder=True)
    sub = command("reveal", cmd_ceremony_reveal, ceremony, folder=True)
    sub.add_argument("--party", required=True)
    sub.add_argument("--secret", required=True)
    sub = command("default", cmd_ceremony_default, ceremony, folder=True)
    sub.add_argument("--party", required=True)
    sub = command("source", cmd_ceremony_source, ceremony, folder=True)
    sub.add_argument("--name", required=True)
    sub.add_argument("--value", required=True, help="e.g. '3 8 1' for numbers")
    command("status", cmd_ceremony_status, ceremony, folder=True)
    command("seed", cmd_ceremony_seed, ceremony, folder=True)

    sub = command("freeze", cmd_freeze, folder=True, force=True)
    sub.add_argument("--applicants", required=True, help="CSV or .xlsx from registration")
    _import_options(sub)
    sub.add_argument("--frozen-at", help="ISO time with offset (default: now)")
    sub.add_argument("--draw-at", required=True, help="e.g. 2026-12-01T09:30:00+08:00")
    sub.add_argument("--reveal-deadline", required=True)

    sub = command("sign", cmd_sign)
    sub.add_argument("document", help="announcement.json or transcript.json")
    sub.add_argument("--key", required=True, help="private key (PEM)")
    sub.add_argument("--password-file")

    sub = command("draw", cmd_draw, folder=True, force=True)
    sub.add_argument("--created", help="ISO time with offset (default: now)")
    sub.add_argument("--previous", help="previous round's transcript, for a later round")

    sub = command("verify", cmd_verify)
    sub.add_argument("--dir", help="a draw folder (its public/ files are used)")
    for name in ("rules", "trust", "announcement", "transcript", "records", "results"):
        sub.add_argument(f"--{name}", help=f"path of the {name} file")
    sub.add_argument("--previous", help="previous round's transcript")

    sub = command("publish", cmd_publish, folder=True, force=True)
    sub.add_argument("--out", help="default: DIR/publish")
    sub.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        default="csv",
        help="format of the lists and the private full results (default: csv)",
    )

    sub = command("report", cmd_report, folder=True, force=True)
    sub.add_argument("--out", default="report.html")

    sub = command("lookup", cmd_lookup, folder=True)
    sub.add_argument("--id", required=True, help="the child's document number")
    sub.add_argument("--name", required=True)
    sub.add_argument(
        "--document-type", default="resident-id", choices=[d.value for d in DocumentType]
    )

    proof = commands.add_parser(
        "proof",
        help="parents' proofs: make one for a child, or check one",
        description="parents' proofs: make one for a child, or check one",
    ).add_subparsers(dest="proof_command", required=True, metavar="ACTION")
    sub = command("make", cmd_proof_make, proof, folder=True, force=True)
    sub.add_argument("--registration-number", required=True)
    sub.add_argument("--out", required=True)
    sub = command("check", cmd_proof_check, proof)
    sub.add_argument("--proof", required=True)
    sub.add_argument("--registration-number", required=True)
    sub.add_argument("--salt", required=True, help="as printed on the receipt")
    sub.add_argument("--id", required=True, help="the child's document number")
    sub.add_argument("--name", required=True)
    sub.add_argument(
        "--document-type", default="resident-id", choices=[d.value for d in DocumentType]
    )
    sub.add_argument("--announcement", required=True)
    sub.add_argument("--transcript", required=True)
    sub.add_argument("--trust", help="trust.json, to check the signatures too")

    sub = command("demo", cmd_demo, force=True)
    sub.add_argument("--applicants", type=int, default=5000)
    sub.add_argument("--kindergartens", type=int, default=30)
    sub.add_argument("--out", help="write the whole draw folder here")
    return parser


def _import_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--sheet",
        help="the workbook sheet to read (default: the one visible sheet with applicant columns)",
    )
    sub.add_argument(
        "--tier-label",
        action="append",
        metavar="LABEL=TIER",
        help="read a tier written as LABEL as the rules' TIER, e.g. 本地户籍=local (repeatable)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exc:
        if exc.code in (0, None):
            return EXIT_OK
        if "--json" in arguments:
            _fail(
                Console(json_mode=True, quiet=True),
                "invalid input",
                CommandError("the command line is not valid; see the usage above"),
            )
        return EXIT_INVALID_INPUT
    console = Console(json_mode=args.json, quiet=args.quiet or args.json)
    try:
        code: int = args.run(args, console)
    except VerificationError as exc:
        _fail(console, "verification failed", exc)
        return EXIT_VERIFICATION_FAILED
    except AllocError as exc:
        _fail(console, "invalid input", exc)
        return EXIT_INVALID_INPUT
    except FileNotFoundError as exc:
        _fail(
            console,
            "invalid input",
            CommandError(
                "file not found",
                source=exc.filename and str(exc.filename),
                hint="check the path, or run the step that writes it first",
            ),
        )
        return EXIT_INVALID_INPUT
    except (OSError, UnicodeDecodeError) as exc:
        _fail(console, "invalid input", exc)
        return EXIT_INVALID_INPUT
    except Exception as exc:  # the last line of defence: report, never a bare trace
        traceback.print_exc(file=sys.stderr)
        _fail(console, "internal error (please report it with the trace above)", exc)
        return EXIT_INTERNAL_ERROR
    return code


def _fail(console: Console, kind: str, exc: BaseException) -> None:
    print(f"error: {kind}: {exc}", file=sys.stderr)
    if console.json_mode:
        data: dict[str, Any] = {
            "ok": False,
            "error": kind,
            "type": type(exc).__name__,
            "message": str(exc),
        }
        problems = getattr(exc, "problems", None)
        if problems:
            data["problems"] = [str(p) for p in problems]
        print(json.dumps(data, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())

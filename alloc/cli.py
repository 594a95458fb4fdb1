"""The ``alloc`` command line: a thin shell over the public API.

Every step of the protocol is a command working on a *draw folder*::

    rules.json                 the draw's rules (public)
    trust.json                 the operator's own policy: who must sign
    ceremony.json              the seed ceremony's state (public once revealed)
    public/                    everything a notary or parent needs to verify
        rules.json trust.json records.jsonl announcement.json
        transcript.json results.jsonl
    private/                   names and document numbers: never publish
        registry.json receipts.csv results.csv
    publish/                   notice boards (masked), the HTML report, the lookup
                               index, the parents' verifier page (verify/) and
                               every child's proof file (proofs/)
    site.json                  the verifier page's address, once receipts carry it

Trust comes from one place, :func:`_trust`: ``verify`` and ``proof check``
need a pin (``--trust FILE`` kept apart from the files checked, or
``--expect ROLE=FINGERPRINT``); the operator's steps use ``trust.json``
unless given one. ``public/trust.json`` only lists keys for ``--expect`` to
find by fingerprint; it is never trusted as such.

Exit codes: 0 success, 2 invalid input, 3 verification failed, 4 internal error,
5 file system error (disk full, permission denied, read-only, folder busy).
Nothing is overwritten without ``--force``, and a signed document not even then
without ``--replace-signed``. A command holds its folder's lock from its first
read to its last write, and its files appear all together or not at all
(:mod:`alloc.storage`); what a killed command left is finished or undone by the
next command in the folder.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from alloc import clock, rehearsal, storage
from alloc import io as files
from alloc._version import DISTRIBUTION, __version__
from alloc.audit import (
    REHEARSAL_MARK,
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
    rules_digest,
)
from alloc.canonical import SPEC_VERSION, canonical_json
from alloc.certificate import checked_files, render_certificate
from alloc.chain import (
    RoundAnnouncement,
    RoundFiles,
    RoundTranscript,
    chain_standings,
    check_chain,
    check_round_proofs,
    make_round_announcement,
    make_round_proofs,
    make_round_transcript,
)
from alloc.demo import describe, run_demo
from alloc.drand import KNOWN_CHAINS, chain_named
from alloc.draw import Outcome, draw
from alloc.errors import (
    AllocError,
    CeremonyError,
    CeremonyStateError,
    DigestMismatchError,
    DuplicateError,
    InputError,
    InputRootMismatchError,
    MalformedDocumentError,
    RehearsalError,
    ScheduleError,
    SignatureThresholdError,
    TrustError,
    VerificationError,
    WrongDrawError,
)
from alloc.identity import DocumentType, Receipt, parse_salt
from alloc.lookup import INDEX_FILE, LookupIndex, build_public_index, public_lookup
from alloc.merkle import MerkleAccumulator
from alloc.model import (
    DEFAULT_TIME_ZONE,
    Applicant,
    ApplicantTable,
    DrawRules,
    Kindergarten,
    Mechanism,
    MultiplesPolicy,
    Phase,
    RoundSeed,
    TieBreak,
    Unanswered,
    local_time,
)
from alloc.notices import (
    NoticeHeading,
    PublishedLists,
    check_publication,
    check_published_lists,
)
from alloc.oplog import (
    LOG_NAME,
    FileDigest,
    LogHead,
    OperatorLog,
    OptionValue,
    check_log,
    parse_log,
)
from alloc.oplog import describe as describe_log
from alloc.page import (
    DEFAULT_PUBLIC_URL,
    PAGE_FOLDER,
    PROOF_FOLDER,
    check_site_url,
    page_files,
    proof_files,
)
from alloc.progress import Progress, Task
from alloc.receipts import render_receipts
from alloc.records import (
    CHUNK_LINES,
    parse_record_lines,
    record_leaf,
    records_root,
    whole_lines,
)
from alloc.registry import Registry, registry_from_json, registry_to_json
from alloc.report import ReportPages, render_report
from alloc.rounds import Answer, Standings, parse_response_lines, responses_root
from alloc.seed import (
    Ceremony,
    Digits,
    DrandRound,
    Numbers,
    Source,
    SourceForm,
    SourceKind,
    Stage,
    commitment,
    new_secret,
    parse_secret_file,
    secret_file,
)
from alloc.sheets import ENCODING_NAMES
from alloc.signing import (
    Envelope,
    PublicKey,
    Role,
    SigningKey,
    TrustPolicy,
    is_demo_key,
    key_label,
    parse_pin,
    published_keys,
)
from alloc.strictjson import Fields, parse_json

__all__ = [
    "EXIT_INTERNAL_ERROR",
    "EXIT_INVALID_INPUT",
    "EXIT_IO_ERROR",
    "EXIT_OK",
    "EXIT_VERIFICATION_FAILED",
    "main",
]

EXIT_OK = 0
EXIT_INVALID_INPUT = 2
EXIT_VERIFICATION_FAILED = 3
EXIT_INTERNAL_ERROR = 4
EXIT_IO_ERROR = 5

#: The public lookup index is written to this folder of the publish folder.
LOOKUP_FOLDER = "lookup"
#: Where a draw folder records the verifier page's address that receipts' QR codes open.
SITE_FILE = "site.json"
#: The address the demo's receipts open: its folder served by `python3 -m http.server`.
DEMO_SITE_URL = "http://127.0.0.1:8000/publish/verify/"
_SHARD_NAME = re.compile(r"[0-9a-f]{1,4}\.json")


class CommandError(InputError):
    """A command line usage problem (missing file, wrong option)."""


#: Progress-bar units by task; the rest count stages.
_UNITS = {Task.READ_SPREADSHEET: " rows", Task.NOTICE_LISTS: " lists", Task.VERIFY: " checks"}


@dataclass
class Console:
    """Where a command's human text and its --json result go."""

    json_mode: bool
    quiet: bool
    started: float = 0.0
    #: Put before every line printed: 【演练 REHEARSAL】 in a rehearsal.
    mark: str = ""
    _bar: Any = None
    _task: Task | None = None
    _ticker: threading.Event | None = None

    def marked(self, text: str) -> str:
        """``text`` with the mark before each of its lines that is not empty."""
        if not self.mark:
            return text
        return "\n".join(f"{self.mark} {line}" if line else line for line in text.split("\n"))

    def say(self, text: str = "") -> None:
        self.close_bar()
        if not self.json_mode:
            print(self.marked(text))

    @property
    def progress(self) -> Progress | None:
        """The library's progress callback: bars on stderr if it is a terminal.

        None with --quiet or --json, or when stderr is a file or a pipe: then
        the plain line :meth:`step` prints per step is all there is.
        """
        if self.quiet or not _is_terminal(sys.stderr):
            return None
        return self._show

    def _show(self, task: Task, done: int, total: int) -> None:
        if task is not self._task:
            self.close_bar()
            from tqdm import tqdm  # noqa: PLC0415 - only on a terminal: it costs start-up time

            self._bar = tqdm(
                total=total or None,
                desc=task.value,
                unit=_UNITS.get(task, " steps"),
                file=sys.stderr,
                dynamic_ncols=True,
                leave=True,
            )
            self._task = task
            self._ticker = threading.Event()
            threading.Thread(
                target=_tick, args=(self._bar, self._ticker), daemon=True, name="alloc-progress"
            ).start()
        if total and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close_bar(self) -> None:
        """End the current progress bar, if any."""
        if self._ticker is not None:
            self._ticker.set()
            self._ticker = None
        if self._bar is not None:
            self._bar.close()
            self._bar, self._task = None, None

    def step(self, text: str) -> None:
        """Progress of a long step, on stderr so --json output stays clean."""
        self.close_bar()
        if not self.quiet:
            now = time.perf_counter()
            if not self.started:
                self.started = now
            print(self.marked(f"[{now - self.started:7.2f}s] {text}"), file=sys.stderr, flush=True)

    def result(self, data: dict[str, Any]) -> None:
        self.close_bar()
        if self.json_mode:
            if self.mark:
                data = {**data, "rehearsal": True}
            print(json.dumps(data, ensure_ascii=False, indent=2))

    def notice(self, text: str) -> None:
        """Something the operator must see even with --quiet (waiting, recovery): on stderr."""
        self.close_bar()
        print(self.marked(text), file=sys.stderr, flush=True)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _tick(bar: Any, stop: threading.Event) -> None:
    """Redraw a bar twice a second, so its clock runs while a stage takes its time."""
    while not stop.wait(0.5):
        bar.refresh()


# --- folder layout ---------------------------------------------------------------


@dataclass(frozen=True)
class DrawFolder:
    """A draw folder, or one of its round folders (``DIR/rounds/N``).

    A round folder holds only its round's seed ceremony; everything else
    (rules, trust, public files) is the draw folder's.
    """

    root: Path

    @property
    def round_number(self) -> int | None:
        """N for a round folder ``rounds/N``, None for the draw folder itself."""
        if self.root.parent.name == "rounds" and self.root.name.isdigit():
            return int(self.root.name)
        return None

    @property
    def draw_root(self) -> Path:
        return self.root if self.round_number is None else self.root.parent.parent

    @property
    def rules(self) -> Path:
        return self.draw_root / "rules.json"

    @property
    def trust(self) -> Path:
        return self.draw_root / "trust.json"

    @property
    def ceremony(self) -> Path:
        return self.root / "ceremony.json"

    @property
    def public(self) -> Path:
        return self.draw_root / "public"

    @property
    def private(self) -> Path:
        return self.draw_root / "private"

    @property
    def publish(self) -> Path:
        return self.draw_root / "publish"

    @property
    def records(self) -> Path:
        return self.public / "records.jsonl"

    @property
    def results(self) -> Path:
        return self.public / "results.jsonl"

    @property
    def announcement(self) -> Path:
        """The announcement the folder's ceremony opens on (a round's, in a round folder)."""
        number = self.round_number
        if number is not None:
            return self.round_public(number) / "announcement.json"
        return self.public / "announcement.json"

    @property
    def transcript(self) -> Path:
        return self.public / "transcript.json"

    @property
    def registry(self) -> Path:
        return self.private / "registry.json"

    def round_public(self, number: int) -> Path:
        """Where round ``number``'s public files are: ``public/rounds/N``."""
        return self.public / "rounds" / str(number)

    def round_folder(self, number: int) -> DrawFolder:
        """The operator's folder of round ``number`` (its seed ceremony)."""
        return DrawFolder(self.draw_root / "rounds" / str(number))


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


def _ceremony(folder: DrawFolder) -> Ceremony:
    path = _require(folder.ceremony, "ceremony state", "start it with `alloc ceremony begin`")
    return Ceremony.from_json(parse_json(path.read_bytes(), document=str(path)))


def _bureau_time(ceremony: Ceremony) -> datetime | None:
    """A time in the bureau's own UTC offset, to show every time of the ceremony in:
    the reveal deadline once announced, else a lottery drawing as the plan wrote it."""
    if ceremony.reveal_deadline is not None:
        return ceremony.reveal_deadline
    for source in (*ceremony.sources, *ceremony.fallbacks):
        if not isinstance(source.form, DrandRound):
            return source.form.drawn_at
    return None


def _now_in(ceremony: Ceremony) -> datetime:
    """The clock, in the offset of the announced reveal deadline once reveals are open."""
    moment = clock.now()
    if ceremony.reveal_deadline is not None:
        moment = moment.astimezone(ceremony.reveal_deadline.tzinfo)
    return moment


def _save_ceremony(folder: DrawFolder, ceremony: Ceremony) -> None:
    files.write_bytes(folder.ceremony, canonical_json(ceremony.to_json()) + b"\n", force=True)


def _envelope(path: Path, kind: str) -> Envelope:
    _require(path, kind, f"the {kind} is written by alloc into the public folder")
    return files.read_envelope(path, kind)


# --- trust: the one place every command gets its keys from ---------------------------


@dataclass(frozen=True)
class Trust:
    """The trust policy a command checks signatures with, and where it came from."""

    policy: TrustPolicy
    source: str


_UNPINNED = (
    "no trust pin given. alloc never takes the signers' keys from the files it checks: a"
    " forged draw would bring its own. These files are signed by:\n{signers}\nCompare these"
    " fingerprints with the ones the bureau published (its official notice or website, or"
    " read aloud at the signing), then run the command again with --expect"
    ' bureau="FINGERPRINT" --expect notary="FINGERPRINT", or with --trust FILE from your own'
    " records, kept apart from the files being checked"
)


def _add_trust_options(sub: argparse.ArgumentParser, *, own: str | None) -> None:
    default = (
        f"; without --trust or --expect, {own} is used"
        if own
        else "; one of --trust and --expect is required"
    )
    sub.add_argument(
        "--trust",
        help="trust policy from your own records, never one from the folder being checked"
        + default,
    )
    sub.add_argument(
        "--expect",
        action="append",
        metavar="ROLE=FINGERPRINT",
        help="a key fingerprint you compared with the bureau's publication, e.g."
        ' --expect bureau="12345 67890 …"; repeat for the notary (one valid signature per'
        " role is then required)",
    )
    sub.add_argument(
        "--keys",
        action="append",
        metavar="FILE",
        help="where to find the keys --expect pins: a trust.json or .pub file (default: the"
        " trust.json published with the files)",
    )


def _trust(
    args: argparse.Namespace,
    *,
    checked: Sequence[Path],
    key_files: Sequence[Path],
    own: Path | None = None,
    signed: Sequence[tuple[str, Path]] = (),
) -> Trust:
    """The trust policy for a command: ``--trust``, ``--expect`` pins, or the operator's own file.

    ``checked`` are the folders of the files the command checks: a trust
    file inside one of them is refused. ``key_files`` are where ``--expect``
    finds the pinned keys. ``own`` is the operator's own policy, used when
    nothing is pinned (None: a pin is required). ``signed`` names the signed
    files whose signers the refusal shows.

    Raises:
        TrustError: with no pin where one is required, a trust file among the
            checked files, both --trust and --expect, or a pin no key matches.
        MalformedDocumentError: for a malformed trust file.
    """
    if args.trust and args.expect:
        raise TrustError(
            "give either --trust or --expect, not both",
            field="--trust",
            hint="--trust FILE takes the whole policy from FILE; --expect pins one key per role",
        )
    if args.trust:
        path = Path(args.trust)
        resolved = path.resolve()
        for folder in checked:
            if resolved.is_relative_to(folder.resolve()):
                raise TrustError(
                    f"the trust file lies in {str(folder)!r}, among the files it would vouch"
                    " for: a forged draw brings its own trust file",
                    source=str(path),
                    field="--trust",
                    hint="use the trust file you made from keys you saw generated, kept apart,"
                    " or pin fingerprints with --expect ROLE=FINGERPRINT",
                )
        _require(path, "trust policy", "give the trust file from your own records")
        return Trust(files.read_policy(path), f"trust file {path}")
    if args.expect:
        pins: dict[str, list[str]] = {}
        for spec in args.expect:
            role, value = _pair(spec, "--expect")
            pins.setdefault(role, []).append(parse_pin(value))
        sources = [Path(k) for k in args.keys] if args.keys else list(key_files)
        policy = TrustPolicy.from_pins(pins, _published_keys(sources))
        return Trust(policy, "fingerprints pinned with --expect")
    if own is not None:
        _require(own, "trust policy", "create it with `alloc policy create`, or pin with --trust")
        return Trust(files.read_policy(own), f"the operator's trust file {own}")
    raise TrustError(_UNPINNED.format(signers=_signers_found(signed)))


def _operator_trust(args: argparse.Namespace, folder: DrawFolder) -> Trust:
    """Trust for the operator's own steps: their trust.json unless they pin another."""
    return _trust(
        args,
        checked=[folder.public],
        key_files=[folder.public / "trust.json", folder.trust],
        own=folder.trust,
        signed=[("announcement", folder.announcement), ("transcript", folder.transcript)],
    )


def _published_keys(paths: Sequence[Path]) -> list[PublicKey]:
    keys: list[PublicKey] = []
    for path in paths:
        if not path.exists():
            continue
        data = files.read_bytes(path)
        if path.suffix == ".pub":
            keys.append(PublicKey.from_pem(data))
        else:
            keys += published_keys(data, document=str(path))
    return keys


def _signers_found(signed: Sequence[tuple[str, Path]]) -> str:
    lines = []
    for kind, path in signed:
        try:
            envelope = Envelope.from_bytes(path.read_bytes(), document=str(path))
        except (AllocError, OSError) as exc:
            lines.append(f"  {kind}: cannot be read ({exc})")
            continue
        found = [key_label(s.keyid) for s in envelope.signatures] or ["no signature"]
        lines += [f"  {kind}: {label}" for label in found]
    return "\n".join(lines) or "  (no signed file given)"


def _show_signers(out: Console, trust: Trust, envelopes: Sequence[tuple[str, Envelope]]) -> None:
    out.say(f"trust: {trust.source}")
    for kind, envelope in envelopes:
        out.say(f"{kind} signed by: {trust.policy.describe(envelope)}")


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
    out.say(f"key {args.name}")
    out.say(f"key id       {key.keyid}")
    out.say(f"fingerprint  {key.public.fingerprint}")
    out.say(f"private key {private} (keep it offline); public key {directory / args.name}.pub")
    out.say(
        "read the fingerprint aloud at the signing and print it on the notice: that is how"
        " others pin this key"
    )
    out.result(
        {
            "name": args.name,
            "keyid": key.keyid,
            "fingerprint": key.public.fingerprint,
            "private": str(private),
            "public": str(directory / f"{args.name}.pub"),
        }
    )
    return EXIT_OK


def cmd_keys_fingerprint(args: argparse.Namespace, out: Console) -> int:
    """Print a public key's id and the fingerprint people compare and pin."""
    shown = []
    for name in args.file:
        path = _require(Path(name), "public key", "give the .pub file `alloc keys generate` wrote")
        try:
            key = PublicKey.from_pem(path.read_bytes())
        except InputError as exc:
            raise exc.at(source=str(path)) from exc
        demo = is_demo_key(key.keyid)
        shown.append(
            {"file": str(path), "keyid": key.keyid, "fingerprint": key.fingerprint, "demo": demo}
        )
        if args.digits:
            out.say(key.fingerprint)
            continue
        out.say(str(path))
        out.say(f"  key id       {key.keyid}")
        out.say(f"  fingerprint  {key.fingerprint}")
        if demo:
            out.say(
                "  DEMO KEY: its private key is derived from alloc's public demo code; anyone"
                " can sign with it, so never trust it for a real draw"
            )
    out.result({"keys": shown})
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
    files.write_bytes(Path(args.out), policy.to_bytes(), force=args.force)
    for role in policy.roles:
        out.say(f"{role.name}: {role.threshold} of {len(role.keys)} keys")
        for key in role.keys:
            out.say(f"  {key_label(key.keyid)}")
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
        time_zone=args.time_zone,
        unanswered=Unanswered(args.unanswered),
        round_seed=RoundSeed(args.round_seed),
    )
    path = Path(args.out)
    files.write_rules(path, rules, force=args.force)
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
        progress=out.progress,
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


#: The one form of each kind of --source/--fallback, for help and messages.
SOURCE_FORMS = {
    SourceKind.DIGITS: "NAME digits count=N drawn-at=TIME [description=TEXT]",
    SourceKind.NUMBERS: "NAME numbers count=N min=A max=B order=drawn|ascending"
    " repeats=yes|no drawn-at=TIME [description=TEXT]",
    SourceKind.DRAND: "NAME drand chain=" + "|".join(sorted(KNOWN_CHAINS)) + " round=N"
    " [description=TEXT]",
}
_SOURCE_KEYS = {
    SourceKind.DIGITS: ("count", "drawn-at"),
    SourceKind.NUMBERS: ("count", "min", "max", "order", "repeats", "drawn-at"),
    SourceKind.DRAND: ("chain", "round"),
}


def _source(spec: str, option: str) -> Source:
    """A source declared as ``NAME KIND key=value ... [description=TEXT]`` (one form each).

    Raises:
        CommandError: naming what is missing, unknown or malformed, with the form.
    """
    head, marker, description = spec.partition(" description=")
    if not marker and spec.startswith("description="):
        head, description = "", spec
    words = head.split(" ")
    forms = "; ".join(SOURCE_FORMS.values())

    def refuse(problem: str, value: object = spec) -> CommandError:
        return CommandError(problem, field=option, value=value, hint=f"write {forms}")

    if len(words) < 2 or not all(words):
        raise refuse("expected NAME KIND key=value ..., separated by single spaces")
    name, kind_text, pairs = words[0], words[1], words[2:]
    try:
        kind = SourceKind(kind_text)
    except ValueError:
        raise refuse("unknown source kind (digits, numbers or drand)", kind_text) from None
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not value:
            raise refuse("expected key=value", pair)
        if key not in _SOURCE_KEYS[kind]:
            raise refuse(f"unknown key for a {kind.value} source", key)
        if key in values:
            raise refuse("key given twice", key)
        values[key] = value
    missing = [k for k in _SOURCE_KEYS[kind] if k not in values]
    if missing:
        raise refuse(f"missing {', '.join(missing)} for a {kind.value} source")

    def number(key: str) -> int:
        if not values[key].isascii() or not values[key].isdigit():
            raise refuse("expected a whole number", f"{key}={values[key]}")
        return int(values[key])

    def choice(key: str, yes: str, no: str) -> bool:
        if values[key] not in (yes, no):
            raise refuse(f"expected {key}={yes} or {key}={no}", f"{key}={values[key]}")
        return values[key] == yes

    form: SourceForm
    if kind is SourceKind.DRAND:
        form = DrandRound(chain_named(values["chain"]), number("round"))
    else:
        drawn_at = clock.parse_time(values["drawn-at"], field=f"{option} drawn-at")
        if kind is SourceKind.DIGITS:
            form = Digits(count=number("count"), drawn_at=drawn_at)
        else:
            form = Numbers(
                count=number("count"),
                minimum=number("min"),
                maximum=number("max"),
                ordered=choice("order", "drawn", "ascending"),
                distinct=not choice("repeats", "yes", "no"),
                drawn_at=drawn_at,
            )
    return Source(name, form, description.strip())


def cmd_ceremony_begin(args: argparse.Namespace, out: Console) -> int:
    """Name the external sources and fallbacks, and the one form of each value."""
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
    out.say(f"ceremony for {rules.draw_id}")
    like = _bureau_time(ceremony)
    for label, sources in (("source", ceremony.sources), ("fallback", ceremony.fallbacks)):
        for source in sources:
            out.say(f"  {label} {source.name}: {source.form.describe(like=like)}")
            out.say(f"    its value will be typed as {source.form.expected()}")
    out.result(ceremony.to_json())
    return EXIT_OK


def cmd_ceremony_secret(args: argparse.Namespace, out: Console) -> int:
    """A party draws its secret (kept private until the reveal) and prints its commitment."""
    secret = new_secret()
    value = commitment(args.draw_id, args.party, secret)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    files.write_bytes(Path(args.out), secret_file(secret), force=args.force, mode=0o600)
    out.say(f"secret written to {args.out}: keep it private until the reveal")
    out.say(f"commitment of {args.party}: {value.hex()}")
    out.result({"party": args.party, "commitment": value.hex(), "secret_file": args.out})
    return EXIT_OK


def _read_secret(path: str, party: str) -> bytes:
    raw = _require(Path(path), "secret file", "give the file `alloc ceremony secret` wrote")
    try:
        return parse_secret_file(raw.read_bytes(), party=party)
    except InputError as exc:
        raise CommandError(exc.problem, source=path, field=exc.field, hint=exc.hint) from exc


def cmd_ceremony_commit(args: argparse.Namespace, out: Console) -> int:
    """Record a party's published commitment and its fallback source."""
    folder = _folder(args)
    ceremony = _ceremony(folder)
    if args.secret:
        value = commitment(ceremony.draw_id, args.party, _read_secret(args.secret, args.party))
    elif args.commitment:
        text = args.commitment
        if len(text) != 64 or text.strip("0123456789abcdef"):
            raise CommandError(
                "a commitment is 64 lower-case hexadecimal digits",
                field="--commitment",
                value=text,
                hint="type it exactly as `alloc ceremony secret` printed it",
            )
        value = bytes.fromhex(text)
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
    rehearsing = _rehearsal_marker(folder.root) is not None
    if rehearsing:
        # A rehearsal never carries a real receipt salt (see alloc.rehearsal).
        imported = rehearsal.throwaway_salts(imported, rules.draw_id)
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
    # The list is frozen now: the clock, never a typed time, so nothing can be
    # announced as frozen before it was (written in the draw time's offset).
    draw_at = clock.parse_time(args.draw_at, field="--draw-at")
    clock.parse_time(args.reveal_deadline, field="--reveal-deadline")
    window = TimeWindow(
        frozen_at=clock.format_time(clock.now(), like=draw_at),
        draw_at=args.draw_at,
        reveal_deadline=args.reveal_deadline,
    )
    out.step("committing to the records")
    notice, records = make_announcement(
        rules,
        imported.table,
        plan_ceremony.plan,
        window=window,
        rehearsal=rehearsing,
        progress=out.progress,
    )
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
    out.say(
        f"frozen at {window.frozen_at}; reveals until {window.reveal_deadline}; draw at"
        f" {window.draw_at}"
    )
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


def cmd_sign(args: argparse.Namespace, out: Console) -> int:
    """Check a document, show what it says and which key signs, ask, then add the signature.

    An announcement is checked against the folder's rules, records and
    ceremony, and refused once reveals have begun; a transcript is verified
    in full (the draw re-run) and refused if anything but the signatures
    still to come fails. The signed part never changes.
    """
    path = Path(args.document)
    _require(path, "document", "give the announcement.json or transcript.json path")
    try:
        envelope = Envelope.from_bytes(path.read_bytes(), document=str(path))
    except MalformedDocumentError as exc:
        raise CommandError(
            f"not a signed document ({exc.problem}, at {exc.field})",
            source=str(path),
            hint="sign public/announcement.json or public/transcript.json as alloc wrote them",
        ) from exc
    kind = envelope.signed.get("type")
    if kind not in ("announcement", "transcript", "round-announcement", "round-transcript"):
        raise CommandError(
            "alloc signs only announcements and transcripts (of the draw or of a round)",
            source=str(path),
            value=kind,
        )
    password = Path(args.password_file).read_bytes().strip() if args.password_file else None
    key = SigningKey.from_pem(Path(args.key).read_bytes(), password)
    folder = DrawFolder(_document_folder(args))
    trust = _operator_trust(args, folder)
    roles = trust.policy.roles_of(key.keyid)
    if not roles:
        raise TrustError(
            f"the key with {key_label(key.keyid)} has no role in the trust policy"
            f" ({trust.source}): its signature would not count",
            field="--key",
            hint="sign with a key the policy names for the bureau or the notary",
        )
    if any(s.keyid == key.keyid for s in envelope.signatures):
        raise DuplicateError(
            "this key has already signed the document", field="keyid", value=key.keyid
        )
    out.step(f"checking the {kind} before signing")
    if kind == "announcement":
        summary = _announcement_to_sign(folder, envelope, trust.policy)
    elif kind == "transcript":
        summary = _transcript_to_sign(folder, envelope, trust.policy, args, out)
    elif kind == "round-announcement":
        summary = _round_announcement_to_sign(folder, envelope, trust.policy, out)
    else:
        summary = _round_transcript_to_sign(folder, envelope, trust.policy, out)
    summary.append(("signatures", trust.policy.describe(envelope) or "none yet"))
    summary.append(("signing key", f"{key_label(key.keyid)}, role {', '.join(roles)}"))
    out.say(f"document      {kind} ({path})")
    for label, value in summary:
        out.say(f"{label:<14}{value}")
    _confirm(args, out, f"Sign this {kind} as {' and '.join(roles)}?")
    signed = envelope.sign(key)
    files.write_bytes(path, signed.to_bytes(), force=True)
    out.say(f"signed {path} ({len(signed.signatures)} signature(s) now)")
    out.result(
        {
            "document": str(path),
            "type": kind,
            "keyid": key.keyid,
            "fingerprint": key.public.fingerprint,
            "roles": list(roles),
            "summary": dict(summary),
            "signatures": len(signed.signatures),
        }
    )
    return EXIT_OK


def _announcement_to_sign(
    folder: DrawFolder, envelope: Envelope, policy: TrustPolicy
) -> list[tuple[str, str]]:
    """What an announcement commits to, after checking it against the draw folder.

    Raises:
        CeremonyStateError: once reveals have begun (or before the plan is fixed).
        DigestMismatchError, InputRootMismatchError, CeremonyError,
        InvalidSignatureError: if it does not match the folder or a signature is bad.
    """
    notice = Announcement.from_envelope(envelope)
    ceremony = _ceremony(folder)
    if ceremony.stage is not Stage.PLAN_FIXED:
        raise CeremonyStateError(
            f"the ceremony is at stage {ceremony.stage.value!r}: an announcement can be signed"
            " only while its seed plan is fixed and no secret has been revealed, since"
            " everything it commits to must be public before any randomness exists"
        )
    if ceremony.plan != notice.seed_plan:
        raise CeremonyError(f"the announcement's seed plan is not the plan in {folder.ceremony}")
    rules = _rules(folder)
    if rules.draw_id != notice.draw_id:
        raise WrongDrawError(
            f"the announcement is for draw {notice.draw_id!r}, {folder.rules} for {rules.draw_id!r}"
        )
    if rules_digest(rules) != notice.rules_digest:
        raise DigestMismatchError(
            f"the announcement's rules digest is not the digest of {folder.rules}"
        )
    records = files.LineFile(_require(folder.records, "records", "run `alloc freeze`"))
    commitment = MerkleAccumulator(prefix=record_leaf(notice.draw_id, b""))
    for chunk in records.chunks(CHUNK_LINES):
        commitment.add(chunk)
    if (commitment.count, commitment.root()) != (notice.records_count, notice.records_root):
        raise InputRootMismatchError(
            f"{folder.records} does not match the announced input root and count"
        )
    _refuse_invalid_signatures(policy, envelope, "announcement")
    _check_kind(folder, notice.rehearsal)
    window = notice.window
    return [
        (
            "draw",
            f"{notice.draw_id}: {' — '.join(t for t in (notice.title, notice.authority) if t)}",
        ),
        ("digest", document_digest(envelope).hex()),
        ("rules", f"digest {notice.rules_digest.hex()} (= {folder.rules})"),
        ("records", f"{notice.records_count} under input root {notice.records_root.hex()}"),
        (
            "seed plan",
            f"parties {', '.join(p.name for p in notice.seed_plan.parties) or 'none'};"
            f" sources {', '.join(s.name for s in notice.seed_plan.sources) or 'none'};"
            f" fallbacks {', '.join(s.name for s in notice.seed_plan.fallbacks) or 'none'}",
        ),
        (
            "times",
            f"frozen {local_time(window.frozen_at, rules.time_zone)}; draw"
            f" {local_time(window.draw_at, rules.time_zone)}; reveal deadline"
            f" {local_time(window.reveal_deadline, rules.time_zone)}",
        ),
        ("kind", _kind_text(notice.rehearsal)),
        ("checked", "rules, records and seed plan match the draw folder; no reveal yet"),
    ]


def _kind_text(marked: bool) -> str:
    return (
        f"{REHEARSAL_MARK} (rehearsal: true): a practice draw, never the real one"
        if marked
        else "the real draw (rehearsal: false)"
    )


def _check_kind(folder: DrawFolder, marked: bool) -> None:
    """A rehearsal's documents belong in a rehearsal folder and a real draw's in a real one.

    Raises:
        RehearsalError: otherwise.
    """
    root = folder.draw_root
    rehearsing = _rehearsal_marker(root) is not None
    if marked and not rehearsing:
        raise RehearsalError(
            f"the document is marked rehearsal: true, but {root} is no rehearsal folder:"
            " a rehearsal's documents never enter a real draw folder"
        )
    if rehearsing and not marked:
        raise RehearsalError(
            f"{root} is a rehearsal folder, but the document is marked rehearsal: false"
        )


def _transcript_to_sign(
    folder: DrawFolder,
    envelope: Envelope,
    policy: TrustPolicy,
    args: argparse.Namespace,
    out: Console,
) -> list[tuple[str, str]]:
    """What a transcript says, after verifying it in full except the signatures still to come.

    Raises:
        VerificationError: the first failed check (the report is printed first).
    """
    rules = _rules(folder)
    announcement = _envelope(folder.announcement, "announcement")
    records = files.LineFile(_require(folder.records, "records", "run `alloc freeze`"))
    results = files.LineFile(folder.results) if folder.results.exists() else None
    report = check_transcript(
        envelope,
        announcement=announcement,
        rules=rules,
        records=records,
        policy=policy,
        results=results,
        rehearsal=_rehearsal_marker(folder.root) is not None,
    )
    failures = [
        c
        for c in report.failures
        if not (c.name == "transcript signatures" and type(c.error) is SignatureThresholdError)
    ]
    if failures:
        out.say(str(report))
        raise failures[0].error or VerificationError(failures[0].detail)
    tx = Transcript.from_envelope(envelope)
    placed = sum(int(k["placed"]) for k in tx.kindergartens)
    return [
        ("draw", f"{tx.draw_id}: {rules.title}"),
        ("digest", document_digest(envelope).hex()),
        ("round", "1 (the draw)"),
        ("announcement", tx.announcement_digest.hex()),
        ("records", f"{tx.records_count} under input root {tx.records_root.hex()}"),
        ("seed", tx.seed.hex()),
        (
            "results",
            f"{tx.results_count} under results root {tx.results_root.hex()};"
            f" {placed} seats taken, {tx.unplaced} unplaced",
        ),
        ("created", local_time(tx.created, rules.time_zone)),
        (
            "operator log",
            "none"
            if tx.log is None
            else f"its first {tx.log.count} entries, head {tx.log.head.hex()}",
        ),
        ("kind", _kind_text(tx.rehearsal)),
        ("checked", "every check passed, the draw re-run outcome by outcome"),
    ]


def _round_announcement_to_sign(
    folder: DrawFolder, envelope: Envelope, policy: TrustPolicy, out: Console
) -> list[tuple[str, str]]:
    """What a round's announcement commits to, after checking it against the draw folder.

    Raises:
        VerificationError: if the rounds before it do not verify, or it does not
            name the last one.
        DigestMismatchError: if its files are not the ones published with it.
        CeremonyStateError: once the round's reveals have begun.
    """
    notice = RoundAnnouncement.from_envelope(envelope)
    number = notice.round
    chain = _verified_chain(folder, policy, number - 1, out)
    if notice.previous != document_digest(chain.transcript):
        raise DigestMismatchError(
            f"round {number}'s announcement does not name round {number - 1}'s transcript"
        )
    public = folder.round_public(number)
    given = _round_files(public, number)
    rules = _rules(folder)
    lines = whole_lines(given.responses)
    if (responses_root(rules.draw_id, lines), len(lines)) != notice.responses:
        raise DigestMismatchError(f"{public / 'responses.jsonl'} is not the announced file")
    if notice.records is not None:
        records = whole_lines(given.records or [])
        if (records_root(rules.draw_id, records), len(records)) != notice.records:
            raise InputRootMismatchError(f"{public / 'records.jsonl'} is not the announced file")
    if notice.seed_plan is not None:
        ceremony = _ceremony(folder.round_folder(number))
        if ceremony.stage is not Stage.PLAN_FIXED or ceremony.plan != notice.seed_plan:
            raise CeremonyStateError(
                f"round {number}'s ceremony is at stage {ceremony.stage.value!r} or has another"
                " plan: its announcement can be signed only while the plan is fixed and no"
                " secret has been revealed"
            )
    _refuse_invalid_signatures(policy, envelope, f"round {number} announcement")
    _check_kind(folder, notice.rehearsal)
    answered = Counter(r.answer.value for r in parse_response_lines(lines))
    summary = [
        ("draw", f"{notice.draw_id}: {rules.title}"),
        ("round", f"{number}, after round {number - 1} ({notice.previous.hex()})"),
        ("digest", document_digest(envelope).hex()),
        (
            "responses",
            f"{notice.responses[1]} under root {notice.responses[0].hex()} ("
            + ", ".join(f"{answered[a.value]} {a.value}" for a in Answer)
            + ")",
        ),
        ("unanswered", f"counts as {rules.unanswered.value} (the rules)"),
    ]
    if notice.records is not None:
        summary.append(
            ("draw round", f"{notice.records[1]} records under root {notice.records[0].hex()}")
        )
    if notice.seed_plan is not None:
        summary.append(
            (
                "times",
                f"announced {local_time(notice.frozen_at, rules.time_zone)}; reveal deadline"
                f" {local_time(notice.reveal_deadline or '', rules.time_zone)}; draw"
                f" {local_time(notice.draw_at or '', rules.time_zone)}",
            )
        )
    else:
        summary.append(("announced", local_time(notice.frozen_at, rules.time_zone)))
    summary.append(("kind", _kind_text(notice.rehearsal)))
    summary.append(("checked", f"rounds 1 to {number - 1} verify; the files match"))
    return summary


def _round_transcript_to_sign(
    folder: DrawFolder, envelope: Envelope, policy: TrustPolicy, out: Console
) -> list[tuple[str, str]]:
    """What a round's transcript says, after verifying the whole chain through it.

    Raises:
        VerificationError: the first failed check but the signatures still to come.
    """
    tx = RoundTranscript.from_envelope(envelope)
    _check_kind(folder, tx.rehearsal)
    rules = _rules(folder)
    number = tx.round
    rounds = [_round_files(folder.round_public(n), n, stream=True) for n in range(2, number + 1)]
    last = rounds[-1]
    rounds[-1] = RoundFiles(
        announcement=last.announcement,
        responses=last.responses,
        transcript=envelope,
        records=last.records,
        standings=last.standings,
        results=last.results,
    )
    report = check_chain(
        rules=rules,
        policy=policy,
        announcement=_envelope(folder.public / "announcement.json", "announcement"),
        transcript=_envelope(folder.transcript, "transcript"),
        records=files.LineFile(_require(folder.records, "records", "run `alloc freeze`")),
        results=files.LineFile(folder.results) if folder.results.exists() else None,
        rounds=rounds,
        rehearsal=_rehearsal_marker(folder.draw_root) is not None,
    )
    failures = [
        c
        for c in report.failures
        if not (
            c.name == f"round {number}: transcript signatures"
            and type(c.error) is SignatureThresholdError
        )
    ]
    if failures:
        out.say(str(report))
        raise failures[0].error or VerificationError(failures[0].detail)
    placed = sum(int(k["placed"]) for k in tx.kindergartens)
    moved = sum(int(k["moved_in"]) for k in tx.kindergartens)
    summary = [
        ("draw", f"{tx.draw_id}: {rules.title}"),
        ("round", f"{number}, after round {number - 1} ({tx.previous.hex()})"),
        ("digest", document_digest(envelope).hex()),
        ("standings", f"{tx.standings[1]} under root {tx.standings[0].hex()}"),
        (
            "outcome",
            f"{moved} moved in, {placed} seats held, {tx.unplaced} unplaced,"
            f" {tx.declined} declined",
        ),
    ]
    if tx.seed is not None and tx.results is not None:
        summary.append(("seed", tx.seed.hex()))
        summary.append(("draw round", f"{tx.results[1]} results under root {tx.results[0].hex()}"))
    summary.append(("created", local_time(tx.created, rules.time_zone)))
    summary.append(
        (
            "operator log",
            "none"
            if tx.log is None
            else f"its first {tx.log.count} entries, head {tx.log.head.hex()}",
        )
    )
    summary.append(("kind", _kind_text(tx.rehearsal)))
    summary.append(("checked", f"every check passed, rounds 1 to {number} re-computed"))
    return summary


def _refuse_invalid_signatures(policy: TrustPolicy, envelope: Envelope, document: str) -> None:
    for result in policy.evaluate(envelope):
        if result.invalid:
            policy.verify(envelope, document=document)  # raises InvalidSignatureError


def _confirm(args: argparse.Namespace, out: Console, question: str) -> None:
    """Ask the person at the terminal; without one, only --yes signs."""
    if args.yes:
        return
    if out.json_mode:
        raise CommandError(
            "not signed: with --json nobody reads the summary", hint="add --yes to sign"
        )
    if not sys.stdin.isatty():
        raise CommandError(
            "not signed: standard input is not a terminal, so nobody confirmed",
            hint="read the summary above, then run the command again with --yes",
        )
    answer = input(f"{question} Type yes to sign: ")
    if answer.strip().lower() != "yes":
        raise CommandError("not signed: the answer was not yes", value=answer)


def cmd_ceremony_open(args: argparse.Namespace, out: Console) -> int:
    """Open reveals on the signed announcement (its signatures checked first)."""
    folder = _folder(args)
    policy = _operator_trust(args, folder).policy
    number = folder.round_number
    if number is None:
        announcement = _envelope(folder.announcement, "announcement")
        policy.verify(announcement, document="announcement")
        notice = Announcement.from_envelope(announcement)
        plan, deadline = notice.seed_plan, notice.window.deadline
    else:
        announcement = _envelope(folder.announcement, "round-announcement")
        policy.verify(announcement, document=f"round {number} announcement")
        round_notice = RoundAnnouncement.from_envelope(announcement)
        if round_notice.seed_plan is None or round_notice.deadline is None:
            raise CommandError(
                f"round {number} has no seed ceremony of its own (it draws nothing, or with"
                " round 1's seed)",
                source=str(folder.announcement),
            )
        plan, deadline = round_notice.seed_plan, round_notice.deadline
    ceremony = _ceremony(folder)
    if plan != ceremony.plan:
        raise VerificationError("the announcement's seed plan is not this ceremony's plan")
    digest = document_digest(announcement)
    opened = ceremony.open(
        digest, reveal_deadline=deadline, at=clock.now().astimezone(deadline.tzinfo)
    )
    _save_ceremony(folder, opened)
    out.say(f"reveals open on announcement {digest.hex()}")
    out.say(f"reveals are accepted until {clock.format_time(deadline, like=deadline)}")
    out.result({"announcement": digest.hex()})
    return EXIT_OK


def cmd_ceremony_reveal(args: argparse.Namespace, out: Console) -> int:
    """Reveal a party's secret on stage; it must match the published commitment."""
    folder = _folder(args)
    ceremony = _ceremony(folder)
    secret = _read_secret(args.secret, args.party)
    ceremony = ceremony.reveal(args.party, secret, at=_now_in(ceremony))
    _save_ceremony(folder, ceremony)
    out.say(f"reveal of {args.party} matches its commitment")
    out.say(_missing_text(ceremony))
    out.result({"party": args.party, "missing": ceremony.missing()})
    return EXIT_OK


def cmd_ceremony_default(args: argparse.Namespace, out: Console) -> int:
    """Declare that a party will not reveal: its announced fallback source replaces it."""
    folder = _folder(args)
    ceremony = _ceremony(folder)
    ceremony = ceremony.default(args.party, at=_now_in(ceremony))
    _save_ceremony(folder, ceremony)
    fallback = ceremony.plan.party(args.party).fallback
    out.say(f"{args.party} declared in default: fallback source {fallback} replaces it")
    out.say(_missing_text(ceremony))
    out.result({"party": args.party, "fallback": fallback, "missing": ceremony.missing()})
    return EXIT_OK


def cmd_ceremony_source(args: argparse.Namespace, out: Console) -> int:
    """Record the value of an announced source, typed in its one accepted form."""
    folder = _folder(args)
    ceremony = _ceremony(folder)
    ceremony = ceremony.add_source(args.name, args.value, at=_now_in(ceremony))
    _save_ceremony(folder, ceremony)
    value = ceremony.source_values[-1].value
    out.say(f"source {args.name} = {value}")
    out.say(_missing_text(ceremony))
    out.result({"source": args.name, "value": value, "missing": ceremony.missing()})
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
    deadline = ceremony.reveal_deadline
    if deadline is not None:
        out.say(f"reveals until {clock.format_time(deadline, like=deadline)}")
    settled = {c.party: c for c in ceremony.contributions}
    for party in ceremony.parties:
        done = settled.get(party.name)
        what = "" if done is None else " — " + ("revealed" if done.secret else "in default")
        when = "" if done is None else f" at {clock.format_time(done.at, like=done.at)}"
        out.say(f"  {party.name}: {party.commitment.hex()}{what}{when}")
    values = {v.name: v for v in ceremony.source_values}
    for source in (*ceremony.sources, *ceremony.fallbacks):
        out.say(f"  source {source.name}: {source.form.describe(like=_bureau_time(ceremony))}")
        read = values.get(source.name)
        if read is None:
            out.say(f"    type its value as {source.form.expected()}")
        else:
            out.say(f"    = {read.value} (read at {clock.format_time(read.at, like=read.at)})")
    out.say(_missing_text(ceremony))
    out.result({"stage": ceremony.stage.value, "missing": ceremony.missing()})
    return EXIT_OK


def cmd_ceremony_seed(args: argparse.Namespace, out: Console) -> int:
    """Derive the seed once every party has revealed and every source is in."""
    folder = _folder(args)
    # Reading ceremony.json replays and re-checks every step, so the record is checked.
    record = _ceremony(folder).finish()
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
    _operator_trust(args, folder).policy.verify(announcement, document="announcement")
    window = Announcement.from_envelope(announcement).window
    now = clock.now().astimezone(window.draw.tzinfo)
    if now < window.draw:
        raise ScheduleError(
            f"the draw cannot run before the announced draw time {window.draw_at}"
            f" (it is now {clock.format_time(now, like=now)})",
            field="draw_at",
            hint="run `alloc draw` at or after the announced time",
        )
    record = _ceremony(folder).finish()
    out.step("reading the public records")
    records = files.read_lines(_require(folder.records, "records", "run `alloc freeze` first"))
    table = parse_record_lines(records)
    out.step(f"drawing {len(table)} applicants with seed {record.seed.hex()[:16]}…")
    outcome = draw(rules, table, record.seed, progress=out.progress)
    out.step("writing results and the transcript")
    transcript, results = make_transcript(
        announcement,
        rules,
        record,
        outcome,
        created=clock.format_time(now, like=window.draw),
        log=_log_head(folder.root),
        progress=out.progress,
    )
    files.write_lines(folder.results, results, force=args.force)
    files.write_bytes(folder.transcript, transcript.envelope().to_bytes(), force=args.force)
    placed = sum(s.placed for s in outcome.summaries)
    out.say(f"drew {len(table)} applicants: {placed} seats taken, {len(outcome.unplaced)} unplaced")
    out.say(f"results root {transcript.results_root.hex()}")
    if transcript.log is not None:
        out.say(
            f"the transcript commits to the operator log's first {transcript.log.count} entries"
            f" (head {transcript.log.head.hex()})"
        )
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


# --- later rounds -------------------------------------------------------------------


def _round_numbers(public: Path) -> list[int]:
    """The later rounds published under ``public/rounds``, in order (folders named 2, 3, …)."""
    return _numbered(public / "rounds")


def _numbered(base: Path) -> list[int]:
    """The round folders (named 2, 3, …) in ``base``, in order; none if it does not exist."""
    if not base.is_dir():
        return []
    return sorted(int(p.name) for p in base.iterdir() if p.is_dir() and p.name.isdigit())


def _round_files(folder: Path, number: int, *, stream: bool = False) -> RoundFiles:
    """One round's public files as published (``transcript`` None if not yet drawn).

    With ``stream`` the line-per-child files are :class:`alloc.io.LineFile`,
    read chunk by chunk as they are checked (for verifying only).
    """

    def lines(name: str) -> list[bytes] | files.LineFile | None:
        path = folder / name
        if not path.exists():
            return None
        return files.LineFile(path) if stream else files.read_lines(path)

    announcement = _require(
        folder / "announcement.json",
        f"round {number}'s announcement",
        f"it is written by `alloc round open --round {number}`",
    )
    responses = lines("responses.jsonl")
    if responses is None:
        raise CommandError(
            f"round {number}'s responses file is missing",
            source=str(folder / "responses.jsonl"),
            hint="it is published with the round's announcement",
        )
    transcript = folder / "transcript.json"
    return RoundFiles(
        announcement=files.read_bytes(announcement),
        responses=responses,
        transcript=files.read_bytes(transcript) if transcript.exists() else None,
        records=lines("records.jsonl"),
        standings=lines("standings.jsonl"),
        results=lines("results.jsonl"),
    )


@dataclass(frozen=True)
class _Chain:
    """A draw folder's verified chain through one round, and what it leads to."""

    report: VerificationReport
    rounds: list[RoundFiles]
    standings: Standings
    transcript: Envelope  # the last round's

    @property
    def number(self) -> int:
        return 1 + len(self.rounds)


def _verified_chain(folder: DrawFolder, policy: TrustPolicy, through: int, out: Console) -> _Chain:
    """Verify the draw and its rounds through ``through``; refuse on any failure.

    Raises:
        VerificationError: the first failed check (the report is printed first).
    """
    rules = _rules(folder)
    records = files.read_lines(_require(folder.records, "records", "run `alloc freeze`"))
    rounds = [_round_files(folder.round_public(n), n) for n in range(2, through + 1)]
    out.step(f"verifying the draw and its rounds through round {through}")
    report = check_chain(
        rules=rules,
        policy=policy,
        announcement=_envelope(folder.public / "announcement.json", "announcement"),
        transcript=_envelope(folder.transcript, "transcript"),
        records=records,
        results=files.read_lines(folder.results) if folder.results.exists() else None,
        rounds=rounds,
        rehearsal=_rehearsal_marker(folder.draw_root) is not None,
    )
    if not report.ok or report.round != through:
        out.say(str(report))
        failed = report.failures
        raise (failed[0].error if failed and failed[0].error else None) or VerificationError(
            f"round {through} is not complete: draw it first"
        )
    first = Transcript.from_envelope(_envelope(folder.transcript, "transcript"))
    inputs = []
    for files_ in rounds:
        assert files_.transcript is not None
        tx = RoundTranscript.from_envelope(
            _as_round_envelope(files_.transcript, "round-transcript")
        )
        round_records = None if files_.records is None else whole_lines(files_.records)
        inputs.append((whole_lines(files_.responses), round_records, tx.seed))
    standings = chain_standings(rules, records, first.seed, inputs)
    last = (
        _envelope(folder.transcript, "transcript")
        if not rounds
        else _as_round_envelope(rounds[-1].transcript, "round-transcript")
    )
    return _Chain(report, rounds, standings, last)


def _as_round_envelope(data: Envelope | bytes | None, kind: str) -> Envelope:
    if isinstance(data, Envelope):
        return data
    if data is None:
        raise CommandError(f"the {kind} is missing")
    return Envelope.from_bytes(data, expected_type=kind)


def _last_drawn(folder: DrawFolder) -> int:
    """The last round with a transcript (1 for the draw alone)."""
    last = 1
    for number in _round_numbers(folder.public):
        if not (folder.round_public(number) / "transcript.json").exists():
            break
        last = number
    return last


def _current_records(folder: DrawFolder, through: int) -> dict[str, Applicant]:
    """Every child's current record: round 1's, replaced by each second-round record since."""
    table = parse_record_lines(files.read_lines(folder.records))
    current = {a.registration_number: a for a in table}
    for number in range(2, through + 1):
        path = folder.round_public(number) / "records.jsonl"
        if path.exists():
            for record in parse_record_lines(files.read_lines(path)):
                current[record.registration_number] = record
    return current


def _round_records(
    choices: dict[str, tuple[str, ...]], current: dict[str, Applicant], standings: Standings
) -> ApplicantTable:
    """Second-round records from new choices: the child's current record, its choices replaced.

    A multiples group is kept only if every one of its members still taking
    part is drawn now; otherwise the child is drawn alone (spec 11.5).
    """
    members: dict[str, set[str]] = {}
    for s in standings:
        group = current[s.registration_number].group
        if group is not None and not s.declined:
            members.setdefault(group, set()).add(s.registration_number)
    out = []
    for reg, picked in sorted(choices.items()):
        base = current.get(reg)
        if base is None:
            raise CommandError(
                "no child of the draw has this registration number",
                field="registration_number",
                value=reg,
            )
        group = (
            base.group if base.group and members.get(base.group, set()) <= set(choices) else None
        )
        out.append(Applicant(reg, picked, base.tier, base.facts, group, base.identity))
    return ApplicantTable.from_applicants(out)


def cmd_round_open(args: argparse.Namespace, out: Console) -> int:
    """Open a later round: commit the families' responses (and second-round choices) in the
    round's announcement, to be signed before anything the round decides is known."""
    folder = _folder(args)
    rules = _rules(folder)
    last = _last_drawn(folder)
    number = args.round or last + 1
    if number != last + 1:
        raise CommandError(
            f"round {number} cannot be opened: the last round drawn is round {last}",
            field="--round",
            value=number,
            hint=f"open round {last + 1}",
        )
    target = folder.round_public(number)
    if (target / "announcement.json").exists() and not args.force:
        raise files.OutputExistsError(target / "announcement.json")
    trust = _operator_trust(args, folder)
    chain = _verified_chain(folder, trust.policy, last, out)
    out.step(f"reading {args.responses}")
    responses = files.read_responses(Path(args.responses))
    records = None
    if args.choices:
        out.step(f"reading {args.choices}")
        choices = files.read_round_choices(Path(args.choices))
        records = _round_records(choices, _current_records(folder, last), chain.standings)
    ceremony = None
    round_folder = folder.round_folder(number)
    fresh = records is not None and rules.round_seed is RoundSeed.FRESH
    if fresh:
        if not (args.reveal_deadline and args.draw_at):
            raise CommandError(
                "a second-round draw with round_seed = fresh needs its own seed ceremony:"
                " give --reveal-deadline and --draw-at",
                field="--draw-at",
                hint=f"first run `alloc ceremony begin --dir {round_folder.root}` and the"
                " parties' commits",
            )
        ceremony = _ceremony(round_folder)
        if ceremony.stage is Stage.REVEALING:
            raise CommandError(
                "the round's reveals are already open: it can no longer be announced again",
                source=str(round_folder.ceremony),
            )
        if ceremony.stage is Stage.COMMITTING:
            ceremony = ceremony.fix_plan()
    elif args.reveal_deadline or args.draw_at:
        raise CommandError(
            "--reveal-deadline and --draw-at belong to a second-round draw with its own"
            " ceremony (--choices, and round_seed = fresh in the rules)",
            field="--draw-at",
        )
    # The clock, never a typed time, in the bureau's own UTC offset.
    like = (
        clock.parse_time(args.draw_at, field="--draw-at")
        if args.draw_at
        else Announcement.from_envelope(_envelope(folder.announcement, "announcement")).window.draw
    )
    frozen_at = clock.format_time(clock.now(), like=like)
    notice, lines, record_lines = make_round_announcement(
        rules,
        chain.transcript,
        chain.standings,
        responses,
        frozen_at=frozen_at,
        records=records,
        plan=None if ceremony is None else ceremony.plan,
        reveal_deadline=args.reveal_deadline if fresh else None,
        draw_at=args.draw_at if fresh else None,
    )
    target.mkdir(parents=True, exist_ok=True)
    files.write_lines(target / "responses.jsonl", lines, force=args.force)
    if record_lines is not None:
        files.write_lines(target / "records.jsonl", record_lines, force=args.force)
    files.write_bytes(target / "announcement.json", notice.envelope().to_bytes(), force=args.force)
    if ceremony is not None:
        _save_ceremony(round_folder, ceremony)
    answered = Counter(r.answer.value for r in responses)
    out.say(
        f"round {number}: {len(lines)} responses ("
        + ", ".join(f"{answered[a.value]} {a.value}" for a in Answer)
        + f") under root {notice.responses[0].hex()}"
    )
    if notice.records is not None:
        out.say(
            f"second-round draw of {notice.records[1]} children under root"
            f" {notice.records[0].hex()}"
        )
    out.say(f"announced at {notice.frozen_at}")
    out.say(f"announcement {target / 'announcement.json'}: sign it with `alloc sign`")
    out.result(
        {
            "round": number,
            "responses": len(lines),
            "responses_root": notice.responses[0].hex(),
            "records": None if notice.records is None else notice.records[1],
            "announcement": str(target / "announcement.json"),
        }
    )
    return EXIT_OK


def cmd_round_draw(args: argparse.Namespace, out: Console) -> int:
    """Compute the round: promotion from the waitlists (no randomness) and, if announced, the
    second-round draw; write the standings and the round's transcript."""
    folder = _folder(args)
    rules = _rules(folder)
    numbers = _round_numbers(folder.public)
    last = _last_drawn(folder)
    number = args.round or last + 1
    target = folder.round_public(number)
    if number != last + 1 or number not in numbers:
        raise CommandError(
            f"round {number} cannot be drawn: the last round drawn is round {last}"
            + ("" if number in numbers else f" and round {number} is not announced"),
            field="--round",
            value=number,
            hint=f"open round {last + 1} with `alloc round open`",
        )
    for name in ("transcript.json", "standings.jsonl", "results.jsonl"):
        if (target / name).exists() and not args.force:
            raise files.OutputExistsError(target / name)
    trust = _operator_trust(args, folder)
    announcement = files.read_envelope(target / "announcement.json", "round-announcement")
    trust.policy.verify(announcement, document=f"round {number} announcement")
    notice = RoundAnnouncement.from_envelope(announcement)
    chain = _verified_chain(folder, trust.policy, last, out)
    now = clock.now()
    record = None
    if notice.seed_plan is not None:
        drawn = notice.draw_time
        assert drawn is not None
        now = now.astimezone(drawn.tzinfo)
        if now < drawn:
            raise ScheduleError(
                f"round {number} cannot be drawn before its announced draw time"
                f" {notice.draw_at} (it is now {clock.format_time(now, like=now)})",
                field="draw_at",
                hint="run `alloc round draw` at or after the announced time",
            )
        record = _ceremony(folder.round_folder(number)).finish()
    else:
        now = now.astimezone(clock.parse_time(notice.frozen_at, field="frozen_at").tzinfo)
    first = Transcript.from_envelope(_envelope(folder.transcript, "transcript"))
    round_files = _round_files(target, number)
    out.step(f"computing round {number}")
    tx, outcome, standing_lines, results = make_round_transcript(
        announcement,
        rules,
        chain.standings,
        whole_lines(round_files.responses),
        records=None if round_files.records is None else whole_lines(round_files.records),
        ceremony=record,
        first_seed=first.seed,
        created=clock.format_time(now, like=now),
        log=_log_head(folder.root),
    )
    files.write_lines(target / "standings.jsonl", standing_lines, force=args.force)
    if results is not None:
        files.write_lines(target / "results.jsonl", results, force=args.force)
    files.write_bytes(target / "transcript.json", tx.envelope().to_bytes(), force=args.force)
    standings = outcome.standings
    moved = int((standings.moved_from >= 0).sum())
    before = chain.standings
    drawn_now = set() if outcome.draw is None else set(outcome.draw.registration_numbers)
    had_none = np.diff(before.seat_indptr) == 0
    has_now = np.diff(standings.seat_indptr) > 0
    given = sum(
        1
        for row in np.flatnonzero(had_none & has_now & ~before.declined).tolist()
        if standings.registration_numbers[row] not in drawn_now
    )
    placed = sum(s.placed for s in standings.summaries)
    out.say(
        f"round {number}: {given} given a seat from the waitlists, {moved} moved up to a"
        f" kindergarten listed higher; {placed} seats held, {len(standings.unplaced)} unplaced,"
        f" {tx.declined} declined"
    )
    if outcome.draw is not None:
        won = sum(1 for a in outcome.draw if a.placed or a.wins)
        out.say(f"second-round draw: {won} of {len(outcome.draw)} children drawn a seat")
    out.say(f"standings root {tx.standings[0].hex()}")
    if tx.log is not None:
        out.say(
            f"the transcript commits to the operator log's first {tx.log.count} entries"
            f" (head {tx.log.head.hex()})"
        )
    out.say(f"transcript {target / 'transcript.json'}: sign it with `alloc sign`")
    out.result(
        {
            "round": number,
            "from_waitlists": given,
            "moved": moved,
            "placed": placed,
            "unplaced": len(standings.unplaced),
            "declined": tx.declined,
            "standings_root": tx.standings[0].hex(),
        }
    )
    return EXIT_OK


def _public_paths(args: argparse.Namespace) -> dict[str, Path]:
    base = Path(args.dir) / "public" if args.dir else None
    names = {
        "rules": "rules.json",
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


def _commits_to_no_log(transcript: bytes) -> bool:
    """Whether a readable transcript commits to no operator log (unreadable: False,
    so that the verification itself reports what is wrong with it)."""
    try:
        return Transcript.from_envelope(Envelope.from_bytes(transcript)).log is None
    except AllocError:
        return False


def cmd_verify(args: argparse.Namespace, out: Console) -> int:
    """Check everything from the public files alone, against keys you pinned; list every check."""
    paths = _public_paths(args)
    for key in ("announcement", "transcript", "rules", "records"):
        _require(paths[key], key, f"it is in the draw's public folder ({key})")
    if _marked_rehearsal(paths["announcement"]):
        out.mark = _MARK  # before anything is printed; verification checks the mark itself
    checked = [path.parent for path in paths.values()]
    if args.dir:
        checked.append(Path(args.dir))
    published = Path(args.published) if args.published else None
    if published is not None:
        checked.append(published)
    certificate = Path(args.certificate) if args.certificate else None
    if certificate is not None and not args.force and storage.will_exist(certificate):
        raise files.OutputExistsError(certificate)
    key_files = [paths["announcement"].parent / "trust.json"]
    with files.recording_reads() as reads:
        trust = _trust(
            args,
            checked=checked,
            key_files=key_files,
            signed=[("announcement", paths["announcement"]), ("transcript", paths["transcript"])],
        )
        out.step("reading the public files")
        rules = files.read_rules(_require(paths["rules"], "rules", "it is in the public folder"))
        records = files.LineFile(_require(paths["records"], "records", "public/records.jsonl"))
        results = files.LineFile(paths["results"]) if paths["results"].exists() else None
        log_path = Path(args.log) if args.log else None
        if log_path is None and args.dir and (Path(args.dir) / LOG_NAME).is_file():
            log_path = Path(args.dir) / LOG_NAME
        log = (
            files.read_bytes(
                _require(log_path, "operator log", "give the draw folder's " + LOG_NAME)
            )
            if log_path
            else None
        )
        announcement = files.read_bytes(
            _require(paths["announcement"], "announcement", "public/announcement.json")
        )
        transcript = files.read_bytes(
            _require(paths["transcript"], "transcript", "public/transcript.json")
        )
        if log is not None and not args.log and _commits_to_no_log(transcript):
            # A folder's log begun after its draw (a demo folder, then publish or
            # verify in it) has nothing signed to be checked against.
            out.notice(f"{log_path}: not checked: the transcript commits to no operator log")
            log = None
        rounds_dir = Path(args.rounds) if args.rounds else paths["transcript"].parent / "rounds"
        rounds = [_round_files(rounds_dir / str(n), n, stream=True) for n in _numbered(rounds_dir)]
        remembered = _remembered(Path(args.remember), rules.draw_id) if args.remember else {}
        out.step(
            "verifying (signatures, commitments, ceremony, re-running the draw and every round)"
        )
        report = check_chain(
            rules=rules,
            policy=trust.policy,
            announcement=announcement,
            transcript=transcript,
            records=records,
            results=results,
            rounds=rounds,
            expect_round=args.expect_round,
            # None without --remember: check_chain checks any ``known`` it is given.
            known=remembered if args.remember else None,
            log=log,
            rehearsal=args.rehearsal,
            progress=out.progress,
        )
        if published is not None:
            out.step("checking the published notice lists and waitlists against the results")
            lists: PublishedLists | AllocError
            try:
                lists = files.read_published_lists(published, rules)
            except InputError as exc:
                lists = exc
            report = check_publication(
                lists,
                report=report,
                rules=rules,
                records=records,
                announcement=announcement,
                transcript=transcript,
            )
    if report.rehearsal:
        out.mark = _MARK
    out.say(f"draw {rules.draw_id}: {rules.title}")
    if report.round is not None:
        latest = f"round {report.round}"
        out.say(
            latest if report.round == 1 else f"{latest} (the chain of rounds 1 to {report.round})"
        )
    out.say(f"trust: {trust.source}")
    if log_path is not None:
        out.say(f"operator log: {log_path}")
    out.say(str(report))
    if args.remember and report.ok:
        _remember(Path(args.remember), rules.draw_id, report.digests, remembered)
        out.say(f"remembered rounds 1 to {report.round} in {args.remember}")
    result: dict[str, Any] = {**report.to_json(), "trust": trust.source}
    if certificate is not None:
        roles = {str(path): key for key, path in paths.items()}
        if log_path is not None:
            roles[str(log_path)] = "log"
        roles |= {str(path): "keys" for path in ([Path(k) for k in args.keys or ()] or key_files)}
        if args.trust:
            roles[str(args.trust)] = "trust"
        html = render_certificate(
            report=report,
            rules=rules,
            policy=trust.policy,
            trust_source=trust.source,
            files=checked_files(reads, roles, published),
            verified_at=clock.now(),
            announcement=_readable(announcement, "announcement"),
            transcript=_readable(transcript, "transcript"),
        )
        files.write_bytes(certificate, html.encode("utf-8"), force=args.force)
        out.say(f"wrote the certificate of this verification to {certificate}")
        result["certificate"] = str(certificate)
    out.result(result)
    return EXIT_OK if report.ok else EXIT_VERIFICATION_FAILED


def _remembered(path: Path, draw_id: str) -> dict[int, bytes]:
    """The rounds a verifier saw before (``--remember``): round -> transcript digest."""
    if not path.exists():
        return {}
    fields = Fields.of(parse_json(path.read_bytes(), document=str(path)), document=str(path))
    if fields.string("draw_id") != draw_id:
        raise CommandError(
            "this file remembers another draw",
            source=str(path),
            field="draw_id",
            hint="keep one --remember file per draw",
        )
    rounds = fields.object("rounds")
    seen = {int(key): rounds.hex(key, size=32) for key in sorted(rounds.data) if key.isdigit()}
    rounds.done()
    fields.done()
    return seen


def _remember(
    path: Path, draw_id: str, digests: Mapping[int, bytes], before: Mapping[int, bytes]
) -> None:
    merged = {**before, **digests}
    data = {"draw_id": draw_id, "rounds": {str(r): d.hex() for r, d in sorted(merged.items())}}
    files.write_bytes(path, canonical_json(data) + b"\n", force=True)


def _readable(data: bytes | None, kind: str) -> Envelope | None:
    """A signed document for the certificate, or None if it does not read (a check says why)."""
    if data is None:
        return None
    try:
        return Envelope.from_bytes(data, expected_type=kind)
    except AllocError:
        return None


@dataclass(frozen=True)
class PublishedDraw:
    """A finished draw's public files, read from a draw folder, and the trust to check them."""

    rules: DrawRules
    announcement: Envelope
    transcript: Envelope
    records: list[bytes]
    results: list[bytes]
    trust: Trust
    #: The folder is a rehearsal's: its documents are checked as a rehearsal's.
    rehearsal: bool = False

    @property
    def policy(self) -> TrustPolicy:
        return self.trust.policy

    @classmethod
    def load(cls, folder: DrawFolder, args: argparse.Namespace) -> PublishedDraw:
        return cls(
            rules=_rules(folder),
            announcement=_envelope(folder.announcement, "announcement"),
            transcript=_envelope(folder.transcript, "transcript"),
            records=files.read_lines(_require(folder.records, "records", "run `alloc freeze`")),
            results=files.read_lines(_require(folder.results, "results", "run `alloc draw`")),
            trust=_operator_trust(args, folder),
            rehearsal=_rehearsal_marker(folder.root) is not None,
        )

    def verify(self, progress: Progress | None = None) -> VerificationReport:
        return check_transcript(
            self.transcript,
            announcement=self.announcement,
            rules=self.rules,
            records=self.records,
            policy=self.policy,
            results=self.results,
            rehearsal=self.rehearsal,
            progress=progress,
        )

    def outcome(self, progress: Progress | None = None) -> Outcome:
        """The draw re-run from the public records and the transcript's seed."""
        seed = Transcript.from_envelope(self.transcript).seed
        return draw(self.rules, parse_record_lines(self.records), seed, progress=progress)

    def report_pages(
        self,
        report: VerificationReport,
        outcome: Outcome,
        registry: Registry | None,
        progress: Progress | None = None,
    ) -> ReportPages:
        return render_report(
            rules=self.rules,
            announcement=self.announcement,
            transcript=self.transcript,
            outcome=outcome,
            report=report,
            policy=self.policy,
            registry=registry,
            progress=progress,
        )


def cmd_publish(args: argparse.Namespace, out: Console) -> int:
    """Notice-board lists (masked), waitlists, the private full results and the report."""
    folder = _folder(args)
    site = _site_url(folder, args.site_url)
    published = PublishedDraw.load(folder, args)
    registry = _registry(folder)
    target = Path(args.out) if args.out else folder.publish
    if storage.holds_outputs(target) and not args.force:
        raise files.OutputExistsError(target)
    out.step("verifying before publishing")
    report = published.verify(out.progress)
    out.say(f"trust: {published.trust.source}")
    out.say(str(report))
    if not report.ok:
        raise report.failures[0].error or VerificationError("verification failed")
    outcome = published.outcome(out.progress)
    target.mkdir(parents=True, exist_ok=True)
    out.step("writing notice boards, waitlists and the report")
    suffix = f".{args.format}"
    private = folder.private / f"results{suffix}"
    if private.exists() and not args.force:
        raise files.OutputExistsError(private)
    heading = NoticeHeading.of(published.rules, Announcement.from_envelope(published.announcement))
    banner = heading.banner  # a rehearsal's lists say so above everything else
    written = files.write_notice_lists(
        target / "notice",
        outcome,
        registry,
        suffix=suffix,
        force=args.force,
        progress=out.progress,
        heading=heading,
        banner=banner,
    )
    files.write_waitlists(
        target / f"waitlists{suffix}",
        outcome,
        registry,
        force=args.force,
        heading=heading,
        banner=banner,
    )
    out.step("checking the lists just written against the results, as `verify --published` does")
    lists = files.read_published_lists(target, published.rules)
    for check in check_published_lists(lists, outcome=outcome, heading=heading):
        out.say(f"{'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
        if not check.passed:
            raise check.error or VerificationError(check.detail)
    files.write_private_results(private, outcome, registry, force=args.force, banner=banner)
    pages = published.report_pages(report, outcome, registry, out.progress)
    files.write_report(target / REPORT_FOLDER, pages, force=args.force)
    out.step("writing the public lookup index (opened only with a receipt)")
    index = build_public_index(registry, outcome, published.transcript)
    lookup = _write_lookup_index(target / LOOKUP_FOLDER, index, force=args.force)
    out.step("writing the parents' verifier page and every child's proof file")
    proofs = _write_verifier(
        target,
        published.rules.draw_id,
        published.records,
        published.results,
        public_url=args.public_url,
        site_url=site,
        force=args.force,
    )
    out.say(
        f"published {len(written)} notice lists, waitlists, the report"
        f" ({REPORT_FOLDER}/index.html), the lookup index ({len(index) - 1} shards), the verifier"
        f" page ({PAGE_FOLDER}/index.html) and {proofs} proof files ({PROOF_FOLDER}/) to {target}"
    )
    out.say(
        f"the page reads the public files from {args.public_url} (relative to"
        f" {PAGE_FOLDER}/): serve {folder.public} there"
    )
    if site is not None:
        out.say(f"receipts' QR codes open {site}: serve {target / PAGE_FOLDER} at that address")
    out.say(f"private full results: {private}")
    out.result(
        {
            "published": str(target),
            "notice_lists": [str(p) for p in written],
            "lookup_index": str(lookup),
            "verifier_page": str(target / PAGE_FOLDER / "index.html"),
            "proof_files": proofs,
            "site_url": site,
        }
    )
    return EXIT_OK


def _site_url(folder: DrawFolder, given: str | None) -> str | None:
    """The verifier page's address: as given, or as recorded when receipts were printed."""
    path = folder.root / SITE_FILE
    recorded = None
    if path.exists():
        fields = Fields.of(parse_json(path.read_bytes(), document=str(path)), document=str(path))
        recorded = check_site_url(fields.string("site_url"), field=str(path))
        fields.done()
    if given is not None:
        check_site_url(given)
        if recorded is not None and given != recorded:
            raise CommandError(
                f"receipts were printed with the address {recorded} (recorded in {path}):"
                " their QR codes would open the wrong page",
                field="--site-url",
                value=given,
                hint=f"serve the page at {recorded}, or delete {path} and print every receipt"
                " again",
            )
    return given if given is not None else recorded


def _write_verifier(
    publish: Path,
    draw_id: str,
    records: Sequence[bytes],
    results: Sequence[bytes],
    *,
    public_url: str,
    site_url: str | None,
    force: bool,
) -> int:
    """Write publish/verify/ and publish/proofs/; returns the number of proof files."""
    page = publish / PAGE_FOLDER
    page.mkdir(parents=True, exist_ok=True)
    for name, data in page_files(public_url=public_url, site_url=site_url).items():
        files.write_bytes(page / name, data, force=force)
    proofs = proof_files(draw_id, records, results)
    _replace_folder(publish / PROOF_FOLDER, proofs, force=force)
    return len(proofs)


def _replace_folder(folder: Path, contents: Mapping[str, bytes], *, force: bool) -> None:
    """Make ``folder`` hold exactly ``contents`` (relative path to bytes), all at once.

    One file per child is millions of files for a province, and syncing each
    costs milliseconds: they go to a staging folder that replaces ``folder``
    whole when the command's files appear (:meth:`storage.Transaction.staging_folder`).

    Raises:
        OutputExistsError: if ``folder`` holds files and ``force`` is false.
        StorageError: if the file system refuses a write.
    """
    if storage.holds_outputs(folder) and not force:
        raise files.OutputExistsError(folder)
    txn = storage.active_transaction()
    own = txn is None
    if txn is None:
        txn = storage.Transaction(folder.parent, command="alloc")
    staging = txn.staging_folder(folder)
    try:
        for name, data in contents.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    except OSError as exc:
        txn.abort()
        raise storage.os_error(exc, path=folder) from exc
    if own:
        txn.commit()


def _write_lookup_index(folder: Path, index: dict[str, bytes], *, force: bool) -> Path:
    """Write the public lookup index's files to ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in index.items():
        files.write_bytes(folder / name, data, force=force)
    # A re-publish with --force may shard differently; shards of the old layout would
    # belong to another index and only mislead.
    for stale in folder.iterdir():
        if _SHARD_NAME.fullmatch(stale.name) and stale.name not in index:
            stale.unlink()
    return folder


#: The report's folder inside the publish folder.
REPORT_FOLDER = "report"


def _registry(folder: DrawFolder) -> Registry:
    return registry_from_json(
        _read_json(folder.registry, "private registry", "it is written by `alloc freeze`")
    )


def cmd_report(args: argparse.Namespace, out: Console) -> int:
    """Write the self-contained HTML report of a draw."""
    folder = _folder(args)
    published = PublishedDraw.load(folder, args)
    registry = _registry(folder) if folder.registry.exists() else None
    out.step("verifying (re-running the draw)")
    report = published.verify(out.progress)
    outcome = published.outcome(out.progress)
    out.step(f"writing {args.out}")
    pages = published.report_pages(report, outcome, registry, out.progress)
    index = files.write_report(Path(args.out), pages, force=args.force)
    _show_signers(
        out,
        published.trust,
        [("announcement", published.announcement), ("transcript", published.transcript)],
    )
    out.say(
        f"wrote the report to {args.out}: open {index}"
        f" ({len(pages.pages)} list pages; verification {'passed' if report.ok else 'FAILED'})"
    )
    out.result(
        {
            "report": str(index),
            "verified": report.ok,
            "trust": published.trust.source,
            "signatures": report.to_json()["signatures"],
        }
    )
    return EXIT_OK if report.ok else EXIT_VERIFICATION_FAILED


def cmd_lookup(args: argparse.Namespace, out: Console) -> int:
    """Look a child's result up: by receipt from the public index, or at the bureau's desk."""
    folder = _folder(args)
    kind = DocumentType(args.document_type)
    if args.salt is None and args.registration_number is None and args.index is None:
        # At the bureau: the private registry answers by number and name alone.
        rules = _rules(folder)
        seed = Transcript.from_envelope(_envelope(folder.transcript, "transcript")).seed
        records = files.read_lines(_require(folder.records, "records", "run `alloc freeze`"))
        outcome = draw(rules, parse_record_lines(records), seed)
        index = LookupIndex.build(_registry(folder), outcome)
        answer = index.lookup(args.id, args.name, document_type=kind)
    else:
        if args.salt is None or args.registration_number is None:
            raise CommandError(
                "a lookup in the public index needs the whole receipt",
                hint="give --registration-number and --salt as printed on the receipt",
            )
        receipt = Receipt(
            registration_number=args.registration_number.strip(), salt=parse_salt(args.salt)
        )
        where = Path(args.index) if args.index else folder.publish / LOOKUP_FOLDER
        _require(where / INDEX_FILE, "lookup index", "run `alloc publish`, or pass --index")
        # With a draw folder, the index must be the one made for its transcript.
        transcript = (
            _envelope(folder.transcript, "transcript")
            if args.index is None and folder.transcript.exists()
            else None
        )
        answer = public_lookup(
            lambda name: (where / name).read_bytes(),
            receipt=receipt,
            document_number=args.id,
            name=args.name,
            document_type=kind,
            transcript=transcript,
        )
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
    drawn = _last_drawn(folder)
    if drawn > 1:
        # The child's part of every later round drawn, each under its round's roots.
        proof = make_round_proofs(
            proof, [_round_files(folder.round_public(n), n) for n in range(2, drawn + 1)]
        )
    files.write_bytes(Path(args.out), canonical_json(proof.to_json()) + b"\n", force=args.force)
    spans = "" if drawn == 1 else f", spanning rounds 1 to {drawn}"
    out.say(f"proof for {args.registration_number} written to {args.out}{spans}")
    out.result(proof.to_json())
    return EXIT_OK


def cmd_proof_check(args: argparse.Namespace, out: Console) -> int:
    """A parent checks their own child: identity, record, lottery number, result, signers."""
    proof_path = _require(
        Path(args.proof), "proof file", "ask the bureau or the lookup site for it"
    )
    announcement, transcript = Path(args.announcement), Path(args.transcript)
    if _marked_rehearsal(announcement):
        out.mark = _MARK
    trust = _trust(
        args,
        checked=[proof_path.parent, announcement.parent, transcript.parent],
        key_files=[announcement.parent / "trust.json"],
        signed=[("announcement", announcement), ("transcript", transcript)],
    )
    proof = ParentProof.from_bytes(proof_path.read_bytes(), document=str(proof_path))
    report = check_parent_proof(
        proof,
        registration_number=args.registration_number,
        salt=parse_salt(args.salt),
        document_type=DocumentType(args.document_type),
        document_number=args.id,
        name=args.name,
        announcement=_require(announcement, "announcement", "").read_bytes(),
        transcript=_require(transcript, "transcript", "").read_bytes(),
        policy=trust.policy,
        rehearsal=args.rehearsal,
    )
    steps = list(report.steps)
    if proof.rounds:
        rounds_dir = Path(args.rounds) if args.rounds else transcript.parent / "rounds"
        documents = []
        for part in proof.rounds:
            folder = rounds_dir / str(part.round)
            documents.append(
                (
                    _require(
                        folder / "announcement.json",
                        f"round {part.round}'s announcement",
                        "it is published in public/rounds/N/",
                    ).read_bytes(),
                    _require(
                        folder / "transcript.json",
                        f"round {part.round}'s transcript",
                        "it is published in public/rounds/N/",
                    ).read_bytes(),
                )
            )
        steps += check_round_proofs(
            proof,
            registration_number=args.registration_number,
            transcript=transcript.read_bytes(),
            rounds=documents,
            policy=trust.policy,
            rehearsal=args.rehearsal,
        )
    ok = all(s.passed for s in steps)
    out.say(f"trust: {trust.source}")
    out.say(str(report))
    for step in steps[len(report.steps) :]:
        out.say(f"{'PASS' if step.passed else 'FAIL'}  {step.name}: {step.detail}")
    out.result(
        {
            **report.to_json(),
            "ok": ok,
            "steps": [s.to_json() for s in steps],
            "trust": trust.source,
        }
    )
    return EXIT_OK if ok else EXIT_VERIFICATION_FAILED


_ROLE_LABELS = {"bureau": "区教育局 bureau", "notary": "公证处 notary"}


def cmd_receipts(args: argparse.Namespace, out: Console) -> int:
    """Printable receipts with a QR code that opens the verifier page (private: receipt codes)."""
    folder = _folder(args)
    rules = _rules(folder)
    registry = _registry(folder)
    site = _site_url(folder, args.site_url)
    if site is None:
        raise CommandError(
            "give the address where the verifier page will be served",
            field="--site-url",
            hint="e.g. --site-url https://jyj.example.gov.cn/2026-kg/verify/ (publish writes"
            " the page to publish/verify/; serve it there)",
        )
    target = Path(args.out) if args.out else folder.private / "receipts.html"
    resolved = target.resolve()
    for public in (folder.public, folder.publish):
        if resolved.is_relative_to(public.resolve()):
            raise CommandError(
                "receipts hold receipt codes and must never go to a public folder",
                field="--out",
                value=str(target),
                hint=f"write them to {folder.private} (the default)",
            )
    fingerprints: list[tuple[str, str]] = []
    if folder.trust.exists():
        policy = TrustPolicy.from_bytes(folder.trust.read_bytes(), document=str(folder.trust))
        fingerprints = [
            (_ROLE_LABELS.get(role.name, role.name), key.fingerprint)
            for role in policy.roles
            for key in role.keys
        ]
    only = args.registration_number or None
    unknown = sorted(set(only or ()) - set(registry))
    if unknown:
        raise CommandError(
            "no such registration number in the private registry",
            field="--registration-number",
            value=unknown[0],
        )
    text = render_receipts(
        registry,
        site_url=site,
        title=rules.title,
        authority=rules.authority,
        fingerprints=fingerprints,
        only=only,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    files.write_bytes(target, text.encode("utf-8"), force=args.force, mode=0o600)
    if not (folder.root / SITE_FILE).exists():
        files.write_bytes(folder.root / SITE_FILE, canonical_json({"site_url": site}) + b"\n")
    count = len(only) if only else len(registry)
    out.say(f"wrote {count} receipts to {target} (private: they hold receipt codes)")
    out.say(f"their QR codes open {site} (recorded in {folder.root / SITE_FILE})")
    out.result({"receipts": str(target), "count": count, "site_url": site})
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: Console) -> int:
    """Run the synthetic example draw end to end; with --out, write every file."""
    if args.out and storage.holds_outputs(args.out) and not args.force:
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


_DEMO_KEY_NOTE = (
    b"DEMO KEY: its private key is derived from alloc's public demo code (alloc/demo.py)."
    b" Anyone can sign with it; never trust it for a real draw.\n"
)


def _write_demo(run: Any, target: Path, *, force: bool, out: Console) -> None:
    if storage.holds_outputs(target):
        if not force:
            raise files.OutputExistsError(target)
        storage.remove_outputs(target)
    folder = DrawFolder(target)
    for path in (folder.public, folder.private, folder.publish, target / "keys"):
        path.mkdir(parents=True, exist_ok=True)
    rules_bytes = canonical_json(run.rules.to_json()) + b"\n"
    trust_bytes = run.policy.to_bytes()
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
        folder.ceremony,
        canonical_json(
            Ceremony.from_record(
                run.ceremony,
                reveal_deadline=Announcement.from_envelope(run.announcement).window.deadline,
            ).to_json()
        )
        + b"\n",
    )
    files.write_bytes(
        folder.registry, canonical_json(registry_to_json(run.registry)) + b"\n", mode=0o600
    )
    for name, key in run.keys.items():
        files.write_bytes(target / "keys" / f"{name}.pub", _DEMO_KEY_NOTE + key.public.to_pem())
    files.write_applicants(folder.private / "applicants.csv", run.applicants, run.registry)
    written = files.write_notice_lists(folder.publish / "notice", run.outcome, run.registry)
    files.write_waitlists(folder.publish / "waitlists.csv", run.outcome, run.registry)
    files.write_private_results(folder.private / "results.csv", run.outcome, run.registry)
    pages = render_report(
        rules=run.rules,
        announcement=run.announcement,
        transcript=run.transcript,
        outcome=run.outcome,
        report=run.report,
        policy=run.policy,
        registry=run.registry,
    )
    files.write_report(folder.publish / REPORT_FOLDER, pages, force=force)
    index = build_public_index(run.registry, run.outcome, run.transcript)
    _write_lookup_index(folder.publish / LOOKUP_FOLDER, index, force=force)
    _write_verifier(
        folder.publish,
        run.rules.draw_id,
        run.records,
        run.results,
        public_url=DEFAULT_PUBLIC_URL,
        site_url=DEMO_SITE_URL,
        force=force,
    )
    files.write_bytes(target / SITE_FILE, canonical_json({"site_url": DEMO_SITE_URL}) + b"\n")
    receipts = render_receipts(
        run.registry,
        site_url=DEMO_SITE_URL,
        title=run.rules.title,
        authority=run.rules.authority,
        fingerprints=[
            (_ROLE_LABELS.get(role.name, role.name), key.fingerprint)
            for role in run.policy.roles
            for key in role.keys
        ],
        only=list(run.parent_reports),
    )
    files.write_bytes(folder.private / "receipts.html", receipts.encode("utf-8"), mode=0o600)
    pins = " ".join(
        f'--expect {role.name}="{role.keys[0].fingerprint}"' for role in run.policy.roles
    )
    out.say("")
    out.say(
        f"wrote the draw folder {target}: public/, publish/ ({len(written)} notice lists,"
        f" {REPORT_FOLDER}/, lookup/, {PAGE_FOLDER}/, {PROOF_FOLDER}/), private/ (with"
        " receipts.html)"
    )
    out.say(
        f"the parents' page: `cd {target} && python3 -m http.server 8000`, then open"
        f" {DEMO_SITE_URL} (the receipts in private/receipts.html open it with their code)"
    )
    out.say(
        f"verify it with `alloc verify --dir {target} {pins}`: these are DEMO keys, whose"
        " private keys anyone can derive from alloc's code, so the pins only show how pinning"
        " works"
    )


def cmd_log_verify(args: argparse.Namespace, out: Console) -> int:
    """Check an operator log's chain and, with a transcript (the draw's or a later round's),
    that it is the log that transcript signed."""
    path = _require(Path(args.log), "operator log", f"it is {LOG_NAME} in the draw folder")
    data = path.read_bytes()
    log = parse_log(data, document=str(path))
    committed: LogHead | None = None
    summary: dict[str, Any] = {"entries": len(log.entries), "head": log.head.head.hex()}
    if args.transcript:
        where = Path(args.transcript)
        if _marked_rehearsal(where):
            out.mark = _MARK
        trust = _trust(
            args,
            checked=[path.parent, where.parent],
            key_files=[where.parent / "trust.json"],
            signed=[("transcript", where)],
        )
        _require(where, "transcript", "public/transcript.json")
        kind = "round-transcript" if _is_round_transcript(where) else "transcript"
        envelope = files.read_envelope(where, kind)
        tx: Transcript | RoundTranscript = (
            RoundTranscript.from_envelope(envelope)
            if kind == "round-transcript"
            else Transcript.from_envelope(envelope)
        )
        trust.policy.verify(envelope, document=kind)
        detail = check_log(data, tx.log, draw_id=tx.draw_id, document=str(path))
        committed = tx.log
        out.say(f"trust: {trust.source}")
        out.say(f"transcript signed by: {trust.policy.describe(envelope)}")
        summary.update({"transcript": str(where), "committed": committed and committed.count})
    else:
        detail = (
            f"{len(log.entries)} entries, each naming the hash of the one before; give"
            " --transcript to check the log is the one the draw signed"
        )
    for line in describe_log(log, committed):
        out.say(line)
    out.say(f"PASS  operator log: {detail}")
    out.result({"ok": True, **summary, "detail": detail})
    return EXIT_OK


def _is_round_transcript(document: Path) -> bool:
    """Whether a signed file says it is a later round's transcript (read loosely: the strict
    reading that follows names any problem)."""
    with contextlib.suppress(AllocError, OSError):
        return Envelope.from_bytes(document.read_bytes()).signed.get("type") == "round-transcript"
    return False


def _overlap(one: Path, other: Path) -> bool:
    a, b = one.resolve(), other.resolve()
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def _prepare_rehearsal_folder(target: Path, real: Path, *, force: bool) -> None:
    """An empty folder for the rehearsal: new, or an earlier rehearsal's cleared with --force.

    Raises:
        CommandError: if it is (or holds, or lies in) the real folder, or holds
            files and is no rehearsal's.
        OutputExistsError: if it holds a rehearsal and ``force`` is false.
    """
    if _overlap(target, real):
        raise CommandError(
            "the rehearsal folder must lie outside the real draw folder, and not hold it:"
            " a rehearsal never touches the real draw's files",
            field="--out",
            value=str(target),
            hint="give --out a folder of its own, e.g. next to the draw folder",
        )
    if not storage.holds_outputs(target):
        return
    if _rehearsal_marker(target) is None:
        raise CommandError(
            "the folder holds files and is no rehearsal folder: alloc clears only an earlier"
            " rehearsal's folder",
            field="--out",
            value=str(target),
            hint="give --out a new folder",
        )
    if not force:
        raise files.OutputExistsError(target)
    shutil.rmtree(target)


def _wait_until(moment: datetime, out: Console, why: str) -> None:
    """Sleep until the clock reads ``moment``: a rehearsal keeps its own times."""
    if clock.now() < moment:
        out.say(f"waiting until {clock.format_time(moment, like=moment)}: {why}")
    while (now := clock.now()) < moment:
        time.sleep(min(1.0, (moment - now).total_seconds()))


def cmd_rehearse(args: argparse.Namespace, out: Console) -> int:
    """Rehearse the draw day on a throw-away seed, in a folder of its own, marked 演练 REHEARSAL.

    The real folder is only read: its rules, the shape of its seed plan and
    its trust policy's roles. See :mod:`alloc.rehearsal` for what is thrown
    away and why.
    """
    real = DrawFolder(Path(args.dir))
    if args.reveal_window is not None and args.reveal_window < 1:
        raise CommandError(
            "the reveal window is a whole number of seconds, at least 1",
            field="--reveal-window",
            value=args.reveal_window,
            hint="e.g. --reveal-window 300 for a district of a few hundred thousand children",
        )
    if _rehearsal_marker(real.root) is not None:
        raise CommandError(
            "this is a rehearsal folder: rehearse the real draw folder",
            field="--dir",
            value=str(real.root),
        )
    rules = rehearsal.rehearsal_rules(_rules(real))
    _require(Path(args.applicants), "applicant export", "give the registration system's export")
    shape = rehearsal.Shape.of(_ceremony(real) if real.ceremony.exists() else None)
    thresholds = (
        [(role.name, role.threshold) for role in files.read_policy(real.trust).roles]
        if real.trust.exists()
        else [("bureau", 1), ("notary", 1)]
    )
    target = (
        Path(args.out)
        if args.out
        else real.root.resolve().parent / f"{real.root.resolve().name}-rehearsal"
    )
    _prepare_rehearsal_folder(target, real.root, force=args.force)
    out.mark = _MARK
    start = clock.now().astimezone(ZoneInfo(rules.time_zone))
    schedule = rehearsal.Schedule(
        start,
        reveal_window=timedelta(
            seconds=args.reveal_window if args.reveal_window else 1800 if args.by_hand else 60
        ),
        gap=timedelta(seconds=300 if args.by_hand else 1),
    )
    marker = rehearsal.Marker(
        rules.draw_id, rules.draw_id.removeprefix(rehearsal.DRAW_ID_PREFIX), schedule.written(start)
    )
    keys = rehearsal.key_names(thresholds)
    import_options = ["--sheet", args.sheet] if args.sheet else []
    import_options += [a for label in args.tier_label or () for a in ("--tier-label", label)]

    def plan(fingerprints: dict[str, str]) -> rehearsal.Drill:
        return rehearsal.drill(
            folder=target,
            draw_id=rules.draw_id,
            keys=keys,
            thresholds=thresholds,
            fingerprints=fingerprints,
            shape=shape,
            schedule=schedule,
            applicants=args.applicants,
            import_options=import_options,
            defaulting=args.default or (),
            value=(lambda _: "VALUE") if args.by_hand else rehearsal.throwaway_value,
        )

    # Made once before anything is written, so a wrong --default is refused first.
    preparation = plan({name: "" for _, name in keys}).preparation

    def setup() -> int:
        files.write_bytes(target / rehearsal.MARKER_NAME, marker.to_bytes())
        files.write_rules(target / "rules.json", rules)
        return EXIT_OK

    target.mkdir(parents=True, exist_ok=True)
    _locked(target, args, out, setup)
    out.say(f"rehearsal of draw {marker.of}, as draw {marker.draw_id}, in {target}")
    out.say(f"the real folder {real.root} is only read: nothing of the rehearsal enters it")
    results: list[dict[str, Any]] = []
    for step in preparation:
        if (code := _rehearsal_step(step.argv, args, out, results)) != EXIT_OK:
            return code
    drill = plan(
        {
            name: PublicKey.from_pem((target / "keys" / f"{name}.pub").read_bytes()).fingerprint
            for _, name in keys
        }
    )
    if args.by_hand:
        out.say("")
        out.say(
            f"the rehearsal's times: reveals until {schedule.written(schedule.reveal_deadline)},"
            f" sources from {schedule.written(schedule.sources_known)}, the draw at"
            f" {schedule.written(schedule.draw_at)}"
        )
        out.say("the rehearsal folder is ready; practise the day now, typing each command:")
        for step in (*drill.day, drill.verify):
            if step.not_before is not None:
                out.say(f"  # not before {schedule.written(step.not_before)}:")
            out.say(f"  alloc {shlex.join(step.argv)}")
        out.say(
            "type for VALUE each source's throw-away value in its one form (`alloc ceremony"
            " status` shows it): roll dice, or make one up"
        )
        out.result({"folder": str(target), "draw_id": rules.draw_id, "steps": results})
        return EXIT_OK
    for step in drill.day:
        if step.not_before is not None:
            _wait_until(step.not_before, out, "the rehearsal keeps the order of the day's times")
        if (code := _rehearsal_step(step.argv, args, out, results)) != EXIT_OK:
            if step.not_before is None and clock.now() > schedule.reveal_deadline:
                out.notice(
                    "the rehearsal's reveal deadline"
                    f" {schedule.written(schedule.reveal_deadline)} passed before this step:"
                    " give a longer --reveal-window"
                )
            return code
    code = _rehearsal_step(drill.verify.argv, args, out, results)
    out.say("")
    out.say(
        f"rehearsal done in {target}: its announcement and transcript are signed with"
        " rehearsal: true, so `alloc verify` refuses them as a real draw"
    )
    out.result({"folder": str(target), "draw_id": rules.draw_id, "steps": results})
    return code


def _rehearsal_step(
    argv: Sequence[str], args: argparse.Namespace, out: Console, results: list[dict[str, Any]]
) -> int:
    """Run one command of the rehearsal as the operator would type it; its exit code."""
    options = ["--lock-timeout", f"{args.lock_timeout:g}", *(["--quiet"] if args.quiet else [])]
    out.say(f"$ alloc {shlex.join(argv)}")
    if not out.json_mode:
        return main([*options, *argv])
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = main(["--json", *options, *argv])
    text = captured.getvalue()
    result = json.loads(text) if text.strip() else None
    results.append({"command": list(argv[:2]), "exit_code": code, "result": result})
    return code


# --- parser ------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alloc",
        description="Auditable kindergarten draws (电脑派位): every step of the protocol.",
        epilog="Exit codes: 0 success, 2 invalid input, 3 verification failed, 4 internal error,"
        " 5 file system error (disk full, permission denied, read-only, folder busy).",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"alloc {__version__} (package {DISTRIBUTION}, spec version {SPEC_VERSION})",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON result on stdout")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=storage.DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for a folder another alloc command is using"
        f" (default {storage.DEFAULT_LOCK_TIMEOUT:g})",
    )
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
        help="signing keys: generate an Ed25519 key pair, show a key's fingerprint",
        description="signing keys: generate an Ed25519 key pair, show a key's fingerprint",
    ).add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    sub = command("generate", cmd_keys_generate, keys, force=True)
    sub.add_argument("name", type=_key_name, help="key name, e.g. bureau or notary-1")
    sub.add_argument("--out", default="keys", help="directory (default: keys)")
    sub.add_argument("--password-file", help="encrypt the private key with this password")
    sub = command("fingerprint", cmd_keys_fingerprint, keys)
    sub.add_argument("file", nargs="+", help="public key file(s), e.g. keys/bureau.pub")
    sub.add_argument(
        "--digits", action="store_true", help="print only the fingerprint (for scripts)"
    )

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
        "--time-zone",
        default=DEFAULT_TIME_ZONE,
        help=f"IANA name of the zone times are shown in (default: {DEFAULT_TIME_ZONE})",
    )
    sub.add_argument(
        "--owners-phase",
        action="store_true",
        help="an owners' phase on the 'owners' blocks before the social draw; owners placed"
        " in it never compete for a kindergarten they listed higher (see the README)",
    )
    sub.add_argument(
        "--unanswered",
        default="decline",
        choices=[u.value for u in Unanswered],
        help="in later rounds, a family that does not confirm its seat in time: decline"
        " (逾期未确认视为放弃, the default) or confirm",
    )
    sub.add_argument(
        "--round-seed",
        default="fresh",
        choices=[r.value for r in RoundSeed],
        help="a second-round draw's seed: fresh (its own ceremony, the default) or same"
        " (round 1's, so every child keeps its lottery numbers)",
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
        help="a source always read, in one of the forms: "
        + "; ".join(SOURCE_FORMS.values())
        + ". E.g. 'welfare-3d digits count=3 drawn-at=2026-07-23T21:15:00+08:00"
        " description=福彩3D 2026-07-23'",
    )
    sub.add_argument(
        "--fallback",
        action="append",
        help="a source read only for a party that never reveals, in the same forms, e.g."
        " 'drand-30662982 drand chain=quicknet round=30662982'",
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
    sub = command("open", cmd_ceremony_open, ceremony, folder=True)
    _add_trust_options(sub, own="DIR/trust.json")
    sub = command("reveal", cmd_ceremony_reveal, ceremony, folder=True)
    sub.add_argument("--party", required=True)
    sub.add_argument("--secret", required=True)
    sub = command("default", cmd_ceremony_default, ceremony, folder=True)
    sub.add_argument("--party", required=True)
    sub = command("source", cmd_ceremony_source, ceremony, folder=True)
    sub.add_argument("--name", required=True)
    sub.add_argument(
        "--value",
        required=True,
        help="the value in the one form the plan fixes for this source (`alloc ceremony"
        " status` shows it), e.g. 381 for 福彩3D, '3 7 12 22 28 31' for six balls, the"
        " round's signature for drand",
    )
    command("status", cmd_ceremony_status, ceremony, folder=True)
    command("seed", cmd_ceremony_seed, ceremony, folder=True)

    sub = command("freeze", cmd_freeze, folder=True, force=True)
    sub.add_argument("--applicants", required=True, help="CSV or .xlsx from registration")
    _import_options(sub)
    sub.add_argument(
        "--reveal-deadline",
        required=True,
        help="reveals are accepted until this time, e.g. 2026-07-23T15:30:00+08:00; every"
        " source must become known after it",
    )
    sub.add_argument(
        "--draw-at",
        required=True,
        help="the announced draw time, after every source, e.g. 2026-07-24T09:30:00+08:00"
        " (the list is frozen at the time freeze runs)",
    )
    _replace_signed_option(sub)

    sub = command("sign", cmd_sign)
    sub.add_argument("document", help="announcement.json or transcript.json")
    sub.add_argument(
        "--dir",
        help="the draw folder the document is checked against (default: the folder holding"
        " public/, when the document is in public/; else the document's own folder)",
    )
    sub.add_argument("--key", required=True, help="private key (PEM)")
    sub.add_argument("--password-file")
    sub.add_argument(
        "--yes",
        action="store_true",
        help="sign without asking (after reading the summary); needed when not at a terminal",
    )
    _add_trust_options(sub, own="DIR/trust.json")

    sub = command("draw", cmd_draw, folder=True, force=True)
    _add_trust_options(sub, own="DIR/trust.json")
    _replace_signed_option(sub)

    round_ = commands.add_parser(
        "round",
        help="later rounds: open one on the families' responses, then compute it",
        description="later rounds: open one on the families' responses, then compute it",
    ).add_subparsers(dest="round_command", required=True, metavar="ACTION")
    sub = command("open", cmd_round_open, round_, folder=True, force=True)
    sub.add_argument("--round", type=int, help="the round to open (default: the next one)")
    sub.add_argument(
        "--responses",
        required=True,
        help="CSV or .xlsx of the families' answers: registration number, answer"
        " (confirm/确认, withdraw/退出候补, decline/放弃), kindergarten of the seat kept",
    )
    sub.add_argument(
        "--choices",
        help="CSV or .xlsx of second-round choices (registration number, 志愿1, 志愿2, …) of"
        " children still unplaced: the round then ends with a draw over the seats left",
    )
    sub.add_argument("--reveal-deadline", help="with --choices and round_seed = fresh")
    sub.add_argument("--draw-at", help="with --choices and round_seed = fresh")
    _add_trust_options(sub, own="DIR/trust.json")
    _replace_signed_option(sub)
    sub = command("draw", cmd_round_draw, round_, folder=True, force=True)
    sub.add_argument("--round", type=int, help="the round to compute (default: the next one)")
    _add_trust_options(sub, own="DIR/trust.json")
    _replace_signed_option(sub)

    sub = command("verify", cmd_verify, force=True)
    sub.add_argument("--dir", help="a draw folder (its public/ files are used)")
    for name in ("rules", "announcement", "transcript", "records", "results"):
        sub.add_argument(f"--{name}", help=f"path of the {name} file")
    sub.add_argument(
        "--rounds",
        help="the folder of the later rounds (default: rounds/ beside the transcript)",
    )
    sub.add_argument(
        "--expect-round",
        type=int,
        metavar="N",
        help="the latest round you know was published: a chain ending earlier is refused",
    )
    sub.add_argument(
        "--remember",
        metavar="FILE",
        help="keep the rounds verified here, and refuse later a chain that is shorter"
        " (a rollback) or disagrees (a fork)",
    )
    sub.add_argument(
        "--published",
        metavar="DIR",
        help="also check the notice lists and waitlists `alloc publish` wrote to DIR"
        " (notice/notice-ID.csv or .xlsx, waitlists.csv or .xlsx) against the results",
    )
    sub.add_argument(
        "--certificate",
        metavar="FILE.html",
        help="write a printable certificate of this verification (Chinese and English, A4):"
        " the time, the software, every file's SHA-256, the trusted keys, every check and"
        " the verdict; never over an existing file without --force",
    )
    sub.add_argument(
        "--log",
        help=f"the draw folder's operator log ({LOG_NAME}), checked against the head every"
        f" transcript signs, round 1's and each later round's (with --dir: DIR/{LOG_NAME} if"
        " it is there)",
    )
    sub.add_argument(
        "--rehearsal",
        action="store_true",
        help="check a rehearsal (alloc rehearse) as a rehearsal; without it a rehearsal fails",
    )
    _add_trust_options(sub, own=None)

    sub = command("publish", cmd_publish, folder=True, force=True)
    sub.add_argument("--out", help="default: DIR/publish")
    _add_trust_options(sub, own="DIR/trust.json")
    sub.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        default="csv",
        help="format of the lists and the private full results (default: csv)",
    )
    sub.add_argument(
        "--public-url",
        default=DEFAULT_PUBLIC_URL,
        help="where the verifier page reads the public files, relative to publish/verify/ or"
        f" an https address (default: {DEFAULT_PUBLIC_URL}, the draw folder's public/)",
    )
    sub.add_argument(
        "--site-url",
        help=f"the address where publish/verify/ is served (default: as recorded in {SITE_FILE}"
        " by `alloc receipts`)",
    )

    sub = command("receipts", cmd_receipts, folder=True, force=True)
    sub.add_argument(
        "--site-url",
        help="the address where publish/verify/ will be served; recorded in"
        f" DIR/{SITE_FILE} the first time, so later receipts open the same page",
    )
    sub.add_argument("--out", help="default: DIR/private/receipts.html")
    sub.add_argument(
        "--registration-number",
        action="append",
        help="only this child's receipt (repeatable; e.g. the new receipts of a re-freeze)",
    )

    sub = command("report", cmd_report, folder=True, force=True)
    sub.add_argument(
        "--out",
        default=REPORT_FOLDER,
        help="the folder for the report's pages (default: report): index.html, a page per"
        " kindergarten, the unplaced pages and the search index",
    )
    _add_trust_options(sub, own="DIR/trust.json")

    sub = command("lookup", cmd_lookup, folder=True)
    sub.add_argument("--id", required=True, help="the child's document number")
    sub.add_argument("--name", required=True)
    sub.add_argument(
        "--document-type", default="resident-id", choices=[d.value for d in DocumentType]
    )
    sub.add_argument(
        "--registration-number",
        help="from the receipt: answer from the public lookup index, not the private registry",
    )
    sub.add_argument("--salt", help="the receipt code, as printed on the receipt")
    sub.add_argument(
        "--index", help=f"the public lookup index folder (default: DIR/publish/{LOOKUP_FOLDER})"
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
    sub.add_argument(
        "--rounds",
        help="the folder of the later rounds, for a proof spanning them (default: rounds/"
        " beside the transcript)",
    )
    sub.add_argument(
        "--rehearsal", action="store_true", help="check a rehearsal's proof as a rehearsal's"
    )
    _add_trust_options(sub, own=None)

    log = commands.add_parser(
        "log",
        help="the operator log: check its chain and that the draw signed it",
        description="the operator log: check its chain and that the draw signed it",
    ).add_subparsers(dest="log_command", required=True, metavar="ACTION")
    sub = command("verify", cmd_log_verify, log)
    sub.add_argument("--log", required=True, help=f"the operator log ({LOG_NAME})")
    sub.add_argument(
        "--transcript",
        help="the signed transcript (the draw's, or a later round's) whose operator log head"
        " it must match",
    )
    _add_trust_options(sub, own=None)

    sub = command("rehearse", cmd_rehearse, force=True)
    sub.add_argument("--dir", default=".", help="the real draw folder (only read; default: .)")
    sub.add_argument("--applicants", required=True, help="CSV or .xlsx from registration")
    _import_options(sub)
    sub.add_argument(
        "--out", help="the rehearsal folder (default: the draw folder's name + -rehearsal)"
    )
    sub.add_argument(
        "--reveal-window",
        type=int,
        metavar="SECONDS",
        help="from the start to the rehearsal's reveal deadline (default 60; 1800 with"
        " --by-hand): the freeze, the signatures and the reveals must fit in it",
    )
    sub.add_argument(
        "--default",
        action="append",
        metavar="PARTY",
        help="a party that does not reveal, to practise a default (repeatable)",
    )
    sub.add_argument(
        "--by-hand",
        action="store_true",
        help="prepare the folder and print the day's commands for staff to type, instead of"
        " running them",
    )

    sub = command("demo", cmd_demo, force=True)
    sub.add_argument("--applicants", type=int, default=5000)
    sub.add_argument("--kindergartens", type=int, default=30)
    sub.add_argument("--out", help="write the whole draw folder here")
    _replace_signed_option(sub)
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
        try:
            code: int = _run_in_folder(args, console)
        finally:
            console.close_bar()
    except MalformedDocumentError as exc:
        # A document alloc was asked to read is not one it accepts: bad input.
        _fail(console, "invalid input", exc)
        return EXIT_INVALID_INPUT
    except VerificationError as exc:
        _fail(console, "verification failed", exc)
        return EXIT_VERIFICATION_FAILED
    except storage.StorageError as exc:
        _fail(console, "file system error", exc)
        return EXIT_IO_ERROR
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
    except (IsADirectoryError, NotADirectoryError, UnicodeDecodeError) as exc:
        _fail(console, "invalid input", exc)
        return EXIT_INVALID_INPUT
    except OSError as exc:
        _fail(console, "file system error", storage.os_error(exc, action="read or write"))
        return EXIT_IO_ERROR
    except KeyboardInterrupt:
        print("interrupted: this command changed nothing", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: report, never a bare trace
        traceback.print_exc(file=sys.stderr)
        _fail(console, "internal error (please report it with the trace above)", exc)
        return EXIT_INTERNAL_ERROR
    return code


# --- one command at a time per folder, all of its files or none ------------------------

#: The shell's code for a command stopped by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


def _key_name(text: str) -> str:
    try:
        return storage.check_file_name(text, field="key name")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _replace_signed_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--replace-signed",
        action="store_true",
        help="with --force, also replace a signed announcement or transcript (the old one"
        " is kept as NAME.replaced-SHA256.json)",
    )


@dataclass(frozen=True)
class _Workspace:
    """The folder a command locks, and where its journal lives."""

    folder: Path
    create: bool = False  # the command makes this folder anyway
    read_only: bool = False  # it only reads: it may go on where no lock can be made


def _document_folder(args: argparse.Namespace) -> Path:
    """``sign`` locks the draw folder: ``--dir``, or the one whose public/ holds the document
    (directly, or in ``public/rounds/N/`` for a round's documents)."""
    if getattr(args, "dir", None):
        return Path(args.dir)
    parent = Path(args.document).parent
    if parent.name.isdigit() and parent.parent.name == "rounds":
        public = parent.parent.parent
        return public.parent if public.name == "public" else public
    return parent.parent if parent.name == "public" else parent


def _workspace(args: argparse.Namespace) -> _Workspace | None:
    run = args.run
    if run in (cmd_rehearse, cmd_log_verify):
        return None  # rehearse never locks the real folder; it runs each step in its own
    if run is cmd_keys_generate:
        return _Workspace(Path(args.out), create=True)
    if run is cmd_ceremony_secret:
        return _Workspace(Path(args.out).parent, create=True)
    if run is cmd_ceremony_begin and DrawFolder(Path(args.dir)).round_number is not None:
        return _Workspace(Path(args.dir), create=True)
    if run in (cmd_policy_create, cmd_rules_init):
        return _Workspace(Path(args.out).parent)
    if run is cmd_sign:
        return _Workspace(_document_folder(args))
    if run is cmd_demo:
        return _Workspace(Path(args.out), create=True) if args.out else None
    directory = getattr(args, "dir", None)
    if directory:
        readers = (cmd_verify, cmd_ceremony_status, cmd_ceremony_seed, cmd_lookup)
        return _Workspace(Path(directory), read_only=run in readers)
    return None


def _command_name(args: argparse.Namespace) -> str:
    name = getattr(args.run, "__name__", "").removeprefix("cmd_").replace("_", " ")
    return f"alloc {name}".strip()


def _run_in_folder(args: argparse.Namespace, console: Console) -> int:
    """Run the command holding its folder's lock, after finishing what a killed one left."""
    workspace = _workspace(args)
    if workspace is None:
        return int(args.run(args, console))
    folder = workspace.folder
    if workspace.create:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage.os_error(exc, path=folder, action="create the folder") from exc
    elif not folder.is_dir():
        return int(args.run(args, console))  # the command says what is missing
    draw = DrawFolder(folder)
    if draw.round_number is not None and draw.rules.exists():
        # A round's ceremony (DIR/rounds/N) is part of the draw: its commands hold the
        # draw folder's lock and append to the draw folder's one operator log.
        folder = draw.draw_root
    return _locked(
        folder, args, console, lambda: int(args.run(args, console)), read_only=workspace.read_only
    )


def _locked(
    folder: Path,
    args: argparse.Namespace,
    console: Console,
    run: Callable[[], int],
    *,
    read_only: bool = False,
) -> int:
    """``run`` holding ``folder``'s lock, in one transaction with its operator log entry."""
    command = _command_name(args)
    lock = storage.FolderLock(
        folder,
        command=command,
        timeout=args.lock_timeout,
        on_wait=lambda holder: console.notice(
            f"waiting for {folder}: {holder or 'another alloc command'} is using it"
            f" (giving up after {args.lock_timeout:g} s)"
        ),
        optional=read_only,
    )
    if _rehearsal_marker(folder, or_parent=True) is not None:
        console.mark = _MARK
    if not lock.acquire():
        return run()  # a read-only disk: nobody can write there
    try:
        for line in storage.recover(folder).messages():
            console.notice(f"{folder}: {line}")
        with storage.transaction(
            folder, command=command, replace_signed=getattr(args, "replace_signed", False)
        ) as txn:
            code = run()
            _log_command(txn, folder, args, command)
            return code
    finally:
        lock.release()


# --- the operator log: one entry per command that wrote files in a draw folder -----------

#: Namespace entries that are no option of the command itself.
_LOG_SKIP = frozenset(
    {"run", "command", "json", "quiet", "lock_timeout", "dir"}
    | {
        f"{group}_command"
        for group in ("keys", "policy", "rules", "ceremony", "round", "proof", "log")
    }
)
#: Options whose value is recorded as given: nothing in them is personal data or secret.
_LOG_PUBLIC = frozenset(
    {
        "authority",
        "by_hand",
        "commitment",
        "default",
        "digits",
        "document_type",
        "draw_at",
        "draw_id",
        "expect",
        "expect_round",
        "fallback",
        "force",
        "format",
        "mechanism",
        "min_lottery_percent",
        "multiples",
        "owners_phase",
        "party",
        "public_url",
        "registration_number",
        "rehearsal",
        "replace_signed",
        "reveal_deadline",
        "reveal_window",
        "round",
        "round_seed",
        "sheet",
        "site_url",
        "source",
        "threshold",
        "tie_break",
        "tier_label",
        "tiers",
        "time_zone",
        "title",
        "unanswered",
        "value",
        "waitlist",
        "yes",
    }
)
#: File options recorded by name and SHA-256: public files, or files of no personal data.
_LOG_FILES = frozenset(
    {
        "announcement",
        "applicants",
        "choices",
        "document",
        "file",
        "kindergartens",
        "log",
        "proof",
        "records",
        "responses",
        "results",
        "rules",
        "transcript",
        "trust",
    }
)
#: File options recorded by name only: private keys, secrets, passwords.
_LOG_FILE_NAMES = frozenset({"key", "password_file", "secret"})
#: Other options that name files or folders (``--role`` holds ``ROLE=FILE,FILE``); a file
#: the command itself writes (``--remember``) has its new SHA-256 among the files written.
_LOG_PATHS = frozenset(
    {"certificate", "index", "keys", "out", "published", "remember", "role", "rounds"}
)
#: Options recorded only as given (``null``): personal data, a receipt code, a key's name.
_LOG_WITHHELD = frozenset({"id", "name", "salt"})
#: Positional arguments of logged commands, recorded without ``--``.
_POSITIONAL = frozenset({"document", "file"})


def _file_digest(path: str) -> bytes | None:
    try:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.digest()
    except OSError:
        return None


def _log_path(text: str, folder: Path) -> str:
    """A path as the log records it: inside the draw folder relative to it, else its name.

    So the log does not depend on where the folder lies (a copy's log reads
    the same), and names no folder outside it (a user name in a home folder).
    """
    path = Path(os.path.abspath(text))
    try:
        return path.relative_to(Path(os.path.abspath(folder))).as_posix()
    except ValueError:
        return path.name


def _log_options(args: argparse.Namespace, folder: Path) -> dict[str, OptionValue]:
    """The command's options as the log records them (spec 9.6): never personal data.

    Only options known to hold nothing personal are recorded as given; files
    by path and SHA-256 (private keys, secrets and passwords by path only),
    each path relative to the draw folder or, outside it, by its name; every
    other option given is recorded as ``null``, so the log shows that it was
    given and never what it was (an ID number, a name, a receipt code).
    """
    options: dict[str, OptionValue] = {}
    for dest, value in sorted(vars(args).items()):
        if dest in _LOG_SKIP or value is None or value is False:
            continue
        name = dest if dest in _POSITIONAL else "--" + dest.replace("_", "-")
        public = dest in _LOG_PUBLIC or (dest == "name" and args.run is cmd_ceremony_source)
        if dest in _LOG_FILES:
            options[name] = FileDigest(_log_path(str(value), folder), _file_digest(str(value)))
        elif dest in _LOG_FILE_NAMES:
            options[name] = FileDigest(_log_path(str(value), folder), None)
        elif dest == "role":
            options[name] = tuple(
                role + "=" + ",".join(_log_path(p, folder) for p in paths.split(","))
                for role, _, paths in (str(item).partition("=") for item in value)
            )
        elif dest in _LOG_PATHS:
            items = [value] if isinstance(value, str) else value
            shown = tuple(_log_path(str(item), folder) for item in items)
            options[name] = shown[0] if isinstance(value, str) else shown
        elif not public:
            options[name] = None
        elif isinstance(value, list | tuple):
            options[name] = tuple(str(item) for item in value)
        elif isinstance(value, bool | int | str):
            options[name] = value
        else:
            options[name] = str(value)
    return options


def _read_log(folder: Path) -> OperatorLog:
    """The folder's operator log as this command will have left it, its chain checked.

    Raises:
        MalformedDocumentError, LogChainError: for a damaged log, with what to do.
    """
    path = folder / LOG_NAME
    if not storage.will_exist(path):
        return OperatorLog()
    txn = storage.active_transaction()
    staged = txn.staged(path) if txn is not None else None
    data = (staged or path).read_bytes()
    try:
        return parse_log(data, document=str(path))
    except (MalformedDocumentError, VerificationError) as exc:
        raise type(exc)(
            f"{exc}; alloc appends to an operator log only while its chain is intact. Restore"
            f" {LOG_NAME} from a copy, or move it aside and tell the notary: the log then"
            " starts again and the transcript commits to the new one"
        ) from exc


def _log_command(
    txn: storage.Transaction, folder: Path, args: argparse.Namespace, command: str
) -> None:
    """Append the command's entry to the folder's log, in the command's own transaction.

    Keys and party secrets are not logged: they are made on their owners' own
    devices, and their digests have no place in the bureau's log; nor is the demo.
    """
    if args.run in (cmd_keys_generate, cmd_ceremony_secret, cmd_demo):
        return
    written = [(path, digest) for path, digest in txn.written() if path.name != LOG_NAME]
    removed = [path for path in txn.removed() if path.name != LOG_NAME]
    rules_path = folder / "rules.json"
    if not (written or removed) or not (
        storage.will_exist(rules_path) or storage.will_exist(folder / LOG_NAME)
    ):
        return  # nothing written, or not a draw folder (a folder of keys or secrets)
    log = _read_log(folder)
    draw_id, zone = None, DEFAULT_TIME_ZONE
    if storage.will_exist(rules_path):
        with contextlib.suppress(AllocError, OSError):
            rules = files.read_rules(rules_path)
            draw_id, zone = rules.draw_id, rules.time_zone

    def place(path: Path) -> str:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(folder))).as_posix()

    now = clock.now()
    entry = log.next_entry(
        at=now,
        like=now.astimezone(ZoneInfo(zone)),
        command=command,
        options=_log_options(args, folder),
        wrote=[FileDigest(place(path), bytes.fromhex(digest)) for path, digest in written],
        removed=[place(path) for path in removed],
        draw_id=draw_id,
    )
    path = folder / LOG_NAME
    staged = txn.staged(path)
    old = b"" if not storage.will_exist(path) else (staged or path).read_bytes()
    txn.stage(path, old + entry.line() + b"\n")


def _log_head(folder: Path) -> LogHead:
    """The head of the folder's operator log as it stands (the draw signs it)."""
    return _read_log(folder).head


#: Every line a rehearsal prints starts with this.
_MARK = f"【{REHEARSAL_MARK}】"


def _marked_rehearsal(document: Path) -> bool:
    """Whether a signed document says ``rehearsal: true`` (read loosely: only to mark lines)."""
    with contextlib.suppress(AllocError, OSError):
        return Envelope.from_bytes(document.read_bytes()).signed.get("rehearsal") is True
    return False


def _rehearsal_marker(folder: Path, *, or_parent: bool = False) -> rehearsal.Marker | None:
    """The rehearsal marker of ``folder`` (``or_parent``: or of the folder it is in, as
    for a rehearsal's keys/ and secrets/).

    Raises:
        MalformedDocumentError: for a marker alloc did not write.
    """
    for candidate in (folder, folder.parent) if or_parent else (folder,):
        path = candidate / rehearsal.MARKER_NAME
        if path.is_file():
            return rehearsal.Marker.from_bytes(path.read_bytes(), document=str(path))
    return None


def _fail(console: Console, kind: str, exc: BaseException) -> None:
    print(console.marked(f"error: {kind}: {exc}"), file=sys.stderr)
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

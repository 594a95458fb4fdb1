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
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np

from alloc import clock, rehearsal, storage
from alloc import io as files
from alloc._version import DISTRIBUTION, __version__
from alloc.audit import (
    REHEARSAL_MARK,
    Announcement,
    Check,
    ParentProof,
    TimeWindow,
    Transcript,
    VerificationReport,
    check_parent_proof,
    check_transcript,
    document_digest,
    document_title,
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
from alloc.i18n import (
    ENVIRONMENT_VARIABLE,
    N_,
    Language,
    _,
    argparse_in_current_language,
    get_language,
    override_language,
    parse_language,
    pgettext,
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
    "INTERNAL_ERROR_CODE",
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

    code = "cli.usage"


#: Progress-bar units by task; the rest count stages.
_UNITS = {
    Task.READ_SPREADSHEET: N_(" rows"),
    Task.NOTICE_LISTS: N_(" lists"),
    Task.VERIFY: N_(" checks"),
}


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
                desc=task.text,
                unit=_(_UNITS.get(task, N_(" steps"))),
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
    """``path`` if it exists; ``what`` and ``hint`` are already in the current language."""
    if not path.exists():
        raise CommandError(
            _("{what} not found").format(what=what),
            code="file.not-found",
            source=str(path),
            hint=hint,
        )
    return path


def _read_json(path: Path, what: str, hint: str) -> Any:
    _require(path, what, hint)
    try:
        return json.loads(path.read_bytes())
    except ValueError as exc:
        raise CommandError(
            _("{what} is not valid JSON ({error})").format(what=what, error=exc),
            code="json.syntax",
            source=str(path),
        ) from exc


def _rules(folder: DrawFolder) -> DrawRules:
    _require(folder.rules, _("the rules"), _("create it with `alloc rules init`"))
    return files.read_rules(folder.rules)


def _ceremony(folder: DrawFolder) -> Ceremony:
    path = _require(
        folder.ceremony, _("the ceremony state"), _("start it with `alloc ceremony begin`")
    )
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
    _require(
        path,
        document_title(kind),
        _("the {document} is written by alloc into the public folder").format(
            document=document_title(kind)
        ),
    )
    return files.read_envelope(path, kind)


def _sign_it(kind: str, path: Path) -> str:
    """What to do next with an unsigned document, in the current language."""
    return _("{document} {path}: sign it with `alloc sign`").format(
        document=document_title(kind), path=path
    )


# --- trust: the one place every command gets its keys from ---------------------------


@dataclass(frozen=True)
class Trust:
    """The trust policy a command checks signatures with, and where it came from."""

    policy: TrustPolicy
    source: str


_UNPINNED = N_(
    "no trust pin given. alloc never takes the signers' keys from the files it checks: a"
    " forged draw would bring its own. These files are signed by:\n{signers}\nCompare these"
    " fingerprints with the ones the bureau published (its official notice or website, or"
    " read aloud at the signing), then run the command again with --expect"
    ' bureau="FINGERPRINT" --expect notary="FINGERPRINT", or with --trust FILE from your own'
    " records, kept apart from the files being checked"
)


def _add_trust_options(sub: argparse.ArgumentParser, *, own: str | None) -> None:
    sub.add_argument(
        "--trust",
        help=(
            _(
                "trust policy from your own records, never one from the folder being checked;"
                " without --trust or --expect, {own} is used"
            ).format(own=own)
            if own
            else _(
                "trust policy from your own records, never one from the folder being checked;"
                " one of --trust and --expect is required"
            )
        ),
    )
    sub.add_argument(
        "--expect",
        action="append",
        metavar="ROLE=FINGERPRINT",
        help=_(
            "a key fingerprint you compared with the bureau's publication, e.g."
            ' --expect bureau="12345 67890 …"; repeat for the notary (one valid signature per'
            " role is then required)"
        ),
    )
    sub.add_argument(
        "--keys",
        action="append",
        metavar="FILE",
        help=_(
            "where to find the keys --expect pins: a trust.json or .pub file (default: the"
            " trust.json published with the files)"
        ),
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
            _("give either --trust or --expect, not both"),
            code="trust.two-pins",
            field="--trust",
            hint=_("--trust FILE takes the whole policy from FILE; --expect pins one key per role"),
        )
    if args.trust:
        path = Path(args.trust)
        resolved = path.resolve()
        for folder in checked:
            if resolved.is_relative_to(folder.resolve()):
                raise TrustError(
                    _(
                        "the trust file lies in {folder!r}, among the files it would vouch for:"
                        " a forged draw brings its own trust file"
                    ).format(folder=str(folder)),
                    code="trust.file-among-checked",
                    source=str(path),
                    field="--trust",
                    hint=_(
                        "use the trust file you made from keys you saw generated, kept apart,"
                        " or pin fingerprints with --expect ROLE=FINGERPRINT"
                    ),
                )
        _require(path, _("the trust policy"), _("give the trust file from your own records"))
        return Trust(files.read_policy(path), _("trust file {path}").format(path=path))
    if args.expect:
        pins: dict[str, list[str]] = {}
        for spec in args.expect:
            role, value = _pair(spec, "--expect")
            pins.setdefault(role, []).append(parse_pin(value))
        sources = [Path(k) for k in args.keys] if args.keys else list(key_files)
        policy = TrustPolicy.from_pins(pins, _published_keys(sources))
        return Trust(policy, _("fingerprints pinned with --expect"))
    if own is not None:
        _require(
            own,
            _("the trust policy"),
            _("create it with `alloc policy create`, or pin with --trust"),
        )
        return Trust(files.read_policy(own), _("the operator's trust file {path}").format(path=own))
    raise TrustError(_(_UNPINNED).format(signers=_signers_found(signed)), code="trust.no-pin")


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
            lines.append(
                _("  {document}: cannot be read ({error})").format(
                    document=document_title(kind), error=exc
                )
            )
            continue
        found = [key_label(s.keyid) for s in envelope.signatures] or [_("no signature")]
        lines += [
            _("  {document}: {key}").format(document=document_title(kind), key=label)
            for label in found
        ]
    return "\n".join(lines) or _("  (no signed file given)")


def _show_signers(out: Console, trust: Trust, envelopes: Sequence[tuple[str, Envelope]]) -> None:
    out.say(_("trust: {source}").format(source=trust.source))
    for kind, envelope in envelopes:
        out.say(
            _("{document} signed by: {signers}").format(
                document=document_title(kind), signers=trust.policy.describe(envelope)
            )
        )


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
    out.say(_("key {name}").format(name=args.name))
    out.say(_("key id       {keyid}").format(keyid=key.keyid))
    out.say(_("fingerprint  {fingerprint}").format(fingerprint=key.public.fingerprint))
    out.say(
        _("private key {private} (keep it offline); public key {public}").format(
            private=private, public=directory / f"{args.name}.pub"
        )
    )
    out.say(
        _(
            "read the fingerprint aloud at the signing and print it on the notice: that is how"
            " others pin this key"
        )
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
        path = _require(
            Path(name), _("the public key"), _("give the .pub file `alloc keys generate` wrote")
        )
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
        out.say(_("  key id       {keyid}").format(keyid=key.keyid))
        out.say(_("  fingerprint  {fingerprint}").format(fingerprint=key.fingerprint))
        if demo:
            out.say(
                _(
                    "  DEMO KEY: its private key is derived from alloc's public demo code;"
                    " anyone can sign with it, so never trust it for a real draw"
                )
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
                _("threshold must be a whole number"),
                code="trust.threshold-form",
                field="--threshold",
                value=threshold,
                hint=_("e.g. --threshold notary=1"),
            )
        roles.append(Role(name=name, keys=keys, threshold=int(threshold)))
    policy = TrustPolicy(roles=tuple(roles))
    files.write_bytes(Path(args.out), policy.to_bytes(), force=args.force)
    for role in policy.roles:
        out.say(
            _("{role}: {threshold} of {count} keys").format(
                role=role.name, threshold=role.threshold, count=len(role.keys)
            )
        )
        for key in role.keys:
            out.say(f"  {key_label(key.keyid)}")
    out.result(policy.to_json())
    return EXIT_OK


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name or not value:
        raise CommandError(
            _("expected NAME=VALUE"), code="cli.name-value", field=option, value=text
        )
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
        _("wrote {path}: {kindergartens} kindergartens, {seats} seats").format(
            path=path, kindergartens=len(kindergartens), seats=sum(k.seats for k in kindergartens)
        )
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
    out.step(_("reading {file}").format(file=args.applicants))
    imported = files.read_applicants(
        Path(args.applicants),
        draw_id=rules.draw_id,
        sheet=args.sheet,
        rules=rules,
        tier_labels=files.tier_labels_from(args.tier_label or ()),
        previous=previous,
        progress=out.progress,
    )
    if imported.sheet is not None:
        out.say(
            _("read {source}, sheet {sheet!r}: {count} applicants").format(
                source=imported.source, sheet=imported.sheet, count=len(imported.table)
            )
        )
    else:
        out.say(
            _("read {source} ({encoding}): {count} applicants").format(
                source=imported.source,
                encoding=_(ENCODING_NAMES.get(imported.encoding or "", imported.encoding or "")),
                count=len(imported.table),
            )
        )
    for note in imported.notes:
        out.say(_("  note: {note}").format(note=note))
    if imported.ignored:
        shown = ", ".join(f"{c.letter} {c.header}" for c in imported.ignored)
        out.say(_("  ignored columns (not used by alloc): {columns}").format(columns=shown))
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
    out.say(
        _("ok: {applicants} applicants, {kindergartens} kindergartens, no problems found").format(
            applicants=count, kindergartens=len(rules.kindergartens)
        )
    )
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
        return CommandError(
            problem,
            code="cli.source-form",
            field=option,
            value=value,
            hint=_("write {forms}").format(forms=forms),
        )

    if len(words) < 2 or not all(words):
        raise refuse(_("expected NAME KIND key=value ..., separated by single spaces"))
    name, kind_text, pairs = words[0], words[1], words[2:]
    try:
        kind = SourceKind(kind_text)
    except ValueError:
        raise refuse(_("unknown source kind (digits, numbers or drand)"), kind_text) from None
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not value:
            raise refuse(_("expected key=value"), pair)
        if key not in _SOURCE_KEYS[kind]:
            raise refuse(_("unknown key for a {kind} source").format(kind=kind.value), key)
        if key in values:
            raise refuse(_("key given twice"), key)
        values[key] = value
    missing = [k for k in _SOURCE_KEYS[kind] if k not in values]
    if missing:
        raise refuse(
            _("missing {keys} for a {kind} source").format(keys=", ".join(missing), kind=kind.value)
        )

    def number(key: str) -> int:
        if not values[key].isascii() or not values[key].isdigit():
            raise refuse(_("expected a whole number"), f"{key}={values[key]}")
        return int(values[key])

    def choice(key: str, yes: str, no: str) -> bool:
        if values[key] not in (yes, no):
            raise refuse(
                _("expected {first} or {second}").format(
                    first=f"{key}={yes}", second=f"{key}={no}"
                ),
                f"{key}={values[key]}",
            )
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
    out.say(_("ceremony for {draw_id}").format(draw_id=rules.draw_id))
    like = _bureau_time(ceremony)
    for label, sources in (
        (_("  source {name}: {form}"), ceremony.sources),
        (_("  fallback {name}: {form}"), ceremony.fallbacks),
    ):
        for source in sources:
            out.say(label.format(name=source.name, form=source.form.describe(like=like)))
            out.say(_("    its value will be typed as {form}").format(form=source.form.expected()))
    out.result(ceremony.to_json())
    return EXIT_OK


def cmd_ceremony_secret(args: argparse.Namespace, out: Console) -> int:
    """A party draws its secret (kept private until the reveal) and prints its commitment."""
    secret = new_secret()
    value = commitment(args.draw_id, args.party, secret)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    files.write_bytes(Path(args.out), secret_file(secret), force=args.force, mode=0o600)
    out.say(_("secret written to {path}: keep it private until the reveal").format(path=args.out))
    out.say(
        _("commitment of {party}: {commitment}").format(party=args.party, commitment=value.hex())
    )
    out.result({"party": args.party, "commitment": value.hex(), "secret_file": args.out})
    return EXIT_OK


def _read_secret(path: str, party: str) -> bytes:
    raw = _require(
        Path(path), _("the secret file"), _("give the file `alloc ceremony secret` wrote")
    )
    try:
        return parse_secret_file(raw.read_bytes(), party=party)
    except InputError as exc:
        raise CommandError(
            exc.problem, code=exc.code, source=path, field=exc.field, hint=exc.hint
        ) from exc


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
                _("a commitment is 64 lower-case hexadecimal digits"),
                code="ceremony.commitment-form",
                field="--commitment",
                value=text,
                hint=_("type it exactly as `alloc ceremony secret` printed it"),
            )
        value = bytes.fromhex(text)
    else:
        raise CommandError(
            _("give --commitment HEX or --secret FILE"),
            code="ceremony.commitment-missing",
            field="--commitment",
        )
    ceremony = ceremony.commit(args.party, value, fallback=args.fallback)
    _save_ceremony(folder, ceremony)
    out.say(
        _("committed {party}: {commitment} (fallback {fallback})").format(
            party=args.party, commitment=value.hex(), fallback=args.fallback
        )
    )
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
            _("reveals are already open: the list can no longer be frozen again"),
            code="ceremony.already-revealing",
            source=str(folder.ceremony),
            hint=_("a new freeze needs a new ceremony and announcement"),
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
    out.step(_("committing to the records"))
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
    out.say(
        _("frozen {count} records under input root {root}").format(
            count=notice.records_count, root=notice.records_root.hex()
        )
    )
    out.say(
        _("frozen at {frozen}; reveals until {deadline}; draw at {draw_at}").format(
            frozen=window.frozen_at, deadline=window.reveal_deadline, draw_at=window.draw_at
        )
    )
    out.say(_sign_it("announcement", folder.announcement))
    if imported.receipts_generated:
        kept = len(imported.table) - len(imported.new_salts)
        if previous is not None:
            out.say(
                _("receipt salts: {kept} kept from {path}, {new} new").format(
                    kept=kept, path=folder.registry, new=len(imported.new_salts)
                )
            )
        if imported.reissued:
            shown = ", ".join(imported.reissued[:10])
            more = " …" if len(imported.reissued) > 10 else ""
            out.say(
                _(
                    "{count} registration numbers now carry another document number: their"
                    " old receipts no longer match; print new ones ({numbers})"
                ).format(count=len(imported.reissued), numbers=shown + more)
            )
        out.say(
            _("receipts with salts for parents: {path}").format(
                path=folder.private / "receipts.csv"
            )
        )
        if imported.new_salts and previous is not None:
            out.say(_("  print the receipts marked new (是) in that file"))
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


#: The lines of sign's summary: a stable English key (its --json ``summary``) and the
#: label people read.
_SUMMARY_LABELS: Final = {
    "document": N_("document"),
    "draw": N_("draw"),
    "digest": N_("digest"),
    "round": N_("round"),
    "announcement": N_("announcement"),
    "rules": N_("rules"),
    "records": N_("records"),
    "seed plan": N_("seed plan"),
    "seed": N_("seed"),
    "times": N_("times"),
    "results": N_("results"),
    "responses": N_("responses"),
    "unanswered": N_("unanswered"),
    "draw round": N_("draw round"),
    "announced": N_("announced"),
    "standings": N_("standings"),
    "outcome": N_("outcome"),
    "created": N_("created"),
    "checked": N_("checked"),
    "signatures": N_("signatures"),
    "signing key": N_("signing key"),
}
_SUMMARY_WIDTH = 14


def _summary_line(key: str, value: str) -> str:
    """``label         value``, the label padded by the columns it takes on a terminal."""
    label = _(_SUMMARY_LABELS.get(key, key))
    return label + " " * max(1, _SUMMARY_WIDTH - _columns(label)) + value


def cmd_sign(args: argparse.Namespace, out: Console) -> int:
    """Check a document, show what it says and which key signs, ask, then add the signature.

    An announcement is checked against the folder's rules, records and
    ceremony, and refused once reveals have begun; a transcript is verified
    in full (the draw re-run) and refused if anything but the signatures
    still to come fails. The signed part never changes.
    """
    path = Path(args.document)
    _require(path, _("the document"), _("give the announcement.json or transcript.json path"))
    try:
        envelope = Envelope.from_bytes(path.read_bytes(), document=str(path))
    except MalformedDocumentError as exc:
        raise CommandError(
            _("not a signed document ({problem}, at {field})").format(
                problem=exc.problem, field=exc.field
            ),
            code="sign.not-a-document",
            source=str(path),
            hint=_("sign public/announcement.json or public/transcript.json as alloc wrote them"),
        ) from exc
    kind = envelope.signed.get("type")
    if kind not in ("announcement", "transcript", "round-announcement", "round-transcript"):
        raise CommandError(
            _("alloc signs only announcements and transcripts (of the draw or of a round)"),
            code="sign.unknown-type",
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
            _(
                "the key with {key} has no role in the trust policy ({source}): its signature"
                " would not count"
            ).format(key=key_label(key.keyid), source=trust.source),
            code="sign.key-without-role",
            field="--key",
            hint=_("sign with a key the policy names for the bureau or the notary"),
        )
    if any(s.keyid == key.keyid for s in envelope.signatures):
        raise DuplicateError(
            _("this key has already signed the document"),
            code="sign.already-signed",
            field="keyid",
            value=key.keyid,
        )
    out.step(_("checking the {document} before signing").format(document=document_title(kind)))
    if kind == "announcement":
        summary = _announcement_to_sign(folder, envelope, trust.policy)
    elif kind == "transcript":
        summary = _transcript_to_sign(folder, envelope, trust.policy, args, out)
    elif kind == "round-announcement":
        summary = _round_announcement_to_sign(folder, envelope, trust.policy, out)
    else:
        summary = _round_transcript_to_sign(folder, envelope, trust.policy, out)
    summary.append(("signatures", trust.policy.describe(envelope) or _("none yet")))
    summary.append(
        (
            "signing key",
            _("{key}, role {roles}").format(key=key_label(key.keyid), roles=", ".join(roles)),
        )
    )
    out.say(
        _summary_line(
            "document",
            _("{document} ({path})").format(document=document_title(kind), path=path),
        )
    )
    for label, value in summary:
        out.say(_summary_line(label, value))
    _confirm(
        args,
        out,
        _("Sign this {document} as {roles}?").format(
            document=document_title(kind), roles=pgettext("joining names", " and ").join(roles)
        ),
    )
    signed = envelope.sign(key)
    files.write_bytes(path, signed.to_bytes(), force=True)
    out.say(
        _("signed {path} ({count} signature(s) now)").format(
            path=path, count=len(signed.signatures)
        )
    )
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
            _(
                "the ceremony is at stage {stage!r}: an announcement can be signed only while"
                " its seed plan is fixed and no secret has been revealed, since everything it"
                " commits to must be public before any randomness exists"
            ).format(stage=ceremony.stage.value),
            code="sign.announcement-after-reveal",
        )
    if ceremony.plan != notice.seed_plan:
        raise CeremonyError(
            _("the announcement's seed plan is not the plan in {path}").format(
                path=folder.ceremony
            ),
            code="ceremony.plan-mismatch",
        )
    rules = _rules(folder)
    if rules.draw_id != notice.draw_id:
        raise WrongDrawError(
            _("the announcement is for draw {found!r}, {path} for {draw_id!r}").format(
                found=notice.draw_id, path=folder.rules, draw_id=rules.draw_id
            )
        )
    if rules_digest(rules) != notice.rules_digest:
        raise DigestMismatchError(
            _("the announcement's rules digest is not the digest of {path}").format(
                path=folder.rules
            ),
            code="verify.rules-mismatch",
        )
    records = files.LineFile(
        _require(folder.records, _("the public records"), _("run `alloc freeze`"))
    )
    commitment = MerkleAccumulator(prefix=record_leaf(notice.draw_id, b""))
    for chunk in records.chunks(CHUNK_LINES):
        commitment.add(chunk)
    if (commitment.count, commitment.root()) != (notice.records_count, notice.records_root):
        raise InputRootMismatchError(
            _("{path} does not match the announced input root and count").format(
                path=folder.records
            )
        )
    _refuse_invalid_signatures(policy, envelope, "announcement")
    _check_kind(folder, notice.rehearsal)
    window = notice.window
    plan = notice.seed_plan
    nothing = _("none")
    return [
        (
            "draw",
            f"{notice.draw_id}: {' — '.join(t for t in (notice.title, notice.authority) if t)}",
        ),
        ("digest", document_digest(envelope).hex()),
        (
            "rules",
            _("digest {digest} (= {path})").format(
                digest=notice.rules_digest.hex(), path=folder.rules
            ),
        ),
        (
            "records",
            _("{count} under input root {root}").format(
                count=notice.records_count, root=notice.records_root.hex()
            ),
        ),
        (
            "seed plan",
            _("parties {parties}; sources {sources}; fallbacks {fallbacks}").format(
                parties=", ".join(p.name for p in plan.parties) or nothing,
                sources=", ".join(s.name for s in plan.sources) or nothing,
                fallbacks=", ".join(s.name for s in plan.fallbacks) or nothing,
            ),
        ),
        (
            "times",
            _("frozen {frozen}; draw {draw_at}; reveal deadline {deadline}").format(
                frozen=local_time(window.frozen_at, rules.time_zone),
                draw_at=local_time(window.draw_at, rules.time_zone),
                deadline=local_time(window.reveal_deadline, rules.time_zone),
            ),
        ),
        ("kind", _kind_text(notice.rehearsal)),
        ("checked", _("rules, records and seed plan match the draw folder; no reveal yet")),
    ]


def _kind_text(marked: bool) -> str:
    return (
        _("{mark} (rehearsal: true): a practice draw, never the real one").format(
            mark=REHEARSAL_MARK
        )
        if marked
        else _("the real draw (rehearsal: false)")
    )


def _log_text(head: LogHead | None) -> str:
    """What a transcript commits to of the operator log, for a summary."""
    if head is None:
        return _("none")
    return _("its first {count} entries, head {head}").format(
        count=head.count, head=head.head.hex()
    )


def _log_commitment(head: LogHead) -> str:
    return _(
        "the transcript commits to the operator log's first {count} entries (head {head})"
    ).format(count=head.count, head=head.head.hex())


def _check_kind(folder: DrawFolder, marked: bool) -> None:
    """A rehearsal's documents belong in a rehearsal folder and a real draw's in a real one.

    Raises:
        RehearsalError: otherwise.
    """
    root = folder.draw_root
    rehearsing = _rehearsal_marker(root) is not None
    if marked and not rehearsing:
        raise RehearsalError(
            _(
                "the document is marked rehearsal: true, but {folder} is no rehearsal folder:"
                " a rehearsal's documents never enter a real draw folder"
            ).format(folder=root)
        )
    if rehearsing and not marked:
        raise RehearsalError(
            _("{folder} is a rehearsal folder, but the document is marked rehearsal: false").format(
                folder=root
            )
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
    records = files.LineFile(
        _require(folder.records, _("the public records"), _("run `alloc freeze`"))
    )
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
        raise failures[0].error or VerificationError(failures[0].detail, code="verify.failed")
    tx = Transcript.from_envelope(envelope)
    placed = sum(int(k["placed"]) for k in tx.kindergartens)
    return [
        ("draw", f"{tx.draw_id}: {rules.title}"),
        ("digest", document_digest(envelope).hex()),
        ("round", _("1 (the draw)")),
        ("announcement", tx.announcement_digest.hex()),
        (
            "records",
            _("{count} under input root {root}").format(
                count=tx.records_count, root=tx.records_root.hex()
            ),
        ),
        ("seed", tx.seed.hex()),
        (
            "results",
            _(
                "{count} under results root {root}; {placed} seats taken, {unplaced} unplaced"
            ).format(
                count=tx.results_count,
                root=tx.results_root.hex(),
                placed=placed,
                unplaced=tx.unplaced,
            ),
        ),
        ("created", local_time(tx.created, rules.time_zone)),
        ("operator log", _log_text(tx.log)),
        ("kind", _kind_text(tx.rehearsal)),
        ("checked", _("every check passed, the draw re-run outcome by outcome")),
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
            _("round {round}'s announcement does not name round {previous}'s transcript").format(
                round=number, previous=number - 1
            ),
            code="verify.chain-broken",
        )
    public = folder.round_public(number)
    given = _round_files(public, number)
    rules = _rules(folder)
    lines = whole_lines(given.responses)
    if (responses_root(rules.draw_id, lines), len(lines)) != notice.responses:
        raise DigestMismatchError(
            _("{path} is not the announced file").format(path=public / "responses.jsonl"),
            code="verify.responses-mismatch",
        )
    if notice.records is not None:
        records = whole_lines(given.records or [])
        if (records_root(rules.draw_id, records), len(records)) != notice.records:
            raise InputRootMismatchError(
                _("{path} is not the announced file").format(path=public / "records.jsonl")
            )
    if notice.seed_plan is not None:
        ceremony = _ceremony(folder.round_folder(number))
        if ceremony.stage is not Stage.PLAN_FIXED or ceremony.plan != notice.seed_plan:
            raise CeremonyStateError(
                _(
                    "round {round}'s ceremony is at stage {stage!r} or has another plan: its"
                    " announcement can be signed only while the plan is fixed and no secret"
                    " has been revealed"
                ).format(round=number, stage=ceremony.stage.value),
                code="sign.announcement-after-reveal",
            )
    _refuse_invalid_signatures(policy, envelope, f"round {number} announcement")
    _check_kind(folder, notice.rehearsal)
    answered = Counter(r.answer.value for r in parse_response_lines(lines))
    summary = [
        ("draw", f"{notice.draw_id}: {rules.title}"),
        (
            "round",
            _("{round}, after round {previous} ({digest})").format(
                round=number, previous=number - 1, digest=notice.previous.hex()
            ),
        ),
        ("digest", document_digest(envelope).hex()),
        (
            "responses",
            _("{count} under root {root} ({answers})").format(
                count=notice.responses[1],
                root=notice.responses[0].hex(),
                answers=", ".join(f"{answered[a.value]} {a.value}" for a in Answer),
            ),
        ),
        (
            "unanswered",
            _("counts as {answer} (the rules)").format(answer=rules.unanswered.value),
        ),
    ]
    if notice.records is not None:
        summary.append(
            (
                "draw round",
                _("{count} records under root {root}").format(
                    count=notice.records[1], root=notice.records[0].hex()
                ),
            )
        )
    if notice.seed_plan is not None:
        summary.append(
            (
                "times",
                _("announced {announced}; reveal deadline {deadline}; draw {draw_at}").format(
                    announced=local_time(notice.frozen_at, rules.time_zone),
                    deadline=local_time(notice.reveal_deadline or "", rules.time_zone),
                    draw_at=local_time(notice.draw_at or "", rules.time_zone),
                ),
            )
        )
    else:
        summary.append(("announced", local_time(notice.frozen_at, rules.time_zone)))
    summary.append(("kind", _kind_text(notice.rehearsal)))
    summary.append(
        ("checked", _("rounds 1 to {last} verify; the files match").format(last=number - 1))
    )
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
        records=files.LineFile(
            _require(folder.records, _("the public records"), _("run `alloc freeze`"))
        ),
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
        raise failures[0].error or VerificationError(failures[0].detail, code="verify.failed")
    placed = sum(int(k["placed"]) for k in tx.kindergartens)
    moved = sum(int(k["moved_in"]) for k in tx.kindergartens)
    summary = [
        ("draw", f"{tx.draw_id}: {rules.title}"),
        (
            "round",
            _("{round}, after round {previous} ({digest})").format(
                round=number, previous=number - 1, digest=tx.previous.hex()
            ),
        ),
        ("digest", document_digest(envelope).hex()),
        (
            "standings",
            _("{count} under root {root}").format(
                count=tx.standings[1], root=tx.standings[0].hex()
            ),
        ),
        (
            "outcome",
            _(
                "{moved} moved in, {placed} seats held, {unplaced} unplaced, {declined} declined"
            ).format(moved=moved, placed=placed, unplaced=tx.unplaced, declined=tx.declined),
        ),
    ]
    if tx.seed is not None and tx.results is not None:
        summary.append(("seed", tx.seed.hex()))
        summary.append(
            (
                "draw round",
                _("{count} results under root {root}").format(
                    count=tx.results[1], root=tx.results[0].hex()
                ),
            )
        )
    summary.append(("created", local_time(tx.created, rules.time_zone)))
    summary.append(
        (
            "operator log",
            _log_text(tx.log),
        )
    )
    summary.append(("kind", _kind_text(tx.rehearsal)))
    summary.append(
        (
            "checked",
            _("every check passed, rounds 1 to {last} re-computed").format(last=number),
        )
    )
    return summary


def _refuse_invalid_signatures(policy: TrustPolicy, envelope: Envelope, document: str) -> None:
    for result in policy.evaluate(envelope):
        if result.invalid:
            # raises InvalidSignatureError
            policy.verify(envelope, document=document_title(document))


def _confirm(args: argparse.Namespace, out: Console, question: str) -> None:
    """Ask the person at the terminal; without one, only --yes signs."""
    if args.yes:
        return
    if out.json_mode:
        raise CommandError(
            _("not signed: with --json nobody reads the summary"),
            code="sign.not-confirmed",
            hint=_("add --yes to sign"),
        )
    if not sys.stdin.isatty():
        raise CommandError(
            _("not signed: standard input is not a terminal, so nobody confirmed"),
            code="sign.not-confirmed",
            hint=_("read the summary above, then run the command again with --yes"),
        )
    # The answer is "yes" in every language: one accepted form, typed the same everywhere.
    answer = input(_("{question} Type yes to sign: ").format(question=question))
    if answer.strip().lower() != "yes":
        raise CommandError(
            _("not signed: the answer was not yes"), code="sign.not-confirmed", value=answer
        )


def cmd_ceremony_open(args: argparse.Namespace, out: Console) -> int:
    """Open reveals on the signed announcement (its signatures checked first)."""
    folder = _folder(args)
    policy = _operator_trust(args, folder).policy
    number = folder.round_number
    if number is None:
        announcement = _envelope(folder.announcement, "announcement")
        policy.verify(announcement, document=document_title("announcement"))
        notice = Announcement.from_envelope(announcement)
        plan, deadline = notice.seed_plan, notice.window.deadline
    else:
        announcement = _envelope(folder.announcement, "round-announcement")
        policy.verify(announcement, document=document_title(f"round {number} announcement"))
        round_notice = RoundAnnouncement.from_envelope(announcement)
        if round_notice.seed_plan is None or round_notice.deadline is None:
            raise CommandError(
                _(
                    "round {round} has no seed ceremony of its own (it draws nothing, or with"
                    " round 1's seed)"
                ).format(round=number),
                code="round.no-ceremony",
                source=str(folder.announcement),
            )
        plan, deadline = round_notice.seed_plan, round_notice.deadline
    ceremony = _ceremony(folder)
    if plan != ceremony.plan:
        raise VerificationError(
            _("the announcement's seed plan is not this ceremony's plan"),
            code="ceremony.plan-mismatch",
        )
    digest = document_digest(announcement)
    opened = ceremony.open(
        digest, reveal_deadline=deadline, at=clock.now().astimezone(deadline.tzinfo)
    )
    _save_ceremony(folder, opened)
    out.say(_("reveals open on announcement {digest}").format(digest=digest.hex()))
    out.say(
        _("reveals are accepted until {deadline}").format(
            deadline=clock.format_time(deadline, like=deadline)
        )
    )
    out.result({"announcement": digest.hex()})
    return EXIT_OK


def cmd_ceremony_reveal(args: argparse.Namespace, out: Console) -> int:
    """Reveal a party's secret on stage; it must match the published commitment."""
    folder = _folder(args)
    ceremony = _ceremony(folder)
    secret = _read_secret(args.secret, args.party)
    ceremony = ceremony.reveal(args.party, secret, at=_now_in(ceremony))
    _save_ceremony(folder, ceremony)
    out.say(_("reveal of {party} matches its commitment").format(party=args.party))
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
    out.say(
        _("{party} declared in default: fallback source {fallback} replaces it").format(
            party=args.party, fallback=fallback
        )
    )
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
    out.say(_("source {name} = {value}").format(name=args.name, value=value))
    out.say(_missing_text(ceremony))
    out.result({"source": args.name, "value": value, "missing": ceremony.missing()})
    return EXIT_OK


def _missing_text(ceremony: Ceremony) -> str:
    missing = ceremony.missing()
    if missing:
        return _("still needed: {missing}").format(
            missing=pgettext("list of notes", "; ").join(missing)
        )
    return _("everything is in: run `alloc ceremony seed`")


def cmd_ceremony_status(args: argparse.Namespace, out: Console) -> int:
    """Show the ceremony's stage, the commitments and what is still missing."""
    ceremony = _ceremony(_folder(args))
    out.say(_("stage {stage}").format(stage=ceremony.stage.value))
    deadline = ceremony.reveal_deadline
    if deadline is not None:
        out.say(
            _("reveals until {deadline}").format(
                deadline=clock.format_time(deadline, like=deadline)
            )
        )
    settled = {c.party: c for c in ceremony.contributions}
    for party in ceremony.parties:
        done = settled.get(party.name)
        if done is None:
            out.say(f"  {party.name}: {party.commitment.hex()}")
            continue
        out.say(
            (
                _("  {party}: {commitment} — revealed at {time}")
                if done.secret
                else _("  {party}: {commitment} — in default at {time}")
            ).format(
                party=party.name,
                commitment=party.commitment.hex(),
                time=clock.format_time(done.at, like=done.at),
            )
        )
    values = {v.name: v for v in ceremony.source_values}
    for source in (*ceremony.sources, *ceremony.fallbacks):
        out.say(
            _("  source {name}: {form}").format(
                name=source.name, form=source.form.describe(like=_bureau_time(ceremony))
            )
        )
        read = values.get(source.name)
        if read is None:
            out.say(_("    type its value as {form}").format(form=source.form.expected()))
        else:
            out.say(
                _("    = {value} (read at {time})").format(
                    value=read.value, time=clock.format_time(read.at, like=read.at)
                )
            )
    out.say(_missing_text(ceremony))
    out.result({"stage": ceremony.stage.value, "missing": ceremony.missing()})
    return EXIT_OK


def cmd_ceremony_seed(args: argparse.Namespace, out: Console) -> int:
    """Derive the seed once every party has revealed and every source is in."""
    folder = _folder(args)
    # Reading ceremony.json replays and re-checks every step, so the record is checked.
    record = _ceremony(folder).finish()
    out.say(_("seed {seed}").format(seed=record.seed.hex()))
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
    _operator_trust(args, folder).policy.verify(
        announcement, document=document_title("announcement")
    )
    window = Announcement.from_envelope(announcement).window
    now = clock.now().astimezone(window.draw.tzinfo)
    if now < window.draw:
        raise ScheduleError(
            _(
                "the draw cannot run before the announced draw time {draw_at} (it is now {now})"
            ).format(draw_at=window.draw_at, now=clock.format_time(now, like=now)),
            code="ceremony.draw-before-time",
            field="draw_at",
            hint=_("run `alloc draw` at or after the announced time"),
        )
    record = _ceremony(folder).finish()
    out.step(_("reading the public records"))
    records = files.read_lines(
        _require(folder.records, _("the public records"), _("run `alloc freeze` first"))
    )
    table = parse_record_lines(records)
    out.step(
        _("drawing {count} applicants with seed {seed}…").format(
            count=len(table), seed=record.seed.hex()[:16]
        )
    )
    outcome = draw(rules, table, record.seed, progress=out.progress)
    out.step(_("writing results and the transcript"))
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
    out.say(
        _("drew {count} applicants: {placed} seats taken, {unplaced} unplaced").format(
            count=len(table), placed=placed, unplaced=len(outcome.unplaced)
        )
    )
    out.say(_("results root {root}").format(root=transcript.results_root.hex()))
    if transcript.log is not None:
        out.say(_log_commitment(transcript.log))
    out.say(_sign_it("transcript", folder.transcript))
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
        _("round {round}'s announcement").format(round=number),
        _("it is written by `alloc round open --round {round}`").format(round=number),
    )
    responses = lines("responses.jsonl")
    if responses is None:
        raise CommandError(
            _("round {round}'s responses file is missing").format(round=number),
            code="file.not-found",
            source=str(folder / "responses.jsonl"),
            hint=_("it is published with the round's announcement"),
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
    records = files.read_lines(
        _require(folder.records, _("the public records"), _("run `alloc freeze`"))
    )
    rounds = [_round_files(folder.round_public(n), n) for n in range(2, through + 1)]
    out.step(_("verifying the draw and its rounds through round {round}").format(round=through))
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
            _("round {round} is not complete: draw it first").format(round=through),
            code="round.not-drawn",
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
        raise CommandError(
            _("the {document} is missing").format(document=document_title(kind)),
            code="file.not-found",
        )
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
                _("no child of the draw has this registration number"),
                code="round.unknown-child",
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
            _("round {round} cannot be opened: the last round drawn is round {last}").format(
                round=number, last=last
            ),
            code="round.out-of-order",
            field="--round",
            value=number,
            hint=_("open round {round}").format(round=last + 1),
        )
    target = folder.round_public(number)
    if (target / "announcement.json").exists() and not args.force:
        raise files.OutputExistsError(target / "announcement.json")
    trust = _operator_trust(args, folder)
    chain = _verified_chain(folder, trust.policy, last, out)
    out.step(_("reading {file}").format(file=args.responses))
    responses = files.read_responses(Path(args.responses))
    records = None
    if args.choices:
        out.step(_("reading {file}").format(file=args.choices))
        choices = files.read_round_choices(Path(args.choices))
        records = _round_records(choices, _current_records(folder, last), chain.standings)
    ceremony = None
    round_folder = folder.round_folder(number)
    fresh = records is not None and rules.round_seed is RoundSeed.FRESH
    if fresh:
        if not (args.reveal_deadline and args.draw_at):
            raise CommandError(
                _(
                    "a second-round draw with round_seed = fresh needs its own seed ceremony:"
                    " give --reveal-deadline and --draw-at"
                ),
                code="round.fresh-seed-needs-plan",
                field="--draw-at",
                hint=_(
                    "first run `alloc ceremony begin --dir {folder}` and the parties' commits"
                ).format(folder=round_folder.root),
            )
        ceremony = _ceremony(round_folder)
        if ceremony.stage is Stage.REVEALING:
            raise CommandError(
                _("the round's reveals are already open: it can no longer be announced again"),
                code="ceremony.already-revealing",
                source=str(round_folder.ceremony),
            )
        if ceremony.stage is Stage.COMMITTING:
            ceremony = ceremony.fix_plan()
    elif args.reveal_deadline or args.draw_at:
        raise CommandError(
            _(
                "--reveal-deadline and --draw-at belong to a second-round draw with its own"
                " ceremony (--choices, and round_seed = fresh in the rules)"
            ),
            code="round.plan-not-expected",
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
        _("round {round}: {count} responses ({answers}) under root {root}").format(
            round=number,
            count=len(lines),
            answers=", ".join(f"{answered[a.value]} {a.value}" for a in Answer),
            root=notice.responses[0].hex(),
        )
    )
    if notice.records is not None:
        out.say(
            _("second-round draw of {count} children under root {root}").format(
                count=notice.records[1], root=notice.records[0].hex()
            )
        )
    out.say(_("announced at {time}").format(time=notice.frozen_at))
    out.say(_sign_it("announcement", target / "announcement.json"))
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
            (
                _("round {round} cannot be drawn: the last round drawn is round {last}")
                if number in numbers
                else _(
                    "round {round} cannot be drawn: the last round drawn is round {last} and"
                    " round {round} is not announced"
                )
            ).format(round=number, last=last),
            code="round.out-of-order",
            field="--round",
            value=number,
            hint=_("open round {round} with `alloc round open`").format(round=last + 1),
        )
    for name in ("transcript.json", "standings.jsonl", "results.jsonl"):
        if (target / name).exists() and not args.force:
            raise files.OutputExistsError(target / name)
    trust = _operator_trust(args, folder)
    announcement = files.read_envelope(target / "announcement.json", "round-announcement")
    trust.policy.verify(announcement, document=document_title(f"round {number} announcement"))
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
                _(
                    "round {round} cannot be drawn before its announced draw time {draw_at}"
                    " (it is now {now})"
                ).format(
                    round=number, draw_at=notice.draw_at, now=clock.format_time(now, like=now)
                ),
                code="ceremony.draw-before-time",
                field="draw_at",
                hint=_("run `alloc round draw` at or after the announced time"),
            )
        record = _ceremony(folder.round_folder(number)).finish()
    else:
        now = now.astimezone(clock.parse_time(notice.frozen_at, field="frozen_at").tzinfo)
    first = Transcript.from_envelope(_envelope(folder.transcript, "transcript"))
    round_files = _round_files(target, number)
    out.step(_("computing round {round}").format(round=number))
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
        _(
            "round {round}: {given} given a seat from the waitlists, {moved} moved up to a"
            " kindergarten listed higher; {placed} seats held, {unplaced} unplaced,"
            " {declined} declined"
        ).format(
            round=number,
            given=given,
            moved=moved,
            placed=placed,
            unplaced=len(standings.unplaced),
            declined=tx.declined,
        )
    )
    if outcome.draw is not None:
        won = sum(1 for a in outcome.draw if a.placed or a.wins)
        out.say(
            _("second-round draw: {won} of {count} children drawn a seat").format(
                won=won, count=len(outcome.draw)
            )
        )
    out.say(_("standings root {root}").format(root=tx.standings[0].hex()))
    if tx.log is not None:
        out.say(_log_commitment(tx.log))
    out.say(_sign_it("transcript", target / "transcript.json"))
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
            raise CommandError(
                _("give --{option} or --dir").format(option=key),
                code="cli.missing-option",
                field=f"--{key}",
            )
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
    for key, what in (
        ("announcement", document_title("announcement")),
        ("transcript", document_title("transcript")),
        ("rules", _("the rules")),
        ("records", _("the public records")),
    ):
        _require(
            paths[key],
            what,
            _("it is in the draw's public folder ({file})").format(file=paths[key].name),
        )
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
        out.step(_("reading the public files"))
        rules = files.read_rules(
            _require(paths["rules"], _("the rules"), _("it is in the public folder"))
        )
        records = files.LineFile(
            _require(paths["records"], _("the public records"), "public/records.jsonl")
        )
        results = files.LineFile(paths["results"]) if paths["results"].exists() else None
        log_path = Path(args.log) if args.log else None
        if log_path is None and args.dir and (Path(args.dir) / LOG_NAME).is_file():
            log_path = Path(args.dir) / LOG_NAME
        log = (
            files.read_bytes(
                _require(
                    log_path,
                    _("the operator log"),
                    _("give the draw folder's {file}").format(file=LOG_NAME),
                )
            )
            if log_path
            else None
        )
        announcement = files.read_bytes(
            _require(
                paths["announcement"], document_title("announcement"), "public/announcement.json"
            )
        )
        transcript = files.read_bytes(
            _require(paths["transcript"], document_title("transcript"), "public/transcript.json")
        )
        if log is not None and not args.log and _commits_to_no_log(transcript):
            # A folder's log begun after its draw (a demo folder, then publish or
            # verify in it) has nothing signed to be checked against.
            out.notice(
                _("{path}: not checked: the transcript commits to no operator log").format(
                    path=log_path
                )
            )
            log = None
        rounds_dir = Path(args.rounds) if args.rounds else paths["transcript"].parent / "rounds"
        rounds = [_round_files(rounds_dir / str(n), n, stream=True) for n in _numbered(rounds_dir)]
        remembered = _remembered(Path(args.remember), rules.draw_id) if args.remember else {}
        out.step(
            _("verifying (signatures, commitments, ceremony, re-running the draw and every round)")
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
            out.step(_("checking the published notice lists and waitlists against the results"))
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
    out.say(_("draw {draw_id}: {title}").format(draw_id=rules.draw_id, title=rules.title))
    if report.round is not None:
        out.say(
            _("round {round}").format(round=report.round)
            if report.round == 1
            else _("round {round} (the chain of rounds 1 to {round})").format(round=report.round)
        )
    out.say(_("trust: {source}").format(source=trust.source))
    if log_path is not None:
        out.say(_("operator log: {path}").format(path=log_path))
    out.say(str(report))
    if args.remember and report.ok:
        _remember(Path(args.remember), rules.draw_id, report.digests, remembered)
        out.say(
            _("remembered rounds 1 to {round} in {path}").format(
                round=report.round, path=args.remember
            )
        )
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
        out.say(_("wrote the certificate of this verification to {path}").format(path=certificate))
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
            _("this file remembers another draw"),
            code="verify.remember-other-draw",
            source=str(path),
            field="draw_id",
            hint=_("keep one --remember file per draw"),
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
            records=files.read_lines(
                _require(folder.records, _("the public records"), _("run `alloc freeze`"))
            ),
            results=files.read_lines(
                _require(folder.results, _("the results"), _("run `alloc draw`"))
            ),
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
    out.step(_("verifying before publishing"))
    report = published.verify(out.progress)
    out.say(_("trust: {source}").format(source=published.trust.source))
    out.say(str(report))
    if not report.ok:
        raise report.failures[0].error or VerificationError(
            _("verification failed"), code="verify.failed"
        )
    outcome = published.outcome(out.progress)
    target.mkdir(parents=True, exist_ok=True)
    out.step(_("writing notice boards, waitlists and the report"))
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
    out.step(_("checking the lists just written against the results, as `verify --published` does"))
    lists = files.read_published_lists(target, published.rules)
    for check in check_published_lists(lists, outcome=outcome, heading=heading):
        out.say(check.line())
        if not check.passed:
            raise check.error or VerificationError(check.detail, code="verify.notice-mismatch")
    files.write_private_results(private, outcome, registry, force=args.force, banner=banner)
    pages = published.report_pages(report, outcome, registry, out.progress)
    files.write_report(target / REPORT_FOLDER, pages, force=args.force)
    out.step(_("writing the public lookup index (opened only with a receipt)"))
    index = build_public_index(registry, outcome, published.transcript)
    lookup = _write_lookup_index(target / LOOKUP_FOLDER, index, force=args.force)
    out.step(_("writing the parents' verifier page and every child's proof file"))
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
        _(
            "published {count} notice lists, waitlists, the report ({report}), the lookup"
            " index ({shards} shards), the verifier page ({page}) and {proofs} proof files"
            " ({proof_folder}) to {target}"
        ).format(
            count=len(written),
            report=f"{REPORT_FOLDER}/index.html",
            shards=len(index) - 1,
            page=f"{PAGE_FOLDER}/index.html",
            proofs=proofs,
            proof_folder=f"{PROOF_FOLDER}/",
            target=target,
        )
    )
    out.say(
        _(
            "the page reads the public files from {url} (relative to {page}): serve {public} there"
        ).format(url=args.public_url, page=f"{PAGE_FOLDER}/", public=folder.public)
    )
    if site is not None:
        out.say(
            _("receipts' QR codes open {site}: serve {page} at that address").format(
                site=site, page=target / PAGE_FOLDER
            )
        )
    out.say(_("private full results: {path}").format(path=private))
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
                _(
                    "receipts were printed with the address {recorded} (recorded in {path}):"
                    " their QR codes would open the wrong page"
                ).format(recorded=recorded, path=path),
                code="receipts.site-url-changed",
                field="--site-url",
                value=given,
                hint=_(
                    "serve the page at {recorded}, or delete {path} and print every receipt again"
                ).format(recorded=recorded, path=path),
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
        _read_json(folder.registry, _("the private registry"), _("it is written by `alloc freeze`"))
    )


def cmd_report(args: argparse.Namespace, out: Console) -> int:
    """Write the self-contained HTML report of a draw."""
    folder = _folder(args)
    published = PublishedDraw.load(folder, args)
    registry = _registry(folder) if folder.registry.exists() else None
    out.step(_("verifying (re-running the draw)"))
    report = published.verify(out.progress)
    outcome = published.outcome(out.progress)
    out.step(_("writing {path}").format(path=args.out))
    pages = published.report_pages(report, outcome, registry, out.progress)
    index = files.write_report(Path(args.out), pages, force=args.force)
    _show_signers(
        out,
        published.trust,
        [("announcement", published.announcement), ("transcript", published.transcript)],
    )
    out.say(
        (
            _(
                "wrote the report to {folder}: open {index} ({count} list pages; verification"
                " passed)"
            )
            if report.ok
            else _(
                "wrote the report to {folder}: open {index} ({count} list pages; verification"
                " FAILED)"
            )
        ).format(folder=args.out, index=index, count=len(pages.pages))
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
        records = files.read_lines(
            _require(folder.records, _("the public records"), _("run `alloc freeze`"))
        )
        outcome = draw(rules, parse_record_lines(records), seed)
        index = LookupIndex.build(_registry(folder), outcome)
        answer = index.lookup(args.id, args.name, document_type=kind)
    else:
        if args.salt is None or args.registration_number is None:
            raise CommandError(
                _("a lookup in the public index needs the whole receipt"),
                code="lookup.receipt-incomplete",
                hint=_("give --registration-number and --salt as printed on the receipt"),
            )
        receipt = Receipt(
            registration_number=args.registration_number.strip(), salt=parse_salt(args.salt)
        )
        where = Path(args.index) if args.index else folder.publish / LOOKUP_FOLDER
        _require(
            where / INDEX_FILE, _("the lookup index"), _("run `alloc publish`, or pass --index")
        )
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
    records = files.read_lines(
        _require(folder.records, _("the public records"), _("run `alloc freeze`"))
    )
    results = files.read_lines(_require(folder.results, _("the results"), _("run `alloc draw`")))
    proofs = make_parent_proofs(rules.draw_id, records, results, [args.registration_number])
    proof = proofs[args.registration_number]
    drawn = _last_drawn(folder)
    if drawn > 1:
        # The child's part of every later round drawn, each under its round's roots.
        proof = make_round_proofs(
            proof, [_round_files(folder.round_public(n), n) for n in range(2, drawn + 1)]
        )
    files.write_bytes(Path(args.out), canonical_json(proof.to_json()) + b"\n", force=args.force)
    out.say(
        (
            _("proof for {registration} written to {path}")
            if drawn == 1
            else _("proof for {registration} written to {path}, spanning rounds 1 to {last}")
        ).format(registration=args.registration_number, path=args.out, last=drawn)
    )
    out.result(proof.to_json())
    return EXIT_OK


def cmd_proof_check(args: argparse.Namespace, out: Console) -> int:
    """A parent checks their own child: identity, record, lottery number, result, signers."""
    proof_path = _require(
        Path(args.proof), _("the proof file"), _("ask the bureau or the lookup site for it")
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
        announcement=_require(
            announcement, document_title("announcement"), _("give the signed announcement")
        ).read_bytes(),
        transcript=_require(
            transcript, document_title("transcript"), _("give the signed transcript")
        ).read_bytes(),
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
                        _("round {round}'s announcement").format(round=part.round),
                        _("it is published in public/rounds/N/"),
                    ).read_bytes(),
                    _require(
                        folder / "transcript.json",
                        _("round {round}'s transcript").format(round=part.round),
                        _("it is published in public/rounds/N/"),
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
    out.say(_("trust: {source}").format(source=trust.source))
    out.say(str(report))
    for step in steps[len(report.steps) :]:
        out.say(step.line())
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
            _("give the address where the verifier page will be served"),
            code="receipts.site-url-missing",
            field="--site-url",
            hint=_(
                "e.g. --site-url https://jyj.example.gov.cn/2026-kg/verify/ (publish writes"
                " the page to publish/verify/; serve it there)"
            ),
        )
    target = Path(args.out) if args.out else folder.private / "receipts.html"
    resolved = target.resolve()
    for public in (folder.public, folder.publish):
        if resolved.is_relative_to(public.resolve()):
            raise CommandError(
                _("receipts hold receipt codes and must never go to a public folder"),
                code="receipts.public-folder",
                field="--out",
                value=str(target),
                hint=_("write them to {folder} (the default)").format(folder=folder.private),
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
            _("no such registration number in the private registry"),
            code="receipts.unknown-registration",
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
    out.say(
        _("wrote {count} receipts to {path} (private: they hold receipt codes)").format(
            count=count, path=target
        )
    )
    out.say(
        _("their QR codes open {site} (recorded in {path})").format(
            site=site, path=folder.root / SITE_FILE
        )
    )
    out.result({"receipts": str(target), "count": count, "site_url": site})
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: Console) -> int:
    """Run the synthetic example draw end to end; with --out, write every file."""
    if args.out and storage.holds_outputs(args.out) and not args.force:
        raise files.OutputExistsError(Path(args.out))
    out.step(_("running the synthetic district draw end to end"))
    run = run_demo(applicants=args.applicants, kindergartens=args.kindergartens)
    for line in describe(run):
        out.say(line)
    if args.out:
        _write_demo(run, Path(args.out), force=args.force, out=out)
    ok = run.report.ok and all(r.ok for r in run.parent_reports.values())
    out.result({"verified": run.report.ok, "seed": run.ceremony.seed.hex(), "out": args.out})
    return EXIT_OK if ok else EXIT_VERIFICATION_FAILED


_DEMO_KEY_NOTE = (
    "演示密钥：其私钥可由 alloc 公开的演示代码（alloc/demo.py）推出，任何人都能用它签名，"
    "切勿用于真实派位。\n"
    "DEMO KEY: its private key is derived from alloc's public demo code (alloc/demo.py)."
    " Anyone can sign with it; never trust it for a real draw.\n"
).encode()


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
        _(
            "wrote the draw folder {target}: public/, publish/ ({count} notice lists, {report},"
            " lookup/, {page}, {proofs}), private/ (with receipts.html)"
        ).format(
            target=target,
            count=len(written),
            report=f"{REPORT_FOLDER}/",
            page=f"{PAGE_FOLDER}/",
            proofs=f"{PROOF_FOLDER}/",
        )
    )
    out.say(
        _(
            "the parents' page: `cd {target} && python3 -m http.server 8000`, then open"
            " {url} (the receipts in private/receipts.html open it with their code)"
        ).format(target=target, url=DEMO_SITE_URL)
    )
    out.say(
        _(
            "verify it with `{command}`: these are DEMO keys, whose private keys anyone can"
            " derive from alloc's code, so the pins only show how pinning works"
        ).format(command=f"alloc verify --dir {target} {pins}")
    )


def cmd_log_verify(args: argparse.Namespace, out: Console) -> int:
    """Check an operator log's chain and, with a transcript (the draw's or a later round's),
    that it is the log that transcript signed."""
    path = _require(
        Path(args.log),
        _("the operator log"),
        _("it is {file} in the draw folder").format(file=LOG_NAME),
    )
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
        _require(where, document_title("transcript"), "public/transcript.json")
        kind = "round-transcript" if _is_round_transcript(where) else "transcript"
        envelope = files.read_envelope(where, kind)
        tx: Transcript | RoundTranscript = (
            RoundTranscript.from_envelope(envelope)
            if kind == "round-transcript"
            else Transcript.from_envelope(envelope)
        )
        trust.policy.verify(envelope, document=document_title(kind))
        detail = check_log(data, tx.log, draw_id=tx.draw_id, document=str(path))
        committed = tx.log
        out.say(_("trust: {source}").format(source=trust.source))
        out.say(
            _("transcript signed by: {signers}").format(signers=trust.policy.describe(envelope))
        )
        summary.update({"transcript": str(where), "committed": committed and committed.count})
    else:
        detail = _(
            "{count} entries, each naming the hash of the one before; give --transcript to"
            " check the log is the one the draw signed"
        ).format(count=len(log.entries))
    for line in describe_log(log, committed):
        out.say(line)
    out.say(Check("operator log", True, detail).line())
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
            _(
                "the rehearsal folder must lie outside the real draw folder, and not hold it:"
                " a rehearsal never touches the real draw's files"
            ),
            code="rehearse.folder-overlap",
            field="--out",
            value=str(target),
            hint=_("give --out a folder of its own, e.g. next to the draw folder"),
        )
    if not storage.holds_outputs(target):
        return
    if _rehearsal_marker(target) is None:
        raise CommandError(
            _(
                "the folder holds files and is no rehearsal folder: alloc clears only an earlier"
                " rehearsal's folder"
            ),
            code="rehearse.folder-not-empty",
            field="--out",
            value=str(target),
            hint=_("give --out a new folder"),
        )
    if not force:
        raise files.OutputExistsError(target)
    shutil.rmtree(target)


def _wait_until(moment: datetime, out: Console, why: str) -> None:
    """Sleep until the clock reads ``moment``: a rehearsal keeps its own times."""
    if clock.now() < moment:
        out.say(
            _("waiting until {time}: {why}").format(
                time=clock.format_time(moment, like=moment), why=why
            )
        )
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
            _("the reveal window is a whole number of seconds, at least 1"),
            code="rehearse.reveal-window",
            field="--reveal-window",
            value=args.reveal_window,
            hint=_("e.g. --reveal-window 300 for a district of a few hundred thousand children"),
        )
    if _rehearsal_marker(real.root) is not None:
        raise CommandError(
            _("this is a rehearsal folder: rehearse the real draw folder"),
            code="rehearse.of-a-rehearsal",
            field="--dir",
            value=str(real.root),
        )
    rules = rehearsal.rehearsal_rules(_rules(real))
    _require(
        Path(args.applicants),
        _("the applicant export"),
        _("give the registration system's export"),
    )
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
    out.say(
        _("rehearsal of draw {real}, as draw {draw_id}, in {folder}").format(
            real=marker.of, draw_id=marker.draw_id, folder=target
        )
    )
    out.say(
        _("the real folder {folder} is only read: nothing of the rehearsal enters it").format(
            folder=real.root
        )
    )
    results: list[dict[str, Any]] = []
    for step in preparation:
        if (code := _rehearsal_step(step.argv, args, out, results)) != EXIT_OK:
            return code
    drill = plan(
        {
            name: PublicKey.from_pem((target / "keys" / f"{name}.pub").read_bytes()).fingerprint
            for _owner, name in keys
        }
    )
    if args.by_hand:
        out.say("")
        out.say(
            _(
                "the rehearsal's times: reveals until {deadline}, sources from {sources}, the"
                " draw at {draw_at}"
            ).format(
                deadline=schedule.written(schedule.reveal_deadline),
                sources=schedule.written(schedule.sources_known),
                draw_at=schedule.written(schedule.draw_at),
            )
        )
        out.say(_("the rehearsal folder is ready; practise the day now, typing each command:"))
        for step in (*drill.day, drill.verify):
            if step.not_before is not None:
                out.say(
                    "  # " + _("not before {time}:").format(time=schedule.written(step.not_before))
                )
            out.say(f"  alloc {shlex.join(step.argv)}")
        out.say(
            _(
                "type for VALUE each source's throw-away value in its one form (`alloc ceremony"
                " status` shows it): roll dice, or make one up"
            )
        )
        out.result({"folder": str(target), "draw_id": rules.draw_id, "steps": results})
        return EXIT_OK
    for step in drill.day:
        if step.not_before is not None:
            _wait_until(step.not_before, out, _("the rehearsal keeps the order of the day's times"))
        if (code := _rehearsal_step(step.argv, args, out, results)) != EXIT_OK:
            if step.not_before is None and clock.now() > schedule.reveal_deadline:
                out.notice(
                    _(
                        "the rehearsal's reveal deadline {deadline} passed before this step:"
                        " give a longer --reveal-window"
                    ).format(deadline=schedule.written(schedule.reveal_deadline))
                )
            return code
    code = _rehearsal_step(drill.verify.argv, args, out, results)
    out.say("")
    out.say(
        _(
            "rehearsal done in {folder}: its announcement and transcript are signed with"
            " rehearsal: true, so `alloc verify` refuses them as a real draw"
        ).format(folder=target)
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


#: Characters a line never starts with (Chinese typesetting keeps them on the line before).
_NO_LINE_START = frozenset("，。、；：！？）》」』”’,.;:!?)]")


def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces or between Chinese
    characters (argparse's textwrap counts characters and breaks only at spaces)."""
    units: list[tuple[bool, str]] = []  # (after a space, unit)
    for word in text.split():
        spaced = True
        for char in word:
            wide = unicodedata.east_asian_width(char) in "WF"
            if (
                units
                and not spaced
                and (char in _NO_LINE_START or not (wide or _columns(units[-1][1][-1]) == 2))
            ):
                units[-1] = (units[-1][0], units[-1][1] + char)
            else:
                units.append((spaced, char))
            spaced = False
    lines: list[str] = []
    line, used = "", 0
    for spaced, unit in units:
        gap = " " if spaced and line else ""
        if line and used + len(gap) + _columns(unit) > width:
            lines.append(line)
            line, used = unit, _columns(unit)
        else:
            line, used = line + gap + unit, used + len(gap) + _columns(unit)
    if line:
        lines.append(line)
    return lines


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped by the columns text takes on a terminal."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))


def _parser() -> argparse.ArgumentParser:
    """The command line's parser, its help in the current language (alloc.i18n)."""
    parser = argparse.ArgumentParser(
        prog="alloc",
        formatter_class=_HelpFormatter,
        description=_("Auditable kindergarten draws (电脑派位): every step of the protocol."),
        epilog=_(
            "Exit codes: 0 success, 2 invalid input, 3 verification failed, 4 internal error,"
            " 5 file system error (disk full, permission denied, read-only, folder busy)."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=_("alloc {version} (package {distribution}, spec version {spec})").format(
            version=__version__, distribution=DISTRIBUTION, spec=SPEC_VERSION
        ),
        help=_("show alloc's version and exit"),
    )
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help=_(
            "the language of every message: zh-CN (Chinese, the default) or en (English);"
            " ALLOC_LANG sets it too"
        ),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help=_("print a JSON result on stdout; an error has a stable code (docs/errors.md)"),
    )
    parser.add_argument("--quiet", action="store_true", help=_("no progress on stderr"))
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=storage.DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help=_(
            "how long to wait for a folder another alloc command is using (default {seconds:g})"
        ).format(seconds=storage.DEFAULT_LOCK_TIMEOUT),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str,
        run: Callable[[argparse.Namespace, Console], int],
        parent: Any = commands,
        *,
        about: str,
        folder: bool = False,
        force: bool = False,
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = parent.add_parser(
            name, help=about, description=about, formatter_class=_HelpFormatter
        )
        if folder:
            sub.add_argument("--dir", default=".", help=_("the draw folder (default: .)"))
        if force:
            sub.add_argument(
                "--force", action="store_true", help=_("overwrite existing output files")
            )
        sub.set_defaults(run=run)
        return sub

    def group(name: str, about: str) -> Any:
        return commands.add_parser(
            name, help=about, description=about, formatter_class=_HelpFormatter
        ).add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")

    keys = group("keys", _("signing keys: generate an Ed25519 key pair, show a key's fingerprint"))
    sub = command(
        "generate",
        cmd_keys_generate,
        keys,
        about=_("Create an Ed25519 key pair: NAME.key (private, PEM) and NAME.pub."),
        force=True,
    )
    sub.add_argument("name", type=_key_name, help=_("key name, e.g. bureau or notary-1"))
    sub.add_argument("--out", default="keys", help=_("directory (default: keys)"))
    sub.add_argument(
        "--password-file", help=_("encrypt the private key with the password in this file")
    )
    sub = command(
        "fingerprint",
        cmd_keys_fingerprint,
        keys,
        about=_("Print a public key's id and the fingerprint people compare and pin."),
    )
    sub.add_argument("file", nargs="+", help=_("public key file(s), e.g. keys/bureau.pub"))
    sub.add_argument(
        "--digits", action="store_true", help=_("print only the fingerprint (for scripts)")
    )

    policy = group("policy", _("trust policies: which keys must sign"))
    sub = command(
        "create",
        cmd_policy_create,
        policy,
        about=_("Write trust.json: every role must reach its threshold."),
        force=True,
    )
    sub.add_argument(
        "--role",
        action="append",
        required=True,
        help=_("ROLE=KEY.pub[,KEY2.pub...], e.g. notary=keys/n1.pub,keys/n2.pub"),
    )
    sub.add_argument(
        "--threshold",
        action="append",
        help=_("ROLE=N: how many of the role's keys must sign (default 1)"),
    )
    sub.add_argument("--out", default="trust.json", help=_("where to write (default: trust.json)"))

    rules = group("rules", _("draw rules: write rules.json from a kindergarten list"))
    sub = command(
        "init",
        cmd_rules_init,
        rules,
        about=_("Write rules.json from a kindergarten spreadsheet and draw options."),
        force=True,
    )
    sub.add_argument(
        "--kindergartens", required=True, help=_("CSV or .xlsx of kindergartens and their seats")
    )
    sub.add_argument(
        "--draw-id", required=True, help=_("the draw's id, e.g. 2026-example-district")
    )
    sub.add_argument("--title", help=_("the draw's title, as the notices show it"))
    sub.add_argument("--authority", help=_("the authority running the draw, e.g. 示例区教育局"))
    sub.add_argument(
        "--mechanism",
        default="deferred-acceptance",
        choices=[m.value for m in Mechanism],
        help=_("how seats are allocated (default: deferred-acceptance)"),
    )
    sub.add_argument(
        "--tie-break",
        default="single",
        choices=[t.value for t in TieBreak],
        help=_("one lottery number per child, or one per child and kindergarten (default: single)"),
    )
    sub.add_argument("--tiers", help=_("priority tiers, comma-separated, best first"))
    sub.add_argument(
        "--multiples",
        default="bundle",
        choices=[m.value for m in MultiplesPolicy],
        help=_("how twins and triplets are drawn (default: bundle)"),
    )
    sub.add_argument(
        "--waitlist",
        type=int,
        default=20,
        help=_("waitlist places per kindergarten (default: 20)"),
    )
    sub.add_argument(
        "--min-lottery-percent",
        type=int,
        default=0,
        help=_("the share of each kindergarten's seats kept for the lottery, in percent"),
    )
    sub.add_argument(
        "--time-zone",
        default=DEFAULT_TIME_ZONE,
        help=_("IANA name of the zone times are shown in (default: {zone})").format(
            zone=DEFAULT_TIME_ZONE
        ),
    )
    sub.add_argument(
        "--owners-phase",
        action="store_true",
        help=_(
            "an owners' phase on the 'owners' blocks before the social draw; owners placed"
            " in it never compete for a kindergarten they listed higher (see the README)"
        ),
    )
    sub.add_argument(
        "--unanswered",
        default="decline",
        choices=[u.value for u in Unanswered],
        help=_(
            "in later rounds, a family that does not confirm its seat in time: decline"
            " (逾期未确认视为放弃, the default) or confirm"
        ),
    )
    sub.add_argument(
        "--round-seed",
        default="fresh",
        choices=[r.value for r in RoundSeed],
        help=_(
            "a second-round draw's seed: fresh (its own ceremony, the default) or same"
            " (round 1's, so every child keeps its lottery numbers)"
        ),
    )
    sub.add_argument("--out", default="rules.json", help=_("where to write (default: rules.json)"))

    sub = command(
        "validate",
        cmd_validate,
        about=_("Check the rules and an applicant spreadsheet; report every problem."),
    )
    sub.add_argument("--rules", default="rules.json", help=_("the rules (default: rules.json)"))
    sub.add_argument(
        "--applicants", required=True, help=_("CSV or .xlsx from the registration system")
    )
    _import_options(sub)

    ceremony = group("ceremony", _("the public seed ceremony: commit, open, reveal, sources, seed"))
    sub = command(
        "begin",
        cmd_ceremony_begin,
        ceremony,
        about=_("Name the external sources and fallbacks, and the one form of each value."),
        folder=True,
        force=True,
    )
    sub.add_argument(
        "--source",
        action="append",
        help=_(
            "a source always read, in one of the forms: {forms}. E.g. 'welfare-3d digits"
            " count=3 drawn-at=2026-07-23T21:15:00+08:00 description=福彩3D 2026-07-23'"
        ).format(forms="; ".join(SOURCE_FORMS.values())),
    )
    sub.add_argument(
        "--fallback",
        action="append",
        help=_(
            "a source read only for a party that never reveals, in the same forms, e.g."
            " 'drand-30662982 drand chain=quicknet round=30662982'"
        ),
    )
    sub = command(
        "secret",
        cmd_ceremony_secret,
        ceremony,
        about=_(
            "A party draws its secret (kept private until the reveal) and prints its commitment."
        ),
        force=True,
    )
    sub.add_argument("--party", required=True, help=_("the party, e.g. notary or parent-rep-1"))
    sub.add_argument("--draw-id", required=True, help=_("the draw's id, as in rules.json"))
    sub.add_argument("--out", required=True, help=_("where to keep the secret until the reveal"))
    sub = command(
        "commit",
        cmd_ceremony_commit,
        ceremony,
        about=_("Record a party's published commitment and its fallback source."),
        folder=True,
    )
    sub.add_argument("--party", required=True, help=_("the party's name"))
    sub.add_argument("--commitment", help=_("the party's published commitment (hex)"))
    sub.add_argument("--secret", help=_("or the party's secret file"))
    sub.add_argument(
        "--fallback", required=True, help=_("the fallback source if the party never reveals")
    )
    sub = command(
        "open",
        cmd_ceremony_open,
        ceremony,
        about=_("Open reveals on the signed announcement (its signatures checked first)."),
        folder=True,
    )
    _add_trust_options(sub, own="DIR/trust.json")
    sub = command(
        "reveal",
        cmd_ceremony_reveal,
        ceremony,
        about=_("Reveal a party's secret on stage; it must match the published commitment."),
        folder=True,
    )
    sub.add_argument("--party", required=True, help=_("the party's name"))
    sub.add_argument("--secret", required=True, help=_("the party's secret file"))
    sub = command(
        "default",
        cmd_ceremony_default,
        ceremony,
        about=_("Declare that a party will not reveal: its announced fallback source replaces it."),
        folder=True,
    )
    sub.add_argument("--party", required=True, help=_("the party's name"))
    sub = command(
        "source",
        cmd_ceremony_source,
        ceremony,
        about=_("Record the value of an announced source, typed in its one accepted form."),
        folder=True,
    )
    sub.add_argument("--name", required=True, help=_("the source's name, as in the plan"))
    sub.add_argument(
        "--value",
        required=True,
        help=_(
            "the value in the one form the plan fixes for this source (`alloc ceremony"
            " status` shows it), e.g. 381 for 福彩3D, '3 7 12 22 28 31' for six balls, the"
            " round's signature for drand"
        ),
    )
    command(
        "status",
        cmd_ceremony_status,
        ceremony,
        about=_("Show the ceremony's stage, the commitments and what is still missing."),
        folder=True,
    )
    command(
        "seed",
        cmd_ceremony_seed,
        ceremony,
        about=_("Derive the seed once every party has revealed and every source is in."),
        folder=True,
    )

    sub = command(
        "freeze",
        cmd_freeze,
        about=_(
            "Freeze the applicant list: records, the announcement (unsigned) and the registry."
        ),
        folder=True,
        force=True,
    )
    sub.add_argument(
        "--applicants", required=True, help=_("CSV or .xlsx from the registration system")
    )
    _import_options(sub)
    sub.add_argument(
        "--reveal-deadline",
        required=True,
        help=_(
            "reveals are accepted until this time, e.g. 2026-07-23T15:30:00+08:00; every"
            " source must become known after it"
        ),
    )
    sub.add_argument(
        "--draw-at",
        required=True,
        help=_(
            "the announced draw time, after every source, e.g. 2026-07-24T09:30:00+08:00"
            " (the list is frozen at the time freeze runs)"
        ),
    )
    _replace_signed_option(sub)

    sub = command(
        "sign",
        cmd_sign,
        about=_(
            "Check a document, show what it says and which key signs, ask, then add the signature."
        ),
    )
    sub.add_argument("document", help=_("announcement.json or transcript.json"))
    sub.add_argument(
        "--dir",
        help=_(
            "the draw folder the document is checked against (default: the folder holding"
            " public/, when the document is in public/; else the document's own folder)"
        ),
    )
    sub.add_argument("--key", required=True, help=_("the private key (PEM)"))
    sub.add_argument("--password-file", help=_("the file holding the private key's password"))
    sub.add_argument(
        "--yes",
        action="store_true",
        help=_("sign without asking (after reading the summary); needed when not at a terminal"),
    )
    _add_trust_options(sub, own="DIR/trust.json")

    sub = command(
        "draw",
        cmd_draw,
        about=_("Run the draw from the public records and the seed; write results and transcript."),
        folder=True,
        force=True,
    )
    _add_trust_options(sub, own="DIR/trust.json")
    _replace_signed_option(sub)

    round_ = group("round", _("later rounds: open one on the families' responses, then compute it"))
    sub = command(
        "open",
        cmd_round_open,
        round_,
        about=_(
            "Open a later round: commit the families' responses (and second-round choices)"
            " in the round's announcement, to be signed before the round is computed."
        ),
        folder=True,
        force=True,
    )
    sub.add_argument("--round", type=int, help=_("the round to open (default: the next one)"))
    sub.add_argument(
        "--responses",
        required=True,
        help=_(
            "CSV or .xlsx of the families' answers: registration number, answer"
            " (confirm/确认, withdraw/退出候补, decline/放弃), kindergarten of the seat kept"
        ),
    )
    sub.add_argument(
        "--choices",
        help=_(
            "CSV or .xlsx of second-round choices (registration number, 志愿1, 志愿2, …) of"
            " children still unplaced: the round then ends with a draw over the seats left"
        ),
    )
    sub.add_argument(
        "--reveal-deadline",
        help=_("the round's reveal deadline (with --choices and round_seed = fresh)"),
    )
    sub.add_argument(
        "--draw-at", help=_("the round's draw time (with --choices and round_seed = fresh)")
    )
    _add_trust_options(sub, own="DIR/trust.json")
    _replace_signed_option(sub)
    sub = command(
        "draw",
        cmd_round_draw,
        round_,
        about=_(
            "Compute a later round: promotion from the waitlists and, if announced, the"
            " second-round draw; write its standings and transcript."
        ),
        folder=True,
        force=True,
    )
    sub.add_argument("--round", type=int, help=_("the round to compute (default: the next one)"))
    _add_trust_options(sub, own="DIR/trust.json")
    _replace_signed_option(sub)

    sub = command(
        "verify",
        cmd_verify,
        about=_(
            "Check everything from the public files alone, against keys you pinned;"
            " list every check."
        ),
        force=True,
    )
    sub.add_argument("--dir", help=_("a draw folder (its public/ files are used)"))
    for name, about in (
        ("rules", _("path of the rules file")),
        ("announcement", _("path of the announcement file")),
        ("transcript", _("path of the transcript file")),
        ("records", _("path of the records file")),
        ("results", _("path of the results file")),
    ):
        sub.add_argument(f"--{name}", help=about)
    sub.add_argument(
        "--rounds",
        help=_("the folder of the later rounds (default: rounds/ beside the transcript)"),
    )
    sub.add_argument(
        "--expect-round",
        type=int,
        metavar="N",
        help=_("the latest round you know was published: a chain ending earlier is refused"),
    )
    sub.add_argument(
        "--remember",
        metavar="FILE",
        help=_(
            "keep the rounds verified here, and refuse later a chain that is shorter"
            " (a rollback) or disagrees (a fork)"
        ),
    )
    sub.add_argument(
        "--published",
        metavar="DIR",
        help=_(
            "also check the notice lists and waitlists `alloc publish` wrote to DIR"
            " (notice/notice-ID.csv or .xlsx, waitlists.csv or .xlsx) against the results"
        ),
    )
    sub.add_argument(
        "--certificate",
        metavar="FILE.html",
        help=_(
            "write a printable certificate of this verification (Chinese and English, A4):"
            " the time, the software, every file's SHA-256, the trusted keys, every check and"
            " the verdict; never over an existing file without --force"
        ),
    )
    sub.add_argument(
        "--log",
        help=_(
            "the draw folder's operator log ({file}), checked against the head every "
            "transcript signs, round 1's and each later round's (with --dir: DIR/{file} if "
            "it is there)"
        ).format(file=LOG_NAME),
    )
    sub.add_argument(
        "--rehearsal",
        action="store_true",
        help=_("check a rehearsal (alloc rehearse) as a rehearsal; without it a rehearsal fails"),
    )
    _add_trust_options(sub, own=None)

    sub = command(
        "publish",
        cmd_publish,
        about=_("Notice-board lists (masked), waitlists, the private full results and the report."),
        folder=True,
        force=True,
    )
    sub.add_argument("--out", help=_("where to publish (default: DIR/publish)"))
    _add_trust_options(sub, own="DIR/trust.json")
    sub.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        default="csv",
        help=_("format of the lists and the private full results (default: csv)"),
    )
    sub.add_argument(
        "--public-url",
        default=DEFAULT_PUBLIC_URL,
        help=_(
            "where the verifier page reads the public files, relative to publish/verify/ "
            "or an https address (default: {url}, the draw folder's public/)"
        ).format(url=DEFAULT_PUBLIC_URL),
    )
    sub.add_argument(
        "--site-url",
        help=_(
            "the address where publish/verify/ is served (default: as recorded in {file} "
            "by `alloc receipts`)"
        ).format(file=SITE_FILE),
    )

    sub = command(
        "receipts",
        cmd_receipts,
        about=_(
            "Printable receipts with a QR code that opens the verifier page (private:"
            " receipt codes)."
        ),
        folder=True,
        force=True,
    )
    sub.add_argument(
        "--site-url",
        help=_(
            "the address where publish/verify/ will be served; recorded in DIR/{file} the "
            "first time, so later receipts open the same page"
        ).format(file=SITE_FILE),
    )
    sub.add_argument("--out", help=_("default: DIR/private/receipts.html"))
    sub.add_argument(
        "--registration-number",
        action="append",
        help=_("only this child's receipt (repeatable; e.g. the new receipts of a re-freeze)"),
    )

    sub = command(
        "report",
        cmd_report,
        about=_("Write the report of a draw: an index page, a page per kindergarten, search."),
        folder=True,
        force=True,
    )
    sub.add_argument(
        "--out",
        default=REPORT_FOLDER,
        help=_(
            "the folder for the report's pages (default: report): index.html, a page per"
            " kindergarten, the unplaced pages and the search index"
        ),
    )
    _add_trust_options(sub, own="DIR/trust.json")

    sub = command(
        "lookup",
        cmd_lookup,
        about=_(
            "Look a child's result up: by receipt from the public index, or at the bureau's desk."
        ),
        folder=True,
    )
    sub.add_argument("--id", required=True, help=_("the child's document number"))
    sub.add_argument("--name", required=True, help=_("the child's name"))
    sub.add_argument(
        "--document-type",
        default="resident-id",
        choices=[d.value for d in DocumentType],
        help=_("the kind of document (default: resident-id)"),
    )
    sub.add_argument(
        "--registration-number",
        help=_("from the receipt: answer from the public lookup index, not the private registry"),
    )
    sub.add_argument("--salt", help=_("the receipt code, as printed on the receipt"))
    sub.add_argument(
        "--index",
        help=_("the public lookup index folder (default: DIR/publish/{folder})").format(
            folder=LOOKUP_FOLDER
        ),
    )

    proof = group("proof", _("parents' proofs: make one for a child, or check one"))
    sub = command(
        "make",
        cmd_proof_make,
        proof,
        about=_("The bureau hands a parent the proof file for their child."),
        folder=True,
        force=True,
    )
    sub.add_argument(
        "--registration-number", required=True, help=_("the child's registration number")
    )
    sub.add_argument("--out", required=True, help=_("where to write the proof file"))
    sub = command(
        "check",
        cmd_proof_check,
        proof,
        about=_(
            "A parent checks their own child: identity, record, lottery number, result, signers."
        ),
    )
    sub.add_argument("--proof", required=True, help=_("the proof file"))
    sub.add_argument(
        "--registration-number", required=True, help=_("the child's registration number")
    )
    sub.add_argument("--salt", required=True, help=_("the receipt code, as printed on the receipt"))
    sub.add_argument("--id", required=True, help=_("the child's document number"))
    sub.add_argument("--name", required=True, help=_("the child's name"))
    sub.add_argument(
        "--document-type",
        default="resident-id",
        choices=[d.value for d in DocumentType],
        help=_("the kind of document (default: resident-id)"),
    )
    sub.add_argument("--announcement", required=True, help=_("the signed announcement"))
    sub.add_argument("--transcript", required=True, help=_("the signed transcript"))
    sub.add_argument(
        "--rounds",
        help=_(
            "the folder of the later rounds, for a proof spanning them (default: rounds/"
            " beside the transcript)"
        ),
    )
    sub.add_argument(
        "--rehearsal", action="store_true", help=_("check a rehearsal's proof as a rehearsal's")
    )
    _add_trust_options(sub, own=None)

    log = group("log", _("the operator log: check its chain and that the draw signed it"))
    sub = command(
        "verify",
        cmd_log_verify,
        log,
        about=_("Check an operator log's chain and that the draw's transcript signed its head."),
    )
    sub.add_argument(
        "--log", required=True, help=_("the operator log ({file})").format(file=LOG_NAME)
    )
    sub.add_argument(
        "--transcript",
        help=_(
            "the signed transcript (the draw's, or a later round's) whose operator log "
            "head it must match"
        ),
    )
    _add_trust_options(sub, own=None)

    sub = command(
        "rehearse",
        cmd_rehearse,
        about=_(
            "Rehearse the draw day on a throw-away seed, in a folder of its own, marked as a"
            " rehearsal."
        ),
        force=True,
    )
    sub.add_argument("--dir", default=".", help=_("the real draw folder (only read; default: .)"))
    sub.add_argument("--applicants", required=True, help=_("CSV or .xlsx from registration"))
    _import_options(sub)
    sub.add_argument(
        "--out", help=_("the rehearsal folder (default: the draw folder's name + -rehearsal)")
    )
    sub.add_argument(
        "--reveal-window",
        type=int,
        metavar="SECONDS",
        help=_(
            "from the start to the rehearsal's reveal deadline (default 60; 1800 with "
            "--by-hand): the freeze, the signatures and the reveals must fit in it"
        ),
    )
    sub.add_argument(
        "--default",
        action="append",
        metavar="PARTY",
        help=_("a party that does not reveal, to practise a default (repeatable)"),
    )
    sub.add_argument(
        "--by-hand",
        action="store_true",
        help=_(
            "prepare the folder and print the day's commands for staff to type, instead of "
            "running them"
        ),
    )

    sub = command(
        "demo",
        cmd_demo,
        about=_("Run the synthetic example draw end to end; with --out, write every file."),
        force=True,
    )
    sub.add_argument(
        "--applicants", type=int, default=5000, help=_("applicants to make up (default: 5000)")
    )
    sub.add_argument(
        "--kindergartens", type=int, default=30, help=_("kindergartens to make up (default: 30)")
    )
    sub.add_argument("--out", help=_("write the whole draw folder here"))
    _replace_signed_option(sub)
    return parser


def _import_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--sheet",
        help=_(
            "the workbook sheet to read (default: the one visible sheet with applicant columns)"
        ),
    )
    sub.add_argument(
        "--tier-label",
        action="append",
        metavar="LABEL=TIER",
        help=_("read a tier written as LABEL as the rules' TIER, e.g. 本地户籍=local (repeatable)"),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    Everything it says is in Chinese unless ``--lang en`` (or ``ALLOC_LANG=en``)
    asks for English; ``--json`` output has the same keys in either language,
    and every error in it a stable ``code`` (docs/errors.md).
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        language = _requested_language(arguments)
    except InputError as exc:
        _fail(Console(json_mode="--json" in arguments, quiet=True), "invalid input", exc)
        return EXIT_INVALID_INPUT
    with override_language(language), argparse_in_current_language():
        return _main(arguments)


def _requested_language(arguments: Sequence[str]) -> Language:
    """``--lang``, else ``ALLOC_LANG``, else the default: read before parsing, which speaks it.

    Raises:
        InputError: for a language alloc does not speak, given either way.
    """
    for index, argument in enumerate(arguments):
        if argument == "--":
            break
        if argument == "--lang" and index + 1 < len(arguments):
            return parse_language(arguments[index + 1])
        if argument.startswith("--lang="):
            return parse_language(argument.partition("=")[2])
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    if value:
        try:
            parse_language(value)
        except InputError as exc:
            raise InputError(
                exc.problem, code=exc.code, field=ENVIRONMENT_VARIABLE, value=value, hint=exc.hint
            ) from exc
    return get_language()


def _main(arguments: list[str]) -> int:
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
                CommandError(
                    _("the command line is not valid; see the usage above"), code="cli.usage"
                ),
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
                _("file not found"),
                code="file.not-found",
                source=exc.filename and str(exc.filename),
                hint=_("check the path, or run the step that writes it first"),
            ),
        )
        return EXIT_INVALID_INPUT
    except (IsADirectoryError, NotADirectoryError) as exc:
        _fail(
            console,
            "invalid input",
            CommandError(
                _("is a folder, not a file")
                if isinstance(exc, IsADirectoryError)
                else _("a part of the path is a file, not a folder"),
                code="file.not-a-file"
                if isinstance(exc, IsADirectoryError)
                else "file.not-a-folder",
                source=exc.filename and str(exc.filename),
                hint=_("check the path"),
            ),
        )
        return EXIT_INVALID_INPUT
    except UnicodeDecodeError as exc:
        _fail(
            console,
            "invalid input",
            CommandError(
                _("a file is not UTF-8 text (byte {position})").format(position=exc.start),
                code="file.not-utf8",
                hint=_("give the file as alloc wrote it, or save it as UTF-8"),
            ),
        )
        return EXIT_INVALID_INPUT
    except OSError as exc:
        _fail(console, "file system error", storage.os_error(exc, action="read or write"))
        return EXIT_IO_ERROR
    except KeyboardInterrupt:
        print(_("interrupted: this command changed nothing"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: report, never a bare trace
        traceback.print_exc(file=sys.stderr)
        _fail(console, "internal error", exc)
        return EXIT_INTERNAL_ERROR
    return code


# --- one command at a time per folder, all of its files or none ------------------------

#: The shell's code for a command stopped by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


def _key_name(text: str) -> str:
    try:
        return storage.check_file_name(text, field=_("key name"))
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _replace_signed_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--replace-signed",
        action="store_true",
        help=_(
            "with --force, also replace a signed announcement or transcript (the old one"
            " is kept as NAME.replaced-SHA256.json)"
        ),
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
            _("waiting for {folder}: {holder} is using it (giving up after {seconds:g} s)").format(
                folder=folder,
                holder=holder or _("another alloc command"),
                seconds=args.lock_timeout,
            )
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


#: What failed, by exit code: ``error`` in --json output (never translated) and its words.
_FAILURES = {
    "invalid input": N_("invalid input"),
    "verification failed": N_("verification failed"),
    "file system error": N_("file system error"),
    "internal error": N_("internal error (please report it with the trace above)"),
}
#: The code of an error that is no AllocError: a fault of alloc's, never of its input.
INTERNAL_ERROR_CODE = "internal.error"


# --- the operator log: one entry per command that wrote files in a draw folder -----------

#: Namespace entries that are no option of the command itself.
_LOG_SKIP = frozenset(
    {"run", "command", "json", "quiet", "lock_timeout", "dir", "lang"}
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
            _(
                "{problem}; alloc appends to an operator log only while its chain is intact."
                " Restore {file} from a copy, or move it aside and tell the notary: the log"
                " then starts again and the transcript commits to the new one"
            ).format(problem=exc, file=LOG_NAME),
            code=exc.code,
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
    print(
        console.marked(_("error: {kind}: {message}").format(kind=_(_FAILURES[kind]), message=exc)),
        file=sys.stderr,
    )
    if console.json_mode:
        if isinstance(exc, AllocError):
            details = exc.to_json()
            problems = getattr(exc, "problems", None)
            if problems:
                details["problems"] = [
                    p.to_json() if isinstance(p, AllocError) else {"message": str(p)}
                    for p in problems
                ]
        else:
            details = {
                "code": INTERNAL_ERROR_CODE,
                "type": type(exc).__name__,
                "message": str(exc),
            }
        print(json.dumps({"ok": False, "error": kind, **details}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())

"""Rehearsals: a whole draw day on a throw-away seed, in a copy, never taken for the real draw.

``alloc rehearse`` lets the bureau practise the day's sequence (freeze,
signatures, reveals, sources, the draw, publishing, verifying) on the real
rules and the real applicant export, days before the draw. What it makes can
never be mistaken for the real draw, nor turned into part of it:

* **A folder of its own.** The rehearsal folder is new (or an earlier
  rehearsal's); the real draw folder is only read, never written, locked or
  recovered.
* **Marked where it cannot be removed.** The announcement and the transcript
  carry ``"rehearsal": true`` in their signed part (spec 9.2, 9.3), as do the
  documents of any later round practised in the rehearsal folder (11.7):
  removing it breaks every signature, and verifiers refuse a document so
  marked as a real draw. The rules' title starts with :data:`TITLE_MARK`
  and the draw id with :data:`DRAW_ID_PREFIX`, so every report, list and
  page that shows them says 演练 REHEARSAL, and every lottery number,
  commitment and digest differs from the real draw's (they are all bound to
  the draw id). Every list it publishes starts with :data:`BANNER`, and
  every line the command line prints in a rehearsal folder with the mark.
* **Throw-away keys.** Each role of the real trust policy gets as many new
  keys as its threshold, made for this rehearsal and kept in it; the real
  private keys are never used. A signature by a real key on a rehearsal
  document would not verify as real (the mark is signed), but it would be a
  real key's signature on something that is not the draw, and it would
  bring the real keys out of the safe on a practice day. Staff practise the
  same commands (``alloc sign``, reading fingerprints, pinning them to verify)
  with the rehearsal's keys.
* **Throw-away secrets, values and salts.** Every party of the real seed
  plan gets a new secret; every source keeps its name and form but takes a
  throw-away value, typed when the rehearsal runs (a drand round becomes
  digits, so no network is needed); every child gets a new receipt salt, so a
  real receipt never opens anything of a rehearsal.
* **Its own clock.** The rehearsal runs now, not at the announced times: its
  reveal deadline is a few minutes after it starts, its sources become known
  just after that, and the draw comes right after them (spec 4.7 holds as on
  the real day, on a shorter schedule).

This module holds the pure parts: the marker file, the rehearsal's rules and
sources, throw-away values and salts, and the day's steps.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from alloc.audit import REHEARSAL_MARK
from alloc.canonical import SPEC_VERSION, canonical_json, check_identifier
from alloc.clock import format_time
from alloc.errors import InputError
from alloc.i18n import _
from alloc.identity import SALT_SIZE
from alloc.io import ApplicantImport
from alloc.model import DrawRules
from alloc.notices import REHEARSAL_BANNER
from alloc.registry import Registration, Registry, attach_identities
from alloc.seed import Ceremony, Digits, DrandRound, Numbers, Source, SourceForm
from alloc.strictjson import Fields, parse_json

__all__ = [
    "BANNER",
    "DRAW_ID_PREFIX",
    "MARKER_NAME",
    "REHEARSAL_MARK",
    "TITLE_MARK",
    "Drill",
    "Marker",
    "Schedule",
    "Shape",
    "Step",
    "drill",
    "key_names",
    "rehearsal_rules",
    "source_spec",
    "throwaway_salts",
    "throwaway_value",
]

#: The file that makes a folder a rehearsal folder (written by ``alloc rehearse`` only).
MARKER_NAME: Final = "rehearsal.json"
#: The rehearsal's draw id is the real one after this.
DRAW_ID_PREFIX: Final = "rehearsal-"
#: The rehearsal's title is the real one after this.
TITLE_MARK: Final = "【演练 REHEARSAL · 不是正式派位 / not the real draw】"
#: The first row of every list a rehearsal publishes (notice boards, waitlists, results).
BANNER: Final = REHEARSAL_BANNER
#: The digits a drand round is rehearsed with (drand needs the network; a rehearsal does not).
DRAND_STAND_IN_DIGITS: Final = 6


@dataclass(frozen=True)
class Marker:
    """``rehearsal.json``: this folder rehearses draw ``of`` as draw ``draw_id``."""

    draw_id: str
    of: str
    created: str

    def to_bytes(self) -> bytes:
        return (
            canonical_json(
                {
                    "type": "rehearsal",
                    "spec": SPEC_VERSION,
                    "draw_id": self.draw_id,
                    "of": self.of,
                    "created": self.created,
                }
            )
            + b"\n"
        )

    @classmethod
    def from_bytes(cls, data: bytes, *, document: str = MARKER_NAME) -> Marker:
        """Read the marker strictly.

        Raises:
            MalformedDocumentError: for anything but the marker alloc writes.
        """
        fields = Fields.of(parse_json(data, document=document), document=document)
        kind = fields.string("type")
        if kind != "rehearsal":
            raise fields.error("type", _("not a rehearsal marker"), kind, code="rehearse.marker")
        if fields.value("spec") != SPEC_VERSION:
            raise fields.error(
                "spec",
                _("not spec version {spec}").format(spec=SPEC_VERSION),
                fields.value("spec"),
                code="document.spec-version",
            )
        marker = cls(fields.string("draw_id"), fields.string("of"), fields.string("created"))
        fields.done()
        if marker.to_bytes() != data:
            raise fields.error(
                "type", _("not in the one form alloc writes"), code="rehearse.marker"
            )
        return marker


def rehearsal_rules(rules: DrawRules) -> DrawRules:
    """The real rules with the rehearsal's draw id and marked title; nothing else changes.

    Raises:
        InputError: if the rules are already a rehearsal's, or the draw id is too
            long to take the prefix.
    """
    if rules.draw_id.startswith(DRAW_ID_PREFIX) or rules.title.startswith(TITLE_MARK):
        raise InputError(
            _("these are a rehearsal's rules: a rehearsal rehearses the real draw folder"),
            code="rehearse.of-a-rehearsal",
            field="draw_id",
            value=rules.draw_id,
            hint=_("give --dir the real draw folder"),
        )
    draw_id = DRAW_ID_PREFIX + rules.draw_id
    try:
        check_identifier(draw_id, "draw_id")
    except InputError as exc:
        raise InputError(
            _("the rehearsal's draw id would be too long ({problem})").format(problem=exc.problem),
            code="rehearse.draw-id-too-long",
            field="draw_id",
            value=rules.draw_id,
            hint=_("a draw id of at most {count} characters can be rehearsed").format(
                count=128 - len(DRAW_ID_PREFIX)
            ),
        ) from exc
    return replace(rules, draw_id=draw_id, title=TITLE_MARK + rules.title)


@dataclass(frozen=True)
class Schedule:
    """The rehearsal's times, from when it starts: reveals, then sources, then the draw."""

    start: datetime
    reveal_window: timedelta
    gap: timedelta

    @property
    def reveal_deadline(self) -> datetime:
        return self.start + self.reveal_window

    @property
    def sources_known(self) -> datetime:
        """When every rehearsal source becomes known: just after the deadline."""
        return self.reveal_deadline + self.gap

    @property
    def draw_at(self) -> datetime:
        return self.sources_known + self.gap

    def written(self, moment: datetime) -> str:
        return format_time(moment, like=self.start)


@dataclass(frozen=True)
class Shape:
    """The real seed plan's shape: its parties, sources and fallbacks by name and form."""

    parties: tuple[tuple[str, str], ...]  # (party, fallback source)
    sources: tuple[Source, ...]
    fallbacks: tuple[Source, ...]

    @classmethod
    def of(cls, ceremony: Ceremony | None) -> Shape:
        """The shape of the real ceremony, or of a bureau and a notary with one source each."""
        if ceremony is not None and ceremony.parties and ceremony.sources:
            return cls(
                tuple((p.name, p.fallback) for p in ceremony.parties),
                ceremony.sources,
                ceremony.fallbacks,
            )
        start = datetime.fromisoformat("2000-01-01T00:00:00+00:00")  # re-timed below
        sources = ceremony.sources if ceremony is not None and ceremony.sources else ()
        return cls(
            (("bureau", "rehearsal-fallback"), ("notary", "rehearsal-fallback")),
            sources or (Source("rehearsal-dice", Digits(3, drawn_at=start)),),
            (Source("rehearsal-fallback", Digits(3, drawn_at=start)),),
        )

    def rehearsed(self, schedule: Schedule) -> tuple[tuple[Source, ...], tuple[Source, ...]]:
        """Sources and fallbacks as rehearsed: same names and forms (drand as digits),
        known just after the rehearsal's deadline, described as throw-away."""

        def stand_in(source: Source) -> Source:
            form: SourceForm
            known = schedule.sources_known
            if isinstance(source.form, Digits):
                form = replace(source.form, drawn_at=known)
                what = "digits"
            elif isinstance(source.form, Numbers):
                form = replace(source.form, drawn_at=known)
                what = "numbers"
            else:
                assert isinstance(source.form, DrandRound)
                form = Digits(DRAND_STAND_IN_DIGITS, drawn_at=known)
                what = "digits standing in for a drand round"
            return Source(
                source.name, form, f"{REHEARSAL_MARK}: throw-away {what}, not the real value"
            )

        return tuple(map(stand_in, self.sources)), tuple(map(stand_in, self.fallbacks))


def throwaway_value(source: Source) -> str:
    """A random value in the source's one written form (spec 4.4), for an unattended rehearsal.

    Raises:
        InputError: for a drand source (a rehearsal rehearses drand as digits).
    """
    form = source.form
    if isinstance(form, Digits):
        return "".join(secrets.choice("0123456789") for _digit in range(form.count))
    if isinstance(form, Numbers):
        pool = list(range(form.minimum, form.maximum + 1))
        drawn: list[int] = []
        for _pick in range(form.count):
            pick = secrets.choice(pool)
            drawn.append(pick)
            if form.distinct:
                pool.remove(pick)
        return " ".join(str(n) for n in (drawn if form.ordered else sorted(drawn)))
    raise InputError(
        _("a rehearsal types no drand value"),
        code="rehearse.drand",
        field=f"source {source.name!r}",
        value=source.name,
    )


def throwaway_salts(imported: ApplicantImport, draw_id: str) -> ApplicantImport:
    """The import with a new random receipt salt for every child, commitments recomputed.

    A rehearsal never carries a real salt: with one, a parent's real receipt
    would open the rehearsal's lookup entry. The registry and receipts of a
    rehearsal are its own.

    Raises:
        InputError: if an applicant has no registration.
    """
    registry = Registry(
        Registration(number, entry.identity, secrets.token_bytes(SALT_SIZE))
        for number, entry in imported.registry.items()
    )
    table = attach_identities(imported.table, registry, draw_id)
    return replace(
        imported,
        table=table,
        registry=registry,
        receipts_generated=True,
        new_salts=tuple(registry),
        reissued=(),
    )


def key_names(roles: Sequence[tuple[str, int]]) -> list[tuple[str, str]]:
    """(role, key name) of the throw-away keys: as many per role as its threshold."""
    names = []
    for role, threshold in roles:
        for index in range(1, threshold + 1):
            suffix = f"-{index}" if threshold > 1 else ""
            names.append((role, f"rehearsal-{role}{suffix}"))
    return names


def source_spec(source: Source, *, like: datetime) -> str:
    """``source`` as ``alloc ceremony begin`` takes it (``NAME digits count=N drawn-at=…``).

    Raises:
        InputError: for a drand source (a rehearsal rehearses drand as digits).
    """
    form = source.form
    if isinstance(form, DrandRound):
        raise InputError(
            _("a rehearsal declares no drand source"), code="rehearse.drand", value=source.name
        )
    when = f"drawn-at={format_time(form.drawn_at, like=like)}"
    if isinstance(form, Digits):
        head = f"{source.name} digits count={form.count} {when}"
    else:
        order = "drawn" if form.ordered else "ascending"
        repeats = "no" if form.distinct else "yes"
        head = (
            f"{source.name} numbers count={form.count} min={form.minimum} max={form.maximum}"
            f" order={order} repeats={repeats} {when}"
        )
    return f"{head} description={source.description}" if source.description else head


@dataclass(frozen=True)
class Step:
    """One command of the rehearsal, as the operator types it, and its earliest time."""

    argv: tuple[str, ...]
    not_before: datetime | None = None


@dataclass(frozen=True)
class Drill:
    """Everything a rehearsal runs: the preparation, then the day, then the verification."""

    preparation: tuple[Step, ...]
    day: tuple[Step, ...]
    verify: Step


def _plain(name: str, fallback: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", name) else fallback


def drill(
    *,
    folder: Path,
    draw_id: str,
    keys: Sequence[tuple[str, str]],
    thresholds: Sequence[tuple[str, int]],
    fingerprints: Mapping[str, str],
    shape: Shape,
    schedule: Schedule,
    applicants: str,
    import_options: Sequence[str] = (),
    defaulting: Sequence[str] = (),
    value: Callable[[Source], str] = throwaway_value,
) -> Drill:
    """The commands of a rehearsal in ``folder``, in the day's order, with their times.

    ``keys`` are (role, key name) of the throw-away keys, ``fingerprints`` their
    fingerprints by key name (for the final ``alloc verify``); ``value`` gives
    each source read its throw-away value.

    Raises:
        InputError: if a party to default is not in the plan.
    """
    parties = dict(shape.parties)
    for party in defaulting:
        if party not in parties:
            raise InputError(
                _("no such party in the seed plan"),
                code="rehearse.unknown-party",
                field="--default",
                value=party,
                hint=_("the parties are {parties}").format(parties=", ".join(parties)),
            )
    sources, fallbacks = shape.rehearsed(schedule)
    where, like = str(folder), schedule.start
    secret = {
        party: str(folder / "secrets" / f"{_plain(party, f'party-{i}')}.secret")
        for i, party in enumerate(parties, start=1)
    }
    key_file = {name: folder / "keys" / name for _owner, name in keys}
    prepare = [
        Step(("keys", "generate", name, "--out", str(folder / "keys"))) for _owner, name in keys
    ]
    policy = ["policy", "create"]
    for role, _count in thresholds:
        files = ",".join(f"{key_file[name]}.pub" for owner, name in keys if owner == role)
        policy += ["--role", f"{role}={files}"]
    policy += [a for role, threshold in thresholds for a in ("--threshold", f"{role}={threshold}")]
    prepare.append(Step((*policy, "--out", str(folder / "trust.json"))))
    begin = ["ceremony", "begin", "--dir", where]
    begin += [a for s in sources for a in ("--source", source_spec(s, like=like))]
    begin += [a for s in fallbacks for a in ("--fallback", source_spec(s, like=like))]
    prepare.append(Step(tuple(begin)))
    for party, fallback in parties.items():
        prepare.append(
            Step(
                (
                    "ceremony",
                    "secret",
                    "--party",
                    party,
                    "--draw-id",
                    draw_id,
                    "--out",
                    secret[party],
                )
            )
        )
        prepare.append(
            Step(
                (
                    "ceremony",
                    "commit",
                    "--dir",
                    where,
                    "--party",
                    party,
                    "--secret",
                    secret[party],
                    "--fallback",
                    fallback,
                )
            )
        )
    freeze = (
        "freeze",
        "--dir",
        where,
        "--applicants",
        applicants,
        *import_options,
        "--reveal-deadline",
        schedule.written(schedule.reveal_deadline),
        "--draw-at",
        schedule.written(schedule.draw_at),
    )
    day = [Step(freeze)]
    announcement = str(folder / "public" / "announcement.json")
    day += [
        Step(("sign", announcement, "--key", f"{key_file[n]}.key", "--yes")) for _owner, n in keys
    ]
    day.append(Step(("ceremony", "open", "--dir", where)))
    day += [
        Step(("ceremony", "reveal", "--dir", where, "--party", party, "--secret", secret[party]))
        for party in parties
        if party not in defaulting
    ]
    after = schedule.reveal_deadline + timedelta(seconds=1)
    day += [
        Step(("ceremony", "default", "--dir", where, "--party", party), after)
        for party in sorted(set(defaulting))
    ]
    used = {parties[party] for party in defaulting}
    for source in (*sources, *(s for s in fallbacks if s.name in used)):
        day.append(
            Step(
                (
                    "ceremony",
                    "source",
                    "--dir",
                    where,
                    "--name",
                    source.name,
                    "--value",
                    value(source),
                ),
                max(after, schedule.sources_known),
            )
        )
    day.append(Step(("ceremony", "seed", "--dir", where)))
    day.append(Step(("draw", "--dir", where), schedule.draw_at))
    transcript = str(folder / "public" / "transcript.json")
    day += [
        Step(("sign", transcript, "--key", f"{key_file[n]}.key", "--yes")) for _owner, n in keys
    ]
    day.append(Step(("publish", "--dir", where)))
    pins = [a for role, name in keys for a in ("--expect", f"{role}={fingerprints[name]}")]
    verify = Step(("verify", "--dir", where, "--rehearsal", *pins))
    return Drill(tuple(prepare), tuple(day), verify)

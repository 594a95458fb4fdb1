"""The one error hierarchy of alloc.

Every error alloc raises on purpose is an :class:`AllocError`. Input problems
say where (file, sheet, row, column or field), what value was at fault and how
to fix it, so an operator on stage can act on the message alone. Every error
carries a stable ``code`` (``docs/errors.md`` lists them all, with their
messages in Chinese and English); its text is in the language current when it
was raised (:mod:`alloc.i18n`, Chinese by default).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from alloc.i18n import _, pgettext

__all__ = [
    "AllocError",
    "BeaconError",
    "CeremonyError",
    "CeremonyStateError",
    "ChainError",
    "DigestMismatchError",
    "DuplicateError",
    "InputError",
    "InputRootMismatchError",
    "InvalidSignatureError",
    "LogChainError",
    "MalformedDocumentError",
    "NoticeMismatchError",
    "RehearsalError",
    "ReplayMismatchError",
    "RevealMismatchError",
    "RulesError",
    "RulesTypeError",
    "ScheduleError",
    "SeedMismatchError",
    "SignatureError",
    "SignatureThresholdError",
    "SourceValueError",
    "TimeWindowError",
    "TrustError",
    "UnannouncedSourceError",
    "UnknownPartyError",
    "VerificationError",
    "WrongDrawError",
    "WrongTypeError",
    "join_location",
    "with_hint",
    "with_location",
]


class AllocError(Exception):
    """Base class of every error alloc raises deliberately.

    ``code`` is a stable, language-independent name of the situation
    (``import.missing-column``, ``ceremony.reveal-after-deadline``): dotted,
    short, never reused for another situation, and listed with its messages in
    ``docs/errors.md``. A program (a portal, a script reading ``--json``)
    should tell errors apart by ``code``, never by their text, which is in the
    language current when the error was raised (:mod:`alloc.i18n`). Each class
    has a default code; raise sites that a program may want to tell apart give
    their own.
    """

    #: The default code of the class; an instance raised with ``code=`` has its own.
    code: str = "alloc.error"
    #: True for a class that names one situation, so that raising it without a
    #: ``code`` deliberately uses the class's default (tests/test_error_codes.py).
    specific: ClassVar[bool] = False

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        super().__init__(message)

    def to_json(self) -> dict[str, Any]:
        """The error as JSON for machines: ``code``, ``type`` and ``message``.

        :class:`InputError` adds where and what (``field``, ``row``,
        ``column``, ``sheet``, ``source``, ``value`` unless it is personal
        data, ``hint``); the text values are in the language the error was
        raised in, the keys and ``code`` never change.
        """
        return {"code": self.code, "type": type(self).__name__, "message": str(self)}


#: Fields whose values are personal data: error messages never repeat them,
#: because messages end up in terminals, logs and web pages.
SENSITIVE_FIELDS = frozenset({"name", "document_number", "guardian_contact", "salt"})


def _is_sensitive(field: str | None) -> bool:
    return field is not None and field.strip().lower() in SENSITIVE_FIELDS


def _json_value(value: object) -> Any:
    """``value`` as JSON: text, numbers, booleans and lists as they are, anything else as repr."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, tuple | list):
        return [_json_value(item) for item in value]
    return repr(value)


def join_location(parts: Sequence[str]) -> str:
    """The parts of a place (file, sheet, row, column) as one phrase of the current language."""
    return pgettext("error location", ", ").join(parts)


def with_location(location: str, text: str) -> str:
    """``text`` preceded by the place it is about (see :func:`join_location`)."""
    return _("{location}: {problem}").format(location=location, problem=text) if location else text


def with_hint(text: str, hint: str | None) -> str:
    """``text`` followed by how to fix it."""
    return _("{message}; {hint}").format(message=text, hint=hint) if hint else text


class InputError(AllocError, ValueError):
    """A value given to alloc is malformed, missing or inconsistent.

    ``row`` is the 1-based row of the source file when the value came from one
    (``None`` for values passed directly), ``field`` the field or column name,
    ``value`` the offending value and ``hint`` how to fix it. A value read from
    a spreadsheet also has its ``sheet`` (a workbook's sheet name), ``column``
    (the letter Excel shows, ``C``) and ``header`` (as written in the file).
    The message never repeats the value of a personal-data field
    (:data:`SENSITIVE_FIELDS`). ``problem`` and ``hint`` are already in the
    language current when the error was made.
    """

    code = "input.invalid"
    #: True when ``field`` names a spreadsheet column (``column document_number``).
    field_is_column: ClassVar[bool] = False

    def __init__(
        self,
        problem: str,
        *,
        field: str | None = None,
        value: object = None,
        row: int | None = None,
        source: str | None = None,
        hint: str | None = None,
        code: str | None = None,
        sheet: str | None = None,
        column: str | None = None,
        header: str | None = None,
    ) -> None:
        self.problem = problem
        self.field = field
        self.value = value
        self.row = row
        self.source = source
        self.hint = hint
        self.sheet = sheet
        self.column = column
        self.header = header
        super().__init__(self._render(), code=code)

    def _location(self, *, with_source: bool = True) -> list[str]:
        where = []
        if with_source and self.source is not None:
            where.append(self.source)
        if with_source and self.sheet is not None:
            where.append(_("sheet {sheet!r}").format(sheet=self.sheet))
        if self.row is not None:
            where.append(_("row {row}").format(row=self.row))
        if (
            self.column is not None
            or self.header is not None
            or (self.field is not None and self.field_is_column)
        ):
            where.append(self._column_text())
        elif self.field is not None:
            where.append(_("field {field!r}").format(field=self.field))
        return where

    def _column_text(self) -> str:
        column, header, field = self.column, self.header, self.field
        if header is not None and header == field:
            header = None
        if column is not None:
            if header is not None and field is not None:
                text = _("column {column} {header} ({field})")
            elif header is not None:
                text = _("column {column} {header}")
            elif field is not None:
                text = _("column {column} {field}")
            else:
                text = _("column {column}")
        elif header is not None and field is not None:
            text = _("column {header} ({field})")
        elif header is not None:
            text = _("column {header}")
        else:
            text = _("column {field}")
        return text.format(column=column, header=header, field=field)

    def describe(self, *, with_source: bool = True) -> str:
        """The message, optionally without the file and sheet (for lists of problems)."""
        text = with_location(
            join_location(self._location(with_source=with_source)),
            self.problem + self.value_text(),
        )
        return with_hint(text, self.hint)

    def _render(self) -> str:
        return self.describe()

    def value_text(self) -> str:
        """`` (value ...)`` for the message, withheld for personal-data fields."""
        if self.value is None:
            return ""
        if _is_sensitive(self.field):
            return _(" (value withheld: personal data)")
        return _(" (value {value!r})").format(value=self.value)

    def at(self, *, row: int | None = None, source: str | None = None) -> InputError:
        """Return a copy of this error located at ``row`` of ``source``."""
        located = type(self).__new__(type(self))
        located.__dict__.update(self.__dict__)
        if row is not None:
            located.row = row
        if source is not None:
            located.source = source
        Exception.__init__(located, located._render())
        return located

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["problem"] = self.problem
        for key in ("field", "row", "column", "header", "sheet", "source", "hint"):
            if getattr(self, key, None) is not None:
                data[key] = getattr(self, key)
        if self.value is not None and not _is_sensitive(self.field):
            data["value"] = _json_value(self.value)
        return data


class WrongTypeError(InputError, TypeError):
    """A value of the wrong Python type was given to alloc's API.

    For example a bare string where a sequence of kindergarten ids is
    expected, a ``dict`` where an :class:`~alloc.model.Applicant` is, or
    ``"60"`` where an integer is. It is also a :class:`TypeError`, as Python
    code expects; the message names the field, the type expected and the type
    given (never the value, unless it is a number), and says what to write.
    """

    code = "input.wrong-type"


class DuplicateError(InputError):
    """A value that must be unique (registration number, party, id) repeats."""

    code = "input.duplicate"


class RulesError(InputError):
    """The draw rules are inconsistent (capacities, blocks, tiers, phases)."""

    code = "rules.invalid"


class RulesTypeError(RulesError, WrongTypeError):
    """A value of the wrong Python type in the draw rules (a :class:`RulesError`)."""

    code = "rules.wrong-type"


class CeremonyError(AllocError):
    """Base class for seed-ceremony failures."""

    code = "ceremony.failed"


class CeremonyStateError(CeremonyError):
    """A ceremony step was called out of order (e.g. reveal before the plan is fixed)."""

    code = "ceremony.out-of-order"


class UnknownPartyError(CeremonyError):
    """A reveal or default names a party that is not in the seed plan."""

    code = "ceremony.unknown-party"
    specific = True


class VerificationError(AllocError):
    """Base class of every failure found while verifying published files."""

    code = "verify.failed"


class RevealMismatchError(CeremonyError, VerificationError):
    """A revealed secret does not hash to the party's published commitment."""

    code = "ceremony.reveal-mismatch"
    specific = True


class SeedMismatchError(CeremonyError, VerificationError):
    """A recorded seed is not the one the ceremony record derives."""

    code = "verify.seed-mismatch"
    specific = True


class MalformedDocumentError(VerificationError, InputError):
    """A signed file is not well-formed, not of the expected type, or not canonical."""

    code = "document.malformed"


class SignatureError(VerificationError):
    """A signed document does not carry the signatures its trust policy requires."""

    code = "trust.signature-missing"


class SignatureThresholdError(SignatureError):
    """A role did not reach its threshold, e.g. "transcript: notary signed by 0/1 keys"."""

    code = "trust.threshold-not-met"
    specific = True


class InvalidSignatureError(SignatureError):
    """A key the trust policy names signed, but its signature does not verify.

    The signature and the signed part arrived together, so one of them was
    changed after signing: the document fails even if other keys reach the
    threshold (spec section 9.1).
    """

    code = "trust.invalid-signature"
    specific = True


class TrustError(InputError):
    """No usable trust pin: none given, one that sits among the files it should
    vouch for, a pinned fingerprint no key matches, or a policy that lets one key
    act for two roles."""

    code = "trust.invalid"


class TimeWindowError(VerificationError):
    """A transcript's ``created`` time lies outside what its announcement allows."""

    code = "verify.time-window"


class WrongDrawError(VerificationError):
    """A document belongs to another draw (its draw id differs)."""

    code = "verify.wrong-draw"
    specific = True


class DigestMismatchError(VerificationError):
    """A digest or Merkle root does not match what a signed document commits to."""

    code = "verify.digest-mismatch"


class InputRootMismatchError(DigestMismatchError):
    """The public applicant records do not match the announced input root."""

    code = "verify.input-root-mismatch"
    specific = True


class ReplayMismatchError(VerificationError):
    """Re-running the draw gives a different result, e.g. "applicant X placed at K07,
    re-run gives K12"."""

    code = "verify.replay-mismatch"
    specific = True


class NoticeMismatchError(VerificationError):
    """A published notice list or waitlist differs from the verified results, e.g.
    "notice/notice-K001.csv row 7: registration number is 2026-0000123, the results give
    2026-0000456"."""

    code = "verify.notice-mismatch"
    specific = True


class ChainError(VerificationError):
    """A later-round transcript does not name its predecessor's digest."""

    code = "verify.chain-broken"
    specific = True


class LogChainError(VerificationError):
    """An operator log whose chain is broken (an entry edited, removed or moved), or that
    is not the log a transcript commits to."""

    code = "verify.log-chain"
    specific = True


class RehearsalError(VerificationError):
    """Documents marked ``rehearsal: true`` checked as a real draw (or a real draw checked
    as a rehearsal): a rehearsal is never a real draw."""

    code = "verify.rehearsal-mark"
    specific = True


class UnannouncedSourceError(CeremonyError):
    """A source value was supplied for a source the plan did not announce."""

    code = "ceremony.unannounced-source"
    specific = True


class SourceValueError(CeremonyError, InputError):
    """A source value is not in the one form its plan accepts (e.g. ``3 8 1`` for ``381``)."""

    code = "ceremony.source-value-form"


class ScheduleError(CeremonyError, InputError):
    """A step outside its time: a reveal after the deadline, a source read before its time,
    a plan whose sources are known before the reveal deadline, a draw before ``draw_at``."""

    code = "ceremony.schedule"


class BeaconError(CeremonyError, VerificationError):
    """A randomness-beacon value does not verify under the beacon's public key."""

    code = "ceremony.beacon-invalid"
    specific = True

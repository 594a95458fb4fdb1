"""The one error hierarchy of alloc.

Every error alloc raises on purpose is an :class:`AllocError`. Input problems
say where (file, row, field), what value was at fault and how to fix it, so an
operator on stage can act on the message alone.
"""

from __future__ import annotations

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
    "MalformedDocumentError",
    "NoticeMismatchError",
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
]


class AllocError(Exception):
    """Base class of every error alloc raises deliberately."""


#: Fields whose values are personal data: error messages never repeat them,
#: because messages end up in terminals, logs and web pages.
SENSITIVE_FIELDS = frozenset({"name", "document_number", "guardian_contact", "salt"})


def _is_sensitive(field: str | None) -> bool:
    return field is not None and field.strip().lower() in SENSITIVE_FIELDS


class InputError(AllocError, ValueError):
    """A value given to alloc is malformed, missing or inconsistent.

    ``row`` is the 1-based row of the source file when the value came from one
    (``None`` for values passed directly), ``field`` the field or column name,
    ``value`` the offending value and ``hint`` how to fix it. The message never
    repeats the value of a personal-data field (:data:`SENSITIVE_FIELDS`).
    """

    def __init__(
        self,
        problem: str,
        *,
        field: str | None = None,
        value: object = None,
        row: int | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.field = field
        self.value = value
        self.row = row
        self.source = source
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source is not None:
            where.append(self.source)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        text = self.problem + self.value_text()
        if where:
            text = ", ".join(where) + ": " + text
        if self.hint:
            text += f"; {self.hint}"
        return text

    def value_text(self) -> str:
        """`` (value ...)`` for the message, withheld for personal-data fields."""
        if self.value is None:
            return ""
        if _is_sensitive(self.field):
            return " (value withheld: personal data)"
        return f" (value {self.value!r})"

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


class WrongTypeError(InputError, TypeError):
    """A value of the wrong Python type was given to alloc's API.

    For example a bare string where a sequence of kindergarten ids is
    expected, a ``dict`` where an :class:`~alloc.model.Applicant` is, or
    ``"60"`` where an integer is. It is also a :class:`TypeError`, as Python
    code expects; the message names the field, the type expected and the type
    given (never the value, unless it is a number), and says what to write.
    """


class DuplicateError(InputError):
    """A value that must be unique (registration number, party, id) repeats."""


class RulesError(InputError):
    """The draw rules are inconsistent (capacities, blocks, tiers, phases)."""


class RulesTypeError(RulesError, WrongTypeError):
    """A value of the wrong Python type in the draw rules (a :class:`RulesError`)."""


class CeremonyError(AllocError):
    """Base class for seed-ceremony failures."""


class CeremonyStateError(CeremonyError):
    """A ceremony step was called out of order (e.g. reveal before the plan is fixed)."""


class UnknownPartyError(CeremonyError):
    """A reveal or default names a party that is not in the seed plan."""


class VerificationError(AllocError):
    """Base class of every failure found while verifying published files."""


class RevealMismatchError(CeremonyError, VerificationError):
    """A revealed secret does not hash to the party's published commitment."""


class SeedMismatchError(CeremonyError, VerificationError):
    """A recorded seed is not the one the ceremony record derives."""


class MalformedDocumentError(VerificationError, InputError):
    """A signed file is not well-formed, not of the expected type, or not canonical."""


class SignatureError(VerificationError):
    """A signed document does not carry the signatures its trust policy requires."""


class SignatureThresholdError(SignatureError):
    """A role did not reach its threshold, e.g. "transcript: notary signed by 0/1 keys"."""


class InvalidSignatureError(SignatureError):
    """A key the trust policy names signed, but its signature does not verify.

    The signature and the signed part arrived together, so one of them was
    changed after signing: the document fails even if other keys reach the
    threshold (spec section 9.1).
    """


class TrustError(InputError):
    """No usable trust pin: none given, one that sits among the files it should
    vouch for, a pinned fingerprint no key matches, or a policy that lets one key
    act for two roles."""


class TimeWindowError(VerificationError):
    """A transcript's ``created`` time lies outside what its announcement allows."""


class WrongDrawError(VerificationError):
    """A document belongs to another draw (its draw id differs)."""


class DigestMismatchError(VerificationError):
    """A digest or Merkle root does not match what a signed document commits to."""


class InputRootMismatchError(DigestMismatchError):
    """The public applicant records do not match the announced input root."""


class ReplayMismatchError(VerificationError):
    """Re-running the draw gives a different result, e.g. "applicant X placed at K07,
    re-run gives K12"."""


class NoticeMismatchError(VerificationError):
    """A published notice list or waitlist differs from the verified results, e.g.
    "notice/notice-K001.csv row 7: registration number is 2026-0000123, the results give
    2026-0000456"."""


class ChainError(VerificationError):
    """A later-round transcript does not name its predecessor's digest."""


class UnannouncedSourceError(CeremonyError):
    """A source value was supplied for a source the plan did not announce."""


class SourceValueError(CeremonyError, InputError):
    """A source value is not in the one form its plan accepts (e.g. ``3 8 1`` for ``381``)."""


class ScheduleError(CeremonyError, InputError):
    """A step outside its time: a reveal after the deadline, a source read before its time,
    a plan whose sources are known before the reveal deadline, a draw before ``draw_at``."""


class BeaconError(CeremonyError, VerificationError):
    """A randomness-beacon value does not verify under the beacon's public key."""

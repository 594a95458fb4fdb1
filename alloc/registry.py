"""The bureau's private registry: who each registration number is.

A :class:`Registration` joins a public registration number to the child's
private identity and the salt printed on the parent's receipt. Only the
identity *commitment* ever leaves the bureau (in the public record); names
and document numbers never reach a public file.

**Salts are made once.** A salt is made when a child is first registered
(or first frozen, if the export has none) and kept in the private registry;
every later freeze of the same export reuses it (:func:`carry_salts`), so
the receipts printed for parents keep working and an unchanged export
freezes to the same input root. A salt belongs to a registration number
*and* a document: a corrected name keeps its salt (the receipt still
matches once the name is right), but a registration number now carrying
another document number gets a new salt, because the old receipt's holder
could otherwise test guesses about someone else's child.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from alloc.canonical import check_identifier
from alloc.columns import ascii_identifiers, identity_commitments
from alloc.errors import DuplicateError, InputError
from alloc.i18n import _
from alloc.identity import (
    SALT_SIZE,
    DocumentType,
    PrivateIdentity,
    Receipt,
    format_salt,
    mask_identity,
    parse_salt,
)
from alloc.model import ApplicantTable

__all__ = [
    "CarriedSalts",
    "Registration",
    "Registry",
    "attach_identities",
    "carry_salts",
    "registry_from_json",
    "registry_to_json",
]


_KIND_VALUES: Final = {kind: kind.value for kind in DocumentType}


@dataclass(frozen=True)
class Registration:
    """One child as registered: public registration number, private identity, salt."""

    registration_number: str
    identity: PrivateIdentity
    salt: bytes = field(repr=False)

    @property
    def receipt(self) -> Receipt:
        """What the parent was given at registration."""
        return Receipt(registration_number=self.registration_number, salt=self.salt)

    def commitment(self, draw_id: str) -> bytes:
        """The identity commitment that goes into the public record.

        Raises:
            InputError: naming the field at fault.
        """
        return self.identity.commitment(
            draw_id=draw_id, registration_number=self.registration_number, salt=self.salt
        )


def _masks_of(name: str, kind: DocumentType, number: str) -> tuple[str, str]:
    return mask_identity(PrivateIdentity._of_normalised(name, kind, number, None))


class Registry(Mapping[str, Registration]):
    """Registrations keyed by registration number (immutable once built).

    Kept column by column, so a province's registry is a few arrays rather
    than millions of objects; each :class:`Registration` is made when asked
    for.

    Raises on construction:
        DuplicateError: if a registration number or a document number repeats.
    """

    def __init__(self, registrations: Iterable[Registration]) -> None:
        items = list(registrations)
        self._store(
            [r.registration_number for r in items],
            [r.identity.name for r in items],
            [r.identity.document_type for r in items],
            [r.identity.document_number for r in items],
            [r.identity.guardian_contact for r in items],
            b"".join(r.salt for r in items),
        )

    def _store(
        self,
        numbers: list[str],
        names: list[str],
        kinds: list[DocumentType],
        documents: list[str],
        contacts: list[str | None],
        salts: bytes,
        *,
        documents_checked: bool = False,
    ) -> None:
        if not documents_checked and len(set(numbers)) != len(numbers):
            seen: set[str] = set()
            repeated = ""
            for number in numbers:
                if number in seen:
                    repeated = number
                    break
                seen.add(number)
            raise DuplicateError(
                _("registration number appears twice"),
                code="registry.duplicate-registration",
                field="registration_number",
                value=repeated,
            )
        owners: dict[tuple[str, str], str] = {}
        for number, kind, document in zip(
            *(() if documents_checked else (numbers, kinds, documents)), strict=True
        ):
            other = owners.setdefault((kind.value, document), number)
            if other != number:
                raise DuplicateError(
                    _("the same document number is registered twice"),
                    code="registry.duplicate-document",
                    field="document_number",
                    value=_("{first} and {second}").format(first=number, second=other),
                    hint=_("a child registers once; merge or withdraw one registration"),
                )
        self._positions: dict[str, int] | None = None
        self._numbers = numbers
        self._names = names
        self._kinds = kinds
        self._documents = documents
        self._contacts = contacts
        self._salts = salts

    @property
    def _position(self) -> dict[str, int]:
        # Made on the first lookup: a registry that is only written out or
        # committed to never needs it.
        if self._positions is None:
            self._positions = dict(zip(self._numbers, range(len(self._numbers)), strict=True))
        return self._positions

    @classmethod
    def _from_normalised(
        cls,
        *,
        registration_numbers: Sequence[str],
        names: Sequence[str],
        document_types: Sequence[DocumentType],
        document_numbers: Sequence[str],
        guardian_contacts: Sequence[str | None],
        salts: npt.NDArray[np.uint8],
    ) -> Registry:
        """A registry of values :mod:`alloc.io` has just checked and normalised.

        As :meth:`PrivateIdentity._of_normalised`: names and numbers are
        stored as given (contacts are normalised when an entry is made), and
        registration and document numbers are not checked for repeats (the
        import has).

        Raises:
            DuplicateError: as the constructor.
            InputError: if the salts are not an (n, 16) byte array.
        """
        n = len(registration_numbers)
        table = np.ascontiguousarray(salts, dtype=np.uint8)
        if table.shape != (n, SALT_SIZE):
            raise InputError(
                _("salts must be an (n, 16) byte array"), code="registry.salt-array", field="salt"
            )
        registry = cls.__new__(cls)
        registry._store(
            list(registration_numbers),
            list(names),
            list(document_types),
            list(document_numbers),
            list(guardian_contacts),
            table.tobytes(),
            documents_checked=True,
        )
        return registry

    def _entry(self, at: int) -> Registration:
        identity = PrivateIdentity._of_normalised(
            self._names[at], self._kinds[at], self._documents[at], self._contacts[at]
        )
        return Registration(
            registration_number=self._numbers[at],
            identity=identity,
            salt=self._salts[SALT_SIZE * at : SALT_SIZE * at + SALT_SIZE],
        )

    def __getitem__(self, registration_number: str) -> Registration:
        return self._entry(self._position[registration_number])

    def masks(self) -> dict[str, tuple[str, str]]:
        """Every child's masked name and document number (spec 10.6), by registration number.

        What :func:`alloc.identity.mask_identity` gives for each entry, read
        from the columns without making an entry per child. Never raises.
        """
        return dict(
            zip(
                self._numbers,
                map(_masks_of, self._names, self._kinds, self._documents),
                strict=True,
            )
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)

    def __contains__(self, registration_number: object) -> bool:
        return registration_number in self._position

    def commitments(
        self, registration_numbers: Sequence[str], draw_id: str
    ) -> npt.NDArray[np.uint8] | None:
        """The identity commitments of these registration numbers, or None if one is unknown.

        Raises:
            InputError: if ``draw_id`` or a registration number is not an identifier.
        """
        try:
            at = [self._position[r] for r in registration_numbers]
        except KeyError:
            return None
        check_identifier(draw_id, "draw_id")
        numbers = [self._numbers[i] for i in at]
        for number, plain in zip(numbers, ascii_identifiers(numbers).tolist(), strict=True):
            if not plain:
                check_identifier(number, "registration_number")
        salts = b"".join(self._salts[SALT_SIZE * i : SALT_SIZE * i + SALT_SIZE] for i in at)
        return identity_commitments(
            draw_id,
            numbers,
            [_KIND_VALUES[self._kinds[i]] for i in at],
            [self._documents[i] for i in at],
            [self._names[i] for i in at],
            salts,
        )


@dataclass(frozen=True, eq=False)
class CarriedSalts:
    """Each row's salt: kept from an earlier registry, or made now.

    ``salts`` is ``(n, 16)``; ``kept`` marks rows whose salt came from the
    earlier registry, ``reissued`` rows whose registration number had a salt
    there for another document (the old receipt no longer matches).
    """

    salts: npt.NDArray[np.uint8]
    kept: npt.NDArray[np.bool_]
    reissued: npt.NDArray[np.bool_]


def carry_salts(
    previous: Mapping[str, Registration],
    registration_numbers: Sequence[str | None],
    document_types: Sequence[str | None],
    document_numbers: Sequence[str | None],
) -> CarriedSalts:
    """Salts for these rows: the earlier registry's where the child is the same.

    A row keeps ``previous[registration_number].salt`` if its document type
    and number are the ones registered then (the name may have been
    corrected); every other row gets a fresh salt (:func:`secrets.token_bytes`).
    Rows with a missing value get a fresh salt. Never raises.
    """
    n = len(registration_numbers)
    salts = np.frombuffer(secrets.token_bytes(SALT_SIZE * n), np.uint8).reshape(n, SALT_SIZE).copy()
    kept = np.zeros(n, bool)
    reissued = np.zeros(n, bool)
    if not previous:
        return CarriedSalts(salts, kept, reissued)
    columnar = previous if isinstance(previous, Registry) else None
    for row, (number, kind, document) in enumerate(
        zip(registration_numbers, document_types, document_numbers, strict=True)
    ):
        if number is None:
            continue
        if columnar is not None:
            at = columnar._position.get(number)
            if at is None:
                continue
            same = columnar._kinds[at].value == kind and columnar._documents[at] == document
            salt = columnar._salts[SALT_SIZE * at : SALT_SIZE * at + SALT_SIZE]
        else:
            entry = previous.get(number)
            if entry is None:
                continue
            same = (
                entry.identity.document_type.value == kind
                and entry.identity.document_number == document
            )
            salt = entry.salt
        if same:
            salts[row] = np.frombuffer(salt, np.uint8)
            kept[row] = True
        else:
            reissued[row] = True
    return CarriedSalts(salts, kept, reissued)


def attach_identities(
    table: ApplicantTable, registry: Mapping[str, Registration], draw_id: str
) -> ApplicantTable:
    """The table with every row's identity commitment filled in from the registry.

    Raises:
        InputError: if an applicant has no registration.
    """
    if isinstance(registry, Registry):
        found = registry.commitments(table.registration_numbers, draw_id)
        if found is not None:
            return replace(table, identities=found)
    rows = []
    for row, reg in enumerate(table.registration_numbers):
        entry = registry.get(reg)
        if entry is None:
            raise InputError(
                _("applicant has no private registration"),
                code="registry.missing-registration",
                field="registration_number",
                value=reg,
                row=table.row_label(row),
                hint=_("every public record needs the child's identity"),
            )
        rows.append(entry.commitment(draw_id))
    identities = np.frombuffer(b"".join(rows), np.uint8).reshape(-1, 32)
    return replace(table, identities=identities)


def registry_to_json(registry: Mapping[str, Registration]) -> dict[str, object]:
    """The private registry file (names and numbers: never publish it)."""
    return {
        "private": True,
        "registrations": [
            {
                "registration_number": entry.registration_number,
                "name": entry.identity.name,
                "document_type": entry.identity.document_type.value,
                "document_number": entry.identity.document_number,
                "guardian_contact": entry.identity.guardian_contact,
                "salt": format_salt(entry.salt),
            }
            for entry in registry.values()
        ],
    }


def registry_from_json(data: Mapping[str, object]) -> Registry:
    """Read a private registry file.

    Raises:
        InputError: naming the entry and field at fault.
    """
    entries = data.get("registrations")
    if not isinstance(entries, list):
        raise InputError(
            _("not a registry file"),
            code="registry.malformed",
            field="registrations",
            hint=_("expected the private/registry.json alloc wrote"),
        )
    registrations = []
    for number, item in enumerate(entries, start=1):
        try:
            identity = PrivateIdentity(
                name=item["name"],
                document_type=item["document_type"],
                document_number=item["document_number"],
                guardian_contact=item.get("guardian_contact"),
            )
            registrations.append(
                Registration(
                    registration_number=item["registration_number"],
                    identity=identity,
                    salt=parse_salt(item["salt"]),
                )
            )
        except (KeyError, TypeError) as exc:
            raise InputError(
                _("malformed registry entry"),
                code="registry.malformed",
                field=str(exc),
                row=number,
                source=_("registry"),
            ) from exc
        except InputError as exc:
            raise exc.at(row=number, source=_("registry")) from exc
    return Registry(registrations)

"""The bureau's private registry: who each registration number is.

A :class:`Registration` joins a public registration number to the child's
private identity and the salt printed on the parent's receipt. Only the
identity *commitment* ever leaves the bureau (in the public record); names
and document numbers never reach a public file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from alloc.errors import DuplicateError, InputError
from alloc.identity import PrivateIdentity, Receipt, format_salt, parse_salt
from alloc.model import ApplicantTable

__all__ = [
    "Registration",
    "Registry",
    "attach_identities",
    "registry_from_json",
    "registry_to_json",
]


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


class Registry(Mapping[str, Registration]):
    """Registrations keyed by registration number (immutable once built).

    Raises on construction:
        DuplicateError: if a registration number or a document number repeats.
    """

    def __init__(self, registrations: Iterable[Registration]) -> None:
        by_number: dict[str, Registration] = {}
        documents: dict[tuple[str, str], str] = {}
        for item in registrations:
            if item.registration_number in by_number:
                raise DuplicateError(
                    "registration number appears twice",
                    field="registration_number",
                    value=item.registration_number,
                )
            key = (item.identity.document_type.value, item.identity.document_number)
            if key in documents:
                raise DuplicateError(
                    "the same document number is registered twice",
                    field="document_number",
                    value=f"{item.registration_number} and {documents[key]}",
                    hint="a child registers once; merge or withdraw one registration",
                )
            documents[key] = item.registration_number
            by_number[item.registration_number] = item
        self._by_number = by_number

    def __getitem__(self, registration_number: str) -> Registration:
        return self._by_number[registration_number]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_number)

    def __len__(self) -> int:
        return len(self._by_number)


def attach_identities(
    table: ApplicantTable, registry: Mapping[str, Registration], draw_id: str
) -> ApplicantTable:
    """The table with every row's identity commitment filled in from the registry.

    Raises:
        InputError: if an applicant has no registration.
    """
    rows = []
    for row, reg in enumerate(table.registration_numbers):
        entry = registry.get(reg)
        if entry is None:
            raise InputError(
                "applicant has no private registration",
                field="registration_number",
                value=reg,
                row=table.row_label(row),
                hint="every public record needs the child's identity",
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
            "not a registry file",
            field="registrations",
            hint="expected the private/registry.json alloc wrote",
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
                "malformed registry entry", field=str(exc), row=number, source="registry"
            ) from exc
        except InputError as exc:
            raise exc.at(row=number, source="registry") from exc
    return Registry(registrations)

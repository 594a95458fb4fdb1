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
from alloc.identity import PrivateIdentity, Receipt
from alloc.model import ApplicantTable

__all__ = ["Registration", "Registry", "attach_identities"]


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

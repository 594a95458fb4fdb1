"""alloc.synthetic: made-up registries stay valid and unique at any size."""

from __future__ import annotations

import pytest

from alloc import synthetic
from alloc.errors import InputError
from alloc.identity import DocumentType, normalise_document_number


def test_registry_moves_to_other_districts_when_a_birth_date_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past a thousand children per birth date (as at ten million), numbers stay unique."""
    monkeypatch.setattr(synthetic, "_birth", lambda stream: "44010320220615")
    table = synthetic.synthetic_district(applicants=1500, kindergartens=3).applicants
    registry = synthetic.synthetic_registry(table)
    numbers = [e.identity.document_number for e in registry.values()]
    assert len(set(numbers)) == len(table)
    regions = {n[:6] for n in numbers}
    assert "440103" in regions
    assert regions - {"440103"} <= set(synthetic._MORE_REGIONS)
    assert len(regions) > 1
    for number in numbers:
        assert number[6:14] == "20220615"
        normalise_document_number(DocumentType.RESIDENT_ID, number, check_region=True)


def test_registry_refuses_more_children_than_it_has_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(synthetic, "_PER_REGION", 10)
    table = synthetic.synthetic_district(applicants=300, kindergartens=3).applicants
    with pytest.raises(InputError, match="at most 180 children, not 300"):
        synthetic.synthetic_registry(table)

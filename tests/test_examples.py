"""The example district's files are exactly what its generator writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alloc import io as files

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "district"


def generator() -> object:
    spec = importlib.util.spec_from_file_location("make_example", EXAMPLE / "make_example.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_example_files_match_the_generator(tmp_path: Path) -> None:
    generator().main(tmp_path)  # type: ignore[attr-defined]
    for name in ("kindergartens.csv", "applicants-gbk.csv", "applicants.csv"):
        assert (EXAMPLE / name).read_bytes() == (tmp_path / name).read_bytes(), name
    # .xlsx archives carry timestamps; compare what they hold.
    committed = files.read_applicants(EXAMPLE / "applicants.xlsx", draw_id="2026-example-district")
    fresh = files.read_applicants(tmp_path / "applicants.xlsx", draw_id="2026-example-district")
    assert committed.table.registration_numbers == fresh.table.registration_numbers
    assert committed.table.identities is not None
    assert fresh.table.identities is not None
    assert committed.table.identities.tobytes() == fresh.table.identities.tobytes()


def test_the_three_applicant_files_hold_the_same_applicants() -> None:
    imports = [
        files.read_applicants(EXAMPLE / name, draw_id="2026-example-district")
        for name in ("applicants-gbk.csv", "applicants.csv", "applicants.xlsx")
    ]
    first = imports[0].table
    for other in imports[1:]:
        assert other.table.registration_numbers == first.registration_numbers
        assert other.table.identities is not None
        assert first.identities is not None
        assert other.table.identities.tobytes() == first.identities.tobytes()
        assert other.table.choices.tolist() == first.choices.tolist()

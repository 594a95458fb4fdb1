"""Every error alloc raises has a stable code, and docs/errors.md lists every code.

A portal tells errors apart by ``code`` and translates from it; these tests
hold every place in ``alloc/`` that makes an error to a code (its own, or
the default of a class that names one situation), its message to a
translatable one, and the published list of codes to the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from alloc.errors import AllocError, InputError, SourceValueError
from alloc.i18n import override_language

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import errors_doc

CALLS = list(errors_doc.error_calls())


def _where(call: errors_doc.ErrorCall) -> str:
    return f"{call.path}:{call.line} {call.callee}"


def test_the_scan_sees_the_raise_sites() -> None:
    # A scan that found nothing would pass every test below.
    made = [c for c in CALLS if c.error_class is not None]
    assert len(made) > 250
    assert {c.path for c in made} >= {"alloc/io.py", "alloc/seed.py", "alloc/signing.py"}


def test_every_error_passes_a_code_or_is_of_a_class_naming_one_situation() -> None:
    missing = [
        _where(c)
        for c in CALLS
        if c.error_class is not None
        and not c.code_given
        and not c.error_class.__dict__.get("specific", False)
    ]
    assert missing == [], "give these errors a code=... (docs/errors.md lists them)"


def test_codes_are_short_dotted_words() -> None:
    codes = {code for c in CALLS for code in c.codes}
    codes |= {kind.code for kind in errors_doc.error_classes().values()}
    codes |= {code for code, _message in errors_doc.table_codes()}
    assert len(codes) > 150
    bad = sorted(c for c in codes if not errors_doc.CODE_FORM.fullmatch(c) or len(c) > 48)
    assert bad == []


def test_a_code_is_a_literal_where_the_error_is_made_or_passed_on() -> None:
    # A computed code (an f-string, a lookup) would be invisible to docs/errors.md.
    assert [_where(c) for c in CALLS if c.code_form == "other"] == []
    forms = {c.code_form for c in CALLS}
    assert forms == {"", "literal", "passed-on", "parameter"}


def test_messages_and_hints_are_translatable() -> None:
    plain = [f"{_where(c)}: {', '.join(c.plain_text)}" for c in CALLS if c.plain_text]
    assert plain == [], "wrap these in _() with named placeholders"


def test_the_specific_classes_each_name_one_situation() -> None:
    classes = errors_doc.error_classes()
    specific = {n for n, k in classes.items() if k.__dict__.get("specific")}
    assert {"RevealMismatchError", "SeedMismatchError", "OutputExistsError"} <= specific
    # A family (its subclasses share its name) never lets a raise go without a code.
    for name in specific:
        assert "code" in vars(classes[name]), name


def test_docs_errors_md_is_generated_from_the_code() -> None:
    assert errors_doc.DOC.read_text(encoding="utf-8") == errors_doc.render(), (
        "docs/errors.md is out of date: run `python tools/i18n.py update`"
    )


def test_the_docs_list_a_code_with_its_chinese_and_english() -> None:
    text = errors_doc.DOC.read_text(encoding="utf-8")
    line = next(
        row for row in text.splitlines() if row.startswith("| `ceremony.reveal-after-deadline`")
    )
    assert "揭示截止时间" in line
    assert "the reveal deadline {deadline} has passed" in line


def test_a_code_survives_relocation_and_reaches_json() -> None:
    error = InputError("bad", code="import.example", field="tier", value="vip", hint="fix it")
    moved = error.at(row=7, source="a.csv")
    assert moved.code == "import.example"
    assert moved.to_json() == {
        "code": "import.example",
        "type": "InputError",
        "message": str(moved),
        "problem": "bad",
        "field": "tier",
        "row": 7,
        "source": "a.csv",
        "hint": "fix it",
        "value": "vip",
    }


def test_personal_data_never_reaches_json() -> None:
    error = InputError("bad", code="name.empty", field="name", value="张三", sheet="报名表")
    data = error.to_json()
    assert "value" not in data
    assert "张三" not in str(data)
    assert data["sheet"] == "报名表"


def test_a_class_default_code_and_an_unknown_error_base() -> None:
    assert AllocError("x").code == "alloc.error"
    assert SourceValueError("x", code="ceremony.source-value-count").code == (
        "ceremony.source-value-count"
    )
    with override_language("en"):
        assert InputError("x").code == "input.invalid"


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_code_is_the_same_in_every_language(language: str) -> None:
    with override_language(language):
        error = InputError("x", code="salt.empty")
    assert error.code == "salt.empty"

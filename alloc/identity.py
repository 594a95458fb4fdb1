"""Children's identities: normalisation, salted commitments, masks, lookup keys.

A child's *private identity* (name, document type and number, guardian
contact) never enters a public file. What does is

* the *identity commitment*, a salted SHA-256 over the normalised number and
  name, whose 16-byte salt is printed on the parent's receipt, so a parent can
  check that their child's record was in the frozen list unchanged, while
  nobody without the receipt can test guesses against it;
* *masked* names and numbers for notice boards (``张**``,
  ``**************1234``);
* *lookup keys*: the id and key of the child's entry in the public lookup
  index, derived from the receipt salt with the number and name, so that a
  static website can answer a parent who holds the receipt while the index
  gives everyone else nothing to test guesses against.

Every byte here is fixed by ``docs/spec.md`` section 10. Normalisation is
part of the specification: two programs that normalise differently compute
different commitments, so each rule below is spelt out to the code point.
"""

from __future__ import annotations

import base64
import enum
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.iso7064 import mod_11_2

from alloc.canonical import Tag, check_identifier, tagged_hash, tagged_message
from alloc.errors import InputError, WrongTypeError
from alloc.i18n import _

__all__ = [
    "COMMITMENT_SIZE",
    "LOOKUP_ID_SIZE",
    "LOOKUP_KEY_SIZE",
    "SALT_SIZE",
    "DocumentType",
    "LookupKeys",
    "PrivateIdentity",
    "Receipt",
    "format_salt",
    "identity_commitment",
    "lookup_keys",
    "mask_document_number",
    "mask_identity",
    "mask_name",
    "new_salt",
    "normalise_document_number",
    "normalise_name",
    "parse_salt",
]

SALT_SIZE: Final = 16
COMMITMENT_SIZE: Final = 32
LOOKUP_ID_SIZE: Final = 16
LOOKUP_KEY_SIZE: Final = 32
DIGEST_SIZE: Final = 32
MAX_NAME_LENGTH: Final = 128
MIN_PASSPORT_LENGTH: Final = 5
MAX_PASSPORT_LENGTH: Final = 32

MIDDLE_DOT: Final = "\u00b7"


class DocumentType(enum.Enum):
    """Which identity document a number comes from (its value is hashed)."""

    #: The 18-character GB 11643 citizen identity number, and the numbers of
    #: documents sharing its format: residence permits for Hong Kong, Macau and
    #: Taiwan residents (810000/820000/830000) and the 2023 foreigners'
    #: permanent-residence card (first digit 9).
    RESIDENT_ID = "resident-id"
    #: A passport or any other document number: normalised, letters and digits.
    PASSPORT = "passport"


# --- text helpers ------------------------------------------------------------

# Unicode White_Space (PropList.txt), spelt out because Python's
# str.isspace() also counts the controls U+001C..U+001F: the controls
# U+0009..U+000D and U+0085, the Zs spaces (U+0020, U+00A0 no-break,
# U+1680, U+2000..U+200A, U+202F, U+205F, U+3000 ideographic) and the line
# and paragraph separators U+2028, U+2029.
_WHITE_SPACE: Final = (
    "\t\n\v\f\r\x85 \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


# ASCII white space and the hyphen-minus, deleted from numbers and salts.
_ASCII_DEBRIS: Final = dict.fromkeys(ord(c) for c in "-" + _WHITE_SPACE if c.isascii())


def _is_white_space(char: str) -> bool:
    return char in _WHITE_SPACE


def _ascii_upper(text: str) -> str:
    # Only a-z for numbers and salts: full Unicode upper-casing expands
    # characters (ß -> SS, ﬀ -> FF) and could turn junk into a valid number.
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in text)


def _expect_text(raw: object, field_name: str) -> str:
    if not isinstance(raw, str):
        raise WrongTypeError(
            _("must be text, got {type}").format(type=type(raw).__name__),
            code="text.wrong-type",
            field=field_name,
            value=raw,
        )
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            _("text is not valid Unicode (lone surrogate from a bad decode?)"),
            code="text.not-unicode",
            field=field_name,
            value=raw,
            hint=_("re-read the source file with its real encoding (GBK?)"),
        ) from exc
    return raw


def _document_type(value: object) -> DocumentType:
    if isinstance(value, DocumentType):
        return value
    try:
        return DocumentType(value)
    except ValueError as exc:
        allowed = ", ".join(repr(t.value) for t in DocumentType)
        raise InputError(
            _("unknown document type"),
            code="id-number.unknown-type",
            field="document_type",
            value=value,
            hint=_("use one of {allowed}").format(allowed=allowed),
        ) from exc


# --- document numbers ----------------------------------------------------------

_RESIDENT_ID_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_PASSPORT_RE: Final = re.compile(r"[0-9A-Z]+")
# Residence permits for Hong Kong, Macau and Taiwan residents carry these
# fixed "region" codes instead of a county code.
_PERMIT_PREFIXES: Final = frozenset({"810000", "820000", "830000"})


def _strip_number(raw: str) -> str:
    """NFKC, then drop white space, dashes and invisible format characters."""
    # NFKC turns full-width digits, Ｘ, the full-width hyphen and U+3000 into
    # their ASCII forms. Dashes (category Pd, plus the minus sign) are
    # grouping; format characters (zero-width space, BOM) are paste debris.
    if raw.isascii():
        # The common case: NFKC leaves ASCII alone and its only dash is "-".
        return raw.translate(_ASCII_DEBRIS).upper()
    text = unicodedata.normalize("NFKC", raw)
    kept = (
        c
        for c in text
        if not (_is_white_space(c) or c == "\u2212" or unicodedata.category(c) in {"Pd", "Cf"})
    )
    return _ascii_upper("".join(kept))


def normalise_document_number(
    document_type: DocumentType | str, raw: str, *, check_region: bool = True
) -> str:
    """Return the canonical form of a document number (spec 10.3).

    Resident-id numbers are validated with python-stdnum: length, digits,
    ISO 7064 MOD 11-2 check character, a real date of birth and (with
    ``check_region``) a region code known to stdnum's table for the birth
    year. Permit and permanent-residence-card numbers, which stdnum's table
    does not cover, get the same checks except the region. ``check_region``
    never changes the returned string, only whether a stale region table may
    reject it; commitments and lookup keys are computed without it.

    Raises:
        InputError: naming ``document_number`` and the raw value, with a hint
            (which characters to check).
    """
    kind = _document_type(document_type)
    text = _expect_text(raw, "document_number")
    number = _strip_number(text)
    if not number:
        raise InputError(
            _("document number is empty"),
            code="id-number.empty",
            field="document_number",
            value=raw,
        )
    if kind is DocumentType.PASSPORT:
        return _check_passport(number, raw)
    return _check_resident_id(number, raw, check_region=check_region)


def _check_passport(number: str, raw: str) -> str:
    if not _PASSPORT_RE.fullmatch(number):
        bad = next(c for c in number if not ("0" <= c <= "9" or "A" <= c <= "Z"))
        raise InputError(
            _("passport number may hold only letters A-Z and digits, not {character!r}").format(
                character=bad
            ),
            code="id-number.passport-characters",
            field="document_number",
            value=raw,
            hint=_(
                "type it as printed without brackets or other punctuation,"
                " e.g. A1234567 for A123456(7)"
            ),
        )
    if not MIN_PASSPORT_LENGTH <= len(number) <= MAX_PASSPORT_LENGTH:
        raise InputError(
            _(
                "passport number must have {minimum} to {maximum} letters and digits, got {count}"
            ).format(minimum=MIN_PASSPORT_LENGTH, maximum=MAX_PASSPORT_LENGTH, count=len(number)),
            code="id-number.passport-length",
            field="document_number",
            value=raw,
            hint=_("check that the whole number was copied"),
        )
    return number


def _check_resident_id(number: str, raw: str, *, check_region: bool) -> str:
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise InputError(
            _("15-digit first-generation identity numbers are no longer valid"),
            code="id-number.first-generation",
            field="document_number",
            value=raw,
            hint=_("use the 18-character number on the current card or household register"),
        )
    if len(number) != 18:
        raise InputError(
            _("resident identity number must have 18 characters, got {count}").format(
                count=len(number)
            ),
            code="id-number.length",
            field="document_number",
            value=raw,
            hint=_("check for missing or extra digits"),
        )
    if not _RESIDENT_ID_RE.fullmatch(number):
        raise InputError(
            _("resident identity number must be 17 digits and a last digit or X"),
            code="id-number.characters",
            field="document_number",
            value=raw,
            hint=_("only the last character may be the letter X; check for O typed for 0"),
        )
    permit = number[0] == "9" or number[:6] in _PERMIT_PREFIXES
    if number[0] == "8" and not permit:
        raise InputError(
            _(
                "numbers starting with 8 are residence permits and must start"
                " 810000 (Hong Kong), 820000 (Macau) or 830000 (Taiwan)"
            ),
            code="id-number.permit-prefix",
            field="document_number",
            value=raw,
            hint=_("check the first six digits"),
        )
    # The check character is tested before the date: most typos are one
    # mistyped digit, which the check character catches wherever it is. The
    # hint never names the expected check character, which would invite
    # "fixing" the last character of a number mistyped elsewhere.
    if not mod_11_2.is_valid(number):
        raise InputError(
            _("check character does not match (ISO 7064 MOD 11-2)"),
            code="id-number.check-character",
            field="document_number",
            value=raw,
            hint=_(
                "check the last character and the date of birth (characters 7-14);"
                " one of the 18 characters is mistyped"
            ),
        )
    try:
        # What stdnum's ric.get_birth_date does, without re-cleaning a clean number.
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InputError(
            _("date of birth {date} (characters 7-14) is not a real date").format(
                date=f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            ),
            code="id-number.birth-date",
            field="document_number",
            value=raw,
            hint=_("check the date of birth"),
        ) from exc
    if check_region and not permit:
        _check_region(number, raw)
    return number


def _check_region(number: str, raw: str) -> None:
    try:
        ric.validate(number)
    except (ValidationError, KeyError) as exc:
        # stdnum 2.2 raises KeyError('county') for an unknown county inside a
        # known province instead of InvalidComponent, hence both.
        raise InputError(
            _(
                "first six digits {region} are not a region code in use in"
                " birth year {year} (python-stdnum's table)"
            ).format(region=number[:6], year=number[6:10]),
            code="id-number.region",
            field="document_number",
            value=raw,
            hint=_(
                "check the first six digits; if the number is genuine the table may be"
                " out of date: upgrade python-stdnum or pass check_region=False"
            ),
        ) from exc


# --- names ----------------------------------------------------------------------

# Characters people type for the middle dot of transliterated minority and
# foreign names (阿卜杜拉·买买提): bullet, hyphenation point, bullet and dot
# operators, katakana middle dots (Japanese IMEs), word separator middle dot.
# None of them has another sensible use inside a name, so all become U+00B7.
# (U+0387 GREEK ANO TELEIA is already U+00B7 after NFC.)
_MIDDLE_DOT_LOOKALIKES: Final = dict.fromkeys(
    map(ord, "\u2022\u2027\u2219\u22c5\u30fb\uff65\u2e31"), MIDDLE_DOT
)
# A full stop is a middle dot only between two ideographs (阿卜杜拉.买买提);
# after a Latin initial (JOHN A. SMITH) it stays a full stop.
_FULL_STOPS: Final = ".\u3002"
# Ideographs, for the rules that look at neighbours: CJK Unified Ideographs
# and Extension A, compatibility ideographs, 〇 and 々, the supplementary and
# tertiary ideographic planes (Extensions B-I, present and future), and the
# BMP private-use area where legacy systems put rare name characters.
_HAN: Final = (
    "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ue000-\uf8ff\U00020000-\U0003ffff"
)
_WHITE_SPACE_RUN_RE: Final = re.compile(f"[{_WHITE_SPACE}]+")
_HAN_FULL_STOP_RE: Final = re.compile(f"(?<=[{_HAN}]) ?[{_FULL_STOPS}] ?(?=[{_HAN}])")
_SPACE_AROUND_DOT_RE: Final = re.compile(f" ?{MIDDLE_DOT} ?")
_SPACE_BETWEEN_HAN_RE: Final = re.compile(f"(?<=[{_HAN}]) (?=[{_HAN}])")


def normalise_name(raw: str) -> str:
    """Return the canonical form of a child's name (spec 10.4).

    NFC; full-width ASCII forms to ASCII; middle-dot look-alikes to U+00B7;
    white space runs to one space, removed between ideographs (the padding in
    ``张　三``) and around middle dots; a full stop between ideographs becomes a
    middle dot; upper-cased (full Unicode mapping, no locale); NFC again.

    Raises:
        InputError: naming ``name`` and the raw value if it is empty, holds a
            control or invisible format character or an asterisk, misplaces a
            middle dot or is longer than 128 characters.
    """
    text = _expect_text(raw, "name")
    text = unicodedata.normalize("NFC", text)
    for char in text:
        if not _is_white_space(char) and unicodedata.category(char) in {"Cc", "Cf", "Cs"}:
            raise InputError(
                _("name contains the control or invisible character U+{code_point:04X}").format(
                    code_point=ord(char)
                ),
                code="name.control-character",
                field="name",
                value=raw,
                hint=_("retype the name; invisible characters often come from copied web pages"),
            )
    # Full-width ASCII (ＪＯＨＮ from an IME left in full-width mode) is the
    # same letters; this is the NFKC mapping of U+FF01..U+FF5E and nothing
    # else, since NFKC would also rewrite unrelated characters in names.
    text = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text)
    text = text.translate(_MIDDLE_DOT_LOOKALIKES)
    text = _WHITE_SPACE_RUN_RE.sub(" ", text).strip(" ")
    text = _HAN_FULL_STOP_RE.sub(MIDDLE_DOT, text)
    text = _SPACE_AROUND_DOT_RE.sub(MIDDLE_DOT, text)
    # Two-character names are padded with an ideographic space to line up
    # with three-character ones (张　三); Chinese names never contain spaces.
    text = _SPACE_BETWEEN_HAN_RE.sub("", text)
    # Names in cased scripts match whatever the case (passports print
    # JOHN SMITH, parents type John Smith; Élise, ÉLISE). str.upper() is the
    # locale-independent full mapping of Unicode's SpecialCasing.txt, which
    # is stable for assigned characters; it may decompose (ǰ -> J + U+030C),
    # hence NFC again.
    text = unicodedata.normalize("NFC", text.upper())
    if not text:
        raise InputError(_("name is empty"), code="name.empty", field="name", value=raw)
    if text.startswith(MIDDLE_DOT) or text.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in text:
        raise InputError(
            _("a middle dot (·) must stand between two parts of the name"),
            code="name.middle-dot",
            field="name",
            value=raw,
            hint=_("write it like 阿卜杜拉·买买提"),
        )
    if "*" in text:
        # an asterisk only ever comes from a masked list imported by mistake,
        # and would make masks ambiguous
        raise InputError(
            _("name contains an asterisk (*)"),
            code="name.asterisk",
            field="name",
            value=raw,
            hint=_("use the full name from the registration, not a masked list"),
        )
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(
            _("name is longer than {maximum} characters").format(maximum=MAX_NAME_LENGTH),
            code="name.too-long",
            field="name",
            value=raw,
        )
    return check_identifier(text, "name")


# --- salts and commitments -------------------------------------------------------


def new_salt() -> bytes:
    """A fresh 16-byte salt for one child's identity commitment (from ``secrets``)."""
    return secrets.token_bytes(SALT_SIZE)


def _check_salt(salt: object) -> bytes:
    if not isinstance(salt, bytes) or len(salt) != SALT_SIZE:
        raise InputError(
            _("salt must be exactly {size} bytes").format(size=SALT_SIZE),
            code="salt.size",
            field="salt",
            value=salt,
            hint=_("use new_salt(), or parse_salt() on the receipt text"),
        )
    return salt


_SALT_TEXT_LENGTH: Final = 26  # ceil(128 / 5) base32 characters
# The 26th character carries 3 salt bits and 2 zero bits.
_SALT_LAST_CHARACTERS: Final = "AEIMQUY4"


def format_salt(salt: bytes) -> str:
    """The salt as printed on the receipt: base32, groups of 4 joined by hyphens.

    ``format_salt(bytes(16)) == "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AA"``.

    Raises:
        InputError: if ``salt`` is not 16 bytes.
    """
    text = base64.b32encode(_check_salt(salt)).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_salt(text: str) -> bytes:
    """Read a salt typed from a receipt.

    Tolerates lower case, spaces, hyphens and other dashes, full-width
    characters, and the digits 0 and 1 typed for the letters O and I (base32
    has neither digit).

    Raises:
        InputError: naming ``salt`` and the text, if it is not 26 base32
            characters or its last character is impossible for 16 bytes.
    """
    raw = _expect_text(text, "salt")
    cleaned = _strip_number(raw).replace("0", "O").replace("1", "I")
    if len(cleaned) != _SALT_TEXT_LENGTH or not re.fullmatch("[A-Z2-7]+", cleaned):
        raise InputError(
            _("a receipt salt is {count} characters from A-Z and 2-7").format(
                count=_SALT_TEXT_LENGTH
            ),
            code="salt.characters",
            field="salt",
            value=raw,
            hint=_("copy all seven groups from the receipt, like ABCD-EFGH-…-XY"),
        )
    if cleaned[-1] not in _SALT_LAST_CHARACTERS:
        raise InputError(
            _("the last character of a receipt salt is one of A E I M Q U Y 4"),
            code="salt.last-character",
            field="salt",
            value=raw,
            hint=_("check the last group"),
        )
    return base64.b32decode(cleaned + "=" * 6)


def identity_commitment(
    *,
    draw_id: str,
    registration_number: str,
    document_type: DocumentType | str,
    document_number: str,
    name: str,
    salt: bytes,
) -> bytes:
    """The 32-byte identity commitment of a child's public record (spec 10.5).

    ``SHA-256("alloc/v1/identity" 0x00 draw_id 0x00 registration_number 0x00
    document_type 0x00 number 0x00 name 0x00 salt)`` over the normalised
    number and name. The number is normalised without the region check
    (:func:`normalise_document_number`), so a stale region table can never
    stop a commitment from being computed or checked.

    Raises:
        InputError: naming the field at fault.
    """
    kind = _document_type(document_type)
    number = normalise_document_number(kind, document_number, check_region=False)
    return _commit(draw_id, registration_number, kind, number, normalise_name(name), salt)


def _commit(
    draw_id: str, registration_number: str, kind: DocumentType, number: str, name: str, salt: bytes
) -> bytes:
    """:func:`identity_commitment` of a number and name already normalised."""
    check_identifier(draw_id, "draw_id")
    check_identifier(registration_number, "registration_number")
    return tagged_hash(
        Tag.IDENTITY, draw_id, registration_number, kind.value, number, name, _check_salt(salt)
    )


# --- value types -------------------------------------------------------------------


def _normal_contact(contact: object) -> str | None:
    """A guardian contact as stored: NFC text, or None.

    Raises:
        InputError: if it is not valid text.
    """
    if contact is None:
        return None
    return unicodedata.normalize("NFC", _expect_text(contact, "guardian_contact"))


@dataclass(frozen=True, repr=False)
class PrivateIdentity:
    """A child's identity as registered; never written to a public file.

    The name and number are stored normalised (the number without the region
    check). The ``repr`` shows only masks, so identities in logs and
    tracebacks do not leak.
    """

    name: str
    document_type: DocumentType
    document_number: str
    guardian_contact: str | None = None

    def __post_init__(self) -> None:
        kind = _document_type(self.document_type)
        object.__setattr__(self, "document_type", kind)
        object.__setattr__(self, "name", normalise_name(self.name))
        number = normalise_document_number(kind, self.document_number, check_region=False)
        object.__setattr__(self, "document_number", number)
        object.__setattr__(self, "guardian_contact", _normal_contact(self.guardian_contact))

    @classmethod
    def _of_normalised(
        cls, name: str, kind: DocumentType, number: str, guardian_contact: str | None
    ) -> PrivateIdentity:
        """The identity with ``name`` and ``number`` stored as given, not normalised again.

        For :mod:`alloc.io`, whose import has just normalised both
        (``normalise_name``, and ``normalise_document_number`` for ``kind``
        without the region check): both are idempotent, so the constructor
        would store the same values, and a million-row import would do its
        costliest per-row work twice. The contact is normalised as usual.

        Raises:
            InputError: if the contact is not valid text.
        """
        identity = object.__new__(cls)
        object.__setattr__(identity, "name", name)
        object.__setattr__(identity, "document_type", kind)
        object.__setattr__(identity, "document_number", number)
        object.__setattr__(identity, "guardian_contact", _normal_contact(guardian_contact))
        return identity

    def __repr__(self) -> str:
        return (
            f"PrivateIdentity(name={mask_name(self.name)!r},"
            f" document_type={self.document_type.value!r},"
            f" document_number={mask_document_number(self.document_type, self.document_number)!r})"
        )

    def commitment(self, *, draw_id: str, registration_number: str, salt: bytes) -> bytes:
        """This identity's :func:`identity_commitment`.

        Raises:
            InputError: naming the field at fault.
        """
        # The fields were normalised on construction and are frozen.
        return _commit(
            draw_id, registration_number, self.document_type, self.document_number, self.name, salt
        )


@dataclass(frozen=True)
class Receipt:
    """What the parent keeps: the registration number and the commitment salt."""

    registration_number: str
    salt: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_identifier(self.registration_number, "registration_number")
        _check_salt(self.salt)

    @property
    def salt_text(self) -> str:
        """The salt as printed (:func:`format_salt`)."""
        return format_salt(self.salt)

    def to_json(self) -> dict[str, Any]:
        return {"registration_number": self.registration_number, "salt": self.salt_text}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Receipt:
        """Raises: InputError on a missing field or a malformed salt."""
        try:
            return cls(
                registration_number=data["registration_number"], salt=parse_salt(data["salt"])
            )
        except KeyError as exc:
            raise InputError(
                _("malformed receipt"), code="receipt.malformed", field=str(exc.args[0])
            ) from exc


# --- masks -------------------------------------------------------------------------

# Compound (two-character) surnames, simplified and traditional. A name of four
# or more characters that merely starts with one of them is masked as if it
# were compound; that shows one character more, never fewer hidden than two.
_COMPOUND_SURNAME_TEXT: Final = """
    欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐
    钟离 端木 独孤 南宫 西门 万俟 闻人 赫连 公羊 澹台 公冶 宗政 濮阳 淳于 单于
    太叔 申屠 仲孙 鲜于 闾丘 司空 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 壤驷
    公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 羊舌 微生 梁丘 左丘 东门
    第五 贺兰 完颜 叱干
    歐陽 司馬 諸葛 東方 尉遲 公孫 長孫 軒轅 鍾離 獨孤 南宮 西門 聞人 澹臺 濮陽
    單于 仲孫 鮮于 閭丘 顓孫 樂正 壤駟 夾谷 穀梁 東郭 南門 東門 賀蘭 完顏
"""
_COMPOUND_SURNAMES: Final = frozenset(_COMPOUND_SURNAME_TEXT.split())
_NAME_SEPARATORS: Final = frozenset({" ", MIDDLE_DOT})


def mask_name(name: str) -> str:
    """The name as shown on a notice board (spec 10.6): at most the surname shows.

    The surname (the first character, or a compound surname such as 欧阳 at
    the start of a one-part name of three or more characters) shows only if at
    least two more characters stay hidden; every other character is one
    asterisk, separators stay: 张三明 -> 张**, 欧阳娜娜 -> 欧阳**, 张三 -> **,
    欧阳娜 -> ***, 阿卜杜拉·买买提 -> 阿***·***, JOHN SMITH -> J*** *****.
    For a name in parts (spaces or middle dots) the first character of the
    first part plays the surname.

    Raises:
        InputError: if the name is invalid (see :func:`normalise_name`).
    """
    return _mask_normal_name(normalise_name(name))


def _mask_normal_name(text: str) -> str:
    letters = sum(1 for c in text if c not in _NAME_SEPARATORS)
    lead = 2 if len(text) >= 3 and text[:2] in _COMPOUND_SURNAMES else 1
    shown = lead if letters - lead >= 2 else 0
    return text[:shown] + "".join(c if c in _NAME_SEPARATORS else "*" for c in text[shown:])


def mask_document_number(document_type: DocumentType | str, number: str) -> str:
    """The document number as shown on a notice board (spec 10.6).

    Resident-id numbers show only their last 4 characters
    (``**************1234``): the region and birth date stay hidden. Passports
    keep the first and last 2 characters if 8 or more long, else the first
    and last 1. Each hidden character is one asterisk, so at least half is
    always hidden.

    Raises:
        InputError: if the number is invalid (region not checked).
    """
    kind = _document_type(document_type)
    return _mask_normal_number(kind, normalise_document_number(kind, number, check_region=False))


def mask_identity(identity: PrivateIdentity) -> tuple[str, str]:
    """The masked name and document number of a registered identity (spec 10.6).

    As :func:`mask_name` and :func:`mask_document_number`, without normalising
    again what :class:`PrivateIdentity` holds normalised. Never raises.
    """
    return (
        _mask_normal_name(identity.name),
        _mask_normal_number(identity.document_type, identity.document_number),
    )


def _mask_normal_number(kind: DocumentType, text: str) -> str:
    if kind is DocumentType.RESIDENT_ID:
        return "*" * (len(text) - 4) + text[-4:]
    keep = 2 if len(text) >= 8 else 1
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


# --- lookup keys ------------------------------------------------------------------


@dataclass(frozen=True)
class LookupKeys:
    """One child's entry in a public lookup index (spec 10.7): where it is and its key.

    ``entry_id`` names the entry publicly; ``key`` (AES-256-GCM) opens it. Both
    come from the child's receipt salt, so nobody without the receipt can
    compute either, whatever they know or guess of the name and number.
    """

    entry_id: bytes
    key: bytes = field(repr=False)

    @property
    def entry_id_text(self) -> str:
        """The entry id as written in an index shard: lower-case hex."""
        return self.entry_id.hex()


def lookup_keys(
    *,
    draw_id: str,
    transcript_digest: bytes,
    registration_number: str,
    document_type: DocumentType | str,
    document_number: str,
    name: str,
    salt: bytes,
) -> LookupKeys:
    """The entry id and key of one child in a draw's public lookup index (spec 10.7).

    ``ikm = "alloc/v1/lookup-entry" 0x00 draw_id 0x00 registration_number 0x00
    document_type 0x00 number 0x00 name 0x00 salt`` over the normalised number
    (without the region check) and name; then HKDF-SHA256 (RFC 5869) with
    the transcript digest as HKDF salt: ``entry_id`` = 16 bytes with info
    ``alloc/v1/lookup-entry-id``, ``key`` = 32 bytes with info
    ``alloc/v1/lookup-entry-key``. The 16-byte receipt salt is what makes both
    unguessable: no slow hash is needed (spec 10.7 says why).

    Raises:
        InputError: naming the field at fault.
    """
    kind = _document_type(document_type)
    number = normalise_document_number(kind, document_number, check_region=False)
    return _lookup_keys(
        draw_id,
        transcript_digest,
        registration_number,
        kind,
        number,
        normalise_name(name),
        salt,
    )


def _lookup_keys(
    draw_id: str,
    transcript_digest: bytes,
    registration_number: str,
    kind: DocumentType,
    number: str,
    name: str,
    salt: bytes,
) -> LookupKeys:
    """:func:`lookup_keys` of a number and name already normalised."""
    check_identifier(draw_id, "draw_id")
    check_identifier(registration_number, "registration_number")
    if not isinstance(transcript_digest, bytes) or len(transcript_digest) != DIGEST_SIZE:
        raise InputError(
            _("a transcript digest is {size} bytes").format(size=DIGEST_SIZE),
            code="lookup.digest-size",
            field="transcript_digest",
            value=transcript_digest,
            hint=_("use alloc.audit.document_digest(transcript)"),
        )
    ikm = tagged_message(
        Tag.LOOKUP_ENTRY,
        draw_id,
        registration_number,
        kind.value,
        number,
        name,
        _check_salt(salt),
    )

    def derive(info: str, length: int) -> bytes:
        kdf = HKDF(
            algorithm=hashes.SHA256(),
            length=length,
            salt=transcript_digest,
            info=info.encode("ascii"),
        )
        return kdf.derive(ikm)

    return LookupKeys(
        entry_id=derive(Tag.LOOKUP_ENTRY_ID, LOOKUP_ID_SIZE),
        key=derive(Tag.LOOKUP_ENTRY_KEY, LOOKUP_KEY_SIZE),
    )

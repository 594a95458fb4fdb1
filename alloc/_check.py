"""Argument checks shared by the public constructors.

Python code calling alloc may pass anything: a bare string where a sequence of
ids is expected (it would be read letter by letter), ``"60"`` or ``60.0``
where an integer is, a ``dict`` where an :class:`~alloc.model.Applicant` is,
an enum's string value where the enum is. Each check here either returns the
value in its one stored form or raises a precise
:class:`~alloc.errors.WrongTypeError` (or :class:`~alloc.errors.RulesTypeError`
inside the rules) naming the field, the type expected, the type given and
what to write, so no public constructor ever fails with a bare
``AttributeError``, ``TypeError`` or ``KeyError``.

A wrong value's repr appears in the message only when it is a number, a bool
or None: anything else (text, a mapping, an object) may hold a child's name
or ID number.
"""

from __future__ import annotations

import enum
import numbers
from collections.abc import Iterable, Mapping, Set
from typing import TypeVar

from alloc.canonical import check_identifier
from alloc.errors import InputError, RulesError, RulesTypeError, WrongTypeError
from alloc.i18n import N_, _

__all__ = [
    "check_bool",
    "check_bytes",
    "check_enum",
    "check_id",
    "check_instance",
    "check_integer",
    "check_items",
    "check_text",
    "type_name",
]

_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")

# Messages, in one place; each is translated where it is used (alloc.i18n).
_EXPECTED = N_("expected {expected}, got {given}")
_BARE_TEXT = N_("expected {what}, got a single string")
_BARE_TEXT_HINT = N_(
    "a string would be read character by character; write a tuple or list,"
    " e.g. ('K01', 'K02') or ['K01']"
)
_UNORDERED = N_("expected {what} in order, got an unordered {given}")
_UNORDERED_HINT = N_("order matters here; write a tuple or list")
_INT_AS_TEXT_HINT = N_("write the number itself, e.g. 60, not the text '60'")
_WHOLE_NUMBER_HINT = N_("write a whole number, e.g. 60, not 60.0")
_ENUM_UNKNOWN = N_("unknown {what}")
_ENUM_HINT = N_("use one of {allowed}")
_ENUM_NAME_HINT = N_("write the value {value!r} (or {kind}.{name}), not the member name")
_RANGE_LOW = N_("must be {words}")
_NOUN_RANGE_LOW = N_("{noun} must be {words}")
_RANGE_HIGH = N_("must be at most {maximum}")
_NOUN_RANGE_HIGH = N_("{noun} must be at most {maximum}")
_BYTES_SIZE = N_("expected exactly {size} bytes, got {length}")


def type_name(value: object) -> str:
    """A short name of ``value``'s type for messages (``dict``, ``numpy.int64``)."""
    kind = type(value)
    module = kind.__module__
    if module in {"builtins", "__main__"} or module.startswith("alloc."):
        return kind.__qualname__
    return f"{module.split('.')[0]}.{kind.__qualname__}"


def _safe_value(value: object) -> object:
    """The value if a message may show it (a number, bool or None), else None."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return None


def _wrong(
    problem: str,
    field: str,
    value: object,
    *,
    rules: bool,
    code: str,
    hint: str | None = None,
) -> WrongTypeError:
    if rules:
        return RulesTypeError(problem, code=code, field=field, value=_safe_value(value), hint=hint)
    return WrongTypeError(problem, code=code, field=field, value=_safe_value(value), hint=hint)


def _out_of_range(
    problem: str, *, code: str, field: str, value: int, hint: str | None, rules: bool
) -> InputError:
    if rules:
        return RulesError(problem, code=code, field=field, value=value, hint=hint)
    return InputError(problem, code=code, field=field, value=value, hint=hint)


def check_text(value: object, field: str, *, rules: bool = False) -> str:
    """``value`` as a plain ``str`` (a subclass such as ``numpy.str_`` is converted).

    Raises:
        WrongTypeError: (RulesTypeError when ``rules``) for anything else, bytes included.
    """
    if isinstance(value, str):
        return value if type(value) is str else str.__str__(value)
    hint = _("decode it first (bytes.decode('utf-8'))") if isinstance(value, bytes) else None
    raise _wrong(
        _(_EXPECTED).format(expected=_("text (str)"), given=type_name(value)),
        field,
        value,
        rules=rules,
        hint=hint,
        code="input.wrong-type",
    )


def check_id(value: object, field: str, *, rules: bool = False) -> str:
    """An identifier given as ``str`` (:func:`~alloc.canonical.check_identifier`).

    Bytes are refused: a stored identifier has one form, text.

    Raises:
        WrongTypeError: (RulesTypeError when ``rules``) for anything but text.
        InputError: for text that is not a valid identifier.
    """
    return check_identifier(check_text(value, field, rules=rules), field)


def check_bool(value: object, field: str, *, rules: bool = False) -> bool:
    """``value`` if it is ``True`` or ``False`` (not 0, 1 or a string).

    Raises:
        WrongTypeError: (RulesTypeError when ``rules``) for anything else.
    """
    if isinstance(value, bool):
        return value
    raise _wrong(
        _(_EXPECTED).format(expected=_("True or False"), given=type_name(value)),
        field,
        value,
        rules=rules,
        code="input.wrong-type",
    )


def check_integer(
    value: object,
    field: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    rules: bool = False,
    hint: str | None = None,
    noun: str | None = None,
) -> int:
    """``value`` as a Python ``int``; numpy integers are accepted and converted.

    ``noun`` starts the range message ("capacity must be a positive integer").

    Raises:
        WrongTypeError: (RulesTypeError when ``rules``) for a bool, a float, text or
            anything else that is not an integer.
        InputError: (RulesError when ``rules``) if it is below ``minimum`` or
            above ``maximum``.
    """
    if isinstance(value, bool):
        raise _wrong(
            _(_EXPECTED).format(expected=_integer_words(minimum), given=type_name(value)),
            field,
            value,
            rules=rules,
            hint=hint,
            code="input.wrong-type",
        )
    if not isinstance(value, numbers.Integral):
        if isinstance(value, str):
            type_hint: str | None = _(_INT_AS_TEXT_HINT)
        elif isinstance(value, numbers.Real):
            type_hint = _(_WHOLE_NUMBER_HINT)
        else:
            type_hint = hint
        raise _wrong(
            _(_EXPECTED).format(expected=_integer_words(minimum), given=type_name(value)),
            field,
            value,
            rules=rules,
            hint=type_hint,
            code="input.wrong-type",
        )
    number = int(value)
    if minimum is not None and number < minimum:
        raise _out_of_range(
            _(_RANGE_LOW if noun is None else _NOUN_RANGE_LOW).format(
                noun=noun, words=_integer_words(minimum)
            ),
            code="input.out-of-range",
            field=field,
            value=number,
            hint=hint,
            rules=rules,
        )
    if maximum is not None and number > maximum:
        raise _out_of_range(
            _(_RANGE_HIGH if noun is None else _NOUN_RANGE_HIGH).format(noun=noun, maximum=maximum),
            code="input.out-of-range",
            field=field,
            value=number,
            hint=hint,
            rules=rules,
        )
    return number


def _integer_words(minimum: int | None) -> str:
    if minimum == 1:
        return _("a positive integer")
    if minimum == 0:
        return _("a non-negative integer")
    return _("an integer")


def check_enum(kind: type[_E], value: object, field: str, *, rules: bool = False) -> _E:
    """``value`` as a member of ``kind``: a member, or exactly its string value.

    Raises:
        WrongTypeError: (RulesTypeError when ``rules``) for anything but a member
            of ``kind`` or a string.
        InputError: (RulesError when ``rules``) for a string that is no member's
            value, listing the values accepted.
    """
    if isinstance(value, kind):
        return value
    allowed = ", ".join(repr(m.value) for m in kind)
    if not isinstance(value, str):
        raise _wrong(
            _(_EXPECTED).format(
                expected=_("a {kind} or one of {allowed}").format(
                    kind=kind.__name__, allowed=allowed
                ),
                given=type_name(value),
            ),
            field,
            value,
            rules=rules,
            hint=_(_ENUM_HINT).format(allowed=allowed),
            code="input.wrong-type",
        )
    for member in kind:
        if member.value == value:
            return member
    by_name = kind.__members__.get(value.upper().replace("-", "_"))
    hint = (
        _(_ENUM_HINT).format(allowed=allowed)
        if by_name is None
        else _(_ENUM_NAME_HINT).format(value=by_name.value, kind=kind.__name__, name=by_name.name)
    )
    # Text that is no member's value is an enum value, not personal data: show it.
    problem = _(_ENUM_UNKNOWN).format(what=field)
    if rules:
        raise RulesError(problem, code="input.unknown-value", field=field, value=value, hint=hint)
    raise InputError(problem, code="input.unknown-value", field=field, value=value, hint=hint)


def check_items(
    value: object, field: str, *, what: str, ordered: bool = True, rules: bool = False
) -> tuple[object, ...]:
    """The items of a collection, as a tuple (elements are not checked here).

    Lists, tuples and other iterables are accepted; a bare ``str`` or bytes
    (which Python would iterate character by character), a mapping, and,
    when ``ordered``, a set are refused.

    Raises:
        WrongTypeError: (RulesTypeError when ``rules``) naming ``what`` was expected.
    """
    if isinstance(value, str | bytes | bytearray | memoryview):
        raise _wrong(
            _(_BARE_TEXT).format(what=what),
            field,
            value,
            rules=rules,
            hint=_(_BARE_TEXT_HINT),
            code="input.bare-string",
        )
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise _wrong(
            _(_EXPECTED).format(expected=what, given=type_name(value)),
            field,
            value,
            rules=rules,
            hint=_("write a tuple or list"),
            code="input.wrong-type",
        )
    if ordered and isinstance(value, Set):
        raise _wrong(
            _(_UNORDERED).format(what=what, given=type_name(value)),
            field,
            value,
            rules=rules,
            hint=_(_UNORDERED_HINT),
            code="input.unordered",
        )
    return tuple(value)


def check_instance(
    value: object,
    kind: type[_T],
    field: str,
    *,
    rules: bool = False,
    hint: str | None = None,
) -> _T:
    """``value`` if it is a ``kind``.

    Raises:
        WrongTypeError: (RulesTypeError when ``rules``) naming ``kind`` and the type given.
    """
    if isinstance(value, kind):
        return value
    expected = (_("an {kind}") if kind.__name__[0] in "AEIOU" else _("a {kind}")).format(
        kind=kind.__name__
    )
    raise _wrong(
        _(_EXPECTED).format(expected=expected, given=type_name(value)),
        field,
        value,
        rules=rules,
        hint=hint,
        code="input.wrong-type",
    )


def check_bytes(value: object, field: str, *, size: int) -> bytes:
    """``value`` as ``bytes`` of exactly ``size`` (bytes, bytearray or memoryview).

    Raises:
        WrongTypeError: for anything that is not bytes.
        InputError: for bytes of another length.
    """
    if not isinstance(value, bytes | bytearray | memoryview):
        hint = (
            _("bytes.fromhex(...) turns hexadecimal text into bytes")
            if isinstance(value, str)
            else None
        )
        raise _wrong(
            _(_EXPECTED).format(
                expected=_("{size} bytes").format(size=size), given=type_name(value)
            ),
            field,
            value,
            rules=False,
            hint=hint,
            code="input.wrong-type",
        )
    raw = bytes(value)
    if len(raw) != size:
        raise InputError(
            _(_BYTES_SIZE).format(size=size, length=len(raw)), code="input.wrong-size", field=field
        )
    return raw

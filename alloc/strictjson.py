"""One strict reader for every JSON document and line alloc reads.

Signed and committed documents have exactly one meaning, so they are read
strictly (spec section 2.4): malformed JSON, a duplicate key, a float, NaN or
an integer outside ±(2^53 − 1), nesting deeper than :data:`MAX_DEPTH`, a
missing key, an unknown key or a value of the wrong type is an error that
names the document, the place in it and the reason; it is never ignored.

:func:`parse_json` turns bytes into plain values; :class:`Fields` then reads
one JSON object key by key and, on :meth:`Fields.done`, refuses whatever keys
were not read::

    fields = Fields.of(parse_json(data, document="trust policy"), document="trust policy")
    roles = fields.array("roles")
    fields.done()
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from alloc.errors import MalformedDocumentError
from alloc.i18n import N_, _

__all__ = [
    "MAX_DEPTH",
    "MAX_INTEGER",
    "Fields",
    "parse_json",
]

#: Deepest nesting of arrays and objects any alloc document needs is 6; 32 leaves room.
MAX_DEPTH: Final = 32
#: I-JSON's exact-integer range (RFC 7493), which RFC 8785 requires.
MAX_INTEGER: Final = 2**53 - 1

_T = TypeVar("_T")


def _refuse(
    document: str,
    where: str,
    problem: str,
    value: object = None,
    hint: str | None = None,
    row: int | None = None,
    *,
    code: str,
) -> MalformedDocumentError:
    return MalformedDocumentError(
        problem, code=code, source=document, field=where, value=value, hint=hint, row=row
    )


def parse_json(data: bytes | str, *, document: str) -> Any:
    """Parse one JSON text strictly; ``document`` names it in errors.

    Raises:
        MalformedDocumentError: for text that is not UTF-8 JSON, a byte-order
            mark, a duplicate key, a float, NaN or Infinity, an integer outside
            ±(2^53 − 1), or nesting deeper than :data:`MAX_DEPTH`.
    """
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(
                document,
                "$",
                _("not UTF-8 text (byte {position})").format(position=exc.start),
                code="document.not-utf8",
            ) from exc
    else:
        text = data
    if text.startswith("\ufeff"):
        raise _refuse(
            document,
            "$",
            _("starts with a byte-order mark (BOM)"),
            hint=_("save it as UTF-8 without BOM"),
            code="document.bom",
        )

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise _refuse(document, "$", _("duplicate key"), key, code="document.duplicate-key")
            result[key] = value
        return result

    def integer(digits: str) -> int:
        value = int(digits)
        if abs(value) > MAX_INTEGER:
            raise _refuse(
                document,
                "$",
                _("integer outside ±(2^53 − 1)"),
                digits,
                code="document.integer-range",
            )
        return value

    def no_float(digits: str) -> Any:
        raise _refuse(
            document,
            "$",
            _("number with a fraction or exponent (alloc has none)"),
            digits,
            code="document.float",
        )

    def no_constant(name: str) -> Any:
        raise _refuse(document, "$", _("not a JSON value"), name, code="document.not-json-value")

    try:
        value = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_int=integer,
            parse_float=no_float,
            parse_constant=no_constant,
        )
    except RecursionError as exc:
        raise _refuse(
            document,
            "$",
            _("nested deeper than {depth} levels").format(depth=MAX_DEPTH),
            code="document.too-deep",
        ) from exc
    except json.JSONDecodeError as exc:
        raise _refuse(
            document,
            "$",
            _("not valid JSON ({reason} at line {line} column {column})").format(
                reason=exc.msg, line=exc.lineno, column=exc.colno
            ),
            row=exc.lineno,
            code="document.not-json",
        ) from exc
    _check_depth(value, document)
    return value


def _check_depth(value: object, document: str) -> None:
    # Iterative, so a hostile document cannot exhaust the stack here either.
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise _refuse(
                    document,
                    "$",
                    _("nested deeper than {depth} levels").format(depth=MAX_DEPTH),
                    code="document.too-deep",
                )
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    names = {str: N_("text"), int: N_("integer"), list: N_("array"), dict: N_("object")}
    name = names.get(type(value))
    return type(value).__name__ if name is None else _(name)


class Fields:
    """Reads one JSON object key by key; :meth:`done` refuses the keys never read.

    Every accessor raises :class:`MalformedDocumentError` naming the document,
    the key's path (``$.roles[0].threshold``) and what was expected.
    """

    def __init__(self, data: Mapping[str, Any], *, document: str, path: str = "$") -> None:
        self.data = data
        self.document = document
        self.path = path
        self._read: set[str] = set()

    @classmethod
    def of(cls, value: object, *, document: str, path: str = "$") -> Fields:
        """Raises: MalformedDocumentError if ``value`` is not a JSON object."""
        if not isinstance(value, Mapping):
            raise _refuse(
                document,
                path,
                _("expected an object, found {found}").format(found=_type_name(value)),
                code="document.wrong-type",
            )
        return cls(value, document=document, path=path)

    def error(
        self,
        key: str,
        problem: str,
        value: object = None,
        *,
        code: str = "document.invalid-value",
        hint: str | None = None,
    ) -> MalformedDocumentError:
        """An error located at ``key`` of this object, for checks done by the caller."""
        return _refuse(self.document, f"{self.path}.{key}", problem, value, hint, code=code)

    def has(self, key: str) -> bool:
        return key in self.data

    def _get(self, key: str) -> Any:
        if key not in self.data:
            raise self.error(key, _("missing key"), code="document.missing-key")
        self._read.add(key)
        return self.data[key]

    def _typed(self, key: str, kind: type[_T] | tuple[type, ...], expected: str) -> Any:
        value = self._get(key)
        # bool is an int in Python; JSON keeps them apart.
        if isinstance(value, bool) and kind is not bool:
            raise self.error(
                key,
                _("expected {expected}, found {found}").format(
                    expected=expected, found="true/false"
                ),
                code="document.wrong-type",
            )
        if not isinstance(value, kind):
            raise self.error(
                key,
                _("expected {expected}, found {found}").format(
                    expected=expected, found=_type_name(value)
                ),
                code="document.wrong-type",
            )
        return value

    def string(self, key: str) -> str:
        value: str = self._typed(key, str, _("text"))
        return value

    def optional_string(self, key: str) -> str | None:
        if self.data.get(key, "") is None:
            self._read.add(key)
            return None
        return self.string(key)

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value: int = self._typed(key, int, _("an integer"))
        if minimum is not None and value < minimum:
            raise self.error(
                key,
                _("must be at least {minimum}").format(minimum=minimum),
                value,
                code="document.out-of-range",
            )
        if maximum is not None and value > maximum:
            raise self.error(
                key,
                _("must be at most {maximum}").format(maximum=maximum),
                value,
                code="document.out-of-range",
            )
        return value

    def optional_integer(self, key: str, **bounds: int) -> int | None:
        if self.data.get(key, 0) is None:
            self._read.add(key)
            return None
        return self.integer(key, **bounds)

    def boolean(self, key: str) -> bool:
        value: bool = self._typed(key, bool, _("true or false"))
        return value

    def array(self, key: str) -> list[Any]:
        value: list[Any] = self._typed(key, list, _("an array"))
        return value

    def strings(self, key: str) -> list[str]:
        """An array of text values."""
        values = self.array(key)
        for index, item in enumerate(values):
            if not isinstance(item, str):
                raise self.error(
                    f"{key}[{index}]",
                    _("expected {expected}, found {found}").format(
                        expected=_("text"), found=_type_name(item)
                    ),
                    code="document.wrong-type",
                )
        return values

    def hex(self, key: str, *, size: int) -> bytes:
        """Lower-case hexadecimal of exactly ``size`` bytes (one accepted form)."""
        value = self.string(key)
        if len(value) != 2 * size or value.strip("0123456789abcdef"):
            raise self.error(
                key,
                _("expected {count} lower-case hexadecimal digits").format(count=2 * size),
                value,
                code="document.not-hex",
            )
        return bytes.fromhex(value)

    def optional_hex(self, key: str, *, size: int) -> bytes | None:
        if self.data.get(key, "") is None:
            self._read.add(key)
            return None
        return self.hex(key, size=size)

    def object(self, key: str) -> Fields:
        return Fields.of(self._get(key), document=self.document, path=f"{self.path}.{key}")

    def optional_object(self, key: str) -> Fields | None:
        if self.data.get(key, {}) is None:
            self._read.add(key)
            return None
        return self.object(key)

    def objects(self, key: str) -> list[Fields]:
        """An array of objects, each to be read (and finished with :meth:`done`)."""
        return [
            Fields.of(item, document=self.document, path=f"{self.path}.{key}[{index}]")
            for index, item in enumerate(self.array(key))
        ]

    def each(self, key: str, read: Callable[[Fields], _T]) -> list[_T]:
        """Read every object of an array with ``read``, refusing unknown keys in each."""
        out = []
        for item in self.objects(key):
            out.append(read(item))
            item.done()
        return out

    def value(self, key: str) -> Any:
        """The raw value, for a caller that checks it itself."""
        return self._get(key)

    def done(self) -> None:
        """Raises: MalformedDocumentError naming the first key that was never read."""
        unknown = sorted(set(self.data) - self._read)
        if unknown:
            raise self.error(
                unknown[0], _("unknown key (not in the specification)"), code="document.unknown-key"
            )

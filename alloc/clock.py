"""Time: the one clock the command line reads, and the one written form of a time.

Every step of a draw day has a deadline (spec section 4.7), so every time
alloc takes from the machine comes from :func:`now`: tests replace it, and a
rehearsal runs under libfaketime. Times in documents have exactly one
written form, ``YYYY-MM-DDTHH:MM:SS±HH:MM`` (seconds, an explicit UTC
offset, no fraction, no ``Z``), so a time can never be typed two ways::

    moment = parse_time("2026-07-23T15:30:00+08:00", field="--reveal-deadline")
    format_time(now(), like=moment)   # the clock, in the bureau's own offset
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from alloc._check import type_name
from alloc.errors import InputError, WrongTypeError
from alloc.i18n import N_, _

__all__ = ["TIME_FORM", "format_time", "now", "parse_time"]

#: How every time is written, for messages.
TIME_FORM: Final = N_(
    "YYYY-MM-DDTHH:MM:SS+08:00, with seconds and the UTC offset (e.g. 2026-07-23T15:30:00+08:00)"
)

_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def now() -> datetime:
    """The machine's clock as an aware UTC time, to the second.

    This is the only place alloc reads the clock; tests replace it.
    """
    return datetime.now(UTC).replace(microsecond=0)


def parse_time(text: object, *, field: str) -> datetime:
    """Read a time written in its one form (:data:`TIME_FORM`).

    Raises:
        WrongTypeError: for anything but text.
        InputError: naming ``field``, for anything else: no offset, a ``Z``,
            a space for ``T``, fractions of a second, an impossible date.
    """
    if not isinstance(text, str):
        raise WrongTypeError(
            _("a time must be text, got {type}").format(type=type_name(text)),
            code="time.wrong-type",
            field=field,
            hint=_("write it as {form}").format(form=_(TIME_FORM)),
        )
    if not _TIME.fullmatch(text):
        raise InputError(
            _("not a time in the form alloc writes"),
            code="time.form",
            field=field,
            value=text,
            hint=_("write it as {form}").format(form=_(TIME_FORM)),
        )
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            _("not a real date and time"),
            code="time.impossible",
            field=field,
            value=text,
            hint=_("write it as {form}").format(form=_(TIME_FORM)),
        ) from exc
    offset = moment.utcoffset()
    assert offset is not None  # the pattern requires one
    if offset % timedelta(minutes=1) or abs(offset) >= timedelta(hours=24):
        raise InputError(
            _("impossible UTC offset"), code="time.impossible", field=field, value=text
        )
    return moment


def format_time(moment: datetime, *, like: datetime | None = None) -> str:
    """``moment`` in the one written form, in the UTC offset of ``like`` (default UTC).

    Writing a clock reading in the offset of the announced draw time keeps
    every time of one draw in the bureau's own zone, so a result written at
    10:05 Beijing time never reads as 02:05 and seems to predate the draw.

    Raises:
        InputError: if a time has no UTC offset.
    """
    for value in (moment, like):
        if value is not None and value.utcoffset() is None:
            raise InputError(
                _("time has no UTC offset"), code="time.no-offset", field="time", value=str(value)
            )
    zone = UTC if like is None else like.tzinfo
    return moment.astimezone(zone).replace(microsecond=0).isoformat(timespec="seconds")

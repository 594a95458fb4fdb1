"""Notice-board lists: what each published list says, and checking lists others published.

A *notice list* (公示名单) is the list a bureau pins up for one kindergarten:
the children placed there (under the independent lottery: winning there) in
draw order, then its waitlist in order. ``publish`` writes one per
kindergarten and one file of every waitlist, each row with the child's
registration number, masked name and ID number, lottery number, draw rank and
seat block (spec section 10.9).

Everything in a row but the two masks follows from the public results, so a
verifier can check a published list row by row: :func:`check_published_lists`
compares each file with the rows the verified outcome gives and names the
file and row of every difference (a child moved, a row added or dropped, a
waitlist reordered, an edited title). The masks come from the private
registry and cannot be recomputed; they are only checked to be masks (every
one hides something), so a list that leaked a full name would fail.

This module is pure: :mod:`alloc.io` reads and writes the files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt

from alloc.audit import Announcement, Check, Transcript, VerificationReport
from alloc.draw import Outcome, draw
from alloc.errors import AllocError, InputError, NoticeMismatchError
from alloc.i18n import _, pgettext
from alloc.model import DrawRules, Kindergarten, Mechanism, local_time
from alloc.records import LineSource, parse_record_lines
from alloc.signing import Envelope

__all__ = [
    "NOTICE_HEADERS",
    "REHEARSAL_BANNER",
    "WAITLIST_HEADERS",
    "NoticeHeading",
    "PublishedLists",
    "PublishedTable",
    "check_publication",
    "check_published_lists",
    "draw_ranks",
    "notice_rows",
    "waitlist_rows",
    "with_masks",
]


def _heading(chinese: str, english: str) -> str:
    return f"{chinese} ({english})"


RANK: Final = _heading("派位序号", "draw rank")
REGISTRATION: Final = _heading("报名编号", "registration number")
TICKET: Final = _heading("随机号", "lottery number")
KINDERGARTEN_ID: Final = _heading("幼儿园编号", "kindergarten id")
KINDERGARTEN_NAME: Final = _heading("幼儿园名称", "kindergarten name")
MASKED_NAME: Final = _heading("幼儿姓名", "name, masked")
MASKED_NUMBER: Final = _heading("证件号码", "document number, masked")
BLOCK: Final = _heading("学位类别", "seat block")
WAIT_POSITION: Final = _heading("候补序号", "waitlist position")
PLACED_LABEL: Final = _heading("录取", "placed")
WON_LABEL: Final = _heading("中签", "won")
WAITLIST_LABEL: Final = _heading("候补", "waitlist")

#: The columns of a kindergarten's notice list, in order.
NOTICE_HEADERS: Final = (
    _heading("序号", "no."),
    _heading("结果", "result"),
    WAIT_POSITION,
    REGISTRATION,
    MASKED_NAME,
    MASKED_NUMBER,
    TICKET,
    RANK,
    BLOCK,
)
#: The columns of the file of every waitlist, in order.
WAITLIST_HEADERS: Final = (
    KINDERGARTEN_ID,
    KINDERGARTEN_NAME,
    WAIT_POSITION,
    REGISTRATION,
    MASKED_NAME,
    MASKED_NUMBER,
    TICKET,
    RANK,
)
_MASKS: Final = frozenset({MASKED_NAME, MASKED_NUMBER})
#: The first row of every list a rehearsal publishes (notice boards, waitlists, results).
REHEARSAL_BANNER: Final = (
    "演练 REHEARSAL · 不是正式派位结果，不得公示 / not the real draw: never post these lists"
)
#: Problems named per check before "and N more".
_LISTED: Final = 8


# --- what a list says -----------------------------------------------------------------


@dataclass(frozen=True)
class NoticeHeading:
    """What a printed list says above its table: the draw, the authority and the draw time.

    ``draw_time`` is the announced draw time as it reads in the rules' time
    zone; ``rehearsal`` marks a rehearsal's lists, which carry
    :data:`REHEARSAL_BANNER` above everything else. Build it with :meth:`of`.
    """

    title: str
    authority: str
    draw_id: str
    draw_time: str
    rehearsal: bool = False

    @classmethod
    def of(cls, rules: DrawRules, announcement: Announcement) -> NoticeHeading:
        """The heading of a draw's lists, from its rules and its announcement. Never raises."""
        return cls(
            title=rules.title or announcement.title,
            authority=rules.authority or announcement.authority,
            draw_id=rules.draw_id,
            draw_time=local_time(announcement.window.draw_at, rules.time_zone),
            rehearsal=announcement.rehearsal,
        )

    @property
    def banner(self) -> str | None:
        """The row above every other of a rehearsal's lists; None for a real draw's."""
        return REHEARSAL_BANNER if self.rehearsal else None

    def _first_and_last(self) -> tuple[str, str]:
        first = " ".join(part for part in (self.authority, self.title) if part) or self.draw_id
        last = f"派位编号 (draw id) {self.draw_id} · 派位时间 (draw time) {self.draw_time}"
        return first, last

    def notice_titles(self, kindergarten: Kindergarten, *, independent: bool) -> tuple[str, ...]:
        """The title rows of a kindergarten's notice list."""
        first, last = self._first_and_last()
        what = (
            _heading("中签与候补名单", "winners and waitlist")
            if independent
            else _heading("录取与候补名单", "placed and waitlist")
        )
        return first, f"{kindergarten.id} {kindergarten.name} · {what}", last

    def waitlist_titles(self) -> tuple[str, ...]:
        """The title rows of the file of every waitlist."""
        first, last = self._first_and_last()
        return first, _heading("各幼儿园候补名单", "every kindergarten's waitlist"), last


def draw_ranks(outcome: Outcome) -> npt.NDArray[np.int64]:
    """Each row's 1-based place in draw order (the lists' 派位序号). Never raises."""
    rank = np.empty(len(outcome), np.int64)
    rank[outcome.draw_order] = np.arange(1, len(outcome) + 1)
    return rank


def _block_at(outcome: Outcome, registration_number: str, kindergarten_id: str) -> str:
    result = outcome.applicant(registration_number)
    if result.placed == kindergarten_id:
        return result.block or ""
    return next((w.block for w in result.wins if w.kindergarten == kindergarten_id), "")


def notice_rows(
    outcome: Outcome, kindergarten_id: str, *, ranks: npt.NDArray[np.int64] | None = None
) -> list[tuple[object, ...]]:
    """A kindergarten's notice list without the masks: one tuple per row, in order.

    Each row holds the values of :data:`NOTICE_HEADERS` but the masked name
    and number: number, result, waitlist position (``""`` for a placement),
    registration number, lottery number (64 hex digits), draw rank, seat
    block (``""`` on the waitlist). ``ranks`` (each row's draw rank) saves
    recomputing it for every kindergarten.

    Raises:
        InputError: for an unknown kindergarten.
    """
    rank = draw_ranks(outcome) if ranks is None else ranks
    independent = outcome.rules.mechanism is Mechanism.INDEPENDENT
    label = WON_LABEL if independent else PLACED_LABEL
    rows: list[tuple[object, ...]] = []
    for reg in outcome.placed_at(kindergarten_id):
        row = outcome.index(reg)
        rows.append(
            (
                len(rows) + 1,
                label,
                "",
                reg,
                bytes(outcome.tickets[row]).hex(),
                int(rank[row]),
                _block_at(outcome, reg, kindergarten_id),
            )
        )
    for reg, position in outcome.waitlist(kindergarten_id):
        row = outcome.index(reg)
        rows.append(
            (
                len(rows) + 1,
                WAITLIST_LABEL,
                position,
                reg,
                bytes(outcome.tickets[row]).hex(),
                int(rank[row]),
                "",
            )
        )
    return rows


def waitlist_rows(
    outcome: Outcome, *, ranks: npt.NDArray[np.int64] | None = None
) -> list[tuple[object, ...]]:
    """Every waitlist without the masks, by kindergarten in rules order, then position.

    Each row holds the values of :data:`WAITLIST_HEADERS` but the masks:
    kindergarten id and name, position, registration number, lottery number,
    draw rank. Never raises.
    """
    rank = draw_ranks(outcome) if ranks is None else ranks
    rows: list[tuple[object, ...]] = []
    for kg in outcome.rules.kindergartens:
        for reg, position in outcome.waitlist(kg.id):
            row = outcome.index(reg)
            rows.append(
                (
                    kg.id,
                    kg.name,
                    position,
                    reg,
                    bytes(outcome.tickets[row]).hex(),
                    int(rank[row]),
                )
            )
    return rows


def with_masks(
    headers: Sequence[str], row: Sequence[object], masks: tuple[str, str]
) -> list[object]:
    """A row of :func:`notice_rows` or :func:`waitlist_rows` with the two masks in place."""
    values = iter(row)
    out: list[object] = []
    for header in headers:
        if header == MASKED_NAME:
            out.append(masks[0])
        elif header == MASKED_NUMBER:
            out.append(masks[1])
        else:
            out.append(next(values))
    return out


# --- checking published lists ------------------------------------------------------------


@dataclass(frozen=True)
class PublishedTable:
    """One published list as read: where it is, and its non-blank rows.

    ``rows`` holds (row number as a spreadsheet shows it, cells as text) for
    every non-blank row, titles and header included.
    """

    name: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class PublishedLists:
    """A publish folder's lists as read.

    ``notices`` maps each kindergarten id to its notice lists (one per format
    found), ``missing`` names kindergartens with none, ``unexpected`` the
    notice files no kindergarten of the rules has, and ``waitlists`` the
    files of every waitlist found (none is a failure).
    """

    notices: Mapping[str, tuple[PublishedTable, ...]]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    waitlists: tuple[PublishedTable, ...]


def _text(value: object) -> str:
    return str(value)


def _where(outcome: Outcome, reg: str) -> str:
    """Where the results put a child, in words, for a message."""
    try:
        result = outcome.applicant(reg)
    except InputError:
        return _("{registration} is not an applicant of this draw").format(registration=reg)
    places = []
    if result.placed:
        places.append(_("placed at {kindergarten}").format(kindergarten=result.placed))
    places += [
        _("winning at {kindergartens}").format(kindergartens=w.kindergarten)
        for w in result.wins
        if not result.placed
    ]
    places += [
        _("waitlist {kindergarten} #{position}").format(kindergarten=kg, position=position)
        for kg, position in result.waitlist
    ]
    return _("the results have {registration} {places}").format(
        registration=reg,
        places=pgettext("list", ", ").join(places) if places else _("unplaced"),
    )


def _compare(
    table: PublishedTable,
    headers: Sequence[str],
    titles: Sequence[str],
    expected: Sequence[tuple[object, ...]],
    outcome: Outcome,
    banner: str | None = None,
) -> list[str]:
    """Every difference between a published list and the rows the results give.

    ``banner`` is the row a rehearsal's list has above everything else: a
    rehearsal's list without it, or a real draw's list with it, differs.
    """
    problems: list[str] = []
    rows = list(table.rows)
    width = len(headers)
    at = next(
        (i for i, (_row, cells) in enumerate(rows) if tuple(cells[:width]) == tuple(headers)),
        None,
    )
    if at is None:
        return [
            _("{file}: no header row; the list must have the columns {columns}").format(
                file=table.name, columns=", ".join(headers)
            )
        ]
    # Title rows are what alloc writes above an .xlsx list; a list without any
    # (CSV, or a library caller's) is as good, but an edited title is not. A
    # rehearsal's list has its banner first in either form.
    first = [banner] if banner else []
    wanted_titles = first + list(titles) if at > len(first) else first
    found_titles = [cells[0] if cells else "" for _row, cells in rows[:at]]
    for number, (row_number, cells) in enumerate(rows[:at]):
        if number >= len(wanted_titles):
            problems.append(
                _("{file} row {row}: a row above the header that no list has").format(
                    file=table.name, row=row_number
                )
            )
        elif found_titles[number] != wanted_titles[number] or any(cells[1:]):
            problems.append(
                _(
                    "{file} row {row}: the title reads {found!r}, the results give {wanted!r}"
                ).format(
                    file=table.name,
                    row=row_number,
                    found=found_titles[number],
                    wanted=wanted_titles[number],
                )
            )
    if len(found_titles) < len(wanted_titles):
        problems.append(
            _("{file}: title {title!r} is missing above the header").format(
                file=table.name, title=wanted_titles[len(found_titles)]
            )
        )
    public = [i for i, header in enumerate(headers) if header not in _MASKS]
    masks = [i for i, header in enumerate(headers) if header in _MASKS]
    body = rows[at + 1 :]
    for index, (row_number, cells) in enumerate(body):
        padded = tuple(cells) + ("",) * (width - len(cells))
        if any(padded[width:]):
            problems.append(
                _("{file} row {row}: cells beyond the list's columns").format(
                    file=table.name, row=row_number
                )
            )
        got = tuple(padded[i] for i in public)
        reg = padded[headers.index(REGISTRATION)]
        if index >= len(expected):
            problems.append(
                _(
                    "{file} row {row}: a row the results do not have (registration number"
                    " {registration}; {where})"
                ).format(
                    file=table.name,
                    row=row_number,
                    registration=reg,
                    where=_where(outcome, reg),
                )
            )
            continue
        want = tuple(_text(v) for v in expected[index])
        wanted_reg = want[public.index(headers.index(REGISTRATION))]
        if wanted_reg != reg:
            problems.append(
                _(
                    "{file} row {row}: registration number {registration} where the results"
                    " have {wanted} ({where})"
                ).format(
                    file=table.name,
                    row=row_number,
                    registration=reg,
                    wanted=wanted_reg,
                    where=_where(outcome, reg),
                )
            )
        elif got != want:
            wrong = [
                _("{column} is {found!r}, the results give {wanted!r}").format(
                    column=headers[public[i]], found=got[i], wanted=want[i]
                )
                for i in range(len(want))
                if got[i] != want[i]
            ]
            problems.append(
                _("{file} row {row} ({registration}): {differences}").format(
                    file=table.name,
                    row=row_number,
                    registration=reg,
                    differences=pgettext("list of notes", "; ").join(wrong),
                )
            )
        for i in masks:
            # Every mask hides at least one character; the value is never repeated.
            if "*" not in padded[i]:
                problems.append(
                    _(
                        "{file} row {row}: column {column} is not masked (value withheld:"
                        " personal data)"
                    ).format(file=table.name, row=row_number, column=headers[i])
                )
    if len(body) < len(expected):
        missing = expected[len(body)]
        reg = str(missing[public.index(headers.index(REGISTRATION))])
        problems.append(
            _(
                "{file}: {count} row(s) missing at the end, the first for registration number"
                " {registration} ({where})"
            ).format(
                file=table.name,
                count=len(expected) - len(body),
                registration=reg,
                where=_where(outcome, reg),
            )
        )
    return problems


def _check(name: str, problems: Sequence[str], passed: str) -> Check:
    if not problems:
        return Check(name, True, passed)
    shown = list(problems[:_LISTED])
    if len(problems) > _LISTED:
        shown.append(_("and {count} more").format(count=len(problems) - _LISTED))
    error = NoticeMismatchError(
        _("{count} difference(s) from the verified results: {differences}").format(
            count=len(problems), differences=pgettext("list of notes", "; ").join(shown)
        )
    )
    return Check(name, False, str(error), error)


def check_published_lists(
    lists: PublishedLists, *, outcome: Outcome, heading: NoticeHeading
) -> tuple[Check, ...]:
    """Check published notice lists and waitlists against the verified outcome; never raises.

    Two checks: ``notice lists`` (every kindergarten has a list and every
    list matches its rows of :func:`notice_rows`, with the titles of
    ``heading`` in a titled format) and ``waitlists`` (the file of every
    waitlist matches :func:`waitlist_rows`). A failed check's error is a
    :class:`~alloc.errors.NoticeMismatchError` naming each file and row.
    """
    ranks = draw_ranks(outcome)
    independent = outcome.rules.mechanism is Mechanism.INDEPENDENT
    problems: list[str] = []
    problems += [
        _("no notice list for kindergarten {kindergarten}").format(kindergarten=kg)
        for kg in lists.missing
    ]
    problems += [
        _("{file}: not the list of any kindergarten of the rules").format(file=name)
        for name in lists.unexpected
    ]
    files = rows = 0
    for kg in outcome.rules.kindergartens:
        tables = lists.notices.get(kg.id, ())
        if not tables:
            continue
        expected = notice_rows(outcome, kg.id, ranks=ranks)
        titles = heading.notice_titles(kg, independent=independent)
        for table in tables:
            files += 1
            rows += len(expected)
            problems += _compare(table, NOTICE_HEADERS, titles, expected, outcome, heading.banner)
    notice_check = _check(
        "notice lists",
        problems,
        _(
            "{files} notice lists for {kindergartens} kindergartens, {rows} rows, match the"
            " results (masked names and ID numbers are masks)"
        ).format(files=files, kindergartens=len(outcome.rules.kindergartens), rows=rows),
    )
    waitlist_problems: list[str] = []
    expected = waitlist_rows(outcome, ranks=ranks)
    if not lists.waitlists:
        waitlist_problems.append(_("no waitlists file (waitlists.csv or waitlists.xlsx)"))
    for table in lists.waitlists:
        waitlist_problems += _compare(
            table, WAITLIST_HEADERS, heading.waitlist_titles(), expected, outcome, heading.banner
        )
    waitlist_check = _check(
        "waitlists",
        waitlist_problems,
        _("{files} waitlists file(s), {rows} rows, match the results").format(
            files=len(lists.waitlists), rows=len(expected)
        ),
    )
    return notice_check, waitlist_check


def _envelope(document: Envelope | bytes, kind: str) -> Envelope:
    if isinstance(document, Envelope):
        return document
    return Envelope.from_bytes(document, expected_type=kind)


def check_publication(
    lists: PublishedLists | AllocError,
    *,
    report: VerificationReport,
    rules: DrawRules,
    records: Sequence[bytes] | LineSource,
    announcement: Envelope | bytes,
    transcript: Envelope | bytes,
) -> VerificationReport:
    """``report`` with the checks of the published lists added; never raises.

    ``lists`` are the lists as read, or the error reading them gave (a
    failed check). The lists are compared with the draw re-run from the
    records and the transcript's seed, once ``report``'s own re-run has
    passed; before that they are not checked, and say so. ``records`` may be
    a file read chunk by chunk (:class:`alloc.io.LineFile`), as
    :func:`alloc.audit.check_transcript` reads it.
    """
    rerun = next((c for c in report.checks if c.name == "re-run"), None)
    if isinstance(lists, AllocError):
        checks: tuple[Check, ...] = (Check("notice lists", False, str(lists), lists),)
    elif rerun is None or not rerun.passed:
        error = NoticeMismatchError(
            _(
                "not checked: the results themselves did not verify, so there is nothing to"
                " compare the lists with"
            )
        )
        checks = (Check("notice lists", False, str(error), error),)
    else:
        try:
            seed = Transcript.from_envelope(_envelope(transcript, "transcript")).seed
            outcome = draw(rules, parse_record_lines(records), seed)
            notice = Announcement.from_envelope(_envelope(announcement, "announcement"))
            heading = NoticeHeading.of(rules, notice)
        except AllocError as exc:
            checks = (Check("notice lists", False, str(exc), exc),)
        else:
            checks = check_published_lists(lists, outcome=outcome, heading=heading)
    return replace(report, checks=(*report.checks, *checks))

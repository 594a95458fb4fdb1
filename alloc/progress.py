"""Progress of long steps, for whoever shows it (the command line draws bars).

Library functions that can take more than a second at province scale accept a
keyword-only ``progress`` callback, called as ``progress(task, done, total)``
with counts that only grow and end at ``total`` (``total`` is 0 when it is
not known in advance). The core never imports a progress-bar library: the
callback decides what to show, so a portal can feed its own progress page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from enum import Enum
from typing import TypeVar

from alloc.i18n import N_, _

__all__ = ["Progress", "Task", "advance", "tracked"]

_T = TypeVar("_T")


class Task(Enum):
    """A long step; the value is what a person is told, in English (:attr:`text` translates)."""

    READ_SPREADSHEET = N_("reading the spreadsheet")
    COMMIT_RECORDS = N_("committing to the records")
    DRAW = N_("drawing")
    RESULTS = N_("committing to the results")
    VERIFY = N_("verifying")
    NOTICE_LISTS = N_("writing the notice lists")
    REPORT = N_("writing the report")

    @property
    def text(self) -> str:
        """What a person is told, in the current language (:mod:`alloc.i18n`)."""
        return _(self.value)


#: ``progress(task, done, total)``; never expected to raise.
Progress = Callable[[Task, int, int], None]

#: Calls per task at most (besides the first and the last): a callback that
#: redraws a bar costs nothing next to the work at this rate.
_STEPS = 200


def advance(progress: Progress | None, task: Task, done: int, total: int) -> None:
    """Tell ``progress`` (if any) that ``done`` of ``total`` are finished."""
    if progress is not None:
        progress(task, done, total)


def tracked(items: Sequence[_T], progress: Progress | None, task: Task) -> Iterator[_T]:
    """Iterate over ``items``, telling ``progress`` about every 0.5% of the way and at the end."""
    total = len(items)
    if progress is None:
        yield from items
        return
    every = max(1, -(-total // _STEPS))  # rounded up: at most _STEPS calls on the way
    progress(task, 0, total)
    for done, item in enumerate(items, start=1):
        yield item
        if done % every == 0 or done == total:
            progress(task, done, total)

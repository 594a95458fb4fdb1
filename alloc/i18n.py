"""Languages: Chinese (zh-CN) by default, English available.

Every message alloc shows a person (errors, hints, command output, help) is
written in English in the code, as a gettext message id, and translated by
the catalog shipped with alloc (``alloc/locale/zh_CN/LC_MESSAGES/alloc.mo``,
compiled from ``alloc.po`` beside it). A message is rendered in the language
that is current when it is made: an error's text is fixed when it is raised,
so code that catches it and shows it later shows what was made.

The current language is, in order: the innermost :func:`override_language`
block, the language given to :func:`set_language`, the environment variable
``ALLOC_LANG`` (``zh-CN`` or ``en``), and zh-CN. :func:`override_language`
holds for the current thread or asyncio task only (a thread started inside
it starts with the process's language); :func:`set_language` holds for the
whole process. Machine-readable output never depends on the language: every
:class:`~alloc.errors.AllocError` carries a stable ``code`` (``docs/errors.md``
lists them) that a portal can translate from.

Messages are complete sentences with named placeholders, formatted after
translation (``_("row {row}: ...").format(row=row)``), so a translation can
put the parts in its own order.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import functools
import gettext
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "ENVIRONMENT_VARIABLE",
    "LOCALE_DIR",
    "N_",
    "Language",
    "_",
    "argparse_in_current_language",
    "get_language",
    "ngettext",
    "override_language",
    "parse_language",
    "pgettext",
    "set_language",
]


class Language(enum.Enum):
    """A language alloc speaks; its value is the tag the CLI's ``--lang`` takes."""

    ZH_CN = "zh-CN"
    EN = "en"


DEFAULT_LANGUAGE: Final = Language.ZH_CN
#: The environment variable naming the language when nothing else does.
ENVIRONMENT_VARIABLE: Final = "ALLOC_LANG"
#: The gettext domain: the catalogs are ``LOCALE_DIR/<locale>/LC_MESSAGES/alloc.mo``.
DOMAIN: Final = "alloc"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"

# Tags are compared lower-cased with "_" read as "-": zh_CN, zh-cn and zh all mean zh-CN.
_TAGS: Final = {
    "zh-cn": Language.ZH_CN,
    "zh": Language.ZH_CN,
    "zh-hans": Language.ZH_CN,
    "zh-hans-cn": Language.ZH_CN,
    "en": Language.EN,
    "en-us": Language.EN,
    "en-gb": Language.EN,
}
# The gettext locale of each language's catalog; English is the message ids themselves.
_LOCALES: Final = {Language.ZH_CN: "zh_CN"}

_process_language: Language | None = None
_override: contextvars.ContextVar[Language | None] = contextvars.ContextVar(
    "alloc_language", default=None
)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for the catalog without translating it (for constants).

    The constant is translated where it is used, with :func:`_`, so that it is
    rendered in the language current at that moment.
    """
    return message


def _tag(value: str) -> Language | None:
    return _TAGS.get(value.strip().lower().replace("_", "-"))


def parse_language(value: Language | str) -> Language:
    """``value`` as a :class:`Language`: a member, or a tag such as ``zh-CN``, ``zh``, ``en``.

    Raises:
        InputError: (code ``i18n.unknown-language``) for any other value.
    """
    if isinstance(value, Language):
        return value
    found = _tag(value) if isinstance(value, str) else None
    if found is None:
        from alloc.errors import InputError  # noqa: PLC0415 - errors imports this module

        raise InputError(
            _("unknown language"),
            code="i18n.unknown-language",
            field="language",
            value=value if isinstance(value, str) else None,
            hint=_("use zh-CN (Chinese, the default) or en (English)"),
        )
    return found


def _environment_language() -> Language:
    # An unknown value falls back to the default here, where raising would
    # break every message; the command line refuses it with an error.
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    return (_tag(value) if value else None) or DEFAULT_LANGUAGE


def get_language() -> Language:
    """The language messages are rendered in now (see the module's docstring)."""
    return _override.get() or _process_language or _environment_language()


def set_language(language: Language | str | None) -> None:
    """Render messages in ``language`` from now on, in the whole process.

    ``None`` goes back to ``ALLOC_LANG`` or the default (zh-CN).

    Raises:
        InputError: for a language alloc does not speak (:func:`parse_language`).
    """
    global _process_language  # noqa: PLW0603 - the process's one setting, as documented
    _process_language = None if language is None else parse_language(language)


@contextlib.contextmanager
def override_language(language: Language | str) -> Iterator[Language]:
    """Render messages in ``language`` inside the ``with`` block (this thread or task).

    Raises:
        InputError: for a language alloc does not speak (:func:`parse_language`).
    """
    token = _override.set(parse_language(language))
    try:
        yield get_language()
    finally:
        _override.reset(token)


@functools.cache
def _translations(language: Language) -> gettext.NullTranslations:
    locale = _LOCALES.get(language)
    if locale is None:
        return gettext.NullTranslations()
    # The catalog ships with alloc; tests/test_i18n.py checks that it is complete.
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[locale])


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translations(get_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """``singular`` or ``plural``, as ``count`` asks, in the current language."""
    return _translations(get_language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where ``context`` tells two uses apart."""
    return _translations(get_language()).pgettext(context, message)


def _argparse_messages() -> tuple[str, ...]:
    """argparse's own words a person sees (usage:, options:, error: ...), for the catalog.

    argparse looks them up with its module's ``_`` and ``ngettext`` at the
    moment it uses them, so :func:`argparse_in_current_language` translates
    them through alloc's catalog. tests/test_i18n.py checks that each is
    still what argparse says.
    """
    return (
        N_("usage: "),
        N_("positional arguments"),
        N_("options"),
        N_("show this help message and exit"),
        N_("%(prog)s: error: %(message)s\n"),
        N_("argument %(argument_name)s: %(message)s"),
        N_("unrecognized arguments: %s"),
        N_("ambiguous option: %(option)s could match %(matches)s"),
        N_("invalid choice: %(value)r (choose from %(choices)s)"),
        N_("can't open '%(filename)s': %(error)s"),
        N_("expected one argument"),
        N_("expected at most one argument"),
        N_("expected at least one argument"),
        N_("invalid %(type)s value: %(value)r"),
        N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
        N_("the following arguments are required: %s"),
        N_("one of the arguments %s is required"),
        N_("not allowed with argument %s"),
        N_("ignored explicit argument %r"),
        ngettext("expected %s argument", "expected %s arguments", 1),
    )


@contextlib.contextmanager
def argparse_in_current_language() -> Iterator[None]:
    """argparse speaks the current language inside the block (the command line's own parser).

    argparse has no translation setting of its own: it calls its module's
    ``_`` and ``ngettext``, which are replaced for the block and put back after.
    """
    import argparse  # noqa: PLC0415 - only the command line needs it

    module = vars(argparse)
    saved = module["_"], module["ngettext"]
    module["_"], module["ngettext"] = _, ngettext
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved

"""alloc's message catalog: extract, update, compile, check (needs Babel: the dev extra).

Run from the repository's root::

    python tools/i18n.py update    # new messages into alloc.po, compile alloc.mo, docs/errors.md
    python tools/i18n.py check     # what tests/test_i18n.py checks; exit 1 on any problem
    python tools/i18n.py untranslated  # text a person reads that no translation reaches

``update`` extracts every message marked with ``_``, ``N_``, ``ngettext`` or
``pgettext`` in ``alloc/`` (with Babel), merges them into
``alloc/locale/zh_CN/LC_MESSAGES/alloc.po`` keeping every translation, drops
messages no longer in the code, and lists the messages still to translate.
Then translate them in the .po (empty ``msgstr``) and run ``update`` again:
it compiles ``alloc.mo``, the file alloc reads at run time, and rewrites
``docs/errors.md`` (:mod:`errors_doc`). Babel is needed only here and in the
tests, never to run alloc.
"""

from __future__ import annotations

import ast
import io
import re
import string
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

__all__ = [
    "CATALOG",
    "MO_FILE",
    "ROOT",
    "compile_catalog",
    "extract",
    "placeholder_problems",
    "read_catalog",
    "untranslated",
    "untranslated_text",
    "update",
]

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "alloc" / "locale" / "zh_CN" / "LC_MESSAGES" / "alloc.po"
MO_FILE = CATALOG.with_suffix(".mo")
_HEADER = """\
# Chinese (zh-CN) messages of alloc: every message a person reads.
# The message ids are alloc's English messages; tools/i18n.py keeps this file
# in step with the code and compiles alloc.mo from it.
#"""


def extract() -> Catalog:
    """Every message marked in ``alloc/``, as a template catalog (no translations)."""
    template = Catalog(domain="alloc", project="alloc", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "alloc",
        method_map=[("**.py", "python")],
        keywords=DEFAULT_KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(
            message,
            locations=[(f"alloc/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read_catalog(path: Path = CATALOG) -> Catalog:
    """The Chinese catalog as committed."""
    with path.open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain="alloc")


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    # Sorted, with files but no line numbers: moving code does not touch the catalog.
    write_po(out, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True)
    return out.getvalue()


def compile_catalog(catalog: Catalog) -> bytes:
    """The .mo bytes of ``catalog`` (fuzzy translations left out, as gettext does)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _translations(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _ids(message: Message) -> tuple[str, ...]:
    value = message.id
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def untranslated(catalog: Catalog) -> list[Message]:
    """Messages with an empty (or fuzzy) translation."""
    return [
        m
        for m in catalog
        if m.id and (m.fuzzy or not all(text.strip() for text in _translations(m)))
    ]


_PERCENT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def _placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Named ``{name}`` fields, and %-style fields (argparse's own messages)."""
    try:
        names = frozenset(
            field.split(".")[0].split("[")[0]
            for _literal, field, _spec, _conv in string.Formatter().parse(text)
            if field is not None
        )
    except ValueError:
        names = frozenset({"<unbalanced braces>"})
    percent = tuple(
        sorted(
            m.group(0) if m.group(1) is None else m.group(1)
            for m in _PERCENT.finditer(text)
            if m.group(0) != "%%"
        )
    )
    return names, percent


def placeholder_problems(catalog: Catalog) -> Iterator[str]:
    """Each translation whose placeholders differ from its message id's."""
    for message in catalog:
        if not message.id:
            continue
        expected = _placeholders(_ids(message)[-1])
        for text in _translations(message):
            if text and _placeholders(text) != expected:
                yield f"{_ids(message)[0]!r}: placeholders {_placeholders(text)} != {expected}"


#: Calls whose arguments a person reads: console output, errors made by helpers, help.
_SINKS = frozenset(
    {
        "say",
        "step",
        "notice",
        "print",
        "error",
        "problem",
        "refuse",
        "_require",
        "_row_error",
        "_confirm",
        "add_argument",
        "add_parser",
        "command",
        "group",
    }
)
#: Keyword arguments a person reads, whatever the call.
_TEXT_KEYWORDS = frozenset(
    {"hint", "help", "description", "epilog", "about", "problem", "message", "what", "document"}
)
#: Keyword arguments that hold names, paths or values, never prose.
_NOT_TEXT = frozenset(
    {"field", "value", "source", "code", "sheet", "column", "header", "row", "path", "file"}
)
#: Two words in a row: prose, where a file name (``rules.json``) or a key is one word.
_PROSE = re.compile(r"[A-Za-z]{2,}[,:;.!?]? +[A-Za-z]|[A-Za-z][,:;.!?]? +[A-Za-z]{2,}")


def _prose(node: ast.expr) -> str | None:
    """The English prose ``node`` spells out, if it is a literal or an f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if _PROSE.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in node.values)
        return text if _PROSE.search(text.replace("{…}", " ")) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _prose(node.left) or _prose(node.right)
    return None


def untranslated_text() -> list[str]:
    """Each place in ``alloc/`` that hands English prose to a person without ``_()``.

    Looks at the arguments of calls that print, make an error through a
    helper or describe an option (:data:`_SINKS`), and at keyword arguments
    such as ``hint=`` anywhere; the error classes themselves are held to
    their codes and messages by tests/test_error_codes.py. Pages that show
    Chinese and English side by side (report, certificate, notice lists) are
    checked on the rendered page instead (tests/test_i18n.py).
    """
    found = []
    for path in sorted((ROOT / "alloc").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            arguments: list[ast.expr] = []
            if name in _SINKS:
                arguments += node.args
                arguments += [k.value for k in node.keywords if k.arg not in _NOT_TEXT]
            else:
                arguments += [k.value for k in node.keywords if k.arg in _TEXT_KEYWORDS]
            for argument in arguments:
                text = _prose(argument)
                if text is not None:
                    where = f"alloc/{path.name}:{argument.lineno} {name}"
                    found.append(f"{where}: {text!r}")
    return found


def update() -> list[Message]:
    """Merge the code's messages into the catalog, compile it; returns those to translate."""
    template = extract()
    if CATALOG.exists():
        catalog = read_catalog()
    else:
        catalog = Catalog(locale="zh_CN", domain="alloc", project="alloc", fuzzy=False)
        CATALOG.parent.mkdir(parents=True, exist_ok=True)
    catalog.header_comment = _HEADER
    catalog.project, catalog.version = "alloc", "catalog"
    catalog.msgid_bugs_address = catalog.last_translator = "alloc developers"
    catalog.language_team = "alloc developers"
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    CATALOG.write_bytes(_po_bytes(catalog))
    catalog = read_catalog()
    MO_FILE.write_bytes(compile_catalog(catalog))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import errors_doc  # noqa: PLC0415 - a sibling script

    errors_doc.write()
    return untranslated(catalog)


def _check() -> list[str]:
    problems = []
    catalog = read_catalog()
    known = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog}
    for message in extract():
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        if key not in known:
            problems.append(f"not in the catalog: {key[0]!r}")
    problems += [f"not translated: {m.id!r}" for m in untranslated(catalog)]
    problems += list(placeholder_problems(catalog))
    if not MO_FILE.exists() or MO_FILE.read_bytes() != compile_catalog(catalog):
        problems.append(f"{MO_FILE} is not the compiled catalog: run `python tools/i18n.py update`")
    return problems


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        todo = update()
        for message in todo:
            print(f"to translate: {message.id!r}")
        print(f"{CATALOG.relative_to(ROOT)}: {len(todo)} messages to translate")
        return 1 if todo else 0
    if argv == ["untranslated"]:
        text = untranslated_text()
        for line in text:
            print(line)
        return 1 if text else 0
    if argv == ["check"]:
        problems = _check() + untranslated_text()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""docs/errors.md from the code: every error code with its messages in Chinese and English.

Run ``python tools/errors_doc.py`` (``python tools/i18n.py update`` runs it too);
tests/test_error_codes.py checks that docs/errors.md is what this writes, and
uses :func:`error_calls` to hold every raise site in ``alloc/`` to a code.

An error's code is found where it is made: a call of an alloc error class,
or of any helper, with ``code="..."`` (a literal); a call of an error class
without one uses the class's default code. Its messages are the ``_()``,
``N_()`` or ``ngettext()`` message ids among the call's arguments (directly,
formatted with ``.format``, or through a module constant marked with ``N_``);
the Chinese is the catalog's translation of each.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "errors.md"
sys.path.insert(0, str(ROOT))

import alloc  # noqa: E402 - after the path, so the checkout's alloc is documented
from alloc.errors import AllocError  # noqa: E402

__all__ = [
    "CODE_FORM",
    "DOC",
    "ErrorCall",
    "error_calls",
    "error_classes",
    "render",
    "table_codes",
    "write",
]

_MESSAGE_FUNCTIONS = {"_", "N_", "gettext"}


def error_classes() -> dict[str, type[AllocError]]:
    """Every AllocError subclass defined in alloc, by class name."""
    for module in pkgutil.iter_modules(alloc.__path__):
        if module.name != "__main__":
            importlib.import_module(f"alloc.{module.name}")
    found: dict[str, type[AllocError]] = {}
    stack: list[type[AllocError]] = [AllocError]
    while stack:
        kind = stack.pop()
        if kind.__module__.startswith("alloc"):
            found[kind.__name__] = kind
        stack.extend(kind.__subclasses__())
    return found


@dataclass(frozen=True)
class ErrorCall:
    """A place in alloc's code that makes an error: the class or helper called, the code."""

    path: str
    line: int
    callee: str
    error_class: type[AllocError] | None
    code_given: bool  # a ``code=`` keyword is passed (a literal or not)
    #: How the code is given: "literal", "passed-on" (``exc.code`` of a caught error),
    #: "parameter" (a helper's own argument), "other" (computed), or "" if none is.
    code_form: str
    codes: tuple[str, ...]  # the literal codes given (two for ``"a" if x else "b"``)
    messages: tuple[tuple[str, ...], ...]  # message ids (a plural is a pair)
    plain_text: tuple[str, ...]  # arguments given as untranslated text: "message", "hint"


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _constants(tree: ast.Module) -> dict[str, list[tuple[str, ...]]]:
    """Module constants marked for translation: ``NAME = N_("...")``."""
    found = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.expr):
            messages = _messages(value, {})
            if messages:
                found[target.id] = messages
    return found


def _messages(node: ast.expr, constants: dict[str, list[tuple[str, ...]]]) -> list[tuple[str, ...]]:
    """The message ids ``node`` renders, in the forms the module docstring lists.

    Only the outer message: the values formatted into it are not messages of their own.
    """
    if isinstance(node, ast.IfExp):
        return _messages(node.body, constants) + _messages(node.orelse, constants)
    if isinstance(node, ast.BoolOp):
        return [m for value in node.values for m in _messages(value, constants)]
    if isinstance(node, ast.Name):
        return list(constants.get(node.id, []))
    if not isinstance(node, ast.Call):
        return []
    name = _callee(node)
    if name == "format" and isinstance(node.func, ast.Attribute):
        return _messages(node.func.value, constants)
    strings = [a.value for a in node.args if isinstance(a, ast.Constant)]
    if name in _MESSAGE_FUNCTIONS and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return [(first.value,)]
        return _messages(first, constants)
    if name == "ngettext" and len(strings) >= 2:
        return [(str(strings[0]), str(strings[1]))]
    if name == "pgettext" and len(strings) >= 2:
        return [(str(strings[1]),)]
    return []


def _is_plain_text(node: ast.expr) -> bool:
    """Text a person reads that no translation reaches: a literal, an f-string, a sum of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        # Text joined or %-formatted; a path built with ``/`` is no text.
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    return False


def error_calls() -> Iterator[ErrorCall]:
    """Every call in alloc/ that makes an error or passes a ``code``."""
    classes = error_classes()
    for path in sorted((ROOT / "alloc").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        calls = sorted(
            (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for node in calls:
            name = _callee(node)
            kind = classes.get(name or "")
            code_node = next((k.value for k in node.keywords if k.arg == "code"), None)
            if kind is None and code_node is None:
                continue
            codes = tuple(
                node.value
                for node in (
                    [code_node.body, code_node.orelse]
                    if isinstance(code_node, ast.IfExp)
                    else [code_node]
                )
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            )
            if code_node is None:
                form = ""
            elif codes:
                form = "literal"
            elif isinstance(code_node, ast.Attribute) and code_node.attr == "code":
                form = "passed-on"
            elif isinstance(code_node, ast.Name):
                form = "parameter"
            else:
                form = "other"
            plain = []
            if kind is not None and node.args and _is_plain_text(node.args[0]):
                plain.append("message")
            for keyword in node.keywords:
                if keyword.arg in {"hint", "problem"} and _is_plain_text(keyword.value):
                    plain.append(keyword.arg)
            # The message is the first argument holding one (a hint or a value is not).
            arguments = [
                *node.args,
                *(k.value for k in node.keywords if k.arg in {"problem", "message"}),
            ]
            messages: list[tuple[str, ...]] = []
            for argument in arguments:
                for found in _messages(argument, constants):
                    if found not in messages:
                        messages.append(found)
                if messages:
                    break
            yield ErrorCall(
                path=str(path.relative_to(ROOT)),
                line=node.lineno,
                callee=name or "?",
                error_class=kind,
                code_given=code_node is not None,
                code_form=form,
                codes=codes,
                messages=tuple(messages),
                plain_text=tuple(plain),
            )


#: A code as a literal: short dotted lower-case words (``import.missing-column``).
CODE_FORM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+")


def table_codes() -> Iterator[tuple[str, tuple[str, ...]]]:
    """Codes kept in tables beside their message: a tuple literal holding a marked
    message (``N_("...")``) and a code-shaped string, such as io's ``_KIND_PROBLEMS``."""
    for path in sorted((ROOT / "alloc").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Tuple):
                continue
            codes = [
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant)
                and isinstance(e.value, str)
                and CODE_FORM.fullmatch(e.value)
            ]
            messages = [m for e in node.elts for m in _messages(e, {})]
            if len(codes) == 1 and messages:
                yield codes[0], messages[0]


def _catalog() -> dict[tuple[str, ...], str]:
    tools = Path(__file__).resolve().parent
    sys.path.insert(0, str(tools))
    from i18n import read_catalog  # noqa: PLC0415 - a sibling script

    found = {}
    for message in read_catalog():
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        text = message.string if isinstance(message.string, str) else message.string[0]
        found[ids] = text
    return found


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def render() -> str:
    """The text of docs/errors.md."""
    catalog = _catalog()
    classes = error_classes()
    entries: dict[str, dict[str, list[tuple[str, ...]] | set[str]]] = {}

    def entry(code: str) -> dict[str, list[tuple[str, ...]] | set[str]]:
        return entries.setdefault(code, {"classes": set(), "messages": []})

    for kind in classes.values():
        entry(kind.code)["classes"].add(kind.__name__)  # type: ignore[union-attr]
    for call in error_calls():
        codes = call.codes
        if not call.code_given and call.error_class is not None:
            codes = (call.error_class.code,)
        for code in codes:
            found = entry(code)
            if call.error_class is not None:
                found["classes"].add(call.error_class.__name__)  # type: ignore[union-attr]
            for message in call.messages:
                if message not in found["messages"]:
                    found["messages"].append(message)  # type: ignore[union-attr]
    for code, message in table_codes():
        found = entry(code)
        if message not in found["messages"]:
            found["messages"].append(message)  # type: ignore[union-attr]
    lines = [
        "# Error codes",
        "",
        "<!-- Generated by tools/errors_doc.py from alloc's code and its Chinese catalog;",
        "     do not edit: run `python tools/i18n.py update`. -->",
        "",
        "Every error alloc raises carries a stable `code`: a program (an enrolment",
        "portal, a script reading `alloc --json`) tells errors apart by it and",
        "translates from it, never from the text. A code is dotted and short, names one",
        "situation, and is never reused for another. With `--json` a failed command",
        "prints `code`, `message` and, for bad input, `field`, `row`, `column`, `sheet`,",
        "`source`, `value` (never for personal data) and `hint`; a spreadsheet with",
        "several problems lists each under `problems`. Messages are in Chinese by",
        "default (`--lang en` or `ALLOC_LANG=en` for English); `{name}` stands for a",
        "value filled in when the error is raised. A code listed without a message is",
        "a class's default, raised with messages composed where the error is found.",
        "",
    ]
    groups: dict[str, list[str]] = {}
    for code in sorted(entries):
        groups.setdefault(code.split(".")[0], []).append(code)
    for group, codes in groups.items():
        lines += [f"## {group}", "", "| code | class | 中文 | English |", "|---|---|---|---|"]
        for code in codes:
            found = entries[code]
            names = ", ".join(f"`{n}`" for n in sorted(found["classes"]))  # type: ignore[arg-type]
            messages = list(found["messages"])  # type: ignore[arg-type]
            zh = "<br>".join(_cell(catalog.get(m, "")) for m in messages)
            en = "<br>".join(_cell(m[0]) for m in messages)
            lines.append(f"| `{code}` | {names} | {zh} | {en} |")
        lines.append("")
    return "\n".join(lines)


def write() -> None:
    """Write docs/errors.md."""
    DOC.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    write()

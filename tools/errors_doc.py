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
import inspect
import pkgutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "errors.md"
sys.path.insert(0, str(ROOT))

import alloc  # noqa: E402 - after the path, so the checkout's alloc is documented
from alloc.errors import AllocError  # noqa: E402

__all__ = ["DOC", "ErrorCall", "error_calls", "error_classes", "render", "write"]

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
    code: str | None  # the literal given, None if none is
    messages: tuple[tuple[str, ...], ...]  # message ids (a plural is a pair)


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _constants(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """Module constants marked for translation: ``NAME = N_("...")``."""
    found = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.expr):
            message = _message(value, {})
            if message is not None:
                found[target.id] = message
    return found


def _message(node: ast.expr, constants: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The message id ``node`` renders, if it is one of the forms the module docstring lists."""
    if isinstance(node, ast.Call):
        name = _callee(node)
        if name == "format" and isinstance(node.func, ast.Attribute):
            return _message(node.func.value, constants)
        strings = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if name in _MESSAGE_FUNCTIONS and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return (first.value,)
            if isinstance(first, ast.Name) and first.id in constants:
                return constants[first.id]
        if name == "ngettext" and len(strings) >= 2:
            return (str(strings[0]), str(strings[1]))
        if name == "pgettext" and len(strings) >= 2:
            return (str(strings[1]),)
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    return None


def error_calls() -> Iterator[ErrorCall]:
    """Every call in alloc/ that makes an error or passes a ``code``."""
    classes = error_classes()
    for path in sorted((ROOT / "alloc").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _callee(node)
            kind = classes.get(name or "")
            code_node = next((k.value for k in node.keywords if k.arg == "code"), None)
            if kind is None and code_node is None:
                continue
            code = (
                code_node.value
                if isinstance(code_node, ast.Constant) and isinstance(code_node.value, str)
                else None
            )
            # The message is the first argument holding one (a hint or a value is not).
            arguments = [
                *node.args,
                *(k.value for k in node.keywords if k.arg in {"problem", "message"}),
            ]
            messages: list[tuple[str, ...]] = []
            for argument in arguments:
                for inner in ast.walk(argument):
                    if isinstance(inner, ast.expr):
                        found = _message(inner, constants)
                        if found is not None and found not in messages:
                            messages.append(found)
                if messages:
                    break
            yield ErrorCall(
                path=str(path.relative_to(ROOT)),
                line=node.lineno,
                callee=name or "?",
                error_class=kind,
                code=code,
                messages=tuple(messages),
            )


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
        code = call.code or (call.error_class.code if call.error_class else None)
        if code is None:
            continue
        found = entry(code)
        if call.error_class is not None:
            found["classes"].add(call.error_class.__name__)  # type: ignore[union-attr]
        for message in call.messages:
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

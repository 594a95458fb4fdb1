"""Every ```python example in the README runs as written and passes ``mypy --strict``.

The examples are what a developer copies first, so each one is a complete
program: it is written to a file, run in a fresh interpreter, and type-checked
with the project's own mypy settings. The shell walkthroughs are tested in
``test_walkthrough.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from alloc import ticket

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def python_examples() -> list[str]:
    """The README's ```python blocks, in order."""
    return _BLOCK.findall(README.read_text(encoding="utf-8"))


EXAMPLES = python_examples()


def _write(directory: Path, index: int, code: str) -> Path:
    path = directory / f"readme_example_{index}.py"
    path.write_text(code, encoding="utf-8")
    return path


def test_the_readme_has_its_library_examples() -> None:
    # A guard against the extraction silently finding nothing.
    assert len(EXAMPLES) >= 3
    assert any("from alloc import" in code for code in EXAMPLES)


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_each_example_runs(index: int, tmp_path: Path) -> None:
    code = EXAMPLES[index]
    for elision in ("...", "…"):
        assert elision not in code, "an example must be complete, not a fragment"
    path = _write(tmp_path, index, code)
    run = subprocess.run(
        [sys.executable, str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip(), "every example prints what it shows"


def test_the_parents_lottery_number_needs_no_alloc_and_agrees_with_it(tmp_path: Path) -> None:
    (code,) = [c for c in EXAMPLES if "import hmac" in c and "alloc import" not in c]
    run = subprocess.run(
        [sys.executable, str(_write(tmp_path, 0, code))],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    seed = re.search(r'bytes\.fromhex\("([0-9a-f]{64})"\)', code)
    assert seed is not None
    expected = ticket(seed.group(1), "2026-example-district", "2026-0000011").hex()
    assert run.stdout.strip() == expected


def test_the_examples_pass_mypy_strict(tmp_path: Path) -> None:
    if os.environ.get("CI") != "true":
        pytest.importorskip("mypy", reason="mypy is in the dev extra: pip install -e '.[dev]'")
    from mypy import api  # noqa: PLC0415 - only this test needs mypy

    paths = [str(_write(tmp_path, i, code)) for i, code in enumerate(EXAMPLES)]
    # Run from the repository so the project's [tool.mypy] settings and cache apply.
    here = Path.cwd()
    os.chdir(README.parent)
    try:
        out, err, status = api.run(["--strict", "--no-error-summary", *paths])
    finally:
        os.chdir(here)
    assert status == 0, out + err

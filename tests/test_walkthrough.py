"""The README's walkthroughs run exactly as written, as a new user would type them.

The fenced ``sh`` blocks marked ``<!-- walkthrough: ... -->`` in README.md are
run in order, in one shell, in a copy of the examples, with the ``alloc`` of
this interpreter first on the PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!-- walkthrough: (?P<name>[\w-]+) -->\s*```sh\n(?P<body>.*?)```", re.S)


def walkthrough_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m["name"], m["body"]) for m in MARKER.finditer(text)]


def test_the_readme_has_the_walkthroughs() -> None:
    names = [name for name, _ in walkthrough_blocks()]
    assert names == ["operator", "parent", "notary", "notary-tamper", "parent-check"]


@pytest.fixture(scope="module")
def transcript_of_the_walkthrough(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("walkthrough")
    shutil.copytree(ROOT / "examples", root / "examples")
    script = ["set -euo pipefail"]
    for name, body in walkthrough_blocks():
        script.append(f"echo '=== walkthrough: {name} ==='")
        script.append(body)
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return output


def section(output: str, name: str) -> str:
    start = output.index(f"=== walkthrough: {name} ===")
    rest = output[start + 1 :]
    end = rest.find("=== walkthrough:")
    return rest if end < 0 else rest[:end]


def test_operator_walkthrough(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "operator")
    assert "ok: 5000 applicants" in text
    assert "frozen 5000 records under input root" in text
    assert "parent-rep-2 declared in default" in text
    assert "verification passed" in text
    assert "published 30 notice lists" in text


def test_parent_lookup_and_proof(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "parent")
    assert "2026-0000011 胡** **************8867" in text
    assert "胡怡乐" not in text.split("\n", 2)[-1].replace("--name 胡怡乐", "")
    assert "proof for 2026-0000011 written" in text


def test_notary_verifies_and_detects_an_edited_file(transcript_of_the_walkthrough: str) -> None:
    assert "verification passed" in section(transcript_of_the_walkthrough, "notary")
    tampered = section(transcript_of_the_walkthrough, "notary-tamper")
    assert "verification FAILED" in tampered
    assert "FAIL  results file" in tampered
    assert re.search(
        r"FAIL  re-run: applicant 2026-\d+ placed at K\d+ .*, re-run gives placed at K\d+", tampered
    )
    assert "exit code 3" in tampered


def test_parent_check(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "parent-check")
    # the lookup index answered from the receipt, with masks only
    assert "2026-0000011 胡** **************8867" in text
    for step in ("identity", "record in frozen list", "lottery number", "result in transcript"):
        assert f"PASS  {step}" in text
    assert "FAIL" not in text

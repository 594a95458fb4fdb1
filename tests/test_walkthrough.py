"""The README's walkthroughs run exactly as written, as a new user would type them.

The fenced ``sh`` blocks marked ``<!-- walkthrough: ... -->`` in README.md are
run in order, in one shell, in a copy of the examples, with the ``alloc`` of
this interpreter first on the PATH.

A draw day has deadlines, so the walkthrough is dated: a comment line
``# 🕘 2026-07-23 15:00 +08:00`` means "the commands below run at this time".
The harness turns it into libfaketime's ``FAKETIME`` (with ``LD_PRELOAD``) for
the commands that follow. Without libfaketime (Debian package ``faketime``)
the walkthrough is skipped with that instruction, except where
``ALLOC_REQUIRE_FAKETIME=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_helpers import libfaketime

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"<!-- walkthrough: (?P<name>[\w-]+) -->\s*```sh\n(?P<body>.*?)```", re.S)
#: ``# 🕘 2026-07-23 15:00 +08:00``: the commands below run at this time.
CLOCK = re.compile(r"^# 🕘 (\d{4}-\d\d-\d\d \d\d:\d\d) ([+-]\d\d:\d\d)\b", re.M)


def at_the_stated_times(body: str, library: str) -> str:
    """``body`` with each 🕘 line followed by the libfaketime setting for its time.

    The setting is an offset from the real clock, taken when the line runs, so
    the clock then goes on ticking across the commands below it, as on a real
    day: a step never reads an earlier time than the step before it.
    """

    def clock(match: re.Match[str]) -> str:
        moment = datetime.fromisoformat(f"{match[1]}:00{match[2]}").astimezone(UTC)
        real_now = "$(env -u LD_PRELOAD -u FAKETIME date +%s)"
        offset = f"$(printf '%+d' $(( {int(moment.timestamp())} - {real_now} )))"
        setting = f'export TZ=UTC LD_PRELOAD={library} FAKETIME="{offset}"'
        # The rest of the 🕘 line follows the setting, kept a comment by the "#".
        return f"{match[0]}\n{setting}  #"

    return CLOCK.sub(clock, body)


def walkthrough_blocks() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m["name"], m["body"]) for m in MARKER.finditer(text)]


def test_the_readme_has_the_walkthroughs() -> None:
    names = [name for name, _ in walkthrough_blocks()]
    assert names == [
        "operator",
        "parent",
        "notary",
        "notary-tamper",
        "parent-check",
        "round-2",
        "notary-rounds",
        "parent-rounds",
        "rehearsal",
    ]


@pytest.fixture(scope="module")
def transcript_of_the_walkthrough(tmp_path_factory: pytest.TempPathFactory) -> str:
    library = libfaketime()
    root = tmp_path_factory.mktemp("walkthrough")
    shutil.copytree(ROOT / "examples", root / "examples")
    script = ["set -euo pipefail"]
    for name, body in walkthrough_blocks():
        script.append(f"echo '=== walkthrough: {name} ==='")
        script.append(at_the_stated_times(body, library))
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


def test_the_walkthrough_states_when_each_step_runs() -> None:
    operator = dict(walkthrough_blocks())["operator"]
    times = CLOCK.findall(operator)
    assert times == [
        ("2026-07-22 17:00", "+08:00"),
        ("2026-07-23 15:00", "+08:00"),
        ("2026-07-23 15:40", "+08:00"),
        ("2026-07-24 09:30", "+08:00"),
    ]
    rewritten = at_the_stated_times(operator, "/lib/libfaketime.so.1")
    assert rewritten.count("LD_PRELOAD=/lib/libfaketime.so.1 FAKETIME=") == 4
    assert f"$(( {int(datetime(2026, 7, 23, 7, 40, tzinfo=UTC).timestamp())} - " in rewritten


def test_a_stated_time_sets_the_clock_and_lets_it_run() -> None:
    library = libfaketime()
    script = at_the_stated_times(
        "# 🕘 2026-07-23 15:40 +08:00, after the deadline\n"
        "python3 -c 'import time; print(int(time.time()))'\n"
        "sleep 1\n"
        "python3 -c 'import time; print(int(time.time()))'\n",
        library,
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    first, second = map(int, done.stdout.split())
    stated = int(datetime(2026, 7, 23, 7, 40, tzinfo=UTC).timestamp())
    assert stated <= first <= stated + 5
    assert second > first


def test_python_honours_libfaketime() -> None:
    library = libfaketime()
    done = subprocess.run(
        [sys.executable, "-c", "from alloc import clock; print(clock.now().isoformat())"],
        env={**os.environ, "TZ": "UTC", "FAKETIME": "@2026-07-23 07:40:00", "LD_PRELOAD": library},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.startswith("2026-07-23T07:40:0")


def test_operator_walkthrough(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "operator")
    assert "ok: 5000 applicants" in text
    assert "frozen 5000 records under input root" in text
    assert re.search(
        r"frozen at 2026-07-22T17:00:\d\d\+08:00; reveals until 2026-07-23T15:30:00\+08:00", text
    )
    assert "parent-rep-2 declared in default" in text
    assert "verification passed" in text
    assert "published 30 notice lists" in text
    assert re.search(r"fingerprint  (\d{5} ){7}\d{5}\n", text)
    assert "trust: the operator's trust file trust.json" in text
    assert "signing key   fingerprint" in text


def test_parent_lookup_and_proof(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "parent")
    assert "2026-0000011 胡** **************8867" in text
    assert "胡怡乐" not in text.split("\n", 2)[-1].replace("--name 胡怡乐", "")
    assert "proof for 2026-0000011 written" in text


def test_notary_verifies_and_detects_an_edited_file(transcript_of_the_walkthrough: str) -> None:
    notary = section(transcript_of_the_walkthrough, "notary")
    assert "trust: fingerprints pinned with --expect" in notary
    assert re.search(r"PASS  transcript signatures: bureau signed by 1/1 keys: fingerprint", notary)
    assert "verification passed" in notary
    # The bureau's operator log: every step up to the draw, as the transcript signs it.
    assert "── the signed transcript commits to the entries above ──" in notary
    assert re.search(r"PASS  operator log: \d+ entries chained; the first \d+ \(up to", notary)
    tampered = section(transcript_of_the_walkthrough, "notary-tamper")
    assert "verification FAILED" in tampered
    assert "FAIL  results file" in tampered
    assert re.search(
        r"FAIL  re-run: applicant 2026-\d+ placed at K\d+ .*, re-run gives placed at K\d+", tampered
    )
    assert "exit code 3" in tampered


def test_parent_check(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "parent-check")
    assert "trust: fingerprints pinned with --expect" in text
    # the lookup index answered from the receipt, with masks only
    assert "2026-0000011 胡** **************8867" in text
    steps = ("signatures", "identity", "record in frozen list", "lottery number")
    for step in (*steps, "result in transcript"):
        assert f"PASS  {step}" in text
    assert "FAIL" not in text


def test_round_2(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "round-2")
    assert re.search(r"round 2: \d+ responses \(\d+ confirm, 0 withdraw, \d+ decline\)", text)
    assert "document      round announcement (public/rounds/2/announcement.json)" in text
    assert "unanswered    counts as decline (the rules)" in text
    moved = re.search(r"round 2: (\d+) given a seat from the waitlists, (\d+) moved up", text)
    assert moved is not None
    assert int(moved[1]) > 0
    assert int(moved[2]) > 0
    assert "document      round transcript (public/rounds/2/transcript.json)" in text
    assert "checked       every check passed, rounds 1 to 2 re-computed" in text
    assert "proof for 2026-0000011 written to proof-2026-0000011.json, spanning rounds 1 to 2" in (
        text
    )


def test_the_notary_verifies_the_chain_and_refuses_a_rollback_and_a_forgery(
    transcript_of_the_walkthrough: str,
) -> None:
    text = section(transcript_of_the_walkthrough, "notary-rounds")
    # Each run of verify starts with the draw's name.
    first, rolled_back, forged = text.split("draw 2026-example-district:")[1:4]
    assert "round 2 (the chain of rounds 1 to 2)" in first
    for check in ("chain", "responses and records", "re-computation", "transcript signatures"):
        assert f"PASS  round 2: {check}" in first
    assert "FAIL" not in first
    assert "remembered rounds 1 to 2 in notary/rounds.json" in text
    assert "FAIL  chain: rollback: round 2 was seen before" in rolled_back
    assert "FAIL  round 2: published files" in forged
    assert re.search(
        r"FAIL  round 2: re-computation: round 2: child 2026-\d+ is published as seat at K\d+",
        forged,
    )
    assert text.count("exit code 3") == 2


def test_a_parents_proof_spans_the_rounds(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "parent-rounds")
    assert "PASS  later rounds: 1 later round(s) to check" in text
    assert re.search(r"PASS  round 2: (seat at K\d+|no seat|declined)", text)
    assert "FAIL" not in text


def test_rehearsal(transcript_of_the_walkthrough: str) -> None:
    text = section(transcript_of_the_walkthrough, "rehearsal")
    # The last block: the run's stderr (progress lines, every block's) follows its stdout.
    printed = re.split(r"^\[\s*\d", text, maxsplit=1, flags=re.M)[0]
    lines = [line for line in printed.splitlines()[1:] if line]
    lines = [line for line in lines if not line.startswith("exit code")]
    assert len(lines) > 50
    assert all(line.startswith("【演练 REHEARSAL】") for line in lines), printed
    assert "$ alloc freeze --dir" in text
    assert "parent-rep-2 declared in default" in text
    assert "FAIL  rehearsal mark: 演练 REHEARSAL: the announcement and the transcript" in text
    assert "exit code 3 (3: a rehearsal is no real draw)" in text
    verdict = "verification passed — 演练 REHEARSAL: a rehearsal, never a real draw"
    assert printed.rstrip().endswith(verdict)

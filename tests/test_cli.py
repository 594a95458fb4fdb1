"""The ``alloc`` command line: every command, every error path, --json, --force, privacy.

Commands run in-process through :func:`alloc.cli.main` (see ``cli_helpers.call``);
one whole draw runs as real ``python -m alloc`` processes. A twelve-child
district (seven seats, twins, an estate owner) is drawn once per module and
each test works on a copy of the stage it needs; the 5,000-child example
district is drawn three times, from UTF-8 CSV, GBK CSV and .xlsx, for the
byte-identity test, and one of the three is published for the privacy scan.

Exit codes: 0 ok, 2 invalid input, 3 verification failed, 4 internal error.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_helpers import (
    APPLICANT_HEADER,
    BEACON,
    BEACON_VALUE,
    DAY,
    DRAW_AT,
    EXAMPLE,
    EXAMPLE_DRAW_ID,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_VERIFY,
    FALLBACK_SPEC,
    LOTTERY,
    PARTIES,
    REVEAL_DEADLINE,
    SMALL_DRAW_ID,
    SOURCE_SPEC,
    STAGES,
    Credentials,
    Run,
    add_signature,
    build_draw,
    call,
    edit_line,
    folder_state,
    freeze_argv,
    make_credentials,
    ok,
    personal_data_in,
    registry_people,
    resident_id,
    resign,
    run_process,
    small_applicants,
    write_csv,
    write_small_inputs,
    wrong_check_character,
)

import alloc.cli
from alloc.cli import _parser, main
from alloc.oplog import LOG_NAME, parse_log
from alloc.signing import PublicKey, fingerprint


def key_id_of(public: Path) -> str:
    return PublicKey.from_pem(public.read_bytes()).keyid


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory) -> Credentials:
    """Keys and party secrets, made once and shared by every draw folder."""
    return make_credentials(
        tmp_path_factory.mktemp("credentials"), [SMALL_DRAW_ID, EXAMPLE_DRAW_ID]
    )


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kindergartens.csv and applicants.csv (UTF-8 with BOM) of the small district."""
    directory = tmp_path_factory.mktemp("small-inputs")
    write_small_inputs(directory)
    return directory


class SmallDraw:
    """The small district drawn once: a snapshot of the folder after every stage."""

    def __init__(self, root: Path, creds: Credentials, inputs: Path) -> None:
        self.stages = {stage: root / stage for stage in STAGES}
        self.runs = build_draw(
            root / "work",
            creds,
            kindergartens=inputs / "kindergartens.csv",
            applicants=inputs / "applicants.csv",
            draw_id=SMALL_DRAW_ID,
            min_lottery_percent=50,
            snapshots=self.stages,
        )
        self.rules = self.stages["ready"] / "rules.json"


@pytest.fixture(scope="module")
def small(
    tmp_path_factory: pytest.TempPathFactory, creds: Credentials, small_inputs: Path
) -> SmallDraw:
    return SmallDraw(tmp_path_factory.mktemp("small-draw"), creds, small_inputs)


@pytest.fixture
def folder_at(small: SmallDraw, tmp_path: Path) -> Callable[[str], Path]:
    """A private copy of the small draw folder as it was after a stage."""

    def copy(stage: str) -> Path:
        target = tmp_path / f"draw-{stage}"
        shutil.copytree(small.stages[stage], target)
        return target

    return copy


FORMATS = ("applicants.csv", "applicants-gbk.csv", "applicants.xlsx")


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory, creds: Credentials) -> dict[str, Path]:
    """The 5,000-child example drawn from each applicant file, with the same keys,
    secrets, sources and times, so the outputs can be byte-identical."""
    root = tmp_path_factory.mktemp("district")
    folders = {}
    for name in FORMATS:
        folders[name] = root / name.replace(".", "-")
        build_draw(
            folders[name],
            creds,
            kindergartens=EXAMPLE / "kindergartens.csv",
            applicants=EXAMPLE / name,
            draw_id=EXAMPLE_DRAW_ID,
        )
    return folders


@pytest.fixture(scope="module")
def published_district(district: dict[str, Path]) -> Path:
    """The GBK run, published with .xlsx notice lists."""
    folder = district["applicants-gbk.csv"]
    ok("publish", "--dir", folder, "--format", "xlsx")
    return folder


def error_line(run: Run) -> str:
    """The ``error: ...`` line(s) the command printed on stderr."""
    lines = [line for line in run.err.splitlines() if line.startswith("error: ")]
    assert lines, str(run)
    return "\n".join(lines)


def reveal(folder: Path, party: str, secret: Path) -> Run:
    return call("ceremony", "reveal", "--dir", folder, "--party", party, "--secret", secret)


def seed_of(folder: Path) -> str:
    transcript = json.loads((folder / "public" / "transcript.json").read_bytes())
    seed: str = transcript["signed"]["seed"]
    return seed


# --- --help, --version and usage errors ----------------------------------------------

LEAF_COMMANDS = [
    ("keys", "generate"),
    ("keys", "fingerprint"),
    ("policy", "create"),
    ("rules", "init"),
    ("validate",),
    ("ceremony", "begin"),
    ("ceremony", "secret"),
    ("ceremony", "commit"),
    ("ceremony", "open"),
    ("ceremony", "reveal"),
    ("ceremony", "default"),
    ("ceremony", "source"),
    ("ceremony", "status"),
    ("ceremony", "seed"),
    ("freeze",),
    ("sign",),
    ("draw",),
    ("round", "open"),
    ("round", "draw"),
    ("verify",),
    ("publish",),
    ("receipts",),
    ("report",),
    ("lookup",),
    ("proof", "make"),
    ("proof", "check"),
    ("log", "verify"),
    ("rehearse",),
    ("demo",),
]
GROUPS = [("keys",), ("policy",), ("rules",), ("ceremony",), ("round",), ("proof",), ("log",)]


def description(help_text: str) -> str:
    """The paragraph after the usage lines of an argparse help text ("" if none)."""
    blocks = help_text.strip().split("\n\n")
    if len(blocks) < 2 or blocks[1].startswith(("options:", "positional arguments:")):
        return ""
    return blocks[1].strip()


def parser_commands() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()

    def walk(parser: argparse.ArgumentParser, prefix: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    nested = any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
                    if nested:
                        walk(sub, (*prefix, name))
                    else:
                        found.add((*prefix, name))

    walk(_parser(), ())
    return found


def test_the_help_tests_cover_every_command() -> None:
    assert parser_commands() == set(LEAF_COMMANDS)


@pytest.mark.parametrize("command", [pytest.param(c, id=" ".join(c)) for c in LEAF_COMMANDS])
def test_help_of_every_command_exits_0_and_describes_it(command: tuple[str, ...]) -> None:
    run = call(*command, "--help")
    assert run.code == EXIT_OK
    assert run.out.startswith(f"usage: alloc {' '.join(command)}")
    assert len(description(run.out)) > 15, run.out


@pytest.mark.parametrize("group", [pytest.param(g, id=g[0]) for g in GROUPS])
def test_help_of_every_command_group_describes_it(group: tuple[str, ...]) -> None:
    run = call(*group, "--help")
    assert run.code == EXIT_OK
    assert description(run.out), run.out


@pytest.mark.parametrize("group", GROUPS, ids=[g[0] for g in GROUPS])
def test_help_of_every_command_group_lists_its_actions(group: tuple[str, ...]) -> None:
    run = call(*group, "--help")
    assert run.code == EXIT_OK
    for command in LEAF_COMMANDS:
        if command[: len(group)] == group:
            assert re.search(rf"^\s+{command[-1]}\b", run.out, re.M), run.out


def test_top_level_help_lists_every_command_and_the_exit_codes() -> None:
    run = call("--help")
    assert run.code == EXIT_OK
    assert "Auditable kindergarten draws" in description(run.out)
    for name in {c[0] for c in LEAF_COMMANDS}:
        assert re.search(rf"^\s+{name}\b", run.out, re.M), name
    flowed = " ".join(run.out.split())  # argparse wraps to the terminal's width
    assert "0 success, 2 invalid input, 3 verification failed, 4 internal error" in flowed


def test_exit_codes_are_the_documented_ones() -> None:
    assert (EXIT_OK, EXIT_INPUT, EXIT_VERIFY, EXIT_INTERNAL) == (0, 2, 3, 4)
    assert (
        alloc.cli.EXIT_OK,
        alloc.cli.EXIT_INVALID_INPUT,
        alloc.cli.EXIT_VERIFICATION_FAILED,
        alloc.cli.EXIT_INTERNAL_ERROR,
    ) == (0, 2, 3, 4)


def test_version() -> None:
    run = call("--version")
    assert run.code == EXIT_OK
    # The program, its version, the distribution to install it by, and the spec
    # it implements: what a notary writes down next to a verification.
    assert re.fullmatch(
        r"alloc \d+\.\d+\.\d+\S* \(package alloc-draw, spec version \d+\)\n", run.out
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ((), "the following arguments are required: COMMAND"),
        (("nosuchcommand",), "invalid choice: 'nosuchcommand'"),
        (("ceremony",), "the following arguments are required: ACTION"),
        (("freeze",), "required: --applicants, --reveal-deadline, --draw-at"),
        (("rules", "init", "--mechanism", "raffle"), "invalid choice: 'raffle'"),
        (("draw", "--no-such-option"), "unrecognized arguments: --no-such-option"),
    ],
    ids=["no command", "unknown command", "no action", "missing options", "bad choice", "typo"],
)
def test_usage_errors_exit_2_and_say_what_is_wrong(argv: tuple[str, ...], expected: str) -> None:
    run = call(*argv)
    assert run.code == EXIT_INPUT
    assert "usage: alloc" in run.err
    assert expected in run.err


def test_rules_init_refuses_the_independent_lottery_with_merge_after(
    small_inputs: Path, tmp_path: Path
) -> None:
    """Spec 7.3: the combination is invalid in the library, the CLI and the spec alike."""
    run = call(
        "rules", "init", "--kindergartens", small_inputs / "kindergartens.csv",
        "--draw-id", SMALL_DRAW_ID, "--out", tmp_path / "rules.json",
        "--mechanism", "independent", "--multiples", "merge-after",
    )  # fmt: skip
    assert run.code == EXIT_INPUT, str(run)
    assert "merge-after" in run.err
    assert "independent lottery" in run.err
    assert not (tmp_path / "rules.json").exists()


def test_json_usage_error_prints_a_json_error() -> None:
    run = call("--json", "freeze")
    assert run.code == EXIT_INPUT
    assert run.json()["ok"] is False


# --- a whole draw, in process ------------------------------------------------------------


def test_the_small_draw_runs_every_step(small: SmallDraw) -> None:
    runs = small.runs
    assert "bureau: 1 of 1 keys" in runs["policy"].out
    assert "3 kindergartens, 7 seats" in runs["rules"].out
    assert "source welfare-3d: 3 digits drawn 2026-07-23T21:15:00+08:00" in runs["begin"].out
    assert "fallback drand-30662982: drand quicknet round 30662982, published" in runs["begin"].out
    assert "typed as exactly 3 digits 0-9 in the order drawn" in runs["begin"].out
    assert "frozen 12 records under input root" in runs["freeze"].out
    assert "(2 signature(s) now)" in runs["sign announcement notary-1"].out
    assert "reveals open on announcement" in runs["open"].out
    assert "reveal of bureau matches its commitment" in runs["reveal bureau"].out
    assert "still needed: reveal (or default) of party 'notary'" in runs["reveal bureau"].out
    assert "parent-rep-2 declared in default: fallback source drand-30662982" in (
        runs["default"].out
    )
    assert "everything is in: run `alloc ceremony seed`" in runs["lottery"].out
    assert f"seed {seed_of(small.stages['signed'])}" in runs["seed"].out
    assert "drew 12 applicants: 7 seats taken, 5 unplaced" in runs["draw"].out
    assert "sign it with `alloc sign`" in runs["draw"].out


def test_a_finished_draw_verifies_from_its_folder(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("signed")
    run = call("verify", "--dir", folder, *creds.pin)
    assert run.code == EXIT_OK, str(run)
    assert "FAIL" not in run.out
    for check in ("announcement signatures", "transcript signatures", "public records", "re-run"):
        assert f"PASS  {check}" in run.out
    assert "12 outcomes identical (7 seats taken, 5 unplaced)" in run.out
    assert run.out.rstrip().endswith("verification passed")


def test_a_notary_verifies_downloaded_files_given_one_by_one(
    folder_at: Callable[[str], Path], tmp_path: Path, creds: Credentials
) -> None:
    downloads = tmp_path / "downloads"
    shutil.copytree(folder_at("signed") / "public", downloads)
    names = {
        "rules": "rules.json",
        "announcement": "announcement.json",
        "transcript": "transcript.json",
        "records": "records.jsonl",
        "results": "results.jsonl",
    }
    argv = [part for key, name in names.items() for part in (f"--{key}", downloads / name)]
    argv += creds.pin
    run = call("verify", *argv)
    assert run.code == EXIT_OK, str(run)
    assert "verification passed" in run.out
    missing = call("verify", *argv[2:])  # no --rules and no --dir
    assert missing.code == EXIT_INPUT
    assert "give --rules or --dir" in error_line(missing)


def test_private_files_are_readable_by_the_owner_only(small: SmallDraw, creds: Credentials) -> None:
    for path in (
        small.stages["frozen"] / "private" / "registry.json",
        creds.key("bureau"),
        creds.secret("bureau", SMALL_DRAW_ID),
    ):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_every_step_prints_one_json_document_with_json(
    tmp_path: Path, creds: Credentials, small_inputs: Path, small: SmallDraw
) -> None:
    folder = tmp_path / "draw"
    runs = build_draw(
        folder,
        creds,
        kindergartens=small_inputs / "kindergartens.csv",
        applicants=small_inputs / "applicants.csv",
        draw_id=SMALL_DRAW_ID,
        min_lottery_percent=50,
        options=("--json",),
    )
    results = {step: run.json() for step, run in runs.items()}
    for step, run in runs.items():
        assert run.err == "", f"{step}: --json implies --quiet\n{run}"
    assert [r["name"] for r in results["policy"]["roles"]] == ["bureau", "notary"]
    assert results["rules"]["draw_id"] == SMALL_DRAW_ID
    assert results["commit bureau"]["party"] == "bureau"
    assert results["freeze"]["records"] == 12
    assert results["sign announcement notary-1"]["signatures"] == 2
    assert results["reveal parent-rep-1"]["missing"] == [
        "reveal (or default) of party 'parent-rep-2'",
        "value of source 'welfare-3d'",
    ]
    assert results["default"]["fallback"] == BEACON
    assert results["beacon"]["value"] == BEACON_VALUE
    assert results["lottery"] == {"source": LOTTERY, "value": "381", "missing": []}
    assert results["seed"]["seed"] == seed_of(folder)
    transcript = json.loads((folder / "public" / "transcript.json").read_bytes())["signed"]
    assert results["draw"] == {
        "applicants": 12,
        "placed": 7,
        "unplaced": 5,
        "seed": seed_of(folder),
        "results_root": transcript["results"]["root"],
    }
    # The same secrets, sources and times as the module's draw: the same seed.
    assert seed_of(folder) == seed_of(small.stages["signed"])

    person = small_applicants()[0]
    more = {
        "status": call("--json", "ceremony", "status", "--dir", folder),
        "verify": call("--json", "verify", "--dir", folder, *creds.pin),
        "publish": call("--json", "publish", "--dir", folder),
        "report": call("--json", "report", "--dir", folder, "--out", tmp_path / "r"),
        "lookup": call("--json", "lookup", "--dir", folder, "--id", person[3], "--name", person[1]),
        "proof": call(
            "--json",
            "proof",
            "make",
            "--dir",
            folder,
            "--registration-number",
            person[0],
            "--out",
            tmp_path / "proof.json",
        ),
        "secret": call(
            "--json",
            "ceremony",
            "secret",
            "--party",
            "extra",
            "--draw-id",
            SMALL_DRAW_ID,
            "--out",
            tmp_path / "extra.secret",
        ),
        "keys": call("--json", "keys", "generate", "extra", "--out", tmp_path / "keys"),
    }
    for step, run in more.items():
        assert run.code == EXIT_OK, f"{step}\n{run}"
        assert isinstance(run.json(), dict), step
    assert more["status"].json() == {"stage": "revealing", "missing": []}
    assert more["verify"].json()["ok"] is True
    assert len(more["publish"].json()["notice_lists"]) == 3
    assert more["report"].json()["verified"] is True
    assert more["lookup"].json()["registration_number"] == person[0]
    assert more["secret"].json()["party"] == "extra"
    assert len(more["keys"].json()["keyid"]) == 64


def test_default_paths_are_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_small_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)

    assert main(["keys", "generate", "bureau"]) == EXIT_OK
    assert re.search(r"key id       [0-9a-f]{64}\n", capsys.readouterr().out)
    assert (tmp_path / "keys" / "bureau.key").is_file()
    assert (tmp_path / "keys" / "bureau.pub").is_file()
    assert main(["keys", "generate", "notary"]) == EXIT_OK

    roles = ["--role", "bureau=keys/bureau.pub", "--role", "notary=keys/notary.pub"]
    assert main(["policy", "create", *roles]) == EXIT_OK
    assert "bureau: 1 of 1 keys" in capsys.readouterr().out
    assert (tmp_path / "trust.json").is_file()

    argv = ["rules", "init", "--kindergartens", "kindergartens.csv", "--draw-id", SMALL_DRAW_ID]
    assert main([*argv, "--tiers", "local,other"]) == EXIT_OK
    assert "wrote rules.json: 3 kindergartens, 7 seats" in capsys.readouterr().out

    assert main(["validate", "--applicants", "applicants.csv"]) == EXIT_OK
    captured = capsys.readouterr()
    assert "ok: 12 applicants, 3 kindergartens, no problems found" in captured.out
    assert "reading applicants.csv" in captured.err  # progress goes to stderr

    assert main(["ceremony", "begin", "--source", SOURCE_SPEC]) == EXIT_OK
    assert (tmp_path / "ceremony.json").is_file()
    capsys.readouterr()
    assert main(["ceremony", "status"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("stage committing")


# --- error paths: input files ---------------------------------------------------------------


def test_missing_files_are_named(folder_at: Callable[[str], Path], tmp_path: Path) -> None:
    folder = folder_at("signed")
    nowhere = tmp_path / "nowhere"
    cases = {
        "applicants": call(
            "validate", "--rules", folder / "rules.json", "--applicants", nowhere / "a.csv"
        ),
        "rules file": call("validate", "--rules", nowhere / "rules.json", "--applicants", "a"),
        "rules": call("ceremony", "begin", "--dir", nowhere),
        "kindergartens": call(
            "rules", "init", "--kindergartens", nowhere / "k.csv", "--draw-id", "x",
            "--out", tmp_path / "rules.json",
        ),
        "document": call("sign", nowhere / "announcement.json", "--key", "k"),
        "key": call("sign", folder / "public" / "transcript.json", "--key", nowhere / "k.key"),
        "public key": call(
            "policy", "create", "--role", f"bureau={nowhere / 'b.pub'}",
            "--out", tmp_path / "trust.json",
        ),
        "proof": call(
            "proof", "check", "--proof", nowhere / "proof.json",
            "--registration-number", "2026-0001", "--salt", "x", "--id", "x", "--name", "x",
            "--announcement", folder / "public" / "announcement.json",
            "--transcript", folder / "public" / "transcript.json",
        ),
        "draw folder": call("verify", "--dir", nowhere),
        "ceremony": call("ceremony", "status", "--dir", nowhere),
        "announcement": call("draw", "--dir", folder_at("ready")),
    }  # fmt: skip
    for what, run in cases.items():
        assert run.code == EXIT_INPUT, f"{what}\n{run}"
        assert "not found" in run.err or "No such file" in run.err, f"{what}\n{run}"
        assert str(nowhere) in run.err or "announcement.json" in run.err, f"{what}\n{run}"
    assert "check the path and the file name" in cases["applicants"].err
    assert "check the path and the file name" in cases["rules file"].err
    assert "create it with `alloc rules init`" in cases["rules"].err
    assert "start it with `alloc ceremony begin`" in cases["ceremony"].err


def _undecodable(directory: Path, text: str) -> dict[str, Path]:
    files = {
        "utf-16": ("a-utf16.csv", text.encode("utf-16")),
        "latin-1": (
            "a-latin1.csv",
            "报名编号,姓名\r\n".encode() + "José,Müller\r\n".encode("latin-1"),
        ),
        "binary": ("a-binary.csv", bytes(range(256)) * 8),
        "png named .xlsx": ("a-picture.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64)),
        "xlsx named .csv": ("a-workbook.csv", (EXAMPLE / "applicants.xlsx").read_bytes()),
        "old .xls": ("a-old.xls", b"\xd0\xcf\x11\xe0" + bytes(64)),
        "unknown suffix": ("a.txt", text.encode()),
    }
    paths = {}
    for kind, (name, data) in files.items():
        paths[kind] = directory / name
        paths[kind].write_bytes(data)
    return paths


def test_files_in_a_wrong_encoding_or_format_are_refused_with_a_fix(
    small: SmallDraw, small_inputs: Path, tmp_path: Path
) -> None:
    text = (small_inputs / "applicants.csv").read_text(encoding="utf-8-sig")
    advice = {
        "utf-16": "UTF-16",
        "latin-1": "is not UTF-8, and not clearly GBK/GB18030 either",
        "binary": "not a text file",
        "png named .xlsx": "is not a readable Excel .xlsx workbook",
        "xlsx named .csv": "rename it to end in .xlsx",
        "old .xls": "save as .xlsx or as CSV UTF-8",
        "unknown suffix": "unknown file type (value '.txt'); give a .csv or .xlsx file",
    }
    for kind, path in _undecodable(tmp_path, text).items():
        run = call("validate", "--rules", small.rules, "--applicants", path)
        assert run.code == EXIT_INPUT, f"{kind}\n{run}"
        message = error_line(run)
        assert str(path) in message, kind
        assert advice[kind] in message, f"{kind}: {message}"
        assert "Traceback" not in run.err


def test_a_big5_file_is_refused_not_read_as_gbk(
    small: SmallDraw, small_inputs: Path, tmp_path: Path
) -> None:
    text = (small_inputs / "applicants.csv").read_text(encoding="utf-8-sig")
    big5 = tmp_path / "big5.csv"
    big5.write_bytes(text.encode("big5", errors="replace"))
    run = call("validate", "--rules", small.rules, "--applicants", big5)
    assert run.code == EXIT_INPUT
    assert "is Big5 (Traditional Chinese, Taiwan or Hong Kong) text" in run.err
    assert "save it as 'CSV UTF-8" in run.err


def test_a_missing_required_column_is_named_with_the_headers_it_accepts(
    small: SmallDraw, tmp_path: Path
) -> None:
    drop = APPLICANT_HEADER.index("身份证号")
    rows = [
        [cell for i, cell in enumerate(row) if i != drop]
        for row in [APPLICANT_HEADER, *small_applicants()]
    ]
    path = write_csv(tmp_path / "no-id-column.csv", rows)
    run = call("validate", "--rules", small.rules, "--applicants", path)
    assert run.code == EXIT_INPUT
    assert f"{path}: 1 problem; nothing was imported" in run.err
    assert "row 1, column document_number: required column is missing" in run.err
    assert "add a column headed document_number or 身份证号" in run.err
    assert "the header row has: 报名编号, 幼儿姓名" in run.err


def _bad_rows(directory: Path) -> Path:
    rows = [list(row) for row in small_applicants()]
    rows[2][3] = wrong_check_character(rows[2][3])  # spreadsheet row 4
    rows[5][0] = rows[1][0]  # row 7 repeats row 3's registration number
    return write_csv(directory / "bad-rows.csv", [APPLICANT_HEADER, *rows])


def _unknown_kindergartens(directory: Path) -> Path:
    rows = [list(row) for row in small_applicants()]
    rows[8][4] = "K09"  # spreadsheet row 10, first choice
    rows[9][5] = "k02"  # spreadsheet row 11, second choice
    return write_csv(directory / "unknown-kindergartens.csv", [APPLICANT_HEADER, *rows])


@pytest.mark.parametrize("command", ["validate", "freeze"])
def test_bad_rows_name_the_spreadsheet_row_column_and_fix(
    command: str, small: SmallDraw, folder_at: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = folder_at("committed")
    before = folder_state(folder)

    def run(path: Path) -> Run:
        if command == "validate":
            return call("validate", "--rules", small.rules, "--applicants", path)
        return call(*freeze_argv(folder, path))

    bad = run(_bad_rows(tmp_path))
    assert bad.code == EXIT_INPUT
    assert "2 problems; nothing was imported; fix every row listed" in bad.err
    assert "row 4, column D 身份证号 (document_number): check character does not match" in bad.err
    assert "one of the 18 characters is mistyped" in bad.err
    assert (
        "row 7, column A 报名编号 (registration_number): registration number appears twice:"
        " rows 3 and 7 (value '2026-0002')"
    ) in bad.err

    unknown = run(_unknown_kindergartens(tmp_path))
    assert unknown.code == EXIT_INPUT
    assert (
        "row 10, column E 第一志愿 (choice_1): choice names a kindergarten the rules do not have"
        " (value 'K09'); use a kindergarten id or name from the rules: K01, K02, K03"
    ) in unknown.err
    assert "row 11, column F 第二志愿 (choice_2)" in unknown.err
    assert "did you mean 'K02'? ids are case-sensitive" in unknown.err

    assert folder_state(folder) == before, "a refused freeze wrote nothing"


def _with_title_and_blank_rows(directory: Path, suffix: str) -> Path:
    """A title row and a blank row above the header, as exports often have; the
    fourth applicant (spreadsheet row 7) has a mistyped check character."""
    rows = [list(row) for row in small_applicants()]
    rows[3][3] = wrong_check_character(rows[3][3])
    sheet = [["2026年公办幼儿园报名名单"], [], list(APPLICANT_HEADER), *rows]
    path = directory / f"titled{suffix}"
    if suffix == ".csv":
        return write_csv(path, sheet, encoding="gbk")
    book = openpyxl.Workbook()
    for row in sheet:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"], ids=["gbk csv", "xlsx"])
def test_row_numbers_are_the_spreadsheets_own_below_a_title_row(
    suffix: str, small: SmallDraw, tmp_path: Path
) -> None:
    path = _with_title_and_blank_rows(tmp_path, suffix)
    run = call("validate", "--rules", small.rules, "--applicants", path)
    assert run.code == EXIT_INPUT
    sheet = ", sheet 'Sheet'" if suffix == ".xlsx" else ""
    assert f"{path}{sheet}: 1 problem" in run.err
    assert "row 7, column D 身份证号 (document_number): check character does not match" in run.err


def test_freeze_without_a_salt_column_writes_private_receipts(
    folder_at: Callable[[str], Path], tmp_path: Path
) -> None:
    drop = APPLICANT_HEADER.index("回执校验码")
    rows = [
        [cell for i, cell in enumerate(row) if i != drop]
        for row in [APPLICANT_HEADER, *small_applicants()]
    ]
    applicants = write_csv(tmp_path / "no-salts.csv", rows)
    folder = folder_at("committed")
    run = call(*freeze_argv(folder, applicants))
    assert run.code == EXIT_OK, str(run)
    receipts = folder / "private" / "receipts.csv"
    assert f"receipts with salts for parents: {receipts}" in run.out
    assert stat.S_IMODE(receipts.stat().st_mode) == 0o600
    people = registry_people(folder)
    text = receipts.read_text(encoding="utf-8-sig")
    assert all(p["salt"] in text for p in people)
    assert all(p["name"] not in text for p in people)  # masked on the receipt list
    assert personal_data_in(_public_files(folder), people) == []


def test_validate_names_the_sheet_and_reads_labels_and_names(
    small: SmallDraw, tmp_path: Path
) -> None:
    """An export as bureaus have it: hidden last-year sheet, Chinese tier labels,
    kindergarten names, a remarks column; read with --tier-label, and --sheet."""
    rows = [list(row) for row in small_applicants()]
    tier = APPLICANT_HEADER.index("类别")
    for row in rows:
        row[tier] = {"local": "本地户籍", "other": "非本地户籍"}[row[tier]]
    rows[0][APPLICANT_HEADER.index("第二志愿")] = "星星幼儿园"  # K02 by its name
    path = tmp_path / "export.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "2025年"
    book.active.append(list(APPLICANT_HEADER))
    book.active.sheet_state = "hidden"
    sheet = book.create_sheet("2026年报名")
    sheet.append([*APPLICANT_HEADER, "备注"])
    for row in rows:
        sheet.append([*row, ""])
    book.active = 1
    book.save(path)

    plain = call("validate", "--rules", small.rules, "--applicants", path)
    assert plain.code == EXIT_INPUT
    assert f"{path}, sheet '2026年报名': 12 problems" in plain.err
    assert "or declare the label: --tier-label 本地户籍=TIER" in plain.err

    labels = ("--tier-label", "本地户籍=local", "--tier-label", "非本地户籍=other")
    run = call("validate", "--rules", small.rules, "--applicants", path, *labels)
    assert run.code == EXIT_OK, str(run)
    assert f"read {path}, sheet '2026年报名': 12 applicants" in run.out
    assert "note: hidden sheet '2025年' was not read" in run.out
    assert "note: 1 choice cells named a kindergarten by its name; read as its id" in run.out
    assert "note: 12 tier cells gave a declared label; read as its tier id" in run.out
    assert "ignored columns (not used by alloc): K 备注" in run.out
    as_json = call("--json", "validate", "--rules", small.rules, "--applicants", path, *labels)
    assert as_json.json()["sheet"] == "2026年报名"
    assert as_json.json()["ignored_columns"] == [{"column": "K", "header": "备注"}]

    hidden = call("validate", "--rules", small.rules, "--applicants", path, "--sheet", "2025年")
    assert hidden.code == EXIT_INPUT
    assert "the file has a header but no applicant rows" in hidden.err


def test_the_same_export_frozen_twice_keeps_its_salts_and_root(
    folder_at: Callable[[str], Path], tmp_path: Path
) -> None:
    """Receipts survive a re-freeze: salts are made once and kept in the registry."""
    drop = APPLICANT_HEADER.index("回执校验码")
    rows = [
        [cell for i, cell in enumerate(row) if i != drop]
        for row in [APPLICANT_HEADER, *small_applicants()]
    ]
    applicants = write_csv(tmp_path / "no-salts.csv", rows)
    folder = folder_at("committed")
    first = call("--json", *freeze_argv(folder, applicants))
    assert first.code == EXIT_OK, str(first)
    salts = {p["registration_number"]: p["salt"] for p in registry_people(folder)}
    again = call("--json", *freeze_argv(folder, applicants, "--force"))
    assert again.code == EXIT_OK, str(again)
    assert {p["registration_number"]: p["salt"] for p in registry_people(folder)} == salts
    assert again.json()["input_root"] == first.json()["input_root"]
    assert again.json()["new_salts"] == 0

    # A corrected name keeps its receipt; a registration number given to
    # another child's document gets a new salt, and the operator is told.
    rows[1][1] = "欧阳晨"
    rows[2][3] = resident_id("440105", "20230101", 998)
    changed = call(*freeze_argv(folder, write_csv(tmp_path / "changed.csv", rows), "--force"))
    assert changed.code == EXIT_OK, str(changed)
    now = {p["registration_number"]: p["salt"] for p in registry_people(folder)}
    assert now[rows[1][0]] == salts[rows[1][0]]
    assert now[rows[2][0]] != salts[rows[2][0]]
    assert {r for r in now if now[r] != salts[r]} == {rows[2][0]}
    assert "receipt salts: 11 kept from" in changed.out
    assert f"their old receipts no longer match; print new ones ({rows[2][0]})" in changed.out
    receipts = (folder / "private" / "receipts.csv").read_text(encoding="utf-8-sig")
    marked = [line for line in receipts.splitlines() if line.endswith(",是")]
    assert [line.split(",")[0] for line in marked] == [rows[2][0]]


def test_row_errors_never_echo_a_document_number_or_salt(small: SmallDraw, tmp_path: Path) -> None:
    rows = [list(row) for row in small_applicants()]
    rows[2][3] = wrong_check_character(rows[2][3])
    rows[4][3] = rows[3][3]  # the same child registered twice
    rows[6][9] = rows[6][9][:-3]  # a salt with a lost group
    path = write_csv(tmp_path / "bad-people.csv", [APPLICANT_HEADER, *rows])
    run = call("validate", "--rules", small.rules, "--applicants", path)
    assert run.code == EXIT_INPUT
    assert "row 4" in run.err
    assert "row 6" in run.err
    assert "row 8" in run.err
    for secret in (rows[2][3], rows[3][3], rows[6][9]):
        assert secret not in run.text


def test_json_validate_with_problems_prints_one_json_document(
    small: SmallDraw, tmp_path: Path
) -> None:
    run = call(
        "--json",
        "validate",
        "--rules",
        small.rules,
        "--applicants",
        _unknown_kindergartens(tmp_path),
    )
    assert run.code == EXIT_INPUT
    assert run.json()["ok"] is False


def test_validate_lists_each_rule_problem_and_fails(small: SmallDraw, tmp_path: Path) -> None:
    path = _unknown_kindergartens(tmp_path)
    run = call("validate", "--rules", small.rules, "--applicants", path)
    assert run.code == EXIT_INPUT
    assert run.out == ""
    assert error_line(run).startswith(f"error: invalid input: {path}: 2 problems")
    assert "row 10, column E 第一志愿 (choice_1)" in run.err
    assert "row 11, column F 第二志愿 (choice_2)" in run.err


# --- error paths: keys and signatures -----------------------------------------------------


def test_an_announcement_signed_by_a_stranger_does_not_open_the_reveals(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("frozen")
    ok("sign", folder / "public" / "announcement.json", "--key", creds.key("bureau"), "--yes")
    add_signature(folder / "public" / "announcement.json", creds.key("stranger"))
    before = folder_state(folder)
    run = call("ceremony", "open", "--dir", folder)
    assert run.code == EXIT_VERIFY
    assert error_line(run).startswith(
        "error: verification failed: announcement: notary signed by 0/1 keys; signed instead by"
        " keys not in the trust policy: fingerprint "
    )
    assert folder_state(folder) == before


def test_an_unsigned_announcement_does_not_open_the_reveals(
    folder_at: Callable[[str], Path],
) -> None:
    run = call("ceremony", "open", "--dir", folder_at("frozen"))
    assert run.code == EXIT_VERIFY
    assert "announcement: bureau signed by 0/1 keys" in error_line(run)


def test_draw_refuses_an_announcement_the_notary_did_not_sign(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("revealed")
    resign(folder / "public" / "announcement.json", creds.key("bureau"), creds.key("stranger"))
    run = call("draw", "--dir", folder)
    assert run.code == EXIT_VERIFY
    assert "announcement: notary signed by 0/1 keys" in error_line(run)
    assert not (folder / "public" / "transcript.json").exists()
    assert not (folder / "public" / "results.jsonl").exists()


def test_verify_names_the_role_that_did_not_sign_the_transcript(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("drawn")
    ok("sign", folder / "public" / "transcript.json", "--key", creds.key("bureau"), "--yes")
    add_signature(folder / "public" / "transcript.json", creds.key("stranger"))
    run = call("verify", "--dir", folder, *creds.pin)
    assert run.code == EXIT_VERIFY
    stranger = key_id_of(creds.pub("stranger"))
    assert (
        "FAIL  transcript signatures: transcript: notary signed by 0/1 keys; signed instead by"
        f" keys not in the trust policy: fingerprint {fingerprint(stranger)}"
    ) in run.out
    assert "PASS  announcement signatures" in run.out
    assert run.out.rstrip().endswith("verification FAILED")
    report = call("--json", "verify", "--dir", folder, *creds.pin).json()
    assert report["ok"] is False
    failed = [c for c in report["checks"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["transcript signatures"]
    assert failed[0]["detail"].startswith("transcript: notary signed by 0/1 keys;")
    assert stranger[:16] in failed[0]["detail"]
    notary = report["signatures"]["transcript"][1]
    assert (notary["role"], notary["signed"], notary["ok"]) == ("notary", [], False)


def test_signing_errors(folder_at: Callable[[str], Path], creds: Credentials) -> None:
    folder = folder_at("frozen")
    announcement = folder / "public" / "announcement.json"
    ok("sign", announcement, "--key", creds.key("bureau"), "--yes")
    twice = call("sign", announcement, "--key", creds.key("bureau"), "--yes")
    assert twice.code == EXIT_INPUT
    assert "this key has already signed the document" in error_line(twice)
    public = call("sign", announcement, "--key", creds.pub("notary-1"), "--yes")
    assert public.code == EXIT_INPUT
    assert "cannot load the private key" in error_line(public)
    assert len(json.loads(announcement.read_bytes())["signatures"]) == 1


def test_signing_a_file_that_is_not_a_signed_document_names_it(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("frozen")
    run = call("sign", folder / "rules.json", "--key", creds.key("bureau"), "--yes")
    assert run.code in (EXIT_INPUT, EXIT_VERIFY)
    assert "rules.json" in error_line(run)


# --- error paths: tampering ------------------------------------------------------------------


def test_any_flipped_byte_in_the_transcript_fails_verification(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("signed")
    transcript = folder / "public" / "transcript.json"
    original = transcript.read_bytes()
    positions = sorted({k * (len(original) - 1) // 47 for k in range(48)})
    passed = []
    for position in positions:
        damaged = bytearray(original)
        damaged[position] ^= 0x01
        transcript.write_bytes(bytes(damaged))
        run = call("verify", "--dir", folder, *creds.pin)
        if run.code != EXIT_VERIFY or "verification FAILED" not in run.out:
            passed.append((position, chr(original[position]), run.code))
    assert passed == []


def test_a_flipped_seed_digit_is_caught_and_named(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("signed")
    transcript = folder / "public" / "transcript.json"
    data = transcript.read_bytes()
    seed = seed_of(folder)
    at = data.rindex(seed.encode())
    flipped = ("1" if seed[0] == "0" else "0") + seed[1:]
    transcript.write_bytes(data[:at] + flipped.encode() + data[at + len(seed) :])
    run = call("verify", "--dir", folder, *creds.pin)
    assert run.code == EXIT_VERIFY
    assert "FAIL" in run.out
    assert flipped in run.out


def test_an_edited_result_names_the_applicant(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("signed")
    results = folder / "public" / "results.jsonl"
    lines = results.read_bytes().splitlines()
    index = next(i for i, line in enumerate(lines) if b'"placed":null' in line)

    def place(item: dict[str, Any]) -> None:
        item["placed"] = "K03"

    edited = edit_line(results, index, place)
    run = call("verify", "--dir", folder, *creds.pin)
    assert run.code == EXIT_VERIFY
    assert "FAIL  results file: the results file does not match the transcript's results root" in (
        run.out
    )
    assert re.search(
        rf"FAIL  re-run: applicant {edited['registration_number']} placed at K03 .*"
        r", re-run gives unplaced",
        run.out,
    ), run.out


def test_an_edited_record_fails_the_public_records_check(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("signed")

    def swap_choices(item: dict[str, Any]) -> None:
        item["choices"] = item["choices"][::-1]

    edit_line(folder / "public" / "records.jsonl", 3, swap_choices)
    run = call("verify", "--dir", folder, *creds.pin)
    assert run.code == EXIT_VERIFY
    assert (
        "FAIL  public records: the public records do not match the announced input root" in run.out
    )
    assert "a record was changed after the announcement" in run.out
    assert "FAIL  re-run: cannot re-run: the public records did not verify" in run.out


def test_a_dropped_record_is_counted(folder_at: Callable[[str], Path], creds: Credentials) -> None:
    folder = folder_at("signed")
    records = folder / "public" / "records.jsonl"
    records.write_bytes(b"".join(records.read_bytes().splitlines(keepends=True)[:-1]))
    run = call("verify", "--dir", folder, *creds.pin)
    assert run.code == EXIT_VERIFY
    assert "FAIL  public records: 11 public records, the announcement committed to 12" in run.out


def test_publish_refuses_a_tampered_draw_and_writes_nothing(
    folder_at: Callable[[str], Path],
) -> None:
    folder = folder_at("signed")
    results = folder / "public" / "results.jsonl"
    results.write_bytes(results.read_bytes().replace(b'"placed":null', b'"placed":"K03"', 1))
    before = folder_state(folder)
    run = call("publish", "--dir", folder)
    assert run.code == EXIT_VERIFY
    assert "verification failed: the results file does not match" in error_line(run)
    assert "verification FAILED" in run.out
    assert not (folder / "publish").exists()
    assert folder_state(folder) == before


def test_report_of_a_tampered_draw_says_it_failed(
    folder_at: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = folder_at("signed")
    results = folder / "public" / "results.jsonl"
    results.write_bytes(results.read_bytes().replace(b'"placed":null', b'"placed":"K03"', 1))
    run = call("report", "--dir", folder, "--out", tmp_path / "report")
    # The report is written and shows the failure; the command exits 3.
    assert run.code == EXIT_VERIFY
    assert "verification FAILED)" in run.out
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "Verification FAILED" in html


# --- error paths: the ceremony out of order ---------------------------------------------------


@pytest.mark.parametrize(("stage", "at"), [("committed", "committing"), ("frozen", "plan-fixed")])
def test_a_reveal_before_the_reveals_open_is_refused(
    stage: str, at: str, folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at(stage)
    before = folder_state(folder)
    run = reveal(folder, "bureau", creds.secret("bureau", SMALL_DRAW_ID))
    assert run.code == EXIT_INPUT
    assert error_line(run) == (
        f"error: invalid input: cannot reveal for 'bureau': the ceremony is at stage '{at}',"
        " this step belongs to stage 'revealing'"
    )
    assert folder_state(folder) == before


def test_seed_and_draw_before_everything_is_in_list_what_is_missing(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("opened")
    everything = (
        "reveal (or default) of party 'bureau'; reveal (or default) of party 'notary';"
        " reveal (or default) of party 'parent-rep-1'; reveal (or default) of party"
        " 'parent-rep-2'; value of source 'welfare-3d'"
    )
    for argv in (("ceremony", "seed"), ("draw",)):
        run = call(*argv, "--dir", folder)
        assert run.code == EXIT_INPUT, str(run)
        assert error_line(run) == f"error: invalid input: cannot derive the seed yet: {everything}"
    assert not (folder / "public" / "transcript.json").exists()

    assert reveal(folder, "bureau", creds.secret("bureau", SMALL_DRAW_ID)).code == EXIT_OK
    ok("ceremony", "default", "--dir", folder, "--party", "parent-rep-2")
    run = call("ceremony", "seed", "--dir", folder)
    assert run.code == EXIT_INPUT
    missing = error_line(run).split("cannot derive the seed yet: ")[1]
    assert missing == (
        "reveal (or default) of party 'notary'; reveal (or default) of party 'parent-rep-1';"
        " value of source 'welfare-3d'; value of source 'drand-30662982'"
    )
    status = call("--json", "ceremony", "status", "--dir", folder).json()
    assert status["missing"] == missing.split("; ")


def test_seed_before_the_reveals_open_is_refused(folder_at: Callable[[str], Path]) -> None:
    run = call("ceremony", "seed", "--dir", folder_at("committed"))
    assert run.code == EXIT_INPUT
    assert "cannot derive the seed yet: the ceremony is at stage 'committing'" in error_line(run)


def test_steps_that_belong_to_an_earlier_stage_are_refused(
    folder_at: Callable[[str], Path], creds: Credentials, small_inputs: Path
) -> None:
    folder = folder_at("opened")
    late = call(
        "ceremony",
        "commit",
        "--dir",
        folder,
        "--party",
        "late-comer",
        "--commitment",
        "ab" * 32,
        "--fallback",
        BEACON,
    )
    assert late.code == EXIT_INPUT
    assert "cannot commit for 'late-comer': the ceremony is at stage 'revealing'" in late.err
    refreeze = call(*freeze_argv(folder, small_inputs / "applicants.csv", "--force"))
    assert refreeze.code == EXIT_INPUT
    assert "reveals are already open: the list can no longer be frozen again" in refreeze.err
    assert "a new freeze needs a new ceremony and announcement" in refreeze.err


def test_unknown_parties_and_sources_are_named_with_the_known_ones(
    folder_at: Callable[[str], Path],
) -> None:
    folder = folder_at("opened")
    party = call("ceremony", "default", "--dir", folder, "--party", "mayor")
    assert party.code == EXIT_INPUT
    assert (
        "party 'mayor' is not in the seed plan (parties: bureau, notary, parent-rep-1,"
        " parent-rep-2)"
    ) in party.err
    source = call("ceremony", "source", "--dir", folder, "--name", "weather", "--value", "1")
    assert source.code == EXIT_INPUT
    assert "source 'weather' was not announced in the seed plan" in source.err
    bad_digits = call("ceremony", "source", "--dir", folder, "--name", LOTTERY, "--value", "3 x")
    assert bad_digits.code == EXIT_INPUT
    assert error_line(bad_digits) == (
        "error: invalid input: field \"source 'welfare-3d'\": not in the accepted form"
        " (value '3 x'); exactly 3 digits 0-9 in the order drawn, with nothing before,"
        " between or after them (e.g. 381)"
    )
    bad_hex = call("ceremony", "source", "--dir", folder, "--name", BEACON, "--value", "xyz")
    assert bad_hex.code == EXIT_INPUT
    assert "96 lower-case hexadecimal digits" in bad_hex.err


# --- every step in its time (spec 4.7) --------------------------------------------------------


def test_a_reveal_after_the_deadline_is_refused_and_the_party_can_be_defaulted(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("opened")
    before = folder_state(folder)
    secret = creds.secret("bureau", SMALL_DRAW_ID)
    late = call(
        "ceremony", "reveal", "--dir", folder, "--party", "bureau", "--secret", secret,
        at="2026-07-23T15:30:01+08:00",
    )  # fmt: skip
    assert late.code == EXIT_INPUT
    assert error_line(late) == (
        "error: invalid input: field 'reveal': party 'bureau' cannot reveal at"
        " 2026-07-23T15:30:01+08:00: the reveal deadline 2026-07-23T15:30:00+08:00 has passed;"
        " declare it in default (`alloc ceremony default --party bureau`): its fallback source"
        " 'drand-30662982' replaces it"
    )
    assert folder_state(folder) == before
    in_time = call(
        "ceremony", "reveal", "--dir", folder, "--party", "bureau", "--secret", secret,
        at=REVEAL_DEADLINE,
    )  # fmt: skip
    assert in_time.code == EXIT_OK, str(in_time)


def test_a_default_before_the_deadline_is_refused(folder_at: Callable[[str], Path]) -> None:
    folder = folder_at("opened")
    before = folder_state(folder)
    for moment in (DAY["reveal"], REVEAL_DEADLINE):
        run = call("ceremony", "default", "--dir", folder, "--party", "notary", at=moment)
        assert run.code == EXIT_INPUT
        assert "it may still reveal until the deadline 2026-07-23T15:30:00+08:00" in run.err
    assert folder_state(folder) == before
    ok("ceremony", "default", "--dir", folder, "--party", "notary", at="2026-07-23T15:30:01+08:00")
    status = call("ceremony", "status", "--dir", folder).out
    assert "notary: " in status
    assert "in default at 2026-07-23T15:30:01+08:00" in status
    assert "reveals until 2026-07-23T15:30:00+08:00" in status
    assert "type its value as exactly 3 digits 0-9 in the order drawn" in status
    assert "type its value as the signature of round 30662982 exactly as drand" in status


def test_sources_are_read_only_once_they_are_known(folder_at: Callable[[str], Path]) -> None:
    folder = folder_at("opened")
    before = folder_state(folder)

    def source(name: str, value: str, moment: str) -> Run:
        return call(
            "ceremony", "source", "--dir", folder, "--name", name, "--value", value, at=moment
        )

    early = source(BEACON, BEACON_VALUE, DAY["reveal"])
    assert early.code == EXIT_INPUT
    assert "sources are read only after the reveal deadline" in early.err
    before_round = source(BEACON, BEACON_VALUE, "2026-07-23T15:38:29+08:00")
    assert before_round.code == EXIT_INPUT
    assert "it is known only from 2026-07-23T15:38:30+08:00 (drand quicknet round 30662982" in (
        before_round.err
    )
    before_drawing = source(LOTTERY, "381", DAY["default"])
    assert "it is known only from 2026-07-23T21:15:00+08:00 (3 digits drawn" in before_drawing.err
    assert folder_state(folder) == before
    assert source(BEACON, BEACON_VALUE, "2026-07-23T15:38:30+08:00").code == EXIT_OK
    assert source(LOTTERY, "381", DAY["lottery drawn"]).code == EXIT_OK


@pytest.mark.parametrize(
    "typed",
    ["3 8 1", "38 1", "3 81", "０３８１", "３８１", "0381", "38", " 381", "381 ", "3,8,1"],
)
def test_a_lottery_value_has_exactly_one_typing(
    folder_at: Callable[[str], Path], typed: str
) -> None:
    folder = folder_at("opened")
    before = folder_state(folder)
    run = call("ceremony", "source", "--dir", folder, "--name", LOTTERY, "--value", typed)
    assert run.code == EXIT_INPUT
    assert "exactly 3 digits 0-9 in the order drawn" in run.err
    assert folder_state(folder) == before
    assert (
        call("ceremony", "source", "--dir", folder, "--name", LOTTERY, "--value", "381").code == 0
    )


def test_a_forged_beacon_value_is_refused(folder_at: Callable[[str], Path]) -> None:
    folder = folder_at("opened")
    before = folder_state(folder)
    flipped = BEACON_VALUE[:-1] + ("0" if BEACON_VALUE[-1] != "0" else "1")
    run = call("ceremony", "source", "--dir", folder, "--name", BEACON, "--value", flipped)
    assert run.code == EXIT_VERIFY
    assert "the value is not a signature at all" in error_line(run)
    # The real signature of the next published round: a valid signature, the wrong round.
    other = (
        "8b2ebe176d153849d5db7f358a3a21be96f8c5d1c26ed2b530fff4419face890"
        "9d77f4ee6a211623e2432c30841411b5"
    )
    run = call("ceremony", "source", "--dir", folder, "--name", BEACON, "--value", other)
    assert run.code == EXIT_VERIFY
    assert "the value is not round 30662982 of drand chain 'quicknet'" in error_line(run)
    upper = call(
        "ceremony", "source", "--dir", folder, "--name", BEACON, "--value", BEACON_VALUE.upper()
    )
    assert upper.code == EXIT_INPUT
    assert "96 lower-case hexadecimal digits" in upper.err
    assert folder_state(folder) == before


def test_the_draw_is_refused_before_the_announced_draw_time(
    folder_at: Callable[[str], Path],
) -> None:
    folder = folder_at("revealed")
    before = folder_state(folder)
    run = call("draw", "--dir", folder, at="2026-07-24T09:29:59+08:00")
    assert run.code == EXIT_INPUT
    assert error_line(run) == (
        "error: invalid input: field 'draw_at': the draw cannot run before the announced draw"
        " time 2026-07-24T09:30:00+08:00 (it is now 2026-07-24T09:29:59+08:00); run `alloc"
        " draw` at or after the announced time"
    )
    assert folder_state(folder) == before
    drawn = call("draw", "--dir", folder, at="2026-07-24T01:30:00+00:00")
    assert drawn.code == EXIT_OK, str(drawn)
    created = json.loads((folder / "public" / "transcript.json").read_bytes())["signed"]["created"]
    assert created == "2026-07-24T09:30:00+08:00"  # the clock, in the draw time's own offset


def test_freeze_uses_the_clock_and_refuses_sources_known_by_the_deadline(
    folder_at: Callable[[str], Path], small_inputs: Path
) -> None:
    folder = folder_at("committed")
    applicants = small_inputs / "applicants.csv"
    before = folder_state(folder)
    past_round = call(
        "freeze", "--dir", folder, "--applicants", applicants,
        "--reveal-deadline", "2026-07-23T15:40:00+08:00", "--draw-at", DRAW_AT,
    )  # fmt: skip
    assert past_round.code == EXIT_INPUT
    assert "source 'drand-30662982' (drand quicknet round 30662982, published" in past_round.err
    assert "is known by the reveal deadline 2026-07-23T15:40:00+08:00" in past_round.err
    assert "the first quicknet round after it is 30663013" in past_round.err
    late_clock = call(*freeze_argv(folder, applicants), at="2026-07-23T15:31:00+08:00")
    assert late_clock.code == EXIT_INPUT
    assert "times out of order" in late_clock.err
    assert folder_state(folder) == before
    assert "--frozen-at" not in call("freeze", "--help").out
    frozen = call(*freeze_argv(folder, applicants), at="2026-07-22T09:00:00+00:00")
    assert frozen.code == EXIT_OK, str(frozen)
    window = json.loads((folder / "public" / "announcement.json").read_bytes())["signed"]["window"]
    assert window == {
        "frozen_at": "2026-07-22T17:00:00+08:00",
        "reveal_deadline": REVEAL_DEADLINE,
        "draw_at": DRAW_AT,
    }


def test_weak_or_reformatted_secret_files_are_refused(
    folder_at: Callable[[str], Path], tmp_path: Path, creds: Credentials
) -> None:
    folder = folder_at("ready")
    secret = creds.secret("bureau", SMALL_DRAW_ID).read_bytes()
    cases = {
        "zeros": (bytes(32).hex().encode() + b"\n", "the secret is not random"),
        "upper": (secret.upper(), "64 lower-case hexadecimal digits"),
        "crlf": (secret.replace(b"\n", b"\r\n"), "64 lower-case hexadecimal digits"),
        "short": (secret[:32] + b"\n", "64 lower-case hexadecimal digits"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / f"{name}.secret"
        path.write_bytes(data)
        run = call(
            "ceremony", "commit", "--dir", folder, "--party", "bureau", "--secret", path,
            "--fallback", BEACON,
        )  # fmt: skip
        assert run.code == EXIT_INPUT, name
        assert expected in error_line(run), name


def test_a_reveal_with_the_wrong_secret_fails_verification_and_changes_nothing(
    folder_at: Callable[[str], Path], creds: Credentials
) -> None:
    folder = folder_at("opened")
    before = folder_state(folder)
    run = reveal(folder, "bureau", creds.secret("notary", SMALL_DRAW_ID))
    # A secret that does not hash to the published commitment is a failed check
    # (RevealMismatchError is a VerificationError): exit 3, "verification failed".
    assert run.code == EXIT_VERIFY
    assert error_line(run).startswith(
        "error: verification failed: reveal of party 'bureau' does not match its commitment"
    )
    assert folder_state(folder) == before
    # The right secret is still accepted afterwards: nothing was re-rolled.
    assert reveal(folder, "bureau", creds.secret("bureau", SMALL_DRAW_ID)).code == EXIT_OK


def test_the_reveal_help_says_what_a_wrong_secret_does() -> None:
    run = call("ceremony", "reveal", "--help")
    assert "commitment" in run.out


def test_secret_files_that_are_missing_or_not_hex_are_named(
    folder_at: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = folder_at("opened")
    missing = reveal(folder, "bureau", tmp_path / "no")
    assert missing.code == EXIT_INPUT
    assert str(tmp_path / "no") in error_line(missing)
    junk = tmp_path / "junk.secret"
    junk.write_text("not a secret\n")
    not_hex = reveal(folder, "bureau", junk)
    assert not_hex.code == EXIT_INPUT
    assert error_line(not_hex).startswith(f"error: invalid input: {junk}, field")
    assert "not a secret file as `alloc ceremony secret` writes it" in error_line(not_hex)


def test_a_secret_file_with_non_ascii_bytes_is_named(
    folder_at: Callable[[str], Path], small_inputs: Path
) -> None:
    folder = folder_at("opened")
    wrong = small_inputs / "kindergartens.csv"  # the wrong file: starts with a UTF-8 BOM
    run = reveal(folder, "bureau", wrong)
    assert run.code == EXIT_INPUT
    assert str(wrong) in error_line(run)


def test_bad_ceremony_and_freeze_options_are_named(
    folder_at: Callable[[str], Path], small_inputs: Path
) -> None:
    folder = folder_at("committed")
    applicants = small_inputs / "applicants.csv"
    cases = {
        "field '--draw-at': not a time in the form alloc writes (value 'tomorrow')": (
            "freeze", "--dir", folder, "--applicants", applicants,
            "--draw-at", "tomorrow", "--reveal-deadline", REVEAL_DEADLINE,
        ),
        "(value '2026-07-24T09:30:00'); write it as YYYY-MM-DDTHH:MM:SS+08:00": (
            "freeze", "--dir", folder, "--applicants", applicants,
            "--draw-at", "2026-07-24T09:30:00", "--reveal-deadline", REVEAL_DEADLINE,
        ),
        "times out of order: the list is frozen, then the reveal deadline passes": (
            "freeze", "--dir", folder, "--applicants", applicants,
            "--draw-at", DRAW_AT, "--reveal-deadline", "2026-07-22T09:00:00+08:00",
        ),
        "expected NAME KIND key=value ..., separated by single spaces (value 'lottery')": (
            "ceremony", "begin", "--dir", folder, "--force", "--source", "lottery",
        ),
        "unknown source kind (digits, numbers or drand) (value 'dice')": (
            "ceremony", "begin", "--dir", folder, "--force", "--source", "lottery dice",
        ),
        "unknown source kind (digits, numbers or drand) (value 'text')": (
            "ceremony", "begin", "--dir", folder, "--force", "--source", "motto text",
        ),
        "missing drawn-at for a digits source": (
            "ceremony", "begin", "--dir", folder, "--force", "--source", "l digits count=3",
        ),
        "unknown key for a drand source (value 'period')": (
            "ceremony", "begin", "--dir", folder, "--force",
            "--source", "b drand chain=quicknet round=5 period=3",
        ),
        "not a drand chain alloc knows (value 'fastnet'); use default or quicknet": (
            "ceremony", "begin", "--dir", folder, "--force",
            "--source", "b drand chain=fastnet round=5",
        ),
        "expected order=drawn or order=ascending (value 'order=any')": (
            "ceremony", "begin", "--dir", folder, "--force", "--source",
            "b numbers count=6 min=1 max=33 order=any repeats=no"
            " drawn-at=2026-07-23T21:15:00+08:00",
        ),
        "field 'digits.count': must be a whole number from 1 to 64 (value 0)": (
            "ceremony", "begin", "--dir", folder, "--force", "--source",
            "b digits count=0 drawn-at=2026-07-23T21:15:00+08:00",
        ),
        "give --commitment HEX or --secret FILE": (
            "ceremony", "commit", "--dir", folder, "--party", "x", "--fallback", BEACON,
        ),
        "a commitment is 64 lower-case hexadecimal digits (value 'zz')": (
            "ceremony", "commit", "--dir", folder, "--party", "x", "--commitment", "zz",
            "--fallback", BEACON,
        ),
        "a commitment is 64 lower-case hexadecimal digits (value 'ABAB": (
            "ceremony", "commit", "--dir", folder, "--party", "x", "--commitment", "AB" * 32,
            "--fallback", BEACON,
        ),
        "fallback source is not declared for this ceremony (value 'moon')": (
            "ceremony", "commit", "--dir", folder, "--party", "x", "--commitment", "ab" * 32,
            "--fallback", "moon",
        ),
        "field '--role': expected NAME=VALUE (value 'bureau')": (
            "policy", "create", "--role", "bureau", "--out", folder / "t.json",
        ),
    }  # fmt: skip
    before = folder_state(folder)
    for expected, argv in cases.items():
        run = call(*argv)
        assert run.code == EXIT_INPUT, str(run)
        assert expected in error_line(run), str(run)
    assert folder_state(folder) == before


# --- nothing is overwritten without --force -------------------------------------------------


def _overwrite_cases(
    folder: Path, creds: Credentials, inputs: Path
) -> dict[str, tuple[object, ...]]:
    return {
        "keys generate": ("keys", "generate", "bureau", "--out", folder / "keys"),
        "policy create": (
            "policy", "create", "--role", f"bureau={creds.pub('bureau')}",
            "--role", f"notary={creds.pub('notary-1')}", "--out", folder / "trust.json",
        ),
        "rules init": (
            "rules", "init", "--kindergartens", inputs / "kindergartens.csv",
            "--draw-id", SMALL_DRAW_ID, "--out", folder / "rules.json",
        ),
        "ceremony secret": (
            "ceremony", "secret", "--party", "bureau", "--draw-id", SMALL_DRAW_ID,
            "--out", folder / "bureau.secret",
        ),
        "ceremony begin": ("ceremony", "begin", "--dir", folder, "--source", SOURCE_SPEC),
        "freeze": (
            "freeze", "--dir", folder, "--applicants", inputs / "applicants.csv",
            "--draw-at", DRAW_AT, "--reveal-deadline", REVEAL_DEADLINE,
        ),
        "draw": ("draw", "--dir", folder),
        "publish": ("publish", "--dir", folder),
        "report": ("report", "--dir", folder, "--out", folder / "publish" / "report"),
        "proof make": (
            "proof", "make", "--dir", folder, "--registration-number", "2026-0001",
            "--out", folder / "proof.json",
        ),
        "demo": ("demo", "--applicants", "20", "--kindergartens", "2", "--out", folder / "demo"),
    }  # fmt: skip


OVERWRITE_FIRST = {"keys generate", "ceremony secret", "publish", "proof make", "demo"}


@pytest.mark.parametrize(
    "command",
    [
        "keys generate",
        "policy create",
        "rules init",
        "ceremony secret",
        "ceremony begin",
        "freeze",
        "draw",
        "publish",
        "report",
        "proof make",
        "demo",
    ],
)
def test_outputs_are_never_overwritten_without_force(
    command: str, folder_at: Callable[[str], Path], creds: Credentials, small_inputs: Path
) -> None:
    folder = folder_at("signed")
    argv = _overwrite_cases(folder, creds, small_inputs)[command]
    if command in OVERWRITE_FIRST or command == "report":
        if command == "report":
            ok("publish", "--dir", folder)
        else:
            ok(*argv)
    before = folder_state(folder)
    run = call(*argv)
    assert run.code == EXIT_INPUT, str(run)
    message = error_line(run)
    assert "already exists; alloc never overwrites a file unless told to" in message
    assert "use --force" in message
    assert folder_state(folder) == before


def test_force_redraws_the_same_bytes(folder_at: Callable[[str], Path]) -> None:
    folder = folder_at("signed")
    before = folder_state(folder / "public")
    # --force alone never replaces a signed transcript, and changes nothing.
    refused = call("draw", "--dir", folder, "--force")
    assert refused.code == EXIT_INPUT, str(refused)
    assert "holds a signed document (2 signature(s))" in error_line(refused)
    assert "--replace-signed" in error_line(refused)
    assert folder_state(folder / "public") == before
    ok("draw", "--dir", folder, "--force", "--replace-signed")
    after = folder_state(folder / "public")
    assert after["results.jsonl"] == before["results.jsonl"]
    signed = json.loads(before["transcript.json"])
    redrawn = json.loads(after["transcript.json"])
    # The same transcript, but for its operator log head: the first draw and its two
    # signatures are in the log the new transcript signs, so a re-draw always shows.
    assert redrawn["signed"]["log"]["count"] == signed["signed"]["log"]["count"] + 3
    assert {**redrawn["signed"], "log": None} == {**signed["signed"], "log": None}
    assert redrawn["signatures"] == []  # a new transcript must be signed again
    digest = hashlib.sha256(before["transcript.json"]).hexdigest()
    assert after[f"transcript.replaced-{digest}.json"] == before["transcript.json"]


def test_force_replaces_a_secret_file(creds: Credentials, tmp_path: Path) -> None:
    path = tmp_path / "bureau.secret"
    argv = ("ceremony", "secret", "--party", "bureau", "--draw-id", SMALL_DRAW_ID, "--out", path)
    first = ok("--json", *argv).json()["commitment"]
    old = path.read_bytes()
    second = ok("--json", *argv, "--force").json()["commitment"]
    assert path.read_bytes() != old
    assert first != second


def test_a_refused_key_generation_writes_no_private_key(creds: Credentials, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    shutil.copy(creds.pub("bureau"), keys / "bureau.pub")
    run = call("keys", "generate", "bureau", "--out", keys)
    assert run.code == EXIT_INPUT
    assert sorted(p.name for p in keys.iterdir()) == ["bureau.pub"]


def test_a_refused_publish_writes_nothing(folder_at: Callable[[str], Path]) -> None:
    folder = folder_at("signed")
    ok("publish", "--dir", folder)
    before = folder_state(folder)
    run = call("publish", "--dir", folder, "--out", folder / "second")
    assert run.code == EXIT_INPUT
    assert folder_state(folder) == before


# --- --json errors and internal errors ----------------------------------------------------------


def test_json_errors_are_one_json_document(
    folder_at: Callable[[str], Path], creds: Credentials, tmp_path: Path
) -> None:
    folder = folder_at("frozen")
    add_signature(folder / "public" / "announcement.json", creds.key("stranger"))
    cases = {
        EXIT_INPUT: call("--json", "validate", "--applicants", tmp_path / "none.csv"),
        EXIT_VERIFY: call("--json", "ceremony", "open", "--dir", folder),
    }
    for code, run in cases.items():
        assert run.code == code
        error = run.json()
        assert error["ok"] is False
        assert {"ok", "error", "code", "type", "message"} <= set(error)
        assert error["message"] in run.err
    missing = cases[EXIT_INPUT].json()
    assert (missing["error"], missing["code"]) == ("invalid input", "file.not-found")
    assert missing["source"] == "rules.json"  # validate reads the rules first
    error = cases[EXIT_VERIFY].json()
    assert (error["error"], error["type"]) == ("verification failed", "SignatureThresholdError")
    assert error["code"] == "trust.threshold-not-met"
    assert error["message"].startswith("announcement: bureau signed by 0/1 keys; signed instead")


def test_an_unexpected_exception_is_an_internal_error(
    folder_at: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = folder_at("revealed")

    def broken_draw(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(alloc.cli, "draw", broken_draw)
    run = call("draw", "--dir", folder)
    assert run.code == EXIT_INTERNAL
    assert "Traceback" in run.err
    assert "RuntimeError: the engine fell over" in run.err
    assert error_line(run) == (
        "error: internal error (please report it with the trace above): the engine fell over"
    )
    as_json = call("--json", "draw", "--dir", folder)
    assert as_json.code == EXIT_INTERNAL
    assert as_json.json() == {
        "ok": False,
        "error": "internal error",
        "code": "internal.error",
        "type": "RuntimeError",
        "message": "the engine fell over",
    }
    assert not (folder / "public" / "transcript.json").exists()


def test_a_threshold_that_is_not_a_number_is_invalid_input(
    creds: Credentials, tmp_path: Path
) -> None:
    run = call(
        "policy",
        "create",
        "--role",
        f"bureau={creds.pub('bureau')}",
        "--threshold",
        "bureau=two",
        "--out",
        tmp_path / "trust.json",
    )
    assert run.code == EXIT_INPUT
    assert "--threshold" in error_line(run)


# --- parents: lookup and proofs -----------------------------------------------------------------


def test_lookup_finds_a_child_and_shows_only_masks(folder_at: Callable[[str], Path]) -> None:
    folder = folder_at("signed")
    reg, name, _, number = small_applicants()[0][:4]
    run = call("lookup", "--dir", folder, "--id", number, "--name", name)
    assert run.code == EXIT_OK
    first = run.out.splitlines()[0]
    assert first.startswith(f"{reg} 欧阳** **************")
    assert name not in run.out
    assert number not in run.out


def test_lookup_answers_a_wrong_name_and_an_unknown_number_identically(
    folder_at: Callable[[str], Path],
) -> None:
    folder = folder_at("signed")
    _, name, _, number = small_applicants()[0][:4]
    stranger = resident_id("440105", "20220101", 999)  # well-formed, never registered
    wrong_name = call("--json", "lookup", "--dir", folder, "--id", number, "--name", "王小明")
    unknown = call("--json", "lookup", "--dir", folder, "--id", stranger, "--name", name)
    assert wrong_name.code == unknown.code == EXIT_OK
    assert wrong_name.out == unknown.out
    assert wrong_name.json()["found"] is False
    # A mistyped number is an input error that says how to fix it, without echoing it.
    typo = wrong_check_character(number)
    mistyped = call("lookup", "--dir", folder, "--id", typo, "--name", name)
    assert mistyped.code == EXIT_INPUT
    assert "check character does not match" in error_line(mistyped)
    assert typo not in mistyped.text


def test_publish_writes_a_lookup_index_a_parent_opens_with_the_receipt(
    folder_at: Callable[[str], Path],
) -> None:
    folder = folder_at("signed")
    run = call("--json", "publish", "--dir", folder)
    assert run.code == EXIT_OK, str(run)
    index = folder / "publish" / "lookup"
    assert run.json()["lookup_index"] == str(index)
    shards = sorted(["index.json", *(f"{i:x}.json" for i in range(16))])
    assert sorted(p.name for p in index.iterdir()) == shards
    # a re-publish removes shards of an older layout, and only those
    (index / "ab.json").write_text("{}")
    (index / "README.txt").write_text("kept")
    ok("publish", "--dir", folder, "--force")
    assert sorted(p.name for p in index.iterdir()) == sorted([*shards, "README.txt"])
    (index / "README.txt").unlink()
    people = registry_people(folder)
    person, other_salt = people[2], people[3]["salt"]
    receipt = ("--registration-number", person["registration_number"], "--salt", person["salt"])
    asked = ("--id", person["document_number"], "--name", person["name"])
    public = call("--json", "lookup", "--dir", folder, *receipt, *asked)
    bureau = call("--json", "lookup", "--dir", folder, *asked)
    assert public.code == bureau.code == EXIT_OK
    assert public.json()["found"] is True
    assert public.json() == bureau.json()
    # the index alone, anywhere, without the draw folder or the private registry
    elsewhere = folder.parent / "downloaded"
    shutil.copytree(index, elsewhere)
    shutil.rmtree(folder / "private")
    alone = call("--json", "lookup", "--index", elsewhere, *receipt, *asked)
    assert alone.json() == public.json()
    # a wrong receipt code, a wrong name: the same not-found answer
    wrong_salt = call(
        "--json",
        "lookup",
        "--index",
        elsewhere,
        "--registration-number",
        person["registration_number"],
        "--salt",
        other_salt,
        *asked,
    )
    wrong_name = call(
        "--json",
        "lookup",
        "--index",
        elsewhere,
        *receipt,
        "--id",
        person["document_number"],
        "--name",
        "王小明",
    )
    assert wrong_salt.code == wrong_name.code == EXIT_OK
    assert wrong_salt.out == wrong_name.out
    assert wrong_salt.json()["found"] is False
    # half a receipt is a usage error; a malformed code says how to fix it
    half = call("lookup", "--index", elsewhere, "--salt", person["salt"], *asked)
    assert half.code == EXIT_INPUT
    assert "--registration-number and --salt" in error_line(half)
    typo = call(
        "lookup",
        "--index",
        elsewhere,
        "--registration-number",
        person["registration_number"],
        "--salt",
        "ABCD",
        *asked,
    )
    assert typo.code == EXIT_INPUT
    assert "26 characters" in error_line(typo)
    assert person["salt"] not in typo.text


def test_a_parent_checks_a_proof_and_a_wrong_name_fails(
    folder_at: Callable[[str], Path], tmp_path: Path, creds: Credentials
) -> None:
    folder = folder_at("signed")
    reg, name, _, number = small_applicants()[0][:4]
    salt = small_applicants()[0][9]
    proof = tmp_path / "proof.json"
    made = call("proof", "make", "--dir", folder, "--registration-number", reg, "--out", proof)
    assert made.code == EXIT_OK
    assert f"proof for {reg} written to {proof}" in made.out

    def check(*changes: str) -> Run:
        argv = {
            "--proof": str(proof),
            "--registration-number": reg,
            "--salt": salt,
            "--id": number,
            "--name": name,
            "--announcement": str(folder / "public" / "announcement.json"),
            "--transcript": str(folder / "public" / "transcript.json"),
            "--trust": str(creds.trust),
        }
        argv.update(dict(zip(changes[::2], changes[1::2], strict=True)))
        return call("proof", "check", *[part for pair in argv.items() for part in pair])

    good = check()
    assert good.code == EXIT_OK, str(good)
    for step in ("signatures", "identity", "record in frozen list", "lottery number"):
        assert f"PASS  {step}" in good.out
    assert "FAIL" not in good.out
    wrong = check("--name", "王小明")
    assert wrong.code == EXIT_VERIFY
    assert "FAIL  identity" in wrong.out
    bad_salt = check("--salt", "QQQQ-QQQQ")
    assert bad_salt.code == EXIT_INPUT
    assert "value withheld: personal data" in error_line(bad_salt)
    assert "QQQQ" not in bad_salt.err
    unknown = call(
        "proof", "make", "--dir", folder, "--registration-number", "2026-9999",
        "--out", tmp_path / "none.json",
    )  # fmt: skip
    assert unknown.code == EXIT_INPUT
    assert "no record for this registration number (value '2026-9999')" in error_line(unknown)


# --- the example district: three formats, one set of bytes; privacy ------------------------------


def test_utf8_gbk_and_xlsx_give_byte_identical_public_files(district: dict[str, Path]) -> None:
    for name in ("announcement.json", "records.jsonl", "results.jsonl"):
        contents = {
            fmt: (folder / "public" / name).read_bytes() for fmt, folder in district.items()
        }
        reference = contents["applicants.csv"]
        assert len(reference) > 1000, name
        for fmt, data in contents.items():
            assert data == reference, f"{name} from {fmt} differs from the UTF-8 CSV run"
    # The transcripts differ only in the head of each folder's own operator log, which
    # records the digest of the export each one read.
    signed = {}
    for fmt, folder in district.items():
        transcript = json.loads((folder / "public" / "transcript.json").read_bytes())
        assert len(transcript["signatures"]) == 2
        log = parse_log((folder / LOG_NAME).read_bytes())
        assert (
            transcript["signed"]["log"]
            == log.head_at(transcript["signed"]["log"]["count"]).to_json()
        )
        signed[fmt] = {**transcript["signed"], "log": None}
    assert signed["applicants.csv"]["records"]["count"] == 5000
    assert signed["applicants.xlsx"] == signed["applicants-gbk.csv"]
    assert signed["applicants.xlsx"] == signed["applicants.csv"]


def test_the_example_district_verifies(district: dict[str, Path], creds: Credentials) -> None:
    run = call("verify", "--dir", district["applicants.xlsx"], *creds.pin)
    assert run.code == EXIT_OK, str(run)
    assert "5000 outcomes identical" in run.out


def test_publish_writes_masked_lists_and_the_report(published_district: Path) -> None:
    publish = published_district / "publish"
    notices = sorted((publish / "notice").iterdir())
    assert len(notices) == 30
    assert all(p.suffix == ".xlsx" for p in notices)
    assert (publish / "waitlists.xlsx").is_file()
    assert (publish / "report" / "index.html").is_file()
    assert len(list((publish / "report").glob("kg-*.html"))) == 30
    assert (publish / "lookup" / "index.json").is_file()
    assert (published_district / "private" / "results.xlsx").is_file()


def _public_files(folder: Path) -> list[Path]:
    paths = [
        p for top in ("public", "publish") for p in sorted((folder / top).rglob("*")) if p.is_file()
    ]
    assert paths
    return paths


def test_no_name_document_number_or_salt_in_any_public_file_of_the_district(
    published_district: Path,
) -> None:
    people = registry_people(published_district)
    assert len(people) == 5000
    paths = _public_files(published_district)
    assert {p.suffix for p in paths} >= {".json", ".jsonl", ".xlsx", ".html"}
    assert personal_data_in(paths, people) == []


def test_the_privacy_scan_finds_a_planted_name_and_number(
    published_district: Path, tmp_path: Path
) -> None:
    people = registry_people(published_district)
    planted = tmp_path / "planted.html"
    planted.write_text(
        f"<p>恭喜{people[17]['name']}小朋友</p><p>{people[40]['document_number'].lower()}</p>",
        encoding="utf-8",
    )
    found = personal_data_in([planted], people)
    assert f"{planted}: name {people[17]['name']}" in found
    assert f"{planted}: document number {people[40]['document_number'].lower()}" in found


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_personal_data_in_the_small_draws_public_files(
    fmt: str, folder_at: Callable[[str], Path], tmp_path: Path
) -> None:
    folder = folder_at("signed")
    ok("publish", "--dir", folder, "--format", fmt)
    ok("report", "--dir", folder, "--out", folder / "publish" / "again")
    people = registry_people(folder)
    assert {p["name"] for p in people} == {row[1] for row in small_applicants()}
    paths = _public_files(folder)
    assert any(p.suffix == f".{fmt}" for p in paths)
    assert personal_data_in(paths, people) == []
    # ...while the private results do hold them, so the scan can see them.
    private = folder / "private" / f"results.{fmt}"
    assert personal_data_in([private], people)


def test_demo_writes_a_draw_folder_that_verifies_and_keeps_names_private(
    tmp_path: Path,
) -> None:
    target = tmp_path / "demo"
    run = call("demo", "--applicants", "40", "--kindergartens", "3", "--out", target)
    assert run.code == EXIT_OK, str(run)
    assert "verification passed" in run.out
    unpinned = call("verify", "--dir", target)
    assert unpinned.code == EXIT_INPUT
    assert "DEMO KEY" in unpinned.err
    pins = re.findall(r'--expect (\w+)="([0-9 ]+)"', run.out)
    assert [role for role, _ in pins] == ["bureau", "notary"]
    verified = call("verify", "--dir", target, *(f"--expect={r}={f}" for r, f in pins))
    assert verified.code == EXIT_OK, str(verified)
    assert "[DEMO KEY" in verified.out
    for key in (target / "keys").glob("*.pub"):
        assert key.read_text().startswith("演示密钥")
        assert "DEMO KEY: its private key is derived" in key.read_text()
    assert personal_data_in(_public_files(target), registry_people(target)) == []


# --- a whole draw as real processes --------------------------------------------------------------


def test_a_whole_draw_as_real_processes(tmp_path: Path) -> None:
    here = tmp_path / "district"
    write_small_inputs(here)
    (here / "secrets").mkdir()
    steps: list[Run] = []

    def alloc_(*argv: object, code: int = EXIT_OK, at: str | None = None) -> Run:
        run = run_process(*argv, cwd=here, at=at)
        steps.append(run)
        assert run.code == code, str(run)
        assert "Traceback" not in run.err, str(run)
        return run

    assert alloc_("keys", "generate", "bureau").out.startswith("key bureau\nkey id ")
    alloc_("keys", "generate", "notary-1")
    alloc_("policy", "create", "--role", "bureau=keys/bureau.pub",
           "--role", "notary=keys/notary-1.pub")  # fmt: skip
    # The notary keeps her own copy of the policy, outside the draw folder.
    alloc_("policy", "create", "--role", "bureau=keys/bureau.pub",
           "--role", "notary=keys/notary-1.pub", "--out", "../notary-trust.json")  # fmt: skip
    alloc_("rules", "init", "--kindergartens", "kindergartens.csv", "--draw-id", SMALL_DRAW_ID,
           "--tiers", "policy-care,local,other", "--multiples", "bundle", "--waitlist", "20",
           "--min-lottery-percent", "50", "--owners-phase")  # fmt: skip
    assert "ok: 12 applicants" in alloc_("validate", "--applicants", "applicants.csv").out
    alloc_("ceremony", "begin", "--source", SOURCE_SPEC, "--fallback", FALLBACK_SPEC)
    parties = PARTIES[:2] + PARTIES[3:]  # bureau and notary reveal; parent-rep-2 defaults
    for party in parties:
        made = alloc_("ceremony", "secret", "--party", party, "--draw-id", SMALL_DRAW_ID,
                      "--out", f"secrets/{party}.secret")  # fmt: skip
        assert f"commitment of {party}: " in made.out
        alloc_("ceremony", "commit", "--party", party, "--secret", f"secrets/{party}.secret",
               "--fallback", BEACON)  # fmt: skip
    frozen = alloc_("freeze", "--applicants", "applicants.csv",
                    "--reveal-deadline", REVEAL_DEADLINE, "--draw-at", DRAW_AT)  # fmt: skip
    assert "frozen 12 records under input root" in frozen.out
    assert "reading applicants.csv" in frozen.err
    for key in ("bureau", "notary-1"):
        alloc_("sign", "public/announcement.json", "--key", f"keys/{key}.key", "--yes")
    alloc_("ceremony", "reveal", "--party", "bureau", "--secret", "secrets/bureau.secret",
           code=EXIT_INPUT)  # fmt: skip
    alloc_("ceremony", "open")
    for party in parties[:2]:
        alloc_("ceremony", "reveal", "--party", party, "--secret", f"secrets/{party}.secret")
    # At 15:20 the deadline has not passed: parent-rep-2 may still reveal.
    early = alloc_("ceremony", "default", "--party", "parent-rep-2", code=EXIT_INPUT,
                   at="2026-07-23T15:20:00+08:00")  # fmt: skip
    assert "may still reveal until the deadline 2026-07-23T15:30:00+08:00" in early.err
    alloc_("ceremony", "default", "--party", "parent-rep-2")
    alloc_("ceremony", "source", "--name", BEACON, "--value", BEACON_VALUE)
    # The draw time has not come yet.
    too_soon = alloc_("draw", code=EXIT_INPUT, at=DAY["lottery drawn"])
    assert "cannot run before the announced draw time 2026-07-24T09:30:00+08:00" in too_soon.err
    alloc_("ceremony", "source", "--name", LOTTERY, "--value", "3 8 1", code=EXIT_INPUT)
    last = alloc_("ceremony", "source", "--name", LOTTERY, "--value", "381")
    assert "everything is in" in last.out
    seed = alloc_("--json", "ceremony", "seed").json()["seed"]
    drawn = alloc_("draw")
    assert "drew 12 applicants: 7 seats taken, 5 unplaced" in drawn.out
    for key in ("bureau", "notary-1"):
        alloc_("sign", "public/transcript.json", "--key", f"keys/{key}.key", "--yes")
    unpinned = alloc_("verify", "--dir", ".", code=EXIT_INPUT)
    assert "no trust pin given" in unpinned.err
    verified = alloc_("verify", "--dir", ".", "--trust", "../notary-trust.json")
    assert "verification passed" in verified.out
    assert seed in verified.out
    published = alloc_("publish")
    assert (
        "published 3 notice lists, waitlists, the report (report/index.html), the lookup index"
        " (16 shards), the verifier page (verify/index.html) and 12 proof files (proofs/) to"
        " publish" in published.out
    )
    reg, name, _, number = small_applicants()[0][:4]
    found = alloc_("--json", "lookup", "--id", number, "--name", name).json()
    assert found["registration_number"] == reg
    assert found["masked_name"] == "欧阳**"

    again = alloc_("draw", code=EXIT_INPUT)
    assert "already exists" in again.err
    results = here / "public" / "results.jsonl"
    results.write_bytes(results.read_bytes().replace(b'"placed":null', b'"placed":"K01"', 1))
    tampered = alloc_(
        "--json", "verify", "--dir", ".", "--trust", "../notary-trust.json", code=EXIT_VERIFY
    )
    assert {c["name"] for c in tampered.json()["checks"] if not c["passed"]} == {
        "results file",
        "re-run",
    }
    assert personal_data_in(_public_files(here), registry_people(here)) == []

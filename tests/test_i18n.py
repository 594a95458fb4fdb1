"""alloc speaks Chinese by default and English when asked; its catalog is complete.

The catalog tests extract every message from the code with Babel, as
``tools/i18n.py`` does, and hold the committed catalog to it: every message
translated, the same placeholders, the shipped ``.mo`` the compiled ``.po``.
The command-line tests run ``alloc`` without ``ALLOC_LANG`` (the rest of the
suite reads English, see conftest.py) and read what a bureau's staff read.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_helpers import (
    APPLICANT_HEADER,
    SMALL_DRAW_ID,
    SMALL_KINDERGARTENS,
    Credentials,
    build_draw,
    call,
    make_credentials,
    resign,
    small_applicants,
    write_csv,
    wrong_check_character,
)

from alloc import i18n
from alloc.cli import _columns as columns
from alloc.errors import InputError
from alloc.i18n import Language, get_language, override_language, parse_language, set_language
from alloc.identity import normalise_document_number

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import i18n as catalog_tools

EXIT_INPUT, EXIT_VERIFY = 2, 3
HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def chinese_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ALLOC_LANG, as on a bureau's computer."""
    monkeypatch.delenv(i18n.ENVIRONMENT_VARIABLE, raising=False)


# --- the catalog ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> object:
    return catalog_tools.read_catalog()


def _key(message: object) -> tuple[str, str | None]:
    ids = message.id  # type: ignore[attr-defined]
    return (ids if isinstance(ids, str) else ids[0], message.context)  # type: ignore[attr-defined]


def test_every_message_in_the_code_is_in_the_catalog_and_translated(catalog: object) -> None:
    extracted = [m for m in catalog_tools.extract() if m.id]
    assert len(extracted) > 700
    known = {_key(m) for m in catalog}  # type: ignore[attr-defined]
    missing = [_key(m)[0] for m in extracted if _key(m) not in known]
    assert missing == [], "run `python tools/i18n.py update` and translate them"
    untranslated = [m.id for m in catalog_tools.untranslated(catalog)]  # type: ignore[arg-type]
    assert untranslated == []


def test_the_catalog_holds_nothing_the_code_does_not_use(catalog: object) -> None:
    used = {_key(m) for m in catalog_tools.extract() if m.id}
    stale = [k[0] for m in catalog if m.id and (k := _key(m)) not in used]  # type: ignore[attr-defined]
    assert stale == []


def test_placeholders_match_between_message_and_translation(catalog: object) -> None:
    assert list(catalog_tools.placeholder_problems(catalog)) == []  # type: ignore[arg-type]


def test_the_placeholder_check_sees_a_mismatch() -> None:
    from babel.messages.catalog import Catalog  # noqa: PLC0415

    broken = Catalog(locale="zh_CN")
    broken.add("row {row}: {problem}", "第 {line} 行：{problem}")
    broken.add("usage: %(prog)s", "用法：%s")
    assert len(list(catalog_tools.placeholder_problems(broken))) == 2


def test_the_shipped_mo_is_the_compiled_po(catalog: object) -> None:
    assert catalog_tools.MO_FILE.read_bytes() == catalog_tools.compile_catalog(catalog)  # type: ignore[arg-type]


def test_every_translation_with_words_is_chinese(catalog: object) -> None:
    # A message with English words whose "translation" holds no Chinese was copied, not
    # translated. Placeholders, code in backticks and options are not words.
    not_chinese = []
    for message in catalog:  # type: ignore[attr-defined]
        if not message.id:
            continue
        text = message.id if isinstance(message.id, str) else message.id[0]
        words = re.sub(r"\{[^}]*\}|`[^`]*`|%\(\w+\)\w|--[\w-]+", "", text)
        translated = message.string if isinstance(message.string, str) else message.string[0]
        if re.search(r"[A-Za-z]{3,}", words) and not HAN.search(translated):
            not_chinese.append(text)
    assert not_chinese == []


def test_text_a_person_reads_is_marked_for_translation() -> None:
    # Console output, errors made through helpers, option help: each place is named.
    assert catalog_tools.untranslated_text() == [], "wrap these in _() (tools/i18n.py)"


def test_the_scan_for_untranslated_text_sees_plain_text(tmp_path: Path) -> None:
    # A scan that found nothing would pass the test above: it sees what it must.
    (tmp_path / "alloc").mkdir()
    (tmp_path / "alloc" / "m.py").write_text(
        "def f(out, fields, n):\n"
        "    out.say(f'drew {n} applicants')\n"
        "    raise fields.error('key', 'not a number', hint=_('fine'))\n"
        "    out.step(_('reading {file}').format(file=n))\n"
        "    out.say(str(n / 'rules.json'))\n",
        encoding="utf-8",
    )
    root = catalog_tools.ROOT
    catalog_tools.ROOT = tmp_path
    try:
        found = catalog_tools.untranslated_text()
    finally:
        catalog_tools.ROOT = root
    assert [line.split(":")[1].split()[0] for line in found] == ["2", "3"]


def _argparse_words() -> set[str]:
    """Every message argparse looks up with its ``_`` and ``ngettext``."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_", "ngettext"}
        ):
            found |= {a.value for a in node.args if isinstance(a, ast.Constant) and a.value}
    return found


def test_the_argparse_words_alloc_translates_are_argparse_own() -> None:
    with override_language("en"):
        ours = set(i18n._argparse_messages())
    # A newer Python that rewords one would fall back to English unseen; this says so.
    assert ours <= _argparse_words()
    assert {"usage: ", "options", "%(prog)s: error: %(message)s\n"} <= ours


def test_argparse_is_translated_only_inside_the_command_line() -> None:
    before = vars(argparse)["_"]
    with override_language("zh-CN"), i18n.argparse_in_current_language():
        assert argparse.ArgumentParser(prog="x").format_usage().startswith("用法：")
    assert vars(argparse)["_"] is before
    assert argparse.ArgumentParser(prog="x").format_usage().startswith("usage: ")


# --- choosing the language ---------------------------------------------------------------


def test_chinese_is_the_default(chinese_by_default: None) -> None:
    assert get_language() is Language.ZH_CN
    error = InputError("x", code="t.x", field="tier", row=3, source="a.csv", hint="y")
    assert str(error) == "a.csv，第 3 行，字段 'tier'：x；y"


def test_alloc_lang_chooses_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOC_LANG", "en")
    assert get_language() is Language.EN
    monkeypatch.setenv("ALLOC_LANG", "zh_CN")
    assert get_language() is Language.ZH_CN
    monkeypatch.setenv("ALLOC_LANG", "klingon")  # the library falls back; the CLI refuses
    assert get_language() is Language.ZH_CN


@pytest.fixture
def process_language() -> Iterator[None]:
    yield
    set_language(None)


def test_set_language_holds_for_the_process_and_threads(
    chinese_by_default: None, process_language: None
) -> None:
    set_language("en")
    seen: list[Language] = []
    thread = threading.Thread(target=lambda: seen.append(get_language()))
    thread.start()
    thread.join()
    assert seen == [Language.EN]
    set_language(None)
    assert get_language() is Language.ZH_CN


def test_override_language_nests_and_restores(chinese_by_default: None) -> None:
    with override_language("en"):
        assert get_language() is Language.EN
        with override_language(Language.ZH_CN):
            assert i18n._("file not found") == "找不到文件"
        assert i18n._("file not found") == "file not found"
    assert get_language() is Language.ZH_CN


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("zh-CN", Language.ZH_CN),
        ("zh", Language.ZH_CN),
        ("EN", Language.EN),
        ("en_US", Language.EN),
    ],
)
def test_language_tags(tag: str, language: Language) -> None:
    assert parse_language(tag) is language


def test_an_unknown_language_is_refused_with_a_code() -> None:
    with pytest.raises(InputError) as caught:
        parse_language("fr")
    assert caught.value.code == "i18n.unknown-language"
    assert caught.value.field == "language"


def test_a_message_is_rendered_when_it_is_made(chinese_by_default: None) -> None:
    with override_language("en"), pytest.raises(InputError) as caught:
        normalise_document_number("resident-id", "44010520220110100X")
    # Shown later in another language, it stays as it was made.
    assert "check character does not match" in str(caught.value)
    with pytest.raises(InputError) as caught:
        normalise_document_number("resident-id", "44010520220110100X")
    assert "校验码不符" in str(caught.value)
    assert caught.value.code == "id-number.check-character"


# --- the command line in Chinese -----------------------------------------------------------


def test_help_is_chinese_by_default(chinese_by_default: None) -> None:
    run = call("--help")
    assert run.code == 0
    assert run.out.startswith("用法：alloc")
    for words in ("选项", "显示本帮助信息并退出", "退出码：0 成功，2 输入无效，3 核验未通过"):
        assert words in run.out
    sub = call("verify", "--help")
    assert "仅凭公开文件和您预先锁定的密钥核验全部内容" in sub.out
    assert "--trust 和 --expect 必须给出其一" in sub.out


def test_help_lines_fit_a_terminal(
    chinese_by_default: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    run = call("freeze", "--help")
    assert max(map(columns, run.out.splitlines())) <= 80, run.out


@pytest.mark.parametrize("how", ["option", "environment"])
def test_english_on_request(how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "option":
        monkeypatch.delenv("ALLOC_LANG", raising=False)
        run = call("--lang", "en", "--help")
    else:
        monkeypatch.setenv("ALLOC_LANG", "en")
        run = call("--help")
    assert run.out.startswith("usage: alloc")
    assert "Exit codes: 0 success" in run.out


def test_usage_errors_are_chinese(chinese_by_default: None) -> None:
    run = call("freeze")
    assert run.code == EXIT_INPUT
    assert "alloc freeze：错误：缺少以下必需的参数：--applicants" in run.err


def test_an_unknown_language_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOC_LANG", raising=False)
    run = call("--json", "--lang", "fr", "keys", "fingerprint", "x.pub")
    assert run.code == EXIT_INPUT
    assert run.json()["code"] == "i18n.unknown-language"
    assert "不支持的语言" in run.err
    monkeypatch.setenv("ALLOC_LANG", "fr")
    run = call("--help")
    assert run.code == EXIT_INPUT
    assert "ALLOC_LANG" in run.err


# --- messy spreadsheets, in Chinese with row, column and sheet ----------------------------------


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("rules")
    write_csv(folder / "kindergartens.csv", SMALL_KINDERGARTENS)
    out = folder / "rules.json"
    run = call(
        "rules", "init", "--kindergartens", folder / "kindergartens.csv",
        "--draw-id", SMALL_DRAW_ID, "--tiers", "local,other", "--out", out,
    )  # fmt: skip
    assert run.code == 0, str(run)
    return out


def _workbook(path: Path, sheets: list[tuple[str, list[list[str]], str]], active: int) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, state in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    book.active = active
    book.save(path)
    return path


def _messy_rows() -> list[list[str]]:
    rows = [list(r) for r in small_applicants()]
    rows[1][1] = "林?"  # a name damaged by an encoding (林䶮)
    rows[2][3] = wrong_check_character(rows[2][3])
    rows[3][4] = "K99"  # no such kindergarten
    return [list(APPLICANT_HEADER), *rows]


def test_a_messy_workbook_is_refused_in_chinese_with_row_column_and_sheet(
    chinese_by_default: None, rules: Path, tmp_path: Path
) -> None:
    path = _workbook(
        tmp_path / "报名.xlsx",
        [
            ("填表说明", [["填表说明"], ["身份证号请填写18位"]], "visible"),
            ("去年名单", [list(APPLICANT_HEADER)], "hidden"),
            ("报名表", _messy_rows(), "visible"),
        ],
        active=0,
    )
    run = call("validate", "--rules", rules, "--applicants", path)
    assert run.code == EXIT_INPUT
    head = f"错误：输入无效：{path}，工作表“报名表”：3 个问题；未导入任何数据"
    assert head in run.err, run.err
    assert "第 3 行，B 列“幼儿姓名”（name）：姓名中含有“?”" in run.err
    assert "（值已隐去：属个人信息）" in run.err
    assert "第 4 行，D 列“身份证号”（document_number）：校验码不符（ISO 7064 MOD 11-2）" in run.err
    assert (
        "第 5 行，E 列“第一志愿”（choice_1）：志愿填写的幼儿园不在派位规则中（值 'K99'）" in run.err
    )
    as_json = call("--json", "validate", "--rules", rules, "--applicants", path).json()
    assert (as_json["code"], as_json["sheet"]) == ("import.problems", "报名表")
    assert [(p["code"], p["row"], p["column"], p["sheet"]) for p in as_json["problems"]] == [
        ("name.lost-character", 3, "B", "报名表"),
        ("id-number.check-character", 4, "D", "报名表"),
        ("rules.unknown-kindergarten", 5, "E", "报名表"),
    ]
    assert "value" not in as_json["problems"][0]  # a name is personal data
    assert as_json["problems"][2]["value"] == "K99"


def test_a_hidden_list_is_refused_in_chinese(
    chinese_by_default: None, rules: Path, tmp_path: Path
) -> None:
    rows = [list(APPLICANT_HEADER), *map(list, small_applicants())]
    path = _workbook(
        tmp_path / "a.xlsx", [("名单", rows, "hidden"), ("封面", [["2026年报名"]], "visible")], 1
    )
    run = call("--json", "validate", "--rules", rules, "--applicants", path)
    assert run.code == EXIT_INPUT
    error = run.json()
    assert error["code"] == "import.hidden-sheet"
    assert "唯一含有报名信息列的工作表 '名单' 在 Excel 中是隐藏的" in error["message"]
    assert "--sheet '名单'" in error["hint"]


def test_a_big5_file_is_refused_in_chinese(
    chinese_by_default: None, rules: Path, tmp_path: Path
) -> None:
    text = "\r\n".join(",".join(r) for r in [APPLICANT_HEADER, *small_applicants()])
    path = tmp_path / "big5.csv"
    path.write_bytes(text.encode("big5", errors="replace"))
    run = call("--json", "validate", "--rules", rules, "--applicants", path)
    error = run.json()
    assert error["code"] == "import.encoding-big5"
    assert "这是 Big5（繁体中文，台湾或香港）编码的文本" in error["message"]
    assert "另存为“CSV UTF-8（逗号分隔）”" in error["hint"]


# --- the ceremony and verification, in Chinese ------------------------------------------------


@pytest.fixture(scope="module")
def draw(tmp_path_factory: pytest.TempPathFactory) -> tuple[Credentials, dict[str, Path]]:
    root = tmp_path_factory.mktemp("i18n-draw")
    creds = make_credentials(root / "creds", [SMALL_DRAW_ID])
    inputs = root / "inputs"
    inputs.mkdir()
    write_csv(inputs / "kindergartens.csv", SMALL_KINDERGARTENS)
    write_csv(inputs / "applicants.csv", [APPLICANT_HEADER, *small_applicants()])
    stages = {"frozen": root / "frozen", "announced": root / "announced", "opened": root / "opened"}
    build_draw(
        root / "work",
        creds,
        kindergartens=inputs / "kindergartens.csv",
        applicants=inputs / "applicants.csv",
        draw_id=SMALL_DRAW_ID,
        min_lottery_percent=50,
        until="signed",
        snapshots=stages,
    )
    stages["signed"] = root / "work"
    return creds, stages


def _copy(draw: tuple[Credentials, dict[str, Path]], stage: str, tmp_path: Path) -> Path:
    target = tmp_path / stage
    shutil.copytree(draw[1][stage], target)
    return target


def test_a_late_reveal_is_refused_in_chinese(
    chinese_by_default: None, draw: tuple[Credentials, dict[str, Path]], tmp_path: Path
) -> None:
    folder = _copy(draw, "opened", tmp_path)
    secret = draw[0].secret("bureau", SMALL_DRAW_ID)
    late = call(
        "--json", "ceremony", "reveal", "--dir", folder, "--party", "bureau", "--secret", secret,
        at="2026-07-23T15:30:01+08:00",
    )  # fmt: skip
    assert late.code == EXIT_INPUT
    assert (
        "错误：输入无效：字段 'reveal'：参与方 'bureau' 不能在 2026-07-23T15:30:01+08:00 揭示："
        "揭示截止时间 2026-07-23T15:30:00+08:00 已过；请宣布其未揭示"
        "（`alloc ceremony default --party bureau`）：由其备用随机源 'drand-30662982' 代替"
    ) in late.err
    error = late.json()
    assert (error["code"], error["field"]) == ("ceremony.reveal-after-deadline", "reveal")


def test_a_source_value_in_another_form_is_refused_in_chinese(
    chinese_by_default: None, draw: tuple[Credentials, dict[str, Path]], tmp_path: Path
) -> None:
    folder = _copy(draw, "opened", tmp_path)
    run = call("ceremony", "source", "--dir", folder, "--name", "welfare-3d", "--value", "3 8 1")
    assert run.code == EXIT_INPUT
    assert "不符合认可的书写格式（值 '3 8 1'）；恰好 3 个 0-9 的数字，按开出顺序书写" in run.err


def test_a_signature_by_a_stranger_fails_verification_in_chinese(
    chinese_by_default: None, draw: tuple[Credentials, dict[str, Path]], tmp_path: Path
) -> None:
    creds, _stages = draw
    folder = _copy(draw, "announced", tmp_path)
    # The announcement signed by a key outside the trust policy only.
    resign(folder / "public" / "announcement.json", creds.key("stranger"))
    run = call("--json", "ceremony", "open", "--dir", folder)
    assert run.code == EXIT_VERIFY
    assert "错误：核验未通过：" in run.err
    assert "bureau 的有效签名 0/1；签名的却是不在信任策略中的密钥：指纹" in run.err
    assert run.json()["code"] == "trust.threshold-not-met"


# --- the pages people print: Chinese first, English beside it, never English alone --------


class _TextNodes(HTMLParser):
    """The text of a page that is not marked as English, code, a digest or a script."""

    VOID = frozenset({"meta", "link", "br", "input", "img", "wbr", "hr"})
    SKIPPED = frozenset({"script", "style", "code", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        skip = (
            tag in self.SKIPPED
            or attributes.get("lang") == "en"
            or bool({"en", "hex", "tk"} & set(classes))
        )
        self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or all(open_tag != tag for open_tag, _skip in self.stack):
            return
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not any(skip for _tag, skip in self.stack) and data.strip():
            self.found.append(data.strip())


#: Words that are names in every language: of programs, algorithms, the time zone.
_NAMES = frozenset({"UTC", "SHA", "HMAC", "Python", "OpenSSL", "Asia", "Shanghai", "alloc"})


def _english_only(page: str) -> list[str]:
    parser = _TextNodes()
    parser.feed(page)
    return [
        text
        for text in parser.found
        if not HAN.search(text)
        and any(
            word not in _NAMES and not re.fullmatch(r"[0-9a-f]+", word)
            for word in re.findall(r"[A-Za-z]{3,}", text)
        )
    ]


@pytest.fixture(scope="module")
def chinese_demo() -> object:
    from alloc.demo import run_demo  # noqa: PLC0415

    # The checks' details are written in the language current when they run.
    with override_language("zh-CN"):
        return run_demo(applicants=300, kindergartens=4)


def test_the_report_pages_show_no_english_alone(chinese_demo: object) -> None:
    from alloc.report import render_report  # noqa: PLC0415

    run: Any = chinese_demo
    with override_language("zh-CN"):
        pages = render_report(
            rules=run.rules,
            announcement=run.announcement,
            transcript=run.transcript,
            outcome=run.outcome,
            report=run.report,
            policy=run.policy,
            registry=run.registry,
        )
    found = {
        name: _english_only(text) for name, text in pages.files.items() if name.endswith(".html")
    }
    assert len(found) > 2
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_the_certificate_shows_no_english_alone(chinese_demo: object) -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    from alloc.certificate import CheckedFile, render_certificate  # noqa: PLC0415

    run: Any = chinese_demo
    with override_language("zh-CN"):
        page = render_certificate(
            report=run.report,
            rules=run.rules,
            policy=run.policy,
            trust_source=i18n._("fingerprints pinned with --expect"),
            files=[CheckedFile("transcript", "public/transcript.json", 1, bytes(32))],
            verified_at=datetime(2026, 7, 24, 2, 0, tzinfo=UTC),
            announcement=run.announcement,
            transcript=run.transcript,
        )
    assert '派位记录 <span class="en" lang="en">transcript</span> ✓' in page
    assert _english_only(page) == []


def test_the_english_only_scan_sees_english(chinese_demo: object) -> None:
    page = (
        '<p>核验通过 <span lang="en">passed</span></p><p>re-ran the draw</p>'
        '<p><code>alloc verify</code> <span class="hex">c0ffee</span> UTC+08:00</p>'
    )
    assert _english_only(page) == ["re-ran the draw"]


def test_verify_speaks_chinese_and_names_signers_by_role(
    chinese_by_default: None, draw: tuple[Credentials, dict[str, Path]]
) -> None:
    creds, stages = draw
    run = call("verify", "--dir", stages["signed"], *creds.pin)
    assert run.code == 0, str(run)
    assert "通过  公告签名：bureau 的有效签名 1/1：指纹 " in run.out
    assert "notary 的有效签名 1/1：指纹 " in run.out
    assert "通过  独立重算：已用 alloc " in run.out
    assert run.out.rstrip().endswith("核验通过")
    assert not re.search(r"\b(PASS|FAIL|verification)\b", run.out)
    checks = call("--json", "verify", "--dir", stages["signed"], *creds.pin).json()["checks"]
    # Programs key on the English name; people read the title.
    assert {"name": "re-run", "title": "独立重算"}.items() <= next(
        c for c in checks if c["name"] == "re-run"
    ).items()


def test_sign_shows_its_summary_in_chinese(
    chinese_by_default: None, draw: tuple[Credentials, dict[str, Path]], tmp_path: Path
) -> None:
    creds, _stages = draw
    folder = _copy(draw, "frozen", tmp_path)
    announcement = folder / "public" / "announcement.json"
    run = call("sign", announcement, "--key", creds.key("bureau"), "--yes")
    assert run.code == 0, str(run)
    lines = run.out.splitlines()
    assert lines[0].startswith("文件          派位公告（")
    assert any(line.startswith("种子计划      参与方 bureau") for line in lines)
    assert any(line.startswith("签名密钥      指纹 ") and "角色 bureau" in line for line in lines)
    assert lines[-1].startswith("已签署 ")
    # --json keeps the summary's English keys.
    again = call("--json", "sign", announcement, "--key", creds.key("bureau"), "--yes")
    assert again.json()["code"] == "sign.already-signed"


def test_a_round_opened_out_of_order_is_refused_in_chinese(
    chinese_by_default: None, draw: tuple[Credentials, dict[str, Path]], tmp_path: Path
) -> None:
    folder = _copy(draw, "signed", tmp_path)
    responses = tmp_path / "responses.csv"
    write_csv(responses, [("报名编号", "答复", "幼儿园"), ("2026-0001", "放弃", "")])
    run = call("--json", "round", "open", "--dir", folder, "--round", "3", "--responses", responses)
    assert run.code == EXIT_INPUT
    assert "字段 '--round'：无法开启第 3 轮：最近完成的是第 1 轮（值 3）；请开启第 2 轮" in run.err
    assert run.json()["code"] == "round.out-of-order"

"""The notary's certificate of verification (alloc verify --certificate): content, safety, A4."""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from cli_helpers import DAY, EXIT_INPUT, EXIT_OK, EXIT_VERIFY, call, edit_line
from test_report import _chromium, _require_chromium, parse

from alloc.signing import TrustPolicy, fingerprint


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A demo draw folder and the --expect pins its output prints."""
    target = tmp_path_factory.mktemp("demo") / "draw"
    run = call("demo", "--applicants", "300", "--kindergartens", "3", "--out", target)
    assert run.code == EXIT_OK, str(run)
    pins = [f"--expect={r}={f}" for r, f in re.findall(r'--expect (\w+)="([0-9 ]+)"', run.out)]
    return target, pins


@pytest.fixture
def folder(demo: tuple[Path, list[str]], tmp_path: Path) -> Path:
    target = tmp_path / "draw"
    shutil.copytree(demo[0], target)
    return target


def verify(folder: Path, pins: list[str], *extra: object) -> tuple[int, str]:
    run = call("verify", "--dir", folder, *pins, "--published", folder / "publish", *extra)
    return run.code, run.text


def test_the_certificate_lists_time_software_files_keys_checks_and_verdict(
    demo: tuple[Path, list[str]], folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "certificate.html"
    code, text = verify(folder, demo[1], "--certificate", out)
    assert code == EXIT_OK, text
    assert f"wrote the certificate of this verification to {out}" in text
    document = out.read_text(encoding="utf-8")
    page = parse(document)
    words = page.all_text
    assert "电脑派位核验证明" in words
    assert "核验通过：14 项检查全部通过" in words
    assert "Verification passed: all 14 checks" in words
    # When, in the rules' time zone, and with what.
    assert "2026-07-24 10:00:00 Asia/Shanghai" in words  # the clock of the test's draw day
    assert DAY["later"] in words
    assert "alloc 0.1.0" in words
    assert "alloc-draw" in words
    assert "规范版本 Spec version 2" in words
    # Every file read, with its size and the SHA-256 of its bytes.
    files = page.table_with("Bytes")
    listed = {row[1][row[1].index("/") :]: row for row in files[1:]}
    expected = [
        *(folder / "public" / name for name in ("rules.json", "records.jsonl", "results.jsonl")),
        folder / "public" / "announcement.json",
        folder / "public" / "transcript.json",
        folder / "public" / "trust.json",
        *sorted((folder / "publish" / "notice").glob("*.csv")),
        folder / "publish" / "waitlists.csv",
    ]
    assert set(listed) == {str(p) for p in expected}
    for path in expected:
        row = listed[str(path)]
        assert row[2] == f"{path.stat().st_size:,}"
        assert row[3] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "公示名单 notice list" in words
    assert "候补名单 waitlists" in words
    # The pinned keys by role (only those pinned), and who signed what.
    published = TrustPolicy.from_bytes((folder / "public" / "trust.json").read_bytes())
    keys = page.table_with("Fingerprint")
    assert len(keys) == 1 + len(demo[1])
    for pin in demo[1]:
        role, digits = pin.removeprefix("--expect=").split("=")
        row = next(r for r in keys[1:] if digits in r[1])
        assert role in row[0]
        assert "DEMO KEY" in row[1]
        keyid = next(k.keyid for r in published.roles for k in r.keys if k.fingerprint == digits)
        assert row[2] == keyid
        assert fingerprint(keyid) == digits
        assert "公告 announcement ✓" in row[3]
        assert "派位记录 transcript ✓" in row[3]
    # Every check and its result.
    checks = page.table_with("Check")
    names = [row[1] for row in checks[1:]]
    assert "公示名单 notice lists" in names
    assert "独立重算 re-run" in names
    assert all(row[2] == "✓ 通过 PASS" for row in checks[1:])
    assert "Every check passed." in words
    assert "公证员（签名） Notary (signature)" in words


def test_a_failed_verification_gives_a_failing_certificate(
    demo: tuple[Path, list[str]], folder: Path, tmp_path: Path
) -> None:
    edit_line(folder / "public" / "results.jsonl", 3, lambda r: r.update(ticket="0" * 64))
    out = tmp_path / "certificate.html"
    code, text = verify(folder, demo[1], "--certificate", out)
    assert code == EXIT_VERIFY, text
    words = parse(out.read_text(encoding="utf-8")).all_text
    assert "核验未通过" in words
    assert "Verification FAILED" in words
    assert "✗ 未通过 FAIL" in words
    assert "the checks marked FAIL did not pass" in words
    assert "Every check passed." not in words


def test_an_existing_file_is_never_overwritten_without_force(
    demo: tuple[Path, list[str]], folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "certificate.html"
    out.write_text("the notary's own file", encoding="utf-8")
    code, text = verify(folder, demo[1], "--certificate", out)
    assert code == EXIT_INPUT, text
    assert "already exists" in text
    assert out.read_text(encoding="utf-8") == "the notary's own file"
    code, text = verify(folder, demo[1], "--certificate", out, "--force")
    assert code == EXIT_OK, text
    assert "电脑派位核验证明" in out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["certificate.html", "draw"]


def test_the_certificate_loads_nothing_and_runs_no_script(
    demo: tuple[Path, list[str]], folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "certificate.html"
    assert verify(folder, demo[1], "--certificate", out)[0] == EXIT_OK
    page = parse(out.read_text(encoding="utf-8"))
    assert page.scripts == []
    for tag, attrs in page.tags:
        assert "src" not in attrs, tag
        assert "style" not in attrs, tag
    csp = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None
    assert "default-src 'none'" in csp
    assert "script-src" not in csp


@pytest.mark.browser
def test_the_certificate_prints_on_a4(
    demo: tuple[Path, list[str]], folder: Path, tmp_path: Path
) -> None:
    _require_chromium()
    pypdf = pytest.importorskip("pypdf")
    out = tmp_path / "certificate.html"
    assert verify(folder, demo[1], "--certificate", out)[0] == EXIT_OK
    pdf = tmp_path / "certificate.pdf"
    _chromium(
        tmp_path / "profile",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        out.as_uri(),
        timeout=120,
    )
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) >= 2
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - 595.28) < 1.5, box
        assert abs(float(box.height) - 841.89) < 1.5, box
    # pypdf reads some CJK glyphs back as radicals; NFKC folds those it can, and
    # every hash and number is compared with the line breaks taken out.
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    flat = re.sub(r"\s+", "", text)
    assert "电脑派位核验证明" in text
    assert "核验通过" in text
    assert f"共{len(reader.pages)}" in flat  # page numbers: 第 N 页 / 共 M 页
    assert f"(page1of{len(reader.pages)})" in flat
    assert f"(page{len(reader.pages)}of{len(reader.pages)})" in flat
    document = out.read_text(encoding="utf-8")
    for digest in re.findall(r'<span class="hex">([0-9a-f]{64})</span>', document):
        assert digest in flat, digest
    for check in ("documents", "re-run", "notice lists", "waitlists"):
        assert check in text
    for path in (folder / "publish" / "notice").glob("*.csv"):
        assert path.name in flat

"""A notary's certificate of verification: one printable HTML page to attach to a 公证书.

``alloc verify --certificate FILE.html`` writes it. It says, in Chinese with
English beside it, when the verification ran (in the rules' time zone), with
which software and spec version, which files were checked (name, size and
the SHA-256 of the very bytes checked), which keys were trusted for each
role (fingerprint and key id, from the verifier's own pin) and who signed
each document, every check with its result, and the verdict, with room for
the notary's signature and seal. A rehearsal's certificate (``alloc
rehearse``, verified with ``--rehearsal``) says at the top, in its title and
in its verdict that it is a rehearsal's and proves no real draw.

The page is laid out for A4: ``@page`` margins, numbered pages ("第 N 页 /
共 M 页"), table headers repeated on every page and rows never cut in two.
It loads nothing and runs no script (its Content-Security-Policy pins the
one style sheet by hash). The function is pure: it returns the document as
``str``; :mod:`alloc.cli` writes it.
"""

from __future__ import annotations

import base64
import hashlib
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

from alloc._version import DISTRIBUTION, __version__
from alloc.audit import (
    REHEARSAL_MARK,
    Announcement,
    Transcript,
    VerificationReport,
    document_digest,
    document_title,
)
from alloc.canonical import SPEC_VERSION
from alloc.clock import format_time
from alloc.errors import AllocError, InputError
from alloc.i18n import _
from alloc.model import DrawRules, local_time
from alloc.report import bilingual, check_name, escape, term
from alloc.signing import Envelope, TrustPolicy, fingerprint, is_demo_key

if TYPE_CHECKING:
    from alloc.io import FileDigest

__all__ = ["CheckedFile", "checked_files", "render_certificate"]


@dataclass(frozen=True)
class CheckedFile:
    """One file the verification read: what it is, where, its size and the SHA-256 of its bytes."""

    role: str
    path: str
    size: int
    sha256: bytes


def checked_files(
    reads: Sequence[FileDigest], roles: Mapping[str, str], published: Path | None = None
) -> list[CheckedFile]:
    """Each file a verification read (:func:`alloc.io.recording_reads`), once, named by role.

    ``roles`` maps a path as given to its role (``rules``, ``records``, …);
    a file in ``published``'s ``notice/`` folder is a notice list, its
    ``waitlists`` file the waitlists, anything else ``other``. Never raises.
    """
    seen: set[str] = set()
    out = []
    for read in reads:
        if read.path in seen:
            continue
        seen.add(read.path)
        role = roles.get(read.path, "other")
        if published is not None and role == "other":
            path = Path(read.path)
            if path.parent == published / "notice":
                role = "notice"
            elif path.parent == published and path.stem == "waitlists":
                role = "waitlists"
        out.append(CheckedFile(role, read.path, read.size, read.sha256))
    return out


#: How each file a verification reads is named on the certificate.
_ROLES: Final = {
    "rules": ("派位规则", "rules"),
    "announcement": ("公告（签名文件）", "announcement (signed)"),
    "transcript": ("派位记录（签名文件）", "transcript (signed)"),
    "records": ("公开报名记录", "public records"),
    "results": ("派位结果", "results"),
    "previous": ("上一轮派位记录", "previous round's transcript"),
    "log": ("操作日志", "operator log"),
    "notice": ("公示名单", "notice list"),
    "waitlists": ("候补名单", "waitlists"),
    "trust": ("信任策略（核验人自备）", "trust policy (the verifier's own)"),
    "keys": ("公钥来源", "where pinned keys were found"),
    "other": ("其他文件", "other file"),
}

_CSS: Final = """\
@page{size:A4;margin:16mm 15mm 18mm;\
@bottom-center{content:"第 " counter(page) " 页 / 共 " counter(pages) " 页  (page "\
counter(page) " of " counter(pages) ")";font-size:8.5pt;color:#454b54}\
@top-right{content:"alloc 核验证明 · verification certificate";font-size:8pt;color:#454b54}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;color:#111;background:#fff;font-size:10.5pt;line-height:1.5;font-family:\
"Noto Serif CJK SC","Source Han Serif SC","Songti SC",SimSun,"Noto Sans CJK SC",serif;\
-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:180mm;margin:0 auto;padding:8mm 0}
@media print{main{max-width:none;padding:0}}
.en{color:#454b54;font-weight:400}
h1{font-size:20pt;text-align:center;margin:0 0 2mm;letter-spacing:.1em}
h1 .en{display:block;font-size:12pt;letter-spacing:0}
h2{font-size:12.5pt;margin:6mm 0 2mm;padding-bottom:1mm;border-bottom:1.5pt solid #12355b;\
break-after:avoid}
.sub{text-align:center;margin:0 0 4mm}
code,.hex{font-family:"Noto Sans Mono CJK SC","DejaVu Sans Mono",Consolas,monospace;\
font-size:9pt}
.hex{overflow-wrap:anywhere;word-break:break-all}
table{border-collapse:collapse;width:100%;margin:1mm 0 3mm;page-break-inside:auto}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
th,td{border:.6pt solid #8a929c;padding:1.2mm 1.8mm;text-align:left;vertical-align:top}
thead th{background:#e8ecf2}
th .en{display:block;font-size:.85em}
td.num{text-align:right;white-space:nowrap}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:1mm 5mm;margin:0}
dl.kv dt{font-weight:700}
dl.kv dd{margin:0}
.verdict{border:2.5pt solid;border-radius:2mm;padding:3mm 5mm;margin:3mm 0;font-size:15pt;\
font-weight:700;text-align:center;break-inside:avoid}
.verdict .en{display:block;font-size:11pt}
.pass{color:#0b6b2b;border-color:#0b6b2b;background:#e4f4e9}
.rehearsal{color:#a4141a;border-color:#a4141a;background:#fff4d6}
.fail{color:#a4141a;border-color:#a4141a;background:#fde8e8}
.mark{font-weight:700;white-space:nowrap}
.demo{color:#a4141a;font-weight:700}
.statement{break-inside:avoid}
.sign{display:grid;grid-template-columns:1fr 1fr;gap:6mm 10mm;margin-top:10mm;break-inside:avoid}
.sign p{margin:0;padding-top:12mm;border-bottom:.8pt solid #111}
.note{color:#454b54;font-size:9pt}
"""

_CSP: Final = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
    + "'; img-src data:; base-uri 'none'; form-action 'none'"
)


def _bi(zh: str, en: str) -> str:
    return f'{escape(zh)} <span class="en" lang="en">{escape(en)}</span>'


def _table(head: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]]) -> str:
    """A table that breaks across pages between rows, repeating its header; cells are HTML."""
    top = "".join(f'<th scope="col">{_bi(zh, en)}</th>' for zh, en in head)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"


def _td(html: str, *, numeric: bool = False) -> str:
    return f'<td class="num">{html}</td>' if numeric else f"<td>{html}</td>"


def _documents(
    announcement: Envelope | None, transcript: Envelope | None
) -> tuple[Announcement | None, Transcript | None]:
    """The two documents' contents, or None for one that does not read (the checks say why)."""
    notice = tx = None
    try:
        notice = Announcement.from_envelope(announcement) if announcement else None
    except AllocError:
        notice = None
    try:
        tx = Transcript.from_envelope(transcript) if transcript else None
    except AllocError:
        tx = None
    return notice, tx


def render_certificate(
    *,
    report: VerificationReport,
    rules: DrawRules,
    policy: TrustPolicy,
    trust_source: str,
    files: Sequence[CheckedFile],
    verified_at: datetime,
    announcement: Envelope | None = None,
    transcript: Envelope | None = None,
) -> str:
    """The certificate of one verification as a self-contained, printable HTML5 document.

    ``report`` is the verification's result, ``policy`` the trust the
    verifier pinned (described by ``trust_source``), ``files`` every file
    read with the SHA-256 of the bytes checked, ``verified_at`` when the
    verification ran (an aware time; shown in ``rules.time_zone``). The
    documents, if given and readable, add the draw's digests and times.
    The same inputs give the same page.

    Raises:
        InputError: if ``verified_at`` has no UTC offset.
    """
    if verified_at.utcoffset() is None:
        raise InputError(
            _("the verification time has no UTC offset"),
            code="time.no-offset",
            field="verified_at",
        )
    notice, tx = _documents(announcement, transcript)
    zone = rules.time_zone
    local = verified_at.astimezone(zoneinfo.ZoneInfo(zone))
    when = format_time(local, like=local)
    title = rules.title or (notice.title if notice else "")
    authority = rules.authority or (notice.authority if notice else "")
    ok = report.ok and bool(report.checks)
    marked = bool(report.rehearsal)
    parts = [
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{escape(_CSP)}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f'<meta name="generator" content="alloc {escape(__version__)}">\n',
        f"<title>{escape(_TITLE_MARK if marked else '')}核验证明 Verification certificate"
        f" · {escape(rules.draw_id)}</title>\n",
        f"<style>{_CSS}</style>\n</head>\n<body><main>\n",
        f"<h1>{_bi('电脑派位核验证明', 'Certificate of verification of a computer draw')}</h1>",
        f'<p class="sub">{escape(authority)} {escape(title)}<br>'
        f"{_bi('派位编号', 'draw id')} <code>{escape(rules.draw_id)}</code></p>",
        _rehearsal() if marked else "",
        _verdict(report, ok),
        _about(report, rules, notice, tx, transcript, when, zone, trust_source),
        _keys(policy, report),
        _files(files),
        _checks(report),
        _statement(ok, rules, when, zone, rehearsal=marked),
        "</main></body></html>\n",
    ]
    return "".join(parts)


#: Before the page's title on a rehearsal's certificate.
_TITLE_MARK: Final = f"【{REHEARSAL_MARK}】"
_REHEARSAL_ZH: Final = (
    "演练：这是一次演练的文件，不是正式派位。本证明不证明任何正式派位结果，不得用于公证或公示。"
)
_REHEARSAL_EN: Final = (
    "REHEARSAL: these are the files of a practice draw, not of the real draw. This"
    " certificate proves no real draw; never use it for notarisation or publication."
)


def _rehearsal() -> str:
    """The banner of a rehearsal's certificate, above the verdict."""
    return (
        f'<p class="verdict rehearsal">{escape(REHEARSAL_MARK)}<br>'
        + _bi(_REHEARSAL_ZH, _REHEARSAL_EN)
        + "</p>"
    )


def _verdict(report: VerificationReport, ok: bool) -> str:
    total, failed = len(report.checks), len(report.failures)
    if ok and report.rehearsal:
        return (
            '<p class="verdict pass">✓ '
            + _bi(
                f"演练核验通过：{total} 项检查全部通过（演练，不是正式派位）",
                f"Rehearsal verified: all {total} checks passed (a rehearsal, not the real draw)",
            )
            + "</p>"
        )
    if ok:
        return (
            '<p class="verdict pass">✓ '
            + _bi(f"核验通过：{total} 项检查全部通过", f"Verification passed: all {total} checks")
            + "</p>"
        )
    return (
        '<p class="verdict fail">✗ '
        + _bi(
            f"核验未通过：{failed}/{total} 项检查未通过",
            f"Verification FAILED: {failed} of {total} checks failed",
        )
        + "</p>"
    )


def _about(
    report: VerificationReport,
    rules: DrawRules,
    notice: Announcement | None,
    tx: Transcript | None,
    transcript: Envelope | None,
    when: str,
    zone: str,
    trust_source: str,
) -> str:
    items = [
        (
            _bi("核验时间", "Verified at"),
            f"{escape(local_time(when, zone))}<br><code>{when}</code>",
        ),
        (
            _bi("核验软件", "Verifier software"),
            f"alloc {escape(__version__)}"
            f" （{_bi('安装包', 'package')} <code>{escape(DISTRIBUTION)}</code>）",
        ),
        (_bi("规范版本", "Spec version"), escape(SPEC_VERSION)),
        (_bi("信任来源", "Trust"), escape(trust_source)),
        (_bi("派位编号", "Draw id"), f"<code>{escape(rules.draw_id)}</code>"),
    ]
    if notice is not None:
        items += [
            (_bi("派位时间", "Draw time"), escape(local_time(notice.window.draw_at, zone))),
            (_bi("名单冻结", "List frozen"), escape(local_time(notice.window.frozen_at, zone))),
            (_bi("报名记录根", "Input root"), _hex(notice.records_root.hex())),
            (_bi("报名人数", "Applicants"), escape(f"{notice.records_count:,}")),
        ]
    if tx is not None and transcript is not None:
        items += [
            (_bi("结果生成", "Results created"), escape(local_time(tx.created, zone))),
            (_bi("轮次", "Round"), escape(tx.round)),
            (_bi("随机种子", "Seed"), _hex(tx.seed.hex())),
            (_bi("结果根", "Results root"), _hex(tx.results_root.hex())),
            (_bi("派位记录摘要", "Transcript digest"), _hex(document_digest(transcript).hex())),
            (
                _bi("派位记录所用软件", "Software of the draw"),
                f"<code>{escape(tx.software)}</code>",
            ),
        ]
    if report.round is not None and tx is None:
        items.append((_bi("轮次", "Round"), escape(report.round)))
    pairs = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return f'<h2>{_bi("核验信息", "About this verification")}</h2><dl class="kv">{pairs}</dl>'


def _hex(text: str) -> str:
    return f'<span class="hex">{escape(text)}</span>'


def _keys(policy: TrustPolicy, report: VerificationReport) -> str:
    signed: dict[tuple[str, str], list[str]] = {}
    for document, roles in report.signatures.items():
        zh, en = bilingual(document_title, document)
        for result in roles:
            for keyid in result.signers:
                signed.setdefault((result.role, keyid), []).append(_bi(zh, en) + " ✓")
            for keyid in result.invalid:
                signed.setdefault((result.role, keyid), []).append(
                    _bi(f"{zh}：签名无效", f"{en}: INVALID signature") + " ✗"
                )
    rows = []
    for role in policy.roles:
        for number, key in enumerate(role.keys, start=1):
            name = term(role.name) + f"<br>{_bi('需', 'needs')} {role.threshold}/{len(role.keys)}"
            demo = (
                '<br><span class="demo">'
                + _bi("演示密钥，私钥公开，不可信", "DEMO KEY: its private key is public")
                + "</span>"
                if is_demo_key(key.keyid)
                else ""
            )
            rows.append(
                [
                    _td(name if number == 1 else term(role.name)),
                    _td(f'<span class="mark">{escape(fingerprint(key.keyid))}</span>{demo}'),
                    _td(_hex(key.keyid)),
                    _td("<br>".join(signed.get((role.name, key.keyid), [])) or "—"),
                ]
            )
    return (
        f"<h2>{_bi('受信任的签名密钥', 'Trusted signing keys, by role')}</h2>"
        + '<p class="note">'
        + _bi(
            "密钥来自核验人自己固定的信任（--trust 或 --expect），从不取自被核验的文件。"
            "指纹为密钥 ID 的前 128 位，分 8 组、每组 5 位数字，请与教育局公布的指纹逐组核对。",
            "The keys come from the verifier's own pin (--trust or --expect), never from the"
            " files checked. A fingerprint is the key id's first 128 bits as 8 groups of 5"
            " digits; compare it group by group with the fingerprints the bureau published.",
        )
        + "</p>"
        + _table(
            [
                ("角色", "Role"),
                ("指纹", "Fingerprint"),
                ("密钥 ID（SHA-256）", "Key id (SHA-256)"),
                ("有效签名", "Valid signature on"),
            ],
            rows,
        )
    )


def _files(files: Sequence[CheckedFile]) -> str:
    rows = []
    for number, item in enumerate(files, start=1):
        zh, en = _ROLES.get(item.role, _ROLES["other"])
        rows.append(
            [
                _td(str(number), numeric=True),
                _td(_bi(zh, en) + f"<br><code>{escape(item.path)}</code>"),
                _td(escape(f"{item.size:,}"), numeric=True),
                _td(_hex(item.sha256.hex())),
            ]
        )
    return (
        f"<h2>{_bi('核验的文件', 'Files checked')}</h2>"
        + '<p class="note">'
        + _bi(
            "SHA-256 为核验时读取的文件字节的摘要；任何人可用 sha256sum 或 certutil 复核。",
            "Each SHA-256 is of the bytes the verification read; anyone can recompute it"
            " with sha256sum or certutil.",
        )
        + "</p>"
        + _table(
            [("序号", "No."), ("文件", "File"), ("字节数", "Bytes"), ("SHA-256", "SHA-256")],
            rows,
        )
    )


def _checks(report: VerificationReport) -> str:
    rows = []
    for number, check in enumerate(report.checks, start=1):
        mark = (
            '<span class="mark pass">✓ 通过 PASS</span>'
            if check.passed
            else '<span class="mark fail">✗ 未通过 FAIL</span>'
        )
        rows.append(
            [
                _td(str(number), numeric=True),
                _td(check_name(check.name)),
                _td(mark),
                _td(f'<span class="hex">{escape(check.detail)}</span>'),
            ]
        )
    return f"<h2>{_bi('检查项目与结果', 'Every check and its result')}</h2>" + _table(
        [("序号", "No."), ("检查", "Check"), ("结果", "Result"), ("说明", "Detail")], rows
    )


def _statement(ok: bool, rules: DrawRules, when: str, zone: str, *, rehearsal: bool) -> str:
    time = local_time(when, zone)
    if ok:
        zh = (
            f"本人于 {time} 使用 alloc {__version__}（规范版本 {SPEC_VERSION}），以上列受信任公钥，"
            f"对派位 {rules.draw_id} 的上列文件逐项核验：签名、摘要、随机种子均相符，"
            "并独立重新运行派位，结果与公布结果逐一相同。以上全部检查通过。"
        )
        en = (
            f"On {time}, with alloc {__version__} (spec version {SPEC_VERSION}) and the trusted"
            f" keys above, the files above of draw {rules.draw_id} were verified check by check:"
            " the signatures, digests and seed match, and an independent re-run of the draw"
            " gives the published results outcome by outcome. Every check passed."
        )
    else:
        zh = (
            f"本人于 {time} 使用 alloc {__version__}（规范版本 {SPEC_VERSION}）核验派位"
            f" {rules.draw_id} 的上列文件，上表中标为“未通过”的检查未能通过："
            "这些文件不能证明该派位。"
        )
        en = (
            f"On {time}, with alloc {__version__} (spec version {SPEC_VERSION}), the files above"
            f" of draw {rules.draw_id} were verified; the checks marked FAIL did not pass, so"
            " these files do not prove this draw."
        )
    if rehearsal:
        zh += _REHEARSAL_ZH
        en += " " + _REHEARSAL_EN
    return (
        f'<section class="statement"><h2>{_bi("结论", "Verdict")}</h2>'
        f'<p>{escape(zh)}</p><p class="en" lang="en">{escape(en)}</p>'
        '<div class="sign">'
        f"<div>{_bi('核验人（签名）', 'Verified by (signature)')}<p></p></div>"
        f"<div>{_bi('日期', 'Date')}<p></p></div>"
        f"<div>{_bi('公证员（签名）', 'Notary (signature)')}<p></p></div>"
        f"<div>{_bi('公证处（盖章）', 'Notary office (seal)')}<p></p></div>"
        "</div></section>"
    )

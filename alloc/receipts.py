"""Printable registration receipts with a QR code that opens the verifier page.

Each receipt carries the registration number, the receipt code (the salt of
spec 10.5, in groups of four) and a QR code of the verifier page's address
with the receipt code in the URL fragment::

    https://jyj.example.gov.cn/2026-kg/verify/#r=TH-2026-000123&s=AAAQEAYEAUDAOCAJBIFQYDIOB4

A browser never sends the fragment to a server, and the page removes it from
the address bar once read. The receipt code is private: receipts are written
to the private folder only, and nothing here is ever published.

QR codes are drawn by ``segno`` (pure Python, no image library): inline SVG,
so the receipts are one self-contained HTML file that prints four receipts,
each A6, to an A4 sheet.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Final
from urllib.parse import quote

import segno

from alloc.identity import format_salt, mask_document_number, mask_name
from alloc.page import check_site_url
from alloc.registry import Registration

__all__ = ["receipt_url", "render_receipts"]

#: QR error correction: M survives about 15% of the code smudged or folded.
_QR_ERROR: Final = "m"

_STYLE = """
@page{size:A4;margin:0}
*{box-sizing:border-box}
body{margin:0;font:11pt/1.4 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
.sheet{display:grid;grid-template-columns:105mm 105mm;grid-auto-rows:148mm;width:210mm}
.receipt{border:1px dashed #999;padding:7mm;overflow:hidden;
break-inside:avoid;page-break-inside:avoid}
h1{font-size:13pt;margin:0 0 2mm}
.en{color:#444;font-size:8.5pt}
.reg{font:bold 15pt ui-monospace,monospace;margin:1mm 0}
.code{font:bold 14pt/1.5 ui-monospace,monospace;letter-spacing:.05em}
.qr svg{width:38mm;height:38mm;display:block;margin:2mm 0}
.fp{font:9pt ui-monospace,monospace}
.small{font-size:8.5pt}
@media screen{body{background:#eee}.sheet{background:#fff;margin:0 auto}}
"""


def receipt_url(site_url: str, registration_number: str, salt: bytes) -> str:
    """The page address with the receipt code in the fragment: ``URL#r=…&s=…``.

    Raises:
        InputError: for a malformed ``site_url`` or salt.
    """
    code = format_salt(salt).replace("-", "")
    return f"{check_site_url(site_url)}#r={quote(registration_number, safe='')}&s={code}"


def _qr_svg(data: str) -> str:
    qr = segno.make(data, error=_QR_ERROR, micro=False)
    svg: str = qr.svg_inline(scale=1, border=4, omitsize=True)
    return svg


def _receipt(
    entry: Registration,
    *,
    site_url: str,
    heading: str,
    fingerprints: Sequence[tuple[str, str]],
) -> str:
    reg = entry.registration_number
    identity = entry.identity
    masked = (
        f"{mask_name(identity.name)} "
        f"{mask_document_number(identity.document_type, identity.document_number)}"
    )
    prints = "".join(
        f'<div class="fp">{html.escape(role)}: {html.escape(fp)}</div>' for role, fp in fingerprints
    )
    signers = (
        '<p class="small">签名指纹（与公告核对） <span class="en">Signers\' fingerprints'
        f" (compare with the notice)</span></p>{prints}"
        if prints
        else ""
    )
    return (
        '<div class="receipt">'
        f"<h1>{html.escape(heading)}</h1>"
        '<div class="small">报名回执 <span class="en">Registration receipt</span>'
        f" · {html.escape(masked)}</div>"
        '<div class="small">登记号 <span class="en">Registration number</span></div>'
        f'<div class="reg">{html.escape(reg)}</div>'
        '<div class="small">回执校验码 <span class="en">Receipt code</span></div>'
        f'<div class="code">{html.escape(format_salt(entry.salt))}</div>'
        f'<div class="qr">{_qr_svg(receipt_url(site_url, reg, entry.salt))}</div>'
        '<p class="small">派位后扫码，输入幼儿证件号码和姓名，即可在手机上核验结果。'
        ' <span class="en">After the draw, scan to check the result on your phone with the'
        " child's ID number and name.</span></p>"
        f'<p class="small">{html.escape(site_url)}</p>'
        '<p class="small">请像保管身份证一样保管本回执，勿拍照外传。'
        ' <span class="en">Keep this receipt like an ID card; do not share photos of it.</span></p>'
        f"{signers}</div>"
    )


def render_receipts(
    registry: Mapping[str, Registration],
    *,
    site_url: str,
    title: str = "",
    authority: str = "",
    fingerprints: Sequence[tuple[str, str]] = (),
    only: Iterable[str] | None = None,
) -> str:
    """Printable receipts (HTML, four A6 receipts to an A4 page), in registration-number order.

    ``fingerprints`` are (role, fingerprint) pairs printed on every receipt;
    ``only`` limits the receipts to those registration numbers (the new
    receipts of a re-freeze). The result holds receipt codes: keep it private.

    Raises:
        InputError: for a malformed ``site_url``.
    """
    check_site_url(site_url)
    wanted = None if only is None else set(only)
    heading = " ".join(part for part in (authority, title) if part) or "幼儿园报名回执"
    cards = [
        _receipt(registry[reg], site_url=site_url, heading=heading, fingerprints=fingerprints)
        for reg in sorted(registry)
        if wanted is None or reg in wanted
    ]
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>报名回执 Registration receipts</title>"
        f'<meta name="robots" content="noindex"><style>{_STYLE}</style></head><body>'
        f'<div class="sheet">{"".join(cards)}</div></body></html>\n'
    )

"""The parent's verifier page and the per-child proof files it reads (spec 9.8).

``alloc publish`` writes, beside the notice boards::

    publish/verify/index.html   the page: one static HTML file (zh-CN first, English beside)
    publish/verify/verify.js    its script: alloc/web/alloc.js (the JavaScript
                                implementation of the spec) and the page's own code
    publish/proofs/ab/<id>.json one file per child: the proof of spec 9.5

The page needs no server: it reads the draw's public files (announcement,
transcript, trust file; rules and records for a full re-run) from
``public_url`` relative to itself (by default ``../../public/``, the draw
folder's ``public/``) and a child's proof from ``../proofs/``. A proof file is
named by a tagged hash of the draw id and the registration number (spec 9.8),
so a parent's phone downloads a few kilobytes whatever the size of the draw.
Everything in these files is public: the proof is cut from the public records
and results files.
"""

from __future__ import annotations

import hashlib
import html
import importlib.resources
import json
import re
from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

from alloc._check import check_id
from alloc.audit import make_parent_proofs
from alloc.canonical import Tag, canonical_json, tagged_message
from alloc.errors import InputError
from alloc.i18n import _

__all__ = [
    "DEFAULT_PUBLIC_URL",
    "PAGE_FOLDER",
    "PROOF_FILE_TAG",
    "PROOF_FOLDER",
    "check_site_url",
    "page_files",
    "proof_file_name",
    "proof_files",
]

#: The page's folder inside the publish folder.
PAGE_FOLDER: Final = "verify"
#: The proof files' folder inside the publish folder, beside the page's.
PROOF_FOLDER: Final = "proofs"
#: Where the page finds the public files by default: the draw folder's public/.
DEFAULT_PUBLIC_URL: Final = "../../public/"
#: The domain-separation tag of a proof file's name (spec 3, 9.8).
PROOF_FILE_TAG: Final = Tag.PROOF_FILE
#: Hex digits of the name hash kept: 128 bits, and 2 of them name the sub-folder.
_NAME_DIGITS: Final = 32

_RELATIVE_URL = re.compile(r"(?:\.\./|\./)*(?:[A-Za-z0-9_.~-]+/)*")


def proof_file_name(draw_id: str, registration_number: str) -> str:
    """The path of a child's proof below ``proofs/``: ``ab/<32 hex>.json`` (spec 9.8).

    The hex is the first 128 bits of SHA-256 of the tagged message
    ``alloc/v1/proof-file``, draw id, registration number; its first two
    digits name the sub-folder, so no folder holds more than about
    n / 256 files.

    Raises:
        InputError: if either is not an identifier (spec 2.1).
    """
    check_id(draw_id, "draw_id")
    check_id(registration_number, "registration_number")
    message = tagged_message(PROOF_FILE_TAG, draw_id, registration_number)
    digest = hashlib.sha256(message).hexdigest()[:_NAME_DIGITS]
    return f"{digest[:2]}/{digest}.json"


def proof_files(
    draw_id: str, records: Sequence[bytes], results: Sequence[bytes]
) -> dict[str, bytes]:
    """Every child's proof file: path below ``proofs/`` to its bytes (canonical JSON, newline).

    Raises:
        InputError: if a record has no result line, or a line is malformed.
    """
    proofs = make_parent_proofs(draw_id, records, results)
    return {
        proof_file_name(draw_id, reg): canonical_json(proof.to_json()) + b"\n"
        for reg, proof in proofs.items()
    }


def check_site_url(text: str, *, field: str = "--site-url") -> str:
    """The address the receipts' QR codes open: an http(s) URL of the page, without a fragment.

    Raises:
        InputError: naming ``field``, for anything else.
    """
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment or "#" in text:
        raise InputError(
            _("not the web address of the verifier page"),
            code="page.site-url",
            field=field,
            value=text,
            hint=_(
                "give the https address where publish/verify/ will be served, such as"
                " https://jyj.example.gov.cn/2026-kg/verify/ (no # part: the receipt code goes"
                " there)"
            ),
        )
    if any(ch.isspace() for ch in text) or not text.isprintable():
        raise InputError(
            _("a web address has no spaces or control characters"),
            code="page.site-url",
            field=field,
        )
    return text


def _check_public_url(text: str) -> str:
    if _RELATIVE_URL.fullmatch(text):
        return text
    parts = urlsplit(text)
    if parts.scheme in ("https", "http") and parts.netloc and text.endswith("/"):
        if parts.query or parts.fragment:
            raise InputError(
                _("the public files' address has no ? or # part"),
                code="page.public-url",
                field="--public-url",
            )
        return text
    raise InputError(
        _("not the address of the public files' folder"),
        code="page.public-url",
        field="--public-url",
        value=text,
        hint=_(
            "give a relative folder such as ../../public/ (from publish/verify/) or an"
            " https address ending in /"
        ),
    )


def _web_file(*parts: str) -> str:
    return importlib.resources.files("alloc").joinpath("web", *parts).read_text(encoding="utf-8")


def page_files(
    *, public_url: str = DEFAULT_PUBLIC_URL, site_url: str | None = None
) -> dict[str, bytes]:
    """The verifier page's files: ``index.html`` and ``verify.js``.

    ``public_url`` is where the page reads announcement.json, transcript.json,
    trust.json, rules.json and records.jsonl, relative to the page or absolute;
    ``site_url``, if given, is shown as the page's official address.

    Raises:
        InputError: for a malformed ``public_url`` or ``site_url``.
    """
    config = {
        "public": _check_public_url(public_url),
        "proofs": f"../{PROOF_FOLDER}/",
        "site": None if site_url is None else check_site_url(site_url),
    }
    connect = ["'self'"]
    origin = urlsplit(public_url)
    if origin.scheme:
        connect.append(f"{origin.scheme}://{origin.netloc}")
    # JSON inside a <script> data block: "<" escaped so no text can close it.
    data = json.dumps(config, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    page = _web_file("page", "index.html")
    page = page.replace("{{CONNECT}}", " ".join(connect)).replace("{{CONFIG}}", data)
    page = page.replace("{{SITE}}", html.escape(site_url or ""))
    script = _web_file("alloc.js") + "\n" + _web_file("page", "page.js")
    return {"index.html": page.encode("utf-8"), "verify.js": script.encode("utf-8")}

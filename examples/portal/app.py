"""A small result-lookup web service for parents, on the standard library's WSGI.

This is how a developer embeds alloc in an enrolment portal: the bureau builds
a :class:`~alloc.lookup.LookupIndex` from its private registry and the draw's
outcome, hands every child's :class:`~alloc.audit.ParentProof` and the signed
announcement and transcript to :func:`make_app`, and serves the WSGI
application behind HTTPS.

Endpoints (see README.md next to this file):

``GET /``
    the lookup form (ID number + name), plain HTML, no JavaScript.
``POST /lookup`` and ``POST /api/lookup``
    the child's result (HTML page / ``LookupAnswer.to_json()``).
``POST /proof`` and ``POST /api/proof``
    the parent's check with the receipt (``ParentReport.to_json()``).

Every lookup and proof attempt, found or not, takes a token from the client's
bucket (an IPv4 address or IPv6 /56) and from a global budget in a
:class:`RateLimiter`, so the service cannot be used to enumerate ID numbers
and names quickly, and a flood slows it down without locking parents out.
Names and ID numbers are never logged and never put in a URL; the answer
pages show only masked values.

Run the synthetic demo draw with ``python examples/portal/app.py --port 8080``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import math
import secrets
import socketserver
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from alloc.audit import (
    Announcement,
    ParentProof,
    ParentReport,
    Transcript,
    check_parent_proof,
    document_digest,
)
from alloc.canonical import check_identifier
from alloc.errors import DigestMismatchError, InputError, WrongDrawError
from alloc.identity import DocumentType, parse_salt
from alloc.lookup import NOT_FOUND, LookupAnswer, LookupIndex
from alloc.signing import Envelope, TrustPolicy

__all__ = [
    "IPV6_PREFIX",
    "Admission",
    "RateLimiter",
    "client_key",
    "main",
    "make_app",
    "make_portal_server",
]

log = logging.getLogger("alloc.portal")
access_log = logging.getLogger("alloc.portal.access")

#: Request bodies above this many bytes are refused with 413.
MAX_BODY: Final = 4096
#: A refused body up to this size is read and dropped, so that closing the
#: connection does not reset it before the client has read the answer.
_DRAIN_LIMIT: Final = 64 * 1024
#: IPv6 clients share one rate-limit bucket per network of this prefix length.
IPV6_PREFIX: Final = 56
#: How long the sealed token on a result page lets the parent run the receipt check.
TOKEN_LIFETIME: Final = 30 * 60
_TOKEN_AAD: Final = b"alloc-portal/v1/proof-token"

Clock = Callable[[], float]


# --- rate limiting ---------------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    """A rate limiter's answer: go ahead (``wait == 0``) or retry after ``wait`` seconds.

    ``busy`` says the whole service is at its global budget (everyone slows
    down), not that this client has used up its own attempts.
    """

    wait: float
    busy: bool = False

    @property
    def allowed(self) -> bool:
        return self.wait <= 0


class RateLimiter:
    """Token buckets per client, under one global budget that slows down but never locks out.

    **Per client** (an IPv4 address or an IPv6 /56, see :func:`client_key`):
    ``burst`` attempts at once, refilled continuously over ``per`` seconds.
    With the defaults a client may try 5 times at once and then once every 12
    seconds, about 7,200 attempts a day.

    **Globally**: a bucket of ``global_burst`` attempts refilled at
    ``global_rate`` a second bounds what the whole service answers, however
    many addresses ask, and so how fast anyone can test guesses against it.
    When it runs low, a client that has not used any of its own attempts
    lately (a parent's first lookup) still gets one of the last
    ``global_reserve`` tokens while the others wait; when it is empty, every
    attempt is told to retry once the next token arrives, a fraction of a
    second to a few seconds: the service slows down for everyone and never
    locks anyone out.

    **Memory** is bounded by ``max_clients`` buckets. Beyond that the bucket
    used least recently is forgotten (LRU), so a flood of new addresses can
    never stop a new client from being served; the forgotten client starts
    afresh, and only the global budget bounds what many addresses get.

    A refused attempt costs nothing. Thread-safe; state lives in this process
    only (see README.md for several workers).
    """

    def __init__(
        self,
        *,
        burst: int = 5,
        per: float = 60.0,
        global_burst: int = 200,
        global_rate: float = 20.0,
        global_reserve: int | None = None,
        clock: Clock = time.monotonic,
        max_clients: int = 100_000,
    ) -> None:
        reserve = global_burst // 5 if global_reserve is None else global_reserve
        if burst < 1 or per <= 0 or max_clients < 1:
            raise ValueError("burst and max_clients must be at least 1 and per positive")
        if global_burst < 1 or global_rate <= 0 or not 0 <= reserve < global_burst:
            raise ValueError(
                "global_burst must be at least 1, global_rate positive and"
                " global_reserve from 0 to global_burst - 1"
            )
        self.burst = burst
        self.per = per
        self.global_burst = global_burst
        self.global_rate = global_rate
        self.global_reserve = reserve
        self._rate = burst / per
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._global = (float(global_burst), clock())
        self._lock = threading.Lock()

    def admit(self, client: str) -> Admission:
        """Take one token for ``client`` and one from the global budget, or say how long to wait."""
        with self._lock:
            now = self._clock()
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                tokens = float(self.burst)
            else:
                held, last = bucket
                tokens = min(float(self.burst), held + max(0.0, now - last) * self._rate)
            # refill arithmetic is floating point
            if tokens < 1 - 1e-9:
                self._keep(client, tokens, now)
                return Admission((1 - tokens) / self._rate)
            held, last = self._global
            pool = min(float(self.global_burst), held + max(0.0, now - last) * self.global_rate)
            fresh = tokens >= self.burst - 1e-9
            floor = 0.0 if fresh else float(self.global_reserve)
            if pool < floor + 1 - 1e-9:
                self._global = (pool, now)
                self._keep(client, tokens, now)
                return Admission((floor + 1 - pool) / self.global_rate, busy=True)
            self._global = (pool - 1, now)
            self._keep(client, tokens - 1, now)
            return Admission(0.0)

    def acquire(self, client: str) -> float:
        """:meth:`admit` as seconds to wait (0.0 if allowed)."""
        return self.admit(client).wait

    def _keep(self, client: str, tokens: float, now: float) -> None:
        """Store the bucket as the most recently used; forget the least recent beyond the bound."""
        self._buckets[client] = (max(0.0, tokens), now)
        while len(self._buckets) > self._max_clients:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)


def client_key(environ: WSGIEnvironment, *, trust_proxy: bool = False) -> str:
    """The rate-limit key of a request: the client's IPv4 address or IPv6 /56.

    ``REMOTE_ADDR``, or with ``trust_proxy`` the first ``X-Forwarded-For``
    entry (the proxy must *set* that header to the connecting address, not
    append to what the client sent). An IPv6 client is keyed by its /56: a
    home or office line is usually given a /56 (or a /60 or /64 within one),
    so keying by /64 gave one subscriber 256 separate budgets.
    IPv4-mapped addresses count as IPv4.
    """
    text = str(environ.get("REMOTE_ADDR") or "")
    if trust_proxy:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "").split(",")[0].strip()
        if forwarded:
            try:
                ipaddress.ip_address(forwarded)
            except ValueError:
                pass  # not an address: keep the proxy's own, shared by all such requests
            else:
                text = forwarded
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


# --- responses -------------------------------------------------------------------

_STYLE: Final = """
:root{color-scheme:light dark;--fg:#1b1c1f;--muted:#5c6370;--bg:#f4f5f7;--card:#fff;
--line:#c9ced6;--accent:#0a58a8;--ok:#17733a;--bad:#b3261e;--okbg:#e7f4ec;--badbg:#fbeaea}
@media (prefers-color-scheme:dark){:root{--fg:#e8e9ec;--muted:#a3a9b4;--bg:#15171a;
--card:#1f2226;--line:#3b4048;--accent:#5aa2f0;--ok:#6fcf8f;--bad:#f28b82;--okbg:#1d3326;
--badbg:#3a2020}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:17px/1.55 system-ui,-apple-system,
"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
sans-serif}
main{max-width:34rem;margin:0 auto;padding:1rem 1rem 2rem}
h1{font-size:1.3rem;line-height:1.35;margin:.4rem 0 .1rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
.en{color:var(--muted);font-weight:400;font-size:.88em}
h1 .en,h2 .en,label .en,button .en{display:block}
.sub{color:var(--muted);margin:.2rem 0 1rem;font-size:.92rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1rem;
margin:0 0 1rem}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}
label:first-of-type{margin-top:0}
input,select{display:block;width:100%;min-height:3.1rem;font:inherit;font-size:1.15rem;
padding:.6rem .8rem;border:1px solid var(--line);border-radius:8px;background:var(--card);
color:var(--fg)}
input:focus,select:focus{outline:3px solid var(--accent);outline-offset:1px}
button{display:block;width:100%;min-height:3.3rem;margin-top:1.2rem;font:inherit;
font-size:1.15rem;font-weight:700;line-height:1.25;padding:.6rem;border:0;border-radius:8px;
background:var(--accent);color:#fff;cursor:pointer}
button .en{color:#fff;opacity:.85}
.note{font-size:.88rem;color:var(--muted);margin:.8rem 0 0}
.status{font-size:1.25rem;font-weight:700;margin:0 0 .6rem}
.ok{color:var(--ok)}.bad{color:var(--bad)}
.box-ok{background:var(--okbg)}.box-bad{background:var(--badbg)}
dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.35rem .9rem}
dt{color:var(--muted);font-size:.92rem}dd{margin:0;font-weight:600}
.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;font-size:.82rem;
word-break:break-all;font-weight:400}
dt .en{display:block}
.outcome{font-weight:700;margin:0 0 .4rem}
.steps{list-style:none;margin:0;padding:0}
.steps li{display:grid;grid-template-columns:1.5rem 1fr;margin:.6rem 0}
.mark{font-weight:700;font-size:1.1rem;line-height:1.45}
.steps .detail{display:block;font-size:.85rem;color:var(--muted);word-break:break-word}
a{color:var(--accent)}
.back{display:block;text-align:center;margin:1rem 0;font-size:1.05rem}
""".strip()
_STYLE_HASH: Final = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

SECURITY_HEADERS: Final = (
    (
        "Content-Security-Policy",
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self';"
        " base-uri 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def json(cls, status: int, data: Mapping[str, Any], **kw: Any) -> _Response:
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return cls(status, body, "application/json; charset=utf-8", **kw)

    @classmethod
    def html(cls, status: int, page: str, **kw: Any) -> _Response:
        return cls(status, page.encode("utf-8"), "text/html; charset=utf-8", **kw)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _bi(zh: str, en: str) -> str:
    """Chinese first, English after, both escaped."""
    return f'{_e(zh)} <span class="en" lang="en">{_e(en)}</span>'


def _page(title: str, heading: str, body: str, *, subtitle: str = "") -> str:
    sub = f'<p class="sub">{subtitle}</p>' if subtitle else ""
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main><h1>{heading}</h1>{sub}{body}</main></body></html>\n"
    )


def _public_message(exc: InputError) -> str:
    """The error's problem and hint, without the value typed (no number or name echoed)."""
    text = exc.problem
    if exc.field:
        text = f"{exc.field}: {text}"
    if exc.hint:
        text += f"; {exc.hint}"
    return text


# --- sealed lookup tokens ------------------------------------------------------------


class _Sealer:
    """Carries the number and name from a result page to its receipt form, encrypted.

    The page then holds only masked values; the token is AES-GCM under a key
    the browser never sees, and expires after :data:`TOKEN_LIFETIME` seconds.
    """

    def __init__(self, key: bytes | None) -> None:
        key = secrets.token_bytes(32) if key is None else key
        if len(key) not in {16, 24, 32}:
            raise ValueError("token_key must be 16, 24 or 32 bytes")
        self._aead = AESGCM(key)

    def seal(self, fields: Mapping[str, str]) -> str:
        payload = json.dumps({**fields, "issued": int(time.time())}).encode("utf-8")
        nonce = secrets.token_bytes(12)
        sealed = nonce + self._aead.encrypt(nonce, payload, _TOKEN_AAD)
        return base64.urlsafe_b64encode(sealed).decode("ascii")

    def open(self, token: str) -> dict[str, str] | None:
        try:
            sealed = base64.urlsafe_b64decode(token.encode("ascii"))
            payload = self._aead.decrypt(sealed[:12], sealed[12:], _TOKEN_AAD)
            data = json.loads(payload)
        except (ValueError, binascii.Error, InvalidTag, UnicodeEncodeError):
            return None
        if not isinstance(data, dict):
            return None
        issued = data.pop("issued", None)
        if not isinstance(issued, int) or not 0 <= time.time() - issued <= TOKEN_LIFETIME:
            return None
        if not all(isinstance(v, str) for v in data.values()):
            return None
        return {str(k): str(v) for k, v in data.items()}


# --- the application -----------------------------------------------------------------

_STEP_NAMES: Final = {
    "documents": "公告与结果文件",
    "signatures": "签名",
    "identity": "身份承诺",
    "record in frozen list": "报名记录在冻结名单中",
    "lottery number": "摇号随机码",
    "result in transcript": "结果在派位记录中",
}

_FIELD_PROBLEMS: Final = {
    "document_number": ("证件号码有误", "Please check the ID number"),
    "name": ("姓名有误", "Please check the name"),
    "salt": ("回执校验码有误", "Please check the receipt code"),
    "document_type": ("证件类型有误", "Please choose the document type"),
}
_LOOKUP_FIELDS: Final = ("document_number", "name")
_PROOF_FIELDS: Final = ("document_number", "name", "registration_number", "salt")


class _EarlyResponseError(Exception):
    """Carries a finished error response out of request parsing."""

    def __init__(self, response: _Response) -> None:
        super().__init__(response.status)
        self.response = response


class _Portal:
    def __init__(
        self,
        *,
        index: LookupIndex,
        proofs: Mapping[str, ParentProof],
        announcement: Envelope,
        transcript: Envelope,
        policy: TrustPolicy,
        limiter: RateLimiter,
        trust_proxy: bool,
        max_body: int,
        token_key: bytes | None,
    ) -> None:
        notice = Announcement.from_envelope(announcement)
        tx = Transcript.from_envelope(transcript)
        # Fail at start-up, not in every parent's report, if the files are wrong.
        policy.verify(announcement, document="announcement")
        policy.verify(transcript, document="transcript")
        if tx.announcement_digest != document_digest(announcement):
            raise DigestMismatchError("the transcript names a different announcement")
        if tx.draw_id != notice.draw_id:
            raise WrongDrawError("the announcement and transcript are for different draws")
        self.index = index
        self.proofs = proofs
        self.announcement = announcement
        self.transcript = transcript
        self.policy = policy
        self.limiter = limiter
        self.trust_proxy = trust_proxy
        self.max_body = max_body
        self.sealer = _Sealer(token_key)
        self.title = notice.title
        self.subtitle = f"{notice.authority} · {notice.draw_id}"
        every = f"{limiter.per / limiter.burst:g}"
        self._limit_note = (
            f"可连续查询 {limiter.burst} 次，之后每 {every} 秒 1 次；本站不保存您输入的信息。"
            f' <span lang="en">{limiter.burst} lookups at once, then one every {every} seconds;'
            " nothing you type is stored.</span>"
        )

    # --- WSGI ---------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        try:
            response = self._route(environ, method)
        except _EarlyResponseError as bad:
            response = bad.response
        except Exception as exc:  # never show or log the details: they may hold input
            log.error("internal error %s on %s", type(exc).__name__, environ.get("PATH_INFO"))
            response = self._error(
                environ, 500, "服务暂时不可用", "internal error, try again later"
            )
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            *SECURITY_HEADERS,
            *response.headers,
        ]
        status = HTTPStatus(response.status)
        start_response(f"{status.value} {status.phrase}", headers)
        return [b"" if method == "HEAD" else response.body]

    def _route(self, environ: WSGIEnvironment, method: str) -> _Response:
        path = str(environ.get("PATH_INFO") or "/")
        routes: dict[str, tuple[tuple[str, ...], Callable[[WSGIEnvironment], _Response]]] = {
            "/": (("GET", "HEAD"), self._form),
            "/lookup": (("POST",), self._html_lookup),
            "/proof": (("POST",), self._html_proof),
            "/api/lookup": (("POST",), self._api_lookup),
            "/api/proof": (("POST",), self._api_proof),
        }
        if path not in routes:
            self._drain(environ)
            return self._error(environ, 404, "页面不存在", "not found")
        allowed, handler = routes[path]
        if method not in allowed:
            self._drain(environ)
            return self._error(
                environ,
                405,
                "不支持此请求方法",
                "method not allowed",
                headers=(("Allow", ", ".join(allowed)),),
            )
        return handler(environ)

    # --- request plumbing ---------------------------------------------------------------

    @staticmethod
    def _is_api(environ: WSGIEnvironment) -> bool:
        return str(environ.get("PATH_INFO") or "").startswith("/api/")

    def _error(
        self,
        environ: WSGIEnvironment,
        status: int,
        zh: str,
        en: str,
        *,
        headers: tuple[tuple[str, str], ...] = (),
        form: bool = False,
    ) -> _Response:
        if self._is_api(environ):
            return _Response.json(status, {"error": en, "message": f"{zh} {en}"}, headers=headers)
        body = f'<div class="card box-bad"><p class="status bad">{_bi(zh, en)}</p></div>'
        body += self._form_card() if form else self._back_link()
        return _Response.html(status, self._page(body), headers=headers)

    def _input_error(self, environ: WSGIEnvironment, exc: InputError) -> _Response:
        message = _public_message(exc)
        if self._is_api(environ):
            return _Response.json(
                400, {"error": "invalid input", "field": exc.field, "message": message}
            )
        zh, en = _FIELD_PROBLEMS.get(exc.field or "", ("输入有误", "Please check your input"))
        body = (
            '<div class="card box-bad">'
            f'<p class="status bad">{_bi(zh, en)}</p>'
            f'<p lang="en">{_e(message)}</p></div>'
        )
        return _Response.html(400, self._page(body + self._form_card()))

    @staticmethod
    def _content_length(environ: WSGIEnvironment) -> int | None:
        raw = str(environ.get("CONTENT_LENGTH") or "").strip()
        return int(raw) if raw.isascii() and raw.isdigit() else None

    def _drain(self, environ: WSGIEnvironment) -> None:
        """Read and drop a small unread body before answering without it."""
        length = self._content_length(environ)
        stream = environ.get("wsgi.input")
        if length and length <= _DRAIN_LIMIT and stream is not None:
            stream.read(length)

    def _admit(self, environ: WSGIEnvironment, content_type: str) -> bytes:
        """Check the type, take a rate-limit token, read the capped body (or raise)."""
        given = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if given != content_type:
            self._drain(environ)
            raise _EarlyResponseError(
                self._error(environ, 415, "请求格式不受支持", f"send {content_type}")
            )
        client = client_key(environ, trust_proxy=self.trust_proxy)
        admission = self.limiter.admit(client)
        if not admission.allowed:
            self._drain(environ)
            retry = str(max(1, math.ceil(admission.wait)))
            if admission.busy:
                log.info("global budget reached client=%s", client)
                zh, en = f"查询人数较多，请 {retry} 秒后再试", f"busy, try again in {retry} s"
            else:
                log.info("rate limited client=%s", client)
                zh = f"查询过于频繁，请 {retry} 秒后再试"
                en = f"too many attempts, try again in {retry} s"
            raise _EarlyResponseError(
                self._error(environ, 429, zh, en, headers=(("Retry-After", retry),))
            )
        length = self._content_length(environ)
        if length is None:
            raise _EarlyResponseError(self._error(environ, 411, "缺少请求长度", "length required"))
        if length > self.max_body:
            self._drain(environ)
            raise _EarlyResponseError(
                self._error(environ, 413, "请求内容过大", "request too large")
            )
        body: bytes = environ["wsgi.input"].read(length)
        if len(body) != length:
            raise _EarlyResponseError(self._error(environ, 400, "请求不完整", "incomplete request"))
        return body

    def _form_fields(self, environ: WSGIEnvironment, names: tuple[str, ...]) -> dict[str, str]:
        body = self._admit(environ, "application/x-www-form-urlencoded")
        try:
            parsed = parse_qs(
                body.decode("ascii"),
                keep_blank_values=True,
                strict_parsing=False,
                errors="strict",
                max_num_fields=16,
            )
        except (UnicodeError, ValueError) as exc:
            raise _EarlyResponseError(
                self._input_error(environ, InputError("malformed form"))
            ) from exc
        return self._pick(environ, {k: v[0] for k, v in parsed.items()}, names)

    def _json_fields(self, environ: WSGIEnvironment, names: tuple[str, ...]) -> dict[str, str]:
        body = self._admit(environ, "application/json")
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise _EarlyResponseError(
                self._input_error(environ, InputError("request body is not JSON", field="body"))
            ) from exc
        if not isinstance(data, dict):
            raise _EarlyResponseError(
                self._input_error(environ, InputError("expected a JSON object", field="body"))
            )
        return self._pick(environ, data, names)

    def _pick(
        self, environ: WSGIEnvironment, data: Mapping[str, Any], names: tuple[str, ...]
    ) -> dict[str, str]:
        out = {}
        for name in (*names, "document_type"):
            value = data.get(
                name, DocumentType.RESIDENT_ID.value if name == "document_type" else None
            )
            if value is None:
                error = InputError("missing field", field=name)
            elif not isinstance(value, str):
                error = InputError("must be text", field=name)
            else:
                out[name] = value
                continue
            raise _EarlyResponseError(self._input_error(environ, error))
        return out

    # --- lookups and proofs -------------------------------------------------------------

    def _lookup(self, environ: WSGIEnvironment, fields: Mapping[str, str]) -> LookupAnswer:
        try:
            kind = DocumentType(fields["document_type"])
        except ValueError as exc:
            error = InputError(
                "unknown document type",
                field="document_type",
                hint="use 'resident-id' or 'passport'",
            )
            raise _EarlyResponseError(self._input_error(environ, error)) from exc
        try:
            answer = self.index.lookup(
                fields["document_number"], fields["name"], document_type=kind
            )
        except InputError as exc:
            raise _EarlyResponseError(self._input_error(environ, exc)) from exc
        if answer.found:
            log.info("lookup found %s", answer.masked_document_number)
        else:
            log.info("lookup not found")
        return answer

    def _prove(self, environ: WSGIEnvironment, fields: Mapping[str, str]) -> ParentReport | None:
        """The child's report, or None unless number, name and receipt all match."""
        try:
            salt = parse_salt(fields["salt"])
            registration_number = check_identifier(
                fields["registration_number"].strip(), "registration_number"
            )
        except InputError as exc:
            raise _EarlyResponseError(self._input_error(environ, exc)) from exc
        answer = self._lookup(environ, fields)
        proof = self.proofs.get(answer.registration_number or "")
        same = hmac.compare_digest(
            (answer.registration_number or "").encode("utf-8"), registration_number.encode("utf-8")
        )
        if not (answer.found and same and proof is not None):
            return None
        report = check_parent_proof(
            proof,
            registration_number=registration_number,
            salt=salt,
            document_type=DocumentType(fields["document_type"]),
            document_number=fields["document_number"],
            name=fields["name"],
            announcement=self.announcement,
            transcript=self.transcript,
            policy=self.policy,
        )
        # A receipt that does not match is a miss like any other.
        if not any(s.name == "identity" and s.passed for s in report.steps):
            log.info("proof receipt mismatch")
            return None
        log.info("proof %s %s", "passed" if report.ok else "FAILED", answer.masked_document_number)
        return report

    # --- JSON endpoints -----------------------------------------------------------------

    def _api_lookup(self, environ: WSGIEnvironment) -> _Response:
        fields = self._json_fields(environ, _LOOKUP_FIELDS)
        return _Response.json(200, self._lookup(environ, fields).to_json())

    def _api_proof(self, environ: WSGIEnvironment) -> _Response:
        fields = self._json_fields(environ, _PROOF_FIELDS)
        report = self._prove(environ, fields)
        return _Response.json(200, (NOT_FOUND if report is None else report).to_json())

    # --- HTML endpoints -----------------------------------------------------------------

    def _page(self, body: str) -> str:
        return _page(
            self.title,
            _bi(self.title, "Kindergarten place lottery: results"),
            body,
            subtitle=_e(self.subtitle),
        )

    def _back_link(self) -> str:
        return f'<a class="back" href="/">{_bi("重新查询", "New lookup")}</a>'

    def _form_card(self) -> str:
        return (
            '<form class="card" method="post" action="/lookup" autocomplete="off">'
            f"<h2>{_bi('查询派位结果', 'Look up your child’s result')}</h2>"
            f'<label for="document_type">{_bi("证件类型", "Document type")}</label>'
            '<select id="document_type" name="document_type">'
            '<option value="resident-id" selected>居民身份证 / 居住证 Resident ID</option>'
            '<option value="passport">护照 / 其他证件 Passport / other</option>'
            "</select>"
            f'<label for="document_number">{_bi("幼儿证件号码", "Child’s ID number")}</label>'
            '<input id="document_number" name="document_number" type="text" required'
            ' inputmode="text" autocomplete="off" autocapitalize="characters"'
            ' autocorrect="off" spellcheck="false" maxlength="64"'
            ' placeholder="18 位 / 18 characters">'
            f'<label for="name">{_bi("幼儿姓名", "Child’s name")}</label>'
            '<input id="name" name="name" type="text" required inputmode="text"'
            ' autocomplete="off" autocorrect="off" spellcheck="false" maxlength="128"'
            ' placeholder="与报名时一致 as registered">'
            f'<button type="submit">{_bi("查询", "Look up")}</button>'
            f'<p class="note">{self._limit_note}</p>'
            "</form>"
        )

    def _form(self, environ: WSGIEnvironment) -> _Response:
        return _Response.html(200, self._page(self._form_card()))

    def _html_lookup(self, environ: WSGIEnvironment) -> _Response:
        fields = self._form_fields(environ, _LOOKUP_FIELDS)
        answer = self._lookup(environ, fields)
        if not answer.found:
            return _Response.html(200, self._page(self._not_found() + self._form_card()))
        token = self.sealer.seal(
            {
                "document_type": fields["document_type"],
                "document_number": fields["document_number"],
                "name": fields["name"],
                "registration_number": answer.registration_number or "",
            }
        )
        return _Response.html(200, self._page(self._answer_card(answer) + self._proof_form(token)))

    def _html_proof(self, environ: WSGIEnvironment) -> _Response:
        fields = self._form_fields(environ, ("token", "salt"))
        sealed = self.sealer.open(fields["token"])
        if sealed is None:
            return self._error(
                environ,
                400,
                "页面已过期，请重新查询",
                "this page has expired, look up again",
                form=True,
            )
        report = self._prove(environ, {**sealed, "salt": fields["salt"]})
        if report is None:
            return _Response.html(200, self._page(self._not_found() + self._form_card()))
        return _Response.html(200, self._page(self._report_card(report) + self._back_link()))

    @staticmethod
    def _not_found() -> str:
        return (
            '<div class="card box-bad">'
            f'<p class="status bad">{_bi("未找到", "Not found")}</p>'
            "<p>请核对证件号码和姓名是否与报名时一致。"
            ' <span lang="en">Check the ID number and the name as registered.</span></p></div>'
        )

    @staticmethod
    def _outcome(result: Mapping[str, Any]) -> tuple[bool, str]:
        placed = result.get("placed")
        wins = result.get("wins") or []
        if placed:
            name = str(result.get("placed_name") or "")
            return True, _bi(f"录取 {placed} {name}".rstrip(), "Placed")
        if wins:
            where = "、".join(str(w.get("kindergarten", "")) for w in wins)
            return True, _bi(f"中签 {where}", "Won a place")
        return False, _bi("未录取", "Not placed")

    def _answer_card(self, answer: LookupAnswer) -> str:
        result = answer.result or {}
        placed, text = self._outcome(result)
        rows = [
            (_bi("登记号", "Registration no."), _e(answer.registration_number)),
            (_bi("姓名", "Name"), _e(answer.masked_name)),
            (_bi("证件号", "ID number"), _e(answer.masked_document_number)),
        ]
        waitlist = result.get("waitlist") or []
        if waitlist:
            where = "; ".join(f"{w['kindergarten']} 第 {w['position']} 位" for w in waitlist)
            rows.append((_bi("候补", "Waitlist"), _e(where)))
        if result.get("ticket"):
            rows.append(
                (
                    _bi("摇号随机码", "Lottery number"),
                    f'<span class="mono">{_e(result["ticket"])}</span>',
                )
            )
        dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        box = "box-ok" if placed else ""
        mark = "ok" if placed else ""
        return (
            f'<div class="card {box}"><p class="status {mark}">{text}</p><dl>{dl}</dl>'
            '<p class="note">随机码越小越先派位。'
            ' <span lang="en">Lower lottery numbers are drawn first.</span></p></div>'
        )

    def _proof_form(self, token: str) -> str:
        return (
            '<form class="card" method="post" action="/proof" autocomplete="off">'
            f"<h2>{_bi('用报名回执核验', 'Check with your receipt')}</h2>"
            "<p>输入回执上的校验码，核对孩子的报名记录、签名和摇号随机码。"
            ' <span lang="en">Enter the code printed on the registration receipt to check'
            " the record, the signatures and the lottery number.</span></p>"
            f'<input type="hidden" name="token" value="{_e(token)}">'
            f'<label for="salt">{_bi("回执校验码", "Receipt code")}</label>'
            '<input id="salt" name="salt" type="text" required inputmode="text"'
            ' autocomplete="off" autocapitalize="characters" autocorrect="off"'
            ' spellcheck="false" maxlength="64" placeholder="ABCD-EFGH-…-XY">'
            f'<button type="submit">{_bi("核验", "Check")}</button></form>' + self._back_link()
        )

    def _report_card(self, report: ParentReport) -> str:
        items = []
        for step in report.steps:
            if step.passed:
                mark, verdict = '<span class="mark ok">✓</span>', ""
            else:
                mark = '<span class="mark bad">✗</span>'
                verdict = f' <span class="bad">{_bi("未通过", "FAILED")}</span>'
            zh = _STEP_NAMES.get(step.name, step.name)
            items.append(
                f"<li>{mark}<div><strong>{_e(zh)}</strong>"
                f' <span class="en" lang="en">{_e(step.name)}</span>{verdict}'
                f'<span class="detail" lang="en">{_e(step.detail)}</span></div></li>'
            )
        if report.ok:
            head = f'<p class="status ok">✓ {_bi("全部核验通过", "All checks passed")}</p>'
        else:
            head = f'<p class="status bad">✗ {_bi("核验未通过", "A check FAILED")}</p>'
        outcome = ""
        if report.ok and report.result is not None:
            outcome = f'<p class="outcome">{self._outcome(report.result)[1]}</p>'
        box = "box-ok" if report.ok else "box-bad"
        return (
            f'<div class="card {box}">{head}{outcome}<ul class="steps">{"".join(items)}</ul></div>'
        )


def make_app(
    *,
    index: LookupIndex,
    proofs: Mapping[str, ParentProof],
    announcement: Envelope,
    transcript: Envelope,
    policy: TrustPolicy,
    limiter: RateLimiter | None = None,
    clock: Clock = time.monotonic,
    trust_proxy: bool = False,
    max_body: int = MAX_BODY,
    token_key: bytes | None = None,
) -> WSGIApplication:
    """The lookup portal as a WSGI application.

    ``proofs`` maps registration numbers to parents' proofs (from
    :func:`alloc.audit.make_parent_proofs`). ``limiter`` defaults to
    ``RateLimiter(clock=clock)``: 5 attempts at once, one more every 12
    seconds, per IPv4 address or IPv6 /56, under a global budget of 20 a
    second that slows everyone rather than locking anyone out.
    ``trust_proxy`` keys clients by the first
    ``X-Forwarded-For`` entry; set it only behind a proxy that sets that
    header. ``token_key`` (32 random bytes) must be shared by all workers
    serving the same site; by default each app makes its own.

    Raises:
        SignatureThresholdError, DigestMismatchError, WrongDrawError,
        MalformedDocumentError: if the announcement and transcript do not
            verify under ``policy`` or do not belong together.
    """
    return _Portal(
        index=index,
        proofs=proofs,
        announcement=announcement,
        transcript=transcript,
        policy=policy,
        limiter=RateLimiter(clock=clock) if limiter is None else limiter,
        trust_proxy=trust_proxy,
        max_body=max_body,
        token_key=token_key,
    )


# --- serving -------------------------------------------------------------------------


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _PrivateRequestHandler(WSGIRequestHandler):
    """Logs method, path (never the query string) and status; never bodies."""

    timeout = 15  # seconds a slow client may hold a connection

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urlsplit(self.path).path if hasattr(self, "path") else "-"
        access_log.info(
            '%s "%s %s" %s', self.address_string(), getattr(self, "command", "-"), path, code
        )

    def log_error(self, format: str, *args: Any) -> None:
        # the base class would put the raw request line in the message
        access_log.warning("%s malformed or timed-out request", self.address_string())

    def log_message(self, format: str, *args: Any) -> None:
        # only reached from code paths not overridden above; the args may hold the request line
        access_log.info("%s server message suppressed", self.address_string())


def make_portal_server(
    app: WSGIApplication, *, host: str = "127.0.0.1", port: int = 0
) -> WSGIServer:
    """A threaded wsgiref server for ``app`` (``port=0`` picks a free port)."""
    return make_server(
        host, port, app, server_class=_ThreadingWSGIServer, handler_class=_PrivateRequestHandler
    )


def main(argv: list[str] | None = None) -> None:
    """Serve the synthetic demo draw: ``python examples/portal/app.py --port 8080``."""
    from alloc.audit import make_parent_proofs  # noqa: PLC0415 - only the demo needs it
    from alloc.demo import run_demo  # noqa: PLC0415
    from alloc.identity import format_salt  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--kindergartens", type=int, default=10)
    parser.add_argument(
        "--trust-proxy",
        action="store_true",
        help="key clients by X-Forwarded-For (only behind a proxy that sets it)",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="print one fictional child's ID number, name and receipt to try the form with",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    run = run_demo(applicants=args.applicants, kindergartens=args.kindergartens)
    proofs = make_parent_proofs(run.rules.draw_id, run.records, run.results)
    app = make_app(
        index=LookupIndex.build(run.registry, run.outcome),
        proofs=proofs,
        announcement=run.announcement,
        transcript=run.transcript,
        policy=run.policy,
        trust_proxy=args.trust_proxy,
    )
    if args.sample:
        child = run.registry[run.outcome.registration_numbers[0]]
        print("synthetic sample child (fictional data):")
        print(f"  ID number    {child.identity.document_number}")
        print(f"  name         {child.identity.name}")
        print(f"  receipt      {child.registration_number}  {format_salt(child.salt)}")
    with make_portal_server(app, host=args.host, port=args.port) as server:
        url = f"http://{args.host}:{server.server_port}/"
        print(f"alloc portal for draw {run.rules.draw_id!r} on {url} (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    main()

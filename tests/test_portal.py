"""The example lookup portal (examples/portal/app.py), over real loopback HTTP.

One small demo draw is built once; each test starts its own wsgiref server on
an ephemeral port in a background thread and talks to it with urllib. The
last test renders the pages in headless Chromium at phone width.
"""

from __future__ import annotations

import contextlib
import importlib.util
import ipaddress
import json
import logging
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from stdnum.iso7064 import mod_11_2

from alloc.audit import make_parent_proofs
from alloc.demo import DemoRun, run_demo
from alloc.identity import format_salt
from alloc.lookup import NOT_FOUND, LookupIndex
from alloc.registry import Registration

PORTAL = Path(__file__).resolve().parent.parent / "examples" / "portal" / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
FORM = "application/x-www-form-urlencoded"


def _load_portal() -> ModuleType:
    spec = importlib.util.spec_from_file_location("alloc_example_portal", PORTAL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


portal = _load_portal()


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> DemoRun:
    return run_demo(applicants=200, kindergartens=6)


@pytest.fixture(scope="module")
def parts(demo: DemoRun) -> dict[str, Any]:
    """make_app's arguments for the demo draw."""
    return {
        "index": LookupIndex.build(demo.registry, demo.outcome),
        "proofs": make_parent_proofs(demo.rules.draw_id, demo.records, demo.results),
        "announcement": demo.announcement,
        "transcript": demo.transcript,
        "policy": demo.policy,
    }


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1, an ephemeral port, in a thread; yield its base URL."""
    server = portal.make_portal_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def url(parts: dict[str, Any]) -> Iterator[str]:
    """A portal whose limiter never bites, for everything but the rate-limit tests."""
    limiter = portal.RateLimiter(burst=100_000, global_burst=100_000)
    app = portal.make_app(**parts, limiter=limiter)
    with serving(app) as base:
        yield base


@pytest.fixture(scope="module")
def child(demo: DemoRun) -> Registration:
    """A placed child (first in draw order)."""
    first = demo.outcome.registration_numbers[int(demo.outcome.draw_order[0])]
    return demo.registry[first]


@pytest.fixture(scope="module")
def unknown_number(demo: DemoRun, child: Registration) -> str:
    """A well-formed resident-id number nobody registered."""
    known = {r.identity.document_number for r in demo.registry.values()}
    stem = child.identity.document_number[:14]
    for serial in range(1000):
        body = f"{stem}{serial:03d}"
        number = body + mod_11_2.calc_check_digit(body)
        if number not in known:
            return number
    raise AssertionError("no free number")


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    base: str,
    path: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    content_type: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    sent = dict(headers or {})
    if content_type:
        sent["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return Reply(exc.code, exc.headers, exc.read())


def without_date(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != "Date"}


def post_json(base: str, path: str, data: object, **kw: Any) -> Reply:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return request(base, path, method="POST", data=body, content_type="application/json", **kw)


def post_form(base: str, path: str, data: Mapping[str, str], **kw: Any) -> Reply:
    body = urllib.parse.urlencode(data).encode("ascii")
    return request(base, path, method="POST", data=body, content_type=FORM, **kw)


def who(reg: Registration, **changes: str) -> dict[str, str]:
    return {
        "document_number": reg.identity.document_number,
        "name": reg.identity.name,
        "document_type": "resident-id",
        **changes,
    }


def receipt(reg: Registration, **changes: str) -> dict[str, str]:
    data = who(reg, registration_number=reg.registration_number, salt=format_salt(reg.salt))
    data.update(changes)
    return data


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, "the result page has no receipt form"
    return match.group(1)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def assert_private(text: str, demo: DemoRun) -> None:
    """No registered child's full ID number or full name appears in ``text``."""
    for reg in demo.registry.values():
        assert reg.identity.document_number not in text
        assert reg.identity.name not in text, f"full name of {reg.registration_number} leaked"


# --- the form --------------------------------------------------------------------------


def test_form_page_is_plain_mobile_bilingual_html(url: str) -> None:
    reply = request(url, "/")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    page = reply.text
    assert '<html lang="zh-CN">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<form class="card" method="post" action="/lookup" autocomplete="off">' in page
    assert 'name="document_number"' in page
    assert 'name="name"' in page
    assert page.count('inputmode="text"') == 2
    assert page.index("查询派位结果") < page.index("Look up your child")  # Chinese first
    # no script, no external resource of any kind
    assert "<script" not in page
    assert "<link" not in page
    assert "src=" not in page
    assert "http://" not in page
    assert "https://" not in page


def test_head_form_page(url: str) -> None:
    reply = request(url, "/", method="HEAD")
    assert reply.status == 200
    assert reply.body == b""


# --- lookups ---------------------------------------------------------------------------


def test_json_lookup_finds_the_child(url: str, demo: DemoRun, child: Registration) -> None:
    reply = post_json(url, "/api/lookup", who(child))
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "application/json; charset=utf-8"
    answer = reply.json()
    expected = demo.outcome.applicant(child.registration_number)
    assert answer["found"] is True
    assert answer["registration_number"] == child.registration_number
    assert answer["result"]["placed"] == expected.placed
    assert answer["result"]["ticket"] == expected.ticket.hex()
    number = child.identity.document_number
    assert answer["masked_document_number"] == "*" * 14 + number[-4:]
    assert "*" in answer["masked_name"]
    assert_private(reply.text, demo)


def test_json_lookup_normalises_like_the_library(url: str, child: Registration) -> None:
    number = child.identity.document_number
    spaced = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    assert post_json(url, "/api/lookup", who(child, document_number=spaced)).json()["found"]


def test_html_lookup_finds_the_child(url: str, demo: DemoRun, child: Registration) -> None:
    reply = post_form(url, "/lookup", who(child))
    assert reply.status == 200
    page = reply.text
    answer = post_json(url, "/api/lookup", who(child)).json()
    assert answer["masked_name"] in page
    assert answer["masked_document_number"] in page
    assert child.registration_number in page
    assert answer["result"]["ticket"] in page
    assert 'action="/proof"' in page
    assert 'name="salt"' in page
    assert_private(page, demo)  # the receipt form carries number and name sealed, not plain


def test_wrong_name_and_unknown_number_answer_identically(
    url: str, child: Registration, unknown_number: str
) -> None:
    for path, post in (("/api/lookup", post_json), ("/lookup", post_form)):
        wrong_name = post(url, path, who(child, name="张三丰"))
        unknown = post(url, path, who(child, document_number=unknown_number))
        assert wrong_name.status == unknown.status == 200
        assert wrong_name.body == unknown.body
        assert without_date(wrong_name.headers) == without_date(unknown.headers)
    assert post_json(url, "/api/lookup", who(child, name="张三丰")).json() == NOT_FOUND.to_json()


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("440105202201011230", "check character"),  # last digit off
        ("44010520220101123", "18 characters"),
        ("44O105202201011234", "17 digits"),
    ],
)
def test_malformed_number_is_400_without_echo(
    url: str, demo: DemoRun, child: Registration, number: str, words: str
) -> None:
    reply = post_json(url, "/api/lookup", who(child, document_number=number))
    assert reply.status == 400
    error = reply.json()
    assert error["field"] == "document_number"
    assert words in error["message"]
    assert number not in reply.text
    assert_private(reply.text, demo)
    page = post_form(url, "/lookup", who(child, document_number=number))
    assert page.status == 400
    assert words in page.text
    assert number not in page.text
    assert_private(page.text, demo)


def test_bad_requests(url: str, child: Registration) -> None:
    assert post_json(url, "/api/lookup", {"name": "张三"}).status == 400
    assert post_json(url, "/api/lookup", ["not", "an", "object"]).status == 400
    assert post_json(url, "/api/lookup", who(child, document_type="visa")).status == 400
    assert post_json(url, "/api/lookup", {**who(child), "name": 7}).status == 400
    nested = b"[" * 2000 + b"]" * 2000
    assert (
        request(
            url, "/api/lookup", method="POST", data=nested, content_type="application/json"
        ).status
        == 400
    )
    assert (
        request(
            url, "/api/lookup", method="POST", data=b"\xff", content_type="application/json"
        ).status
        == 400
    )
    # the JSON API takes JSON only, the form endpoints forms only
    assert post_form(url, "/api/lookup", who(child)).status == 415
    assert (
        request(url, "/lookup", method="POST", data=b"{}", content_type="application/json").status
        == 415
    )


def test_output_is_escaped(url: str, child: Registration) -> None:
    attack = '<script>alert("x")</script>'
    for field in ("document_number", "name"):
        reply = post_form(url, "/lookup", who(child, **{field: attack}))
        assert reply.status in {200, 400}
        assert "<script" not in reply.text


# --- proofs ----------------------------------------------------------------------------


def test_json_proof_passes_for_the_right_receipt(url: str, demo: DemoRun) -> None:
    for reg in demo.parent_reports:  # a first-drawn, an unplaced and a bundled sibling
        reply = post_json(url, "/api/proof", receipt(demo.registry[reg]))
        assert reply.status == 200
        report = reply.json()
        assert report["ok"] is True
        assert report == demo.parent_reports[reg].to_json()
        names = [s["name"] for s in report["steps"]]
        assert names == ["documents", "signatures", "identity", "record in frozen list",
                         "lottery number", "result in transcript"]  # fmt: skip
        assert all(s["passed"] for s in report["steps"])
        assert_private(reply.text, demo)


def test_proof_mismatch_answers_like_not_found(
    url: str, demo: DemoRun, child: Registration, unknown_number: str
) -> None:
    other = next(r for r in demo.registry.values() if r is not child)
    not_found = post_json(url, "/api/lookup", who(child, name="张三丰"))
    misses = [
        receipt(child, salt=format_salt(bytes(16))),  # wrong salt
        receipt(child, salt=format_salt(other.salt)),  # someone else's salt
        receipt(child, registration_number=other.registration_number),
        receipt(child, name="张三丰"),
        receipt(child, document_number=unknown_number),
    ]
    for data in misses:
        reply = post_json(url, "/api/proof", data)
        assert reply.status == not_found.status == 200
        assert reply.body == not_found.body


def test_proof_malformed_salt_is_400(url: str, child: Registration) -> None:
    reply = post_json(url, "/api/proof", receipt(child, salt="ABCD-EFGH"))
    assert reply.status == 400
    assert reply.json()["field"] == "salt"
    assert post_json(url, "/api/proof", who(child)).status == 400  # no receipt at all


def test_html_proof_from_the_result_page(url: str, demo: DemoRun, child: Registration) -> None:
    page = post_form(url, "/lookup", who(child)).text
    token = token_of(page)
    passed = post_form(url, "/proof", {"token": token, "salt": format_salt(child.salt).lower()})
    assert passed.status == 200
    assert "全部核验通过" in passed.text
    assert passed.text.count("✓") == 7  # the heading and six steps
    assert_private(passed.text, demo)

    wrong = post_form(url, "/proof", {"token": token, "salt": format_salt(bytes(16))})
    not_found = post_form(url, "/lookup", who(child, name="张三丰"))
    assert wrong.status == not_found.status == 200
    assert wrong.body == not_found.body

    forged = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    expired = post_form(url, "/proof", {"token": forged, "salt": format_salt(child.salt)})
    assert expired.status == 400
    assert "look up again" in expired.text


# --- limits ----------------------------------------------------------------------------


def test_rate_limit_per_client_and_recovery(parts: dict[str, Any], child: Registration) -> None:
    clock = FakeClock()
    with serving(portal.make_app(**parts, clock=clock)) as base:
        # five attempts of any kind, found or not, then 429 for lookups and proofs alike
        assert post_json(base, "/api/lookup", who(child)).json()["found"]
        assert not post_json(base, "/api/lookup", who(child, name="张三丰")).json()["found"]
        assert post_json(base, "/api/proof", receipt(child)).json()["ok"]
        assert post_form(base, "/lookup", who(child)).status == 200
        assert post_json(base, "/api/lookup", who(child, document_number="1")).status == 400
        for path, post in (("/api/lookup", post_json), ("/lookup", post_form)):
            limited = post(base, path, who(child))
            assert limited.status == 429
            assert limited.headers["Retry-After"] == "12"
            assert child.identity.document_number not in limited.text
        assert post_json(base, "/api/proof", receipt(child)).status == 429
        # X-Forwarded-For is ignored unless the proxy is trusted
        spoofed = post_json(
            base, "/api/lookup", who(child), headers={"X-Forwarded-For": "10.9.8.7"}
        )
        assert spoofed.status == 429
        # one token refills every 60 / 5 = 12 seconds
        clock.now += 11.9
        assert post_json(base, "/api/lookup", who(child)).status == 429
        clock.now += 0.1
        assert post_json(base, "/api/lookup", who(child)).status == 200
        assert post_json(base, "/api/lookup", who(child)).status == 429
        clock.now += 3600
        for _ in range(5):
            assert post_json(base, "/api/lookup", who(child)).status == 200
        assert post_json(base, "/api/lookup", who(child)).status == 429


def test_rate_limit_behind_a_trusted_proxy(parts: dict[str, Any], child: Registration) -> None:
    clock = FakeClock()
    with serving(portal.make_app(**parts, clock=clock, trust_proxy=True)) as base:
        a = {"X-Forwarded-For": "203.0.113.7, 10.0.0.1"}
        b = {"X-Forwarded-For": "198.51.100.23"}
        for _ in range(5):
            assert post_json(base, "/api/lookup", who(child), headers=a).status == 200
        assert post_json(base, "/api/lookup", who(child), headers=a).status == 429
        assert post_json(base, "/api/lookup", who(child), headers=b).status == 200


def test_rate_limiter_unit() -> None:
    clock = FakeClock()
    limiter = portal.RateLimiter(burst=2, per=10, clock=clock, max_clients=2)
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") == pytest.approx(5.0)
    clock.now += 2.5
    assert limiter.acquire("a") == pytest.approx(2.5)  # a refused attempt takes nothing
    assert limiter.acquire("b") == 0.0
    assert limiter.acquire("b") == 0.0
    assert limiter.acquire("c") == 0.0  # table full: the least recently used is forgotten
    assert len(limiter) == 2
    assert limiter.acquire("b") > 0  # b was used more recently than a, and is remembered
    assert limiter.acquire("a") == 0.0  # a was forgotten and starts afresh
    with pytest.raises(ValueError, match="global_reserve"):
        portal.RateLimiter(global_burst=10, global_reserve=10)
    with pytest.raises(ValueError, match="max_clients"):
        portal.RateLimiter(max_clients=0)


def test_client_key() -> None:
    key = portal.client_key
    assert key({"REMOTE_ADDR": "192.0.2.1"}) == "192.0.2.1"
    assert key({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}) == "2001:db8:1::/56"
    assert key({"REMOTE_ADDR": "2001:db8:1:ff:3:4:5:6"}) == "2001:db8:1::/56"
    assert key({"REMOTE_ADDR": "2001:db8:1:100::1"}) == "2001:db8:1:100::/56"
    assert key({"REMOTE_ADDR": "::ffff:192.0.2.1"}) == "192.0.2.1"
    forwarded = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.9, 10.0.0.2"}
    assert key(forwarded) == "10.0.0.1"
    assert key(forwarded, trust_proxy=True) == "192.0.2.9"
    junk = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-address"}
    assert key(junk, trust_proxy=True) == "10.0.0.1"


def _ipv6(network: int, host: int) -> str:
    """An address in 2001:db8::/32 with the 32 bits after the /32 and a host part."""
    return str(ipaddress.IPv6Address((0x20010DB8 << 96) | (network << 64) | host))


def test_two_thousand_lookups_from_one_slash_32_split_across_slash_64s() -> None:
    """The issue's finding: every /64 had its own bucket, so 2,000 of 2,000 were answered."""
    clock = FakeClock()
    limiter = portal.RateLimiter(clock=clock)
    # 2,000 /64s of one /32, in 8 /56s (the /64s of a /56 differ in their last 8 bits)
    addresses = [_ipv6((n % 8) << 8 | n // 8, 1) for n in range(2000)]
    keys = [portal.client_key({"REMOTE_ADDR": a}) for a in addresses]
    assert len(set(addresses)) == 2000
    assert len(set(keys)) == 8
    answered = sum(limiter.admit(k).allowed for k in keys)
    assert answered == 8 * limiter.burst  # five per /56, then one each 12 s
    refusals = [limiter.admit(k) for k in keys[:8]]
    assert all(r.wait == pytest.approx(12.0) and not r.busy for r in refusals)
    # an hour later at the same pace: still five a /56 and one every 12 s, not 2,000
    for _ in range(3600):
        clock.now += 1
        answered += sum(limiter.admit(k).allowed for k in keys[:8])
    assert answered == 8 * (limiter.burst + 3600 // 12)


def test_many_slash_56s_meet_the_global_budget_and_are_slowed_not_locked_out() -> None:
    clock = FakeClock()
    limiter = portal.RateLimiter(clock=clock, global_burst=200, global_rate=20.0)
    keys = [portal.client_key({"REMOTE_ADDR": _ipv6(n << 8, 1)}) for n in range(2000)]
    assert len(set(keys)) == 2000
    admissions = [limiter.admit(k) for k in keys]
    assert sum(a.allowed for a in admissions) == 200
    refused = [a for a in admissions if not a.allowed]
    assert all(a.busy for a in refused)
    # told to come back within a fraction of a second, never a minute
    assert max(a.wait for a in refused) <= 1 / 20 + 1e-9
    # a flood from 2,000 /56s for ten minutes gets the global rate and no more
    answered = 0
    for step in range(60_000):
        clock.now += 0.01
        answered += limiter.admit(keys[step % 2000]).allowed
    assert answered <= 20 * 600 + 1
    # and a new client is served as soon as the flood lets a token through
    clock.now += 0.05
    assert limiter.admit("192.0.2.77").allowed


def test_the_last_global_tokens_go_to_clients_with_untouched_buckets() -> None:
    clock = FakeClock()
    limiter = portal.RateLimiter(clock=clock, global_burst=50, global_rate=1.0)
    assert limiter.global_reserve == 10
    heavy = [f"198.51.100.{i}" for i in range(20)]
    for client in heavy:  # each client's first attempt may use the reserve too
        assert limiter.admit(client).allowed
    # second attempts (no longer untouched buckets) stop at the reserve
    seconds = [limiter.admit(client) for client in heavy]
    assert sum(a.allowed for a in seconds) == 50 - 20 - 10
    assert all(a.busy for a in seconds if not a.allowed)
    # a parent's first lookup still goes through; a heavy client waits for refills
    assert limiter.admit("192.0.2.1").allowed
    waiting = limiter.admit(heavy[-1])
    assert waiting.busy
    assert waiting.wait == pytest.approx(2.0)  # until the pool is one above the reserve


def test_a_full_table_never_locks_out_a_new_client() -> None:
    """The issue's finding: with every bucket held, new clients waited up to a minute."""
    clock = FakeClock()
    limiter = portal.RateLimiter(clock=clock, max_clients=1000, global_burst=100_000)
    for n in range(1000):
        client = f"10.0.{n // 256}.{n % 256}"
        for _ in range(limiter.burst):
            assert limiter.admit(client).allowed
        assert not limiter.admit(client).allowed
    assert len(limiter) == 1000
    for n in range(300):  # new clients keep arriving into the full table
        assert limiter.admit(f"192.0.2.{n % 256}/{n}").allowed
        assert len(limiter) == 1000
    # and those still in the table are still limited
    assert not limiter.admit("10.0.3.231").allowed


def test_rate_limit_per_slash_56_over_http(parts: dict[str, Any], child: Registration) -> None:
    clock = FakeClock()
    with serving(portal.make_app(**parts, clock=clock, trust_proxy=True)) as base:
        same = [{"X-Forwarded-For": _ipv6(0x100, n)} for n in range(5)]
        same += [{"X-Forwarded-For": _ipv6(0x1FF, 7)}]  # another /64 of the same /56
        replies = [post_json(base, "/api/lookup", who(child), headers=h) for h in same]
        assert [r.status for r in replies] == [200] * 5 + [429]
        assert replies[-1].headers["Retry-After"] == "12"
        other = post_json(
            base, "/api/lookup", who(child), headers={"X-Forwarded-For": _ipv6(0x200, 1)}
        )
        assert other.status == 200


def test_the_global_budget_answers_busy_over_http(
    parts: dict[str, Any], child: Registration
) -> None:
    clock = FakeClock()
    limiter = portal.RateLimiter(clock=clock, global_burst=3, global_rate=0.5)
    with serving(portal.make_app(**parts, limiter=limiter, trust_proxy=True)) as base:
        replies = [
            post_json(base, "/api/lookup", who(child), headers={"X-Forwarded-For": f"192.0.2.{n}"})
            for n in range(4)
        ]
        assert [r.status for r in replies] == [200, 200, 200, 429]
        assert replies[-1].headers["Retry-After"] == "2"
        assert replies[-1].json()["error"] == "busy, try again in 2 s"
        clock.now += 2
        again = post_json(base, "/api/lookup", who(child), headers={"X-Forwarded-For": "192.0.2.3"})
        assert again.status == 200


def test_body_too_large_is_413(url: str, child: Registration) -> None:
    big = {**who(child), "padding": "x" * 5000}
    assert post_json(url, "/api/lookup", big).status == 413
    assert post_form(url, "/lookup", big).status == 413


def test_body_without_length_is_411(url: str) -> None:
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    # one write, so the server has read the whole request when it answers and closes
    chunked = (
        b"POST /api/lookup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(chunked)
        reply = b""
        while chunk := conn.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.0 411 ")


def test_security_headers_everywhere(url: str, child: Registration) -> None:
    replies = [
        request(url, "/"),
        post_json(url, "/api/lookup", who(child)),
        post_form(url, "/lookup", who(child)),
        request(url, "/nowhere"),
        post_json(url, "/api/lookup", who(child, document_number="1")),
    ]
    for reply in replies:
        csp = reply.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "form-action 'self'" in csp
        assert re.search(r"style-src '(sha256-[A-Za-z0-9+/=]+|unsafe-inline)'", csp)
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert reply.headers["Referrer-Policy"] == "no-referrer"
        assert reply.headers["Cache-Control"] == "no-store"


def test_404_and_405(url: str) -> None:
    assert request(url, "/nowhere").status == 404
    assert request(url, "/api/nowhere").status == 404
    assert request(url, "/favicon.ico").status == 404
    for path in ("/lookup", "/api/lookup", "/proof", "/api/proof"):
        reply = request(url, path)
        assert reply.status == 405
        assert reply.headers["Allow"] == "POST"
    assert request(url, "/lookup?document_number=1&name=x").status == 405  # no GET lookups
    put = request(url, "/", method="PUT", data=b"x", content_type="text/plain")
    assert put.status == 405
    assert put.headers["Allow"] == "GET, HEAD"
    assert request(url, "/api/nowhere").json()["error"] == "not found"


def test_logs_hold_no_names_or_numbers(
    parts: dict[str, Any], demo: DemoRun, child: Registration, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = portal.make_app(**parts, limiter=portal.RateLimiter(burst=100))
    with serving(app) as base:
        post_json(base, "/api/lookup", who(child))
        post_json(base, "/api/lookup", who(child, name="张三丰"))
        post_json(base, "/api/proof", receipt(child))
        post_form(base, "/lookup", who(child))
        post_json(base, "/api/lookup", who(child, document_number="440105202201011230"))
        request(base, "/?document_number=" + child.identity.document_number)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "lookup found" in text
    assert "/api/lookup" in text
    assert_private(text, demo)
    assert "440105202201011230" not in text
    assert format_salt(child.salt) not in text


def test_bad_files_fail_at_start(parts: dict[str, Any]) -> None:
    from alloc.errors import VerificationError  # noqa: PLC0415

    other = run_demo(applicants=30, kindergartens=2)
    with pytest.raises(VerificationError):
        portal.make_app(**{**parts, "transcript": other.transcript})


# --- headless Chromium -----------------------------------------------------------------


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="alloc-chromium-") as profile:
        return subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--window-size=390,844",
                "--enable-logging=stderr",
                "--v=0",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )


def _png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int(struct.unpack(">I", data[16:20])[0])


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered RGB(A) rows of an 8-bit PNG (stdlib only)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def _has_colour(rows: list[bytes], channels: int, rgb: tuple[int, int, int]) -> bool:
    """Whether some pixel is within a few levels of ``rgb`` (the accent or status colour)."""
    for row in rows[::2]:
        for x in range(0, len(row), channels * 2):
            if all(abs(row[x + c] - rgb[c]) <= 6 for c in range(3)):
                return True
    return False


def _screenshot(target: str, out: Path) -> subprocess.CompletedProcess[str]:
    result = _chromium(f"--screenshot={out}", target)
    assert out.exists(), result.stderr[-2000:]
    return result


@pytest.mark.browser
def test_pages_render_in_headless_chromium(
    parts: dict[str, Any], child: Registration, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        reason = (
            "headless Chromium not found: install it with"
            " `apt-get update && apt-get install -y chromium`"
        )
        if os.environ.get("ALLOC_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    shots = Path(os.environ.get("ALLOC_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with serving(portal.make_app(**parts)) as url:  # the default limiter, as deployed
        _render_pages(url, child, shots, tmp_path)


def _render_pages(url: str, child: Registration, shots: Path, tmp_path: Path) -> None:

    # The live form page, served with its Content-Security-Policy: the DOM has
    # the form, and the inline style is allowed (no CSP complaint, accent colour painted).
    dom = _chromium("--dump-dom", url + "/")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert re.search(r'<form[^>]* action="/lookup"', dom.stdout)
    assert re.search(r'<input[^>]* name="document_number"', dom.stdout)
    assert re.search(r'<button type="submit">查询', dom.stdout)
    form_png = shots / "portal-form-390.png"
    shot = _screenshot(url + "/", form_png)
    assert "Content Security Policy" not in shot.stderr
    width, _height, rows = _png_pixels(form_png)
    assert width == 390
    channels = len(rows[0]) // width
    assert _has_colour(rows, channels, (0x0A, 0x58, 0xA8)), "the Look up button is not styled"

    # A submitted result and a receipt check: the HTML the server returned for the
    # POSTs, saved to files (no ID number or name is ever put in a URL).
    found = post_form(url, "/lookup", who(child))
    result_html = tmp_path / "result.html"
    result_html.write_bytes(found.body)
    result_png = shots / "portal-result-390.png"
    _screenshot(result_html.as_uri(), result_png)
    width, _height, rows = _png_pixels(result_png)
    assert width == 390
    assert _has_colour(rows, len(rows[0]) // width, (0xE7, 0xF4, 0xEC)), "no placed box"

    checked = post_form(
        url, "/proof", {"token": token_of(found.text), "salt": format_salt(child.salt)}
    )
    assert "全部核验通过" in checked.text
    proof_html = tmp_path / "proof.html"
    proof_html.write_bytes(checked.body)
    proof_png = shots / "portal-proof-390.png"
    _screenshot(proof_html.as_uri(), proof_png)
    assert _png_width(proof_png) == 390
    if shots != tmp_path:
        shutil.copy(result_html, shots / "portal-result.html")

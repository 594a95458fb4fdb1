"""The public results page (alloc.report): content, escaping, privacy, and a real browser."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import io
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import threading
import unicodedata
import urllib.parse
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from alloc.audit import (
    Check,
    TimeWindow,
    VerificationReport,
    check_transcript,
    document_digest,
    make_announcement,
    make_transcript,
)
from alloc.clock import parse_time
from alloc.demo import DemoRun, run_demo
from alloc.drand import QUICKNET
from alloc.draw import Outcome, draw, kindergarten_ticket
from alloc.errors import WrongDrawError
from alloc.identity import PrivateIdentity, mask_document_number, mask_name
from alloc.model import ApplicantTable, DrawRules, Mechanism, MultiplesPolicy, TieBreak
from alloc.registry import Registration, Registry, attach_identities
from alloc.report import INDEX, UNPLACED_PAGE_ROWS, ReportPages, key_statuses, render_report
from alloc.seed import Ceremony, CeremonyRecord, Digits, DrandRound, Source
from alloc.signing import Envelope, SigningKey, TrustPolicy
from alloc.synthetic import synthetic_district, synthetic_registry

CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = (
    "headless Chromium not found: install it with `apt-get update && apt-get install -y chromium`"
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
#: Elements that cannot sit inside a <p> (a browser would close the <p> early).
BLOCK = {"div", "ul", "ol", "dl", "table", "pre", "p", "section", "h1", "h2", "h3", "h4", "details"}
SVG_SELF_CLOSING = {"rect", "line", "path", "circle"}


# --- a strict little parser -------------------------------------------------------------


@dataclass
class Page(HTMLParser):
    """Parses a page, insisting that every element is closed in order; collects tables."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    _stack: list[str] = field(default_factory=list)
    _cell: list[str] | None = None
    _raw: str | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCK:
            assert "p" not in self._stack, f"<{tag}> inside <p>"
        if tag in VOID:
            return
        self._stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("script", "style"):
            self._raw = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in SVG_SELF_CLOSING or tag in VOID, f"self-closing <{tag}/>"
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}> closes a void element"
        assert self._stack, f"</{tag}> with nothing open"
        opened = self._stack.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "script":
            self.scripts.append(self._raw or "")
            self._raw = None
        elif tag == "style":
            self.styles.append(self._raw or "")
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw += data
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        super().close()
        assert not self._stack, f"unclosed: {self._stack}"

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def table_with(self, header: str) -> list[list[str]]:
        """The first table whose header row mentions ``header``."""
        for table in self.tables:
            if table and any(header in cell for cell in table[0]):
                return table
        raise AssertionError(f"no table with a {header!r} column")


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


def render(run: DemoRun, **overrides: object) -> ReportPages:
    arguments: dict[str, object] = {
        "rules": run.rules,
        "announcement": run.announcement,
        "transcript": run.transcript,
        "outcome": run.outcome,
        "report": run.report,
        "policy": run.policy,
        "registry": run.registry,
    }
    arguments.update(overrides)
    return render_report(**arguments)  # type: ignore[arg-type]


def html_pages(pages: ReportPages) -> dict[str, str]:
    """Every HTML page of a report, front page first."""
    return {name: text for name, text in pages.files.items() if name.endswith(".html")}


def everything(pages: ReportPages) -> str:
    """Every file of a report, one after the other (to look for a text anywhere)."""
    return "\n".join(pages.files.values())


def list_tables(pages: ReportPages) -> list[list[list[str]]]:
    """The list tables of every list page, in page order."""
    return [table for name, _ in pages.pages for table in parse(pages.files[name]).tables]


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> DemoRun:
    """Plenty of seats: everyone placed, no waitlists."""
    return run_demo(applicants=300, kindergartens=8)


@pytest.fixture(scope="module")
def small_pages(small: DemoRun) -> ReportPages:
    return render(small)


@pytest.fixture(scope="module")
def small_html(small_pages: ReportPages) -> str:
    return small_pages.index


@pytest.fixture(scope="module")
def crowded() -> DemoRun:
    """More children than seats: waitlists and unplaced children."""
    return run_demo(applicants=2000, kindergartens=8)


@dataclass(frozen=True)
class Protocol:
    """A whole protocol run on given rules, for mechanisms the demo does not use."""

    rules: DrawRules
    registry: Registry
    announcement: Envelope
    transcript: Envelope
    record: CeremonyRecord
    outcome: Outcome
    report: VerificationReport
    policy: TrustPolicy


DRAWN = "2026-07-23T21:15:00+08:00"
#: drand quicknet round 30662982 as published (tests/vectors/drand.json).
BEACON_SIGNATURE = (
    "8b3edd0d42a2fa36ac15641a2dea2e4f4895acec2ef72ef39e5b6138f0346fb6"
    "b046dde1b4b3d09ff5fe8a6a7acd674a"
)


def protocol(
    rules: DrawRules, table: ApplicantTable, registry: Registry, *, default_all: bool = False
) -> Protocol:
    """Announce, run the ceremony (parties may all default), draw, sign and verify."""
    table = attach_identities(table, registry, rules.draw_id)
    bureau = SigningKey.from_seed(hashlib.sha256(b"report test bureau").digest())
    notary = SigningKey.from_seed(hashlib.sha256(b"report test notary").digest())
    policy = TrustPolicy.of(bureau=[bureau.public], notary=[notary.public])
    lottery = Source("lottery", Digits(3, parse_time(DRAWN, field="t")), "福彩3D <开奖号码>")
    beacon = Source("beacon", DrandRound(QUICKNET, 30662982), "drand quicknet 30662982")
    secrets = {p: hashlib.sha256(p.encode()).digest() for p in ("bureau", "notary")}
    from alloc.seed import commitment  # noqa: PLC0415

    ceremony = Ceremony.begin(rules.draw_id, sources=[lottery], fallbacks=[beacon])
    for party, secret in secrets.items():
        ceremony = ceremony.commit(
            party, commitment(rules.draw_id, party, secret), fallback="beacon"
        )
    ceremony = ceremony.fix_plan()
    window = TimeWindow(
        frozen_at="2026-07-22T17:00:00+08:00",
        reveal_deadline="2026-07-23T15:30:00+08:00",
        draw_at="2026-07-24T09:30:00+08:00",
    )
    notice, records = make_announcement(rules, table, ceremony.plan, window=window)
    announcement = notice.envelope().sign(bureau).sign(notary)
    ceremony = ceremony.open(
        document_digest(announcement),
        reveal_deadline=window.deadline,
        at=parse_time("2026-07-23T15:00:00+08:00", field="t"),
    )
    after = parse_time("2026-07-23T15:40:00+08:00", field="t")
    revealed = parse_time("2026-07-23T15:10:00+08:00", field="t")
    for party, secret in secrets.items():
        ceremony = (
            ceremony.default(party, at=after)
            if default_all
            else ceremony.reveal(party, secret, at=revealed)
        )
    ceremony = ceremony.add_source("lottery", "381", at=window.draw)
    if default_all:
        ceremony = ceremony.add_source("beacon", BEACON_SIGNATURE, at=after)
    record = ceremony.finish()
    outcome = draw(rules, table, record.seed)
    document, results = make_transcript(
        announcement, rules, record, outcome, created="2026-07-24T09:35:00+08:00"
    )
    transcript = document.envelope().sign(bureau).sign(notary)
    report = check_transcript(
        transcript,
        announcement=announcement,
        rules=rules,
        records=records,
        policy=policy,
        results=results,
    )
    return Protocol(rules, registry, announcement, transcript, record, outcome, report, policy)


def render_protocol(run: Protocol) -> ReportPages:
    return render_report(
        rules=run.rules,
        announcement=run.announcement,
        transcript=run.transcript,
        outcome=run.outcome,
        report=run.report,
        policy=run.policy,
        registry=run.registry,
    )


# --- content ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["index", "kindergarten"])
def test_is_one_well_formed_html5_document(small_pages: ReportPages, which: str) -> None:
    document = small_pages.index if which == "index" else small_pages.files["kg-1.html"]
    assert document.startswith("<!DOCTYPE html>\n")
    page = parse(document)
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag["lang"] == "zh-CN"
    metas = [attrs for tag, attrs in page.tags if tag == "meta"]
    assert {"charset": "utf-8"} in metas
    assert any(
        m.get("name") == "viewport" and "width=device-width" in (m.get("content") or "")
        for m in metas
    )
    assert sum(1 for tag, _ in page.tags if tag == "title") >= 1
    assert len(page.scripts) == 1
    assert len(page.styles) == 1


def test_loads_nothing_and_pins_its_inline_code_by_hash(small_pages: ReportPages) -> None:
    names = set(small_pages.files)
    for name, document in html_pages(small_pages).items():
        page = parse(document)
        for tag, attrs in page.tags:
            assert "src" not in attrs, tag
            assert "style" not in attrs, f"inline style attribute on <{tag}> needs 'unsafe-inline'"
            assert not any(a.startswith("on") for a in attrs), f"event handler on <{tag}>"
            href = attrs.get("href")
            if href is not None and tag != "svg":
                # Links go to this page, or to another page of the report.
                assert href.startswith(("#", "data:")) or href.split("#")[0] in names, href
        assert "url(" not in page.styles[0]
        assert "@import" not in page.styles[0]
        assert "http://" not in document.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "https://" not in document
        csp = next(
            attrs["content"]
            for tag, attrs in page.tags
            if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
        )
        assert csp is not None
        assert "default-src 'none'" in csp
        for code in (page.scripts[0], page.styles[0]):
            digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in csp
        assert "unsafe-inline" not in csp
        # The one script may load the search index files it needs, and nothing else.
        assert "'strict-dynamic'" in csp, name
        assert page.scripts[0].count('createElement("script")') == 1
        assert 'script.src = folder + name + ".js"' in page.scripts[0]
    for name, text in small_pages.files.items():
        if name.endswith(".js"):
            assert name.startswith("search/"), name
            assert re.fullmatch(r"alloc(Shard|Pages)\(.*\);\n", text, re.S), name


def test_header_names_the_draw_and_its_rules(small: DemoRun, small_html: str) -> None:
    text = parse(small_html).all_text
    assert small.rules.title in text
    assert small.rules.authority in text
    assert small.rules.draw_id in text
    assert "2026-07-24 09:30 (UTC+08:00)" in text
    assert "Deferred acceptance" in text
    assert "平行志愿" in text
    assert "share one lottery number" in text  # multiples are bundled in the demo
    assert "policy-care" in text
    assert "waitlist of 20" in text
    assert "At least 90%" in text


def test_custom_title(small: DemoRun) -> None:
    text = parse(render(small, title="天河区 2026 幼儿园派位").index).all_text
    assert "天河区 2026 幼儿园派位" in text
    assert small.rules.title not in text


def test_seed_ceremony(small: DemoRun, small_html: str) -> None:
    text = parse(small_html).all_text
    record = small.ceremony
    assert record.seed.hex() in small_html
    assert record.announcement_digest.hex() in text
    for party in record.plan.parties:
        assert party.name in text
        assert party.commitment.hex() in text
    for contribution in record.contributions:
        assert contribution.secret is not None
        assert contribution.secret.hex() in text
    for value in record.sources:
        assert value.name in text
        assert value.value in text
    # The deadline, when each party revealed and each source was read, and its one form.
    assert "揭示截止 Reveal deadline 2026-07-23 15:30 (UTC+08:00)" in text
    assert "2026-07-23 15:10 (UTC+08:00)" in text  # the demo's reveals
    assert "2026-07-24 09:30 (UTC+08:00)" in text  # the lottery read at the draw
    assert "3 digits drawn 2026-07-23T21:15:00+08:00" in text
    assert "drand quicknet round 30662982, published 2026-07-23T15:38:30+08:00" in text
    assert "HMAC-SHA256" in text
    assert "alloc/v1/ticket" in text


def test_the_printed_recipe_recomputes_a_lottery_number(small: DemoRun, small_html: str) -> None:
    found = re.search(r"<pre><code>(import hashlib.*?)</code></pre>", small_html, re.S)
    assert found is not None
    code = html.unescape(found[1])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {})  # the page's own three lines
    number = out.getvalue().strip()
    assert re.fullmatch("[0-9a-f]{64}", number)
    named = re.search(r"\+ '([^']+)'\.encode\(\)\nprint", code)
    assert named is not None
    reg = named[1]
    assert bytes(small.outcome.tickets[small.outcome.index(reg)]).hex() == number
    assert f'→ <span class="hex">{number}</span>' in small_html


def test_kindergarten_table_and_chart(small: DemoRun, small_html: str) -> None:
    page = parse(small_html)
    table = page.table_with("Seats")
    header = table[0]
    rows = {row[0]: row for row in table[1:] if row and row[0].startswith("K")}
    column = {name: i for i, name in enumerate(header)}
    seats, applicants = column["学位 Seats"], column["报名 Applicants"]
    first, placed = column["第一志愿 First choice"], column["录取 Placed"]
    assert len(rows) == len(small.rules.kindergartens)
    for summary in small.outcome.summaries:
        row = rows[summary.id]
        assert row[1] == summary.name
        assert row[seats] == f"{summary.seats:,}"
        assert row[applicants] == f"{summary.applicants:,}"
        assert row[first] == f"{summary.first_choice:,}"
        assert row[placed] == f"{summary.placed:,}"
    owners = next(s for s in small.outcome.summaries if any(b[0] == "owners" for b in s.blocks))
    assert "owners" in rows[owners.id][column["专项 录取/学位 Blocks placed/seats"]]
    # one accessible SVG bar group per kindergarten, named in its <title>
    svgs = [attrs for tag, attrs in page.tags if tag == "svg" and attrs.get("role") == "img"]
    assert len(svgs) == len(small.rules.kindergartens)
    for summary in small.outcome.summaries:
        assert re.search(
            rf"<title id=\"bar-\d+-t\">{summary.id} [^<]*学位 {summary.seats}，"
            rf"报名 {summary.applicants}，第一志愿 {summary.first_choice}",
            small_html,
        )
    assert small_html.count("<rect ") >= 3 * len(small.rules.kindergartens)


def test_lists_follow_the_outcome(crowded: DemoRun) -> None:
    pages = render(crowded)
    outcome = crowded.outcome
    lists = [t for t in list_tables(pages) if t and "报名号 Registration" in t[0]]
    placed_tables = [t for t in lists if t[0][0] == "序号 No." and "学位类别 Seat" in t[0]]
    waitlists = [t for t in lists if t[0][0] == "候补序号 Position"]
    assert len(placed_tables) == len(outcome.summaries)
    for summary, table in zip(outcome.summaries, placed_tables, strict=True):
        regs = [row[1] for row in table[1:]]
        assert regs == list(outcome.placed_at(summary.id))
        for row in table[1:3]:
            ticket = bytes(outcome.tickets[outcome.index(row[1])]).hex()
            assert row[4] == ticket  # the whole number is in the text, shortened by CSS
    expected_waitlists = [s for s in outcome.summaries if s.waitlist]
    assert expected_waitlists, "the crowded demo should have waitlists"
    assert len(waitlists) == len(expected_waitlists)
    for summary, table in zip(expected_waitlists, waitlists, strict=True):
        assert [(row[1], int(row[0])) for row in table[1:]] == list(outcome.waitlist(summary.id))
    unplaced = [t for t in lists if "候补 Waitlist" in t[0]]  # after every kindergarten's lists
    assert [row[1] for t in unplaced for row in t[1:]] == list(outcome.unplaced)
    assert len(outcome.unplaced) > 0


def test_a_page_per_kindergarten_and_the_unplaced_in_pages(
    crowded: DemoRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    import alloc.report  # noqa: PLC0415

    monkeypatch.setattr(alloc.report, "UNPLACED_PAGE_ROWS", 100)
    pages = render(crowded)
    outcome = crowded.outcome
    kgs = [
        (f"kg-{i}.html", f"{k.id} {k.name}") for i, k in enumerate(crowded.rules.kindergartens, 1)
    ]
    count = -(-len(outcome.unplaced) // 100)
    assert count > 1
    assert list(pages.pages[: len(kgs)]) == kgs
    assert [name for name, _ in pages.pages[len(kgs) :]] == [
        f"unplaced-{n}.html" for n in range(1, count + 1)
    ]
    for kg in crowded.rules.kindergartens:
        page = parse(pages.page(kg.id))
        assert f"{kg.id} {kg.name}" in page.all_text
        # The lists are the page itself: open, nothing to expand before printing.
        assert not any(tag == "details" for tag, _ in page.tags)
        rows = [a["id"] for t, a in page.tags if t == "tr" and "id" in a]
        placed = len(outcome.placed_at(kg.id))
        assert rows == [f"p-{n}" for n in range(1, placed + 1)] + [
            f"w-{p}" for _, p in outcome.waitlist(kg.id)
        ]
    last = parse(pages.files[f"unplaced-{count}.html"])
    assert [r[1] for r in last.tables[0][1:]] == list(outcome.unplaced[(count - 1) * 100 :])
    index = parse(pages.index)
    links = {a["href"] for t, a in index.tags if t == "a" and "href" in a}
    assert {name for name, _ in pages.pages} <= links


def test_verification_marks_every_check(small: DemoRun, small_html: str) -> None:
    page = parse(small_html)
    text = page.all_text
    assert small.report.ok
    assert "Verification passed" in text
    assert "核验通过" in text
    items = re.findall(r'<li class="(pass|fail)"><span class="mark">([^<]*)</span>', small_html)
    assert len(items) == len(small.report.checks)
    assert all(cls == "pass" and mark == "✓ 通过 PASS" for cls, mark in items)
    for check in small.report.checks:
        assert html.escape(check.detail) in small_html


def test_signing_keys_and_roots(small: DemoRun, small_html: str) -> None:
    text = parse(small_html).all_text
    for role in small.policy.roles:
        for key in role.keys:
            assert key.keyid in text
    signed = {s.keyid for s in small.transcript.signatures}
    statuses = key_statuses(small.policy, small.transcript)
    assert {k.keyid for k in statuses if k.status == "valid"} == signed
    assert {k.status for k in statuses} == {"valid", "absent"}  # notary-2 did not sign
    assert "未签名 not signed" in text
    signed_doc = small.transcript.signed
    assert signed_doc["results"]["root"] in text
    assert signed_doc["records"]["root"] in text


def test_key_statuses_flags_a_bad_signature(small: DemoRun) -> None:
    forged = replace(
        small.transcript,
        signatures=tuple(replace(s, sig=bytes(64)) for s in small.transcript.signatures),
    )
    assert {k.status for k in key_statuses(small.policy, forged)} == {"invalid", "absent"}
    text = parse(render(small, transcript=forged).index).all_text
    assert "签名无效 invalid signature" in text


def test_a_failed_verification_is_loud_in_colour_and_words(small: DemoRun) -> None:
    failed = VerificationReport(
        checks=(
            *small.report.checks[:3],
            Check("rules", False, "the rules differ <from> the announced rules"),
        )
    )
    document = render(small, report=failed).index
    page = parse(document)
    text = page.all_text
    assert "Verification FAILED" in text
    assert "核验未通过" in text
    assert "Verification passed" not in text
    assert "1 of 4 checks failed" in text
    assert '<li class="fail"><span class="mark">✗ 未通过 FAIL</span>' in document
    assert "&lt;from&gt;" in document
    assert "<from>" not in document


def test_without_a_registry_only_registration_numbers_show(small: DemoRun) -> None:
    pages = render(small, registry=None)
    document = everything(pages)
    page = parse(pages.page(small.outcome.summaries[0].id))
    assert "姓名 Name" not in page.all_text
    assert "证件号 ID number" not in page.all_text
    assert "********" not in document
    first = small.outcome.placed_at(small.outcome.summaries[0].id)[0]
    assert first in page.all_text


def test_is_deterministic(small: DemoRun, small_pages: ReportPages) -> None:
    assert render(small) == small_pages


def test_refuses_documents_of_another_draw(small: DemoRun) -> None:
    other = replace(small.rules, draw_id="another-draw")
    with pytest.raises(WrongDrawError):
        render(small, rules=other)


# --- escaping and privacy -------------------------------------------------------------------


def test_every_text_is_escaped(small: DemoRun) -> None:
    reg = small.outcome.placed_at(small.outcome.summaries[0].id)[0]
    entry = small.registry[reg]
    hostile = Registration(
        registration_number=reg,
        identity=PrivateIdentity(
            name="<script>alert(1)</script>",
            document_type=entry.identity.document_type,
            document_number=entry.identity.document_number,
        ),
        salt=entry.salt,
    )
    registry = {**dict(small.registry), reg: hostile}
    rules = replace(small.rules, authority='<img src=x onerror="alert(2)">区教育局')
    pages = render(small, registry=registry, rules=rules, title="<script>alert(3)</script> & <b>")
    document = everything(pages)
    for text in html_pages(pages).values():
        page = parse(text)
        assert len(page.scripts) == 1  # only the page's own search script
        assert not any(tag == "img" for tag, _ in page.tags)
    assert "&lt;" + "*" * 24 + "<" in document  # <SCRIPT>ALERT(1)</SCRIPT> masked
    assert "<*" not in document
    assert "&lt;script&gt;alert(3)&lt;/script&gt; &amp; &lt;b&gt;" in document
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in document
    assert "ALERT(1)" not in document


def test_no_full_name_or_document_number_anywhere(crowded: DemoRun) -> None:
    pages = render(crowded)
    document = everything(pages)
    text = " ".join(parse(page).all_text for page in html_pages(pages).values())
    for entry in crowded.registry.values():
        identity = entry.identity
        assert identity.document_number not in document
        if len(identity.name) >= 2:
            assert identity.name not in text, "a full name leaked"
            assert identity.name not in document
    # and the masks are there instead
    reg = crowded.outcome.placed_at(crowded.outcome.summaries[0].id)[0]
    identity = crowded.registry[reg].identity
    assert mask_name(identity.name) in text
    assert mask_document_number(identity.document_type, identity.document_number) in text


# --- other mechanisms ------------------------------------------------------------------------


def test_parties_in_default_show_their_fallback() -> None:
    district = synthetic_district(applicants=120, kindergartens=4, twins=3, triplets=0)
    registry = synthetic_registry(district.applicants)
    run = protocol(district.rules, district.applicants, registry, default_all=True)
    assert run.report.ok, str(run.report)
    document = render_protocol(run).index
    text = parse(document).all_text
    assert text.count("未揭示 in default") == 2
    assert "fallback source beacon" in text
    assert BEACON_SIGNATURE in text
    assert "福彩3D &lt;开奖号码&gt;" in document


def test_independent_lottery_with_one_number_per_kindergarten() -> None:
    district = synthetic_district(
        applicants=400,
        kindergartens=5,
        mechanism=Mechanism.INDEPENDENT,
        multiples=MultiplesPolicy.SEPARATE,
        phases=False,
    )
    rules = replace(district.rules, tie_break=TieBreak.PER_KINDERGARTEN)
    run = protocol(rules, district.applicants, synthetic_registry(district.applicants))
    assert run.report.ok, str(run.report)
    pages = render_protocol(run)
    assert parse(pages.index).all_text
    text = " ".join(parse(p).all_text for p in html_pages(pages).values())
    assert "Independent lottery" in text
    assert "One lottery number per child at each kindergarten" in text
    assert "alloc/v1/ticket-kindergarten" in text
    here = [t for t in list_tables(pages) if t and "本园抽签号 Lottery number here" in t[0]]
    winners = [t for t in here if t[0][0] == "序号 No."]
    waitlists = [t for t in here if t[0][0] == "候补序号 Position"]
    assert len(winners) == len(rules.kindergartens)
    assert waitlists
    for summary, table in zip(run.outcome.summaries, winners, strict=True):
        assert len(table) - 1 == summary.placed
        for row in table[1:]:
            expected = kindergarten_ticket(run.record.seed, rules.draw_id, row[1], summary.id)
            assert row[4] == expected.hex()
        numbers = [row[4] for row in table[1:]]
        assert numbers == sorted(numbers)
    assert "中签名单 Winners" in text
    assert "另中签 also won" in text


# --- a real browser --------------------------------------------------------------------------


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("ALLOC_REQUIRE_BROWSER") == "1":
        pytest.fail(NO_CHROMIUM + " (ALLOC_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(NO_CHROMIUM)


def _chromium(profile: Path, *args: str, timeout: float = 60) -> bytes:
    """Run headless Chromium in its own process group; kill the whole group when done."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"Chromium took more than {timeout} s: {' '.join(command)}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # helpers left behind, if any
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    return out


def test_missing_chromium_skips_unless_ci_requires_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(__import__(__name__), "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("ALLOC_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        _require_chromium()
    monkeypatch.setenv("ALLOC_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        _require_chromium()


def test_a_hung_browser_is_killed_with_its_children(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $$ $! > {pids}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setattr(__import__(__name__), "CHROMIUM", fake)
    with pytest.raises(pytest.fail.Exception, match="more than 1 s"):
        _chromium(tmp_path / "profile", "--dump-dom", "about:blank", timeout=1)
    for pid in map(int, pids.read_text().split()):
        assert not _running(pid), f"process {pid} outlived the timeout"


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for its (re)parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def png_pixels(data: bytes) -> npt.NDArray[np.uint8]:
    """Decode an 8-bit, non-interlaced PNG into (height, width, channels).

    All five scanline filters; the left, up and up-left neighbours of a pixel
    are known once the previous anti-diagonal is done, so each diagonal is one
    numpy step.
    """
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks = 8, []
    header = None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8, header
    assert interlace == 0, header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), np.uint8)
    raw = raw.reshape(height, 1 + width * channels)
    filters = raw[:, 0].astype(np.int16)
    assert filters.max() <= 4
    values = raw[:, 1:].reshape(height, width, channels).astype(np.int16)
    out = np.zeros((height + 1, width + 1, channels), np.int16)  # zero row and column pad
    rows = np.arange(height)
    for diagonal in range(height + width - 1):
        r = rows[max(0, diagonal - width + 1) : min(height, diagonal + 1)]
        x = diagonal - r
        a, b, c = out[r + 1, x], out[r, x + 1], out[r, x]
        mode = filters[r][:, None]
        p = a + b - c
        pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
        paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
        predictor = np.select(
            [mode == 0, mode == 1, mode == 2, mode == 3],
            [np.zeros_like(a), a, b, (a + b) >> 1],
            paeth,
        )
        out[r + 1, x + 1] = (values[r, x] + predictor) & 255
    return out[1:, 1:].astype(np.uint8)


@pytest.fixture(scope="module")
def page_file(small_pages: ReportPages, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    write_pages(small_pages, folder)
    return folder / INDEX


def write_pages(pages: ReportPages, folder: Path) -> None:
    """The report's files in ``folder``, as ``alloc report`` writes them."""
    for name, text in pages.files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.browser
@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1920, "livestream")])
def test_renders_in_headless_chromium(
    width: int,
    label: str,
    small: DemoRun,
    page_file: Path,
    screenshot_dir: Path,
    tmp_path: Path,
) -> None:
    _require_chromium()
    size = f"--window-size={width},2400"
    dom = _chromium(tmp_path / "dom-profile", size, "--dump-dom", page_file.as_uri()).decode()
    page = parse(dom[dom.index("<html") :]) if "<!DOCTYPE" not in dom else parse(dom)
    text = page.all_text
    assert small.ceremony.seed.hex() in text
    assert "Verification passed" in text
    summary = small.outcome.summaries[0]
    table = page.table_with("Seats")
    row = next(r for r in table if r and r[0] == summary.id)
    assert row[2] == f"{summary.seats:,}"
    # the filter box is shown by the page's script: the CSP hash let it run
    assert 'id="filter" hidden' not in dom
    assert re.search(r'<div class="filter" id="filter"(?! hidden)', dom)

    shot = tmp_path / "shot.png"
    _chromium(tmp_path / "shot-profile", size, f"--screenshot={shot}", page_file.as_uri())
    assert shot.exists()
    assert shot.stat().st_size > 30_000, "an all-blank page compresses to a few kilobytes"
    kept = screenshot_dir / f"report-{label}-{width}.png"
    shutil.copy(shot, kept)
    print(f"screenshot ({label}, {width} px wide): {kept}")

    pixels = png_pixels(shot.read_bytes())[..., :3].astype(np.int16)
    assert pixels.shape[:2] == (2400, width)
    non_white = (pixels < 235).any(axis=2).mean()
    assert non_white > 0.15, f"only {non_white:.1%} of the screenshot is not white"
    # the page's own style sheet applied: the dark header and the green PASS banner
    navy = (np.abs(pixels - np.array([0x12, 0x35, 0x5B])).sum(axis=2) < 12).mean()
    green = (np.abs(pixels - np.array([0x0B, 0x6B, 0x2B])).sum(axis=2) < 24).mean()
    assert navy > 0.05, f"header colour covers only {navy:.1%}"
    assert green > 0.001, f"PASS green covers only {green:.2%}"
    assert tuple(pixels[4, 4]) == (0x12, 0x35, 0x5B)  # decoder and style agree exactly


# --- a phone: no sideways scroll, and the search box -----------------------------------------

#: Headless Chromium will not make a window narrower than 500 CSS pixels, so a
#: phone is an iframe of exactly its size inside a larger window: inside it the
#: layout viewport is the phone's.
PHONE = (390, 844)

_HARNESS = """<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
<pre id="out"></pre><iframe src="{page}" style="width:{w}px;height:{h}px;border:0"></iframe>
<script>addEventListener("message", function (e) {{
  document.getElementById("out").textContent = e.data; }});</script></body></html>"""

#: Measures the page, then types each query into the page's own search box, one
#: after another, waits for its answer (the status line) and posts what it saw
#: to the harness, with how long the page took to load and each answer to come.
#: Elements inside a box that scrolls or clips sideways (the tables, the code
#: samples) are allowed to be wide.
_PROBE = """(function () {
  var queries = QUERIES;
  function clipped(e) {
    for (var p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") { return true; }
    }
    return false;
  }
  function describe(e) {
    return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
      (typeof e.className === "string" && e.className ? "." + e.className : "");
  }
  function wide() {
    var found = [];
    var all = document.querySelectorAll("body *");
    for (var i = 0; i < all.length; i++) {
      var box = all[i].getBoundingClientRect();
      if (box.width > 0 && box.right > window.innerWidth + 0.5 && !clipped(all[i])) {
        found.push(describe(all[i]) + " ends at " + Math.round(box.right));
      }
    }
    return found;
  }
  var report = {found: {}};
  var input = document.getElementById("q");
  var status = document.getElementById("q-status");
  function ask(k) {
    if (k === queries.length) {
      report.wideAfter = wide();
      report.scrollWidthAfter = document.documentElement.scrollWidth;
      parent.postMessage(JSON.stringify(report), "*");
      console.log("ALLOC-PROBE " + encodeURIComponent(JSON.stringify(report)));
      return;
    }
    status.textContent = "";
    var started = performance.now();
    input.value = queries[k];
    input.dispatchEvent(new Event("input"));
    (function wait() {
      if (!status.textContent) { setTimeout(wait, 2); return; }
      var rows = document.querySelectorAll("#q-results tbody tr");
      var shown = [];
      for (var j = 0; j < rows.length; j++) {
        shown.push([rows[j].querySelector(".rn").textContent,
                    rows[j].querySelector("a").getAttribute("href"),
                    rows[j].querySelector("a").textContent]);
      }
      report.found[queries[k]] = {rows: shown, status: status.textContent,
                                  ms: performance.now() - started};
      ask(k + 1);
    })();
  }
  setTimeout(function () {
    var nav = performance.getEntriesByType("navigation")[0];
    report.viewport = window.innerWidth;
    report.scrollWidth = document.documentElement.scrollWidth;
    report.bodyScrollWidth = document.body.scrollWidth;
    report.wide = wide();
    report.filterShown = !document.getElementById("filter").hidden;
    report.loadMs = nav ? nav.domContentLoadedEventEnd : null;
    report.rows = document.querySelectorAll("tbody tr").length;
    ask(0);
  }, 50);
})();"""


def _on_phone(
    pages: ReportPages,
    tmp_path: Path,
    queries: Sequence[str] = (),
    *,
    page: str = INDEX,
    real_time: bool = False,
) -> dict[str, Any]:
    """Load ``page`` of a report in a 390×844 phone viewport, probe it, return what it saw.

    With ``real_time`` the browser runs on the real clock (for the figures of
    benchmarks/README.md), else on a virtual one that waits for every load.
    """
    _require_chromium()
    probe = _PROBE.replace("QUERIES", json.dumps(list(queries), ensure_ascii=False))
    digest = base64.b64encode(hashlib.sha256(probe.encode()).digest()).decode()
    folder = tmp_path / "phone"
    folder.mkdir()
    write_pages(pages, folder)
    document = pages.files[page]
    # The probe joins the page's own script under its Content-Security-Policy;
    # nothing else about the page changes.
    assert document.count("script-src ") == 1
    document = document.replace("script-src ", f"script-src 'sha256-{digest}' ", 1)
    document = document.replace("</body>", f"<script>{probe}</script></body>", 1)
    (folder / page).write_text(document, encoding="utf-8")
    (folder / "harness.html").write_text(_HARNESS.format(page=page, w=PHONE[0], h=PHONE[1]))
    if real_time:
        return _console_report(tmp_path / "phone-profile", (folder / "harness.html").as_uri())
    dom = _chromium(
        tmp_path / "phone-profile",
        "--window-size=1000,1000",
        "--virtual-time-budget=60000",
        "--dump-dom",
        (folder / "harness.html").as_uri(),
        timeout=180,
    ).decode()
    found = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert found, "the probe reported nothing: " + dom[-500:]
    assert found.group(1), "the probe reported nothing: " + dom[-500:]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return result


def _console_report(profile: Path, url: str, timeout: float = 120) -> dict[str, Any]:
    """Run the probe on the real clock: Chromium until the probe logs its report, then stop.

    ``--dump-dom`` would dump at the load event, before the search index files
    load; a virtual clock (``--virtual-time-budget``) waits for them but does not
    tell real time. So the probe logs its report to the console, which headless
    Chromium prints on stderr.
    """
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", "--window-size=1000,1000", "--enable-logging=stderr", "--v=0",
        f"--user-data-dir={profile}", url,
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    found: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            text = line.decode(errors="replace")
            if "ALLOC-PROBE " in text:
                found.append(text.split("ALLOC-PROBE ", 1)[1].split('"', 1)[0])
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert found, f"the probe reported nothing in {timeout} s"
    result: dict[str, Any] = json.loads(urllib.parse.unquote(found[0]))
    return result


@pytest.mark.browser
@pytest.mark.parametrize("with_registry", [True, False], ids=["masked", "registration-only"])
@pytest.mark.parametrize("page", [INDEX, "kg-1.html", "unplaced-1.html"])
def test_phone_layout_has_no_sideways_scroll(
    crowded: DemoRun, with_registry: bool, page: str, tmp_path: Path
) -> None:
    pages = render(crowded, registry=crowded.registry if with_registry else None)
    child = crowded.outcome.placed_at(crowded.outcome.summaries[0].id)[0]
    seen = _on_phone(pages, tmp_path, [child], page=page)
    assert seen["viewport"] == PHONE[0]
    assert seen["wide"] == []
    assert seen["scrollWidth"] <= PHONE[0]
    assert seen["bodyScrollWidth"] <= PHONE[0]
    assert seen["filterShown"]
    # ...and with a search's answer on the page.
    assert seen["found"][child]["rows"]
    assert seen["wideAfter"] == []
    assert seen["scrollWidthAfter"] <= PHONE[0]


def _search_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def _number(digits: str) -> str:
    return digits.lstrip("0") or "0"


def _search_hit(query: str, registration_number: str, masked_id: str | None) -> bool:
    """The rule the page states: whole registration number or masked ID as printed,
    the number a registration number ends with, or an ID's last 4 characters."""
    q, reg = _search_key(query), _search_key(registration_number)
    if q in {reg, masked_id}:
        return True
    tail = re.search(r"[0-9]+$", reg)
    if q.isascii() and q.isdigit() and tail and _number(q) == _number(tail.group(0)):
        return True
    return (
        masked_id is not None and re.fullmatch("[0-9X]{4}", q) is not None and (masked_id[-4:] == q)
    )


@pytest.mark.browser
def test_search_matches_whole_registration_numbers_and_masked_ids_only(
    crowded: DemoRun, tmp_path: Path
) -> None:
    run = crowded
    outcome = run.outcome
    masked = {
        reg: mask_document_number(
            run.registry[reg].identity.document_type, run.registry[reg].identity.document_number
        )
        for reg in outcome.registration_numbers
    }
    # a child on waitlists appears in several lists, each row counts
    rows_of = Counter(
        [r for s in outcome.summaries for r in outcome.placed_at(s.id)]
        + [r for s in outcome.summaries for r, _ in outcome.waitlist(s.id)]
        + list(outcome.unplaced)
    )
    child = next(r for r, n in rows_of.items() if n > 1)
    number = child.rsplit("-", 1)[1]
    ticket_piece = outcome.applicant(child).ticket.hex()[10:14]
    queries = [
        child,
        f" {child.lower()} ",
        "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in child),  # full width
        number,
        number.lstrip("0"),
        masked[child],
        masked[child][-4:],
        child[:-1],  # a prefix of a registration number is not one
        ticket_piece,  # nor is a piece of a lottery number
        masked[child][:6],  # nor a region code
        "X",
    ]
    pages = render(run)
    seen = _on_phone(pages, tmp_path, queries, page="kg-2.html")["found"]
    for query in queries:
        expected = Counter({r: n for r, n in rows_of.items() if _search_hit(query, r, masked[r])})
        assert Counter(row[0] for row in seen[query]["rows"]) == expected, query
    # the headline cases, spelt out: each row links to the child's row on its list page
    assert Counter(row[0] for row in seen[child]["rows"]) == Counter({child: rows_of[child]})
    assert seen[child]["status"] == (
        f"找到 1 名幼儿（{rows_of[child]} 行）· 1 children found ({rows_of[child]} rows)"
    )
    links = sorted(row[1] for row in seen[child]["rows"])
    assert links == sorted(_links_of(pages, outcome, child))
    assert seen[masked[child][:6]]["rows"] == []
    assert seen[masked[child][:6]]["status"].startswith("没有完全相符")
    assert seen["X"]["rows"] == []


def _links_of(pages: ReportPages, outcome: Outcome, reg: str) -> list[str]:
    """Where a child's rows are, as the page's links say: page#p-N, #w-N or #u-N."""
    links = []
    for number, kg in enumerate(outcome.rules.kindergartens, start=1):
        placed = list(outcome.placed_at(kg.id))
        if reg in placed:
            links.append(f"kg-{number}.html#p-{placed.index(reg) + 1}")
        links += [f"kg-{number}.html#w-{p}" for r, p in outcome.waitlist(kg.id) if r == reg]
    if reg in outcome.unplaced:
        at = outcome.unplaced.index(reg)
        links.append(f"unplaced-{at // UNPLACED_PAGE_ROWS + 1}.html#u-{at + 1}")
    for link in links:
        page, anchor = link.split("#")
        assert f'<tr id="{anchor}"><td class="num">' in pages.files[page]
    return links


def test_search_rule_is_stated_on_the_page(small: DemoRun, small_html: str) -> None:
    text = parse(small_html).all_text
    first = small.outcome.registration_numbers[0]
    assert f"Type a whole registration number ({first})" in text
    assert "the last 4 characters of an ID number (1234, printed **************1234)." in text
    assert "Only exact matches are shown." in text
    assert "只显示完全相符的行" in text
    without = parse(render(small, registry=None).index).all_text
    assert "ID number" not in without.split("Find a child")[1].split("Only exact")[0]
    assert "Only exact matches are shown." in without


@pytest.mark.browser
def test_a_kindergarten_page_prints_its_lists_on_a4(crowded: DemoRun, tmp_path: Path) -> None:
    _require_chromium()
    pypdf = pytest.importorskip("pypdf")
    pages = render(crowded)
    folder = tmp_path / "report"
    write_pages(pages, folder)
    kg = crowded.outcome.summaries[0]
    pdf = tmp_path / "kg.pdf"
    _chromium(
        tmp_path / "profile",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        (folder / "kg-1.html").as_uri(),
        timeout=120,
    )
    reader = pypdf.PdfReader(pdf)
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595.28) < 1.5
        assert abs(float(page.mediabox.height) - 841.89) < 1.5
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    listed = list(crowded.outcome.placed_at(kg.id)) + [
        r for r, _ in crowded.outcome.waitlist(kg.id)
    ]
    assert len(listed) > 40  # more than one printed page
    assert len(reader.pages) > 1
    missing = [reg for reg in listed if reg not in text]
    assert missing == []
    for reg in listed:  # whole lottery numbers, not the shortened screen form
        ticket = crowded.outcome.applicant(reg).ticket.hex()
        assert ticket in text, reg
    assert "查找幼儿" not in text  # the search box is not printed
    assert f"共{len(reader.pages)}页" in unicodedata.normalize("NFKC", text).replace("⻚", "页")

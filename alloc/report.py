"""The public results page of a draw: one self-contained HTML5 document.

:func:`render_report` turns the public artefacts of a finished draw (rules,
signed announcement and transcript, outcome, verification report, trust
policy) into a single page for the bureau's website, the notice board and the
livestream screen. The page carries its own CSS and inline SVG charts and
loads nothing else; its Content-Security-Policy pins the one small script
(optional row filtering) and the style sheet by hash, so it works offline and
under any stricter policy, and reads completely with scripts off.

With the bureau's private registry the lists show masked names (张**) and
masked ID numbers (**************1234); a full name or document number never
reaches the page. Every text is HTML-escaped.

The function is pure: it returns the document as a ``str`` and writes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shlex
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from alloc._version import __version__
from alloc.audit import (
    Announcement,
    Check,
    Transcript,
    VerificationReport,
    check_title,
    document_digest,
    document_title,
)
from alloc.canonical import SPEC_VERSION
from alloc.clock import format_time
from alloc.draw import ApplicantOutcome, KindergartenSummary, Outcome
from alloc.errors import InputError, WrongDrawError
from alloc.i18n import Language, _, override_language
from alloc.identity import mask_identity
from alloc.model import OPEN_BLOCK, DrawRules, Mechanism, MultiplesPolicy, TieBreak
from alloc.progress import Progress, Task, advance
from alloc.registry import Registration, Registry
from alloc.seed import Contribution
from alloc.signing import Envelope, TrustPolicy, fingerprint, is_demo_key
from alloc.tickets import ticket

__all__ = [
    "CHART_LIMIT",
    "INDEX",
    "SHARD_ENTRIES",
    "UNPLACED_PAGE_ROWS",
    "KeyStatus",
    "ReportPages",
    "bilingual",
    "check_name",
    "document_name",
    "escape",
    "key_statuses",
    "render_report",
    "term",
]

# --- small value types ------------------------------------------------------------


@dataclass(frozen=True)
class KeyStatus:
    """Whether one trusted key signed a document: ``"valid"``, ``"invalid"`` or ``"absent"``."""

    role: str
    keyid: str
    status: str


def key_statuses(policy: TrustPolicy, envelope: Envelope) -> tuple[KeyStatus, ...]:
    """Every key of every role of ``policy``, and whether it validly signed ``envelope``.

    Unlike :meth:`TrustPolicy.evaluate`, which counts per role, this names each
    key, so a reader can see exactly who signed. Never raises.
    """
    try:
        message = envelope.signed_bytes
    except InputError:
        message = b""
    signatures: dict[str, list[bytes]] = {}
    for signature in envelope.signatures:
        signatures.setdefault(signature.keyid, []).append(signature.sig)
    out = []
    for role in policy.roles:
        for key in role.keys:
            sigs = signatures.get(key.keyid, [])
            if not sigs:
                status = "absent"
            elif message and any(key.verify(sig, message) for sig in sigs):
                status = "valid"
            else:
                status = "invalid"
            out.append(KeyStatus(role=role.name, keyid=key.keyid, status=status))
    return tuple(out)


@dataclass(frozen=True)
class _Child:
    """One row of a placement list, already masked."""

    registration_number: str
    name: str | None
    document: str | None
    lottery_number: str
    seat: str
    phase: str
    notes: tuple[str, ...]


# --- words ----------------------------------------------------------------------------

_MECHANISM = {
    Mechanism.INDEPENDENT: (
        "各园独立派位：每所幼儿园在本园报名者中按优先类别和抽签号排序录取；"
        "一名幼儿可能在多所幼儿园中签，由家长选定其中一所。",
        "Independent lottery per kindergarten: each kindergarten admits its own applicants"
        " in order of priority tier and lottery number; a child may win at several and"
        " the family keeps one.",
    ),
    Mechanism.FIRST_CHOICE_FIRST: (
        "志愿优先：第 1 轮只录取第一志愿，第 2 轮把剩余学位分给第二志愿，"
        "依此类推；录取后不再变动。",
        "First choice first: round 1 admits first choices, round 2 fills the seats left"
        " with second choices, and so on; a placement is final.",
    ),
    Mechanism.DEFERRED_ACCEPTANCE: (
        "平行志愿（延迟接受算法）：每名幼儿被录取到其优先类别和抽签号足以进入的、"
        "志愿排序最靠前的幼儿园；多填志愿不会使结果变差。",
        "Deferred acceptance: each child is placed at the highest-listed choice that"
        " their priority tier and lottery number are good enough for; listing more"
        " choices never hurts.",
    ),
}

_TIE_BREAK = {
    TieBreak.SINGLE: (
        "每名幼儿一个抽签号，在所有志愿幼儿园通用；号码越小越靠前。",
        "One lottery number per child, used at every kindergarten; lower numbers come first.",
    ),
    TieBreak.PER_KINDERGARTEN: (
        "每名幼儿在每所志愿幼儿园各有一个抽签号；号码越小越靠前。",
        "One lottery number per child at each kindergarten listed; lower numbers come first.",
    ),
}

_MULTIPLES = {
    MultiplesPolicy.SEPARATE: (
        "多胞胎各自独立抽签。",
        "Twins and triplets are drawn separately.",
    ),
    MultiplesPolicy.BUNDLE: (
        "多胞胎共用一个抽签号、同进同出：一起录取到同一所幼儿园，或都不录取。",
        "Twins and triplets share one lottery number and are admitted together to one"
        " kindergarten, or not at all.",
    ),
    MultiplesPolicy.BUNDLE_OVER_PLAN: (
        "多胞胎共用一个抽签号、同进同出；抽到最后的学位时超计划一并录取。",
        "Twins and triplets share one lottery number and are admitted together; drawn"
        " for the last seats, they are admitted over the plan.",
    ),
    MultiplesPolicy.MERGE_AFTER: (
        "多胞胎各自抽签，之后调整到志愿最靠前的兄弟姐妹所在的幼儿园。",
        "Twins and triplets are drawn separately, then moved to the kindergarten of the"
        " sibling placed at the earliest choice.",
    ),
}

#: Chinese words for identifiers the synthetic district and most real draws use;
#: anything else is shown as written.
_TERMS = {
    "owners": "业主",
    "owner": "业主",
    "staff": "职工子女",
    OPEN_BLOCK: "公开摇号",
    "policy-care": "政策照顾",
    "local": "本地户籍",
    "other": "其他",
    "social": "社会派位",
    "bureau": "教育局",
    "notary": "公证处",
}
_PARENT_REP_RE = re.compile(r"parent-rep-(\d+)")

_KEY_STATUS = {
    "valid": ("ok", "✓ 已签名", "signed"),
    "invalid": ("bad", "✗ 签名无效", "invalid signature"),
    "absent": ("none", "— 未签名", "not signed"),
}

# Okabe–Ito-derived colours, dark enough for white text and a projector.
_SEATS_COLOUR = "#12355b"
_LISTED_COLOUR = "#c25e00"
_FIRST_COLOUR = "#9d1c4d"

_CSS = """\
:root{--ink:#111;--muted:#454b54;--line:#c3c8cf;--panel:#eef1f5;--accent:#12355b;\
--pass:#0b6b2b;--pass-bg:#e4f4e9;--fail:#a4141a;--fail-bg:#fde8e8;\
--mono:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
[hidden]{display:none!important}
[id]{scroll-margin-top:72px}
html{font-size:16px;-webkit-text-size-adjust:100%;text-size-adjust:100%}
@media (min-width:1400px){html{font-size:19px}}
body{margin:0;color:var(--ink);background:#fff;line-height:1.55;font-family:system-ui,\
-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",\
"Source Han Sans SC","WenQuanYi Micro Hei",sans-serif}
.wrap{max-width:1600px;margin:0 auto;padding:0 16px}
a{color:#0b4f9c}
:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
.en{color:var(--muted);font-weight:400}
.top .en,.seed .en{color:#d5deea}
code,.hex{font-family:var(--mono)}
.hex{overflow-wrap:anywhere;word-break:break-all;white-space:normal}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,36em),1fr));gap:10px;\
list-style:none;padding:0;margin:8px 0 14px}
.cards>li{border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.cards h4{margin:0 0 4px;font-size:1.05rem}
.kv{margin:0}
.kv dt{font-size:.88rem;color:var(--muted);margin-top:6px}
.kv dd{margin:0}
.big{font-size:1.3rem}
.st{display:inline-block;margin:3px 18px 3px 0}
.top{background:var(--accent);color:#fff;padding:18px 0 22px}
.top a{color:#fff}
.authority{margin:0;font-size:1.05rem;opacity:.95}
h1{font-size:clamp(1.5rem,4.6vw,2.7rem);line-height:1.25;margin:.15em 0 .35em}
h2{font-size:clamp(1.3rem,3.4vw,2rem);margin:1.6em 0 .5em;padding-bottom:.2em;\
border-bottom:3px solid var(--accent)}
h2 .en,h3 .en{font-size:.8em}
h3{font-size:1.15rem;margin:1.2em 0 .4em}
.meta{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0;font-size:.98rem}
.meta dt{font-size:.85rem;opacity:.9}
.meta dd{margin:0;font-weight:600}
.banner{display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;margin:14px 0 4px;\
padding:12px 16px;border-radius:8px;font-size:clamp(1.1rem,3.2vw,1.6rem);font-weight:700;\
border:3px solid}
.banner.pass{background:var(--pass-bg);color:var(--pass);border-color:var(--pass)}
.banner.fail{background:var(--fail-bg);color:var(--fail);border-color:var(--fail)}
.banner .icon{font-size:1.4em;line-height:1}
.banner .sub{font-size:.7em;font-weight:600}
.banner a{color:inherit}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(132px,1fr));gap:10px;\
margin:16px 0 0;padding:0;list-style:none}
.stats li{background:rgba(255,255,255,.1);border:1px solid rgba(255,255,255,.35);\
border-radius:8px;padding:8px 12px}
.stats .fig{display:block;font-size:clamp(1.9rem,6.2vw,3.3rem);font-weight:800;\
line-height:1.1;font-variant-numeric:tabular-nums}
.stats .lbl{font-size:.95rem}
nav.toc{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line)}
nav.toc ul{display:flex;gap:4px;overflow-x:auto;margin:0;padding:4px 0;list-style:none}
nav.toc a{display:block;padding:12px 14px;min-height:48px;white-space:nowrap;\
text-decoration:none;font-weight:600;border-radius:6px}
nav.toc a:hover{background:var(--panel)}
ul.plain{padding-left:1.2em}
ul.plain li{margin:.35em 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid var(--line);\
border-radius:8px;margin:10px 0 16px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
caption{text-align:left;padding:8px 12px;font-weight:600}
th,td{padding:9px 12px;border-bottom:1px solid var(--line);text-align:left;\
vertical-align:top;white-space:nowrap}
thead th{background:var(--panel);font-size:.92rem;line-height:1.3}
th .en{display:block;font-size:.85em}
tbody tr{background:#fff}
tbody tr:nth-child(even){background:#f8f9fb}
.sticky1 tr>:first-child{position:sticky;left:0;z-index:1;background:inherit;\
box-shadow:1px 0 0 var(--line)}
.sticky1 thead tr{background:var(--panel)}
.sticky1 tfoot tr{background:#fff}
tfoot td,tfoot th{font-weight:700;border-top:2px solid var(--ink)}
.num{text-align:right}
td.wrap-ok{white-space:normal;min-width:14em}
.seed{background:#0d1b2e;color:#fff;border-radius:10px;padding:14px 16px;margin:12px 0}
.seed .lbl{font-size:1rem}
.seed .value{display:block;font-family:var(--mono);font-size:clamp(1.15rem,3.6vw,2.3rem);\
font-weight:700;line-height:1.35;letter-spacing:.02em}
.seed .value span{display:inline-block;margin-right:.5em}
pre{background:#0d1b2e;color:#f3f6fa;padding:12px 14px;border-radius:8px;overflow-x:auto;\
font-size:.9rem;line-height:1.5}
.note{color:var(--muted);font-size:.95rem}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:8px 0}
.legend li{display:flex;align-items:center;gap:6px}
.legend svg{flex:none}
.chart{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,19em),1fr));\
gap:12px;list-style:none;padding:0;margin:8px 0 16px}
.kgcard{border:1px solid var(--line);border-radius:8px;padding:10px 12px 8px}
.kgcard h3{margin:0 0 4px;font-size:1.05rem;display:flex;justify-content:space-between;gap:8px}
.kgcard h3 a{font-size:.85rem;font-weight:600;white-space:nowrap;padding:6px 8px;margin:-6px -8px}
.kgcard svg{display:block;width:100%;height:auto}
.kgcard p{margin:2px 0 0;font-size:.92rem}
svg text{font-family:inherit}
details.list{border:2px solid var(--line);border-radius:8px;margin:10px 0}
details.list[open]{border-color:var(--accent)}
details.list>summary{cursor:pointer;list-style:none;padding:12px 14px;min-height:52px;\
display:flex;flex-wrap:wrap;align-items:center;gap:4px 14px;font-weight:700}
details.list>summary::-webkit-details-marker{display:none}
details.list>summary::before{content:"▸";font-size:1.2em;width:1em}
details.list[open]>summary::before{content:"▾"}
details.list>summary .count{font-weight:600;color:var(--muted)}
details.list .body{padding:0 12px 6px}
.tk{display:inline-block;max-width:14ch;overflow:hidden;text-overflow:ellipsis;\
white-space:nowrap;vertical-align:bottom;font-family:var(--mono);cursor:text}
.tk:hover,.tk:focus{max-width:none}
.filter{margin:10px 0 14px;padding:12px;background:var(--panel);border-radius:8px}
.filter label{display:block;font-weight:600;margin-bottom:6px}
.filter input{width:100%;max-width:560px;min-height:48px;font-size:1.1rem;padding:8px 12px;\
border:2px solid var(--ink);border-radius:6px}
ol.checks{list-style:none;padding:0;margin:10px 0}
ol.checks li{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 12px;padding:10px 12px;\
margin:8px 0;border-left:8px solid;border-radius:4px}
ol.checks li.pass{border-color:var(--pass);background:var(--pass-bg)}
ol.checks li.fail{border-color:var(--fail);background:var(--fail-bg)}
.mark{display:inline-block;font-weight:800;padding:2px 10px;border-radius:4px;color:#fff;\
max-width:100%;overflow-wrap:anywhere}
.pass .mark,.mark.ok{background:var(--pass)}
.fail .mark,.mark.bad{background:var(--fail)}
.mark.none{background:#5b6470}
ol.checks .name{font-weight:700}
ol.checks .detail{flex-basis:100%;font-size:.92rem;overflow-wrap:anywhere}
dl.digests{display:grid;grid-template-columns:minmax(9em,max-content) 1fr;gap:6px 16px;\
margin:10px 0}
dl.digests dt{font-weight:600}
dl.digests dd{margin:0;font-family:var(--mono)}
@media (max-width:560px){dl.digests{grid-template-columns:1fr}dl.digests dd{margin-bottom:8px}}
footer{margin:32px 0 0;padding:16px 0 28px;border-top:1px solid var(--line);color:var(--muted);\
font-size:.92rem}
#q-results table{margin:0}
tr:target,tr:target td{background:#fff3bf}
.crumbs{margin:0;padding:10px 0 0;font-size:.98rem}
.crumbs a{display:inline-block;padding:6px 0}
ul.pages{columns:16em;padding-left:1.2em}
ul.pages li{margin:.3em 0;break-inside:avoid}
@page{size:A4;margin:14mm 12mm 16mm;@bottom-center{content:"第 " counter(page) " 页 / 共 "\
counter(pages) " 页";font-size:8pt;color:#454b54}}
@media print{html{font-size:10pt}nav.toc,.filter,#q-results,.crumbs{display:none}\
.top{background:none;color:#000;padding:0 0 6pt}.top a{color:#000}\
.top .en,.seed .en{color:var(--muted)}.stats li{border-color:var(--line)}\
.wrap{max-width:none;padding:0}.scroll{overflow:visible;border:0;border-radius:0}\
table{page-break-inside:auto}thead{display:table-header-group}tfoot{display:table-footer-group}\
tr{break-inside:avoid;page-break-inside:avoid}th,td{padding:3pt 5pt;white-space:normal}\
.sticky1 tr>:first-child{position:static;box-shadow:none}\
.tk{max-width:none;white-space:normal;word-break:break-all;font-size:.8em}\
details>*{display:block}details.list{border:0}details.list>summary::before{content:""}\
h2,h3,caption{break-after:avoid}a{color:inherit;text-decoration:none}\
.kgcard,.cards>li{break-inside:avoid}footer{margin:12pt 0 0;padding:6pt 0}}
"""

_SCRIPT = """\
(function () {
  "use strict";
  var box = document.getElementById("filter");
  var input = document.getElementById("q");
  var status = document.getElementById("q-status");
  var out = document.getElementById("q-results");
  if (!box || !input || !status || !out) { return; }
  var count = parseInt(box.getAttribute("data-shards"), 10) || 1;
  var folder = box.getAttribute("data-search") || "search/";
  box.hidden = false;
  var loaded = {}, failed = {}, waiting = {}, requested = {}, pages = null, serial = 0;
  var KIND = [["录取", "placed"], ["候补", "waitlist"], ["未录取", "unplaced"]];
  var ANCHOR = ["p-", "w-", "u-"];
  if (box.getAttribute("data-won") === "1") { KIND[0] = ["中签", "won"]; }
  function key(text) { return text.normalize("NFKC").replace(/\\s+/g, "").toUpperCase(); }
  function number(text) { return text.replace(/^0+(?=[0-9])/, ""); }
  function fnv(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }
  function buckets(q) {
    var tail = /[0-9]+$/.exec(q);
    var out = [tail ? "N" + number(tail[0]) : "S" + q.replace(/[^0-9A-Z]/g, "")];
    if (/^[0-9X]{4}$/.test(q)) { out.push("I" + q); }
    else if (q.indexOf("*") >= 0 && q.length >= 4) { out.push("I" + q.slice(-4)); }
    return out;
  }
  function done(name) {
    var calls = waiting[name] || [];
    delete waiting[name];
    for (var i = 0; i < calls.length; i++) { calls[i](); }
  }
  window.allocShard = function (name, data) { loaded[name] = data; done(name); };
  window.allocPages = function (list) { pages = list; loaded.pages = true; done("pages"); };
  function need(name, then) {
    if (loaded[name] || failed[name]) { then(); return; }
    (waiting[name] = waiting[name] || []).push(then);
    if (requested[name]) { return; }
    requested[name] = true;
    var script = document.createElement("script");
    script.src = folder + name + ".js";
    script.onerror = function () { failed[name] = true; done(name); };
    document.head.appendChild(script);
  }
  function hit(entry, q) {
    var reg = key(entry[0]);
    var id = entry[2] === null ? null : key(entry[2]);
    var tail = /[0-9]+$/.exec(reg);
    if (q === reg || q === id) { return true; }
    if (/^[0-9]+$/.test(q) && tail && number(q) === number(tail[0])) { return true; }
    return id !== null && /^[0-9X]{4}$/.test(q) && id.slice(-4) === q;
  }
  function cell(row, text, cls) {
    var td = document.createElement("td");
    if (cls) { td.className = cls; }
    td.textContent = text;
    row.appendChild(td);
    return td;
  }
  function show(q, names) {
    while (out.firstChild) { out.removeChild(out.firstChild); }
    var seen = {}, hits = [], rows = 0, broken = false;
    for (var n = 0; n < names.length; n++) {
      if (failed[names[n][0]]) { broken = true; continue; }
      var entries = (loaded[names[n][0]] || {})[names[n][1]] || [];
      for (var e = 0; e < entries.length; e++) {
        if (!seen[entries[e][0]] && hit(entries[e], q)) {
          seen[entries[e][0]] = true;
          hits.push(entries[e]);
          rows += entries[e][3].length;
        }
      }
    }
    if (broken || failed.pages) {
      status.textContent = "无法读取查找索引（search/ 文件夹）"
        + " · The search index (the search/ folder) could not be read";
      return;
    }
    if (!hits.length) {
      status.textContent = "没有完全相符的报名号或证件号"
        + " · No registration number or ID number matches exactly";
      return;
    }
    status.textContent = "找到 " + hits.length + " 名幼儿（" + rows + " 行）· "
      + hits.length + " children found (" + rows + " rows)";
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    var labels = [["报名号", "Registration"], ["姓名", "Name"], ["证件号", "ID number"],
                  ["名单", "List"]];
    var ids = hits[0][2] !== null;
    for (var h = 0; h < labels.length; h++) {
      if (!ids && (h === 1 || h === 2)) { continue; }
      var th = document.createElement("th");
      th.textContent = labels[h][0] + " " + labels[h][1];
      head.appendChild(th);
    }
    var body = table.createTBody();
    for (var i = 0; i < hits.length; i++) {
      for (var r = 0; r < hits[i][3].length; r++) {
        var where = hits[i][3][r], page = pages[where[0]];
        var row = body.insertRow();
        row.className = "hit";
        cell(row, hits[i][0], "rn");
        if (ids) { cell(row, hits[i][1] || "—"); cell(row, hits[i][2] || "—", "id"); }
        var link = document.createElement("a");
        link.href = page[0] + "#" + ANCHOR[where[1]] + where[2];
        link.textContent = (where[1] === 2 ? "" : page[1] + " · ") + KIND[where[1]][0] + " #"
          + where[2] + " " + KIND[where[1]][1];
        cell(row, "").appendChild(link);
      }
    }
    var wrap = document.createElement("div");
    wrap.className = "scroll";
    wrap.appendChild(table);
    out.appendChild(wrap);
  }
  input.addEventListener("input", function () {
    var q = key(input.value);
    var mine = ++serial;
    if (!q) {
      while (out.firstChild) { out.removeChild(out.firstChild); }
      status.textContent = "";
      return;
    }
    var names = buckets(q).map(function (b) { return ["s" + (fnv(b) % count), b]; });
    var left = names.length + 1;
    function next() { if (--left === 0 && mine === serial) { show(q, names); } }
    need("pages", next);
    for (var i = 0; i < names.length; i++) { need(names[i][0], next); }
  });
  if (input.value) { input.dispatchEvent(new Event("input")); }
})();
"""


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: The page loads nothing: only the inline style sheet and script, by hash.
_CSP = (
    "default-src 'none'; "
    f"style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_SCRIPT)} 'strict-dynamic'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


# --- helpers ---------------------------------------------------------------------------


def _e(value: object) -> str:
    """HTML-escape any text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def escape(value: object) -> str:
    """HTML-escape any text, quotes included (safe in attributes). Never raises."""
    return _e(value)


def term(raw: str) -> str:
    """An identifier as HTML, with its Chinese word when one is known. Never raises."""
    return _term(raw)


def check_name(name: str) -> str:
    """A verification check's name as HTML: Chinese, then English. Never raises."""
    return _bi(*bilingual(check_title, name))


def document_name(name: str) -> str:
    """A signed document's name (``transcript``, ``round 2 announcement``) as HTML: Chinese,
    then English. Never raises."""
    return _bi(*bilingual(document_title, name))


def bilingual(render: Callable[[str], str], value: str) -> tuple[str, str]:
    """``render(value)`` in Chinese and in English (for pages that show both). Never raises."""
    with override_language(Language.ZH_CN):
        zh = render(value)
    with override_language(Language.EN):
        en = render(value)
    return zh, en


def _bi(zh: str, en: str) -> str:
    """A bilingual label: Chinese, then English in a muted span (both escaped)."""
    return f'{_e(zh)} <span class="en" lang="en">{_e(en)}</span>'


def _term(raw: str) -> str:
    """An identifier with its Chinese word when one is known."""
    zh = _TERMS.get(raw)
    match = _PARENT_REP_RE.fullmatch(raw)
    if match:
        zh = f"家长代表 {match.group(1)}"
    if zh is None:
        return f"<code>{_e(raw)}</code>"
    return f'{_e(zh)} <code class="en">{_e(raw)}</code>'


def _n(number: int) -> str:
    return f"{number:,}"


def _when(value: str) -> str:
    """An ISO 8601 time as ``2026-12-01 09:30 (UTC+08:00)`` in a ``<time>`` element."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _e(value)
    text = moment.strftime("%Y-%m-%d %H:%M")
    if moment.second:
        text += moment.strftime(":%S")
    offset = moment.strftime("%z")
    if offset:
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return f'<time datetime="{_e(value)}">{_e(text)}</time>'


def _fingerprint(keyid: str) -> str:
    """A key's fingerprint, and a warning if it is one of the demo's public keys."""
    text = f'{_bi("指纹", "fingerprint")} <span class="hex">{_e(fingerprint(keyid))}</span>'
    if is_demo_key(keyid):
        text += (
            ' <span class="mark bad">'
            + _bi("演示密钥，私钥公开，不可信", "DEMO KEY: its private key is public")
            + "</span>"
        )
    return text


def _hex(data: bytes | str) -> str:
    text = data.hex() if isinstance(data, bytes) else data
    return f'<span class="hex">{_e(text)}</span>'


def _lottery(value: str) -> str:
    """A lottery number: shortened on screen, whole in the text (copy, hover, tap to expand)."""
    return f'<code class="tk" tabindex="0">{value}</code>'


def _table(
    head: Sequence[tuple[str, str, bool]],
    rows: Iterable[Sequence[str]],
    *,
    caption: str | None = None,
    foot: Sequence[str] | None = None,
    label: str | None = None,
    sticky: bool = False,
) -> str:
    """A horizontally scrolling table; ``head`` is (zh, en, numeric), cells are HTML.

    ``sticky`` keeps the first column in view while the rest scrolls sideways.
    """
    numeric = [num for _, _, num in head]
    region = f' role="region" aria-label="{_e(label)}" tabindex="0"' if label else ""
    table_class = ' class="sticky1"' if sticky else ""
    out = [f'<div class="scroll"{region}><table{table_class}>']
    if caption:
        out.append(f"<caption>{caption}</caption>")
    out.append("<thead><tr>")
    for zh, en, num in head:
        cls = ' class="num"' if num else ""
        out.append(f'<th scope="col"{cls}>{_bi(zh, en)}</th>')
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = ' class="num"' if i < len(numeric) and numeric[i] else ""
            cells.append(f"<td{cls}>{cell}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody>")
    if foot is not None:
        cells = []
        for i, cell in enumerate(foot):
            cls = ' class="num"' if i < len(numeric) and numeric[i] else ""
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            cells.append(f"<{tag}{cls}{scope}>{cell}</{tag}>")
        out.append("<tfoot><tr>" + "".join(cells) + "</tr></tfoot>")
    out.append("</table></div>")
    return "".join(out)


# --- the page --------------------------------------------------------------------------


#: The report's front page, in its folder.
INDEX: Final = "index.html"
#: Rows on one page of the list of children placed nowhere.
UNPLACED_PAGE_ROWS: Final = 1000
#: About this many children's entries make one file of the search index.
SHARD_ENTRIES: Final = 400
#: With more kindergartens than this the front page shows the table without the bar charts.
CHART_LIMIT: Final = 60


@dataclass(frozen=True)
class ReportPages:
    """The report as a folder of small pages: ``files`` maps a path in the folder to its text.

    ``index.html`` (the draw, the rules, the seed, every kindergarten's figures,
    the verification), ``kg-N.html`` for the N-th kindergarten of the rules
    (its placement list and waitlist, to print as its notice board),
    ``unplaced-N.html`` (the children placed nowhere, :data:`UNPLACED_PAGE_ROWS`
    a page) and ``search/`` (the search index, a file per shard, read by the
    pages' search box as it needs them). ``pages`` names each list page and its
    label, kindergartens first, in order; ``kindergartens`` maps each
    kindergarten id to its page.
    """

    files: Mapping[str, str]
    pages: tuple[tuple[str, str], ...]
    kindergartens: Mapping[str, str]

    @property
    def index(self) -> str:
        """The front page."""
        return self.files[INDEX]

    def page(self, kindergarten_id: str) -> str:
        """The list page of a kindergarten.

        Raises:
            InputError: for a kindergarten without one.
        """
        name = self.kindergartens.get(kindergarten_id)
        if name is not None:
            return self.files[name]
        raise InputError(
            _("no page for this kindergarten"),
            code="report.no-page",
            field="kindergarten",
            value=kindergarten_id,
        )


def render_report(
    *,
    rules: DrawRules,
    announcement: Envelope,
    transcript: Envelope,
    outcome: Outcome,
    report: VerificationReport,
    policy: TrustPolicy,
    registry: Mapping[str, Registration] | None = None,
    title: str | None = None,
    progress: Progress | None = None,
) -> ReportPages:
    """The draw's public results as a folder of self-contained HTML5 pages (:class:`ReportPages`).

    The front page shows the rules in plain words, the seed ceremony,
    per-kindergarten figures (chart and table, linking to each list page),
    and the verification report with each signing key. Each kindergarten's
    page holds its placement list and waitlist, and the unplaced children
    are paged; every page has the search box, which finds a child by
    registration number or masked ID number in the sharded search index,
    loading only the one or two small files a query needs. So a province's
    draw stays small per page. With ``registry`` the lists add masked names
    and masked ID numbers; without it they show registration numbers only.
    ``title`` replaces the rules' title. The result is the same for the same
    inputs. ``progress`` hears of each page.

    Raises:
        MalformedDocumentError: if the announcement or transcript is malformed.
        SeedMismatchError: if the transcript's seed is not its ceremony's.
        WrongDrawError: if the rules, documents and outcome are not all of one draw.
        InputError: if a registry entry holds a name or number that cannot be masked.
    """
    notice = Announcement.from_envelope(announcement)
    tx = Transcript.from_envelope(transcript)
    ids = {
        "rules": rules.draw_id,
        "announcement": notice.draw_id,
        "transcript": tx.draw_id,
        "outcome": outcome.rules.draw_id,
    }
    if len(set(ids.values())) != 1:
        raise WrongDrawError(
            _("cannot report on documents of different draws: {draws}").format(
                draws=", ".join(
                    _("{document} {draw_id!r}").format(document=document_title(k), draw_id=v)
                    for k, v in ids.items()
                )
            )
        )
    page_title = title or rules.title or notice.title or "电脑派位结果公示"
    authority = rules.authority or notice.authority
    lists = _Lists(rules, outcome, registry, page_title, authority, notice, tx)
    total = len(lists.pages) + 1
    advance(progress, Task.REPORT, 0, total)
    files: dict[str, str] = {}
    files[INDEX] = (
        "\n".join(
            [
                _head(page_title, rules.draw_id),
                "<body>",
                _masthead(page_title, authority, rules, notice, tx, outcome, report),
                _toc(),
                '<main class="wrap">',
                _rules_section(rules),
                _seed_section(rules, notice, tx, outcome),
                _kindergartens_section(rules, outcome),
                lists.section(),
                _verification_section(announcement, transcript, notice, tx, report, policy),
                "</main>",
                _footer(notice, tx),
                f"<script>{_SCRIPT}</script>",
                "</body></html>",
            ]
        )
        + "\n"
    )
    advance(progress, Task.REPORT, 1, total)
    for number, (name, html_text) in enumerate(lists.render(), start=2):
        files[name] = html_text
        advance(progress, Task.REPORT, number, total)
    files.update(lists.search_files())
    return ReportPages(
        files=files,
        pages=tuple(lists.pages),
        kindergartens={
            k.id: name for k, (name, _) in zip(rules.kindergartens, lists.pages, strict=False)
        },
    )


def _head(page_title: str, draw_id: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f'<meta name="generator" content="alloc {_e(__version__)}">\n'
        '<meta name="color-scheme" content="light">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{_e(page_title)} · {_e(draw_id)}</title>\n"
        f"<style>{_CSS}</style>\n</head>"
    )


def _status_banner(report: VerificationReport) -> str:
    total = len(report.checks)
    failed = len(report.failures)
    if report.ok and total:
        return (
            '<p class="banner pass" role="status"><span class="icon" aria-hidden="true">✓</span>'
            f'<span>核验通过 <span lang="en">Verification passed</span></span>'
            f'<span class="sub"><a href="#verification">{total}/{total} 项检查全部通过'
            f" · all {total} checks passed</a></span></p>"
        )
    what = (
        f"{failed}/{total} 项检查未通过 · {failed} of {total} checks failed"
        if total
        else "没有核验记录 · no checks were run"
    )
    return (
        '<p class="banner fail" role="alert"><span class="icon" aria-hidden="true">✗</span>'
        f'<span>核验未通过 <span lang="en">Verification FAILED</span></span>'
        f'<span class="sub"><a href="#verification">{_e(what)}</a></span></p>'
    )


def _masthead(
    page_title: str,
    authority: str,
    rules: DrawRules,
    notice: Announcement,
    tx: Transcript,
    outcome: Outcome,
    report: VerificationReport,
) -> str:
    seats = sum(k.seats for k in rules.kindergartens)
    taken = sum(s.placed for s in outcome.summaries)
    unplaced = len(outcome.unplaced)
    independent = rules.mechanism is Mechanism.INDEPENDENT
    won, won_en = ("中签", "seats won") if independent else ("录取", "placed")
    meta = [
        (_bi("派位编号", "Draw id"), f"<code>{_e(rules.draw_id)}</code>"),
        (_bi("派位时间", "Draw time"), _when(notice.window.draw_at)),
        (_bi("名单冻结", "List frozen"), _when(notice.window.frozen_at)),
        (_bi("揭示截止", "Reveal deadline"), _when(notice.window.reveal_deadline)),
        (_bi("结果生成", "Results created"), _when(tx.created)),
    ]
    if tx.round != 1:
        meta.append((_bi("轮次", "Round"), _e(tx.round)))
    stats = [
        (len(outcome), "报名幼儿", "applicants"),
        (len(rules.kindergartens), "幼儿园", "kindergartens"),
        (seats, "学位", "seats"),
        (taken, won, won_en),
        (unplaced, *(("未中签", "won nowhere") if independent else ("未录取", "unplaced"))),
    ]
    return (
        '<header class="top"><div class="wrap">'
        + (f'<p class="authority">{_e(authority)}</p>' if authority else "")
        + f"<h1>{_e(page_title)}</h1>"
        + '<dl class="meta">'
        + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in meta)
        + "</dl>"
        + _status_banner(report)
        + '<ul class="stats">'
        + "".join(
            f'<li><span class="fig">{_n(value)}</span><span class="lbl">{_bi(zh, en)}</span></li>'
            for value, zh, en in stats
        )
        + "</ul></div></header>"
    )


def _toc() -> str:
    links = [
        ("rules", "规则", "Rules"),
        ("seed", "随机种子", "Seed"),
        ("kindergartens", "幼儿园", "Kindergartens"),
        ("lists", "名单", "Lists"),
        ("verification", "核验", "Verification"),
    ]
    items = "".join(f'<li><a href="#{a}">{_bi(zh, en)}</a></li>' for a, zh, en in links)
    return (
        '<nav class="toc" aria-label="目录 Contents">'
        f'<div class="wrap"><ul>{items}</ul></div></nav>'
    )


def _rules_section(rules: DrawRules) -> str:
    items = [_MECHANISM[rules.mechanism], _TIE_BREAK[rules.tie_break], _MULTIPLES[rules.multiples]]
    lines = [f"<li>{_bi(zh, en)}</li>" for zh, en in items]
    if rules.multiples is MultiplesPolicy.MERGE_AFTER and rules.merge_over_capacity:
        lines.append(
            "<li>"
            + _bi("合并时可超出该园计划学位。", "Merging may take a kindergarten over its plan.")
            + "</li>"
        )
    if rules.tiers:
        order = " → ".join(_term(t) for t in rules.tiers)
        lines.append(
            f"<li>{_bi('优先类别（由高到低）：', 'Priority tiers, best first:')} {order}。"
            + _bi(
                "抽签只在学位不足的那一类别内起作用。",
                "The lottery decides only within the tier that overflows.",
            )
            + "</li>"
        )
    if rules.waitlist_length:
        lines.append(
            "<li>"
            + _bi(
                f"每所幼儿园按抽签顺序设候补 {rules.waitlist_length} 名。",
                f"Each kindergarten keeps a waitlist of {rules.waitlist_length}, in draw order.",
            )
            + "</li>"
        )
    else:
        lines.append("<li>" + _bi("不设候补名单。", "No waitlists.") + "</li>")
    if rules.min_lottery_percent:
        p = rules.min_lottery_percent
        lines.append(
            "<li>"
            + _bi(
                f"每所幼儿园至少 {p}% 的学位公开摇号。",
                f"At least {p}% of every kindergarten's seats go to the open lottery.",
            )
            + "</li>"
        )
    blocks = [(k, b) for k in rules.kindergartens for b in k.blocks]
    if blocks:
        by_name: dict[str, list[str]] = {}
        for kg, block in blocks:
            by_name.setdefault(block.name, []).append(f"{kg.id} ({block.seats})")
        text = "；".join(f"{_term(name)}：{_e(', '.join(at))}" for name, at in by_name.items())
        lines.append(
            "<li>"
            + _bi(
                "专项学位先于公开学位录取，未用完的转入公开摇号：",
                "Seat blocks fill before the open seats; unfilled block seats flow on:",
            )
            + f" {text}</li>"
        )
    if rules.phases:
        steps = []
        for phase in rules.phases:
            limits = []
            if phase.tiers is not None:
                limits.append("tiers " + ", ".join(phase.tiers))
            if phase.fact is not None:
                limits.append(f"fact {phase.fact}")
            if phase.blocks is not None:
                limits.append("blocks " + ", ".join(phase.blocks))
            if phase.choices is not None:
                limits.append(f"first {phase.choices} choices")
            steps.append(_term(phase.name) + (f" ({_e('; '.join(limits))})" if limits else ""))
        lines.append(
            "<li>"
            + _bi("分阶段派位：", "Phases:")
            + " "
            + " → ".join(steps)
            + "。"
            + _bi(
                "前一阶段录取者不参加后续阶段。", "Children placed in a phase take no part later."
            )
            + "</li>"
        )
    return (
        f'<section id="rules"><h2>{_bi("派位规则", "How the draw works")}</h2>'
        f'<ul class="plain">{"".join(lines)}</ul></section>'
    )


def _example_child(outcome: Outcome, seed: bytes, draw_id: str) -> tuple[str, str] | None:
    """The first child in draw order drawn on their own number (not a group's)."""
    for row in outcome.draw_order[:50].tolist():
        reg = outcome.registration_numbers[int(row)]
        own = ticket(seed, draw_id, reg)
        if bytes(outcome.tickets[int(row)]) == own:
            return reg, own.hex()
    return None


def _seed_section(rules: DrawRules, notice: Announcement, tx: Transcript, outcome: Outcome) -> str:
    record = tx.ceremony
    plan = notice.seed_plan
    settled: dict[str, Contribution] = {c.party: c for c in record.contributions}
    party_cards = []
    for party in plan.parties:
        contribution = settled.get(party.name)
        if contribution is None:
            reveal = _bi("（无记录）", "(no record)")
        elif contribution.secret is not None:
            reveal = _hex(contribution.secret)
        else:
            reveal = (
                '<span class="mark bad">✗ '
                + _bi("未揭示", "in default")
                + "</span> → "
                + _bi("备用来源", "fallback source")
                + f" <code>{_e(contribution.fallback)}</code>"
            )
        rows = [
            (_bi("承诺", "Commitment"), _hex(party.commitment)),
            (_bi("揭示", "Reveal"), reveal),
        ]
        if contribution is not None:
            rows.append(
                (_bi("时间", "At"), _when(format_time(contribution.at, like=contribution.at)))
            )
        party_cards.append(_card(_term(party.name), rows))
    values = {v.name: v for v in record.sources}
    source_cards = []
    for source, fallback in [(s, False) for s in plan.sources] + [
        (s, True) for s in plan.fallbacks
    ]:
        value = values.get(source.name)
        if value is not None:
            shown = f'<strong class="hex big">{_e(value.value)}</strong>'
        elif fallback:
            shown = _bi("未使用（无人缺席）", "not used (no party in default)")
        else:
            shown = _bi("（无记录）", "(no record)")
        kind = (
            _bi("备用来源（仅在有人未揭示时使用）", "fallback, used only for a party in default")
            if fallback
            else _bi("外部来源", "external source")
        )
        rows = [
            (_bi("类型", "Role"), kind),
            (_bi("说明", "Description"), _e(source.description) or "—"),
            (_bi("唯一写法", "Form"), _e(source.form.describe(like=notice.window.deadline))),
            (_bi("规范值", "Canonical value"), shown),
        ]
        if value is not None:
            rows.append((_bi("读取时间", "Read at"), _when(format_time(value.at, like=value.at))))
        source_cards.append(_card(f"<code>{_e(source.name)}</code>", rows))
    seed_hex = tx.seed.hex()
    groups = "".join(f"<span>{seed_hex[i : i + 8]}</span>" for i in range(0, 64, 8))
    example = _example_child(outcome, tx.seed, rules.draw_id)
    if example is None:
        reg, expected = "<registration number>", "…"
    else:
        reg, expected = example
    python = (
        "import hashlib, hmac\n"
        f'seed = bytes.fromhex("{seed_hex}")\n'
        f'message = b"alloc/v1/ticket\\0" + {rules.draw_id!r}.encode() + b"\\0"'
        f" + {reg!r}.encode()\n"
        "print(hmac.new(seed, message, hashlib.sha256).hexdigest())"
    )
    shell = (
        f"printf 'alloc/v1/ticket\\0%s\\0%s' {shlex.quote(rules.draw_id)} {shlex.quote(reg)} |"
        f" openssl dgst -sha256 -mac HMAC -macopt hexkey:{seed_hex}"
    )
    extra = []
    if rules.multiples in (MultiplesPolicy.BUNDLE, MultiplesPolicy.BUNDLE_OVER_PLAN):
        extra.append(
            _bi(
                "捆绑的多胞胎共用一个组号码：标签换成 alloc/v1/ticket-group，报名号换成组号。",
                "Bundled twins and triplets share their group's number: the tag is"
                " alloc/v1/ticket-group and the group id replaces the registration number.",
            )
        )
    if rules.tie_break is TieBreak.PER_KINDERGARTEN:
        extra.append(
            _bi(
                "本次每园一个号码：标签为 alloc/v1/ticket-kindergarten，"
                "报名号后再加 0x00 和幼儿园编号。",
                "Here each kindergarten has its own number: the tag is"
                " alloc/v1/ticket-kindergarten, and 0x00 and the kindergarten id follow"
                " the registration number.",
            )
        )
    return (
        f'<section id="seed"><h2>{_bi("随机种子的产生", "The seed ceremony")}</h2>'
        + '<p class="note">'
        + _bi(
            "各方在名单冻结、公告签名之前提交承诺（承诺是秘密值的哈希），"
            "派位现场再揭示秘密；随机种子由公告摘要、各方揭示值和事先公布的外部来源共同决定，"
            "任何一方都无法单独操纵。",
            "Each party published a commitment (a hash of its secret) before the list was"
            " frozen and the announcement signed, and revealed the secret on stage. The seed"
            " is fixed by the announcement digest, every reveal and the external sources"
            " named in advance, so no single party can steer it.",
        )
        + "</p>"
        + f"<h3>{_bi('承诺与揭示', 'Commitments and reveals')}</h3>"
        + f'<ul class="cards">{"".join(party_cards)}</ul>'
        + (
            f"<h3>{_bi('外部来源', 'External sources')}</h3>"
            f'<ul class="cards">{"".join(source_cards)}</ul>'
            if source_cards
            else ""
        )
        + '<dl class="digests">'
        + f"<dt>{_bi('公告摘要', 'Announcement digest')}</dt>"
        + f"<dd>{_hex(tx.announcement_digest)}</dd>"
        + "</dl>"
        + '<p class="seed"><span class="lbl">'
        + _bi("随机种子", "Seed")
        + f' (SHA-256)</span><span class="value">{groups}</span></p>'
        + f"<h3>{_bi('自己验算抽签号', 'Recompute a lottery number yourself')}</h3>"
        + "<p>"
        + _bi(
            "每名幼儿的抽签号 = HMAC-SHA256(种子, “alloc/v1/ticket” 0x00 派位编号 0x00 报名号)，"
            "号码越小越靠前。它只取决于种子和报名号，与名单顺序无关。",
            'Each child\'s lottery number is HMAC-SHA256(seed, "alloc/v1/ticket" 0x00 draw id'
            " 0x00 registration number); lower numbers come first. It depends only on the seed"
            " and the registration number, never on the order of any list.",
        )
        + "</p>"
        + "".join(f'<p class="note">{x}</p>' for x in extra)
        + f"<p>{_bi('例如报名号', 'For example, registration number')} <code>{_e(reg)}</code>"
        + f' → <span class="hex">{_e(expected)}</span></p>'
        + f"<p>Python:</p><pre><code>{_e(python)}</code></pre>"
        + f"<p>{_bi('命令行', 'Shell')} (OpenSSL):</p><pre><code>{_e(shell)}</code></pre>"
        + "</section>"
    )


def _card(heading: str, items: Sequence[tuple[str, str]]) -> str:
    """A small card: a heading and label/value pairs (all HTML)."""
    pairs = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return f'<li><h4>{heading}</h4><dl class="kv">{pairs}</dl></li>'


def _bar_card(index: int, summary: KindergartenSummary, scale: int, placed_word: str) -> str:
    """One kindergarten's bars (seats, listed, first choice) on the shared scale."""
    bar_x, bar_w, row_h, top = 128.0, 186.0, 24, 4
    height = top + 3 * row_h + 4
    rows = [
        ("学位", "seats", summary.seats, _SEATS_COLOUR),
        ("报名", "listed", summary.applicants, _LISTED_COLOUR),
        ("一志愿", "1st", summary.first_choice, _FIRST_COLOUR),
    ]
    name = f"{summary.id} {summary.name}"
    description = (
        f"{name}：学位 {summary.seats}，报名 {summary.applicants}，第一志愿 {summary.first_choice}"
        f" · seats {summary.seats}, applicants listing it {summary.applicants},"
        f" first choice {summary.first_choice}"
    )
    svg = [
        f'<svg viewBox="0 0 320 {height}" role="img" aria-labelledby="bar-{index}-t"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="bar-{index}-t">{_e(description)}</title>',
    ]
    for i, (zh, en, value, colour) in enumerate(rows):
        y = top + i * row_h
        width = 0.0 if value == 0 else max(bar_w * value / scale, 2.0)
        svg.append(
            f'<text x="0" y="{y + 16}" font-size="14">{_e(zh)}'
            f'<tspan font-size="12" fill="#454b54" lang="en"> {_e(en)}</tspan></text>'
            f'<text x="122" y="{y + 16}" font-size="15" font-weight="700"'
            f' text-anchor="end">{value}</text>'
            f'<rect x="{bar_x}" y="{y + 3}" width="{width:.1f}" height="17" rx="2"'
            f' fill="{colour}"><title>{_e(f"{summary.id} {zh} {en}: {value}")}</title></rect>'
        )
    capacity_x = bar_x + bar_w * summary.seats / scale
    svg.append(
        f'<line x1="{capacity_x:.1f}" y1="{top}" x2="{capacity_x:.1f}" y2="{top + 3 * row_h}"'
        ' stroke="#111" stroke-width="2" stroke-dasharray="4 3"/>'
    )
    svg.append("</svg>")
    left = summary.left_over
    status = f"{_bi('余位', 'left')} {left}" if left else _bi("已满", "full")
    if summary.over_capacity:
        status += f" · {_bi('超计划', 'over plan')} {summary.over_capacity}"
    return (
        '<li class="kgcard">'
        f"<h3><span>{_e(summary.id)} {_e(summary.name)}</span>"
        f'<a href="kg-{index}.html">{_bi("名单", "list")} →</a></h3>'
        + "".join(svg)
        + f"<p>{placed_word} {summary.placed} · {status}</p></li>"
    )


def _swatch(colour: str) -> str:
    return (
        '<svg width="18" height="18" aria-hidden="true">'
        f'<rect width="18" height="18" rx="3" fill="{colour}"/></svg>'
    )


def _kindergartens_section(rules: DrawRules, outcome: Outcome) -> str:
    summaries = outcome.summaries
    scale = max([1] + [max(s.seats, s.applicants, s.first_choice) for s in summaries])
    independent = rules.mechanism is Mechanism.INDEPENDENT
    placed_zh, placed_en = ("中签", "won") if independent else ("录取", "placed")
    placed_word = _bi(placed_zh, placed_en)
    legend = (
        '<ul class="legend">'
        f"<li>{_swatch(_SEATS_COLOUR)}{_bi('学位', 'seats')}</li>"
        f"<li>{_swatch(_LISTED_COLOUR)}{_bi('报名（填报该园）', 'applicants listing it')}</li>"
        f"<li>{_swatch(_FIRST_COLOUR)}{_bi('第一志愿', 'first choice')}</li>"
        '<li><svg width="22" height="18" aria-hidden="true"><line x1="11" y1="0" x2="11" y2="18"'
        ' stroke="#111" stroke-width="2" stroke-dasharray="4 3"/></svg>'
        f"{_bi('虚线 = 学位数', 'dashed line = seats')}</li></ul>"
    )
    # A province's hundreds of charts would make the front page large; the table says it all.
    cards = (
        "".join(_bar_card(i, s, scale, placed_word) for i, s in enumerate(summaries, start=1))
        if len(summaries) <= CHART_LIMIT
        else ""
    )
    rows = []
    for number, s in enumerate(summaries, start=1):
        blocks = [f"{_term(n)} {p}/{seats}" for n, seats, p in s.blocks if n != OPEN_BLOCK]
        rows.append(
            [
                f'<a href="kg-{number}.html"><code>{_e(s.id)}</code></a>',
                f'<a href="kg-{number}.html">{_e(s.name)}</a>',
                _n(s.seats),
                _n(s.applicants),
                _n(s.first_choice),
                _n(s.placed),
                _n(s.left_over),
                _n(s.over_capacity),
                "<br>".join(blocks) or "—",
                _n(s.waitlist),
            ]
        )
    foot = [
        _bi("合计", "Total"),
        "",
        _n(sum(s.seats for s in summaries)),
        "—",
        _n(sum(s.first_choice for s in summaries)),
        _n(sum(s.placed for s in summaries)),
        _n(sum(s.left_over for s in summaries)),
        _n(sum(s.over_capacity for s in summaries)),
        "",
        _n(sum(s.waitlist for s in summaries)),
    ]
    table = _table(
        [
            ("编号", "ID", False),
            ("幼儿园", "Kindergarten", False),
            ("学位", "Seats", True),
            ("报名", "Applicants", True),
            ("第一志愿", "First choice", True),
            (placed_zh, placed_en.capitalize(), True),
            ("余位", "Left over", True),
            ("超计划", "Over plan", True),
            ("专项 录取/学位", "Blocks placed/seats", False),
            ("候补", "Waitlist", True),
        ],
        rows,
        foot=foot,
        label="各园汇总 Kindergartens",
        sticky=True,
    )
    return (
        f'<section id="kindergartens"><h2>{_bi("各幼儿园学位与报名", "Kindergartens")}</h2>'
        + (legend + f'<ul class="chart">{cards}</ul>' if cards else "")
        + f"<h3>{_bi('汇总表', 'Summary table')}</h3>"
        + table
        + '<p class="note">'
        + _bi(
            "“报名”为把该园列为任一志愿的人数，一名幼儿可计入多所幼儿园。",
            '"Applicants" counts every child who listed the kindergarten at any choice, so'
            " a child counts at each kindergarten listed.",
        )
        + "</p></section>"
    )


def _bucket_keys(registration_number: str, masked_id: str | None) -> list[str]:
    """The search buckets a child is found in: by registration number, and by masked ID."""
    reg = _search_key(registration_number)
    tail = _TAIL_RE.search(reg)
    keys = ["N" + (tail.group(0).lstrip("0") or "0") if tail else "S" + _ASCII_RE.sub("", reg)]
    if masked_id is not None:
        keys.append("I" + _search_key(masked_id)[-4:])
    return keys


def _search_key(text: str) -> str:
    """A search text as the page's script reads it: NFKC, no white space, upper case."""
    if text.isascii() and text.isprintable() and " " not in text:
        return text.upper()  # NFKC leaves printable ASCII as it is
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def _shard(bucket: str, count: int) -> int:
    """The search index file of a bucket: FNV-1a (32 bits) of its text, as the page computes it."""
    value = 0x811C9DC5
    for char in bucket:
        value = ((value ^ (ord(char) & 0xFF)) * 0x01000193) & 0xFFFFFFFF
    return value % count


_TAIL_RE: Final = re.compile(r"[0-9]+$")
_ASCII_RE: Final = re.compile(r"[^0-9A-Z]")
#: Where a list row is: placed (or won), on a waitlist, or placed nowhere.
_PLACED, _WAITING, _UNPLACED = 0, 1, 2


def _js(data: object) -> str:
    """JSON for a script file (U+2028 and U+2029 escaped, as older engines require)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "<" as \\u003c too: no markup can ever appear in a search file.
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class _Lists:
    """The list pages of a report and the search index over them."""

    def __init__(
        self,
        rules: DrawRules,
        outcome: Outcome,
        registry: Mapping[str, Registration] | None,
        page_title: str,
        authority: str,
        notice: Announcement,
        tx: Transcript,
    ) -> None:
        self.rules, self.outcome, self.registry = rules, outcome, registry
        self.page_title, self.authority, self.notice, self.tx = page_title, authority, notice, tx
        self.per_kg = (
            rules.tie_break is TieBreak.PER_KINDERGARTEN and outcome.choice_tickets is not None
        )
        self.independent = rules.mechanism is Mechanism.INDEPENDENT
        self.kg_index = {k.id: i for i, k in enumerate(rules.kindergartens)}
        # Masks of a registry come column-wise, not entry by entry (a province has millions).
        self.masks: dict[str, tuple[str, str]] = (
            registry.masks() if isinstance(registry, Registry) else {}
        )
        self.results: dict[str, ApplicantOutcome] = {}
        self.hexes = outcome.tickets.tobytes().hex()
        self.shared = Counter(self.hexes[i : i + 64] for i in range(0, len(self.hexes), 64))
        #: Every list row of every child: [page number, kind, number on the list].
        self.where: dict[str, list[list[int]]] = {}
        self.pages: list[tuple[str, str]] = [
            (f"kg-{i}.html", f"{k.id} {k.name}") for i, k in enumerate(rules.kindergartens, 1)
        ]
        unplaced = len(outcome.unplaced)
        for first in range(0, unplaced, UNPLACED_PAGE_ROWS):
            last = min(first + UNPLACED_PAGE_ROWS, unplaced)
            self.pages.append(
                (f"unplaced-{first // UNPLACED_PAGE_ROWS + 1}.html", f"{first + 1}–{last}")
            )
        self.placed_zh, self.placed_en = (
            ("中签名单", "Winners") if self.independent else ("录取名单", "Placed")
        )

    # children

    def result(self, reg: str) -> ApplicantOutcome:
        found = self.results.get(reg)
        if found is None:
            found = self.results[reg] = self.outcome.applicant(reg)
        return found

    def masked(self, reg: str) -> tuple[str | None, str | None]:
        if self.registry is None:
            return None, None
        if reg not in self.masks:
            entry = self.registry.get(reg)
            self.masks[reg] = ("—", "—") if entry is None else mask_identity(entry.identity)
        return self.masks[reg]

    def number_at(self, result: ApplicantOutcome, kg_id: str | None) -> bytes:
        if not self.per_kg or kg_id is None:
            return result.ticket
        row = self.outcome.index(result.registration_number)
        codes = self.outcome.choice_kindergartens[row].tolist()
        code = self.kg_index[kg_id]
        if code in codes and codes.index(code) < len(result.choice_tickets):
            return bytes(result.choice_tickets[codes.index(code)])
        return result.ticket

    def child(self, reg: str, kg_id: str | None) -> _Child:
        result = self.result(reg)
        name, document = self.masked(reg)
        notes: list[str] = []
        seat = phase_text = ""
        if kg_id is not None:
            win = next((w for w in result.wins if w.kindergarten == kg_id), None)
            block = win.block if win else result.block
            phase = win.phase if win else result.phase
            if block:
                seat = _term(block)
            if phase:
                phase_text = _term(phase)
            if result.over_capacity and result.placed == kg_id:
                notes.append(_bi("超计划", "over plan"))
            if result.moved_from and result.placed == kg_id:
                notes.append(_bi(f"由 {result.moved_from} 调整", f"moved from {result.moved_from}"))
            if self.independent:
                others = [w.kindergarten for w in result.wins if w.kindergarten != kg_id]
                if others and win is not None:
                    notes.append(_bi("另中签", "also won") + " " + _e(", ".join(others)))
                elif others:
                    notes.append(_bi("已中签", "won at") + " " + _e(", ".join(others)))
        if self.shared[result.ticket.hex()] > 1:
            notes.append(_bi("多胞胎同号", "shared group number"))
        return _Child(
            registration_number=reg,
            name=name,
            document=document,
            lottery_number=self.number_at(result, kg_id).hex(),
            seat=seat,
            phase=phase_text,
            notes=tuple(notes),
        )

    def identity_cells(self, c: _Child) -> list[str]:
        if self.registry is None:
            return []
        return [_e(c.name), f'<code class="id">{_e(c.document)}</code>']

    @property
    def ident_head(self) -> list[tuple[str, str, bool]]:
        if self.registry is None:
            return []
        return [("姓名", "Name", False), ("证件号", "ID number", False)]

    # pages

    def render(self) -> Iterator[tuple[str, str]]:
        """Each list page: (file name, HTML), kindergartens first."""
        for i, summary in enumerate(self.outcome.summaries):
            yield self.pages[i][0], self.kindergarten_page(i, summary)
        unplaced = self.outcome.unplaced
        for page in range(len(self.pages) - len(self.outcome.summaries)):
            first = page * UNPLACED_PAGE_ROWS
            chunk = unplaced[first : first + UNPLACED_PAGE_ROWS]
            number = len(self.outcome.summaries) + page
            yield self.pages[number][0], self.unplaced_page(number, first, chunk)

    def row_table(
        self,
        head: Sequence[tuple[str, str, bool]],
        rows: Iterable[tuple[str, Sequence[str]]],
        caption: str,
    ) -> str:
        """A list table whose rows carry an anchor id, so a search result can point at one."""
        numeric = [num for _, _, num in head]
        out = [f'<div class="scroll"><table><caption>{caption}</caption><thead><tr>']
        for zh, en, num in head:
            cls = ' class="num"' if num else ""
            out.append(f'<th scope="col"{cls}>{_bi(zh, en)}</th>')
        out.append("</tr></thead><tbody>")
        for anchor, cells in rows:
            out.append(f'<tr id="{anchor}">')
            for i, cell in enumerate(cells):
                out.append(f'<td class="num">{cell}</td>' if numeric[i] else f"<td>{cell}</td>")
            out.append("</tr>")
        out.append("</tbody></table></div>")
        return "".join(out)

    def kindergarten_page(self, index: int, summary: KindergartenSummary) -> str:
        kg_id = summary.id
        placed = [self.child(r, kg_id) for r in self.outcome.placed_at(kg_id)]
        if self.per_kg:
            placed.sort(key=lambda c: c.lottery_number)
        waitlist = [(self.child(r, kg_id), p) for r, p in self.outcome.waitlist(kg_id)]
        for n, c in enumerate(placed, start=1):
            self.where.setdefault(c.registration_number, []).append([index, _PLACED, n])
        for c, p in waitlist:
            self.where.setdefault(c.registration_number, []).append([index, _WAITING, p])
        number_head = (
            ("本园抽签号", "Lottery number here") if self.per_kg else ("抽签号", "Lottery number")
        )
        phase_head: list[tuple[str, str, bool]] = (
            [("阶段", "Phase", False)] if self.rules.phases else []
        )
        body = []
        if placed:
            body.append(
                self.row_table(
                    [
                        ("序号", "No.", True),
                        ("报名号", "Registration", False),
                        *self.ident_head,
                        (*number_head, False),
                        ("学位类别", "Seat", False),
                        *phase_head,
                        ("备注", "Notes", False),
                    ],
                    (
                        (
                            f"p-{n}",
                            [
                                str(n),
                                f'<code class="rn">{_e(c.registration_number)}</code>',
                                *self.identity_cells(c),
                                _lottery(c.lottery_number),
                                c.seat,
                                *([c.phase] if phase_head else []),
                                " ".join(c.notes),
                            ],
                        )
                        for n, c in enumerate(placed, start=1)
                    ),
                    _bi(self.placed_zh, self.placed_en) + f" ({len(placed)})",
                )
            )
        else:
            body.append(f"<p>{_bi('无录取', 'Nobody placed')}</p>")
        if waitlist:
            body.append(
                self.row_table(
                    [
                        ("候补序号", "Position", True),
                        ("报名号", "Registration", False),
                        *self.ident_head,
                        (*number_head, False),
                        ("备注", "Notes", False),
                    ],
                    (
                        (
                            f"w-{p}",
                            [
                                str(p),
                                f'<code class="rn">{_e(c.registration_number)}</code>',
                                *self.identity_cells(c),
                                _lottery(c.lottery_number),
                                " ".join(c.notes),
                            ],
                        )
                        for c, p in waitlist
                    ),
                    _bi("候补名单", "Waitlist") + f" ({len(waitlist)})",
                )
            )
        counts = (
            f"{_bi(self.placed_zh[:2], self.placed_en)} {len(placed)}/{summary.seats}"
            f" · {_bi('候补', 'waitlist')} {len(waitlist)}"
        )
        return self.list_page(
            f"{summary.id} {summary.name}",
            _bi(f"{summary.id} {summary.name}", "placement list and waitlist"),
            counts,
            "".join(body),
        )

    def waitlists(self) -> dict[str, list[tuple[str, int]]]:
        """Each child's waitlist positions, in the rules' order of kindergartens."""
        found = self.__dict__.get("_waitlists")
        if found is None:
            found = {}
            for kg in self.rules.kindergartens:
                for reg, position in self.outcome.waitlist(kg.id):
                    found.setdefault(reg, []).append((kg.id, position))
            self.__dict__["_waitlists"] = found
        return found

    def unplaced_child(self, reg: str) -> _Child:
        """A child placed nowhere: no seat, no kindergarten's own number, only its own."""
        name, document = self.masked(reg)
        row = self.outcome.index(reg)
        ticket = self.hexes[64 * row : 64 * row + 64]
        notes = (_bi("多胞胎同号", "shared group number"),) if self.shared[ticket] > 1 else ()
        return _Child(reg, name, document, ticket, "", "", notes)

    def unplaced_page(self, index: int, first: int, chunk: Sequence[str]) -> str:
        rows = []
        waitlists = self.waitlists()
        for n, reg in enumerate(chunk, start=first + 1):
            c = self.unplaced_child(reg)
            self.where.setdefault(reg, []).append([index, _UNPLACED, n])
            positions = ", ".join(f"{k} #{p}" for k, p in waitlists.get(reg, ())) or "—"
            rows.append(
                (
                    f"u-{n}",
                    [
                        str(n),
                        f'<code class="rn">{_e(reg)}</code>',
                        *self.identity_cells(c),
                        _lottery(c.lottery_number),
                        _e(positions),
                        " ".join(c.notes),
                    ],
                )
            )
        table = self.row_table(
            [
                ("序号", "No.", True),
                ("报名号", "Registration", False),
                *self.ident_head,
                ("抽签号", "Lottery number", False),
                ("候补", "Waitlist", False),
                ("备注", "Notes", False),
            ],
            rows,
            _bi("未录取", "Unplaced") + f" ({first + 1}–{first + len(chunk)})",
        )
        total = len(self.outcome.unplaced)
        label = f"{first + 1}–{first + len(chunk)} / {total}"
        return self.list_page(
            f"未录取 Unplaced {label}",
            _bi("未录取", "Unplaced") + f" {_e(label)}",
            _bi(f"共 {total} 名", f"{total} in all"),
            table + self.pager(index),
        )

    def pager(self, index: int) -> str:
        """Links to the other pages of the unplaced list."""
        first = len(self.outcome.summaries)
        links = [
            f'<li><a href="{name}">{_e(label)}</a></li>'
            if number != index
            else f"<li><strong>{_e(label)}</strong></li>"
            for number, (name, label) in enumerate(self.pages[first:], start=first)
        ]
        if len(links) < 2:
            return ""
        return (
            f'<nav aria-label="未录取名单分页 Pages"><ul class="pages">{"".join(links)}</ul></nav>'
        )

    def list_page(self, title: str, heading: str, counts: str, body: str) -> str:
        """One list page: a small header, the search box, the lists, notes; prints as a notice."""
        meta = [
            (_bi("派位编号", "Draw id"), f"<code>{_e(self.rules.draw_id)}</code>"),
            (_bi("派位时间", "Draw time"), _when(self.notice.window.draw_at)),
            (_bi("结果生成", "Results created"), _when(self.tx.created)),
        ]
        return (
            "\n".join(
                [
                    _head(f"{title} · {self.page_title}", self.rules.draw_id),
                    "<body>",
                    '<header class="top"><div class="wrap">',
                    f'<p class="crumbs"><a href="{INDEX}">← '
                    + _bi("返回总览", "Back to the overview")
                    + "</a></p>",
                    (f'<p class="authority">{_e(self.authority)}</p>' if self.authority else ""),
                    f"<p>{_e(self.page_title)}</p>",
                    f"<h1>{heading}</h1>",
                    '<dl class="meta">'
                    + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in meta)
                    + f"<div><dt>{_bi('人数', 'Children')}</dt><dd>{counts}</dd></div></dl>",
                    "</div></header>",
                    '<main class="wrap">',
                    self.search_box(),
                    f'<section id="lists">{body}</section>',
                    f'<p class="note">{self.notes()}</p>',
                    "</main>",
                    _footer(self.notice, self.tx),
                    f"<script>{_SCRIPT}</script>",
                    "</body></html>",
                ]
            )
            + "\n"
        )

    def notes(self) -> str:
        privacy = (
            _bi(
                "为保护儿童隐私，姓名最多显示姓氏，证件号只显示最后 4 位"
                "（如 张**、**************1234）。",
                "To protect children's privacy, names show at most the surname and ID numbers"
                " only their last 4 characters (e.g. 张**, **************1234).",
            )
            if self.registry is not None
            else _bi(
                "名单只列报名号，不含姓名和证件号。",
                "Lists show registration numbers only, no names or ID numbers.",
            )
        )
        return (
            _bi(
                "名单按抽签顺序排列（号码小者在前）。",
                "Lists are in draw order (lowest number first).",
            )
            + " "
            + privacy
            + " "
            + _bi("点按抽签号可显示全部 64 位。", "Tap a lottery number to show all 64 digits.")
        )

    def shard_count(self) -> int:
        entries = len(self.outcome) * (2 if self.registry is not None else 1)
        return max(1, -(-entries // SHARD_ENTRIES))

    def search_box(self) -> str:
        rule = _search_rule(
            self.outcome.registration_numbers[:1], with_ids=self.registry is not None
        )
        won = ' data-won="1"' if self.independent else ""
        return (
            f'<div class="filter" id="filter" hidden data-shards="{self.shard_count()}"'
            f' data-search="search/"{won}>'
            + f'<label for="q">{_bi("查找幼儿", "Find a child")}</label>'
            + '<input id="q" type="search" autocomplete="off" spellcheck="false"'
            + ' aria-describedby="q-rule">'
            + f'<p class="note" id="q-rule">{rule}</p>'
            + '<p id="q-status" role="status" aria-live="polite"></p>'
            + '<div id="q-results"></div></div>'
        )

    def section(self) -> str:
        """The front page's section on the lists: the search box and where the lists are."""
        first = len(self.outcome.summaries)
        unplaced = self.pages[first:]
        links = "".join(
            f'<li><a href="{name}">{_bi("未录取", "Unplaced")} {_e(label)}</a></li>'
            for name, label in unplaced
        )
        return (
            f'<section id="lists"><h2>{_bi("录取与候补名单", "Placements and waitlists")}</h2>'
            + '<p class="note">'
            + _bi(
                "每所幼儿园的录取名单和候补名单在各自的页面上（点按上表中的幼儿园），"
                "可单独打印张贴。",
                "Each kindergarten's placement list and waitlist is on its own page (tap a"
                " kindergarten in the table above), to print as its notice board.",
            )
            + " "
            + self.notes()
            + "</p>"
            + self.search_box()
            + (
                f"<h3>{_bi('未录取', 'Unplaced')} ({_n(len(self.outcome.unplaced))})</h3>"
                f'<ul class="pages">{links}</ul>'
                if unplaced
                else f"<p>{_bi('所有幼儿均已录取。', 'Every child was placed.')}</p>"
            )
            + "</section>"
        )

    def search_files(self) -> dict[str, str]:
        """The search index: the list of pages, and the shards of children's entries.

        Call after :meth:`render`, which records where each child's rows are.
        """
        count = self.shard_count()
        shards: dict[int, dict[str, list[object]]] = {}
        for reg in self.outcome.registration_numbers:
            rows = self.where.get(reg)
            if not rows:
                continue
            name, document = self.masked(reg)
            entry = [reg, name, document, rows]
            for bucket in _bucket_keys(reg, document):
                shards.setdefault(_shard(bucket, count), {}).setdefault(bucket, []).append(entry)
        files = {"search/pages.js": f"allocPages({_js([list(p) for p in self.pages])});\n"}
        for number in range(count):
            data = shards.get(number, {})
            files[f"search/s{number}.js"] = f'allocShard("s{number}",{_js(data)});\n'
        return files


def _search_rule(example: Sequence[str], *, with_ids: bool) -> str:
    """The search box's rule, in words: what it matches, with this draw's own example.

    The page's script matches exactly these and nothing else (no substrings),
    ignoring spaces, letter case and full-width forms.
    """
    reg = example[0] if example else "2026-0001092"
    digits = re.search(r"[0-9]+$", reg)
    tail = digits.group(0).lstrip("0") or "0" if digits else None
    if tail is not None and tail != reg:
        zh = f"输入完整报名号（如 {reg}）或报名号末尾的数字（如 {tail}）"
        en = f"Type a whole registration number ({reg}) or the number it ends with ({tail})"
    else:
        zh, en = f"输入完整报名号（如 {reg}）", f"Type a whole registration number ({reg})"
    if with_ids:
        zh += "，或证件号最后 4 位（如 1234，即公示的 **************1234）"
        en += ", or the last 4 characters of an ID number (1234, printed **************1234)"
    zh += "。只显示完全相符的行。"
    en += ". Only exact matches are shown."
    return _bi(zh, en)


def _verification_section(
    announcement: Envelope,
    transcript: Envelope,
    notice: Announcement,
    tx: Transcript,
    report: VerificationReport,
    policy: TrustPolicy,
) -> str:
    checks = "".join(_check_item(c) for c in report.checks)
    a_status = {(k.role, k.keyid): k.status for k in key_statuses(policy, announcement)}
    t_status = {(k.role, k.keyid): k.status for k in key_statuses(policy, transcript)}
    a_roles = {r.role: r for r in policy.evaluate(announcement)}
    t_roles = {r.role: r for r in policy.evaluate(transcript)}

    def mark(status: str) -> str:
        cls, zh, en = _KEY_STATUS[status]
        return f'<span class="mark {cls}">{_e(zh)} <span lang="en">{_e(en)}</span></span>'

    def role_mark(ok: bool, valid: int, threshold: int) -> str:
        cls, icon = ("ok", "✓") if ok else ("bad", "✗")
        return f'<span class="mark {cls}">{icon} {valid}/{threshold}</span>'

    cards = []
    for role in policy.roles:
        a, t = a_roles[role.name], t_roles[role.name]
        heading = f"{_term(role.name)} · " + _bi(
            f"需 {role.threshold}/{len(role.keys)} 个密钥签名",
            f"{role.threshold} of {len(role.keys)} keys must sign",
        )

        def both(first: str, second: str) -> str:
            return (
                f'<span class="st">{_bi("公告", "announcement")} {first}</span>'
                f'<span class="st">{_bi("结果", "transcript")} {second}</span>'
            )

        items = [
            (
                _bi("本角色", "This role"),
                both(role_mark(a.ok, a.valid, a.threshold), role_mark(t.ok, t.valid, t.threshold)),
            )
        ]
        for number, key in enumerate(role.keys, start=1):
            items.append(
                (
                    _bi(f"密钥 {number}", f"key {number}"),
                    _fingerprint(key.keyid)
                    + "<br>"
                    + _hex(key.keyid)
                    + "<br>"
                    + both(
                        mark(a_status[(role.name, key.keyid)]),
                        mark(t_status[(role.name, key.keyid)]),
                    ),
                )
            )
        cards.append(_card(heading, items))
    keys_table = (
        '<p class="note">'
        + _bi(
            "密钥 ID 是公钥的 SHA-256；指纹是其前 128 位，分 8 组、每组 5 位数字。请与教育局"
            "正式公告上的指纹逐组核对。",
            "A key id is the SHA-256 of the raw public key; the fingerprint is its first 128"
            " bits as 8 groups of 5 digits. Compare it group by group with the fingerprints on"
            " the bureau's official notice.",
        )
        + f'</p><ul class="cards">{"".join(cards)}</ul>'
    )
    trusted = {k.keyid for role in policy.roles for k in role.keys}
    strangers = sorted(
        {s.keyid for s in (*announcement.signatures, *transcript.signatures)} - trusted
    )
    stranger_note = (
        '<p class="note">'
        + _bi(
            "另有不在信任策略中的签名（不计入）：",
            "Other signatures, not in the trust policy (not counted):",
        )
        + " "
        + ", ".join(f"{_fingerprint(k)} {_hex(k)}" for k in strangers)
        + "</p>"
        if strangers
        else ""
    )
    digests = [
        (_bi("规则摘要", "Rules digest"), _hex(notice.rules_digest)),
        (
            _bi("报名记录根", "Input root"),
            f"{_hex(tx.records_root)}"
            f" （{_bi(f'{_n(tx.records_count)} 条记录', f'{_n(tx.records_count)} records')}）",
        ),
        (_bi("公告摘要", "Announcement digest"), _hex(tx.announcement_digest)),
        (_bi("随机种子", "Seed"), _hex(tx.seed)),
        (
            _bi("结果根", "Results root"),
            f"{_hex(tx.results_root)}"
            f" （{_bi(f'{_n(tx.results_count)} 条结果', f'{_n(tx.results_count)} results')}）",
        ),
        (_bi("结果文件摘要", "Transcript digest"), _hex(document_digest(transcript))),
    ]
    if tx.previous is not None:
        digests.append((_bi("上一轮", "Previous round"), _hex(tx.previous)))
    digests.append((_bi("软件", "Software"), f"<code>{_e(tx.software)}</code>"))
    return (
        f'<section id="verification"><h2>{_bi("核验结果", "Verification")}</h2>'
        + _status_banner(report)
        + '<p class="note">'
        + _bi(
            "以下检查只用公开文件完成：签名、摘要、随机种子，并用同一规则重新运行整个派位，逐一比对结果。",
            "These checks use the public files only: signatures, digests, the seed, and a"
            " re-run of the whole draw under the same rules, compared outcome by outcome.",
        )
        + "</p>"
        + f'<ol class="checks">{checks}</ol>'
        + f"<h3>{_bi('签名密钥', 'Signing keys')}</h3>"
        + keys_table
        + stranger_note
        + f"<h3>{_bi('摘要与根', 'Digests and roots')}</h3>"
        + '<dl class="digests">'
        + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in digests)
        + "</dl></section>"
    )


def _check_item(check: Check) -> str:
    cls, icon, word = ("pass", "✓", "通过 PASS") if check.passed else ("fail", "✗", "未通过 FAIL")
    name = check_name(check.name)
    return (
        f'<li class="{cls}"><span class="mark">{icon} {word}</span>'
        f'<span class="name">{name}</span>'
        f'<span class="detail">{_e(check.detail)}</span></li>'
    )


def _footer(notice: Announcement, tx: Transcript) -> str:
    return (
        '<footer><div class="wrap"><p>'
        + _bi(
            "本页由 alloc 根据公开文件生成，不含任何完整姓名或证件号码。",
            "Generated by alloc from the public files; it contains no full name or ID number.",
        )
        + f" <code>{_e(tx.software)}</code> · {_bi('规范版本', 'spec')} {SPEC_VERSION} · "
        + f"<code>{_e(notice.draw_id)}</code></p></div></footer>"
    )

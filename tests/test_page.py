"""The parents' verifier page, end to end, in headless Chromium at a phone's size.

``alloc demo --out`` writes a draw folder as ``alloc publish`` does: the page
(publish/verify/), a proof file per child (publish/proofs/) and private
receipts whose QR codes open the page with the receipt code in the URL
fragment. The folder is served on the loopback interface (plain http, so the
page has no crypto.subtle) and opened from file://; ``tests/js/page-driver.mjs``
drives Chromium over the DevTools protocol at 390×844 and reports what the
page shows. A real child's check passes; each kind of forgery fails with its
named check; the full re-run of the 5,000-child demo matches the signed
results root (its time is printed for benchmarks/README.md, never asserted);
no name, ID number or receipt code reaches a public file.

Chromium and node are optional for a developer (the tests skip with an install
hint) and mandatory in CI (ALLOC_REQUIRE_BROWSER=1, ALLOC_REQUIRE_NODE=1).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from alloc.canonical import Tag, canonical_json, tagged_message
from alloc.cli import main
from alloc.identity import format_salt
from alloc.page import proof_file_name, proof_files
from alloc.receipts import receipt_url, render_receipts
from alloc.registry import Registration, Registry, registry_from_json
from alloc.signing import Envelope, SigningKey, TrustPolicy

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "js" / "page-driver.mjs"
CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = (
    "headless Chromium not found: install it with `apt-get update && apt-get install -y chromium`"
)
NO_NODE = "node is not installed: install Node.js 20.19 or later (apt-get install -y nodejs npm)"
PHONE_WIDTH = 390

pytestmark = pytest.mark.browser


def _require(tool: Path | None, message: str, variable: str) -> str:
    if tool is not None and tool.exists():
        return str(tool)
    if os.environ.get(variable) == "1":
        pytest.fail(f"{message} ({variable}=1 makes this a failure)")
    pytest.skip(message)


def _node() -> str:
    found = shutil.which("node")
    return _require(Path(found) if found else None, NO_NODE, "ALLOC_REQUIRE_NODE")


@dataclass(frozen=True)
class Site:
    """The demo folders under one served root, and the children used."""

    root: Path
    url: str
    demo: Path
    registry: Registry
    child: Registration


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def _demo(target: Path, *extra: str) -> Path:
    assert main(["--quiet", "demo", "--out", str(target), *extra]) == 0
    return target


def _copy(source: Path, target: Path) -> Path:
    """A copy that shares the unchanged files (hard links); changed files are written anew."""
    shutil.copytree(source, target, copy_function=os.link)
    return target


def _child(registry: Registry, demo: Path) -> Registration:
    """A placed child with two choices or more (so a forgery can move it)."""
    for reg in sorted(registry):
        name = proof_file_name("2026-example-district", reg)
        proof = json.loads((demo / "publish" / "proofs" / name).read_text(encoding="utf-8"))
        placed = json.loads(proof["result"]["line"])["placed"] is not None
        if placed and len(json.loads(proof["record"]["line"])["choices"]) > 1:
            return registry[reg]
    raise AssertionError("no placed child in the demo")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    demo = _demo(root / "good")
    registry = registry_from_json(
        json.loads((demo / "private" / "registry.json").read_text(encoding="utf-8"))
    )
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(
            root=root,
            url=f"http://127.0.0.1:{server.server_address[1]}",
            demo=demo,
            registry=registry,
            child=_child(registry, demo),
        )
    finally:
        server.shutdown()
        server.server_close()


def _drive(scenarios: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    chromium = _require(CHROMIUM, NO_CHROMIUM, "ALLOC_REQUIRE_BROWSER")
    run = subprocess.run(
        [_node(), str(DRIVER)],
        input=json.dumps({"chromium": chromium, "scenarios": scenarios}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen: dict[str, dict[str, Any]] = json.loads(run.stdout)
    assert "error" not in seen, seen.get("error")
    return seen


def _page(site: Site, folder: str) -> str:
    return f"{site.url}/{folder}/publish/verify/"


def _typed(child: Registration, **changes: str) -> dict[str, str]:
    identity = child.identity
    typed = {
        "doctype": identity.document_type.value,
        "docnum": identity.document_number,
        "name": identity.name,
    }
    typed.update(changes)
    return typed


def _opened(site: Site, folder: str, child: Registration) -> str:
    """The address a receipt's QR code opens, on this test's server."""
    return receipt_url(_page(site, folder), child.registration_number, child.salt)


def _statuses(seen: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for c in seen["checks"]}


def _failed(seen: dict[str, Any]) -> list[str]:
    return [c["id"] for c in seen["checks"] if c["status"] == "fail"]


def _fits_a_phone(seen: dict[str, Any]) -> None:
    assert seen["viewport"] == PHONE_WIDTH
    assert seen["wide"] == []
    assert seen["scrollWidth"] <= PHONE_WIDTH
    assert seen["bodyScrollWidth"] <= PHONE_WIDTH
    assert seen["small"] == [], "tap targets lower than 44 CSS pixels"
    assert seen["console"] == []


# --- forgeries ------------------------------------------------------------------------------


def _forge(site: Site) -> dict[str, str]:
    """Folders that each hold one forgery; returns scenario name to folder."""
    child = site.child
    reg = child.registration_number
    name = proof_file_name("2026-example-district", reg)

    def tamper(folder: Path, part: str, change: Any) -> None:
        proof = folder / "publish" / "proofs" / name
        data = json.loads(proof.read_text(encoding="utf-8"))
        line = json.loads(data[part]["line"])
        change(line)
        data[part]["line"] = canonical_json(line).decode("utf-8")
        proof.unlink()  # a hard link: never write through it
        proof.write_bytes(canonical_json(data) + b"\n")

    def first_choice_last(line: dict[str, Any]) -> None:
        # The identity still matches; the frozen list does not.
        line["choices"] = [*line["choices"][1:], line["choices"][0]]

    def placed_elsewhere(line: dict[str, Any]) -> None:
        line["placed"] = "K001" if line["placed"] != "K001" else "K002"
        line["wins"] = [{**w, "kindergarten": line["placed"]} for w in line["wins"]]

    tamper(_copy(site.demo, site.root / "tampered-record"), "record", first_choice_last)
    tamper(_copy(site.demo, site.root / "tampered-result"), "result", placed_elsewhere)

    # A transcript signed by a key the trust file does not have (the notary's signature gone).
    stranger = SigningKey.from_seed(bytes(range(1, 33)))
    unknown = _copy(site.demo, site.root / "unknown-key")
    path = unknown / "public" / "transcript.json"
    envelope = Envelope.from_bytes(path.read_bytes())
    bureau = TrustPolicy.from_bytes((unknown / "public" / "trust.json").read_bytes()).role("bureau")
    kept = tuple(s for s in envelope.signatures if s.keyid in {k.keyid for k in bureau.keys})
    path.unlink()
    path.write_bytes(Envelope(envelope.signed, kept).sign(stranger).to_bytes())

    # Everything re-signed with the forger's own keys and a trust file to match.
    forger = {
        "bureau": SigningKey.from_seed(bytes(range(2, 34))),
        "notary": SigningKey.from_seed(bytes(range(3, 35))),
    }
    resigned = _copy(site.demo, site.root / "forged-trust")
    public = resigned / "public"
    policy = TrustPolicy.of(bureau=[forger["bureau"].public], notary=[forger["notary"].public])
    (public / "trust.json").unlink()
    (public / "trust.json").write_bytes(policy.to_bytes())
    for document in ("announcement.json", "transcript.json"):
        signed = Envelope.from_bytes((public / document).read_bytes()).signed
        (public / document).unlink()
        fresh = Envelope(signed).sign(forger["bureau"]).sign(forger["notary"])
        (public / document).write_bytes(fresh.to_bytes())

    # The public files of another draw, with this child's proof file.
    other_draw = _demo(site.root / "other-draw", "--applicants", "400")
    target = other_draw / "publish" / "proofs" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    shutil.copyfile(site.demo / "publish" / "proofs" / name, target)
    # A proof that also spans a later round (spec 9.5, 11.7), well formed: the page
    # reads no round document, so it must refuse the proof, not show round 1's result.
    spans = _copy(site.demo, site.root / "spans-rounds")
    proof = spans / "publish" / "proofs" / name
    data = json.loads(proof.read_text(encoding="utf-8"))
    standing = {
        "confirmed": True,
        "declined": False,
        "moved_from": None,
        "over_capacity": False,
        "registration_number": reg,
        "seats": [{"block": "open", "kindergarten": json.loads(data["result"]["line"])["placed"]}],
        "waitlist": [],
    }
    line = canonical_json(standing).decode("utf-8")
    part = {"line": line, "index": 0, "count": 1, "path": []}
    data["rounds"] = [
        {"round": 2, "standing": part, "response": None, "record": None, "result": None}
    ]
    proof.unlink()
    proof.write_bytes(canonical_json(data) + b"\n")
    return {
        "tampered record": "tampered-record",
        "tampered result": "tampered-result",
        "unknown key": "unknown-key",
        "forged trust": "forged-trust",
        "wrong draw": "other-draw",
        "spans rounds": "spans-rounds",
    }


@pytest.fixture(scope="module")
def seen(site: Site) -> dict[str, dict[str, Any]]:
    """Every scenario, in one Chromium session."""
    child = site.child
    typed = _typed(child)
    policy = TrustPolicy.from_bytes((site.demo / "trust.json").read_bytes())
    pins = {
        "pin-bureau": policy.role("bureau").keys[0].fingerprint,
        "pin-notary": policy.role("notary").keys[0].fingerprint,
    }
    scenarios: list[dict[str, Any]] = [
        {"name": "child", "url": _opened(site, "good", child), "fill": typed, "action": "check"},
        {
            "name": "child with pins",
            "url": _opened(site, "good", child),
            "fill": {**typed, **pins},
            "action": "check",
        },
        {
            "name": "wrong name",
            "url": _opened(site, "good", child),
            "fill": _typed(child, name="王小明"),
            "action": "check",
        },
        {
            "name": "unknown registration number",
            "url": receipt_url(_page(site, "good"), "2026-9999999", child.salt),
            "fill": typed,
            "action": "check",
        },
        {"name": "re-run", "url": _page(site, "good"), "action": "rerun"},
    ]
    for label, folder in _forge(site).items():
        fill = {**typed, **pins} if label == "forged trust" else typed
        scenarios.append(
            {"name": label, "url": _opened(site, folder, child), "fill": fill, "action": "check"}
        )
    # The bureau published a later round after the draw: the page only looks whether
    # one is there, so any file at the round's address stands for it.
    later = _copy(site.demo, site.root / "later-rounds")
    (later / "public" / "rounds" / "2").mkdir(parents=True)
    shutil.copyfile(
        later / "public" / "announcement.json",
        later / "public" / "rounds" / "2" / "announcement.json",
    )
    scenarios.append(
        {
            "name": "later rounds",
            "url": _opened(site, "later-rounds", child),
            "fill": typed,
            "action": "check",
        }
    )
    page = site.demo / "publish" / "verify" / "index.html"
    public = site.demo / "public"
    chosen = [public / f for f in ("announcement.json", "transcript.json", "trust.json")]
    scenarios += [
        {
            "name": "file proof",
            "url": page.as_uri() + "#" + _opened(site, "good", child).split("#")[1],
            "fill": typed,
            "files": [
                str(p) for p in (*chosen, public / "records.jsonl", public / "results.jsonl")
            ],
            "action": "check",
        },
        {
            "name": "file re-run",
            "url": page.as_uri(),
            "files": [str(p) for p in (*chosen, public / "rules.json", public / "records.jsonl")],
            "action": "rerun",
        },
        {
            "name": "file opened",
            "url": page.as_uri() + "#" + _opened(site, "good", child).split("#")[1],
            "fill": typed,
            "action": "check",
        },
    ]
    return _drive(scenarios)


def test_a_real_child_passes_every_check_on_a_phone(site: Site, seen: dict[str, Any]) -> None:
    page = seen["child"]
    # The QR code's fragment filled the receipt code, then left the address bar.
    assert page["before"]["reg"] == site.child.registration_number
    assert page["before"]["salt"] == format_salt(site.child.salt).replace("-", "")
    assert page["hashAfter"] == ""
    assert _statuses(page) == {
        "files": "pass",
        "proof": "pass",
        "documents": "pass",
        "signatures": "pass",
        "fingerprints": "unchecked",
        "identity": "pass",
        "record": "pass",
        "ticket": "pass",
        "result": "pass",
        "rounds": "pass",
    }
    assert page["outcome"] == "checked"
    assert not page["laterRounds"]
    assert page["result"].startswith("已录取：")
    assert "Placed at" in page["result"]
    policy = TrustPolicy.from_bytes((site.demo / "public" / "trust.json").read_bytes())
    shown = {(f["role"], f["fingerprint"]) for f in page["fingerprints"]}
    assert shown == {(r.name, k.fingerprint) for r in policy.roles for k in r.keys}
    assert min(f["fontSize"] for f in page["fingerprints"]) >= 22  # large print
    _fits_a_phone(page)


def test_fingerprints_typed_from_the_notice_are_compared(seen: dict[str, Any]) -> None:
    page = seen["child with pins"]
    assert _statuses(page)["fingerprints"] == "pass"
    assert page["compared"].count("same") == 2
    assert page["outcome"] == "checked"


def test_a_wrong_name_fails_the_identity_check(seen: dict[str, Any]) -> None:
    page = seen["wrong name"]
    assert _failed(page) == ["identity"]
    assert page["outcome"] == "failed"
    assert "回执码、证件号码、姓名与报名记录一致" in page["result"]


def test_an_unknown_registration_number_finds_no_proof(seen: dict[str, Any]) -> None:
    assert _failed(seen["unknown registration number"]) == ["proof"]


@pytest.mark.parametrize(
    ("scenario", "check"),
    [
        ("tampered record", "record"),
        ("tampered result", "result"),
        ("unknown key", "signatures"),
        ("forged trust", "fingerprints"),
        ("wrong draw", "record"),
    ],
)
def test_each_forgery_fails_its_named_check(
    seen: dict[str, Any], scenario: str, check: str
) -> None:
    page = seen[scenario]
    assert page["outcome"] == "failed"
    failed = _failed(page)
    assert failed[0] == check, failed
    assert page["result"].startswith("核验未通过")
    _fits_a_phone(page)


def test_forgeries_fail_only_what_they_forge(seen: dict[str, Any]) -> None:
    assert _failed(seen["tampered record"]) == ["record"]
    assert _failed(seen["tampered result"]) == ["result"]
    assert _failed(seen["unknown key"]) == ["signatures"]
    # The forger's keys sign validly; only the fingerprints from the notice tell.
    forged = seen["forged trust"]
    assert _failed(forged) == ["fingerprints"]
    assert forged["compared"] == ["different", "different"]
    # Another draw: another input root, seed and results root.
    assert _failed(seen["wrong draw"]) == ["record", "ticket", "result"]


def test_a_proof_spanning_later_rounds_is_refused_not_checked_in_part(
    seen: dict[str, Any],
) -> None:
    page = seen["spans rounds"]
    assert _failed(page) == ["rounds"]
    assert page["outcome"] == "failed"
    assert "本证明只涉及派位（第 1 轮）" in page["result"]
    assert "alloc proof check" in next(c for c in page["checks"] if c["id"] == "rounds")["text"]
    _fits_a_phone(page)


def test_a_later_round_on_the_site_is_said_to_supersede_the_draw_result(
    seen: dict[str, Any],
) -> None:
    page = seen["later rounds"]
    assert page["outcome"] == "checked"
    assert page["laterRounds"]
    assert seen["child"]["laterRounds"] is False
    _fits_a_phone(page)


def test_the_whole_demo_is_re_run_on_the_phone_and_matches(seen: dict[str, Any]) -> None:
    page = seen["re-run"]
    assert page["rerunStatus"] == "pass", page["stages"]
    assert [s["id"] for s in page["stages"]] == ["rules", "records", "seed", "draw", "compare"]
    assert all(s["status"] == "pass" for s in page["stages"])
    assert "5000" in page["rerunText"]
    _fits_a_phone(page)
    # A figure for benchmarks/README.md, never a condition.
    print(f"\nre-run of the 5,000-child demo in the 390x844 page: {page['rerunMs']} ms")


def test_opened_from_a_file_the_page_offers_the_downloaded_files(seen: dict[str, Any]) -> None:
    opened = seen["file opened"]
    assert opened["filesShown"]
    assert _failed(opened) == ["files"]
    proof = seen["file proof"]
    assert proof["outcome"] == "checked", proof["checks"]
    assert proof["hashAfter"] in ("", "#")
    rerun = seen["file re-run"]
    assert rerun["rerunStatus"] == "pass", rerun["stages"]
    _fits_a_phone(proof)


# --- what is published --------------------------------------------------------------------


def _private_texts(registry: Registry) -> set[str]:
    """Every name, ID number and receipt code (in each written form) of the registry."""
    texts: set[str] = set()
    for entry in registry.values():
        identity = entry.identity
        code = format_salt(entry.salt)
        texts |= {identity.name, identity.document_number, code, code.replace("-", "")}
        texts.add(entry.salt.hex())
    return texts


_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff\u00b7]+")
_DIGITS = re.compile(r"[0-9X]{18,}")
_CODES = re.compile(r"[A-Z2-7-]{26,}|[0-9a-f]{32,}")


def _candidates(text: str, lengths: set[int]) -> set[str]:
    """Every piece of ``text`` that could be a private value: each run of Chinese
    text cut at every length a name has, each window of 18 in a run of digits,
    and each run or window a receipt code could be."""
    found: set[str] = set()
    for run in _HAN.findall(text):
        for size in lengths:
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    for run in _DIGITS.findall(text):
        found.update(run[i : i + 18] for i in range(len(run) - 17))
    for run in _CODES.findall(text):
        for size in (26, 32):
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found


def test_no_name_id_number_or_receipt_code_reaches_a_public_file(site: Site) -> None:
    secrets = _private_texts(site.registry)
    # Names of one or two characters occur in ordinary text (kindergarten names,
    # the page's words); the masks keep them apart (spec 10.6).
    names = {e.identity.name for e in site.registry.values() if len(e.identity.name) > 2}
    lengths = {len(n) for n in names}
    secrets = {s for s in secrets if len(s) > 2}
    public = [
        p
        for folder in ("public", "publish")
        for p in (site.demo / folder).rglob("*")
        if p.is_file() and p.suffix in {".json", ".jsonl", ".html", ".js", ".csv"}
    ]
    assert len(public) > 5000
    leaks = {}
    for path in public:
        found = secrets & _candidates(path.read_text(encoding="utf-8"), lengths)
        if found:
            leaks[str(path)] = len(found)
    assert leaks == {}, "public files hold private text"
    receipts = site.demo / "private" / "receipts.html"
    assert receipts.stat().st_mode & 0o077 == 0
    # The scan finds what it looks for: the private applicants file holds all three kinds.
    child = site.child
    applicants = site.demo / "private" / "applicants.csv"
    private = secrets & _candidates(applicants.read_text(encoding="utf-8-sig"), lengths)
    assert {child.identity.document_number, format_salt(child.salt)} <= private
    assert len(private) > 2 * len(site.registry)


def test_every_child_has_exactly_one_proof_file_named_as_the_page_looks_it_up(site: Site) -> None:
    public = site.demo / "public"
    records = public.joinpath("records.jsonl").read_bytes().splitlines()
    results = public.joinpath("results.jsonl").read_bytes().splitlines()
    written = {
        p.relative_to(site.demo / "publish" / "proofs").as_posix(): p.read_bytes()
        for p in (site.demo / "publish" / "proofs").rglob("*.json")
    }
    assert written == proof_files("2026-example-district", records, results)
    assert len(written) == len(site.registry) == 5000
    assert max(len(data) for data in written.values()) < 4096  # a few KB per phone


def test_receipts_carry_the_page_address_with_the_receipt_code(site: Site) -> None:
    child = site.child
    url = receipt_url(
        "https://jyj.example.gov.cn/2026-kg/verify/", child.registration_number, child.salt
    )
    code = format_salt(child.salt).replace("-", "")
    assert url == (
        f"https://jyj.example.gov.cn/2026-kg/verify/#r={child.registration_number}&s={code}"
    )
    html = render_receipts(
        site.registry,
        site_url="https://jyj.example.gov.cn/2026-kg/verify/",
        only=[child.registration_number],
        fingerprints=[("bureau", "00001 00002 00003 00004 00005 00006 00007 00008")],
    )
    assert html.count('class="receipt"') == 1
    assert format_salt(child.salt) in html
    assert "00001 00002 00003 00004" in html
    assert child.identity.name not in html  # masked only
    assert html.count("<svg") == 1


def test_proof_file_names_are_the_pinned_vectors() -> None:
    vectors = json.loads((ROOT / "tests" / "vectors" / "proof-file.json").read_text("utf-8"))
    assert len(vectors["names"]) >= 5
    for case in vectors["names"]:
        message = tagged_message(Tag.PROOF_FILE, case["draw_id"], case["registration_number"])
        assert message.hex() == case["message"], case["note"]
        name = proof_file_name(case["draw_id"], case["registration_number"])
        assert name == case["name"], case["note"]
        assert name == f"{name[:2]}/{hashlib.sha256(message).hexdigest()[:32]}.json"


def test_receipts_command_keeps_one_page_address_and_private_output(site: Site) -> None:
    folder = site.demo
    recorded = json.loads((folder / "site.json").read_text("utf-8"))["site_url"]
    child = site.child.registration_number
    other = "https://jyj.example.gov.cn/elsewhere/verify/"
    # Printed receipts open the recorded address: another one is refused, here and at publish.
    assert main(["--quiet", "receipts", "--dir", str(folder), "--site-url", other]) == 2
    assert main(["--quiet", "publish", "--dir", str(folder), "--site-url", other, "--force"]) == 2
    # Receipt codes never go to a public folder.
    public_out = folder / "publish" / "receipts.html"
    args = ["--quiet", "receipts", "--dir", str(folder), "--out", str(public_out)]
    assert main(args) == 2
    assert not public_out.exists()
    target = folder / "private" / "one-receipt.html"
    args = ["--quiet", "receipts", "--dir", str(folder), "--registration-number", child]
    assert main([*args, "--out", str(target)]) == 0
    text = target.read_text("utf-8")
    assert text.count('class="receipt"') == 1
    assert recorded in text
    assert target.stat().st_mode & 0o077 == 0
    assert main([*args, "--out", str(target)]) == 2  # exists: needs --force

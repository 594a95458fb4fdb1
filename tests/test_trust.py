"""Pinned trust: what a forger, a re-signer and a two-role key can and cannot get past.

Verification never trusts keys that arrive with the files it checks. These
tests build the attacks of issue 11 as a forger would, with the real command
line: a complete forged draw (its own ceremony and keys, the same draw id and
title, its own public/trust.json), the real draw with its results changed and
re-signed by a new key, and one key acting as bureau and notary. Each is
refused or fails, naming the role and the key.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from cli_helpers import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_VERIFY,
    SMALL_DRAW_ID,
    Credentials,
    build_draw,
    call,
    folder_state,
    make_credentials,
    ok,
    write_small_inputs,
)
from conftest import load_vector
from hypothesis import given
from hypothesis import strategies as st

from alloc.canonical import canonical_json
from alloc.demo import DEMO_MARK, demo_key_ids, run_demo
from alloc.errors import InvalidSignatureError, SignatureThresholdError, TrustError
from alloc.records import results_root
from alloc.signing import (
    Envelope,
    PublicKey,
    Role,
    SigningKey,
    TrustPolicy,
    fingerprint,
    key_label,
    parse_pin,
)

# --- two complete draws of the same district: the real one and a forgery ---------------------


@dataclasses.dataclass(frozen=True)
class Draw:
    folder: Path
    creds: Credentials

    def public_key(self, name: str) -> PublicKey:
        return PublicKey.from_pem(self.creds.pub(name).read_bytes())

    def expect(self) -> list[str]:
        """``--expect`` for this draw's bureau and notary keys."""
        return [
            f"--expect=bureau={self.public_key('bureau').fingerprint}",
            f"--expect=notary={self.public_key('notary-1').fingerprint}",
        ]


def _draw(root: Path) -> Draw:
    inputs = root / "inputs"
    write_small_inputs(inputs)
    creds = make_credentials(root / "credentials", [SMALL_DRAW_ID])
    folder = root / "draw"
    build_draw(
        folder,
        creds,
        kindergartens=inputs / "kindergartens.csv",
        applicants=inputs / "applicants.csv",
        draw_id=SMALL_DRAW_ID,
        min_lottery_percent=50,
    )
    return Draw(folder, creds)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Draw:
    return _draw(tmp_path_factory.mktemp("real"))


@pytest.fixture(scope="module")
def forged(tmp_path_factory: pytest.TempPathFactory) -> Draw:
    """Anyone can run alloc: same district, same draw id and title, their own keys."""
    return _draw(tmp_path_factory.mktemp("forged"))


@pytest.fixture
def copy_of(tmp_path: Path) -> object:
    def copy(draw: Draw) -> Path:
        target = tmp_path / "copy"
        shutil.copytree(draw.folder, target)
        return target

    return copy


def test_the_forgery_is_a_complete_draw_of_the_same_id_and_title(real: Draw, forged: Draw) -> None:
    for name in ("rules.json", "records.jsonl"):
        assert (real.folder / "public" / name).read_bytes() == (
            forged.folder / "public" / name
        ).read_bytes()
    assert (real.folder / "public" / "transcript.json").read_bytes() != (
        forged.folder / "public" / "transcript.json"
    ).read_bytes()
    # Under its own keys it verifies: only the pin tells the two apart.
    run = call("verify", "--dir", forged.folder, *forged.creds.pin)
    assert run.code == EXIT_OK, str(run)


def test_without_a_pin_verify_refuses_and_shows_the_fingerprints(forged: Draw) -> None:
    run = call("verify", "--dir", forged.folder)
    assert run.code != EXIT_OK
    assert run.code == EXIT_INPUT
    assert "no trust pin given" in run.err
    for name in ("bureau", "notary-1"):
        key = forged.public_key(name)
        assert f"fingerprint {key.fingerprint} (key id {key.keyid[:16]}…)" in run.err
    assert "official notice" in run.err
    assert "--expect" in run.err
    assert "verification passed" not in run.out


def test_a_trust_file_that_came_with_the_draw_is_refused(forged: Draw) -> None:
    for inside in (forged.folder / "public" / "trust.json", forged.folder / "trust.json"):
        run = call("verify", "--dir", forged.folder, "--trust", inside)
        assert run.code == EXIT_INPUT, str(run)
        assert "among the files it would vouch for" in run.err
        assert "verification passed" not in run.out
    one_by_one = [
        f"--{key}={forged.folder / 'public' / name}"
        for key, name in (
            ("rules", "rules.json"),
            ("announcement", "announcement.json"),
            ("transcript", "transcript.json"),
            ("records", "records.jsonl"),
            ("results", "results.jsonl"),
        )
    ]
    run = call("verify", *one_by_one, "--trust", forged.folder / "public" / "trust.json")
    assert run.code == EXIT_INPUT
    assert "among the files it would vouch for" in run.err


def test_the_forged_draw_fails_against_the_real_trust_file(real: Draw, forged: Draw) -> None:
    run = call("verify", "--dir", forged.folder, *real.creds.pin)
    assert run.code == EXIT_VERIFY
    bureau = forged.public_key("bureau")
    for document in ("announcement", "transcript"):
        assert (
            f"FAIL  {document} signatures: {document}: bureau signed by 0/1 keys; signed instead"
            " by keys not in the trust policy: "
        ) in run.out
    assert key_label(bureau.keyid) in run.out
    assert run.out.rstrip().endswith("verification FAILED")


def test_the_forged_draw_is_refused_against_the_real_fingerprints(real: Draw, forged: Draw) -> None:
    run = call("verify", "--dir", forged.folder, *real.expect())
    assert run.code == EXIT_INPUT
    wanted = real.public_key("bureau").fingerprint
    assert f"no key with the fingerprint pinned for role 'bureau' ({wanted})" in run.err
    assert forged.public_key("bureau").keyid[:16] in run.err  # the keys it found instead
    # The same pins pass the real draw.
    assert call("verify", "--dir", real.folder, *real.expect()).code == EXIT_OK


def _change_a_result_and_resign(folder: Path, key: SigningKey, *, keep: bool) -> None:
    """Move one child and commit the transcript to the changed results; sign with ``key``."""
    results = folder / "public" / "results.jsonl"
    lines = results.read_bytes().splitlines()
    at = next(i for i, line in enumerate(lines) if b'"placed":null' in line)
    lines[at] = lines[at].replace(b'"placed":null', b'"placed":"K03"')
    results.write_bytes(b"\n".join(lines) + b"\n")
    transcript = folder / "public" / "transcript.json"
    envelope = Envelope.from_bytes(transcript.read_bytes())
    signed = json.loads(canonical_json(envelope.signed))
    signed["results"]["root"] = results_root(SMALL_DRAW_ID, lines).hex()
    changed = Envelope(signed=signed, signatures=envelope.signatures if keep else ())
    transcript.write_bytes(changed.sign(key).to_bytes())


def test_a_real_draw_re_signed_by_a_new_key_fails_naming_role_and_key(
    real: Draw, copy_of: object
) -> None:
    folder = copy_of(real)  # type: ignore[operator]
    attacker = SigningKey.generate()
    _change_a_result_and_resign(folder, attacker, keep=False)
    for pin in (real.creds.pin, real.expect()):
        run = call("verify", "--dir", folder, *pin)
        assert run.code == EXIT_VERIFY, str(run)
        assert (
            "FAIL  transcript signatures: transcript: bureau signed by 0/1 keys; signed instead"
            f" by keys not in the trust policy: {key_label(attacker.keyid)}"
        ) in run.out
        assert "PASS  announcement signatures" in run.out


def test_a_trusted_key_whose_signature_no_longer_verifies_fails_the_document(
    real: Draw, copy_of: object
) -> None:
    """The old signatures kept beside a new one: evidence of tampering, not just a shortfall."""
    folder = copy_of(real)  # type: ignore[operator]
    _change_a_result_and_resign(folder, SigningKey.generate(), keep=True)
    run = call("verify", "--dir", folder, *real.creds.pin)
    assert run.code == EXIT_VERIFY
    bureau = real.public_key("bureau")
    assert (
        f"FAIL  transcript signatures: transcript: the signature of the bureau key with"
        f" {key_label(bureau.keyid)} does not verify"
    ) in run.out


def test_a_re_signer_who_also_replaces_the_published_keys_is_refused(
    real: Draw, copy_of: object
) -> None:
    folder = copy_of(real)  # type: ignore[operator]
    attacker = SigningKey.generate()
    _change_a_result_and_resign(folder, attacker, keep=False)
    own = TrustPolicy.of(bureau=[attacker.public], notary=[SigningKey.generate().public])
    (folder / "public" / "trust.json").write_bytes(own.to_bytes())
    run = call("verify", "--dir", folder, *real.expect())
    assert run.code == EXIT_INPUT
    assert "no key with the fingerprint pinned for role 'bureau'" in run.err
    assert attacker.keyid[:16] in run.err
    # The keys taken from elsewhere (the .pub files handed over at the signing) instead:
    keys = [f"--keys={real.creds.pub(name)}" for name in ("bureau", "notary-1")]
    run = call("verify", "--dir", folder, *real.expect(), *keys)
    assert run.code == EXIT_VERIFY
    assert (
        "FAIL  transcript signatures: transcript: bureau signed by 0/1 keys; signed instead"
        f" by keys not in the trust policy: {key_label(attacker.keyid)}"
    ) in run.out
    both = call("verify", "--dir", folder, *real.expect(), *real.creds.pin)
    assert both.code == EXIT_INPUT
    assert "give either --trust or --expect, not both" in both.err


def test_one_key_cannot_be_bureau_and_notary(real: Draw, tmp_path: Path) -> None:
    key = real.creds.pub("bureau")
    run = call(
        "policy", "create", "--role", f"bureau={key}", "--role", f"notary={key}",
        "--out", tmp_path / "trust.json",
    )  # fmt: skip
    assert run.code == EXIT_INPUT
    keyid = real.public_key("bureau").keyid
    assert "is in both roles 'bureau' and 'notary'" in run.err
    assert keyid[:16] in run.err
    assert not (tmp_path / "trust.json").exists()
    # A hand-made trust file with the same key twice is refused where it is read.
    public = real.public_key("bureau")
    entry = {"keyid": keyid, "fingerprint": public.fingerprint, "public": public.raw_hex}
    document = {
        "spec": 2,
        "roles": [
            {"name": "bureau", "threshold": 1, "keys": [entry]},
            {"name": "notary", "threshold": 1, "keys": [entry]},
        ],
    }
    (tmp_path / "trust.json").write_bytes(canonical_json(document) + b"\n")
    run = call("verify", "--dir", real.folder, "--trust", tmp_path / "trust.json")
    assert run.code == EXIT_INPUT
    assert "is in both roles 'bureau' and 'notary'" in run.err
    same = real.public_key("bureau").fingerprint
    run = call("verify", "--dir", real.folder, f"--expect=bureau={same}", f"--expect=notary={same}")
    assert run.code == EXIT_INPUT
    assert "is in both roles" in run.err


def test_a_policy_needs_a_bureau_and_a_notary_with_their_own_keys() -> None:
    one, two = SigningKey.generate().public, SigningKey.generate().public
    with pytest.raises(TrustError, match="needs a 'notary' role"):
        TrustPolicy.of(bureau=[one])
    with pytest.raises(TrustError, match="needs a 'bureau' role"):
        TrustPolicy.of(notary=[one], observer=[two])
    with pytest.raises(TrustError, match="in both roles 'bureau' and 'notary'"):
        TrustPolicy.of(bureau=[one], notary=[two, one])
    with pytest.raises(TrustError, match="in both roles 'notary' and 'observer'"):
        TrustPolicy.of(bureau=[one], notary=[two], observer=[two])
    with pytest.raises(TrustError, match="named twice"):
        TrustPolicy(roles=(Role("bureau", (one,)), Role("notary", (two,)), Role("notary", (two,))))
    TrustPolicy.of(bureau=[one], notary=[two])


def test_a_proof_check_needs_a_pin_too(real: Draw, tmp_path: Path) -> None:
    proof = tmp_path / "proof.json"
    ok("proof", "make", "--dir", real.folder, "--registration-number", "2026-0001", "--out", proof)
    argv = (
        "proof", "check", "--proof", proof, "--registration-number", "2026-0001",
        "--salt", "AEAQ-CAIB-AEAQ-CAIB-AEAQ-CAIB-AE", "--id", "440105202201101005",
        "--name", "欧阳晨曦",
        "--announcement", real.folder / "public" / "announcement.json",
        "--transcript", real.folder / "public" / "transcript.json",
    )  # fmt: skip
    unpinned = call(*argv)
    assert unpinned.code == EXIT_INPUT
    assert "no trust pin given" in unpinned.err
    inside = call(*argv, "--trust", real.folder / "public" / "trust.json")
    assert inside.code == EXIT_INPUT
    assert "among the files it would vouch for" in inside.err
    pinned = call(*argv, *real.expect())
    assert "PASS  signatures: announcement: bureau signed by 1/1 keys" in pinned.out, str(pinned)


# --- fingerprints ----------------------------------------------------------------------------


def test_fingerprint_vectors() -> None:
    data = load_vector("fingerprint.json")
    for case in data["fingerprints"]:
        if "public" in case:
            key = PublicKey.from_hex(case["public"])
            assert key.keyid == case["keyid"]
        assert fingerprint(case["keyid"]) == case["fingerprint"]
        assert parse_pin(case["fingerprint"]) == case["fingerprint"]
        assert parse_pin(case["keyid"]) == case["fingerprint"]
    for text in data["refused_pins"]:
        with pytest.raises(TrustError, match="not a key fingerprint or key id"):
            parse_pin(text)


@given(st.binary(min_size=32, max_size=32))
def test_a_fingerprint_is_the_first_128_bits_of_the_key_id(raw: bytes) -> None:
    text = fingerprint(raw.hex())
    groups = text.split(" ")
    assert len(groups) == 8
    assert all(len(g) == 5 and g.isdigit() for g in groups)
    assert b"".join(int(g).to_bytes(2, "big") for g in groups) == raw[:16]


def test_keys_fingerprint_prints_what_keys_generate_printed(tmp_path: Path) -> None:
    made = ok("keys", "generate", "someone", "--out", tmp_path)
    public = PublicKey.from_pem((tmp_path / "someone.pub").read_bytes())
    assert f"fingerprint  {public.fingerprint}" in made.out
    shown = ok("keys", "fingerprint", tmp_path / "someone.pub")
    assert f"key id       {public.keyid}" in shown.out
    assert f"fingerprint  {public.fingerprint}" in shown.out
    assert "DEMO" not in shown.out
    assert ok("keys", "fingerprint", "--digits", tmp_path / "someone.pub").out == (
        public.fingerprint + "\n"
    )
    listed = ok("--json", "keys", "fingerprint", tmp_path / "someone.pub").json()
    assert listed["keys"][0]["fingerprint"] == public.fingerprint


def test_demo_keys_are_marked_wherever_they_are_shown(tmp_path: Path) -> None:
    run = run_demo(applicants=40, kindergartens=3)
    assert {k.keyid for k in run.keys.values()} == demo_key_ids()
    assert DEMO_MARK in run.rules.title
    assert run.announcement.signed["title"].startswith(DEMO_MARK)
    for document in (run.announcement, run.transcript):
        assert " DEMO (its keys are derived from public code" in document.signed["software"]
    assert "[DEMO KEY" in run.policy.describe(run.transcript)
    assert "[DEMO KEY" in str(run.report)
    target = tmp_path / "demo"
    ok("demo", "--applicants", "40", "--kindergartens", "3", "--out", target)
    shown = ok("keys", "fingerprint", target / "keys" / "bureau.pub")
    assert "DEMO KEY" in shown.out
    html = (target / "publish" / "report" / "index.html").read_text(encoding="utf-8")
    assert "DEMO KEY" in html
    assert DEMO_MARK in html


# --- sign what you see -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], Credentials]:
    root = tmp_path_factory.mktemp("stages")
    inputs = root / "inputs"
    write_small_inputs(inputs)
    creds = make_credentials(root / "credentials", [SMALL_DRAW_ID])
    snapshots = {stage: root / stage for stage in ("frozen", "opened", "drawn")}
    build_draw(
        root / "work",
        creds,
        kindergartens=inputs / "kindergartens.csv",
        applicants=inputs / "applicants.csv",
        draw_id=SMALL_DRAW_ID,
        min_lottery_percent=50,
        snapshots=snapshots,
    )
    return snapshots, creds


@pytest.fixture
def at_stage(
    stages: tuple[dict[str, Path], Credentials], tmp_path: Path
) -> tuple[object, Credentials]:
    snapshots, creds = stages

    def copy(stage: str) -> Path:
        target = tmp_path / stage
        shutil.copytree(snapshots[stage], target)
        return target

    return copy, creds


def test_sign_shows_what_it_signs_and_needs_a_yes(
    at_stage: tuple[object, Credentials], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy, creds = at_stage
    folder = copy("frozen")  # type: ignore[operator]
    announcement = folder / "public" / "announcement.json"
    before = announcement.read_bytes()
    run = call("sign", announcement, "--key", creds.key("bureau"))
    assert run.code == EXIT_INPUT
    assert "standard input is not a terminal" in run.err
    assert announcement.read_bytes() == before
    bureau = PublicKey.from_pem(creds.pub("bureau").read_bytes())
    digest = json.loads(
        ok("--json", "sign", announcement, "--key", creds.key("bureau"), "--yes").out
    )
    assert digest["fingerprint"] == bureau.fingerprint
    announcement.write_bytes(before)
    for line in (
        f"document      announcement ({announcement})",
        f"draw          {SMALL_DRAW_ID}",
        "digest        ",
        "records       12 under input root ",
        "seed plan     parties bureau, notary, parent-rep-1, parent-rep-2",
        f"signing key   {key_label(bureau.keyid)}, role bureau",
    ):
        assert line in run.out, run.out
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    declined = call("sign", announcement, "--key", creds.key("bureau"))
    assert declined.code == EXIT_INPUT
    assert "not signed: the answer was not yes" in declined.err
    assert announcement.read_bytes() == before
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert call("sign", announcement, "--key", creds.key("bureau")).code == EXIT_OK
    assert len(Envelope.from_bytes(announcement.read_bytes()).signatures) == 1


def test_sign_refuses_an_announcement_once_the_ceremony_is_open(
    at_stage: tuple[object, Credentials],
) -> None:
    copy, creds = at_stage
    folder = copy("opened")  # type: ignore[operator]
    announcement = folder / "public" / "announcement.json"
    edited = json.loads(announcement.read_bytes())["signed"]
    edited["title"] = "changed after the reveals opened"
    announcement.write_bytes(Envelope(signed=edited).to_bytes())
    before = folder_state(folder)
    run = call("sign", announcement, "--key", creds.key("notary-1"), "--yes")
    assert run.code == EXIT_INPUT
    assert "the ceremony is at stage 'revealing'" in run.err
    assert folder_state(folder) == before


def test_sign_refuses_a_transcript_whose_re_run_fails(
    at_stage: tuple[object, Credentials],
) -> None:
    copy, creds = at_stage
    folder = copy("drawn")  # type: ignore[operator]
    _change_a_result_and_resign(folder, SigningKey.generate(), keep=False)
    transcript = folder / "public" / "transcript.json"
    unsigned = dataclasses.replace(Envelope.from_bytes(transcript.read_bytes()), signatures=())
    transcript.write_bytes(unsigned.to_bytes())
    before = folder_state(folder)
    run = call("sign", transcript, "--key", creds.key("notary-1"), "--yes")
    assert run.code == EXIT_VERIFY
    assert "FAIL  re-run: applicant" in run.out
    assert "PASS  results file" in run.out  # the file matches what the transcript claims
    assert folder_state(folder) == before


def test_sign_refuses_a_key_with_no_role_and_a_document_that_does_not_match(
    at_stage: tuple[object, Credentials],
) -> None:
    copy, creds = at_stage
    folder = copy("frozen")  # type: ignore[operator]
    announcement = folder / "public" / "announcement.json"
    stranger = call("sign", announcement, "--key", creds.key("stranger"), "--yes")
    assert stranger.code == EXIT_INPUT
    assert "has no role in the trust policy" in stranger.err
    rules = json.loads((folder / "rules.json").read_bytes())
    rules["waitlist_length"] += 1
    (folder / "rules.json").write_bytes(canonical_json(rules) + b"\n")
    changed = call("sign", announcement, "--key", creds.key("bureau"), "--yes")
    assert changed.code == EXIT_VERIFY
    assert "rules digest is not the digest of" in changed.err


def test_threshold_shortfall_and_invalid_signatures_are_told_apart() -> None:
    bureau, notary = SigningKey.generate(), SigningKey.generate()
    policy = TrustPolicy.of(bureau=[bureau.public], notary=[notary.public])
    envelope = Envelope(signed={"type": "transcript", "n": 1}).sign(bureau)
    with pytest.raises(SignatureThresholdError, match="notary signed by 0/1 keys"):
        policy.verify(envelope, document="transcript")
    forged = Envelope(signed={"type": "transcript", "n": 2}, signatures=envelope.signatures)
    forged = forged.sign(notary)
    with pytest.raises(InvalidSignatureError, match="the signature of the bureau key"):
        policy.verify(forged, document="transcript")
    (bureau_result, notary_result) = policy.evaluate(forged)
    assert (bureau_result.signers, bureau_result.invalid) == ((), (bureau.keyid,))
    assert notary_result.signers == (notary.keyid,)
    assert not bureau_result.ok

"""Province-scale benchmarks: every phase of a draw, timed and weighed, against a floor.

    python benchmarks/run.py                      # 10,000, 100,000 and 1,000,000 applicants
    python benchmarks/run.py --full               # ... and 10,000,000
    python benchmarks/run.py --sizes 100000 --matching --out results.json

Each size is a synthetic district (``alloc.synthetic``) scaled from 2,000
kindergartens at a million applicants, with seats for 85% of applicants,
three to five choices each, three tiers, owners' and staff seat blocks with a
90% lottery share, twins and triplets drawn as bundles, an owners' phase
before the social draw, waitlists of 20, and student-proposing deferred
acceptance. At a million applicants the independent lottery and
first-choice-first are run too.

Every measurement runs in a fresh subprocess (``--worker``), so no run
inherits another's heap. Wall time is ``time.perf_counter``; memory is the
peak resident set size (VmHWM) of the process during the phase, reset before
each phase by writing ``5`` to ``/proc/self/clear_refs`` (Linux 4.0 and
later; elsewhere the process-wide ``ru_maxrss`` is reported instead). The
figure includes everything the process holds at the time (the applicant
table, the record lines, ...): it is what the machine must have.

The *floor* is the hashing no implementation of the protocol can avoid,
written as bare Python loops over data prepared in advance: one HMAC-SHA256
per applicant (precomputed inner and outer SHA-256 states copied per row,
byte-identical to ``hmac.new``, whose textbook cost is shown beside it), the
two RFC 9162 Merkle trees over the record lines and the result lines (leaf
and node hashes), and one numpy sort of as many 64-bit keys. Phases are
printed as multiples of the floor; end to end (tickets, allocation,
commitments, transcript, signatures) and verification are the figures the
targets are set on.

``--matching`` solves the same student-proposing deferred-acceptance
problems with the ``matching`` package (``pip install -e ".[bench]"``) and
checks that both give the same matching.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import hmac
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

import alloc
import alloc.audit
import alloc.io
import alloc.records
from alloc.audit import (
    TimeWindow,
    document_digest,
    make_announcement,
    make_transcript,
)
from alloc.chain import check_chain
from alloc.clock import parse_time
from alloc.drand import QUICKNET
from alloc.draw import draw
from alloc.model import ApplicantTable, DrawRules, Mechanism, MultiplesPolicy, TieBreak
from alloc.records import record_leaf, record_lines, result_leaf, result_lines
from alloc.seed import Ceremony, Digits, DrandRound, Source, commitment
from alloc.signing import SigningKey, TrustPolicy
from alloc.synthetic import Stream, synthetic_district

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
FULL_SIZE = 10_000_000
KINDERGARTENS_PER_MILLION = 2_000
SEAT_SHARE = 0.85
DRAW_ID = "2026-province-benchmark"
SEED = hashlib.sha256(b"alloc benchmark seed").digest()
MECHANISMS = {
    "deferred-acceptance": Mechanism.DEFERRED_ACCEPTANCE,
    "independent": Mechanism.INDEPENDENT,
    "first-choice-first": Mechanism.FIRST_CHOICE_FIRST,
}


# --- the problems -------------------------------------------------------------------


def kindergartens_for(size: int) -> int:
    return max(2, round(size * KINDERGARTENS_PER_MILLION / 1_000_000))


def district(size: int, mechanism: str = "deferred-acceptance") -> tuple[DrawRules, ApplicantTable]:
    """The benchmark district of ``size`` applicants, with identity commitments.

    Identity commitments are 32 pseudo-random bytes per child (a real draw has
    the salted hashes of :mod:`alloc.identity`; the bytes are the same size).
    """
    made = synthetic_district(
        draw_id=DRAW_ID,
        applicants=size,
        kindergartens=kindergartens_for(size),
        choices=5,
        min_choices=3,
        twins=size // 125,
        triplets=size // 2500,
        mechanism=MECHANISMS[mechanism],
        multiples=MultiplesPolicy.BUNDLE,
        phases=True,
        waitlist_length=20,
        seats=round(size * SEAT_SHARE),
    )
    stream = Stream(f"benchmark identities/{size}")
    identities = np.concatenate(
        [stream.block(4 * min(size - at, 1 << 20)) for at in range(0, size, 1 << 20)]
    )
    table = replace(
        made.applicants, identities=identities.astype(">u8").view(np.uint8).reshape(size, 32)
    )
    return made.rules, table


def describe(rules: DrawRules, table: ApplicantTable) -> dict[str, Any]:
    seats = sum(k.seats for k in rules.kindergartens)
    listed = (table.choices >= 0).sum(axis=1)
    assert table.groups is not None
    return {
        "applicants": len(table),
        "kindergartens": len(rules.kindergartens),
        "seats": seats,
        "choices_mean": round(float(listed.mean()), 2),
        "groups": len(table.group_ids),
        "blocks": sum(len(k.blocks) for k in rules.kindergartens),
        "mechanism": rules.mechanism.value,
        "phases": [p.name for p in rules.phases],
    }


# --- measuring ----------------------------------------------------------------------


def _peak_kib() -> int:
    with contextlib.suppress(OSError):
        status = Path("/proc/self/status").read_text()
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        if found:
            return int(found.group(1))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Meter:
    """Phases with their wall time, peak memory and timed parts."""

    def __init__(self) -> None:
        self.phases: dict[str, dict[str, Any]] = {}
        self.current: dict[str, Any] | None = None
        self.resettable = True

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        gc.collect()
        self.resettable = _reset_peak() and self.resettable
        entry: dict[str, Any] = {"parts": {}}
        self.current = entry
        start = time.perf_counter()
        try:
            yield
        finally:
            entry["seconds"] = time.perf_counter() - start
            entry["peak_mib"] = round(_peak_kib() / 1024, 1)
            self.current = None
            self.phases[name] = entry

    def instrument(self, module: Any, attribute: str, label: str) -> None:
        """Time every call of ``module.attribute`` as a part of the running phase.

        An attribute the module lacks (an older alloc) is simply not timed.
        """
        original = getattr(module, attribute, None)
        if original is None:
            return

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if self.current is not None:
                    parts = self.current["parts"]
                    parts[label] = parts.get(label, 0.0) + time.perf_counter() - start

        setattr(module, attribute, timed)

    def instrument_iterator(self, module: Any, attribute: str, label: str) -> None:
        """Time every step of the iterators ``module.attribute`` returns, as a part."""
        original = getattr(module, attribute, None)
        if original is None:
            return
        meter = self

        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            steps = iter(original(*args, **kwargs))
            while True:
                start = time.perf_counter()
                try:
                    item = next(steps)
                except StopIteration:
                    return
                finally:
                    if meter.current is not None:
                        parts = meter.current["parts"]
                        parts[label] = parts.get(label, 0.0) + time.perf_counter() - start
                yield item

        setattr(module, attribute, timed)

    def instrument_roots(self, module: Any) -> None:
        """Time the Merkle accumulators ``module`` makes: "input root" or "results root"."""
        original = getattr(module, "MerkleAccumulator", None)
        if original is None:
            return
        meter = self

        class Timed(original):  # type: ignore[misc, valid-type]
            def __init__(self, *, prefix: bytes = b"") -> None:
                super().__init__(prefix=prefix)
                self.label = "input root" if b"/record" in prefix else "results root"

            def add(self, leaves: Any) -> None:
                start = time.perf_counter()
                try:
                    super().add(leaves)
                finally:
                    if meter.current is not None:
                        parts = meter.current["parts"]
                        elapsed = time.perf_counter() - start
                        parts[self.label] = parts.get(self.label, 0.0) + elapsed

        module.MerkleAccumulator = Timed


def _best(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


# --- workers (each in its own process) -------------------------------------------------


def _keys() -> dict[str, SigningKey]:
    stream = Stream("benchmark keys")
    return {
        name: SigningKey.from_seed(stream.block(4).astype(">u8").tobytes())
        for name in ("bureau", "notary")
    }


def worker_pipeline(size: int, mechanism: str, directory: Path) -> dict[str, Any]:
    """The bureau's side, end to end; writes the public files for the verifier."""
    from alloc.io import write_bytes, write_json, write_lines, write_rules  # noqa: PLC0415

    rules, table = district(size, mechanism)
    keys = _keys()
    policy = TrustPolicy.of(bureau=[keys["bureau"].public], notary=[keys["notary"].public])
    stream = Stream("benchmark ceremony")
    parties = ("bureau", "notary", "parent-rep")
    secrets_ = {p: stream.block(4).astype(">u8").tobytes() for p in parties}
    window = TimeWindow(
        frozen_at="2026-11-30T17:00:00+08:00",
        reveal_deadline="2026-12-01T10:00:00+08:00",
        draw_at="2026-12-02T09:30:00+08:00",
    )
    drawn = parse_time("2026-12-01T21:15:00+08:00", field="drawn_at")
    lottery = Source("welfare-3d", Digits(3, drawn), "福彩3D 2026-12-01 开奖号码")
    round_ = QUICKNET.first_round_after(window.deadline)
    beacon = Source(f"drand-{round_}", DrandRound(QUICKNET, round_), "drand quicknet")
    ceremony = Ceremony.begin(rules.draw_id, sources=[lottery], fallbacks=[beacon])
    for party in parties:
        ceremony = ceremony.commit(
            party, commitment(rules.draw_id, party, secrets_[party]), fallback=beacon.name
        )
    ceremony = ceremony.fix_plan()

    meter = Meter()
    # alloc.draw is the function; the engine module is reached through sys.modules.
    meter.instrument(sys.modules["alloc.draw"], "tickets", "tickets")
    meter.instrument(alloc.audit, "record_lines", "record lines")
    meter.instrument(alloc.audit, "records_root", "input root")
    meter.instrument(alloc.audit, "result_lines", "result lines")
    meter.instrument(alloc.audit, "results_root", "results root")
    baseline = _peak_kib()

    with meter.phase("records"):
        notice, records = make_announcement(rules, table, ceremony.plan, window=window)
    with meter.phase("sign announcement"):
        announcement = notice.envelope().sign(keys["bureau"]).sign(keys["notary"])
        announcement_bytes = announcement.to_bytes()
    with meter.phase("ceremony"):
        opened = ceremony.open(
            document_digest(announcement), reveal_deadline=window.deadline, at=window.frozen
        )
        for party in parties:
            opened = opened.reveal(party, secrets_[party], at=window.deadline)
        record = opened.add_source(lottery.name, "381", at=window.draw).finish()
    with meter.phase("draw"):
        outcome = draw(rules, table, record.seed)
    with meter.phase("results"):
        transcript_doc, results = make_transcript(
            announcement, rules, record, outcome, created="2026-12-02T09:35:00+08:00"
        )
    with meter.phase("sign transcript"):
        transcript = transcript_doc.envelope().sign(keys["bureau"]).sign(keys["notary"])
        transcript_bytes = transcript.to_bytes()

    write_rules(directory / "rules.json", rules, force=True)
    write_bytes(directory / "announcement.json", announcement_bytes, force=True)
    write_bytes(directory / "transcript.json", transcript_bytes, force=True)
    write_lines(directory / "records.jsonl", records, force=True)
    write_lines(directory / "results.jsonl", results, force=True)
    write_json(directory / "policy.json", policy.to_json(), force=True)
    placed = int((outcome.placed >= 0).sum()) if mechanism != "independent" else None
    return {
        "problem": describe(rules, table),
        "phases": meter.phases,
        "baseline_mib": round(baseline / 1024, 1),
        "peak_resettable": meter.resettable,
        "record_line_bytes": round(sum(map(len, records)) / max(len(records), 1), 1),
        "result_line_bytes": round(sum(map(len, results)) / max(len(results), 1), 1),
        "placed": placed,
        "unplaced": transcript_doc.unplaced,
        "transcript_bytes": len(transcript_bytes),
    }


def worker_verify(directory: Path) -> dict[str, Any]:
    """A third party's check from the public files alone, as ``alloc verify`` makes it.

    :func:`alloc.chain.check_chain` (the draw and its rounds; here the draw
    alone) inside :func:`alloc.io.recording_reads`, which hashes every byte
    read for the certificate; records and results are
    :class:`alloc.io.LineFile`, read chunk by chunk inside the timed phase and
    never held whole, so the peak is what a notary's machine needs. (Before
    the streaming verifier, both files were read whole before the phase,
    untimed, and :func:`alloc.audit.check_transcript` was timed.)
    """
    from alloc.io import read_json, read_rules  # noqa: PLC0415

    rules = read_rules(directory / "rules.json")
    policy = TrustPolicy.from_json(read_json(directory / "policy.json"))
    meter = Meter()
    meter.instrument_iterator(alloc.io, "_line_blocks", "read and hash files")
    meter.instrument_roots(alloc.audit)
    meter.instrument(alloc.records.RecordReader, "add", "parse records")
    meter.instrument(alloc.records.RecordReader, "table", "parse records")
    meter.instrument(alloc.audit, "draw", "re-run draw")
    # alloc.draw is the function; the engine module is reached through sys.modules.
    meter.instrument(sys.modules["alloc.draw"], "tickets", "tickets")
    meter.instrument(getattr(alloc.records, "_ResultLines", None), "lines", "result lines")
    baseline = _peak_kib()
    with meter.phase("verification"), alloc.io.recording_reads() as reads:
        report = check_chain(
            rules=rules,
            policy=policy,
            announcement=alloc.io.read_bytes(directory / "announcement.json"),
            transcript=alloc.io.read_bytes(directory / "transcript.json"),
            records=alloc.io.LineFile(directory / "records.jsonl"),
            results=alloc.io.LineFile(directory / "results.jsonl"),
        )
    if not report.ok:
        raise SystemExit(f"verification failed:\n{report}")
    hashed = {Path(r.path).name: r.size for r in reads}
    if set(hashed) != {"announcement.json", "transcript.json", "records.jsonl", "results.jsonl"}:
        raise SystemExit(f"the reads recorded for the certificate are not the files: {hashed}")
    return {
        "phases": meter.phases,
        "baseline_mib": round(baseline / 1024, 1),
        "hashed_bytes": sum(r.size for r in reads),
    }


def _floor_tree(lines: list[bytes], prefix: bytes) -> bytes:
    """An RFC 9162 root over ``prefix || line`` leaves, as bare Python loops."""
    leaf = hashlib.sha256(b"\x00" + prefix).copy
    level: list[bytes] = []
    append = level.append
    for line in lines:
        h = leaf()
        h.update(line)
        append(h.digest())
    node = hashlib.sha256(b"\x01").copy
    while len(level) > 1:
        upper: list[bytes] = []
        append = upper.append
        for left, right in zip(level[0::2], level[1::2], strict=False):
            h = node()
            h.update(left)
            h.update(right)
            append(h.digest())
        if len(level) % 2:
            append(level[-1])
        level = upper
    return level[0]


def worker_floor(size: int, repeat: int) -> dict[str, Any]:
    """The unavoidable hashing and one sort, on this problem's own lines (prepared untimed)."""
    rules, table = district(size)
    records = record_lines(table)
    results = result_lines(draw(rules, table, SEED))
    prefix = b"alloc/v1/ticket\x00" + DRAW_ID.encode() + b"\x00"
    suffixes = [r.encode("utf-8") for r in table.registration_numbers]

    def textbook() -> list[bytes]:
        return [hmac.new(SEED, prefix + s, hashlib.sha256).digest() for s in suffixes]

    key = SEED.ljust(64, b"\x00")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(prefix)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def fast() -> list[bytes]:
        inner_copy, outer_copy = inner.copy, outer.copy
        out: list[bytes] = []
        append = out.append
        for suffix in suffixes:
            h = inner_copy()
            h.update(suffix)
            o = outer_copy()
            o.update(h.digest())
            append(o.digest())
        return out

    timings: dict[str, float] = {}
    timings["hmac textbook"], slow = _best(textbook, 1)
    timings["hmac"], digests = _best(fast, repeat)
    assert digests == slow, "the fast HMAC form must give hmac.new's bytes"
    del slow
    timings["merkle records"], _ = _best(
        lambda: _floor_tree(records, record_leaf(DRAW_ID, b"")), repeat
    )
    timings["merkle results"], _ = _best(
        lambda: _floor_tree(results, result_leaf(DRAW_ID, b"")), repeat
    )
    keys = np.frombuffer(b"".join(digests), ">u8")[::4].astype(np.uint64)
    timings["sort"], _ = _best(lambda: np.sort(keys), repeat)
    timings["floor"] = (
        timings["hmac"] + timings["merkle records"] + timings["merkle results"] + timings["sort"]
    )
    return {"floor": timings}


def worker_csv(size: int) -> dict[str, Any]:
    """Registration export in, through alloc.io (registry and file made untimed)."""
    from alloc.io import read_applicants, write_applicants  # noqa: PLC0415
    from alloc.records import record_lines as lines_of  # noqa: PLC0415
    from alloc.registry import attach_identities  # noqa: PLC0415
    from alloc.synthetic import synthetic_registry  # noqa: PLC0415

    rules, table = district(size)
    start = time.perf_counter()
    registry = synthetic_registry(table)
    made = time.perf_counter() - start
    meter = Meter()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "applicants.csv"
        with meter.phase("write csv"):
            write_applicants(path, table, registry)
        file_bytes = path.stat().st_size
        del registry
        import pandas as pd  # noqa: PLC0415

        # The yardstick of the import target: pandas reading the same file,
        # as a user would (types inferred), and as text (what an import needs).
        with meter.phase("pandas read_csv"):
            frame = pd.read_csv(path, low_memory=False)
        del frame
        with meter.phase("pandas read_csv, text"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        del frame
        with meter.phase("read csv"):
            imported = read_applicants(path, draw_id=rules.draw_id)
    expected = lines_of(
        attach_identities(replace(table, identities=None), imported.registry, DRAW_ID)
    )
    assert lines_of(imported.table) == expected, "the CSV must read back to the same records"
    return {"phases": meter.phases, "file_bytes": file_bytes, "registry_seconds": made}


# --- the matching comparison ----------------------------------------------------------


def matching_problem(size: int) -> tuple[DrawRules, ApplicantTable]:
    """Deferred acceptance with one lottery number per child and strict priorities.

    Three tiers and the lottery give every kindergarten a strict order; no seat
    blocks, no multiples, no phases: a problem both libraries can state.
    """
    made = synthetic_district(
        draw_id=DRAW_ID,
        applicants=size,
        kindergartens=max(2, size // 500),
        choices=5,
        min_choices=3,
        twins=0,
        triplets=0,
        mechanism=Mechanism.DEFERRED_ACCEPTANCE,
        multiples=MultiplesPolicy.SEPARATE,
        phases=False,
        waitlist_length=0,
        seats=round(size * SEAT_SHARE),
    )
    kgs = tuple(replace(k, blocks=()) for k in made.rules.kindergartens)
    rules = replace(made.rules, kindergartens=kgs, min_lottery_percent=0)
    assert rules.tie_break is TieBreak.SINGLE
    return rules, made.applicants


def worker_matching(size: int, repeat: int) -> dict[str, Any]:
    from matching.games import HospitalResident  # noqa: PLC0415

    rules, table = matching_problem(size)
    alloc_seconds, outcome = _best(lambda: draw(rules, table, SEED), repeat)

    # Preferences from alloc's own keys: children rank their choices; each
    # kindergarten ranks those who list it by (tier, lottery number).
    regs = table.registration_numbers
    ids = table.kindergarten_ids
    assert table.tiers is not None
    tier_rank = {t: i for i, t in enumerate(rules.tiers)}
    tiers = [tier_rank[table.tier_names[t]] for t in table.tiers.tolist()]
    tickets = [bytes(t) for t in outcome.tickets]
    resident_prefs = {
        regs[r]: [ids[c] for c in row if c >= 0] for r, row in enumerate(table.choices.tolist())
    }
    applicants_of: dict[str, list[int]] = {k.id: [] for k in rules.kindergartens}
    for r, row in enumerate(table.choices.tolist()):
        for c in row:
            if c >= 0:
                applicants_of[ids[c]].append(r)
    hospital_prefs = {
        kg: [regs[r] for r in sorted(rows, key=lambda r: (tiers[r], tickets[r]))]
        for kg, rows in applicants_of.items()
    }
    capacities = {k.id: k.seats for k in rules.kindergartens}

    result: dict[str, Any] = {}

    def solve() -> None:
        start = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        built = time.perf_counter()
        solved = game.solve(optimal="resident")
        result["build"] = built - start
        result["solve"] = time.perf_counter() - built
        result["matching"] = {
            resident.name: hospital.name
            for hospital, residents in solved.items()
            for resident in residents
        }

    # The constructor deep-copies every player: recursion as deep as the
    # preference graph, so raise the limit and give the thread a large stack.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 50 * size + 10_000))
    previous = threading.stack_size(1 << 30)
    try:
        thread = threading.Thread(target=solve)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    theirs = result["matching"]
    ours = {
        regs[r]: rules.kindergartens[k].id for r, k in enumerate(outcome.placed.tolist()) if k >= 0
    }
    return {
        "applicants": size,
        "kindergartens": len(rules.kindergartens),
        "alloc_seconds": alloc_seconds,
        "matching_build_seconds": result["build"],
        "matching_solve_seconds": result["solve"],
        "same_matching": ours == theirs,
        "placed": len(ours),
    }


WORKERS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "pipeline": lambda a: worker_pipeline(a.size, a.mechanism, Path(a.directory)),
    "verify": lambda a: worker_verify(Path(a.directory)),
    "floor": lambda a: worker_floor(a.size, a.repeat),
    "csv": lambda a: worker_csv(a.size),
    "matching": lambda a: worker_matching(a.size, a.repeat),
}


# --- the driver -------------------------------------------------------------------------


def run_worker(kind: str, **options: Any) -> dict[str, Any]:
    """Run a worker in a fresh process; its figures, with ``process_peak_mib``: the
    process's own peak resident set from start to exit (``wait4``'s ``ru_maxrss``),
    interpreter, imports and file reading included."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind]
    for name, value in options.items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command += ["--result", out.name]
        process = subprocess.Popen(command)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise subprocess.CalledProcessError(process.returncode, command)
        result: dict[str, Any] = json.loads(Path(out.name).read_text())
    result["process_peak_mib"] = round(usage.ru_maxrss / 1024, 1)  # KiB on Linux
    return result


def _merge_best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per phase, the fastest run's time and parts; the highest peak of all runs."""
    best = dict(runs[0])
    phases: dict[str, Any] = {}
    for name in runs[0]["phases"]:
        entries = [r["phases"][name] for r in runs]
        fastest = min(entries, key=lambda e: e["seconds"])
        phases[name] = {**fastest, "peak_mib": max(e["peak_mib"] for e in entries)}
    best["phases"] = phases
    best["process_peak_mib"] = max(r["process_peak_mib"] for r in runs)
    return best


def summarise(
    pipeline: dict[str, Any], verify: dict[str, Any], floor: dict[str, float]
) -> dict[str, Any]:
    p = pipeline["phases"]
    draw_parts = p["draw"]["parts"]
    results_parts = p["results"]["parts"]
    tickets = draw_parts.get("tickets", 0.0)
    result_commit = results_parts.get("result lines", 0.0) + results_parts.get("results root", 0.0)
    rows = {
        "tickets": tickets,
        "allocation": p["draw"]["seconds"] - tickets,
        "record lines + input commitment": p["records"]["seconds"],
        "result lines + results commitment": result_commit,
        "transcript building": p["results"]["seconds"] - result_commit + p["ceremony"]["seconds"],
        "signing": p["sign announcement"]["seconds"] + p["sign transcript"]["seconds"],
    }
    peaks = {
        "tickets": p["draw"]["peak_mib"],
        "allocation": p["draw"]["peak_mib"],
        "record lines + input commitment": p["records"]["peak_mib"],
        "result lines + results commitment": p["results"]["peak_mib"],
        "transcript building": max(p["results"]["peak_mib"], p["ceremony"]["peak_mib"]),
        "signing": max(p["sign announcement"]["peak_mib"], p["sign transcript"]["peak_mib"]),
    }
    end_to_end = sum(rows.values())
    v = verify["phases"]["verification"]
    base = floor["floor"]
    return {
        "rows": rows,
        "peaks": peaks,
        "end_to_end": end_to_end,
        "end_to_end_peak_mib": max(peaks.values()),
        "draw": p["draw"]["seconds"],
        "draw_peak_mib": p["draw"]["peak_mib"],
        "verification": v["seconds"],
        "verification_parts": v["parts"],
        "verification_peak_mib": v["peak_mib"],
        "verification_process_peak_mib": verify.get("process_peak_mib"),
        "floor": base,
        # The figures the targets are set on, as multiples of this run's floor.
        "ratios": {
            "draw": round(p["draw"]["seconds"] / base, 2),
            "end to end": round(end_to_end / base, 2),
            "verification": round(v["seconds"] / base, 2),
        },
    }


def _row(name: str, seconds: float, base: float, peak: float | None = None) -> None:
    memory = f"{peak:>10.0f}" if peak is not None else ""
    print(f"{name:<40}{seconds:>10.3f}{seconds / base:>10.2f}{memory}")


def print_size(size: int, result: dict[str, Any]) -> None:
    problem = result["pipeline"]["problem"]
    floor = result["floor"]
    summary = result["summary"]
    base = floor["floor"]
    print()
    print(
        f"== {size:,} applicants: {problem['kindergartens']:,} kindergartens,"
        f" {problem['seats']:,} seats, {problem['choices_mean']} choices on average,"
        f" {problem['groups']:,} multiples groups, {problem['mechanism']}"
    )
    print(f"{'phase':<40}{'seconds':>10}{'x floor':>10}{'peak MiB':>10}")
    print("-" * 70)
    _row("floor: HMAC-SHA256 per applicant", floor["hmac"], base)
    _row("  (textbook hmac.new, for comparison)", floor["hmac textbook"], base)
    _row("floor: Merkle tree, records", floor["merkle records"], base)
    _row("floor: Merkle tree, results", floor["merkle results"], base)
    _row("floor: numpy sort of 64-bit keys", floor["sort"], base)
    _row("floor (sum)", base, base)
    print("-" * 70)
    for name, seconds in summary["rows"].items():
        _row(name, seconds, base, summary["peaks"][name])
    _row("END TO END", summary["end_to_end"], base, summary["end_to_end_peak_mib"])
    _row(
        "VERIFICATION (as alloc verify)",
        summary["verification"],
        base,
        summary["verification_peak_mib"],
    )
    for name, seconds in summary["verification_parts"].items():
        _row("  " + name, seconds, base)
    print(
        f"the verifying process's peak resident set, start to exit:"
        f" {summary['verification_process_peak_mib']:,.0f} MiB"
    )
    ratios = summary["ratios"]
    print(
        f"x floor: the draw (tickets + allocation) {ratios['draw']:.2f},"
        f" end to end {ratios['end to end']:.2f}, verification {ratios['verification']:.2f}"
    )
    if "csv" in result:
        print("-" * 70)
        print_csv(result["csv"])


def print_csv(csv: dict[str, Any]) -> None:
    """The import beside pandas reading the same file (x: multiple of pandas' default)."""
    phases = csv["phases"]
    base = phases["pandas read_csv"]["seconds"]
    for name in ("write csv", "pandas read_csv", "pandas read_csv, text", "read csv"):
        _row(name, phases[name]["seconds"], base, phases[name]["peak_mib"])
    text = phases["pandas read_csv, text"]["seconds"]
    print(
        f"import / pandas read_csv: {phases['read csv']['seconds'] / base:.2f}x;"
        f" / read_csv as text: {phases['read csv']['seconds'] / text:.2f}x"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--full", action="store_true", help="add 10,000,000 applicants")
    parser.add_argument("--matching", action="store_true", help="compare with the matching package")
    parser.add_argument("--matching-sizes", default="10000,20000")
    parser.add_argument(
        "--mechanisms-at",
        type=int,
        default=1_000_000,
        help="size at which the other mechanisms run too (0: never)",
    )
    parser.add_argument(
        "--csv-max", type=int, default=1_000_000, help="largest size whose CSV import is measured"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; best is kept")
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="only the CSV import beside pandas read_csv, at each size",
    )
    parser.add_argument("--out", help="write every figure to this JSON file")
    # worker mode
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mechanism", default="deferred-acceptance", help=argparse.SUPPRESS)
    parser.add_argument("--directory", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        outcome = WORKERS[args.worker](args)
        Path(args.result).write_text(json.dumps(outcome))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.full and FULL_SIZE not in sizes:
        sizes.append(FULL_SIZE)
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "alloc": alloc.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "sizes": {},
        "mechanisms": {},
        "matching": [],
    }

    def measure(size: int, mechanism: str) -> dict[str, Any]:
        runs, checks = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as scratch:
                runs.append(
                    run_worker("pipeline", size=size, mechanism=mechanism, directory=scratch)
                )
                checks.append(run_worker("verify", directory=scratch))
        return {"pipeline": _merge_best(runs), "verify": _merge_best(checks)}

    if args.import_only:
        for size in sizes:
            csv = run_worker("csv", size=size)
            report["sizes"][str(size)] = {"csv": csv}
            print(f"\n== import of {size:,} applicants ({csv['file_bytes'] / 1e6:.0f} MB)")
            print(f"{'phase':<40}{'seconds':>10}{'x pandas':>10}{'peak MiB':>10}")
            print_csv(csv)
            sys.stdout.flush()
        if args.out:
            Path(args.out).write_text(json.dumps(report, indent=2))
        return 0

    for size in sizes:
        result = measure(size, "deferred-acceptance")
        result["floor"] = run_worker("floor", size=size, repeat=max(args.repeat, 2))["floor"]
        if size <= args.csv_max:
            result["csv"] = run_worker("csv", size=size)
        result["summary"] = summarise(result["pipeline"], result["verify"], result["floor"])
        report["sizes"][str(size)] = result
        print_size(size, result)
        sys.stdout.flush()
        if size == args.mechanisms_at:
            for mechanism in ("independent", "first-choice-first"):
                other = measure(size, mechanism)
                other["floor"] = result["floor"]
                other["summary"] = summarise(other["pipeline"], other["verify"], result["floor"])
                report["mechanisms"][mechanism] = other
                print_size(size, other)
                sys.stdout.flush()

    if args.matching:
        print()
        print("== the matching package on the same deferred-acceptance problems")
        for size in (int(s) for s in args.matching_sizes.split(",")):
            row = run_worker("matching", size=size, repeat=max(args.repeat, 3))
            report["matching"].append(row)
            theirs = row["matching_build_seconds"] + row["matching_solve_seconds"]
            print(
                f"{size:>8,} applicants: alloc {row['alloc_seconds']:.4f} s,"
                f" matching {theirs:.1f} s (solve {row['matching_solve_seconds']:.1f} s),"
                f" alloc {theirs / row['alloc_seconds']:,.0f}x faster,"
                f" same matching: {row['same_matching']}"
            )

    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The ``alloc`` command line: a thin shell over the public API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from alloc import __version__
from alloc.draw import draw
from alloc.errors import AllocError
from alloc.seed import Ceremony, Source, SourceKind, commitment
from alloc.synthetic import Stream, synthetic_district

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID_INPUT = 2
EXIT_VERIFICATION_FAILED = 3
EXIT_INTERNAL_ERROR = 4


def _demo(args: argparse.Namespace) -> int:
    district = synthetic_district(applicants=args.applicants, kindergartens=args.kindergartens)
    rules, table = district.rules, district.applicants
    print(f"{rules.title} — {rules.authority}")
    print(
        f"draw {rules.draw_id}: {len(table)} applicants, {len(rules.kindergartens)} "
        f"kindergartens, {sum(k.seats for k in rules.kindergartens)} seats, "
        f"mechanism {rules.mechanism.value}, multiples {rules.multiples.value}"
    )

    # The ceremony: four parties commit, the plan is fixed and announced, then
    # everyone reveals and the official lottery numbers are read.
    print("\n== seed ceremony ==")
    stream = Stream(f"demo secrets/{rules.draw_id}")
    parties = ("bureau", "notary", "parent-rep-1", "parent-rep-2")
    secrets = {p: stream.block(4).astype(">u8").tobytes() for p in parties}
    lottery = Source("welfare-lottery-3d", SourceKind.NUMBERS, "福彩3D 2026-12-01 开奖号码")
    beacon = Source("beacon-round-4821337", SourceKind.HEX, "drand round 4821337 (fallback)")
    ceremony = Ceremony.begin(rules.draw_id, sources=[lottery], fallbacks=[beacon])
    for party in parties:
        value = commitment(rules.draw_id, party, secrets[party])
        ceremony = ceremony.commit(party, value, fallback=beacon.name)
        print(f"commit  {party:<14} {value.hex()}")
    ceremony = ceremony.fix_plan()
    # Until the audit layer publishes a signed announcement, the frozen input
    # is committed by a digest of the rules' draw id and applicant count.
    import hashlib  # noqa: PLC0415 - demo-only placeholder digest

    announcement = hashlib.sha256(f"{rules.draw_id}/{len(table)}".encode()).digest()
    ceremony = ceremony.open(announcement)
    print(f"announcement digest   {announcement.hex()}")
    for party in parties:
        ceremony = ceremony.reveal(party, secrets[party])
        print(f"reveal  {party:<14} {secrets[party].hex()}")
    ceremony = ceremony.add_source(lottery.name, [3, 8, 1])
    print(f"source  {lottery.name:<14} {ceremony.source_values[-1].value}")
    record = ceremony.finish()
    record.verify()
    print(f"seed    {record.seed.hex()}")

    outcome = draw(rules, table, record.seed)
    print("\n== kindergartens ==")
    print(f"{'id':<6}{'seats':>6}{'listed':>8}{'1st':>6}{'placed':>8}{'left':>6}{'over':>6}")
    for s in outcome.summaries:
        print(
            f"{s.id:<6}{s.seats:>6}{s.applicants:>8}{s.first_choice:>6}{s.placed:>8}"
            f"{s.left_over:>6}{s.over_capacity:>6}"
        )
    print("\n== lottery, in draw order (lower number first) ==")
    shown = len(table) if args.show is None else args.show
    for rank, result in enumerate(outcome, start=1):
        if rank > shown:
            print(f"... {len(table) - shown} more")
            break
        where = result.placed or "unplaced"
        if result.block and result.block != "open":
            where += f" ({result.block})"
        if result.waitlist:
            where += "  waitlist " + ", ".join(f"{k}#{p}" for k, p in result.waitlist)
        print(f"{rank:>6}  {result.registration_number:<14} {result.ticket.hex()[:16]}…  {where}")
    print(f"\nplaced {sum(s.placed for s in outcome.summaries)}, unplaced {len(outcome.unplaced)}")
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alloc", description="Auditable kindergarten draws (电脑派位)."
    )
    parser.add_argument("--version", action="version", version=f"alloc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the synthetic example draw end to end")
    demo.add_argument("--applicants", type=int, default=5000)
    demo.add_argument("--kindergartens", type=int, default=30)
    demo.add_argument(
        "--show", type=int, default=None, help="print only the first N lines of the lottery"
    )
    demo.set_defaults(run=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except AllocError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID_INPUT
    return code


if __name__ == "__main__":
    raise SystemExit(main())

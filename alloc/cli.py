"""The ``alloc`` command line: a thin shell over the public API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from alloc import __version__
from alloc.demo import describe, run_demo
from alloc.errors import AllocError

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID_INPUT = 2
EXIT_VERIFICATION_FAILED = 3
EXIT_INTERNAL_ERROR = 4


def _demo(args: argparse.Namespace) -> int:
    run = run_demo(applicants=args.applicants, kindergartens=args.kindergartens)
    for line in describe(run):
        print(line)
    return (
        EXIT_OK
        if run.report.ok and all(r.ok for r in run.parent_reports.values())
        else EXIT_VERIFICATION_FAILED
    )


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

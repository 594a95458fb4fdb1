"""``python -m alloc``: the command line."""

from alloc.cli import main

raise SystemExit(main())

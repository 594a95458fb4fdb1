"""alloc: auditable lotteries and seat allocation.

The engine behind a kindergarten computer draw (电脑派位) that anyone can
re-run and check: a public seed ceremony, lottery numbers a parent can
recompute, one deterministic allocation engine, and (see ``alloc.audit``)
signed announcements and transcripts.
"""

from alloc.canonical import SPEC_VERSION
from alloc.errors import AllocError, InputError

__all__ = ["SPEC_VERSION", "AllocError", "InputError", "__version__"]

__version__ = "0.1.0"

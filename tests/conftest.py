"""Shared test helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

VECTORS = Path(__file__).parent / "vectors"

# alloc speaks Chinese by default; the tests read its messages in English (the
# message ids), and so do the alloc processes they start, unless a test is about
# the Chinese (tests/test_i18n.py), which sets the language itself.
os.environ["ALLOC_LANG"] = "en"

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


def load_vector(name: str) -> Any:
    """A pinned test vector file from tests/vectors/."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def vectors() -> Any:
    return load_vector

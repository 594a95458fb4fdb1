"""Shared test helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

VECTORS = Path(__file__).parent / "vectors"

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


def load_vector(name: str) -> Any:
    """A pinned test vector file from tests/vectors/."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def vectors() -> Any:
    return load_vector

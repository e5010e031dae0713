"""Shared by the chain's tests."""

from datetime import UTC, datetime

import pytest

from .test_chain import TABLE, add, without_triggers


@pytest.fixture
def old_log(db):
    """An empty log, then 3 rows of January 2025 and 2 of today."""
    without_triggers(f"DELETE FROM {TABLE}", [])  # noqa: S608
    from security.models import ChainHead

    ChainHead.objects.all().delete()
    january = add(3, at=datetime(2025, 1, 10, 2, 0, tzinfo=UTC))
    today = add(2)
    return january, today

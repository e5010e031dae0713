import os

import pytest
from django.conf import settings

from checklist.tests.helpers import audit_of


def stored_files() -> list[str]:
    """Every file under the evidence store, incoming uploads left aside."""
    found = []
    for folder, directories, files in os.walk(settings.EVIDENCE_ROOT):
        directories[:] = [d for d in directories if not d.startswith(".")]
        found.extend(os.path.join(folder, name) for name in files)
    return found


@pytest.fixture(autouse=True)
def empty_store(db):
    """Each test starts and ends with an empty evidence store."""
    from evidence.models import evidence_storage

    yield
    storage = evidence_storage()
    for path in stored_files():
        storage.delete(os.path.relpath(path, settings.EVIDENCE_ROOT))


@pytest.fixture
def chaoyang(db, auditor):
    audit = audit_of("004")
    audit.auditors.add(auditor)
    return audit

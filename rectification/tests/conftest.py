import os

import pytest
from django.conf import settings

from evidence.tests.conftest import stored_files


@pytest.fixture(autouse=True)
def empty_store(db):
    """Each test ends with an empty evidence store (finalizing stores no file, proofs do)."""
    from evidence.models import evidence_storage

    yield
    storage = evidence_storage()
    for path in stored_files():
        storage.delete(os.path.relpath(path, settings.EVIDENCE_ROOT))

from evidence.tests.conftest import empty_store  # noqa: F401 - each test leaves the store empty

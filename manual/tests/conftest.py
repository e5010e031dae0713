import pytest

from manual import chapters


@pytest.fixture(autouse=True)
def chapters_rendered_afresh():
    """Each test renders the chapters it reads (``chapters._for_page`` keeps them for the
    process otherwise): so every test that reads a chapter runs ``chapters.render``, and
    make mutate, which maps the tests to the code they run, finds all of them and not only
    the first."""
    chapters._for_page.cache_clear()

"""Arriving at a page in a journey."""

from playwright.sync_api import expect


def arrive(page, url) -> None:
    """The page is at ``url`` and its scripts have run.

    A click that navigates returns once the new address is committed, before the deferred
    scripts (autosave, dialogs) are attached: a radio button clicked in that moment changes
    without saving, and the points field it should unlock stays read-only (a CI failure of
    the self-assessment journey on a slower machine)."""
    expect(page).to_have_url(url)
    page.wait_for_load_state("load")

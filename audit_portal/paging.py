"""Pages of a long list (the cycle overview, the document grid) with a size the user picks.

A cycle of the Beijing office has about 50 agencies and fits on the default page of 100, so
nothing changes there; a province's cycle of thousands is shown a page at a time.
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from .inputs import parse_id

PAGE_SIZES = (50, 100, 200)
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True)
class Paged:
    page: Page
    per_page: int
    query: str  # the request's query string without the page: "a=1&" or ""
    size_query: str  # the same without the page size either

    sizes = PAGE_SIZES
    default_size = DEFAULT_PAGE_SIZE

    @property
    def page_range(self):
        """The page numbers to link, with Paginator.ELLIPSIS where some are left out."""
        return self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2)


def paginate(request: HttpRequest, items) -> Paged:
    """The page of ``items`` the request asks for: ``page`` (past the end gives the last
    page, nonsense the first) and ``per_page`` (one of PAGE_SIZES, else the default)."""
    per_page = parse_id(request.GET.get("per_page"))
    if per_page not in PAGE_SIZES:
        per_page = DEFAULT_PAGE_SIZE
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rest = query.urlencode()
    query.pop("per_page", None)
    without_size = query.urlencode()
    return Paged(
        page=page,
        per_page=per_page,
        query=f"{rest}&" if rest else "",
        size_query=f"{without_size}&" if without_size else "",
    )

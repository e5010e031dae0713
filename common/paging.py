"""Pages of a long list (the cycle overview, the document grid) with a size the user picks.

A list of up to ONE_PAGE_UP_TO rows comes on one page unless the user picks a size, so the
Beijing office's 50 agencies look as they always did; a province's thousands come
DEFAULT_PAGE_SIZE at a time (the page stays small and fast: issue 16).
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from common.inputs import parse_id

PAGE_SIZES = (50, 100, 200)
DEFAULT_PAGE_SIZE = 50
ONE_PAGE_UP_TO = 100


@dataclass(frozen=True)
class Paged:
    page: Page
    per_page: int
    query: str  # the request's query string without the page: "a=1&" or ""
    size_query: str  # the same without the page size either
    chosen: bool  # the size is the user's (kept when they search or filter)
    page_param: str = "page"
    size_param: str = "per_page"

    sizes = PAGE_SIZES

    @property
    def page_range(self):
        """The page numbers to link, with Paginator.ELLIPSIS where some are left out."""
        return self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2)


def paginate(request: HttpRequest, items, prefix: str = "") -> Paged:
    """The page of ``items`` the request asks for: ``page`` (past the end gives the last
    page, nonsense the first) and ``per_page`` (one of PAGE_SIZES; else all of a short list
    on one page, and DEFAULT_PAGE_SIZE of a long one). A second list on the same page has
    its own ``prefix`` ("progress_page", "progress_per_page"); each keeps the other's."""
    page_param, size_param = f"{prefix}page", f"{prefix}per_page"
    per_page = parse_id(request.GET.get(size_param))
    chosen = per_page in PAGE_SIZES
    paginator = Paginator(items, per_page if chosen else DEFAULT_PAGE_SIZE)
    if not chosen:
        # the count is cached: the page and the counts below ask the database once
        per_page = ONE_PAGE_UP_TO if paginator.count <= ONE_PAGE_UP_TO else DEFAULT_PAGE_SIZE
        paginator.per_page = per_page
    page = paginator.get_page(request.GET.get(page_param))
    query = request.GET.copy()
    query.pop(page_param, None)
    rest = query.urlencode()
    query.pop(size_param, None)
    without_size = query.urlencode()
    return Paged(
        page=page,
        per_page=per_page,
        query=f"{rest}&" if rest else "",
        size_query=f"{without_size}&" if without_size else "",
        chosen=chosen,
        page_param=page_param,
        size_param=size_param,
    )

"""One page of a long list, for the `{% pagination %}` tag."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page, Paginator


def page_of(request, rows, param: str = "page", size: int | None = None) -> tuple[Page, list]:
    """The page the request asks for (`?page=`, or `param`), and the page numbers to show with
    gaps (…) for the pagination component."""
    page = Paginator(rows, size or settings.PAGE_SIZE).get_page(request.GET.get(param))
    return page, list(page.paginator.get_elided_page_range(page.number, on_ends=1))

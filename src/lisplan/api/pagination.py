"""``?page=N&page_size=M`` → ``{"count": …, "results": […]}``."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model

MAX_PAGE_SIZE = 200


def default_page_size() -> int:
    return min(getattr(settings, "NINJA_PAGINATION_PER_PAGE", 50), MAX_PAGE_SIZE)


class PageQuery(Schema):
    """Paging parameters; list filters inherit from this."""

    page: int = Field(1, ge=1, le=1_000_000, description="Sidenummer, fra 1.")
    page_size: int = Field(
        default_factory=default_page_size,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Antall per side, høyst {MAX_PAGE_SIZE}.",
    )


@cache
def page_of(item: type[Schema]) -> type[Schema]:
    """The response schema of a list of ``item``: ``{"count": int, "results": [item]}``."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(
        name,
        __base__=Schema,
        count=(int, Field(..., description="Antall treff i alt, på tvers av sider.")),
        results=(list[item], ...),
    )


def paginate(queryset: QuerySet, query: PageQuery) -> dict:
    """One page of ``queryset`` (two queries, plus its prefetches); a page past the end is
    empty."""
    count = queryset.count()
    start = (query.page - 1) * query.page_size
    results = list(queryset[start : start + query.page_size]) if start < count else []
    return {"count": count, "results": results}

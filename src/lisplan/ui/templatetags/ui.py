"""Template helpers shared by every app: `{% load ui %}`.

- `{% page_query "page" 3 %}`: the current query string with one parameter changed;
- `{{ n|tall }}`, `{{ share|prosent }}`: Norwegian number formats (`4 307`, `36,6 %`);
- `{% pagination page page_range %}`: the one pagination component (includes/pagination.html).
"""

from __future__ import annotations

from django import template

from lisplan.ui import numbers

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, param: str, value) -> str:
    """The current query string with `param` set to `value` (other parameters kept)."""
    query = context["request"].GET.copy()
    query[param] = value
    return "?" + query.urlencode()


@register.filter
def tall(value, decimals=None):
    """`4307` → `4 307`; `{{ x|tall:1 }}` → one decimal with a comma."""
    return numbers.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def prosent(value, decimals=1):
    """A value in per cent → `36,6 %`."""
    return numbers.percent(value, int(decimals))


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page, page_range=None, param="page", label="", target=""):
    """One pagination component for every list: `page` is a Django Page, `page_range` its
    elided range, `param` the query parameter, `label` the navigation's name when a page has
    more than one pager, `target` an htmx target to swap instead of loading the page."""
    if page_range is None:
        page_range = page.paginator.get_elided_page_range(page.number)
    return {
        "request": context["request"],
        "page": page,
        "page_range": list(page_range),
        "param": param,
        "label": label,
        "target": target,
    }


@register.filter
def may(user, permission: str) -> bool:
    """`{% if user|may:"vacancy.view" %}`: whether to show a link (the access policy decides)."""
    from lisplan.accounts.access import has_permission

    return has_permission(user, permission)

"""Template helpers shared by every app: `{% load ui %}`.

- `{% page_query "page" 3 %}`: the current query string with one parameter changed;
- `{{ n|tall }}`, `{{ share|prosent }}`: Norwegian number formats (`4 307`, `36,6 %`);
- `{% pagination page page_range %}`: the one pagination component (includes/pagination.html);
- `{% breadcrumbs %}`: the one breadcrumb component (includes/breadcrumbs.html), see below;
- `{% capture name %}…{% endcapture %}`: renders its content and keeps it as `name` too;
- `{% goal g %}` / `{% goals gs %}`: learning goals with their words beside the code;
- `{% institution inst %}`: an institution's short name with the full name at hand;
- `{{ obj|choice:"role" }}`: what `obj.get_role_display` shows, for rows of a list.
"""

from __future__ import annotations

import functools

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


@register.inclusion_tag("includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, *trail, here=None):
    """The trail from the start page to this page, on every page below the start page.

    base.html shows it by itself: «Mine oppgaver» › the menu section the page belongs to (when
    the page is not the section's own page) › the page's title. A page with a deeper trail
    overrides `{% block breadcrumbs %}` and names the steps between, as (label, url) pairs,
    and the current page's words as `here` (default: the page's title)::

        {% block breadcrumbs %}{% url 'rotations:agreements' as list_url %}
          {% breadcrumbs _("Fagavtaler") list_url here=agreement.name %}{% endblock %}

    «Mine oppgaver» is always the first step; the current page is the last (aria-current).
    On a phone only a link back to the step before it shows (Designsystemet's breadcrumbs)."""
    request = context.get("request")
    if request is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"crumbs": []}
    home = reverse("home")
    if request.path == home:
        return {"crumbs": []}
    if len(trail) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes (label, url) pairs")
    steps = [(str(trail[i]), str(trail[i + 1])) for i in range(0, len(trail), 2)]
    if (
        not trail
        and here is None
        and 'class="ds-breadcrumbs' in str(context.get("page_content", ""))
    ):
        return {"crumbs": []}  # the page brings its own trail (not yet this component)
    if not trail:  # the menu section this page belongs to, unless it is the section's page
        items = [*(context.get("nav_items") or ()), *(context.get("nav_more") or ())]
        section = next((i for i in items if i.current), None)
        if section is not None and section.url not in (request.path, home):
            steps = [(str(section.full_label or section.label), section.url)]
    crumbs = [(str(_("Mine oppgaver")), home), *(s for s in steps if s[1] != home)]
    label = here if here not in (None, "") else context.get("page_title", "")
    if not str(label).strip():
        return {"crumbs": []}
    return {
        "crumbs": [{"label": lbl, "url": url} for lbl, url in crumbs],
        "back": {"label": crumbs[-1][0], "url": crumbs[-1][1]},
        "here": label,
        "here_url": request.get_full_path(),
    }


class _CaptureNode(template.Node):
    def __init__(self, nodelist, name: str, silent: bool):
        self.nodelist = nodelist
        self.name = name
        self.silent = silent

    def render(self, context):
        # The template's own output, already rendered with autoescaping: safe to mark safe.
        output = self.nodelist.render(context)
        if self.silent:  # kept whole, shown later
            context[self.name] = mark_safe(output)  # noqa: S308  # nosec B308 B703
            return ""
        context[self.name] = mark_safe(" ".join(output.split()))  # noqa: S308  # nosec B308 B703
        return output


@register.tag
def capture(parser, token):
    """`{% capture page_title %}{% block title %}{% endblock %}{% endcapture %}`: the content,
    rendered in place and kept as a variable for later in the same template (base.html keeps
    the page's title for the breadcrumbs). With `silent` it is only kept (base.html renders
    the page's content before the breadcrumbs, and shows it after them)."""
    bits = token.split_contents()
    if len(bits) not in (2, 3) or (len(bits) == 3 and bits[2] != "silent"):
        raise template.TemplateSyntaxError("capture takes a variable name (and «silent»)")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return _CaptureNode(nodelist, bits[1], silent=len(bits) == 3)


# --- words beside codes ------------------------------------------------------------------

GOAL_TITLE_CHARS = 90


def _attr(value, key: str):
    if isinstance(value, dict):
        return value.get(key, "")
    return getattr(value, key, "")


@register.simple_tag
def goal(value, chars=GOAL_TITLE_CHARS):
    """A learning goal as a person reads it: its code with the goal's words beside it, never a
    bare code — `{% goal g %}` → «ORT-003 Kan vurdere og behandle …» (the whole text in
    `title` when it is shortened). Takes a LearningGoal or anything with `code` and `text`
    (or `title`)."""
    if value is None or value == "":
        return "–"
    code = _attr(value, "code") or str(value)
    text = str(_attr(value, "text") or _attr(value, "title") or "").strip()
    if not text:
        return format_html('<span class="lp-code">{}</span>', code)
    chars = int(chars)
    short = text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + "…"
    if short == text:
        return format_html(
            '<span class="lp-goal"><span class="lp-code">{}</span> {}</span>', code, text
        )
    return format_html(
        '<span class="lp-goal" title="{}"><span class="lp-code">{}</span> {}</span>',
        text,
        code,
        short,
    )


@register.simple_tag
def goals(values, chars=GOAL_TITLE_CHARS):
    """Several learning goals, one per line (`{% goals agreement.goals.all %}`); «–» for none."""
    rows = [goal(g, chars) for g in values or ()]
    if not rows:
        return "–"
    return format_html(
        '<ul class="lp-goal-list">{}</ul>',
        format_html_join("", "<li>{}</li>", ((r,) for r in rows)),
    )


@register.simple_tag
def institution(value):
    """An institution by its short name, with the full name at hand: `{% institution inst %}`
    → <abbr title="Helse Stavanger">HSYK</abbr>, read out as the full name by screen readers.
    An institution without a short name (or one equal to its name) shows its name."""
    if value is None or value == "":
        return "–"
    name = str(_attr(value, "name") or value)
    code = str(_attr(value, "code") or "")
    if not code or code == name:
        return name
    return format_html(
        '<abbr class="lp-abbr" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="ds-sr-only">{}</span></abbr>',
        name,
        code,
        name,
    )


@register.filter
def choice(obj, field: str):
    """The label of a field's value, as `get_<field>_display()` gives it: that method builds the
    field's choices anew on every call (~0.1 ms), too slow for every row of a list."""
    value = getattr(obj, field)
    return _labels(type(obj), field).get(value, value)


@functools.cache
def _labels(model, field: str) -> dict:
    return dict(model._meta.get_field(field).flatchoices)

"""`{% export_links obj %}`: links to the registration form (PDF, JSON) and to recording the
answer, for the sending coordinator of a request to a trust outside the system."""

from __future__ import annotations

from django import template

from lisplan.accounts.access import can
from lisplan.rotations import export

register = template.Library()


@register.inclusion_tag("rotations/_export_links.html", takes_context=True)
def export_links(context, obj):
    user = context["request"].user
    show = obj.status in export.EXPORTABLE and can(user, "register.forward", obj)
    return {
        "obj": obj,
        "show": show,
        "external": show and export.is_external(obj),
        "answerable": obj.status in export.ANSWERABLE,
    }

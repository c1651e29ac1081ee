"""`QuickSelect` writes the same options as Django's `Select`, without a template per option."""

from __future__ import annotations

import re

import pytest
from django import forms

from lisplan.ui.widgets import QuickSelect

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[tuple[str, bool, str]]:
    return [
        (value, bool(selected), label.strip())
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html
        )
    ]


def _attrs(html: str) -> str:
    return re.match(r"<select([^>]*)>", html).group(1).split()


@pytest.mark.parametrize("value", ["", "2", None, "nope"])
def test_same_options_and_attributes_as_django_select(world, value):
    from lisplan.organisations.models import Institution

    class Slow(forms.Form):
        institution = forms.ModelChoiceField(
            queryset=Institution.objects.order_by("name"), required=False, empty_label="Alle"
        )

    class Quick(forms.Form):
        institution = forms.ModelChoiceField(
            queryset=Institution.objects.order_by("name"),
            required=False,
            empty_label="Alle",
            widget=QuickSelect(attrs={"class": "ds-input"}),
        )

    Slow.base_fields["institution"].widget.attrs["class"] = "ds-input"
    data = {"institution": value} if value is not None else {}
    slow = str(Slow(data)["institution"])
    quick = str(Quick(data)["institution"])
    assert len(_options(slow)) == Institution.objects.count() + 1
    assert _options(quick) == _options(slow)
    assert sorted(_attrs(quick)) == sorted(_attrs(slow))


def test_labels_are_escaped():
    field = forms.ChoiceField(choices=[("a", "<b>&"), ("b", "B")], widget=QuickSelect)
    html = field.widget.render("x", "a")
    assert '<option value="a" selected>&lt;b&gt;&amp;</option>' in html


def test_choice_filter_shows_what_get_display_shows():
    """`{{ obj|choice:"field" }}` (the choices read once) gives the same label as Django's
    `get_<field>_display()`, in either language, and the value itself when it is no choice."""
    from django.utils import translation

    from lisplan.plans.models import Signature
    from lisplan.ui.templatetags.ui import choice

    for language in ("nb", "en"):
        with translation.override(language):
            for value in [*Signature.Role.values, "unknown"]:
                s = Signature(role=value)
                assert str(choice(s, "role")) == s.get_role_display()


def test_status_tags_label_as_get_display():
    """The status tags of the long lists name each status as the model does."""
    from lisplan.programmes.models import ProgrammePlan
    from lisplan.programmes.templatetags.plan_status import plan_status
    from lisplan.progress.models import ProgressSummary
    from lisplan.progress.templatetags.progress_status import progress_status
    from lisplan.rotations.models import RotationRequest
    from lisplan.rotations.templatetags.rotation_status import request_status

    for model, tag in [
        (RotationRequest, request_status),
        (ProgressSummary, progress_status),
        (ProgrammePlan, plan_status),
    ]:
        for value, _label in model._meta.get_field("status").flatchoices:
            row = model(status=value)
            assert f">{row.get_status_display()}</span>" in tag(row)

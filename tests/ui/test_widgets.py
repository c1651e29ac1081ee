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

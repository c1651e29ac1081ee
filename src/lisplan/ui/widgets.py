"""Form widgets that render in Python where Django's template per option is too slow."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A single `<select>` written in Python rather than one template render per option: the
    queue and conflict filters (a hundred agreements, every institution and specialty) spent
    more time rendering their options than the page spent on its data (issue #18). The same
    markup as `forms.Select` for flat choices (no option groups), without the whitespace."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        rows = []
        for option, label in self.choices:
            if isinstance(label, list | tuple):  # an option group: not supported here
                return super().render(name, value, attrs, renderer)
            text = "" if option is None else str(option)
            rows.append((text, " selected" if text in chosen else "", label))
        options = format_html_join("", '<option value="{}"{}>{}</option>', rows)
        return format_html("<select{}>{}</select>", flatatt(final), options)

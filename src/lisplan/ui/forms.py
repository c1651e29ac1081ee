"""The form renderer: Django's form templates, with Designsystemet's checkboxes and radios.

Every checkbox and radio button a Django form renders gets `class="ds-input"` and, in a group
(RadioSelect, CheckboxSelectMultiple), sits in its own `ds-field` beside a `ds-label`, as
Designsystemet's components are built — never a bare browser control. The templates are in
`ui/form_templates/django/forms/widgets/`; everything else is Django's own."""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property


class FormRenderer(DjangoTemplates):
    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": False,
                "DIRS": [
                    Path(__file__).parent / "form_templates",
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "lisplanforms",
                "OPTIONS": {},
            }
        )

"""Forms for signing in and API keys, and the Designsystemet markup every lisplan form shares."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class DesignsystemetForm:
    """Mixin: Designsystemet classes on the widgets, and errors tied to their inputs."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "ds-input")

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers read the message together with the input it belongs to.
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"]
                if bound.help_text:
                    ids.append(f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)


class LoginForm(DesignsystemetForm, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Feil brukernavn eller passord. Sjekk at du har skrevet riktig; "
            "store og små bokstaver teller i passordet."
        ),
        "inactive": _("Denne brukerkontoen er deaktivert."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Brukernavn")
        self.fields["password"].label = _("Passord")
        self.fields["username"].error_messages["required"] = _("Skriv inn brukernavnet ditt.")
        self.fields["password"].error_messages["required"] = _("Skriv inn passordet ditt.")


class ApiTokenForm(DesignsystemetForm, forms.Form):
    name = forms.CharField(
        label=_("Navn på nøkkelen"), max_length=100, required=False,
        help_text=_("For eksempel systemet som skal bruke nøkkelen."),
    )

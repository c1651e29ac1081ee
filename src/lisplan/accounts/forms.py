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
    """Local passwords: demo users, and break-glass accounts, which also give a one-time code
    (TOTP, django-otp). Everyone else signs in with HelseID or Entra ID once one is set up
    (`lisplan.accounts.passwords.password_login_allowed`)."""

    error_messages = {
        "invalid_login": _(
            "Feil brukernavn eller passord. Sjekk at du har skrevet riktig; "
            "store og små bokstaver teller i passordet."
        ),
        "inactive": _("Denne brukerkontoen er deaktivert."),
        "code_required": _("Skriv inn engangskoden fra autentiseringsappen din."),
        "code_invalid": _("Engangskoden er feil eller utløpt. Skriv inn koden som vises nå."),
        "password_not_allowed": _(
            "Denne brukeren logger inn med HelseID eller Entra ID, ikke med passord."
        ),
    }

    otp_token = forms.CharField(
        label=_("Engangskode"),
        required=False,
        max_length=12,
        help_text=_("Bare for nødtilgangskontoer: den sekssifrede koden fra autentiseringsappen."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.otp_device = None
        self.fields["username"].label = _("Brukernavn")
        self.fields["password"].label = _("Passord")
        self.fields["username"].error_messages["required"] = _("Skriv inn brukernavnet ditt.")
        self.fields["password"].error_messages["required"] = _("Skriv inn passordet ditt.")

    def confirm_login_allowed(self, user) -> None:
        from lisplan.accounts import passwords

        super().confirm_login_allowed(user)
        if not passwords.password_login_allowed(user):
            passwords.login_refused(self.request, user, "password_not_allowed")
            raise forms.ValidationError(
                self.error_messages["password_not_allowed"], code="password_not_allowed"
            )
        device = passwords.otp_device(user)
        if device is None:
            return
        code = (self.cleaned_data.get("otp_token") or "").strip().replace(" ", "")
        if not code:
            passwords.login_refused(self.request, user, "otp_missing")
            raise forms.ValidationError(self.error_messages["code_required"], code="code_required")
        if not device.verify_token(code):
            passwords.login_refused(self.request, user, "otp_invalid")
            raise forms.ValidationError(self.error_messages["code_invalid"], code="code_invalid")
        self.otp_device = device


class ApiTokenForm(DesignsystemetForm, forms.Form):
    name = forms.CharField(
        label=_("Navn på nøkkelen"),
        max_length=100,
        required=False,
        help_text=_("For eksempel systemet som skal bruke nøkkelen."),
    )
    expires_on = forms.DateField(
        label=_("Utløper"),
        required=False,
        help_text=_("Dato (dd.mm.åååå). Tomt: om ett år, som også er det lengste."),
    )

    def clean_expires_on(self):
        import datetime as dt

        from django.utils import timezone

        value = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        today = timezone.localdate()
        if value <= today:
            raise forms.ValidationError(_("Utløpsdatoen må være etter i dag."))
        if value > today + dt.timedelta(days=365):
            raise forms.ValidationError(_("En API-nøkkel kan gjelde i høyst ett år."))
        return value

    def expires_at(self):
        import datetime as dt

        from django.utils import timezone

        value = self.cleaned_data.get("expires_on")
        if value is None:
            return None
        # The key works through the chosen day (Oslo time).
        return timezone.make_aware(dt.datetime.combine(value + dt.timedelta(days=1), dt.time()))

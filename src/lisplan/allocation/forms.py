"""The form that starts an allocation run."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import has_permission
from lisplan.accounts.forms import DesignsystemetForm
from lisplan.allocation.models import (
    DEFAULT_MAX_DELAY_MONTHS,
    DEFAULT_TIME_LIMIT,
    MAX_DELAY_MONTHS,
    MAX_QUEUE_WEIGHT,
    MAX_TIME_LIMIT,
    MIN_QUEUE_WEIGHT,
    MIN_TIME_LIMIT,
)
from lisplan.allocation.services import policy_for, runnable_regions
from lisplan.organisations.models import Region

NATIONAL = "national"


class RunForm(DesignsystemetForm, forms.Form):
    scope = forms.ChoiceField(
        label=_("Hvem planen gjelder"),
        help_text=_("Ønskene som er sendt til mottakende foretak i regionen, eller i hele landet."),
        error_messages={
            "required": _("Velg hvem planen gjelder."),
            "invalid_choice": _("Velg en region du har tilgang til."),
        },
    )
    max_delay_months = forms.IntegerField(
        label=_("Største forsinkelse, i måneder"),
        min_value=0,
        max_value=MAX_DELAY_MONTHS,
        initial=DEFAULT_MAX_DELAY_MONTHS,
        help_text=_(
            "Hvor mange måneder en lege høyst kan bli forsinket sammenlignet med køen, "
            "for at andre skal få plass tidligere. 0 betyr at køen følges strengt: "
            "ingen starter senere enn køordningen gir. Ingen mister plassen de får i "
            "køordningen."
        ),
        error_messages={
            "required": _("Oppgi største forsinkelse i hele måneder (0 eller mer)."),
            "invalid": _("Største forsinkelse må være et helt antall måneder."),
            "min_value": _("Største forsinkelse kan ikke være under 0 måneder."),
            "max_value": _("Største forsinkelse kan ikke være over %(limit_value)s måneder."),
        },
    )
    time_limit = forms.IntegerField(
        label=_("Tidsgrense, i sekunder"),
        min_value=MIN_TIME_LIMIT,
        max_value=MAX_TIME_LIMIT,
        initial=DEFAULT_TIME_LIMIT,
        help_text=_(
            "Så lenge får beregningen holde på. Finner den ingen bedre plan innen "
            "tiden, brukes køordningen."
        ),
        error_messages={
            "required": _("Oppgi tidsgrensen i hele sekunder."),
            "invalid": _("Tidsgrensen må være et helt antall sekunder."),
            "min_value": _("Tidsgrensen må være minst %(limit_value)s sekunder."),
            "max_value": _("Tidsgrensen kan ikke være over %(limit_value)s sekunder."),
        },
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {str(r.pk): r for r in runnable_regions(user).order_by("name")}
        choices = [(f"region:{pk}", r.name) for pk, r in self.regions.items()]
        if has_permission(user, "allocation.run_national"):
            choices.append((NATIONAL, _("Hele landet")))
        self.fields["scope"].choices = choices
        # Any region, or the whole country, is a valid answer: whether the user may run it is
        # the service's decision (`can_run_allocation`), the same on the page and in the API.
        self.fields["scope"].valid_value = _known_scope
        # Δ and the time limit start from the policy of the region asked for (?scope=), else
        # of the first region offered; national runs start from the defaults.
        wanted = self.initial.get("scope")
        if wanted not in dict(choices):
            wanted = choices[0][0] if choices else None
        if wanted:
            self.initial["scope"] = wanted
            self.policy = policy_for(
                None if wanted == NATIONAL else self.regions[wanted.split(":", 1)[1]]
            )
            self.initial.setdefault("max_delay_months", self.policy.max_delay_months)
            self.initial.setdefault("time_limit", self.policy.time_limit)
        else:
            self.policy = None

    def region(self):
        """The chosen region, or None for the whole country."""
        scope = self.cleaned_data["scope"]
        if scope == NATIONAL:
            return None
        pk = scope.split(":", 1)[1]
        return self.regions.get(pk) or Region.objects.get(pk=int(pk))


def _known_scope(value) -> bool:
    if value == NATIONAL:
        return True
    kind, _sep, pk = str(value).partition(":")
    return kind == "region" and pk.isdigit() and Region.objects.filter(pk=int(pk)).exists()


# The same rules as the run form (and `services.validate_settings`), with the same messages.
_DELAY = RunForm.base_fields["max_delay_months"]
_LIMIT = RunForm.base_fields["time_limit"]


def _whole(value: float) -> float | int:
    """1 rather than 1.0 in the messages."""
    return int(value) if float(value).is_integer() else value


class PolicyForm(DesignsystemetForm, forms.Form):
    queue_weight = forms.FloatField(
        label=_("Køvekt (0–1)"),
        min_value=_whole(MIN_QUEUE_WEIGHT),
        max_value=_whole(MAX_QUEUE_WEIGHT),
        localize=True,
        help_text=_(
            "Hvor sterkt planen skal holde seg til rekkefølgen i køen. Høyere verdi "
            "gir færre som blir forbigått, mot litt mer ventetid samlet. Vekten får "
            "aldri planen til å gi plass til færre ønsker. Standard er 0,01."
        ),
        error_messages={
            "required": _("Oppgi køvekten, et tall fra 0 til 1 (for eksempel 0,01)."),
            "invalid": _(
                "Køvekten må være et tall fra 0 til 1, med komma som desimaltegn "
                "(for eksempel 0,05)."
            ),
            "min_value": _("Køvekten kan ikke være under %(limit_value)s."),
            "max_value": _("Køvekten kan ikke være over %(limit_value)s."),
        },
    )
    max_delay_months = forms.IntegerField(
        label=_("Standard største forsinkelse, i måneder"),
        min_value=0,
        max_value=MAX_DELAY_MONTHS,
        help_text=_DELAY.help_text,
        error_messages=_DELAY.error_messages,
    )
    time_limit = forms.IntegerField(
        label=_("Standard tidsgrense, i sekunder"),
        min_value=MIN_TIME_LIMIT,
        max_value=MAX_TIME_LIMIT,
        help_text=_LIMIT.help_text,
        error_messages=_LIMIT.error_messages,
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _("Skjemaet mangler versjonen. Last inn siden på nytt."),
            "invalid": _("Skjemaet mangler versjonen. Last inn siden på nytt."),
            "min_value": _("Skjemaet mangler versjonen. Last inn siden på nytt."),
        },
    )

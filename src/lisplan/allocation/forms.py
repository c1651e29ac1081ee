"""The form that starts an allocation run."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import has_permission
from lisplan.accounts.forms import DesignsystemetForm
from lisplan.allocation.models import MAX_DELAY_MONTHS, MAX_TIME_LIMIT, MIN_TIME_LIMIT
from lisplan.allocation.services import runnable_regions

NATIONAL = "national"


class RunForm(DesignsystemetForm, forms.Form):
    scope = forms.ChoiceField(
        label=_("Hvem planen gjelder"),
        help_text=_("Ønskene som er sendt til mottakende foretak i regionen, eller i hele "
                    "landet."),
        error_messages={"required": _("Velg hvem planen gjelder."),
                        "invalid_choice": _("Velg en region du har tilgang til.")},
    )
    max_delay_months = forms.IntegerField(
        label=_("Største forsinkelse (Δ), i måneder"), min_value=0, max_value=MAX_DELAY_MONTHS,
        initial=3,
        help_text=_("Hvor mange måneder en lege høyst kan bli forsinket sammenlignet med køen, "
                    "for at andre skal få plass tidligere. 0 betyr at køen følges strengt: "
                    "ingen starter senere enn køordningen gir. Ingen mister plassen de får i "
                    "køordningen."),
        error_messages={
            "required": _("Oppgi største forsinkelse i hele måneder (0 eller mer)."),
            "invalid": _("Største forsinkelse må være et helt antall måneder."),
            "min_value": _("Største forsinkelse kan ikke være under 0 måneder."),
            "max_value": _("Største forsinkelse kan ikke være over %(limit_value)s måneder."),
        },
    )
    time_limit = forms.IntegerField(
        label=_("Tidsgrense, i sekunder"), min_value=MIN_TIME_LIMIT, max_value=MAX_TIME_LIMIT,
        initial=30,
        help_text=_("Så lenge får beregningen holde på. Finner den ingen bedre plan innen "
                    "tiden, brukes køordningen."),
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

    def region(self):
        """The chosen region, or None for the whole country."""
        scope = self.cleaned_data["scope"]
        return None if scope == NATIONAL else self.regions[scope.split(":", 1)[1]]

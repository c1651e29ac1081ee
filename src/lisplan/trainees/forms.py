"""Forms for the trainee pages: the list's search and filters, and the coordinators' edits."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import scope_filter
from lisplan.accounts.forms import DesignsystemetForm
from lisplan.catalogue.models import Specialty
from lisplan.organisations.models import Institution, LearningArena
from lisplan.trainees.models import Employment, LeavePeriod, Supervision
from lisplan.trainees.queries import TraineeFilters

EMPLOYMENT_CHOICES = [("", _("Alle")), ("permanent", _("Fast")), ("temporary", _("Vikariat"))]


class TraineeFilterForm(DesignsystemetForm, forms.Form):
    q = forms.CharField(
        label=_("Søk etter navn eller HPR-nummer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    institution = forms.ModelChoiceField(
        label=_("Arbeidsgiver"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("Alle"),
    )
    specialty = forms.ModelChoiceField(
        label=_("Spesialitet"),
        queryset=Specialty.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Alle"),
    )
    employment = forms.ChoiceField(
        label=_("Fast eller vikariat"), choices=EMPLOYMENT_CHOICES, required=False
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the employers and specialties of trainees the user can see.
        visible = scope_filter(user, "trainee.view", Employment.objects.not_ended())
        self.fields["institution"].queryset = Institution.objects.filter(
            Exists(visible.filter(institution=OuterRef("pk")))
        )
        self.fields["specialty"].queryset = Specialty.objects.filter(
            Exists(visible.filter(specialty=OuterRef("pk")))
        )

    def filters(self) -> TraineeFilters:
        """The valid part of the input; an invalid field is reported and ignored."""
        self.is_valid()  # cleaned_data keeps the fields that passed
        data = self.cleaned_data
        institution = data.get("institution")
        specialty = data.get("specialty")
        employment = data.get("employment") or ""
        return TraineeFilters(
            q=data.get("q") or "",
            institution=institution.pk if institution else None,
            specialty=specialty.code if specialty else None,
            permanent={"permanent": True, "temporary": False}.get(employment),
        )


def _date_widget() -> forms.DateInput:
    # The browser's date picker; it shows dd.mm.åååå in Norwegian and submits ISO dates.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EmploymentForm(DesignsystemetForm, forms.ModelForm):
    permanent = forms.TypedChoiceField(
        label=_("Fast eller vikariat"),
        choices=[(True, _("Fast")), (False, _("Vikariat"))],
        coerce=lambda value: value in (True, "True"),
    )

    class Meta:
        model = Employment
        fields = [
            "institution",
            "arena",
            "specialty",
            "permanent",
            "position_percent",
            "start",
            "end",
            "scheme",
            "employee_number",
        ]
        widgets = {"start": _date_widget(), "end": _date_widget()}
        help_texts = {"end": _("Påkrevd for vikariat.")}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Employers where the user already manages trainees, and the one already chosen.
        managed = scope_filter(user, "trainee.change", Employment.objects.not_ended())
        institutions = Institution.objects.filter(
            Exists(managed.filter(institution=OuterRef("pk"))) | Q(pk=self.instance.institution_id)
        )
        self.fields["institution"].queryset = institutions
        self.fields["arena"].queryset = LearningArena.objects.filter(
            institution__in=institutions
        ).select_related("institution")
        self.fields["arena"].label_from_instance = lambda a: f"{a.name} ({a.institution})"
        self.fields["institution"].empty_label = _("Velg arbeidsgiver")
        self.fields["arena"].empty_label = _("Ingen læringsarena valgt")
        self.fields["specialty"].empty_label = _("Velg spesialitet")


class LeaveForm(DesignsystemetForm, forms.ModelForm):
    class Meta:
        model = LeavePeriod
        fields = ["kind", "start", "end", "percent"]
        widgets = {"start": _date_widget(), "end": _date_widget()}


class SupervisionForm(DesignsystemetForm, forms.ModelForm):
    """A supervisor for the trainee: someone with the supervisor role at the trainee's
    employer (the administrator gives that role)."""

    class Meta:
        model = Supervision
        fields = ["supervisor", "kind", "start", "end"]
        widgets = {"start": _date_widget(), "end": _date_widget()}

    def __init__(self, *args, trainee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from lisplan.accounts.models import Role, RoleAssignment, User

        employers = Employment.objects.not_ended().filter(trainee=trainee).values("institution_id")
        holders = RoleAssignment.objects.active().filter(
            role=Role.SUPERVISOR, institution_id__in=employers
        )
        self.fields["supervisor"].queryset = User.objects.filter(
            is_active=True, pk__in=holders.values("user_id")
        ).order_by("last_name", "first_name")
        self.fields["supervisor"].empty_label = _("Velg veileder")
        self.fields["supervisor"].help_text = _(
            "Brukere med rollen veileder ved arbeidsgiveren til legen."
        )


class SupervisionEndForm(DesignsystemetForm, forms.Form):
    end = forms.DateField(
        label=_("Siste dag med veiledning"),
        widget=_date_widget(),
        error_messages={"required": _("Velg siste dag med veiledning.")},
    )

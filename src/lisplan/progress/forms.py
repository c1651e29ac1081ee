"""Forms for recording activities, goal status and approvals, service periods, and the
overview's filters."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import scope_filter
from lisplan.accounts.forms import DesignsystemetForm
from lisplan.accounts.models import User
from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.organisations.models import Institution, LearningArena
from lisplan.progress.models import (
    ActivityKind,
    ActivityRecord,
    Assessment,
    Course,
    GoalStatus,
    ProgressStatus,
    ServicePeriod,
)
from lisplan.trainees.models import Employment, Trainee
from lisplan.ui.widgets import QuickSelect


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# The fields each kind of activity shows (besides kind-independent `date` and `goals`).
KIND_FIELDS: dict[str, list[str]] = {
    ActivityKind.COURSE: ["course", "title", "date", "end_date", "hours", "goals"],
    ActivityKind.PROCEDURE: ["title", "date", "count", "goals"],
    ActivityKind.OUT_OF_HOURS: ["date", "count", "institution"],
    ActivityKind.GROUP_SUPERVISION: ["date", "end_date", "hours", "summary"],
    ActivityKind.SUPERVISION_MEETING: ["date", "supervisor", "minutes_by", "summary", "goals"],
    ActivityKind.ASSESSMENT_PANEL: ["date", "participants", "summary", "goals"],
    ActivityKind.OTHER: ["title", "date", "end_date", "hours", "summary", "goals"],
}

HELP = {
    ActivityKind.COURSE: {"title": _("Bare når kurset ikke står i kurskatalogen.")},
    ActivityKind.PROCEDURE: {
        "title": _("Prosedyren, f.eks. «Lumbalpunksjon»."),
        "count": _("Antall utførte prosedyrer denne dagen/perioden."),
    },
    ActivityKind.OUT_OF_HOURS: {"count": _("Antall legevakter (ALIS: minst 40 i alt).")},
    ActivityKind.GROUP_SUPERVISION: {"hours": _("Timer i perioden (om lag 60 timer per år).")},
}


def relevant_goals(trainee: Trainee):
    """Goal versions valid today in the specialties of the trainee's employments, and FKM."""
    today = timezone.localdate()
    specialties = Employment.objects.filter(trainee=trainee).values("specialty_id")
    return LearningGoal.objects.filter(
        Q(specialty_id__in=specialties) | Q(common=True),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        valid_from__lte=today,
    ).order_by("code")


class ActivityForm(DesignsystemetForm, forms.ModelForm):
    class Meta:
        model = ActivityRecord
        fields = [
            "course",
            "title",
            "date",
            "end_date",
            "hours",
            "count",
            "supervisor",
            "minutes_by",
            "participants",
            "summary",
            "institution",
            "goals",
        ]
        widgets = {
            "date": _date_widget(),
            "end_date": _date_widget(),
            "participants": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, kind: str, trainee: Trainee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        wanted = KIND_FIELDS[kind]
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        if "course" in self.fields:
            self.fields["course"].queryset = Course.objects.select_related("specialty")
            self.fields["course"].empty_label = _("Velg kurs")
        if "supervisor" in self.fields:
            self.fields["supervisor"].queryset = User.objects.filter(
                supervisions__trainee=trainee
            ).distinct()
            self.fields["supervisor"].empty_label = _("Velg veileder")
        if "institution" in self.fields:
            self.fields["institution"].queryset = Institution.objects.order_by("name")
        if "goals" in self.fields:
            self.fields["goals"].queryset = relevant_goals(trainee)
            self.fields["goals"].label_from_instance = lambda g: f"{g.code} – {g.text[:90]}"
            self.fields["goals"].help_text = _("Læringsmålene aktiviteten bidrar til (valgfritt).")
        if kind == ActivityKind.GROUP_SUPERVISION:
            self.fields["date"].label = _("Fra")
            self.fields["end_date"].label = _("Til")
        for name, text in HELP.get(kind, {}).items():
            if name in self.fields:
                self.fields[name].help_text = text


class GoalMarkForm(DesignsystemetForm, forms.Form):
    """A trainee, supervisor or leader marks a goal as started (or not)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (GoalStatus.NOT_STARTED, GoalStatus.NOT_STARTED.label),
            (GoalStatus.IN_PROGRESS, GoalStatus.IN_PROGRESS.label),
        ],
    )
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GoalApproveForm(DesignsystemetForm, forms.Form):
    """The leader of the learning arena or the local coordinator approves a goal."""

    assessment = forms.ChoiceField(
        label=_("Hvordan ble læringsmålet vurdert?"),
        choices=[("", _("Velg vurderingsform")), *Assessment.choices],
    )
    approved_on = forms.DateField(label=_("Godkjent dato"), widget=_date_widget())
    institution = forms.ModelChoiceField(
        label=_("Oppnådd ved (virksomhet)"),
        queryset=Institution.objects.order_by("name"),
        required=False,
        empty_label=_("Ikke oppgitt"),
    )
    arena = forms.ModelChoiceField(
        label=_("Oppnådd ved (læringsarena)"),
        queryset=LearningArena.objects.none(),
        required=False,
        empty_label=_("Ikke oppgitt"),
    )
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, trainee: Trainee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_on"].initial = timezone.localdate()
        employers = Employment.objects.filter(trainee=trainee).values("institution_id")
        self.fields["arena"].queryset = LearningArena.objects.filter(
            institution_id__in=employers
        ).select_related("institution")
        self.fields["arena"].label_from_instance = lambda a: f"{a.name} ({a.institution})"


class ServicePeriodForm(DesignsystemetForm, forms.ModelForm):
    class Meta:
        model = ServicePeriod
        fields = [
            "category",
            "start",
            "end",
            "percent",
            "employment",
            "institution",
            "place",
            "specialty",
            "note",
        ]
        widgets = {
            "start": _date_widget(),
            "end": _date_widget(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "end": _("Tom for en pågående periode."),
            "employment": _("Ansettelsen perioden hører til, om den er registrert i lisplan."),
            "specialty": _("Påkrevd for tjeneste i annen spesialitet."),
        }

    # The version the user read (edits only): a period changed by someone else meanwhile is
    # refused with a message instead of being overwritten.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, trainee: Trainee, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        self.fields["employment"].queryset = Employment.objects.filter(
            trainee=trainee
        ).select_related("institution", "specialty")
        self.fields["employment"].empty_label = _("Ingen")
        self.fields["institution"].empty_label = _("Ikke i lisplan / annet sted")


class OverviewFilterForm(DesignsystemetForm, forms.Form):
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
        widget=QuickSelect,
    )
    specialty = forms.ModelChoiceField(
        label=_("Spesialitet"),
        queryset=Specialty.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Alle"),
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        label=_("Progresjon"),
        required=False,
        choices=[("", _("Alle")), *ProgressStatus.choices],
        widget=QuickSelect,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        trainees = scope_filter(user, "progress.view", Trainee.objects.all()).values("pk")
        visible = Employment.objects.not_ended().filter(trainee_id__in=trainees)
        self.fields["institution"].queryset = Institution.objects.filter(
            Exists(visible.filter(institution=OuterRef("pk")))
        )
        self.fields["specialty"].queryset = Specialty.objects.filter(
            Exists(visible.filter(specialty=OuterRef("pk")))
        )


class ImportUploadForm(DesignsystemetForm, forms.Form):
    """The spreadsheet a local coordinator uploads (docs/progress-import.md)."""

    file = forms.FileField(
        label=_("Fil (.xlsx eller .csv)"),
        help_text=_(
            "Kolonner og regler står i veiledningen under. Filen kontrolleres først; "
            "ingenting lagres før du bekrefter."
        ),
        error_messages={
            "required": _("Velg filen som skal importeres."),
            "empty": _("Filen er tom."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        from lisplan.progress.upload import MAX_BYTES

        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                _("Filen må være et regneark (.xlsx) eller en CSV-fil (.csv).")
            )
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Filen er for stor: høyst %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload

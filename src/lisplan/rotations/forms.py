"""Forms for agreements, requests and their steps, and vacancies."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.access import grants, institutions_for
from lisplan.accounts.forms import DesignsystemetForm
from lisplan.catalogue.models import LearningGoal, Specialty
from lisplan.organisations.models import Institution, LearningArena
from lisplan.rotations.models import DOCUMENT_MAX_BYTES, CollaborationAgreement, Status
from lisplan.rotations.queries import AgreementFilters, QueueFilters, RequestFilters
from lisplan.ui.widgets import QuickSelect

MONTHS = [
    (i, name)
    for i, name in enumerate(
        [
            _("januar"),
            _("februar"),
            _("mars"),
            _("april"),
            _("mai"),
            _("juni"),
            _("juli"),
            _("august"),
            _("september"),
            _("oktober"),
            _("november"),
            _("desember"),
        ],
        start=1,
    )
]


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GoalCodesField(forms.CharField):
    """Learning-goal codes separated by commas or spaces, e.g. «ORT-012, ORT-013»."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("help_text", _("Koder skilt med komma, f.eks. ORT-012, ORT-013."))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value) or ""
        codes = sorted({c.strip().upper() for c in text.replace(",", " ").split() if c.strip()})
        goals = {
            g.code: g for g in LearningGoal.objects.filter(code__in=codes, valid_to__isnull=True)
        }
        unknown = [c for c in codes if c not in goals]
        if unknown:
            raise forms.ValidationError(
                _("Ukjente læringsmål: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return [goals[c] for c in codes]


class AgreementForm(DesignsystemetForm, forms.ModelForm):
    start_months = forms.TypedMultipleChoiceField(
        label=_("Mulige startmåneder"),
        choices=MONTHS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ingen valgt: alle måneder."),
    )
    goals = GoalCodesField(label=_("Læringsmål som dekkes"))
    prerequisites = GoalCodesField(label=_("Læringsmål som må være oppnådd før start"))

    class Meta:
        model = CollaborationAgreement
        fields = [
            "reference",
            "sending",
            "receiving",
            "specialty",
            "arenas",
            "duration_months",
            "capacity",
            "semester_quota",
            "quota_semester",
            "start_months",
            "valid_from",
            "valid_to",
            "document",
            "notes",
        ]
        widgets = {
            "valid_from": _date(),
            "valid_to": _date(),
            "arenas": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["arenas"].queryset = LearningArena.objects.select_related("institution")
        self.fields["arenas"].label_from_instance = lambda a: f"{a.institution.code}: {a.name}"
        self.fields["start_months"].widget.attrs.pop("class", None)
        if self.instance.pk:
            for name in ("goals", "prerequisites"):
                self.initial[name] = ", ".join(g.code for g in getattr(self.instance, name).all())

    def clean_document(self):
        """The signed agreement: a PDF (by name and by content) of at most 10 MB."""
        document = self.cleaned_data.get("document")
        if not document or document == self.initial.get("document"):
            return document  # unchanged (or cleared)
        if not document.name.lower().endswith(".pdf"):
            raise forms.ValidationError(_("Signert avtale må være en PDF-fil (.pdf)."))
        if document.size > DOCUMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("Signert avtale kan være høyst %(mb)s MB; filen er %(size)s MB.")
                % {
                    "mb": DOCUMENT_MAX_BYTES // 1_000_000,
                    "size": f"{document.size / 1_000_000:.1f}".replace(".", ","),
                }
            )
        head = document.read(5)
        document.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(
                _("Signert avtale er ikke en gyldig PDF-fil (filen begynner ikke som en PDF).")
            )
        return document

    def m2m(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("arenas", "goals", "prerequisites")}

    def fields_data(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("arenas", "goals", "prerequisites")
        }


class AgreementFilterForm(DesignsystemetForm, forms.Form):
    q = forms.CharField(
        label=_("Søk (spesialitet, foretak, referanse)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    specialty = forms.ModelChoiceField(
        label=_("Spesialitet"),
        queryset=Specialty.objects.all(),
        required=False,
        empty_label=_("Alle"),
    )
    institution = forms.ModelChoiceField(
        label=_("Virksomhet"),
        queryset=Institution.objects.all(),
        required=False,
        empty_label=_("Alle"),
    )
    all = forms.BooleanField(label=_("Vis også utløpte avtaler"), required=False)

    def filters(self) -> AgreementFilters:
        self.is_valid()
        d = self.cleaned_data
        return AgreementFilters(
            q=d.get("q") or "",
            specialty=getattr(d.get("specialty"), "pk", None),
            institution=getattr(d.get("institution"), "pk", None),
            valid_only=not d.get("all"),
        )


class RequestFilterForm(DesignsystemetForm, forms.Form):
    q = forms.CharField(
        label=_("Søk (navn, foretak, spesialitet)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle åpne"))] + list(Status.choices)
    )
    sending = forms.ModelChoiceField(
        label=_("Avgivende foretak"),
        required=False,
        queryset=Institution.objects.all(),
        empty_label=_("Alle"),
    )
    receiving = forms.ModelChoiceField(
        label=_("Mottakende foretak"),
        required=False,
        queryset=Institution.objects.all(),
        empty_label=_("Alle"),
    )

    def filters(self) -> RequestFilters:
        self.is_valid()
        d = self.cleaned_data
        return RequestFilters(
            q=d.get("q") or "",
            status=d.get("status") or "",
            sending=getattr(d.get("sending"), "pk", None),
            receiving=getattr(d.get("receiving"), "pk", None),
        )


class QueueFilterForm(DesignsystemetForm, forms.Form):
    """Queues and conflicts by institution (receiving or sending), specialty or agreement."""

    institution = forms.ModelChoiceField(
        label=_("Foretak (mottaker eller avgiver)"),
        required=False,
        queryset=Institution.objects.order_by("name"),
        empty_label=_("Alle"),
        widget=QuickSelect,
    )
    specialty = forms.ModelChoiceField(
        label=_("Spesialitet"),
        required=False,
        queryset=Specialty.objects.order_by("name"),
        empty_label=_("Alle"),
        widget=QuickSelect,
    )
    agreement = forms.ModelChoiceField(
        label=_("Fagavtale"),
        required=False,
        empty_label=_("Alle"),
        widget=QuickSelect,
        queryset=CollaborationAgreement.objects.select_related(
            "specialty", "sending", "receiving"
        ).order_by("specialty__name", "receiving__name", "sending__name", "pk"),
    )

    def __init__(self, *args, agreements=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if agreements is not None:  # only agreements with queued requests the user sees
            field = self.fields["agreement"]
            field.queryset = field.queryset.filter(pk__in=agreements)
            # named from one query of names: a hundred agreements as models took 5 ms
            names = field.queryset.values_list(
                "pk", "specialty__name", "sending__name", "receiving__name"
            )
            field.choices = [("", field.empty_label)] + [
                (pk, CollaborationAgreement.name_from(*rest)) for pk, *rest in names
            ]

    def filters(self) -> QueueFilters:
        self.is_valid()
        d = self.cleaned_data
        return QueueFilters(
            institution=getattr(d.get("institution"), "pk", None),
            specialty=getattr(d.get("specialty"), "pk", None),
            agreement=getattr(d.get("agreement"), "pk", None),
        )


class RequestForm(DesignsystemetForm, forms.Form):
    receiving = forms.ModelChoiceField(
        label=_("Mottakende foretak"), queryset=Institution.objects.all()
    )
    specialty = forms.ModelChoiceField(label=_("Spesialitet"), queryset=Specialty.objects.all())
    arena = forms.ModelChoiceField(
        label=_("Læringsarena hos mottaker"),
        required=False,
        queryset=LearningArena.objects.select_related("institution"),
    )
    desired_start = forms.DateField(label=_("Ønsket oppstart"), widget=_date())
    duration_months = forms.IntegerField(
        label=_("Varighet (mnd.)"),
        required=False,
        min_value=1,
        max_value=60,
        help_text=_("Tom: normert tid fra fagavtalen."),
    )
    wish = forms.BooleanField(label=_("Registrer som ønske (ikke bare behov)"), required=False)
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OfferForm(DesignsystemetForm, forms.Form):
    start = forms.DateField(label=_("Foreslått oppstart"), required=False, widget=_date())
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(DesignsystemetForm, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Svar"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Takk ja")), ("no", _("Takk nei"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StartDateForm(DesignsystemetForm, forms.Form):
    start = forms.DateField(label=_("Avtalt oppstartsdato"), widget=_date())


class CompleteForm(DesignsystemetForm, forms.Form):
    goals_reached = forms.TypedChoiceField(
        label=_("Ble læringsmålene nådd?"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("Ja")), ("no", _("Nei – ny periode må avtales"))],
    )
    early_end_reason = forms.CharField(
        label=_("Begrunnelse hvis perioden avsluttes før tiden"),
        required=False,
        help_text=_("Læringsmål nådd tidligere gir ikke kortere periode."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WaiveForm(DesignsystemetForm, forms.Form):
    reason = forms.CharField(
        label=_("Begrunnelse for å starte uten læringsmålene"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(DesignsystemetForm, forms.Form):
    reason = forms.CharField(label=_("Begrunnelse"), widget=forms.Textarea(attrs={"rows": 2}))


class ChangeStartForm(DesignsystemetForm, forms.Form):
    desired_start = forms.DateField(label=_("Ny ønsket oppstart"), widget=_date())


class RankForm(DesignsystemetForm, forms.Form):
    rank = forms.IntegerField(
        label=_("Prioritet hos avgivende foretak (1 først)"),
        min_value=1,
        required=False,
        help_text=_("Tom: ingen egen prioritering."),
    )


class ExtendForm(DesignsystemetForm, forms.Form):
    duration_months = forms.IntegerField(
        label=_("Varighet på ny periode (mnd.)"), min_value=1, max_value=60
    )
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoFieldsForm(forms.Form):
    """Actions without input (register wish, forward, start)."""


class VacancyForm(DesignsystemetForm, forms.Form):
    arena = forms.ModelChoiceField(label=_("Læringsarena"), queryset=LearningArena.objects.none())
    specialty = forms.ModelChoiceField(
        label=_("Spesialitet"),
        queryset=Specialty.objects.all(),
        required=False,
        help_text=_("Tom: læringsarenaens spesialitet."),
    )
    start_from = forms.DateField(label=_("Oppstart tidligst"), widget=_date())
    start_to = forms.DateField(label=_("Oppstart senest"), widget=_date())
    duration_months = forms.IntegerField(label=_("Varighet (mnd.)"), min_value=1, max_value=60)
    comment = forms.CharField(
        label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The arenas the user leads, or all arenas of the institutions they coordinate.
        institutions = institutions_for(user, "vacancy.change")
        arenas = LearningArena.objects.select_related("institution")
        if institutions is not None:
            cond = Q(institution_id__in=institutions)
            for path in grants(user).arena_paths.get("vacancy.change", ()):
                cond |= Q(path__startswith=path)
            arenas = arenas.filter(cond)
        self.fields["arena"].queryset = arenas
        self.fields["arena"].label_from_instance = lambda a: f"{a.institution.code}: {a.name}"

    def clean(self):
        data = super().clean()
        if (
            data.get("start_from")
            and data.get("start_to")
            and data["start_to"] < data["start_from"]
        ):
            self.add_error(
                "start_to", _("«Oppstart senest» kan ikke være før «oppstart tidligst».")
            )
        return data

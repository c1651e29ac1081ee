"""Forms of the programme-plan pages: the texts, and the phases, arenas and partner periods as
formsets. They only collect input; `services` checks it (and names the field of each problem)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lisplan.accounts.forms import DesignsystemetForm
from lisplan.catalogue.models import LearningGoal
from lisplan.organisations.models import LearningArena
from lisplan.programmes import richtext, services
from lisplan.programmes.models import Approver, ProgrammePlan
from lisplan.rotations.models import CollaborationAgreement
from lisplan.ui.widgets import QuickSelect

PREREQUISITES_HELP = _("Koder skilt med komma, f.eks. ORT-001, ORT-003.")
TEXT_HELP = _(
    "Avsnitt skilles med en tom linje. Enkel HTML (avsnitt, lister, uthevinger, "
    "lenker) beholdes; alt annet fjernes."
)


class TextsForm(DesignsystemetForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    introduction = forms.CharField(
        label=_("Innledning: oppbygging og rekkefølge"),
        required=False,
        help_text=TEXT_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    supervision = forms.CharField(
        label=_("Veiledning og supervisjon"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    assessment = forms.CharField(
        label=_("Vurdering og vurderingskollegium"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    courses = forms.CharField(
        label=_("Kurs og internundervisning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact = forms.CharField(
        label=_("Kontakt (funksjon eller e-postadresse, ikke navn)"), required=False, max_length=200
    )


class PhaseForm(DesignsystemetForm, forms.Form):
    name = forms.CharField(label=_("Fase"), max_length=200)
    months = forms.IntegerField(label=_("Normert varighet (mnd.)"), min_value=1, max_value=120)
    description = forms.CharField(
        label=_("Innhold"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _goal_choices(plan: ProgrammePlan) -> list[tuple[str, str]]:
    today = timezone.localdate()
    goals = (
        LearningGoal.objects.filter(specialty=plan.specialty, valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .order_by("code", "-valid_from")
    )
    seen, out = set(), []
    for g in goals:
        if g.code not in seen:
            seen.add(g.code)
            text = g.text.removeprefix("[Demo] ")
            out.append((g.code, f"{g.code} – {text[:90]}{'…' if len(text) > 90 else ''}"))
    return out


def _phase_choices(n: int) -> list[tuple[str, str]]:
    return [("", _("Ingen bestemt fase"))] + [
        (str(i), _("Fase %(n)s") % {"n": i + 1}) for i in range(n)
    ]


class ArenaForm(DesignsystemetForm, forms.Form):
    arena = forms.TypedChoiceField(label=_("Læringsarena"), coerce=int)
    phase = forms.TypedChoiceField(label=_("Fase"), required=False, coerce=int, empty_value=None)
    months = forms.IntegerField(
        label=_("Normert varighet (mnd.)"), required=False, min_value=1, max_value=120
    )
    goals = forms.MultipleChoiceField(
        label=_("Læringsmål som nås her"), required=False, widget=forms.CheckboxSelectMultiple
    )
    prerequisites = forms.CharField(
        label=_("Læringsmål som må være oppnådd før start"),
        required=False,
        max_length=2000,
        help_text=PREREQUISITES_HELP,
    )
    activities = forms.CharField(
        label=_("Læringsaktiviteter"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, plan: ProgrammePlan, n_phases: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["arena"].choices = [("", "—")] + [
            (a.pk, a.name)
            for a in LearningArena.objects.filter(institution=plan.institution_id).order_by("path")
        ]
        self.fields["phase"].choices = _phase_choices(n_phases)
        self.fields["goals"].choices = _goal_choices(plan)
        self.fields["goals"].widget.attrs.pop("class", None)


class PeriodForm(DesignsystemetForm, forms.Form):
    agreement = forms.TypedChoiceField(label=_("Fagavtale"), coerce=int)
    phase = forms.TypedChoiceField(label=_("Fase"), required=False, coerce=int, empty_value=None)
    approver = forms.ChoiceField(
        label=_("Godkjenner læringsmålene"), choices=Approver.choices, initial=Approver.RECEIVING
    )
    prerequisites = forms.CharField(
        label=_("Læringsmål som må være oppnådd før start"),
        required=False,
        max_length=2000,
        help_text=PREREQUISITES_HELP,
    )
    description = forms.CharField(
        label=_("Innhold"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, plan: ProgrammePlan, n_phases: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agreements = (
            CollaborationAgreement.objects.filter(
                sending=plan.institution_id, specialty=plan.specialty_id
            )
            .select_related("receiving")
            .order_by("receiving__name", "pk")
        )
        self.fields["agreement"].choices = [("", "—")] + [
            (
                a.pk,
                _("%(r)s (%(m)s mnd., gyldig fra %(d)s)")
                % {
                    "r": a.receiving.name,
                    "m": a.duration_months,
                    "d": a.valid_from.strftime("%d.%m.%Y"),
                },
            )
            for a in agreements
        ]
        self.fields["phase"].choices = _phase_choices(n_phases)


PhaseFormSet = forms.formset_factory(PhaseForm, extra=1, can_delete=True)
ArenaFormSet = forms.formset_factory(ArenaForm, extra=1, can_delete=True)
PeriodFormSet = forms.formset_factory(PeriodForm, extra=1, can_delete=True)


def initial_of(plan: ProgrammePlan) -> dict:
    """The formsets' initial rows from the stored plan."""
    phases = list(plan.phases.order_by("order", "id"))
    index = {p.pk: i for i, p in enumerate(phases)}
    return {
        "texts": {
            "version": plan.version,
            **{f: richtext.to_editable(getattr(plan, f)) for f in services.TEXT_FIELDS},
        },
        "phases": [
            {"name": p.name, "months": p.months, "description": richtext.to_editable(p.description)}
            for p in phases
        ],
        "arenas": [
            {
                "arena": a.arena_id,
                "phase": index.get(a.phase_id),
                "months": a.months,
                "goals": [g.code for g in a.goals.all()],
                "prerequisites": ", ".join(sorted(g.code for g in a.prerequisites.all())),
                "activities": richtext.to_editable(a.activities),
            }
            for a in plan.arenas.prefetch_related("goals", "prerequisites")
        ],
        "periods": [
            {
                "agreement": p.agreement_id,
                "phase": index.get(p.phase_id),
                "approver": p.approver,
                "prerequisites": ", ".join(sorted(g.code for g in p.prerequisites.all())),
                "description": richtext.to_editable(p.description),
            }
            for p in plan.partner_periods.prefetch_related("prerequisites")
        ],
    }


def _rows(formset) -> list[dict]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data
        and not f.cleaned_data.get("DELETE")
        and any(v not in (None, "", []) for k, v in f.cleaned_data.items() if k != "DELETE")
    ]


def _codes(text: str) -> list[str]:
    return [c for c in (text or "").replace(",", " ").replace(";", " ").upper().split() if c]


def content_of(texts, phases, arenas, periods) -> services.Content:
    fields = {f: texts.cleaned_data.get(f, "") for f in services.TEXT_FIELDS}
    return services.Content(
        fields=fields,
        phases=[
            services.PhaseData(r["name"], r["months"], r.get("description", ""))
            for r in _rows(phases)
        ],
        arenas=[
            services.ArenaData(
                r["arena"],
                r.get("goals", []),
                _codes(r.get("prerequisites")),
                r.get("activities", ""),
                r.get("months"),
                r.get("phase"),
            )
            for r in _rows(arenas)
        ],
        periods=[
            services.PeriodData(
                r["agreement"],
                r.get("description", ""),
                r["approver"],
                _codes(r.get("prerequisites")),
                r.get("phase"),
            )
            for r in _rows(periods)
        ],
    )


class CourseForm(DesignsystemetForm, forms.Form):
    # every approved course for an administrator: several hundred options
    course = forms.ChoiceField(label=_("Spesialitet og virksomhet"), widget=QuickSelect)

    def __init__(self, *args, courses: list[tuple], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [
            (f"{i.pk}-{s.pk}", f"{s.name} – {i.name}") for i, s in courses
        ]


class GoalSearchForm(forms.Form):
    code = forms.CharField(
        label=_("Læringsmål (kode)"),
        max_length=7,
        widget=forms.TextInput(attrs={"class": "ds-input", "placeholder": "ORT-003"}),
    )

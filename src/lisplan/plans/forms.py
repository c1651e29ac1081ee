"""Forms for the implementation plan: the plan's fields, and the rows editor of the periods
table («Oversikt på spesialiseringsperioder»).

Rows travel as `periods-<key>-<field>`, where `<key>` is any short token: rows can be added and
removed in the browser without renumbering, and their order is the order of the page.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lisplan import errors
from lisplan.accounts.forms import DesignsystemetForm
from lisplan.catalogue.models import Specialty
from lisplan.organisations.models import Institution, LearningArena
from lisplan.plans import rules, services
from lisplan.plans.models import Revision
from lisplan.plans.services import PeriodData
from lisplan.rotations.models import CollaborationAgreement

ROW_KEY = re.compile(r"^periods-([A-Za-z0-9]{1,16})-")
ROW_FIELD = re.compile(r"^periods-([A-Za-z0-9]{1,16})-institution$")
CREDIT_FIELDS = ("credit_old_scheme_months", "credit_other_specialty_months")
PROBLEM_FIELD = re.compile(r"^periods\[(\d+)\]\.(\w+)$")


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _describe(form: forms.Form) -> None:
    """Every input points at its message container, which the live check fills."""
    for name, field in form.fields.items():
        ids = [f"{form[name].auto_id}_error"]
        if field.help_text:
            ids.append(f"{form[name].auto_id}_helptext")
        field.widget.attrs["aria-describedby"] = " ".join(ids)


def describe_fields(form: forms.Form) -> None:
    """Point every input at its message container (no validation)."""
    _describe(form)


def describe_errors(form: forms.Form) -> None:
    """Mark the inputs with messages as invalid (also for errors added after cleaning)."""
    _describe(form)
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-invalid"] = "true"


def new_row_key() -> str:
    return "n" + secrets.token_hex(4)


class RevisionForm(DesignsystemetForm, forms.ModelForm):
    """The plan's own fields, with the form's (seed 000) labels."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Revision
        fields = [
            "purpose",
            "employee_number",
            "employer",
            "specialty",
            "estimated_start",
            "estimated_end",
            "plan_date",
            "place",
            "credit_old_scheme_months",
            "credit_other_specialty_months",
            "remarks",
            "outside_employment_confirmed",
        ]
        labels = {
            "employee_number": _("Ansattnummer"),
            "employer": _("Arbeidsgiver/foretak"),
            "specialty": _("Utdanning til spesialist i"),
            "estimated_start": _("Beregnet tidsrom for spesialiseringen, fra"),
            "estimated_end": _("Beregnet tidsrom for spesialiseringen, til"),
            "purpose": _("Planen er til bruk ved"),
            "plan_date": _("Dato for fastsatt plan"),
            "place": _("Sted"),
            "credit_old_scheme_months": _(
                "Godkjent tjenestetid i gammel ordning som kan telle "
                "med i minstetiden i ny ordning (mnd.)"
            ),
            "credit_other_specialty_months": _(
                "Godkjent tjenestetid fra evt. annen spesialitet "
                "som kan telle med i minstetiden (mnd.)"
            ),
            "remarks": _("Andre merknader"),
            "outside_employment_confirmed": _(
                "Leder bekrefter at perioder utenfor ansettelsesforholdet er riktige"
            ),
        }
        help_texts = {
            "specialty": _("Hovedspesialitet i tråd med spesialistforskriften."),
            "credit_old_scheme_months": _(
                "Maks 6,5 år (78 mnd.) inkl. turnustjeneste/del 1, godkjent av leder."
            ),
            "credit_other_specialty_months": _("Maks 3 år og 3 mnd. (39 mnd.) inkl. del 1."),
        }
        widgets = {
            "estimated_start": _date_widget(),
            "estimated_end": _date_widget(),
            "plan_date": _date_widget(),
            "remarks": forms.Textarea(attrs={"rows": 4}),
            "purpose": forms.RadioSelect,
        }
        error_messages = {
            "employer": {"required": _("Oppgi arbeidsgiver/foretak.")},
            "specialty": {"required": _("Velg hovedspesialiteten utdanningen gjelder.")},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        trainee_id = self.instance.plan.trainee_id
        self.fields["employer"].queryset = Institution.objects.filter(
            Q(employments__trainee_id=trainee_id) | Q(pk=self.instance.employer_id)
        ).distinct()
        self.fields["employer"].empty_label = _("Velg arbeidsgiver")
        self.fields["specialty"].empty_label = _("Velg spesialitet")
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        for name in CREDIT_FIELDS:
            self.fields[name].validators = []
        # Not sent (an older page, a script): the plan keeps the purpose it has.
        self.fields["purpose"].required = False

    def clean_purpose(self) -> str:
        return (
            self.cleaned_data.get("purpose") or self.instance.purpose or Revision.Purpose.EMPLOYMENT
        )

    def _get_validation_exclusions(self):
        # The caps are `rules`' to check: its message names the form's limit.
        return super()._get_validation_exclusions() | set(CREDIT_FIELDS)

    def content(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class PeriodForm(DesignsystemetForm, forms.Form):
    """One row of the periods table. Missing values are left to `rules.check_plan`, which
    names the rule; this form only parses."""

    specialty = forms.ModelChoiceField(
        label=_("Spesialiseringsperiode i (spesialitet)"),
        queryset=Specialty.objects.all(),
        required=False,
        empty_label=_("Velg spesialitet"),
    )
    institution = forms.ModelChoiceField(
        label=_("Foretak/samarbeidsforetak"),
        queryset=Institution.objects.all(),
        required=False,
        empty_label=_("Velg foretak"),
    )
    arena = forms.ModelChoiceField(
        label=_("Klinikk/avdeling"),
        queryset=LearningArena.objects.all(),
        required=False,
        empty_label=_("Velg foretak først"),
        error_messages={"invalid_choice": _("Velg en klinikk/avdeling fra listen.")},
    )
    service_place = forms.CharField(
        label=_("Tjenestested (fritekst)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Tjenestested (fritekst)")}),
    )
    start = forms.DateField(
        label=_("Tjenestetid fra"),
        required=False,
        widget=_date_widget(),
        error_messages={"invalid": _("Skriv datoen som dd.mm.åååå.")},
    )
    end = forms.DateField(
        label=_("Tjenestetid til"),
        required=False,
        widget=_date_widget(),
        error_messages={"invalid": _("Skriv datoen som dd.mm.åååå.")},
    )
    contact_person = forms.CharField(
        label=_("Kontaktperson ved mottakende foretak"), max_length=200, required=False
    )
    # Parses any agreement; the options offered are the employer's with the row's institution
    # in its specialty, and `services.agreement_problems` refuses one that does not fit.
    agreement = forms.ModelChoiceField(
        label=_("Fagavtale"),
        queryset=CollaborationAgreement.objects.all(),
        required=False,
        empty_label=_("Velg foretak og spesialitet først"),
        error_messages={"invalid_choice": _("Velg en fagavtale fra listen.")},
    )

    def __init__(
        self,
        *args,
        key: str,
        arenas: dict[int, list] | None = None,
        agreements: AgreementOptions | None = None,
        employer_id: int | None = None,
        options_url: str = "",
        refresh: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, prefix=f"periods-{key}", **kwargs)
        self.key = key
        self.employer_id = employer_id
        self.warnings: list[str] = []
        if options_url:
            # choosing the institution or the specialty fetches the row's arenas into the
            # arena select and the fitting agreements into the agreement select
            attrs = {
                "hx-get": options_url,
                "hx-trigger": "change",
                "hx-target": f"#{self['arena'].auto_id}",
                "hx-swap": "outerHTML",
                "hx-include": "closest tbody",
                "hx-sync": "closest tbody:replace",
                "hx-vals": 'js:{employer: document.getElementById("id_employer")?.value || ""}',
            }
            self.fields["institution"].widget.attrs.update(attrs)
            self.fields["specialty"].widget.attrs.update(attrs)
        self.set_arena_choices(arenas)
        self.set_agreement_choices(agreements, refresh=refresh)

    def _value_id(self, name: str) -> int | None:
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        value = getattr(value, "pk", value)
        return int(value) if str(value or "").isdigit() else None

    def institution_id(self) -> int | None:
        return self._value_id("institution")

    def agreement_key(self) -> tuple[int | None, int | None]:
        return self._value_id("institution"), self._value_id("specialty")

    def set_agreement_choices(
        self, agreements: AgreementOptions | None, *, refresh: bool = False
    ) -> None:
        """The employer's agreements with the row's institution in the row's specialty. A
        linked agreement that does not fit stays selectable (the check says why), except when
        the row's institution or specialty was just changed (`refresh`): then it is dropped."""
        field = self.fields["agreement"]
        institution, specialty = self.agreement_key()
        chosen = self._value_id("agreement")
        if agreements is None:
            agreements = agreement_options(self.employer_id, [(institution, specialty)], [chosen])
        options: list = []
        if self.employer_id is None:
            empty = _("Velg arbeidsgiver først")
        elif institution is None or specialty is None:
            empty = _("Velg foretak og spesialitet først")
        elif institution == self.employer_id:
            empty = _("Ikke aktuelt ved eget foretak")
        else:
            options = list(agreements.by_row.get((institution, specialty), []))
            empty = _("Ingen fagavtale valgt") if options else _("Ingen gyldig fagavtale")
        if chosen and chosen not in {pk for pk, _label in options}:
            if refresh:
                if self.is_bound:
                    self.data = self.data.copy()
                    self.data[self.add_prefix("agreement")] = ""
            elif chosen in agreements.labels:
                options.append(
                    (
                        chosen,
                        _("%(agreement)s – passer ikke til perioden")
                        % {"agreement": agreements.labels[chosen]},
                    )
                )
        field.choices = [("", empty), *options]

    def set_arena_choices(self, arenas: dict[int, list] | None) -> None:
        """The arenas of the row's institution, grouped by clinic; none until one is chosen."""
        institution = self.institution_id()
        if arenas is None:
            arenas = arena_choices([institution] if institution else [])
        field = self.fields["arena"]
        if institution is None:
            field.choices = [("", field.empty_label)]
            return
        options = arenas.get(institution, [])
        empty = (
            _("Velg klinikk/avdeling (valgfritt)") if options else _("Ingen registrerte avdelinger")
        )
        field.choices = [("", empty), *options]

    def clean(self):
        data = super().clean()
        arena, institution = data.get("arena"), data.get("institution")
        if arena and (institution is None or arena.institution_id != institution.pk):
            self.add_error(
                "arena",
                _(
                    "Klinikken/avdelingen hører ikke til foretaket i "
                    "perioden. Velg en av foretakets avdelinger."
                ),
            )
            data["arena"] = None
        return data

    def is_blank(self) -> bool:
        return not any(
            str(v).strip() for k, v in self.data.items() if k.startswith(self.prefix + "-")
        )

    def period(self) -> PeriodData:
        d = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return PeriodData(
            specialty=d.get("specialty"),
            institution=d.get("institution"),
            start=d.get("start"),
            end=d.get("end"),
            arena=d.get("arena"),
            service_place=d.get("service_place") or "",
            contact_person=d.get("contact_person") or "",
            agreement=d.get("agreement"),
        )


def _label(chain: list[str]) -> str:
    """The most specific name first (a narrow select still shows it): «Seksjon for traume
    (Ortopedisk avdeling)»; the clinic itself as «Klinikk (hele)»."""
    if len(chain) == 1:
        return _("%(clinic)s (hele)") % {"clinic": chain[0]}
    inner = chain[1:]
    return inner[-1] + (f" ({', '.join(reversed(inner[:-1]))})" if len(inner) > 1 else "")


def arena_choices(institution_ids) -> dict[int, list]:
    """{institution: choices} for the arena select, in one query: a clinic (or any top-level
    arena with units under it) is an option group holding itself and its units by name."""
    ids = {i for i in institution_ids if i}
    if not ids:
        return {}
    arenas = list(
        LearningArena.objects.filter(institution_id__in=ids).only(
            "pk", "name", "parent_id", "institution_id"
        )
    )
    by_id = {a.pk: a for a in arenas}

    def names(a) -> list[str]:
        out = []
        while a is not None:
            out.insert(0, a.name)
            a = by_id.get(a.parent_id)
        return out

    trees: dict[int, dict[int, list]] = {}
    for a in arenas:
        chain = names(a)
        top = a
        while top.parent_id in by_id:
            top = by_id[top.parent_id]
        trees.setdefault(a.institution_id, {}).setdefault(top.pk, []).append((chain, a.pk))
    out: dict[int, list] = {}
    for institution, tops in trees.items():
        choices = []
        for _top, members in sorted(tops.items(), key=lambda kv: min(kv[1])[0][0].lower()):
            members.sort(key=lambda m: [n.lower() for n in m[0]])
            if len(members) == 1:
                choices.append((members[0][1], members[0][0][0]))
                continue
            group = members[0][0][0]
            choices.append((group, [(pk, _label(chain)) for chain, pk in members]))
        out[institution] = choices
    return out


@dataclass
class AgreementOptions:
    """The agreement select's options per row (institution, specialty), and a label for every
    agreement fetched (also a linked one that fits no row)."""

    by_row: dict[tuple[int, int], list] = dataclass_field(default_factory=dict)
    labels: dict[int, str] = dataclass_field(default_factory=dict)


def agreement_label(agreement: CollaborationAgreement) -> str:
    """The option's words: the agreement's reference (or «Fagavtale») and its period, never
    its database id; the row already names the institution and the specialty."""
    text = agreement.reference or str(_("Fagavtale"))
    text += ", " + _("gyldig fra %(date)s") % {"date": f"{agreement.valid_from:%d.%m.%Y}"}
    if agreement.valid_to:
        text += " " + _("til %(date)s") % {"date": f"{agreement.valid_to:%d.%m.%Y}"}
    text += ", " + _("%(months)s mnd.") % {"months": agreement.duration_months}
    return text


def agreement_options(employer_id: int | None, rows, chosen=()) -> AgreementOptions:
    """In one query: for each (institution, specialty) of `rows`, the employer's agreements
    with that institution in that specialty that have not expired; plus the `chosen` ones."""
    rows = {(i, s) for i, s in rows if i and s and i != employer_id}
    chosen = {c for c in chosen if c}
    out = AgreementOptions()
    if not (employer_id and rows) and not chosen:
        return out
    today = timezone.localdate()
    current = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    wanted = Q(pk__in=chosen)
    if employer_id and rows:
        wanted |= current & Q(
            sending_id=employer_id,
            receiving_id__in={i for i, _s in rows},
            specialty_id__in={s for _i, s in rows},
        )
    for a in (
        CollaborationAgreement.objects.filter(wanted)
        .order_by("valid_from", "pk")
        .only(
            "pk",
            "reference",
            "sending_id",
            "receiving_id",
            "specialty_id",
            "duration_months",
            "valid_from",
            "valid_to",
        )
    ):
        label = agreement_label(a)
        out.labels[a.pk] = label
        key = (a.receiving_id, a.specialty_id)
        if (
            a.sending_id == employer_id
            and key in rows
            and (a.valid_to is None or a.valid_to >= today)
        ):
            out.by_row.setdefault(key, []).append((a.pk, label))
    return out


def row_keys(data) -> list[str]:
    """The rows' keys in the order the page sent them."""
    keys: list[str] = []
    for name in data:
        match = ROW_KEY.match(name)
        if match and match.group(1) not in keys:
            keys.append(match.group(1))
    return keys


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def agreement_rows(data, employer_id: int | None) -> list[PeriodForm]:
    """The rows of the periods table as the page sent them, each with its agreement choices
    for `employer_id` (one query for all rows); a linked agreement that no longer fits is
    dropped (`refresh`), as when the row's institution or specialty changes."""
    keys = row_keys(data)
    agreements = agreement_options(
        employer_id,
        [
            (_int(data.get(f"periods-{k}-institution")), _int(data.get(f"periods-{k}-specialty")))
            for k in keys
        ],
        [_int(data.get(f"periods-{k}-agreement")) for k in keys],
    )
    return [
        PeriodForm(
            data, key=k, arenas={}, agreements=agreements, employer_id=employer_id, refresh=True
        )
        for k in keys
    ]


class PlanEditor:
    """The plan form and its period rows, bound together; maps rule problems to fields."""

    def __init__(
        self, revision: Revision, data=None, options_url: str = "", agreements_url: str = ""
    ) -> None:
        self.revision = revision
        self.form = RevisionForm(data, instance=revision)
        if agreements_url:
            # choosing another employer fetches every row's agreement select (the agreements
            # offered are the employer's), like choosing a row's institution or specialty
            self.form.fields["employer"].widget.attrs.update(
                {
                    "hx-get": agreements_url,
                    "hx-trigger": "change",
                    "hx-swap": "none",
                    "hx-include": "#period-rows",
                    "hx-sync": "this:replace",
                }
            )
        employer = data.get("employer") if data is not None else revision.employer_id
        employer_id = int(employer) if str(employer or "").isdigit() else None
        if data is None:
            periods = list(revision.periods.all())
            arenas = arena_choices(p.institution_id for p in periods)
            agreements = agreement_options(
                employer_id,
                [(p.institution_id, p.specialty_id) for p in periods],
                [p.agreement_id for p in periods],
            )
            self.rows = [
                PeriodForm(
                    key=f"r{i}",
                    arenas=arenas,
                    agreements=agreements,
                    employer_id=employer_id,
                    options_url=options_url,
                    initial={
                        "specialty": p.specialty_id,
                        "institution": p.institution_id,
                        "arena": p.arena_id,
                        "service_place": p.service_place,
                        "start": p.start,
                        "end": p.end,
                        "contact_person": p.contact_person,
                        "agreement": p.agreement_id,
                    },
                )
                for i, p in enumerate(periods)
            ]
        else:
            keys = row_keys(data)
            ids = [data.get(f"periods-{k}-institution") for k in keys]
            arenas = arena_choices(int(i) for i in ids if str(i or "").isdigit())
            agreements = agreement_options(
                employer_id,
                [
                    (
                        _int(data.get(f"periods-{k}-institution")),
                        _int(data.get(f"periods-{k}-specialty")),
                    )
                    for k in keys
                ],
                [_int(data.get(f"periods-{k}-agreement")) for k in keys],
            )
            rows = [
                PeriodForm(
                    data,
                    key=k,
                    arenas=arenas,
                    agreements=agreements,
                    employer_id=employer_id,
                    options_url=options_url,
                )
                for k in keys
            ]
            self.rows = [r for r in rows if not r.is_blank()]
        self.non_field_errors: list[str] = []
        self.warnings: list[str] = []  # the plan's; a row's are on the row
        self.stale = False  # someone else saved since the page was opened
        for form in [self.form, *self.rows]:
            _describe(form)

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return all([r.is_valid() for r in self.rows]) and valid

    def periods(self) -> list[PeriodData]:
        return [r.period() for r in self.rows]

    def plan_input(self) -> rules.PlanInput:
        """What the rules need, from whatever parsed (for instant validation)."""
        self.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        employment = self.revision.plan.employment
        employer = data.get("employer")
        return rules.PlanInput(
            employer=employer.pk if employer else None,
            estimated_start=data.get("estimated_start"),
            estimated_end=data.get("estimated_end"),
            credit_old_scheme_months=data.get("credit_old_scheme_months"),
            credit_other_specialty_months=data.get("credit_other_specialty_months"),
            periods=tuple(
                rules.Period(
                    specialty=getattr(p.specialty, "pk", None),
                    institution=getattr(p.institution, "pk", None),
                    start=p.start,
                    end=p.end,
                    arena=getattr(p.arena, "pk", None),
                )
                for p in self.periods()
            ),
            employment_start=employment.start if employment else None,
            employment_end=employment.end if employment else None,
        )

    def all_problems(self) -> list[rules.Problem]:
        """Every rule's problem with what parsed, for the live check: the plan rules and the
        agreements' fit."""
        plan = self.plan_input()
        return list(rules.check_plan(plan).problems) + services.agreement_problems(
            plan.employer, self.periods()
        )

    def add_problems(self, problems: Sequence[rules.Problem | errors.Problem]) -> None:
        """Put each problem by its field: the plan's, a row's, or the form as a whole (a rule's
        `rules.Problem`, or a domain error's `errors.Problem`, which is never a warning)."""
        for problem in problems:
            match = PROBLEM_FIELD.match(problem.field)
            in_row = match and int(match.group(1)) < len(self.rows)
            if getattr(problem, "warning", False):
                target = self.rows[int(match.group(1))].warnings if in_row else self.warnings
                target.append(problem.message)
            elif in_row:
                row = self.rows[int(match.group(1))]
                name = match.group(2) if match.group(2) in row.fields else None
                if name not in row.errors:
                    row.add_error(name, problem.message)
            elif problem.field in self.form.fields:
                # the rule's message, in the form's words, wins over Django's generic one
                self.form.errors.pop(problem.field, None)
                self.form.add_error(problem.field, problem.message)
            else:
                self.non_field_errors.append(problem.message)
        for form in [self.form, *self.rows]:
            describe_errors(form)

    def add_error(self, message: str) -> None:
        self.non_field_errors.append(message)

    @property
    def error_count(self) -> int:
        forms_ = [self.form, *self.rows]
        return len(self.non_field_errors) + sum(
            len(errs) for f in forms_ for errs in f.errors.values()
        )

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + sum(len(r.warnings) for r in self.rows)

    @property
    def has_errors(self) -> bool:
        return bool(self.non_field_errors or self.form.errors or any(r.errors for r in self.rows))


class ReturnForm(DesignsystemetForm, forms.Form):
    comment = forms.CharField(
        label=_("Kommentar til leder og lege"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Skriv hvorfor planen returneres.")},
        help_text=_(
            "Forklar hva som må rettes. Planen går tilbake til utkast, og signaturene fjernes."
        ),
    )

"""Forms of the education plan: the revision's typed fields per form (hospital / ALIS), the
child tables as formsets, and the education lead's table-3 template. Every message names the
field and the rule, in Norwegian."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lisplan.iup.models import (
    TEMPLATE_FIELDS,
    CoursePeriod,
    Meeting,
    RequirementsTemplate,
    Revision,
)
from lisplan.iup.services import (
    ALIS_FIELDS,
    HOSPITAL_FIELDS,
    MeetingData,
    PeriodData,
    SupervisorData,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "ds-input"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "class": "ds-input"}, format="%H:%M")


def _style(form: forms.Form) -> None:
    for name, f in form.fields.items():
        w = f.widget
        if isinstance(w, forms.Textarea):
            w.attrs.update({"class": "ds-input", "rows": 3})
        elif isinstance(w, (forms.CheckboxInput, forms.HiddenInput)):
            continue
        elif isinstance(w, forms.DateInput):
            w.input_type = "date"
            w.format = "%Y-%m-%d"
            w.attrs.setdefault("class", "ds-input")
        else:
            w.attrs.setdefault("class", "ds-input")
        label = str(f.label or name)
        f.error_messages.setdefault(
            "invalid", _("«%(label)s» har ugyldig verdi.") % {"label": label}
        )
        if isinstance(f, forms.DateField):
            f.error_messages["invalid"] = _("«%(label)s» må være en gyldig dato (dd.mm.åååå).") % {
                "label": label
            }
        if isinstance(f, forms.URLField):
            f.error_messages["invalid"] = _(
                "«%(label)s» må være en gyldig nettadresse som begynner med https://."
            ) % {"label": label}
        if getattr(f, "max_length", None):
            f.error_messages["max_length"] = _("«%(label)s» kan være høyst %(n)s tegn.") % {
                "label": label,
                "n": f.max_length,
            }


def _url_field():
    return forms.URLField(
        label=_("Lenke til utdanningsplan"), max_length=500, required=False, assume_scheme="https"
    )


class RevisionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    programme_plan_url = _url_field()

    class Meta:
        model = Revision
        fields = list(dict.fromkeys(HOSPITAL_FIELDS + ALIS_FIELDS))
        widgets = {
            f: DATE for f in ("valid_from", "valid_to", "next_meeting", "last_panel", "next_panel")
        }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(ALIS_FIELDS if kind == "alis" else HOSPITAL_FIELDS) | {"version"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "municipality_registered" in self.fields:
            self.fields["municipality_registered"] = forms.TypedChoiceField(
                label=_("Er kommunen registrert som utdanningsvirksomhet?"),
                required=False,
                choices=[("", _("Ikke oppgitt")), ("true", _("Ja")), ("false", _("Nei"))],
                coerce=lambda v: {"true": True, "false": False}.get(v),
                empty_value=None,
            )
            current = self.instance.municipality_registered if self.instance else None
            self.initial["municipality_registered"] = {True: "true", False: "false"}.get(
                current, ""
            )
        if kind == "alis" and "workplace" in self.fields:
            self.fields["workplace"].label = _("Læringsarena/arbeidssted")
            self.fields["contact"].label = _("E-post/telefon")
        self.kind = kind
        _style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("«Gjelder til» kan ikke være før «gjelder fra»."))
        return data

    def content(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class SupervisorForm(forms.Form):
    name = forms.CharField(label=_("Veileders navn"), max_length=200)
    specialty = forms.CharField(label=_("Spesialitet"), max_length=200, required=False)
    role = forms.CharField(label=_("Type veiledning"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Oppgi veileders navn.")
        _style(self)


class MeetingForm(forms.Form):
    # The initial equals the select's first option, so an untouched extra row is unchanged.
    kind = forms.ChoiceField(
        label=_("Type"), choices=Meeting.Kind.choices, initial=Meeting.Kind.SUPERVISION
    )
    date = forms.DateField(label=_("Dato"), widget=DATE)
    time = forms.TimeField(label=_("Klokkeslett"), required=False, widget=TIME)
    note = forms.CharField(label=_("Merknad"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages["required"] = _("Oppgi dato for møtet.")
        _style(self)
        self.fields["time"].error_messages["invalid"] = _(
            "«Klokkeslett» må være et gyldig klokkeslett (tt:mm)."
        )


class PeriodForm(forms.Form):
    where = forms.ChoiceField(
        label=_("Tjenesteperiode"),
        choices=CoursePeriod.Where.choices,
        initial=CoursePeriod.Where.OWN_UNIT,
    )
    place = forms.CharField(label=_("Foretak/avdeling/seksjon"), max_length=200)
    start = forms.DateField(label=_("Fra (tentativt)"), required=False, widget=DATE)
    end = forms.DateField(label=_("Til (tentativt)"), required=False, widget=DATE)
    note = forms.CharField(label=_("Merknad"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].error_messages["required"] = _(
            "Oppgi foretak/avdeling/seksjon for perioden."
        )
        _style(self)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("«Til» kan ikke være før «fra»."))
        return data


SupervisorFormSet = forms.formset_factory(
    SupervisorForm, extra=1, can_delete=True, max_num=10, validate_max=True
)
MeetingFormSet = forms.formset_factory(
    MeetingForm, extra=2, can_delete=True, max_num=30, validate_max=True
)
PeriodFormSet = forms.formset_factory(
    PeriodForm, extra=1, can_delete=True, max_num=30, validate_max=True
)


def _rows(formset) -> list[dict]:
    """The rows to keep: every existing row not marked for removal (changed or not), and the
    extra rows the user filled in."""
    initial = formset.initial_form_count()
    return [
        f.cleaned_data
        for i, f in enumerate(formset.forms)
        if (i < initial or f.has_changed()) and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class Editor:
    """The whole edit page: the revision form and its three formsets."""

    def __init__(self, revision: Revision, data=None):
        kind = revision.plan.kind
        initial = {"version": revision.version}
        self.form = RevisionForm(data, instance=revision, kind=kind, initial=initial, prefix=None)
        if data is None:
            self.form.initial["version"] = revision.version
        # The ALIS form names its one supervisor in section 3 (typed fields): no table.
        self.supervisors = (
            SupervisorFormSet(
                data,
                prefix="sup",
                initial=[
                    {"name": s.name, "specialty": s.specialty, "role": s.role}
                    for s in revision.supervisors.all()
                ],
            )
            if kind == "hospital"
            else None
        )
        self.meetings = MeetingFormSet(
            data,
            prefix="mote",
            initial=[
                {"kind": m.kind, "date": m.date, "time": m.time, "note": m.note}
                for m in revision.meetings.all()
            ],
        )
        self.periods = PeriodFormSet(
            data,
            prefix="periode",
            initial=[
                {"where": p.where, "place": p.place, "start": p.start, "end": p.end, "note": p.note}
                for p in revision.periods.all()
            ],
        )
        self.revision = revision
        self.errors: list[str] = []
        self.stale = False

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.meetings.is_valid(), self.periods.is_valid()]
        if self.supervisors is not None:
            results.append(self.supervisors.is_valid())
        return all(results)

    def supervisor_data(self) -> list[SupervisorData] | None:
        if self.supervisors is None:
            return None
        existing = {s.name: s.user for s in self.revision.supervisors.all()}
        return [
            SupervisorData(
                d["name"], d.get("specialty", ""), d.get("role", ""), existing.get(d["name"])
            )
            for d in _rows(self.supervisors)
        ]

    def meeting_data(self) -> list[MeetingData]:
        return [
            MeetingData(d["date"], d["kind"], d.get("time"), d.get("note", ""))
            for d in _rows(self.meetings)
        ]

    def period_data(self) -> list[PeriodData]:
        return [
            PeriodData(d["where"], d["place"], d.get("start"), d.get("end"), d.get("note", ""))
            for d in _rows(self.periods)
        ]

    def add_problems(self, problems) -> None:
        for p in problems:
            name = p.field
            if name in self.form.fields:
                self.form.add_error(name, p.message)
            else:
                self.errors.append(p.message)

    def all_errors(self) -> list[str]:
        out = list(self.errors)
        for name, errs in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else ""
            out += [f"{label}: {e}" if label else e for e in errs]
        for title, fs in (
            (_("Veiledere"), self.supervisors),
            (_("Planlagte møter"), self.meetings),
            (_("Tentative tjenesteperioder"), self.periods),
        ):
            if fs is None:
                continue
            out += [f"{title}: {e}" for e in fs.non_form_errors()]
            for i, errs in enumerate(fs.errors):
                for _name, messages in errs.items():
                    out += [f"{title}, {_('rad')} {i + 1}: {m}" for m in messages]
        return out


class TemplateForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    programme_plan_url = _url_field()

    class Meta:
        model = RequirementsTemplate
        fields = TEMPLATE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def content(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

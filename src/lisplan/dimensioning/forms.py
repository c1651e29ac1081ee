"""Forms for starting a run and for a scenario's parameters (percentages as the planner thinks
of them; stored as the fractions in `scenarios.py`)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.dimensioning import engine, scenarios
from lisplan.dimensioning.models import Dataset, Scenario
from lisplan.dimensioning.services import MAX_DRAWS


class RunForm(forms.Form):
    scenario = forms.ModelChoiceField(
        label=gettext_lazy("Scenario"), queryset=Scenario.objects.none(), empty_label=None
    )
    draws = forms.IntegerField(
        label=gettext_lazy("Monte Carlo-trekninger"),
        min_value=0,
        max_value=MAX_DRAWS,
        initial=engine.DEFAULT_DRAWS,
        help_text=gettext_lazy(
            "Antall tilfeldige trekninger for usikkerhetsbåndet (P10–P90). 0 slår usikkerheten av."
        ),
    )

    def __init__(self, *args, scenarios_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].queryset = (
            scenarios_qs if scenarios_qs is not None else Scenario.objects.all()
        )


PATH_LINE = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\d{4})\s+(\d+(?:[.,]\d+)?)\s*$")


class ScenarioForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Navn"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    demography = forms.BooleanField(
        label=gettext_lazy("Etterspørselen følger befolkningsframskrivingen"),
        required=False,
        initial=True,
    )
    extra_growth = forms.DecimalField(
        label=gettext_lazy("Vekst i tillegg til demografien, prosent i året"),
        initial=0,
        min_value=-5,
        max_value=10,
        decimal_places=2,
        localize=True,
    )
    working_time_factor = forms.DecimalField(
        label=gettext_lazy("Arbeidstid per spesialist, prosent av i dag"),
        initial=100,
        min_value=50,
        max_value=150,
        decimal_places=1,
        localize=True,
    )
    retirement_shift_years = forms.IntegerField(
        label=gettext_lazy("Senere pensjonering (år)"),
        initial=0,
        min_value=0,
        max_value=scenarios.MAX_SHIFT,
    )
    imports_factor = forms.DecimalField(
        label=gettext_lazy("Spesialister fra utlandet, prosent av i dag"),
        initial=100,
        min_value=0,
        max_value=500,
        decimal_places=1,
        localize=True,
    )
    intake_factor = forms.DecimalField(
        label=gettext_lazy("Oppstarter i året, prosent av i dag"),
        initial=100,
        min_value=0,
        max_value=500,
        decimal_places=1,
        localize=True,
    )
    intake_path = forms.CharField(
        label=gettext_lazy("Egen opptaksplan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Én linje per spesialitet, region og år: kode, regionkode, år og "
            "antall oppstarter, for eksempel «ANE NORD 2027 12». Erstatter "
            "dagens oppstarter det året."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_intake_path(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["intake_path"].splitlines(), start=1):
            if not line.strip():
                continue
            m = PATH_LINE.match(line)
            if not m:
                raise forms.ValidationError(
                    _("Linje %(n)d kan ikke leses; skriv kode, regionkode, år og antall.")
                    % {"n": n}
                )
            rows.append(
                {
                    "specialty": m.group(1),
                    "region": m.group(2),
                    "year": int(m.group(3)),
                    "per_year": float(m.group(4).replace(",", ".")),
                }
            )
        return rows

    def params(self) -> dict:
        d = self.cleaned_data
        out = {
            "demography": d["demography"],
            "extra_growth": float(d["extra_growth"]) / 100,
            "working_time_factor": float(d["working_time_factor"]) / 100,
            "retirement_shift_years": d["retirement_shift_years"],
            "imports_factor": float(d["imports_factor"]) / 100,
            "intake_factor": float(d["intake_factor"]) / 100,
        }
        if d["intake_path"]:
            out["intake_path"] = d["intake_path"]
        return out

    @staticmethod
    def initial_for(scenario: Scenario) -> dict:
        p = {**scenarios.DEFAULTS, **(scenario.current.params if scenario.current else {})}
        path = "\n".join(
            f"{r['specialty']} {r['region']} {r['year']} {r['per_year']:g}"
            for r in p.get("intake_path") or []
        )
        return {
            "name": scenario.name,
            "description": scenario.description,
            "demography": p["demography"],
            "extra_growth": round(p["extra_growth"] * 100, 2),
            "working_time_factor": round(p["working_time_factor"] * 100, 1),
            "retirement_shift_years": p["retirement_shift_years"],
            "imports_factor": round(p["imports_factor"] * 100, 1),
            "intake_factor": round(p["intake_factor"] * 100, 1),
            "intake_path": path,
            "version": scenario.version,
        }


class DatasetForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type data"), choices=Dataset.Kind.choices)
    file = forms.FileField(
        label=gettext_lazy("Fil"),
        help_text=gettext_lazy(
            "Slik den er lastet ned fra SSB (json-stat2 eller CSV), eller avgangsrater som CSV."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Kilde"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Tom: det filen selv oppgir."),
    )
    source_url = forms.CharField(
        label=gettext_lazy("Lastet ned fra (adresse)"), required=False, max_length=500
    )
    source_date = forms.DateField(
        label=gettext_lazy("Dato for dataene"),
        required=False,
        help_text=gettext_lazy("Tom: filens oppdateringsdato, ellers i dag."),
    )

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Filen er større enn 20 MB."))
        return upload

"""Pages for dimensioning: runs (start, follow, read), scenarios (create, change, compare side
by side) and the loaded data with their sources. Thin: authorise (`require` + the queries),
validate a form, call `services`, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lisplan.accounts.access import get_in_scope, has_permission, require
from lisplan.dimensioning import charts, queries, services
from lisplan.dimensioning.export import xlsx_response
from lisplan.dimensioning.forms import DatasetForm, RunForm, ScenarioForm
from lisplan.dimensioning.models import Dataset, DimensioningRun, Scenario
from lisplan.errors import DomainError, add_to_form, page_message
from lisplan.ui.numbers import number
from lisplan.ui.paging import page_of


def _run(request, pk: int) -> DimensioningRun:
    run = get_in_scope(request.user, "dimensioning.view", queries.runs(request.user), pk=pk)
    return services.expire_if_stale(run)


@require("dimensioning.view")
def index(request):
    page, page_range = page_of(request, queries.runs(request.user).defer("input", "result"))
    can_run = has_permission(request.user, "dimensioning.run")
    form = RunForm(scenarios_qs=queries.scenarios_for(request.user)) if can_run else None
    return render(
        request,
        "dimensioning/index.html",
        {"page": page, "page_range": page_range, "form": form, "can_run": can_run},
    )


@require("dimensioning.run")
@require_POST
def run_new(request):
    form = RunForm(request.POST, scenarios_qs=queries.scenarios_for(request.user))
    if form.is_valid():
        try:
            run = services.start_run(
                actor=request.user,
                scenario=form.cleaned_data["scenario"],
                draws=form.cleaned_data["draws"],
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Kjøringen er startet. Siden oppdateres mens den går."))
            return redirect("dimensioning:run", run.pk)
    page, page_range = page_of(request, queries.runs(request.user).defer("input", "result"))
    return render(
        request,
        "dimensioning/index.html",
        {"page": page, "page_range": page_range, "form": form, "can_run": True},
        status=400,
    )


def _own_region(user) -> str:
    from lisplan.accounts.models import RoleAssignment

    codes = set(
        RoleAssignment.objects.active()
        .filter(user=user, region__isnull=False)
        .values_list("region__code", flat=True)
    )
    return codes.pop() if len(codes) == 1 else ""


def _selection(request, result: dict) -> queries.Selection:
    specs = {r["specialty"] for r in result["required_intake"]}
    regions = {r["region"] for r in result["required_intake"]}
    spec = request.GET.get("spesialitet", "")
    region = request.GET.get("region")
    if region is None:  # first visit: the user's own region, if they have one
        region = _own_region(request.user)
    return queries.Selection(spec if spec in specs else "", region if region in regions else "")


SORT_HEADERS = [
    ("specialty", gettext_lazy("Spesialitet"), False),
    ("region", gettext_lazy("Region"), False),
    ("required", gettext_lazy("Nødvendige oppstarter i året"), True),
    ("current", gettext_lazy("Dagens oppstarter i året"), True),
    ("difference", gettext_lazy("Differanse"), True),
    ("p10", gettext_lazy("P10"), True),
    ("p90", gettext_lazy("P90"), True),
    ("light", gettext_lazy("Vurdering"), False),
]
# The engine's warnings, in the user's words.
WARNINGS = {
    "specialists_over_max_age": gettext_lazy(
        "Noen spesialister er eldre enn høyeste alder i modellen og er holdt utenfor."
    ),
    "exit_rate_missing": gettext_lazy(
        "Noen aldre mangler avgangsrate; der er ingen avgang regnet med."
    ),
    "trainees_already_done": gettext_lazy(
        "Noen leger i spesialisering skulle vært ferdige før basisåret og er holdt utenfor."
    ),
    "demand_missing": gettext_lazy(
        "Noen spesialiteter og regioner mangler etterspørsel; den er satt til null."
    ),
    "supply_demand_mismatch": gettext_lazy(
        "I noen spesialiteter og regioner er tilbudet i dag "
        "under en femdel eller over fem ganger "
        "etterspørselen. Sjekk inndataene."
    ),
    "no_specialists": gettext_lazy(
        "Noen spesialiteter og regioner har etterspørsel, men ingen spesialister."
    ),
    "training_beyond_target": gettext_lazy(
        "Noen spesialiteter tar lengre tid å utdanne enn "
        "årene fram til målåret; nye oppstarter kan ikke "
        "lukke gapet der."
    ),
    "fte_per_head_high": gettext_lazy(
        "Noen spesialister har i snitt mer enn 1,2 årsverk per person."
    ),
    "closure_failed": gettext_lazy(
        "Beholdningen går ikke opp (endring ≠ nye − avgang). Meld fra til brukerstøtte."
    ),
}


@require("dimensioning.view")
def run_detail(request, pk: int):
    run = _run(request, pk)
    context = {"run": run}
    if run.status == DimensioningRun.Status.DONE and run.result:
        context.update(_result_context(request, run))
    return render(request, "dimensioning/run_detail.html", context)


def _result_context(request, run: DimensioningRun) -> dict:
    result = run.result
    sel = _selection(request, result)
    spec_names, region_names = queries.names()
    sort = request.GET.get("sorter", "difference")
    descending = request.GET.get("retning") == "synkende"
    intake = queries.intake_rows(result, sel, sort, descending)
    series = queries.series(result, sel)
    where = " – ".join(
        x
        for x in (
            spec_names.get(sel.specialty, sel.specialty),
            region_names.get(sel.region, sel.region),
        )
        if x
    ) or _("alle spesialiteter og regioner")
    lines = {"supply": series["sums"]["supply_fte"], "demand": series["sums"]["demand_fte"]}
    if series["bands"]:
        lines.update(
            {
                k: series["bands"][k]
                for k in ("supply_p10", "supply_p90", "demand_p10", "demand_p90")
            }
        )
    labels = {
        "supply": _("Tilbud (årsverk)"),
        "demand": _("Etterspørsel (årsverk)"),
        "supply_band": _("Tilbud P10–P90"),
        "demand_band": _("Etterspørsel P10–P90"),
    }
    pyramid = queries.pyramid(result, sel)
    path = queries.intake_path(result, sel)
    waterfall = queries.waterfall(result, sel)
    base, tornado = queries.tornado(result, sel)
    counts = {k: sum(1 for r in intake if r["light"] == k) for k in queries.LIGHTS}
    filters = [(k, v) for k, v in (("spesialitet", sel.specialty), ("region", sel.region)) if v]
    headers = []
    for key, label, numeric in SORT_HEADERS:
        desc = key == sort and not descending
        params = filters + [("sorter", key)] + ([("retning", "synkende")] if desc else [])
        headers.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "url": "?" + urlencode(params) + "#intake-heading",
                "aria_sort": ("descending" if descending else "ascending") if key == sort else None,
            }
        )
    return {
        "selection": sel,
        "where": where,
        "intake": intake,
        "sort": sort,
        "descending": descending,
        "series": series,
        "counts": counts,
        "specialties": sorted(
            {
                (r["specialty"], spec_names.get(r["specialty"], r["specialty"]))
                for r in result["required_intake"]
            },
            key=lambda x: x[1],
        ),
        "regions": sorted(
            {
                (r["region"], region_names.get(r["region"], r["region"]))
                for r in result["required_intake"]
            },
            key=lambda x: x[1],
        ),
        "lines_svg": mark_safe(
            charts.supply_demand(  # noqa: S308 - escaped in charts
                series["years"],
                lines,
                _("Tilbud og etterspørsel, %(where)s") % {"where": where},
                labels,
            )
        ),
        "pyramid": pyramid,
        "path": path,
        "pyramid_svg": mark_safe(
            charts.pyramid(  # noqa: S308
                pyramid,
                _("Spesialister i dag etter alder og kjønn, %(where)s") % {"where": where},
                {"K": _("Kvinner"), "M": _("Menn")},
            )
        )
        if pyramid
        else "",
        "waterfall": waterfall,
        "waterfall_svg": mark_safe(
            charts.waterfall(  # noqa: S308
                waterfall,
                _("Fra gap i %(a)s til gap i %(b)s, %(where)s")
                % {"a": result["base_year"], "b": result["target_year"], "where": where},
            )
        ),
        "tornado_base": base,
        "tornado": tornado,
        "tornado_svg": mark_safe(
            charts.tornado(  # noqa: S308
                base,
                [(r["label"], r["intake_lo"], r["intake_hi"]) for r in tornado],
                _("Hva som flytter behovet for oppstarter mest, %(where)s") % {"where": where},
            )
        )
        if tornado
        else "",
        "headers": headers,
        "filter_query": urlencode(filters),
        "export_query": urlencode(
            filters + [("sorter", sort)] + ([("retning", "synkende")] if descending else [])
        ),
        "warnings": [WARNINGS.get(w["code"], w["message"]) for w in result.get("warnings", [])],
        "lights": queries.LIGHTS,
    }


@require("dimensioning.view")
def run_progress(request, pk: int):
    """The progress box, polled by htmx; when the run ends the whole page reloads."""
    run = _run(request, pk)
    response = render(request, "dimensioning/_progress.html", {"run": run})
    if run.finished:
        response["HX-Refresh"] = "true"
    return response


EXPORTS = ("oppstarter", "opptaksplan", "framskriving", "aldersfordeling", "fossefall", "tornado")


@require("dimensioning.view")
def run_export(request, pk: int, table: str):
    run = _run(request, pk)
    if table not in EXPORTS or run.status != DimensioningRun.Status.DONE:
        raise Http404
    result = run.result
    sel = _selection(request, result)
    name = f"dimensjonering-{run.pk}-{table}"
    if table == "oppstarter":
        rows = queries.intake_rows(
            result,
            sel,
            request.GET.get("sorter", "difference"),
            request.GET.get("retning") == "synkende",
        )
        return xlsx_response(
            name,
            _("Oppstarter"),
            [
                _("Spesialitet"),
                _("Region"),
                _("Nødvendige oppstarter i året"),
                _("Avrundet opp"),
                _("Dagens oppstarter"),
                _("Differanse"),
                "P10",
                "P50",
                "P90",
                _("Vurdering"),
            ],
            (
                [
                    r["specialty"],
                    r["region"],
                    r["required"],
                    r["rounded"],
                    r["current"],
                    r["difference"],
                    r["p10"],
                    r["p50"],
                    r["p90"],
                    r["light_text"],
                ]
                for r in rows
            ),
        )
    if table == "framskriving":
        spec_names, region_names = queries.names()
        return xlsx_response(
            name,
            _("Framskriving"),
            [
                _("Spesialitet"),
                _("Region"),
                _("År"),
                _("Spesialister"),
                _("Leger i spesialisering"),
                _("Tilbud (årsverk)"),
                _("Etterspørsel (årsverk)"),
                _("Gap (årsverk)"),
                _("Gap P10"),
                _("Gap P50"),
                _("Gap P90"),
            ],
            (
                [
                    spec_names.get(r["specialty"], r["specialty"]),
                    region_names.get(r["region"], r["region"]),
                    r["year"],
                    r["specialists"],
                    r["trainees"],
                    r["supply_fte"],
                    r["demand_fte"],
                    r["gap_fte"],
                    r.get("gap_p10"),
                    r.get("gap_p50"),
                    r.get("gap_p90"),
                ]
                for r in result["projection"]
                if sel.matches(r)
            ),
        )
    if table == "opptaksplan":
        return xlsx_response(
            name,
            _("Jevn opptaksplan"),
            [
                _("År"),
                _("Oppstarter i jevn plan"),
                _("Nødvendige oppstarter i året"),
                _("Dagens oppstarter i året"),
            ],
            (
                [r["year"], r["starts"], r["required"], r["current"]]
                for r in queries.intake_path(result, sel)
            ),
        )
    if table == "aldersfordeling":
        return xlsx_response(
            name,
            _("Aldersfordeling"),
            [_("Alder"), _("Kvinner"), _("Menn")],
            ([a, k, m] for a, k, m in queries.pyramid(result, sel)),
        )
    if table == "fossefall":
        return xlsx_response(
            name,
            _("Fra gap til gap"),
            [_("Steg"), _("Årsverk")],
            ([label, value] for label, value, _kind in queries.waterfall(result, sel)),
        )
    base, rows = queries.tornado(result, sel)
    return xlsx_response(
        name,
        _("Følsomhet"),
        [
            _("Parameter"),
            _("Lav verdi"),
            _("Høy verdi"),
            _("Oppstarter ved lav verdi"),
            _("Oppstarter ved høy verdi"),
            _("Nødvendige oppstarter"),
        ],
        ([r["label"], r["lo"], r["hi"], r["intake_lo"], r["intake_hi"], base] for r in rows),
    )


# --- scenarios -----------------------------------------------------------------------------


@require("dimensioning.view")
def scenario_list(request):
    all_scenarios = list(queries.scenarios_for(request.user).prefetch_related("versions"))
    chosen = [int(x) for x in request.GET.getlist("sammenlign") if x.isdigit()][:6]
    columns, rows = queries.comparison(request.user, chosen) if chosen else ([], [])
    return render(
        request,
        "dimensioning/scenario_list.html",
        {
            "scenarios": all_scenarios,
            "chosen": chosen,
            "columns": columns,
            "rows": rows,
            "can_edit": has_permission(request.user, "dimensioning.scenario"),
        },
    )


@require("dimensioning.run")
@require_POST
def scenario_run_all(request):
    """Start a run of each chosen scenario's current version (for the side-by-side view)."""
    chosen = [int(x) for x in request.POST.getlist("sammenlign") if x.isdigit()][:6]
    started = 0
    for scenario in queries.scenarios_for(request.user).filter(pk__in=chosen):
        services.start_run(actor=request.user, scenario=scenario)
        started += 1
    messages.success(
        request,
        _(
            "%(n)d kjøringer er startet. Tallene kommer i tabellen når de "
            "er ferdige; last siden på nytt."
        )
        % {"n": started},
    )
    return redirect(
        reverse("dimensioning:scenarios") + "?" + urlencode([("sammenlign", pk) for pk in chosen])
    )


@require("dimensioning.view")
def scenario_export(request):
    chosen = [int(x) for x in request.GET.getlist("sammenlign") if x.isdigit()][:6]
    columns, rows = queries.comparison(request.user, chosen)
    return xlsx_response(
        "dimensjonering-scenarioer",
        _("Scenarioer"),
        [_("Spesialitet")] + [c["scenario"].name for c in columns],
        ([r["specialty"]] + r["values"] for r in rows),
    )


@require("dimensioning.scenario")
def scenario_new(request):
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.create_scenario(
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                params=form.params(),
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, _("Scenarioet er lagret."))
            return redirect(scenario)
    return render(request, "dimensioning/scenario_form.html", {"form": form, "scenario": None})


def _edit_form(scenario: Scenario, data=None) -> ScenarioForm:
    initial = ScenarioForm.initial_for(scenario)
    form = ScenarioForm(data, initial=initial)
    form.fields["name"].disabled = True  # the name is the scenario's; versions change params
    return form


@require("dimensioning.view")
def scenario_detail(request, pk: int):
    scenario = get_in_scope(
        request.user, "dimensioning.view", queries.scenarios_for(request.user), pk=pk
    )
    can_edit = has_permission(request.user, "dimensioning.scenario")
    form = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = _edit_form(scenario, request.POST)
        if form.is_valid():
            try:
                services.change_scenario(
                    actor=request.user,
                    scenario=scenario,
                    version=form.cleaned_data["version"] or 0,
                    params=form.params(),
                    description=form.cleaned_data["description"],
                )
            except DomainError as error:
                form.add_error(None, page_message(error))
            else:
                messages.success(request, _("Ny versjon av scenarioet er lagret."))
                return redirect(scenario)
    elif can_edit:
        form = _edit_form(scenario)
    versions = scenario.versions.select_related("created_by").prefetch_related("runs")
    return render(
        request,
        "dimensioning/scenario_detail.html",
        {"scenario": scenario, "form": form, "versions": versions},
        status=400 if form is not None and form.errors else 200,
    )


@require("dimensioning.view")
def data_list(request):
    can_load = has_permission(request.user, "dimensioning.load")
    form = None
    if can_load:
        form = DatasetForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_load:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                dataset = services.load_dataset(
                    actor=request.user,
                    kind=d["kind"],
                    content=d["file"].read(),
                    file_name=d["file"].name,
                    source=d["source"],
                    source_url=d["source_url"],
                    source_date=d["source_date"],
                )
            except DomainError as error:
                form.add_error("file", page_message(error))
            else:
                messages.success(
                    request,
                    _("%(n)s rader er lastet fra %(source)s.")
                    % {"n": number(dataset.rows), "source": dataset.source},
                )
                return redirect("dimensioning:data")
    datasets = Dataset.objects.select_related("loaded_by")
    return render(
        request,
        "dimensioning/data_list.html",
        {"datasets": datasets, "form": form},
        status=400 if form is not None and form.errors else 200,
    )

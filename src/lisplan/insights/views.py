"""The «Innsikt» pages: the dashboard (the user's scope first) with the sortable indicator table,
the rows behind each number, comparison across institutions, trends over the last harvests,
harvests, the pre-harvest work list, and exports (XLSX/CSV through `lisplan.exports`).
Thin: parse, authorise (`require` + `queries.resolve`), call queries/services, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lisplan.accounts.access import has_permission, require
from lisplan.errors import DomainError, page_message
from lisplan.exports import FORMATS, Column, export_response
from lisplan.insights import charts, queries, scopes, services
from lisplan.insights.indicators import SHARE, Scope
from lisplan.insights.models import Harvest
from lisplan.organisations.models import Institution

PER_PAGE = 50


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def _scope_of(request) -> tuple[Scope, str]:
    g = request.GET
    try:
        scope = queries.parse_scope(
            g.get("scope") or None, _int(g.get("id")), _int(g.get("specialty"))
        )
    except queries.ScopeError as error:
        raise Http404 from error
    return queries.resolve(request.user, scope)


def _at(request) -> dt.date:
    today = timezone.localdate()
    try:
        at = dt.date.fromisoformat(request.GET.get("at", ""))
    except ValueError:
        return today
    return min(at, today)


def _harvest(request) -> Harvest | None:
    pk = _int(request.GET.get("harvest"))
    if pk is None:
        return None
    h = Harvest.objects.filter(pk=pk, status=Harvest.Status.DONE).first()
    if h is None:
        raise Http404
    return h


def scope_params(scope: Scope) -> dict:
    if scope.arena:
        out = {"scope": "arena", "id": scope.arena}
    elif scope.institution:
        out = {"scope": "institution", "id": scope.institution}
    elif scope.region:
        out = {"scope": "region", "id": scope.region}
    elif scope.specialty:
        return {"scope": "specialty", "id": scope.specialty}
    else:
        out = {"scope": "national"}
    if scope.specialty:
        out["specialty"] = scope.specialty
    return out


def _query(scope: Scope, **extra) -> str:
    params = scope_params(scope)
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)


def _values(request, scope, level, at, harvest):
    if harvest is not None:
        return queries.frozen(request.user, harvest, scope, level)
    return queries.live_values(request.user, scope, at, level, change=at == timezone.localdate())


def _rows_for_table(values, scope, at, harvest, level):
    out = []
    for v in values:
        ind = v.indicator
        out.append(
            {
                "v": v,
                "ind": ind,
                "display": queries.display(v),
                "num": queries.number(v.numerator),
                "den": queries.number(v.denominator),
                "change": queries.format_change(ind, v.change),
                "better": queries.change_is_better(ind, v.change),
                "url": (
                    reverse("insights:rows", args=[ind.code])
                    + "?"
                    + _query(
                        scope,
                        at=at.isoformat() if harvest is None else "",
                        harvest=harvest.pk if harvest else "",
                    )
                )
                if level == scopes.INSIDE and not v.suppressed
                else "",
            }
        )
    return out


@require("insights.view")
def dashboard(request):
    scope, level = _scope_of(request)
    at, harvest = _at(request), _harvest(request)
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir") == "desc"
    values = _values(request, scope, level, at, harvest)
    if sort in queries.SORTS:
        values = queries.sort_values(values, sort, descending)
    today = timezone.localdate()
    own = [(s, s.label(), scope == s) for s in scopes.home_scopes(request.user)]
    specialties = queries.specialties_in_use()
    return render(
        request,
        "insights/dashboard.html",
        {
            "scope": scope,
            "scope_label": next((label for _s, label, current in own if current), None)
            or scope.label(),
            "level": level,
            "inside": level == scopes.INSIDE,
            "at": at,
            "harvest": harvest,
            "rows": _rows_for_table(values, scope, at, harvest, level),
            "own": [(s, label, current, _query(s)) for s, label, current in own],
            "query": _query(scope, at=request.GET.get("at"), harvest=request.GET.get("harvest")),
            "scope_query": _query(scope),
            "sort": sort,
            "descending": descending,
            "specialties": list(specialties),
            "scope_params": scope_params(scope),
            "harvests": services.done_harvests(12),
            "next_harvest": services.next_harvest(today),
            "worklist_open": services.worklist_open(today),
            "can_harvest": has_permission(request.user, "insights.harvest"),
            "regional": scope.region is not None
            and scope.institution is None
            and scope.arena is None,
        },
    )


def _export_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


@require("insights.view")
def export_table(request, fmt: str):
    fmt = _export_format(fmt)
    scope, level = _scope_of(request)
    at, harvest = _at(request), _harvest(request)
    values = _values(request, scope, level, at, harvest)
    columns = [Column(c) for c in queries.table_columns()]
    columns[0] = Column(columns[0].title, 45)
    columns[-1] = Column(columns[-1].title, 80)
    when = harvest.date if harvest else at
    rows = (queries.table_cells(v) for v in values)
    return export_response(
        rows,
        columns,
        f"indikatorer {scope.label()} {when:%Y-%m-%d}",
        fmt,
        sheet_title=_("Indikatorer"),
    )


def _drill(request, code):
    ind = queries.indicator(code)
    scope, level = _scope_of(request)
    queries.require_inside(level)
    return ind, scope, _at(request), _harvest(request)


@require("insights.view")
def drill_down(request, code: str):
    ind, scope, at, harvest = _drill(request, code)
    if harvest is not None:
        rows = services.frozen_rows(harvest, ind, scope)
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("side"))
        data = queries.frozen_drill(page.object_list)
        value = next(
            v
            for v in queries.frozen(request.user, harvest, scope, scopes.INSIDE)
            if v.code == ind.code
        )
    else:
        rows = queries.live_rows(ind, scope, at)
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("side"))
        data = queries.attach(ind, list(page.object_list), at)
        from lisplan.insights.indicators import evaluate_all

        value = evaluate_all(scope, at, [ind.code])[0]
    return render(
        request,
        "insights/rows.html",
        {
            "ind": ind,
            "scope": scope,
            "scope_label": scope.label(),
            "at": at,
            "harvest": harvest,
            "page": page,
            "columns": queries.columns(ind),
            "rows": [queries.cells(ind, r) + [r.trainee_id] for r in data],
            "value": value,
            "display": queries.display(value),
            "query": _query(scope, at=request.GET.get("at"), harvest=request.GET.get("harvest")),
        },
    )


@require("insights.view")
def export_rows(request, code: str, fmt: str):
    fmt = _export_format(fmt)
    ind, scope, at, harvest = _drill(request, code)
    columns = [Column(c, 28) for c in queries.columns(ind)]
    if harvest is not None:
        rows = queries.export_frozen_rows(ind, services.frozen_rows(harvest, ind, scope))
        when = harvest.date
    else:
        rows = queries.export_live_rows(ind, scope, at)
        when = at
    return export_response(
        rows, columns, f"{ind.name} {scope.label()} {when:%Y-%m-%d}", fmt, sheet_title=str(ind.name)
    )


@require("insights.view")
def comparison(request):
    """The regional roles: one indicator across the institutions of the region."""
    scope, level = _scope_of(request)
    if scope.region is None or scope.institution or scope.arena:
        raise Http404
    at = _at(request)
    ind = queries.indicator(request.GET.get("indikator", "plans_valid_share"))
    from lisplan.insights.indicators import evaluate_all

    rows = []
    for inst in scopes.comparison_institutions(request.user, scope):
        s = Scope(institution=inst.pk, specialty=scope.specialty)
        inst_level = scopes.access(request.user, s)
        if inst_level is None:
            continue
        v = queries.mask(evaluate_all(s, at, [ind.code]), inst_level)[0]
        rows.append(
            {
                "inst": inst,
                "v": v,
                "display": queries.display(v),
                "num": queries.number(v.numerator),
                "den": queries.number(v.denominator),
                "url": reverse("insights:rows", args=[ind.code]) + "?" + _query(s)
                if inst_level == scopes.INSIDE and not v.suppressed
                else "",
                "dash": reverse("insights:dashboard") + "?" + _query(s),
            }
        )
    rows.sort(key=lambda r: (r["v"].value is None, -(r["v"].value or 0)))
    if ind.direction == "lower":
        rows.sort(key=lambda r: (r["v"].value is None, r["v"].value or 0))
    return render(
        request,
        "insights/comparison.html",
        {
            "scope": scope,
            "scope_label": scope.label(),
            "ind": ind,
            "rows": rows,
            "at": at,
            "indicators": queries.all_indicators(),
            "scope_params": scope_params(scope),
            "scope_query": _query(scope),
        },
    )


@require("insights.view")
def trends(request):
    scope, level = _scope_of(request)
    series = services.trend(scope, 6)
    charts_out = []
    for ind in queries.all_indicators():
        points, table = [], []
        for h, values in series:
            v = values.get(ind.code)
            if v is not None:
                queries.mask([v], level)
            label = f"{h.date:%m.%y}"
            points.append((label, None if v is None or v.suppressed else v.value))
            table.append((h, queries.display(v)))
        last = [p for p in points if p[1] is not None]
        description = _("%(name)s ved de siste %(n)s innhøstingene, eldste først: %(values)s.") % {
            "name": ind.name,
            "n": len(points),
            "values": "; ".join(f"{h.date:%d.%m.%Y}: {d}" for h, d in table),
        }
        change = None
        if len(last) >= 2:
            change = queries.format_change(ind, last[-1][1] - last[-2][1])
        charts_out.append(
            {
                "ind": ind,
                "table": table,
                "change": change,
                "svg": charts.line_svg(
                    points, str(ind.name), description, percent=ind.unit == SHARE
                ),
            }
        )
    return render(
        request,
        "insights/trends.html",
        {
            "scope": scope,
            "scope_label": scope.label(),
            "charts": charts_out,
            "harvests": [h for h, _v in series],
            "scope_query": _query(scope),
        },
    )


@require("insights.view")
def harvests(request):
    page = Paginator(
        Harvest.objects.select_related("created_by").order_by("-date", "-id"), PER_PAGE
    ).get_page(request.GET.get("side"))
    today = timezone.localdate()
    return render(
        request,
        "insights/harvests.html",
        {
            "page": page,
            "can_harvest": has_permission(request.user, "insights.harvest"),
            "today": today,
            "next_harvest": services.next_harvest(today),
            "last_date": services.harvest_dates_around(today)[0],
        },
    )


@require_POST
@require("insights.harvest")
def harvest_start(request):
    try:
        date = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, _("Oppgi en gyldig dato for innhøstingen."))
        return redirect("insights:harvests")
    try:
        h = services.start_harvest(actor=request.user, date=date)
    except DomainError as error:
        messages.error(request, page_message(error))
        return redirect("insights:harvests")
    messages.success(
        request,
        _("Innhøstingen for %(date)s er startet og går i bakgrunnen.")
        % {"date": f"{h.date:%d.%m.%Y}"},
    )
    return redirect("insights:harvests")


@require("insights.view")
def worklist(request):
    scope, level = _scope_of(request)
    queries.require_inside(level)
    today = timezone.localdate()
    kind = request.GET.get("liste", "plans")
    if kind not in queries.WORK_KINDS:
        kind = "plans"
    counts = {k: queries.work_items(k, scope, today).count() for k in queries.WORK_KINDS}
    page = Paginator(queries.work_items(kind, scope, today), PER_PAGE).get_page(
        request.GET.get("side")
    )
    return render(
        request,
        "insights/worklist.html",
        {
            "scope": scope,
            "scope_label": scope.label(),
            "kind": kind,
            "counts": counts,
            "page": page,
            "next_harvest": services.next_harvest(today),
            "open": services.worklist_open(today),
            "scope_query": _query(scope),
            "scope_params": scope_params(scope),
            "kinds": [
                ("plans", _("Gjennomføringsplaner")),
                ("iup", _("Utdanningsplaner (IUP)")),
                ("goals", _("Læringsmål til godkjenning")),
            ],
        },
    )


@require_POST
@require("insights.view")
def worklist_remind(request):
    g = request.POST
    try:
        scope = queries.parse_scope(
            g.get("scope") or None, _int(g.get("id")), _int(g.get("specialty"))
        )
    except queries.ScopeError:
        return HttpResponseBadRequest()
    scope, _level = queries.resolve(request.user, scope)
    kind = g.get("liste", "")
    try:
        n = services.send_reminders(
            actor=request.user, scope=scope, kind=kind, today=timezone.localdate()
        )
    except DomainError as error:
        messages.error(request, page_message(error))
    else:
        messages.success(
            request, _("Påminnelse sendt til %(n)s leger og lederne deres.") % {"n": n}
        )
    return redirect(reverse("insights:worklist") + "?" + _query(scope, liste=kind))


def institutions_in(region_id: int):
    return Institution.objects.filter(region_id=region_id).order_by("name")
